// SPDX-License-Identifier: GPL-3.0-or-later
// The live charts under load (issue 5), offscreen, in two parts:
// 1. Firehose: 20 series each receiving 1000 points/s (payloads of {"t","v"} batches ingested
//    into the MetricStore from a 10 ms timer on the UI thread, as the recorder would), plotted on
//    4 charts of 5 series, window --window (default 15m), for --seconds (default 20). Reports the
//    panel's redraw time (its own 30/s timer: series data replaced, axes, legends), the paint time
//    of each frame, the UI event loop's latency (a 5 ms timer's lateness), the feed's share of the
//    UI thread and peak RSS.
// 2. Retained: one chart holding 1,000,000 points (10 series x 100k, then 1 series x 1M), window
//    All retained: time to redraw the full window, and to redraw and paint it, median of --runs.
// Usage: bench_charts [--seconds N] [--window 1m|5m|15m|1h|all] [--runs N]

#include "charts/chartpanel.h"
#include "charts/livechart.h"
#include "measures.h"
#include "metricstore.h"
#include "streamset.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QGraphicsView>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

using namespace streamscope;

namespace {

constexpr int s_series = 20;
constexpr int s_chartsInFirehose = 4;
constexpr double s_pointsPerSecond = 1000; // per series
constexpr int s_feedTickMs = 10;
constexpr int s_probeMs = 5;

// Times every paint of the window (widgets paint on the window's UpdateRequest).
class BenchApplication : public QApplication
{
public:
    using QApplication::QApplication;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!m_timePaints || event->type() != QEvent::UpdateRequest) {
            return QApplication::notify(receiver, event);
        }
        QElapsedTimer clock;
        clock.start();
        const bool result = QApplication::notify(receiver, event);
        m_paintMs.push_back(double(clock.nsecsElapsed()) / 1e6);
        return result;
    }

    void timePaints(bool on) { m_timePaints = on; }
    std::vector<double> takePaintTimes() { return std::exchange(m_paintMs, {}); }

private:
    bool m_timePaints = false;
    std::vector<double> m_paintMs;
};

StreamConfig offlineStream(int index)
{
    StreamConfig config;
    config.name = QStringLiteral("s%1").arg(index + 1);
    config.url = QUrl(QStringLiteral("http://127.0.0.1:9/s%1").arg(index + 1));
    return config;
}

// One payload: a batch of points of "v" at times t (ms), a random walk.
QByteArray batch(double firstMs, double stepMs, int count, double *value, std::mt19937 &random)
{
    std::normal_distribution<double> step(0, 1);
    QByteArray data;
    data.reserve(count * 40 + 2);
    data += '[';
    for (int i = 0; i < count; ++i) {
        *value += step(random);
        if (i > 0) {
            data += ',';
        }
        data += "{\"t\":" + QByteArray::number(firstMs + i * stepMs, 'f', 3)
            + ",\"v\":" + QByteArray::number(*value, 'f', 3) + '}';
    }
    data += ']';
    return data;
}

void ingest(MetricStore &store, int streamId, const QByteArray &data)
{
    StreamEvent event;
    event.arrivalMs = QDateTime::currentMSecsSinceEpoch();
    event.streamId = streamId;
    event.data = data;
    store.ingest(event);
}

