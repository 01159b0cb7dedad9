// SPDX-License-Identifier: GPL-3.0-or-later
#include "democommand.h"

#include "console.h"
#include "readablesink.h"
#include "recordwriter.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace streamscope {

namespace {

constexpr int HostShownEveryMs = 1000;

QByteArray rate(double bytesPerSecond)
{
    if (bytesPerSecond >= 1e6) {
        return QByteArray::number(bytesPerSecond / 1e6, 'f', 1) + " MB/s";
    }
    return QByteArray::number(bytesPerSecond / 1e3, 'f', 0) + " kB/s";
}

QByteArray padded(QByteArray text, int width)
{
    if (text.size() < width) {
        text.append(QByteArray(width - text.size(), ' '));
    }
    return text;
}

// A ten-cell gauge for a percentage.
QByteArray bar(double percent)
{
    const int cells = std::clamp(int(std::lround(percent / 10)), 0, 10);
    QByteArray out;
    for (int i = 0; i < 10; ++i) {
        out.append(i < cells ? "\u2588" : "\u2591");
    }
    return out;
}

// The terminal view of /metrics: each host about once a second, its load as gauges.
class MetricsView : public ReadableSink
{
public:
    using ReadableSink::ReadableSink;

    void event(const SseEvent &event) override
    {
        const QJsonObject sample = QJsonDocument::fromJson(event.data).object();
        const QByteArray host = sample.value(QLatin1String("host")).toString().toUtf8();
        QElapsedTimer &shown = m_lastShown[host];
        if (shown.isValid() && shown.elapsed() < HostShownEveryMs) {
            return;
        }
        shown.start();
        const double cpu = sample.value(QLatin1String("cpu")).toDouble();
        const double memory = sample.value(QLatin1String("mem")).toDouble();
        const console::Palette &palette = outPalette();
        const char *load = cpu >= 85 ? palette.red()
            : cpu >= 60              ? palette.yellow()
                                     : palette.green();
        QByteArray &text = out()->buffer();
        console::appendStamp(text, palette);
        text += "  " + QByteArray(palette.cyan()) + padded(host, 8) + palette.reset();
        text += " cpu " + QByteArray(load) + bar(cpu) + palette.reset() + ' '
            + padded(QByteArray::number(cpu, 'f', 1) + '%', 6);
        text += "  mem " + padded(QByteArray::number(memory, 'f', 1) + '%', 6);
        text += "  rx " + padded(rate(sample.value(QLatin1String("rxBps")).toDouble()), 10);
        text += " tx " + rate(sample.value(QLatin1String("txBps")).toDouble());
        text += '\n';
        out()->commit();
    }

private:
    // A terminal shows each host about once a second however fast samples come.
    QHash<QByteArray, QElapsedTimer> m_lastShown;
};

// The terminal view of /logs: level, host and service in columns, then the message.
class LogsView : public ReadableSink
{
public:
    using ReadableSink::ReadableSink;

    void event(const SseEvent &event) override
    {
        const QJsonObject line = QJsonDocument::fromJson(event.data).object();
        const console::Palette &palette = outPalette();
        const char *colour = event.type == "error" ? palette.red()
            : event.type == "warn"                 ? palette.yellow()
                                                   : palette.green();
        QByteArray &text = out()->buffer();
        console::appendStamp(text, palette);
        text += "  " + QByteArray(colour) + padded(event.type.toUpper(), 8) + palette.reset();
        text += ' ' + padded(line.value(QLatin1String("host")).toString().toUtf8(), 8);
        text += ' ' + padded(line.value(QLatin1String("service")).toString().toUtf8(), 7);
        console::appendIndented(text, line.value(QLatin1String("msg")).toString().toUtf8(), 4);
        text += '\n';
        out()->commit();
    }
};

// --json writes the records sse --json writes; the terminal gets the view.
template <typename View>
std::unique_ptr<RecordSink> demoSink(
    const DemoOptions &options, RecordWriter *out, RecordWriter *err, const QByteArray &stream)
{
    const RecordSink::Output output{out, err, stream, false};
    if (options.json) {
        return RecordSink::create(true, output);
    }
    return std::make_unique<View>(output);
}

} // namespace

DemoCommand::DemoCommand(
    const DemoOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_err(err)
    , m_metricsSink(demoSink<MetricsView>(options, out, err, "metrics"))
    , m_logsSink(demoSink<LogsView>(options, out, err, "logs"))
    , m_metrics(&m_network, m_metricsSink.get())
    , m_logs(&m_network, m_logsSink.get())
{
    connect(&m_metrics, &SseSession::ended, this, &DemoCommand::finish);
    connect(&m_logs, &SseSession::ended, this, &DemoCommand::finish);
}

void DemoCommand::start()
{
    if (!m_feed.listen(m_options.port)) {
        m_err->write("streamscope-cli: cannot listen on 127.0.0.1:"
            + QByteArray::number(m_options.port) + ": " + m_feed.errorString().toUtf8() + '\n');
        m_err->flush();
        emit finished(3);
        return;
    }
    printBanner();
    if (m_options.serve) {
        return;
    }
    EventSourceSettings settings;
    settings.initialDelayMs = 500;
    settings.maxDelayMs = 5000;
    settings.idleTimeoutMs = 3 * m_feed.settings().heartbeatIntervalMs;
    settings.url = m_feed.url(QStringLiteral("/metrics"));
    m_metrics.open(settings, settings.url.toString().toUtf8());
    settings.url = m_feed.url(QStringLiteral("/logs"));
    m_logs.open(settings, settings.url.toString().toUtf8());
}

void DemoCommand::printBanner()
{
    const console::Palette palette(m_err->isTerminal());
    const QByteArray base = m_feed.url().toString().toUtf8();
    const QByteArray metrics = m_feed.url(QStringLiteral("/metrics")).toString().toUtf8();
    const QByteArray logs = m_feed.url(QStringLiteral("/logs")).toString().toUtf8();
    const QByteArray ws
        = m_feed.url(QStringLiteral("/ws"), QStringLiteral("ws")).toString().toUtf8();
    QByteArray text;
    text
        += palette.bold() + QByteArray("Streamscope demo feed on ") + base + palette.reset() + '\n';
    text += "  " + padded(metrics, 36) + " SSE: host metrics (cpu, memory, network)\n";
    text += "  " + padded(logs, 36) + " SSE: application logs (info, warn, error)\n";
    if (m_feed.servesWebSocket()) {
        text += "  " + padded(ws, 36) + " WebSocket: host metrics as JSON messages\n";
    }
    text += palette.dim() + QByteArray("Try in another terminal:  streamscope-cli sse ") + logs
        + " --json" + palette.reset() + '\n';
    text += palette.dim() + QByteArray("Ctrl-C stops.") + palette.reset() + '\n';
    m_err->write(text);
    m_err->flush();
}

void DemoCommand::interrupt()
{
    finish("interrupted", 0);
}

void DemoCommand::finish(const QByteArray &reason, int exitCode)
{
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_metrics.stop();
    m_logs.stop();
    if (m_options.serve) {
        m_err->write("closed: " + reason + '\n');
        m_err->flush();
    } else {
        m_metricsSink->closed(reason); // the closed record names no stream
    }
    emit finished(exitCode);
}

} // namespace streamscope
