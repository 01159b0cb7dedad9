// SPDX-License-Identifier: GPL-3.0-or-later
#include "demoworkspace.h"

#include "demofeed.h"

#include <QJsonArray>
#include <QJsonObject>

namespace streamscope {

namespace {

enum StreamIndex { Metrics, Logs, WebSocket };

const QStringList s_hosts = {QStringLiteral("web-1"), QStringLiteral("web-2"),
    QStringLiteral("db-1"), QStringLiteral("cache-1")};

QJsonObject seriesEntry(int stream, const QString &type, const QString &label, const QString &path)
{
    return {{QStringLiteral("stream"), stream}, {QStringLiteral("type"), type},
        {QStringLiteral("label"), label}, {QStringLiteral("path"), path}};
}

// One series per demo host of the SSE metrics stream.
QJsonObject perHostChart(const QString &title, const QString &path)
{
    QJsonArray series;
    for (const QString &host : s_hosts) {
        series.append(seriesEntry(Metrics, QStringLiteral("metrics"), host, path));
    }
    return {{QStringLiteral("title"), title}, {QStringLiteral("series"), series}};
}

} // namespace

Workspace demoWorkspace(const DemoFeed &feed)
{
    Workspace workspace;
    StreamConfig metrics;
    metrics.name = QStringLiteral("metrics");
    metrics.url = feed.url(QStringLiteral("/metrics"));
    StreamConfig logs;
    logs.name = QStringLiteral("logs");
    logs.url = feed.url(QStringLiteral("/logs"));
    StreamConfig webSocket;
    webSocket.name = QStringLiteral("ws metrics");
    webSocket.url = feed.url(QStringLiteral("/ws"), QStringLiteral("ws"));
    // An LLM answer, one-shot (a POST with a body): the token view shows it on a first launch.
    StreamConfig assistant;
    assistant.name = QStringLiteral("assistant");
    assistant.url = feed.url(QStringLiteral("/v1/messages"));
    assistant.method = "POST";
    assistant.headers = {{"Content-Type", "application/json"}};
    assistant.body = R"({"model":"demo","stream":true,"max_tokens":1024,)"
                     R"("messages":[{"role":"user","content":"How do SSE streams resume?"}]})";
    workspace.streams = {metrics, logs, webSocket, assistant};

    // Both metric feeds carry the producer's clock in "ts" (ms) and one host per payload.
    QJsonArray extraction;
    for (const int stream : {Metrics, WebSocket}) {
        extraction.append(QJsonObject{{QStringLiteral("stream"), stream},
            {QStringLiteral("timeField"), QStringLiteral("ts")},
            {QStringLiteral("unit"), QStringLiteral("ms")},
            {QStringLiteral("labelField"), QStringLiteral("host")}});
    }
    QJsonArray rates;
    for (const int stream : {Metrics, Logs, WebSocket}) {
        rates.append(seriesEntry(stream, {}, {}, QStringLiteral("@events/s")));
    }
    const QJsonArray charts = {perHostChart(QStringLiteral("CPU %"), QStringLiteral("cpu")),
        perHostChart(QStringLiteral("Memory %"), QStringLiteral("mem")),
        perHostChart(QStringLiteral("Received bytes/s"), QStringLiteral("rxBps")),
        QJsonObject{{QStringLiteral("title"), QStringLiteral("Events/s per stream")},
            {QStringLiteral("series"), rates}}};
    workspace.charts = {{QStringLiteral("window"), QStringLiteral("1m")},
        {QStringLiteral("charts"), charts}, {QStringLiteral("extraction"), extraction}};
    return workspace;
}

} // namespace streamscope