void firehose(
    BenchApplication &app, int seconds, ChartPanel::Window window, const QString &windowName)
{
    StreamSet streams;
    MetricStore store;
    QList<int> ids;
    for (int i = 0; i < s_series; ++i) {
        ids.append(streams.add(offlineStream(i)));
        store.setSettings(ids.last(), {QStringLiteral("t"), TimeUnit::Milliseconds, {}});
    }
    ChartPanel panel(&store, &streams);
    panel.resize(1600, 1000);
    panel.setWindow(window);
    for (int chart = 0; chart < s_chartsInFirehose; ++chart) {
        panel.addChart(QStringLiteral("Chart %1").arg(chart + 1));
    }
    for (int i = 0; i < s_series; ++i) {
        panel.addSeries(i % s_chartsInFirehose, SeriesKey{ids.at(i), {}, {}, QStringLiteral("v")});
    }
    panel.show();

    std::mt19937 random(42);
    std::vector<double> values(s_series, 50.0);
    QElapsedTimer clock;
    const double startMs = double(QDateTime::currentMSecsSinceEpoch());
    quint64 fed = 0; // per series
    double feedMs = 0;
    QTimer feeder;
    feeder.setTimerType(Qt::PreciseTimer);
    feeder.setInterval(s_feedTickMs);
    QObject::connect(&feeder, &QTimer::timeout, &panel, [&] {
        QElapsedTimer cost;
        cost.start();
        const auto due = quint64(double(clock.elapsed()) * s_pointsPerSecond / 1000.0);
        if (due > fed) {
            const int count = int(due - fed);
            const double stepMs = 1000.0 / s_pointsPerSecond;
            for (int i = 0; i < s_series; ++i) {
                ingest(store, ids.at(i),
                    batch(
                        startMs + double(fed) * stepMs, stepMs, count, &values[size_t(i)], random));
            }
            fed = due;
        }
        feedMs += double(cost.nsecsElapsed()) / 1e6;
    });

    std::vector<double> lateness;
    std::vector<double> redraws;
    quint64 redrawsSeen = panel.redrawCount();
    QElapsedTimer since;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(s_probeMs);
    QObject::connect(&probe, &QTimer::timeout, &panel, [&] {
        lateness.push_back(std::max(0.0, double(since.nsecsElapsed()) / 1e6 - s_probeMs));
        since.start();
        if (panel.redrawCount() != redrawsSeen) {
            redrawsSeen = panel.redrawCount();
            redraws.push_back(panel.lastRedrawMs());
        }
    });
    QTimer sampler;
    sampler.setInterval(5000);
    QObject::connect(&sampler, &QTimer::timeout, &panel, [&] {
        std::fprintf(stderr, "  %5.1f s  rss %lld KiB  points per series %llu  redraws %zu\n",
            double(clock.elapsed()) / 1000.0, statusKiB("VmRSS"),
            static_cast<unsigned long long>(fed), redraws.size());
    });

    QEventLoop loop;
    clock.start();
    since.start();
    feeder.start();
    probe.start();
    sampler.start();
    app.timePaints(true);
    QTimer::singleShot(seconds * 1000, &panel, [&] { loop.quit(); });
    loop.exec();
    app.timePaints(false);
    feeder.stop();
    probe.stop();
    sampler.stop();

    const Percentiles redraw = percentiles(redraws);
    const Percentiles paint = percentiles(app.takePaintTimes());
    const Percentiles loopLatency = percentiles(lateness);
    qsizetype plotted = 0;
    for (int chart = 0; chart < panel.chartCount(); ++chart) {
        plotted += panel.plottedPointCount(chart);
    }
    std::printf("## Firehose\n\n| Figure | Value |\n|---|---|\n");
    std::printf("| Series | %d on %d charts, %.0f points/s each (%.0f in all) |\n", s_series,
        s_chartsInFirehose, s_pointsPerSecond, s_series * s_pointsPerSecond);
    std::printf("| Window / run | %s / %d s |\n", qPrintable(windowName), seconds);
    std::printf("| Points recorded per series | %llu |\n", static_cast<unsigned long long>(fed));
    std::printf(
        "| Points drawn at the end (all charts) | %lld |\n", static_cast<long long>(plotted));
    std::printf("| Redraws | %zu (%.1f/s) |\n", redraw.count, double(redraw.count) / seconds);
    std::printf("| Redraw time p50 / p99 / max | %.2f / %.2f / %.2f ms |\n", redraw.p50, redraw.p99,
        redraw.max);
    std::printf("| Paint time per frame p50 / p99 / max (%zu frames) | %.2f / %.2f / %.2f ms |\n",
        paint.count, paint.p50, paint.p99, paint.max);
    std::printf("| Event-loop latency p50 / p99 / max (5 ms probe) | %.2f / %.2f / %.2f ms |\n",
        loopLatency.p50, loopLatency.p99, loopLatency.max);
    std::printf("| Feed (JSON ingest on the UI thread) | %.1f%% of the run |\n",
        100.0 * feedMs / (seconds * 1000.0));
    std::printf("| Peak RSS (VmHWM) | %.1f MiB |\n\n", double(statusKiB("VmHWM")) / 1024.0);
    std::fflush(stdout);
}

