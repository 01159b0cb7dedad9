// SPDX-License-Identifier: GPL-3.0-or-later
#include "workspace.h"

#include "json.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

#include <cmath>

namespace streamscope {

namespace {

constexpr qsizetype s_maxFileBytes = 16 * 1024 * 1024;

// A number as its reader wrote it: 5000001, not the 5e+06 of QString::number's default.
QString numberText(double value)
{
    if (std::floor(value) == value && std::abs(value) < 1e15) {
        return QString::number(qint64(value));
    }
    return QString::number(value);
}

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
    root.insert(QLatin1String("filters"), filters);
    root.insert(QLatin1String("layout"), layout);
    root.insert(QLatin1String("charts"), charts);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Workspace::Loaded Workspace::fromJson(const QByteArray &json)
{
    Loaded loaded;
    if (json.size() > s_maxFileBytes) {
        loaded.problems.append(
            QStringLiteral("the file is %1; a workspace may be at most %2: not read")
                .arg(sizeText(json.size()), sizeText(s_maxFileBytes)));
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
    const QJsonObject root = document.object();
    Workspace &workspace = loaded.workspace;
    QStringList &problems = loaded.problems;

    const QJsonValue version = root.value(QLatin1String("version"));
    if (version.isUndefined()) {
        problems.append(QStringLiteral("version: missing; read as version %1").arg(FormatVersion));
    } else if (!version.isDouble()) {
        problems.append(QStringLiteral("version: expected a number, got %1; read as version %2")
                            .arg(json::typeName(version))
                            .arg(FormatVersion));
    } else if (version.toDouble() > FormatVersion) {
        problems.append(QStringLiteral("version: %1 is newer than this Streamscope reads (%2); "
                                       "loading what it knows")
                            .arg(version.toDouble())
                            .arg(FormatVersion));
    }

    const QJsonValue streams = root.value(QLatin1String("streams"));
    if (streams.isArray()) {
        const QJsonArray list = streams.toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString place = QStringLiteral("streams[%1]").arg(i);
            const QJsonValue entry = list.at(i);
            if (!entry.isObject()) {
                problems.append(QStringLiteral("%1: expected an object, got %2; skipped")
                                    .arg(place, json::typeName(entry)));
                continue;
            }
            QStringList entryProblems;
            const StreamConfig config = StreamConfig::fromJson(entry.toObject(), &entryProblems);
            for (const QString &problem : std::as_const(entryProblems)) {
                problems.append(place + QLatin1Char('.') + problem);
            }
            for (const StreamConfig::Problem &problem : config.validate()) {
                problems.append(
                    QStringLiteral("%1.%2: %3").arg(place, problem.field, problem.message));
            }
            if (!isUsable(config)) {
                problems.append(
                    QStringLiteral("%1: skipped, since its url cannot be connected to").arg(place));
                continue;
            }
            workspace.streams.append(config);
        }
    } else if (!streams.isUndefined()) {
        problems.append(QStringLiteral("streams: expected an array, got %1; no streams loaded")
                            .arg(json::typeName(streams)));
    }

    const QJsonValue capacity = root.value(QLatin1String("logCapacity"));
    if (!capacity.isUndefined()) {
        const double value = capacity.toDouble(-1);
        if (!capacity.isDouble() || value < 1 || value > double(EventLog::MaxCapacity)
            || std::floor(value) != value) {
            problems.append(
                QStringLiteral("logCapacity: expected a whole number from 1 to %1, got "
                               "%2; kept %3")
                    .arg(EventLog::MaxCapacity)
                    .arg(capacity.isDouble() ? numberText(value) : json::typeName(capacity))
                    .arg(workspace.logCapacity));
        } else {
            workspace.logCapacity = qsizetype(value);
        }
    }

    const auto readObject = [&](const char *key, QJsonObject *out) {
        const QJsonValue value = root.value(QLatin1String(key));
        if (value.isObject()) {
            *out = value.toObject();
        } else if (!value.isUndefined()) {
            problems.append(QStringLiteral("%1: expected an object, got %2; ignored")
                                .arg(QLatin1String(key), json::typeName(value)));
        }
    };
    readObject("filters", &workspace.filters);
    readObject("layout", &workspace.layout);
    const QJsonValue charts = root.value(QLatin1String("charts"));
    if (charts.isArray()) {
        // Files written before charts existed hold an empty array here.
        if (!charts.toArray().isEmpty()) {
            problems.append(QStringLiteral("charts: an array from an older version; ignored"));
        }
    } else {
        readObject("charts", &workspace.charts);
    }
    return loaded;
}

} // namespace streamscope
