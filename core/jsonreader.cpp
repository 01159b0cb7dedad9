// SPDX-License-Identifier: GPL-3.0-or-later
#include "jsonreader.h"

#include "json.h"

#include <cmath>
#include <limits>

namespace streamscope {

JsonReader::JsonReader(const QJsonObject &object, const QString &path, QStringList *problems)
    : m_object(object)
    , m_path(path)
    , m_problems(problems)
{
}

QString JsonReader::where(QLatin1StringView key) const
{
    return m_path.isEmpty() ? QString(key) : m_path + QLatin1Char('.') + key;
}

void JsonReader::problem(const QString &where, const QString &text)
{
    if (m_problems) {
        m_problems->append(where + QStringLiteral(": ") + text);
    }
}

void JsonReader::unexpected(
    const QString &where, const QString &expected, const QString &found, const QString &outcome)
{
    problem(where, QStringLiteral("expected %1, got %2; %3").arg(expected, found, outcome));
}

bool JsonReader::string(QLatin1StringView key, QString *out, const QString &outcome)
{
    const QJsonValue found = value(key);
    if (found.isUndefined()) {
        return true;
    }
    if (!found.isString()) {
        unexpected(where(key), QStringLiteral("a string"), typeOf(found), outcome);
        return false;
    }
    *out = found.toString();
    return true;
}

bool JsonReader::bytes(QLatin1StringView key, QByteArray *out)
{
    QString text;
    if (!contains(key)) {
        return true;
    }
    if (!string(key, &text)) {
        return false;
    }
    *out = text.toUtf8();
    return true;
}

bool JsonReader::boolean(QLatin1StringView key, bool *out)
{
    const QJsonValue found = value(key);
    if (found.isUndefined()) {
        return true;
    }
    if (!found.isBool()) {
        unexpected(where(key), QStringLiteral("true or false"), typeOf(found));
        return false;
    }
    *out = found.toBool();
    return true;
}

bool JsonReader::boolean(QLatin1StringView key, std::optional<bool> *out)
{
    bool read = false;
    if (!contains(key)) {
        return true;
    }
    if (!boolean(key, &read)) {
        return false;
    }
    *out = read;
    return true;
}

bool JsonReader::integer(QLatin1StringView key, int *out, int min, int max, const QString &outcome)
{
    const QJsonValue found = value(key);
    if (found.isUndefined()) {
        return true;
    }
    const double number = found.toDouble(std::nan(""));
    if (!found.isDouble() || std::floor(number) != number || number < double(min)
        || number > double(max)) {
        const bool anyInt = min == INT_MIN && max == INT_MAX;
        unexpected(where(key),
            anyInt ? QStringLiteral("a whole number")
                   : QStringLiteral("a whole number from %1 to %2").arg(min).arg(max),
            found.isDouble() ? describe(found) : typeOf(found), outcome);
        return false;
    }
    *out = int(number);
    return true;
}

bool JsonReader::strings(QLatin1StringView key, QStringList *out)
{
    const QJsonValue found = value(key);
    if (found.isUndefined()) {
        return true;
    }
    const QJsonArray array = found.toArray();
    bool usable = found.isArray();
    for (const QJsonValue &item : array) {
        usable = usable && item.isString();
    }
    if (!usable) {
        unexpected(where(key), QStringLiteral("an array of strings"), typeOf(found));
        return false;
    }
    out->clear();
    for (const QJsonValue &item : array) {
        out->append(item.toString());
    }
    return true;
}

QJsonArray JsonReader::array(QLatin1StringView key)
{
    const QJsonValue found = value(key);
    if (!found.isUndefined() && !found.isArray()) {
        unexpected(where(key), QStringLiteral("an array"), typeOf(found), ignored());
    }
    return found.toArray();
}

std::optional<QJsonObject> JsonReader::object(QLatin1StringView key)
{
    const QJsonValue found = value(key);
    if (found.isObject()) {
        return found.toObject();
    }
    if (!found.isUndefined()) {
        unexpected(where(key), QStringLiteral("an object"), typeOf(found), ignored());
    }
    return std::nullopt;
}

QList<JsonReader> JsonReader::objects(QLatin1StringView key)
{
    const QJsonArray entries = array(key);
    QList<JsonReader> readers;
    readers.reserve(entries.size());
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QString entryWhere = where(key) + QStringLiteral("[%1]").arg(i);
        const QJsonValue entry = entries.at(i);
        if (!entry.isObject()) {
            unexpected(entryWhere, QStringLiteral("an object"), typeOf(entry), leftOut());
            continue;
        }
        readers.append(JsonReader(entry.toObject(), entryWhere, m_problems));
    }
    return readers;
}

QString JsonReader::describe(const QJsonValue &value)
{
    if (value.isString()) {
        return QLatin1Char('"') + value.toString() + QLatin1Char('"');
    }
    if (value.isDouble()) {
        // As its writer wrote it: 5000001, not the 5e+06 of QString::number's default.
        const double number = value.toDouble();
        if (std::floor(number) == number && std::abs(number) < 1e15) {
            return QString::number(qint64(number));
        }
        return QString::number(number);
    }
    return typeOf(value);
}

QString JsonReader::typeOf(const QJsonValue &value)
{
    return json::typeName(value);
}

QString JsonReader::alternatives(const QStringList &words)
{
    QString text;
    for (qsizetype i = 0; i < words.size(); ++i) {
        if (i > 0) {
            text += i + 1 == words.size() ? QStringLiteral(" or ") : QStringLiteral(", ");
        }
        text += QLatin1Char('"') + words.at(i) + QLatin1Char('"');
    }
    return text;
}

std::optional<int> readStreamReference(JsonReader &reader, const QJsonValue &value,
    const QString &where, const QString &entryWhere, const QList<int> &streamIndexes)
{
    const double number = value.toDouble(-1);
    if (!value.isDouble() || number != std::floor(number) || number < 0
        || number > double(std::numeric_limits<int>::max())) {
        reader.unexpected(where, QStringLiteral("a stream index"),
            value.isDouble() ? JsonReader::describe(value) : JsonReader::typeOf(value),
            JsonReader::leftOut());
        return std::nullopt;
    }
    const int index = streamIndexes.value(qsizetype(number), -1);
    if (index < 0) {
        reader.problem(entryWhere, QStringLiteral("no stream %1; left out").arg(qint64(number)));
        return std::nullopt;
    }
    return index;
}

} // namespace streamscope
