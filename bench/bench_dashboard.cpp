// SPDX-License-Identifier: GPL-3.0-or-later
// Responsiveness of the running dashboard (issue 4): the real MainWindow, shown offscreen, fed
// by 5 local SSE servers and 5 local WebSocket servers that run on their own thread, so the UI
// thread only does what the app does. Reports events sent vs received, the UI event loop's
// latency (a 10 ms timer's lateness: p50, p99, max), peak RSS and RSS every 2 s.
// Usage: bench_dashboard [--seconds N] [--rate EVENTS_PER_S_PER_STREAM] [--sweep]
//        bench_dashboard --url URL [--streams N] [--ca-file PEM] [--http2 MODE] [--seconds N]
// --sweep: 5 s runs at 20k, 50k, 100k, 200k (the issue's), then 400k, 800k, 1.6M events/s in all;
// reports where p99 crosses 50 ms.
// --url: N SSE streams to URL instead of the local servers (an HTTP/2 firehose, say: what the
// dashboard does when fed faster than it keeps up); reports each stream's health at the end
// (protocol, times it fell behind, attempts).

#include "eventlogmodel.h"
#include "mainwindow.h"
#include "measures.h"
#include "stream.h"
#include "streamset.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <vector>

using namespace streamscope;

namespace {

constexpr int s_sseStreams = 5;
constexpr int s_wsStreams = 5;
constexpr int s_tickMs = 10;
// A client that cannot keep up is not buffered for without end: past this many bytes waiting
// in a server socket, the server skips the tick's events (counted as held back, not sent).
constexpr qint64 s_maxBacklogBytes = 4 * 1024 * 1024;

// Both servers' connections, paced from one timer on the load thread.
class LoadServers : public QObject
{
public:
    explicit LoadServers(double ratePerStream)
        : m_rate(ratePerStream)
    {
    }

    // Runs on the load thread: listens and returns the URLs of the 10 streams.
    QList<QUrl> start()
    {
        QList<QUrl> urls;
        for (int i = 0; i < s_sseStreams; ++i) {
            auto *server = new QTcpServer(this);
            server->listen(QHostAddress::LocalHost, 0);
            connect(server, &QTcpServer::newConnection, this, [this, server] {
                while (QTcpSocket *socket = server->nextPendingConnection()) {
                    acceptSse(socket);
                }
            });
            urls.append(
                QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(server->serverPort())));
        }
        for (int i = 0; i < s_wsStreams; ++i) {
            auto *server = new QWebSocketServer(
                QStringLiteral("bench"), QWebSocketServer::NonSecureMode, this);
            server->listen(QHostAddress::LocalHost, 0);
            connect(server, &QWebSocketServer::newConnection, this, [this, server] {
                while (QWebSocket *socket = server->nextPendingConnection()) {
                    acceptWebSocket(socket);
                }
            });
            urls.append(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server->serverPort())));
        }
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(s_tickMs);
        connect(&m_timer, &QTimer::timeout, this, &LoadServers::tick);
        m_timer.start();
        m_clock.start();
        return urls;
    }

    // Stops sending; the clients keep what is already on the wire.
    void stop() { m_timer.stop(); }

    quint64 sent() const { return m_sent.load(); }
    quint64 heldBack() const { return m_heldBack.load(); }
    int connections() const { return m_connections.load(); }

