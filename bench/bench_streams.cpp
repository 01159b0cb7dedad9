// SPDX-License-Identifier: GPL-3.0-or-later
// Scale in streams (issue 15): N streams, half SSE and half WebSocket, in the real MainWindow
// offscreen, against local servers that run in a child process (this program with --serve), so
// every figure is the dashboard's alone. Reports the time from the first addStream() to every
// stream open, RSS (VmRSS, VmHWM), threads by name, and CPU in % of one core over a window at
// a low total rate and at 0 events/s, with the timer events the UI thread handled at idle.
// Usage: bench_streams [--streams N] [--origins K] [--rate EVENTS_PER_S_IN_ALL] [--seconds S]
// --origins K: the SSE streams spread over K origins and the WebSocket streams over K others
// (each its own port on 127.0.0.x, x from 1 to 200); 1 puts every SSE stream on one origin.

#include "mainwindow.h"
#include "measures.h"
#include "stream.h"
#include "streamset.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QMap>
#include <QProcess>
#include <QSet>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace streamscope;

namespace {

constexpr int s_tickMs = 50;

// Every stream needs a socket (and, before the pool change, a manager's thread with its own
// descriptors): the soft limit of 1024 is not enough for 1000 streams.
void raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

QHostAddress originAddress(int origin)
{
    return QHostAddress(QStringLiteral("127.0.0.%1").arg(1 + origin % 200));
}

// The child process: SSE and WebSocket origins, events spread round-robin over every client
// at the total rate, changed by "rate N" lines on stdin.
class Servers : public QObject
{
public:
    Servers(int sseOrigins, int wsOrigins, double rate)
        : m_rate(rate)
    {
        for (int i = 0; i < sseOrigins; ++i) {
            auto *server = new QTcpServer(this);
            if (!server->listen(originAddress(i), 0)) {
                std::fprintf(
                    stderr, "serve: cannot listen: %s\n", qPrintable(server->errorString()));
                std::exit(1);
            }
            connect(server, &QTcpServer::newConnection, this, [this, server] {
                while (QTcpSocket *socket = server->nextPendingConnection()) {
                    acceptSse(socket);
                }
            });
            std::printf("sse http://%s:%d/metrics\n",
                qPrintable(server->serverAddress().toString()), server->serverPort());
        }
        for (int i = 0; i < wsOrigins; ++i) {
            auto *server = new QWebSocketServer(
                QStringLiteral("bench"), QWebSocketServer::NonSecureMode, this);
            if (!server->listen(originAddress(i + sseOrigins), 0)) {
                std::fprintf(
                    stderr, "serve: cannot listen: %s\n", qPrintable(server->errorString()));
                std::exit(1);
            }
            connect(server, &QWebSocketServer::newConnection, this, [this, server] {
                while (QWebSocket *socket = server->nextPendingConnection()) {
                    socket->setParent(this);
                    m_webSockets.append(socket);
                    connect(socket, &QWebSocket::disconnected, this, [this, socket] {
                        m_webSockets.removeOne(socket);
                        socket->deleteLater();
                    });
                }
            });
            std::printf("ws ws://%s:%d/\n", qPrintable(server->serverAddress().toString()),
                server->serverPort());
        }
        std::printf("ready\n");
        std::fflush(stdout);

        m_input = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
        connect(m_input, &QSocketNotifier::activated, this, [this] { readCommand(); });
        m_timer.setInterval(s_tickMs);
        connect(&m_timer, &QTimer::timeout, this, &Servers::tick);
        m_timer.start();
        m_clock.start();
    }

private:
    void acceptSse(QTcpSocket *socket)
    {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            if (socket->property("answered").toBool() || !socket->readAll().contains("\r\n\r\n")) {
                return;
            }
            socket->setProperty("answered", true);
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                          "Cache-Control: no-cache\r\n\r\n");
            m_sse.append(socket);
        });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_sse.removeOne(socket);
            socket->deleteLater();
        });
    }

    void readCommand()
    {
        char line[64] = {};
        const ssize_t n = ::read(STDIN_FILENO, line, sizeof line - 1);
        if (n <= 0) {
            QCoreApplication::quit(); // the parent went away
            return;
        }
        const QByteArray command = QByteArray(line, int(n)).trimmed();
        if (command.startsWith("rate ")) {
            m_rate = command.mid(5).toDouble();
            m_due = 0;
            m_clock.restart();
        }
    }

    void tick()
    {
        const qsizetype clients = m_sse.size() + m_webSockets.size();
        if (clients == 0 || m_rate <= 0) {
            m_clock.restart();
            m_due = 0;
            return;
        }
        m_due += double(m_clock.restart()) * m_rate / 1000.0;
        for (; m_due >= 1.0; m_due -= 1.0) {
            m_next = (m_next + 1) % clients;
            const QByteArray seq = QByteArray::number(++m_seq);
            if (m_next < m_sse.size()) {
                m_sse.at(m_next)->write(
                    "id: " + seq + "\ndata: {\"cpu\":0.42,\"seq\":" + seq + "}\n\n");
            } else {
                m_webSockets.at(m_next - m_sse.size())
                    ->sendTextMessage(QStringLiteral("{\"cpu\":0.42,\"seq\":%1}").arg(m_seq));
            }
        }
    }

    double m_rate;
    double m_due = 0;
    quint64 m_seq = 0;
    qsizetype m_next = 0;
    QList<QTcpSocket *> m_sse;
    QList<QWebSocket *> m_webSockets;
    QSocketNotifier *m_input = nullptr;
    QTimer m_timer;
    QElapsedTimer m_clock;
};

