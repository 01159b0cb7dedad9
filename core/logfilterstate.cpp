// SPDX-License-Identifier: GPL-3.0-or-later
#include "logfilterstate.h"

#include "jsonreader.h"

#include <QJsonArray>

#include <array>
#include <cmath>

namespace streamscope {

namespace {

void readStreams(JsonReader &reader, const QList<int> &streamIndexes, LogFilterState *state)
{
    const QLatin1StringView key("streams");
    const QJsonArray positions = reader.array(key);
    for (qsizetype i = 0; i < positions.size(); ++i) {
        const QString where = reader.where(key) + QStringLiteral("[%1]").arg(i);
        const std::optional<int> index
            = readStreamReference(reader, positions.at(i), where, where, streamIndexes);
        if (!index) {
            continue;
        }
        state->streams.append(*index);
    }
}

void readKinds(JsonReader &reader, LogFilterState *state)
{
    const QLatin1StringView key("kinds");
    QStringList names;
    for (const StreamEvent::Kind kind : allStreamEventKinds) {
        names.append(streamEventKindName(kind));
    }
    const QJsonArray words = reader.array(key);
    for (qsizetype i = 0; i < words.size(); ++i) {
        const QJsonValue value = words.at(i);
        const qsizetype known = value.isString() ? names.indexOf(value.toString()) : -1;
        if (known < 0) {
            reader.unexpected(reader.where(key) + QStringLiteral("[%1]").arg(i),
                JsonReader::alternatives(names),
                value.isString() ? JsonReader::describe(value) : JsonReader::typeOf(value),
                JsonReader::leftOut());
            continue;
        }
        state->kinds.append(allStreamEventKinds.at(size_t(known)));
    }
}

} // namespace

QJsonObject LogFilterState::toJson() const
{
    QJsonArray streamList;
    for (const int index : streams) {
        streamList.append(index);
    }
    QJsonArray kindNames;
    for (const StreamEvent::Kind kind : kinds) {
        kindNames.append(streamEventKindName(kind));
    }
    return QJsonObject{
        {QStringLiteral("streams"), streamList},
        {QStringLiteral("kinds"), kindNames},
        {QStringLiteral("type"), type},
        {QStringLiteral("id"), id},
        {QStringLiteral("text"), text},
        {QStringLiteral("regex"), regex},
        {QStringLiteral("caseSensitive"), caseSensitive},
    };
}

LogFilterState LogFilterState::fromJson(const QJsonObject &json, const QString &path,
    const QList<int> &streamIndexes, QStringList *problems)
{
    JsonReader reader(json, path, problems);
    LogFilterState state;
    readStreams(reader, streamIndexes, &state);
    readKinds(reader, &state);
    reader.string(QLatin1StringView("type"), &state.type);
    reader.string(QLatin1StringView("id"), &state.id);
    reader.string(QLatin1StringView("text"), &state.text);
    reader.boolean(QLatin1StringView("regex"), &state.regex);
    reader.boolean(QLatin1StringView("caseSensitive"), &state.caseSensitive);
    if (state.regex && !state.text.isEmpty()) {
        const QString problem = patternProblem(QRegularExpression(state.text));
        if (!problem.isEmpty()) {
            reader.problem(reader.where(QLatin1StringView("text")),
                problem + QStringLiteral("; kept, but it filters nothing until corrected"));
        }
    }
    return state;
}

QString patternProblem(const QRegularExpression &expression)
{
    if (expression.isValid()) {
        return {};
    }
    return QStringLiteral("%1 at offset %2")
        .arg(expression.errorString())
        .arg(expression.patternErrorOffset());
}

} // namespace streamscope
