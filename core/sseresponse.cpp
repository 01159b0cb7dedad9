// SPDX-License-Identifier: GPL-3.0-or-later
#include "sseresponse.h"

#include "httpstatus.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

namespace streamscope {

namespace {

constexpr qint64 s_maxRetryAfterMs = 24 * 60 * 60 * 1000;

bool isEventStream(QByteArrayView contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArrayView mediaType
        = (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed();
    return mediaType.compare("text/event-stream", Qt::CaseInsensitive) == 0;
}

} // namespace

int parseRetryAfter(QByteArrayView header)
{
    const QByteArrayView value = header.trimmed();
    if (value.isEmpty()) {
        return 0;
    }
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        const qint64 seconds = value.size() > 6 ? s_maxRetryAfterMs : value.toLongLong();
        return int(std::min(seconds * 1000, s_maxRetryAfterMs));
    }
    QDateTime when = QLocale::c().toDateTime(
        QString::fromLatin1(value), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"));
    if (!when.isValid()) {
        return 0;
    }
    when.setTimeSpec(Qt::UTC);
    const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(when);
    return int(std::clamp<qint64>(ms, 0, s_maxRetryAfterMs));
}

SseResponseVerdict judgeSseResponse(int status, QByteArrayView reasonPhrase,
    QByteArrayView contentType, QByteArrayView retryAfter, bool anyHeader)
{
    using Action = SseResponseVerdict::Action;
    SseResponseVerdict verdict;
    if (status == 200) {
        const QByteArrayView type = contentType.trimmed();
        if (isEventStream(type)) {
            verdict.action = Action::Open;
            return verdict;
        }
        const QString got = !type.isEmpty() ? QString::fromUtf8(type)
            : !anyHeader
            ? QStringLiteral("a response without any header (none sent, or too large to read)")
            : QStringLiteral("nothing");
        verdict.error = QStringLiteral("expected text/event-stream, got %1").arg(got);
        return verdict;
    }
    if (status == 204) {
        verdict.action = Action::Stop;
        return verdict;
    }
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        verdict.action = Action::Redirect;
        return verdict;
    }
    if (status >= 400 && status < 600) {
        verdict.action = Action::Refuse;
        verdict.fatal = status < 500 && status != 408 && status != 429;
        verdict.retryAfterMs = (status == 429 || status == 503) ? parseRetryAfter(retryAfter) : 0;
        return verdict;
    }
    verdict.error
        = http::statusText(status, reasonPhrase) + QStringLiteral(": not an event stream");
    return verdict;
}

QString checkBodyComplete(
    qint64 receivedBytes, std::optional<qint64> contentLength, bool contentEncoded)
{
    if (!contentLength || contentEncoded || receivedBytes >= *contentLength) {
        return {};
    }
    return QStringLiteral("the response ended after %1 of its %2 bytes")
        .arg(receivedBytes)
        .arg(*contentLength);
}

QString noResponseText(int timeoutMs, bool h2c, QByteArrayView alpn, bool requestSent)
{
    QString why;
    if (h2c) {
        why = priorKnowledgeHint();
    } else if (alpn == "h2") {
        why = QStringLiteral("the server agreed to HTTP/2 but sent nothing readable as HTTP/2");
    } else {
        why = requestSent ? QStringLiteral("the request was sent; no answer came")
                          : QStringLiteral("the request was never sent");
    }
    const int ms = timeoutMs;
    const QString after
        = ms % 1000 == 0 ? QStringLiteral("%1 s").arg(ms / 1000) : QStringLiteral("%1 ms").arg(ms);
    return QStringLiteral("no response within %1 (%2)").arg(after, why);
}

QString silenceText(int idleTimeoutMs, bool requestSent)
{
    const QString message = requestSent
        ? QStringLiteral("no data for %1 ms: connection considered dead")
        : QStringLiteral("no data for %1 ms: the request was never sent (the connection did "
                         "not open, or this QNetworkAccessManager's 6 connections per host "
                         "are all held by other streams)");
    return message.arg(idleTimeoutMs);
}

QString priorKnowledgeHint()
{
    return QStringLiteral("HTTP/2 with prior knowledge: if the server speaks only HTTP/1.1, set "
                          "http2 to auto or off");
}

} // namespace streamscope