private:
    struct Client
    {
        QTcpSocket *sse = nullptr;
        QWebSocket *webSocket = nullptr;
        qint64 pendingBytes = 0; // WebSocket: framed but not yet written
        double startMs = 0; // its pacing starts when it connects
        quint64 sent = 0; // events due and handled (sent or held back)
    };

    void acceptSse(QTcpSocket *socket)
    {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            // Any request: answer once its header is complete.
            if (socket->property("answered").toBool() || !socket->readAll().contains("\r\n\r\n")) {
                return;
            }
            socket->setProperty("answered", true);
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                          "Cache-Control: no-cache\r\nConnection: close\r\n\r\n");
            Client client;
            client.sse = socket;
            client.startMs = double(m_clock.elapsed());
            m_clients.push_back(client);
            ++m_connections;
        });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            forget(socket);
            socket->deleteLater();
        });
    }

    void acceptWebSocket(QWebSocket *socket)
    {
        socket->setParent(this);
        Client client;
        client.webSocket = socket;
        client.startMs = double(m_clock.elapsed());
        m_clients.push_back(client);
        ++m_connections;
        connect(socket, &QWebSocket::bytesWritten, this, [this, socket](qint64 bytes) {
            for (Client &c : m_clients) {
                if (c.webSocket == socket) {
                    c.pendingBytes = std::max<qint64>(0, c.pendingBytes - bytes);
                }
            }
        });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            forget(socket);
            socket->deleteLater();
        });
    }

    void forget(QObject *socket)
    {
        const auto gone = std::remove_if(m_clients.begin(), m_clients.end(),
            [socket](const Client &c) { return c.sse == socket || c.webSocket == socket; });
        m_connections -= int(m_clients.end() - gone);
        m_clients.erase(gone, m_clients.end());
    }

    void tick()
    {
        const double now = double(m_clock.elapsed());
        for (Client &client : m_clients) {
            const auto due = quint64((now - client.startMs) * m_rate / 1000.0);
            if (due <= client.sent) {
                continue;
            }
            const quint64 count = due - client.sent;
            const qint64 backlog = client.sse ? client.sse->bytesToWrite() : client.pendingBytes;
            if (backlog > s_maxBacklogBytes) {
                m_heldBack += count;
                client.sent = due;
                continue;
            }
            if (client.sse) {
                QByteArray batch;
                batch.reserve(qsizetype(count) * 48);
                for (quint64 i = 0; i < count; ++i) {
                    const QByteArray seq = QByteArray::number(client.sent + i);
                    batch += "id: " + seq + "\ndata: {\"cpu\":0.42,\"seq\":" + seq + "}\n\n";
                }
                client.sse->write(batch);
            } else {
                for (quint64 i = 0; i < count; ++i) {
                    client.pendingBytes += client.webSocket->sendTextMessage(
                        QStringLiteral("{\"cpu\":0.42,\"seq\":%1}").arg(client.sent + i));
                }
            }
            client.sent = due;
            m_sent += count;
        }
    }

    double m_rate;
    QTimer m_timer{this}; // a child, so moveToThread takes it along
    QElapsedTimer m_clock;
    std::vector<Client> m_clients;
    std::atomic<quint64> m_sent{0};
    std::atomic<quint64> m_heldBack{0};
    std::atomic<int> m_connections{0};
};

// Where the streams go: the bench's own servers, or SSE streams to one external URL.
struct Target
{
    QUrl url; // empty: the local servers
    QString caFile;
    Http2Mode http2 = Http2Mode::Auto;
    int streams = 1;
};

struct StreamSummary
{
    QString name;
    StreamHealth health;
    quint64 behindRows = 0; // "behind" lifecycle rows in the log
};

struct Result
{
    double totalRate = 0;
    int seconds = 0;
    quint64 sent = 0;
    quint64 heldBack = 0;
    quint64 received = 0; // data rows the StreamSet emitted (events and messages)
    quint64 rowsAll = 0; // every row the StreamSet emitted, lifecycle included
    quint64 inLog = 0; // model rows + dropped by the bound + still queued
    quint64 dropped = 0;
    qsizetype rows = 0;
    double p50 = 0;
    double p99 = 0;
    double max = 0;
    qint64 peakKiB = 0;
    QList<QPair<double, qint64>> rss; // (seconds, KiB)
    QList<StreamSummary> streams; // external target only
};

