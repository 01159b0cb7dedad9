// SPDX-License-Identifier: GPL-3.0-or-later
#include "demoworkspace.h"

#include "demofeed.h"

namespace streamscope {

namespace {

enum StreamIndex { Metrics, Logs, WebSocket };

const QStringList s_hosts = {QStringLiteral("web-1"), QStringLiteral("web-2"),
    QStringLiteral("db-1"), QStringLiteral("cache-1")};

// One series per demo host of the SSE metrics stream.
ChartsState::Chart perHostChart(const QString &title, const QString &path)
{
    ChartsState::Chart chart{title, {}};
    for (const QString &host : s_hosts) {
        chart.series.append(SeriesKey{Metrics, "metrics", host, path});
    }
    return chart;
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
    for (const int stream : {Metrics, WebSocket}) {
        workspace.charts.extraction.append({stream,
            ExtractionSettings{
                QStringLiteral("ts"), TimeUnit::Milliseconds, QStringLiteral("host")}});
    }
    ChartsState::Chart rates{QStringLiteral("Events/s per stream"), {}};
    for (const int stream : {Metrics, Logs, WebSocket}) {
        rates.series.append(SeriesKey{stream, {}, {}, FigureEventsPerSecond});
    }
    workspace.charts.window = ChartWindow::OneMinute;
    workspace.charts.charts = {perHostChart(QStringLiteral("CPU %"), QStringLiteral("cpu")),
        perHostChart(QStringLiteral("Memory %"), QStringLiteral("mem")),
        perHostChart(QStringLiteral("Received bytes/s"), QStringLiteral("rxBps")), rates};
    return workspace;
}

} // namespace streamscope