// CPU ticks (user + system) of /proc/self/task/TID/stat, by thread id, with the thread's name.
struct ThreadTicks
{
    QByteArray name;
    qint64 ticks = 0;
};

QMap<int, ThreadTicks> threadTicks()
{
    QMap<int, ThreadTicks> result;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile file(tasks.filePath(tid + QStringLiteral("/stat")));
        if (!file.open(QIODevice::ReadOnly)) {
            continue;
        }
        const QByteArray stat = file.readAll();
        const qsizetype open = stat.indexOf('(');
        const qsizetype close = stat.lastIndexOf(')');
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        // After the name: state is field 3; utime and stime are fields 14 and 15.
        result.insert(tid.toInt(),
            {stat.mid(open + 1, close - open - 1),
                fields.value(11).toLongLong() + fields.value(12).toLongLong()});
    }
    return result;
}

// Thread names with how many threads carry each, "main" for the UI thread.
QString threadNames(const QMap<int, ThreadTicks> &threads)
{
    QMap<QByteArray, int> byName;
    for (auto it = threads.cbegin(); it != threads.cend(); ++it) {
        ++byName[it.key() == getpid() ? QByteArray("main") : it->name];
    }
    QStringList parts;
    for (auto it = byName.cbegin(); it != byName.cend(); ++it) {
        parts.append(QStringLiteral("%1 x%2").arg(QString::fromUtf8(it.key())).arg(it.value()));
    }
    return parts.join(QStringLiteral(", "));
}

// Counts the timer events the UI thread delivers, by the receiver's class.
class TimerCounter : public QObject
{
public:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (counting && event->type() == QEvent::Timer) {
            ++byClass[watched->metaObject()->className()];
            ++total;
        }
        return false;
    }

    bool counting = false;
    quint64 total = 0;
    QMap<QByteArray, quint64> byClass;
};

struct CpuWindow
{
    double processPercent = 0; // of one core
    double mainPercent = 0;
    double networkPercent = 0; // QNetworkAccessManager threads
    double otherPercent = 0;
    quint64 events = 0;
};

void runFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