Result runOnce(double totalRate, int seconds, bool verbose, const Target &target = {})
{
    Result result;
    result.totalRate = totalRate;
    result.seconds = seconds;
    const double perStream = totalRate / (s_sseStreams + s_wsStreams);
    const bool external = target.url.isValid();

    QThread loadThread;
    loadThread.setObjectName(QStringLiteral("load"));
    LoadServers *load = nullptr;
    QList<QUrl> urls;
    if (external) {
        for (int i = 0; i < target.streams; ++i) {
            urls.append(target.url);
        }
    } else {
        load = new LoadServers(perStream);
        load->moveToThread(&loadThread);
        QObject::connect(&loadThread, &QThread::finished, load, &QObject::deleteLater);
        loadThread.start();
        QMetaObject::invokeMethod(
            load, [load, &urls] { urls = load->start(); }, Qt::BlockingQueuedConnection);
    }

    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        quint64 received = 0;
        quint64 rowsAll = 0;
        std::map<int, quint64> behindRows; // by stream id
        QObject::connect(window.streams(), &StreamSet::eventArrived, &window,
            [&received, &rowsAll, &behindRows](const StreamEvent &event) {
                ++rowsAll;
                if (event.kind == StreamEvent::Kind::Event
                    || event.kind == StreamEvent::Kind::Message) {
                    ++received;
                } else if (event.kind == StreamEvent::Kind::Lifecycle && event.type == "behind") {
                    ++behindRows[event.streamId];
                }
            });
        for (int i = 0; i < urls.size(); ++i) {
            StreamConfig config;
            if (external) {
                config.name = QStringLiteral("sse %1").arg(i + 1);
                config.caCertificatesFile = target.caFile;
                config.http2 = target.http2;
            } else {
                config.name
                    = (i < s_sseStreams ? QStringLiteral("sse %1") : QStringLiteral("ws %1"))
                          .arg(i < s_sseStreams ? i + 1 : i - s_sseStreams + 1);
            }
            config.url = urls.at(i);
            window.addStream(config);
        }

        std::vector<double> lateness;
        lateness.reserve(size_t(seconds) * 1000 / s_tickMs + 1000);
        QElapsedTimer clock;
        QElapsedTimer since;
        QTimer probe;
        probe.setTimerType(Qt::PreciseTimer);
        probe.setInterval(s_tickMs);
        QObject::connect(&probe, &QTimer::timeout, &window, [&] {
            lateness.push_back(std::max(0.0, double(since.nsecsElapsed()) / 1e6 - s_tickMs));
            since.start();
        });
        QTimer sampler;
        sampler.setInterval(2000);
        QObject::connect(&sampler, &QTimer::timeout, &window, [&] {
            result.rss.append({double(clock.elapsed()) / 1000.0, statusKiB("VmRSS")});
            if (verbose) {
                std::fprintf(stderr, "  %5.1f s  rss %lld KiB  sent %llu  received %llu  rows %d\n",
                    double(clock.elapsed()) / 1000.0, statusKiB("VmRSS"),
                    static_cast<unsigned long long>(load ? load->sent() : 0),
                    static_cast<unsigned long long>(received), window.logModel()->rowCount());
            }
        });

        QEventLoop loop;
        clock.start();
        since.start();
        probe.start();
        sampler.start();
        QTimer::singleShot(seconds * 1000, &window, [&] {
            probe.stop();
            sampler.stop();
            if (load) {
                QMetaObject::invokeMethod(
                    load, [load] { load->stop(); }, Qt::BlockingQueuedConnection);
            }
            loop.quit();
        });
        loop.exec();

        // Drain: what is on the wire arrives, then the model's last batch is flushed.
        result.sent = load ? load->sent() : 0;
        QElapsedTimer drain;
        drain.start();
        quint64 last = received;
        QElapsedTimer quiet;
        quiet.start();
        while (received < result.sent && drain.elapsed() < 10000 && quiet.elapsed() < 2000) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
            if (received != last) {
                last = received;
                quiet.start();
            }
        }
        window.logModel()->flush();

        result.heldBack = load ? load->heldBack() : 0;
        result.received = received;
        result.rowsAll = rowsAll;
        result.rows = window.logModel()->rowCount();
        result.dropped = window.logModel()->droppedCount();
        result.inLog
            = quint64(result.rows) + result.dropped + quint64(window.logModel()->pendingCount());
        const Percentiles latency = percentiles(lateness);
        result.p50 = latency.p50;
        result.p99 = latency.p99;
        result.max = latency.max;
        result.peakKiB = statusKiB("VmHWM");
        if (external) {
            for (const int id : window.streams()->ids()) {
                const Stream *stream = window.streams()->stream(id);
                result.streams.append({stream->config().name, stream->health(), behindRows[id]});
            }
        }
        window.setModified(false); // no save prompt
    }
    loadThread.quit();
    loadThread.wait();
    return result;
}

