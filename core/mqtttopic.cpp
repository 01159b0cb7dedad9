// SPDX-License-Identifier: GPL-3.0-or-later
#include "mqtttopic.h"

#include <QStringList>

namespace streamscope::mqtt {

namespace {

bool checkTopicBytes(const QString &text, const char *what, QString *error)
{
    if (text.isEmpty()) {
        *error = QStringLiteral("empty %1").arg(QLatin1String(what));
        return false;
    }
    if (text.contains(QChar(0))) {
        *error = QStringLiteral("%1 \"%2\" contains U+0000").arg(QLatin1String(what), text);
        return false;
    }
    if (text.toUtf8().size() > 65535) {
        *error = QStringLiteral("%1 longer than 65535 bytes").arg(QLatin1String(what));
        return false;
    }
    return true;
}

} // namespace

bool isValidTopicFilter(const QString &filter, QString *error)
{
    if (!checkTopicBytes(filter, "topic filter", error)) {
        return false;
    }
    const QStringList levels = filter.split(QLatin1Char('/'));
    for (qsizetype i = 0; i < levels.size(); ++i) {
        const QString &level = levels.at(i);
        if (level.contains(QLatin1Char('#'))) {
            if (level.size() != 1 || i != levels.size() - 1) {
                *error = QStringLiteral("topic filter \"%1\": '#' must be the whole last level")
                             .arg(filter);
                return false;
            }
        }
        if (level.contains(QLatin1Char('+')) && level.size() != 1) {
            *error = QStringLiteral("topic filter \"%1\": '+' must be a whole level").arg(filter);
            return false;
        }
    }
    return true;
}

bool isValidTopicName(const QString &topic, QString *error)
{
    if (!checkTopicBytes(topic, "topic name", error)) {
        return false;
    }
    if (containsWildcard(topic)) {
        *error = QStringLiteral("topic name \"%1\" contains a wildcard ('+' or '#')").arg(topic);
        return false;
    }
    return true;
}

bool containsWildcard(QStringView topic)
{
    return topic.contains(QLatin1Char('+')) || topic.contains(QLatin1Char('#'));
}

} // namespace streamscope::mqtt
