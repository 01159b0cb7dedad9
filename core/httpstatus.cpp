// SPDX-License-Identifier: GPL-3.0-or-later
#include "httpstatus.h"

#include "utf8.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace streamscope::http {

namespace {

constexpr qsizetype s_maxReasonChars = 80;
constexpr qsizetype s_maxBodyChars = 300;

// The message an API error body carries, in the shapes the common APIs use; empty when none.
QString jsonMessage(QByteArrayView body)
{
    const QJsonDocument document = QJsonDocument::fromJson(body.toByteArray());
    if (!document.isObject()) {
        return {};
    }
    const QJsonObject object = document.object();
    const QJsonValue error = object.value(QLatin1String("error"));
    for (const QJsonValue &candidate : {error.toObject().value(QLatin1String("message")),
             object.value(QLatin1String("message")), error, object.value(QLatin1String("detail")),
             object.value(QLatin1String("error_description"))}) {
        if (candidate.isString() && !candidate.toString().trimmed().isEmpty()) {
            return candidate.toString();
        }
    }
    return {};
}

} // namespace

QString readableText(QByteArrayView bytes, qsizetype maxChars)
{
    QString text = QString::fromUtf8(utf8::sanitized(bytes)).simplified();
    if (text.size() > maxChars) {
        text.truncate(maxChars);
        text.append(QChar(0x2026));
    }
    return text;
}

QString statusText(int status, QByteArrayView reasonPhrase, QByteArrayView body)
{
    const QString phrase = readableText(reasonPhrase, s_maxReasonChars);
    QString text = phrase.isEmpty() ? QStringLiteral("HTTP %1").arg(status)
                                    : QStringLiteral("HTTP %1 %2").arg(status).arg(phrase);
    const QString message = jsonMessage(body);
    const QString said = message.isEmpty() ? readableText(body, s_maxBodyChars)
                                           : readableText(message.toUtf8(), s_maxBodyChars);
    if (!said.isEmpty()) {
        text += QStringLiteral(": ") + said;
    }
    return text;
}

} // namespace streamscope::http
