// SPDX-License-Identifier: GPL-3.0-or-later
#include "workspace.h"

#include "jsonreader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

#include <cmath>

namespace streamscope {

namespace {

QString sizeText(qsizetype bytes)
{
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
}

// Whether the URL is one a stream can connect to; otherwise the entry is not worth loading.
bool isUsable(const StreamConfig &config)
{
    return config.url.isValid() && config.transport() != StreamConfig::Transport::Invalid
        && !config.url.host().isEmpty();
}

} // namespace

QByteArray Workspace::toJson() const
{
    QJsonObject root;
    root.insert(QLatin1String("version"), FormatVersion);
    QJsonArray list;
    for (const StreamConfig &config : streams) {
        list.append(config.toJson());
    }
    root.insert(QLatin1String("streams"), list);
    root.insert(QLatin1String("logCapacity"), double(logCapacity));
    root.insert(QLatin1String("filters"), filters.toJson());
    root.insert(QLatin1String("layout"),
        QJsonObject{{QLatin1String("geometry"), QString::fromLatin1(layout.geometry.toBase64())},
            {QLatin1String("state"), QString::fromLatin1(layout.state.toBase64())}});
    root.insert(QLatin1String("charts"), charts.toJson());
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

namespace {

void readVersion(JsonReader &reader)
{
    const QLatin1StringView key("version");
    const QJsonValue version = reader.value(key);
    if (version.isUndefined()) {
        reader.problem(reader.where(key),
            QStringLiteral("missing; read as version %1").arg(Workspace::FormatVersion));
    } else if (!version.isDouble()) {
        reader.unexpected(reader.where(key), QStringLiteral("a number"),
            JsonReader::typeOf(version),
            QStringLiteral("read as version %1").arg(Workspace::FormatVersion));
    } else if (version.toDouble() > Workspace::FormatVersion) {
        reader.problem(reader.where(key),
            QStringLiteral("%1 is newer than this Streamscope reads (%2); loading what it knows")
                .arg(JsonReader::describe(version))
                .arg(Workspace::FormatVersion));
    }
}

// The streams it can connect to; streamIndexes gets each entry's index among them, -1 where
// the entry was left out.
QList<StreamConfig> readStreams(
    JsonReader &reader, QStringList *problems, QList<int> *streamIndexes)
{
    const QLatin1StringView key("streams");
    QList<StreamConfig> streams;
    const QJsonArray list = reader.array(key);
    for (qsizetype i = 0; i < list.size(); ++i) {
        streamIndexes->append(-1);
        const QString where = reader.where(key) + QStringLiteral("[%1]").arg(i);
        const QJsonValue entry = list.at(i);
        if (!entry.isObject()) {
            reader.unexpected(where, QStringLiteral("an object"), JsonReader::typeOf(entry),
                QStringLiteral("skipped"));
            continue;
        }
        const StreamConfig config = StreamConfig::fromJson(entry.toObject(), problems, where);
        for (const StreamConfig::Problem &problem : config.validate()) {
            reader.problem(where + QLatin1Char('.') + problem.field, problem.message);
        }
        if (!isUsable(config)) {
            reader.problem(where, QStringLiteral("skipped, since its url cannot be connected to"));
            continue;
        }
        streamIndexes->last() = int(streams.size());
        streams.append(config);
    }
    return streams;
}

// A base64 member of the layout; empty, with a problem, when it is not one.
QByteArray readBase64(JsonReader &reader, QLatin1StringView key)
{
    QString text;
    if (!reader.string(key, &text, JsonReader::ignored())) {
        return {};
    }
    const auto decoded
        = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        reader.problem(reader.where(key), QStringLiteral("not base64; ignored"));
        return {};
    }
    return *decoded;
}

} // namespace

Workspace::Loaded Workspace::fromJson(const QByteArray &json)
{
    Loaded loaded;
    if (json.size() > MaxFileBytes) {
        loaded.problems.append(
            QStringLiteral("the file is %1; a workspace may be at most %2: not read")
                .arg(sizeText(json.size()), sizeText(MaxFileBytes)));
        return loaded;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        loaded.problems.append(QStringLiteral("not valid JSON: %1 at offset %2")
                                   .arg(error.errorString())
                                   .arg(error.offset));
        return loaded;
    }
    if (!document.isObject()) {
        loaded.problems.append(
            QStringLiteral("not a workspace: expected a JSON object with \"streams\", got %1")
                .arg(document.isArray() ? QStringLiteral("an array") : QStringLiteral("a value")));
        return loaded;
    }
    loaded.readable = true;
    JsonReader reader(document.object(), QString(), &loaded.problems);
    Workspace &workspace = loaded.workspace;

    readVersion(reader);
    QList<int> streamIndexes;
    workspace.streams = readStreams(reader, &loaded.problems, &streamIndexes);
    int capacity = int(workspace.logCapacity);
    if (reader.integer(QLatin1StringView("logCapacity"), &capacity, 1, int(EventLog::MaxCapacity),
            QStringLiteral("kept %1").arg(workspace.logCapacity))) {
        workspace.logCapacity = capacity;
    }
    if (const auto filters = reader.object(QLatin1StringView("filters"))) {
        workspace.filters = LogFilterState::fromJson(
            *filters, reader.where(QLatin1StringView("filters")), streamIndexes, &loaded.problems);
    }
    if (const auto layout = reader.object(QLatin1StringView("layout"))) {
        JsonReader layoutReader(
            *layout, reader.where(QLatin1StringView("layout")), &loaded.problems);
        workspace.layout.geometry = readBase64(layoutReader, QLatin1StringView("geometry"));
        workspace.layout.state = readBase64(layoutReader, QLatin1StringView("state"));
    }
    const QLatin1StringView chartsKey("charts");
    if (reader.value(chartsKey).isArray()) {
        // Files written before charts existed hold an empty array here.
        if (!reader.value(chartsKey).toArray().isEmpty()) {
            reader.problem(
                reader.where(chartsKey), QStringLiteral("an array from an older version; ignored"));
        }
    } else if (const auto charts = reader.object(chartsKey)) {
        workspace.charts = ChartsState::fromJson(
            *charts, reader.where(chartsKey), streamIndexes, &loaded.problems);
    }
    return loaded;
}

} // namespace streamscope