void retained(int seriesCount, int pointsPerSeries, int runs)
{
    StreamSet streams;
    MetricStore store;
    ChartPanel panel(&store, &streams);
    panel.resize(1600, 1000);
    panel.addChart(QStringLiteral("Retained"));
    // A second apart at most, ending now: every point within the default retention.
    const double stepMs = std::min(1000.0, 3000'000.0 / pointsPerSeries);
    const double startMs = double(QDateTime::currentMSecsSinceEpoch()) - stepMs * pointsPerSeries;
    std::mt19937 random(7);
    QElapsedTimer feedClock;
    feedClock.start();
    for (int s = 0; s < seriesCount; ++s) {
        const int id = streams.add(offlineStream(s));
        store.setSettings(id, {QStringLiteral("t"), TimeUnit::Milliseconds, {}});
        const SeriesKey key{id, {}, {}, QStringLiteral("v")};
        panel.addSeries(0, key); // plotted first: the series keeps every point
        double value = 50;
        for (int first = 0; first < pointsPerSeries; first += 10000) {
            const int count = std::min(10000, pointsPerSeries - first);
            ingest(store, id, batch(startMs + first * stepMs, stepMs, count, &value, random));
        }
    }
    const double feedSeconds = double(feedClock.elapsed()) / 1000.0;
    panel.setWindow(ChartPanel::Window::AllRetained);
    panel.show();
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 300) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    }
    panel.redraw();
    const auto [fromMs, toMs] = panel.visibleRange();

    // Two full ranges a second apart, in turn: each redraw decimates every retained point again.
    QGraphicsView *view = panel.chart(0)->plotView();
    std::vector<double> redrawOnly;
    std::vector<double> withPaint;
    int nudge = 0;
    const auto nextRange = [&] { panel.setVisibleRange(fromMs - 1000.0 * (++nudge % 2), toMs); };
    for (int run = 0; run < runs; ++run) {
        nextRange();
        panel.redraw();
        redrawOnly.push_back(panel.lastRedrawMs());
        nextRange();
        QElapsedTimer clock;
        clock.start();
        panel.redraw();
        view->viewport()->repaint();
        withPaint.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    const Percentiles redraw = percentiles(redrawOnly);
    const Percentiles painted = percentiles(withPaint);
    std::printf("| %d x %d | %.1f s | %lld | %.2f ms (max %.2f) | %.2f ms (max %.2f) |\n",
        seriesCount, pointsPerSeries, feedSeconds,
        static_cast<long long>(panel.plottedPointCount(0)), redraw.p50, redraw.max, painted.p50,
        painted.max);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    BenchApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
        QStringLiteral("Firehose run time (default 20)."), QStringLiteral("N"),
        QStringLiteral("20"));
    const QCommandLineOption runsOption(QStringLiteral("runs"),
        QStringLiteral("Full-window redraws timed per retained layout (default 21)."),
        QStringLiteral("N"), QStringLiteral("21"));
    const QCommandLineOption windowOption(QStringLiteral("window"),
        QStringLiteral("Firehose window: 1m, 5m, 15m (default), 1h or all."), QStringLiteral("W"),
        QStringLiteral("15m"));
    parser.addOptions({secondsOption, windowOption, runsOption});
    parser.process(app);
    bool ok = false;
    const int seconds = parser.value(secondsOption).toInt(&ok);
    if (!ok || seconds < 1 || seconds > 3600) {
        std::fprintf(stderr, "--seconds: expected 1 to 3600\n");
        return 2;
    }
    const int runs = parser.value(runsOption).toInt(&ok);
    if (!ok || runs < 1 || runs > 10000) {
        std::fprintf(stderr, "--runs: expected 1 to 10000\n");
        return 2;
    }

    const QHash<QString, ChartPanel::Window> windows{
        {QStringLiteral("1m"), ChartPanel::Window::OneMinute},
        {QStringLiteral("5m"), ChartPanel::Window::FiveMinutes},
        {QStringLiteral("15m"), ChartPanel::Window::FifteenMinutes},
        {QStringLiteral("1h"), ChartPanel::Window::OneHour},
        {QStringLiteral("all"), ChartPanel::Window::AllRetained}};
    const QString windowName = parser.value(windowOption);
    if (!windows.contains(windowName)) {
        std::fprintf(stderr, "--window: expected 1m, 5m, 15m, 1h or all\n");
        return 2;
    }

    firehose(app, seconds, windows.value(windowName), windowName);

    std::printf(
        "## 1,000,000 retained points in one chart, window All retained (median of %d)\n\n", runs);
    std::printf("| Series x points | Feed | Points drawn | Redraw | Redraw + paint |\n");
    std::printf("|---|---|---|---|---|\n");
    retained(10, 100'000, runs);
    retained(1, 1'000'000, runs);
    return 0;
}