int serve(int sseOrigins, int wsOrigins, double rate)
{
    Servers servers(sseOrigins, wsOrigins, rate);
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    raiseFileLimit();
    const bool serving = argc > 1 && qstrcmp(argv[1], "--serve") == 0;
    if (serving) {
        QCoreApplication app(argc, argv);
        // --serve SSE_ORIGINS WS_ORIGINS RATE
        if (argc < 5) {
            return 2;
        }
        return serve(atoi(argv[2]), atoi(argv[3]), atof(argv[4]));
    }

    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    // Its own settings, so the bench never touches the user's recent files or last workspace.
    QCoreApplication::setApplicationName(QStringLiteral("streamscope-bench-streams"));
    QCoreApplication::setOrganizationName(QStringLiteral("Streamscope"));

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption streamsOption(QStringLiteral("streams"),
        QStringLiteral("Streams in all, half SSE and half WebSocket (default 1000)."),
        QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption originsOption(QStringLiteral("origins"),
        QStringLiteral("Origins per transport (default 1)."), QStringLiteral("K"),
        QStringLiteral("1"));
    const QCommandLineOption rateOption(QStringLiteral("rate"),
        QStringLiteral("Events/s in all for the loaded window (default 1000)."),
        QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
        QStringLiteral("Each CPU window (default 10)."), QStringLiteral("S"), QStringLiteral("10"));
    parser.addOptions({streamsOption, originsOption, rateOption, secondsOption});
    parser.process(app);
    const int streams = std::max(2, parser.value(streamsOption).toInt());
    const int origins = std::clamp(parser.value(originsOption).toInt(), 1, streams / 2);
    const double rate = parser.value(rateOption).toDouble();
    const int seconds = std::max(1, parser.value(secondsOption).toInt());
    const int sseCount = streams / 2;
    const int wsCount = streams - sseCount;

    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(),
        {QStringLiteral("--serve"), QString::number(origins), QString::number(origins),
            QStringLiteral("0")});
    QList<QUrl> sseUrls;
    QList<QUrl> wsUrls;
    for (bool ready = false; !ready;) {
        if (!child.canReadLine() && !child.waitForReadyRead(10000)) {
            std::fprintf(stderr, "the server process did not start\n");
            return 1;
        }
        while (child.canReadLine()) {
            const QByteArray line = child.readLine().trimmed();
            if (line == "ready") {
                ready = true;
            } else if (line.startsWith("sse ")) {
                sseUrls.append(QUrl(QString::fromUtf8(line.mid(4))));
            } else if (line.startsWith("ws ")) {
                wsUrls.append(QUrl(QString::fromUtf8(line.mid(3))));
            }
        }
    }

    const qint64 threadsBefore = statusKiB("Threads"); // the line has no unit: a count
    int openCount = 0;
    qint64 allOpenMs = -1;
    CpuWindow loaded;
    CpuWindow idle;
    TimerCounter timers;
    QString namesLoaded;
    qint64 threadsOpen = 0;
    qint64 rssOpen = 0;
    qint64 rssLoaded = 0;
    qint64 rssIdle = 0;
    qint64 hwm = 0;
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QSet<int> opened;
        quint64 events = 0;
        QElapsedTimer clock;
        QObject::connect(window.streams(), &StreamSet::healthChanged, &window, [&](int id) {
            const Stream *stream = window.streams()->stream(id);
            if (stream && stream->health().state == HealthState::Open) {
                opened.insert(id);
                if (opened.size() == streams && allOpenMs < 0) {
                    allOpenMs = clock.elapsed();
                }
            }
        });
        QObject::connect(
            window.streams(), &StreamSet::eventArrived, &window, [&](const StreamEvent &event) {
                if (event.kind == StreamEvent::Kind::Event
                    || event.kind == StreamEvent::Kind::Message) {
                    ++events;
                }
            });
        clock.start();
        for (int i = 0; i < streams; ++i) {
            StreamConfig config;
            const bool sse = i % 2 == 0;
            const int n = i / 2;
            config.name = QStringLiteral("%1 %2")
                              .arg(sse ? QStringLiteral("sse") : QStringLiteral("ws"))
                              .arg(n + 1);
            config.url = sse ? sseUrls.at(n % sseUrls.size()) : wsUrls.at(n % wsUrls.size());
            window.addStream(config);
        }
        const qint64 addedMs = clock.elapsed();
        QElapsedTimer wait;
        wait.start();
        while (allOpenMs < 0 && wait.elapsed() < 180000) {
            runFor(50);
        }
        openCount = int(opened.size());
        runFor(2000); // let start-up settle
        threadsOpen = statusKiB("Threads");
        rssOpen = statusKiB("VmRSS");
        std::fprintf(stderr, "added in %lld ms, %d/%d open after %lld ms\n", addedMs, openCount,
            streams, allOpenMs);

        const auto measure = [&](double windowRate, bool countTimers) {
            child.write(QByteArray("rate ") + QByteArray::number(windowRate) + '\n');
            runFor(3000);
            const QMap<int, ThreadTicks> before = threadTicks();
            const quint64 eventsBefore = events;
            timers.counting = countTimers;
            QElapsedTimer span;
            span.start();
            runFor(seconds * 1000);
            timers.counting = false;
            const double wallS = double(span.elapsed()) / 1000.0;
            const QMap<int, ThreadTicks> after = threadTicks();
            const double tick = double(sysconf(_SC_CLK_TCK));
            CpuWindow cpu;
            for (auto it = after.cbegin(); it != after.cend(); ++it) {
                const double used
                    = double(it->ticks - before.value(it.key()).ticks) / tick / wallS * 100.0;
                cpu.processPercent += used;
                if (it.key() == getpid()) {
                    cpu.mainPercent += used;
                } else if (it->name.startsWith("QNetworkAccess")) {
                    cpu.networkPercent += used;
                } else {
                    cpu.otherPercent += used;
                }
            }
            cpu.events = events - eventsBefore;
            return cpu;
        };
        qApp->installEventFilter(&timers);
        loaded = measure(rate, false);
        namesLoaded = threadNames(threadTicks());
        rssLoaded = statusKiB("VmRSS");
        idle = measure(0, true);
        rssIdle = statusKiB("VmRSS");
        hwm = statusKiB("VmHWM");
        qApp->removeEventFilter(&timers);
        window.setModified(false); // no save prompt
    }
    child.closeWriteChannel();
    if (!child.waitForFinished(5000)) {
        child.kill();
        child.waitForFinished(5000);
    }

    std::printf("| Figure | Value |\n|---|---|\n");
    std::printf("| Streams | %d SSE over %d origin(s) + %d WebSocket over %d origin(s) |\n",
        sseCount, origins, wsCount, origins);
    std::printf("| Open | %d of %d |\n", openCount, streams);
    std::printf("| Start to all open | %lld ms |\n", allOpenMs);
    std::printf("| Threads (client; servers in a child process) | %lld before the window, %lld "
                "with all open |\n",
        threadsBefore, threadsOpen);
    std::printf("| Threads by name | %s |\n", qPrintable(namesLoaded));
    std::printf(
        "| RSS all open / after the loaded window / after idle | %.1f / %.1f / %.1f MiB |\n",
        double(rssOpen) / 1024.0, double(rssLoaded) / 1024.0, double(rssIdle) / 1024.0);
    std::printf("| Peak RSS (VmHWM) | %.1f MiB |\n", double(hwm) / 1024.0);
    const auto printCpu = [seconds](const char *what, const CpuWindow &cpu) {
        std::printf("| CPU at %s (%d s, %.0f events/s arrived) | %.1f%% of a core (UI thread "
                    "%.1f, network threads %.1f, others %.1f) |\n",
            what, seconds, double(cpu.events) / seconds, cpu.processPercent, cpu.mainPercent,
            cpu.networkPercent, cpu.otherPercent);
    };
    printCpu(qPrintable(QStringLiteral("%1 events/s").arg(rate)), loaded);
    printCpu("0 events/s", idle);
    QList<QPair<quint64, QByteArray>> byCount;
    for (auto it = timers.byClass.cbegin(); it != timers.byClass.cend(); ++it) {
        byCount.append({it.value(), it.key()});
    }
    std::sort(byCount.begin(), byCount.end(), std::greater<>());
    QStringList top;
    for (qsizetype i = 0; i < std::min<qsizetype>(6, byCount.size()); ++i) {
        top.append(QStringLiteral("%1 %2/s")
                       .arg(QString::fromLatin1(byCount.at(i).second))
                       .arg(double(byCount.at(i).first) / seconds, 0, 'f', 0));
    }
    std::printf("| UI-thread timer events at idle | %.0f/s: %s |\n", double(timers.total) / seconds,
        qPrintable(top.join(QStringLiteral(", "))));
    return 0;
}