void printRunTable(const Result &r)
{
    std::printf("| Figure | Value |\n|---|---|\n");
    std::printf("| Streams | %d SSE + %d WebSocket |\n", s_sseStreams, s_wsStreams);
    std::printf("| Rate | %.0f events/s in all, %.0f per stream |\n", r.totalRate,
        r.totalRate / (s_sseStreams + s_wsStreams));
    std::printf("| Duration | %d s |\n", r.seconds);
    std::printf("| Events sent | %llu |\n", static_cast<unsigned long long>(r.sent));
    std::printf("| Held back by servers (client backlog > 4 MiB) | %llu |\n",
        static_cast<unsigned long long>(r.heldBack));
    std::printf("| Events received by the UI | %llu (%.2f%%) |\n",
        static_cast<unsigned long long>(r.received),
        r.sent ? 100.0 * double(r.received) / double(r.sent) : 0.0);
    std::printf(
        "| Rows emitted (incl. lifecycle) / rows in log + dropped by bound + queued | %llu / "
        "%llu |\n",
        static_cast<unsigned long long>(r.rowsAll), static_cast<unsigned long long>(r.inLog));
    std::printf("| Log rows / dropped by the bound | %lld / %llu |\n",
        static_cast<long long>(r.rows), static_cast<unsigned long long>(r.dropped));
    std::printf(
        "| Event-loop latency p50 / p99 / max | %.1f / %.1f / %.1f ms |\n", r.p50, r.p99, r.max);
    std::printf("| Peak RSS (VmHWM) | %.1f MiB |\n", double(r.peakKiB) / 1024.0);
    QString rss;
    for (const auto &[t, kib] : r.rss) {
        rss += QStringLiteral("%1 s: %2; ").arg(t, 0, 'f', 0).arg(double(kib) / 1024.0, 0, 'f', 0);
    }
    std::printf("| RSS over time (MiB) | %s |\n", qPrintable(rss));
}

// The external target's figures: no events sent to compare with, each stream's fate instead.
void printExternalTable(const Result &r, const Target &target)
{
    std::printf("| Figure | Value |\n|---|---|\n");
    std::printf("| Streams | %d SSE to %s, --http2 %s |\n", target.streams,
        qPrintable(target.url.toDisplayString()), http2ModeName(target.http2).constData());
    std::printf("| Duration | %d s |\n", r.seconds);
    std::printf("| Events received by the UI | %llu (%.0f/s) |\n",
        static_cast<unsigned long long>(r.received), double(r.received) / r.seconds);
    std::printf("| Log rows / dropped by the bound | %lld / %llu |\n",
        static_cast<long long>(r.rows), static_cast<unsigned long long>(r.dropped));
    std::printf(
        "| Event-loop latency p50 / p99 / max | %.1f / %.1f / %.1f ms |\n", r.p50, r.p99, r.max);
    std::printf("| Peak RSS (VmHWM) | %.1f MiB |\n", double(r.peakKiB) / 1024.0);
    QString rss;
    for (const auto &[t, kib] : r.rss) {
        rss += QStringLiteral("%1 s: %2; ").arg(t, 0, 'f', 0).arg(double(kib) / 1024.0, 0, 'f', 0);
    }
    std::printf("| RSS over time (MiB) | %s |\n", qPrintable(rss));
    for (const StreamSummary &stream : r.streams) {
        const StreamHealth &h = stream.health;
        std::printf(
            "| %s | protocol %s, attempt %d, fell behind %d times (%llu behind rows)%s%s |\n",
            qPrintable(stream.name), h.protocol.isEmpty() ? "-" : h.protocol.constData(), h.attempt,
            h.timesFellBehind, static_cast<unsigned long long>(stream.behindRows),
            h.fellBehindMessage.isEmpty() ? "" : ": ", qPrintable(h.fellBehindMessage));
    }
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    // Its own settings, so the bench never touches the user's recent files or last workspace.
    QCoreApplication::setApplicationName(QStringLiteral("streamscope-bench-dashboard"));
    QCoreApplication::setOrganizationName(QStringLiteral("Streamscope"));

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
        QStringLiteral("Run time (default 20)."), QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption rateOption(QStringLiteral("rate"),
        QStringLiteral("Events/s per stream (default 10000)."), QStringLiteral("N"),
        QStringLiteral("10000"));
    const QCommandLineOption sweepOption(
        QStringLiteral("sweep"), QStringLiteral("5 s runs at 20k to 1.6M events/s in all."));
    const QCommandLineOption urlOption(QStringLiteral("url"),
        QStringLiteral("SSE streams to this URL instead of the local servers."),
        QStringLiteral("URL"));
    const QCommandLineOption streamsOption(QStringLiteral("streams"),
        QStringLiteral("With --url: how many streams (default 1)."), QStringLiteral("N"),
        QStringLiteral("1"));
    const QCommandLineOption caFileOption(QStringLiteral("ca-file"),
        QStringLiteral("With --url: PEM certificates to trust (a self-signed server)."),
        QStringLiteral("PEM"));
    const QCommandLineOption http2Option(QStringLiteral("http2"),
        QStringLiteral("With --url: auto (default), off or prior-knowledge."),
        QStringLiteral("MODE"), QStringLiteral("auto"));
    parser.addOptions({secondsOption, rateOption, sweepOption, urlOption, streamsOption,
        caFileOption, http2Option});
    parser.process(app);

    bool ok = false;
    const int seconds = parser.value(secondsOption).toInt(&ok);
    if (!ok || seconds < 1 || seconds > 3600) {
        std::fprintf(stderr, "--seconds: expected 1 to 3600\n");
        return 2;
    }
    const double rate = parser.value(rateOption).toDouble(&ok);
    if (!ok || rate <= 0 || rate > 1e7) {
        std::fprintf(stderr, "--rate: expected a positive number of events/s per stream\n");
        return 2;
    }

    if (parser.isSet(urlOption)) {
        Target target;
        target.url = QUrl(parser.value(urlOption));
        target.caFile = parser.value(caFileOption);
        target.streams = parser.value(streamsOption).toInt(&ok);
        if (!target.url.isValid() || !target.url.scheme().startsWith(QLatin1String("http"))) {
            std::fprintf(stderr, "--url: expected an http or https URL\n");
            return 2;
        }
        if (!ok || target.streams < 1 || target.streams > 100) {
            std::fprintf(stderr, "--streams: expected 1 to 100\n");
            return 2;
        }
        const std::optional<Http2Mode> http2 = parseHttp2Mode(parser.value(http2Option).toUtf8());
        if (!http2) {
            std::fprintf(stderr, "--http2: expected auto, off or prior-knowledge\n");
            return 2;
        }
        target.http2 = *http2;
        const Result r = runOnce(0, seconds, true, target);
        printExternalTable(r, target);
        return 0;
    }

    if (!parser.isSet(sweepOption)) {
        const Result r = runOnce(rate * (s_sseStreams + s_wsStreams), seconds, true);
        printRunTable(r);
        return 0;
    }

    std::printf("| Total events/s | Sent | Received | p50 ms | p99 ms | max ms | Peak RSS MiB |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    double crossing = 0;
    for (const double total :
        {20000.0, 50000.0, 100000.0, 200000.0, 400000.0, 800000.0, 1600000.0}) {
        const Result r = runOnce(total, 5, false);
        std::printf("| %.0f | %llu | %llu | %.1f | %.1f | %.1f | %.1f |\n", total,
            static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.received),
            r.p50, r.p99, r.max, double(r.peakKiB) / 1024.0);
        std::fflush(stdout);
        if (crossing == 0 && r.p99 >= 50.0) {
            crossing = total;
        }
    }
    if (crossing > 0) {
        std::printf("\np99 first reaches 50 ms at %.0f events/s in all.\n", crossing);
    } else {
        std::printf("\np99 stays under 50 ms up to 1600000 events/s in all.\n");
    }
    return 0;
}
