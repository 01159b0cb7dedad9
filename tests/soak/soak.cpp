// SPDX-License-Identifier: GPL-3.0-or-later
// Soak under faults (issue 6): an EventSource and a WebSocketClient run for a set time against
// local fault servers (faultserver.h). Checks: the clients always come back; SSE resumed with
// Last-Event-ID loses and duplicates nothing; RSS and open file descriptors stay flat after
// warm-up. Exit status 0 when every check holds, 1 otherwise; a crash is a crash.
// Usage: soak [--seconds N] [--seed S]   (default 600 s)
#include "eventsource.h"
#include "faultserver.h"
#include "websocketclient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace streamscope;

namespace {

// AddressSanitizer's quarantine holds freed memory (up to 256 MiB): RSS grows by design there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool s_addressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool s_addressSanitizer = true;
#else
constexpr bool s_addressSanitizer = false;
#endif
#else
constexpr bool s_addressSanitizer = false;
#endif

// How long the end of a run waits for both clients to be back and caught up.
constexpr qint64 s_settleLimitMs = 20000;

qint64 rssKiB()
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').first().toLongLong();
        }
    }
    return -1;
}

int openFds()
{
    return int(QDir(QStringLiteral("/proc/self/fd"))
                   .entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)
                   .size());
}

struct Sample
{
    qint64 ms;
    qint64 rssKiB;
    int fds;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress lines show as they happen
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
        QStringLiteral("How long to run (default 600)."), QStringLiteral("N"),
        QStringLiteral("600"));
    const QCommandLineOption seedOption(QStringLiteral("seed"),
        QStringLiteral("Random seed of the faults."), QStringLiteral("S"), QStringLiteral("1"));
    parser.addOption(secondsOption);
    parser.addOption(seedOption);
    parser.process(app);
    const int seconds = std::max(5, parser.value(secondsOption).toInt());
    const quint32 seed = parser.value(seedOption).toUInt();
    const qint64 runMs = qint64(seconds) * 1000;
    const qint64 quietMs = 3000; // faults off at the end: both clients must be back by then
    const qint64 warmUpMs = std::min<qint64>(60000, runMs / 5);
    constexpr qint64 maxMessageBytes = 64 * 1024;

    SseFaultServer sseServer(seed);
    WsFaultServer wsServer(seed + 1, maxMessageBytes + 1024);
    if (!sseServer.listen() || !wsServer.listen()) {
        std::printf("soak: cannot listen on 127.0.0.1\n");
        return 1;
    }

    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceSettings sseSettings;
    sseSettings.url = QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(sseServer.port()));
    sseSettings.initialDelayMs = 20;
    sseSettings.maxDelayMs = 1000;
    sseSettings.healthyAfterMs = 500;
    sseSettings.idleTimeoutMs = 1000;

    WebSocketClient client;
    WebSocketSettings wsSettings;
    wsSettings.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(wsServer.port()));
    wsSettings.initialDelayMs = 20;
    wsSettings.maxDelayMs = 1000;
    wsSettings.healthyAfterMs = 500;
    wsSettings.pingIntervalMs = 1000;
    wsSettings.maxMessageBytes = maxMessageBytes;

    QElapsedTimer clock;
    clock.start();
    quint64 sseExpected = 1; // the next id due
    quint64 sseEvents = 0, sseLost = 0, sseDuplicated = 0, sseErrors = 0, sseOpens = 0;
    quint64 wsMessages = 0, wsOutOfOrder = 0, wsErrors = 0, wsOpens = 0;
    quint64 wsExpected = 1;
    qint64 sseLastEventMs = 0, wsLastMessageMs = 0;
    qint64 sseLongestGapMs = 0, wsLongestGapMs = 0;
    bool closedForGood = false;
    bool finished = false; // our own close() at the end is not a failure

    QObject::connect(&source, &EventSource::eventReceived, &source, [&](const SseEvent &event) {
        bool ok = false;
        const quint64 id = event.lastEventId.toULongLong(&ok);
        const qint64 now = clock.elapsed();
        sseLongestGapMs = std::max(sseLongestGapMs, now - sseLastEventMs);
        sseLastEventMs = now;
        ++sseEvents;
        if (!ok || event.data != event.lastEventId) {
            std::printf("soak: SSE event with id '%s' and data '%s'\n",
                event.lastEventId.constData(), event.data.left(40).constData());
            ++sseLost;
            return;
        }
        if (id < sseExpected) {
            ++sseDuplicated;
        } else if (id > sseExpected) {
            sseLost += id - sseExpected;
            std::printf("soak: SSE lost %llu events before id %llu\n", qulonglong(id - sseExpected),
                qulonglong(id));
        }
        sseExpected = std::max(sseExpected, id + 1);
    });
    QObject::connect(&source, &EventSource::opened, &source, [&] { ++sseOpens; });
    QObject::connect(&source, &EventSource::errorOccurred, &source, [&] { ++sseErrors; });
    QObject::connect(&source, &EventSource::closed, &source, [&](EventSource::CloseReason reason) {
        if (!finished) {
            std::printf("soak: EventSource closed for good (%d)\n", int(reason));
            closedForGood = true;
        }
    });
    QObject::connect(&client, &WebSocketClient::opened, &client, [&] {
        ++wsOpens;
        wsExpected = 1; // each connection counts from 1
    });
    QObject::connect(
        &client, &WebSocketClient::textMessageReceived, &client, [&](const QByteArray &message) {
            const qint64 now = clock.elapsed();
            wsLongestGapMs = std::max(wsLongestGapMs, now - wsLastMessageMs);
            wsLastMessageMs = now;
            ++wsMessages;
            if (message.toULongLong() != wsExpected) {
                ++wsOutOfOrder;
            }
            wsExpected = message.toULongLong() + 1;
        });
    QObject::connect(&client, &WebSocketClient::errorOccurred, &client, [&] { ++wsErrors; });
    QObject::connect(&client, &WebSocketClient::closed, &client,
        [&](WebSocketClient::CloseReason reason, int code) {
            if (!finished) {
                std::printf("soak: WebSocketClient closed for good (%d, %d)\n", int(reason), code);
                closedForGood = true;
            }
        });

    // Restarts: both servers go away for 0.3-1.5 s, every 10-30 s.
    std::mt19937 random(seed + 2);
    quint64 restarts = 0;
    QTimer restartTimer;
    restartTimer.setSingleShot(true);
    auto scheduleRestart
        = [&] { restartTimer.start(std::uniform_int_distribution<int>(10000, 30000)(random)); };
    QObject::connect(&restartTimer, &QTimer::timeout, &app, [&] {
        if (clock.elapsed() > runMs - quietMs - 2000) {
            return;
        }
        ++restarts;
        const quint16 ssePort = sseServer.port();
        const quint16 wsPort = wsServer.port();
        sseServer.stop();
        wsServer.stop();
        QTimer::singleShot(
            std::uniform_int_distribution<int>(300, 1500)(random), &app, [&, ssePort, wsPort] {
                if (!sseServer.listen(ssePort) || !wsServer.listen(wsPort)) {
                    std::printf("soak: could not listen again on the same ports\n");
                    closedForGood = true;
                }
                scheduleRestart();
            });
    });
    scheduleRestart();

    QList<Sample> samples;
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, &app, [&] {
        samples.append(Sample{clock.elapsed(), rssKiB(), openFds()});
        const Sample &s = samples.last();
        if (samples.size() % 30 == 0) {
            std::printf(
                "soak: %3llds rss %lld KiB fds %d sse %llu events (%llu lost, %llu dup) ws %llu "
                "messages\n",
                s.ms / 1000, s.rssKiB, s.fds, qulonglong(sseEvents), qulonglong(sseLost),
                qulonglong(sseDuplicated), qulonglong(wsMessages));
        }
    });
    sampler.start(1000);

    QTimer::singleShot(runMs - quietMs, &app, [&] {
        sseServer.setFaultsEnabled(false);
        wsServer.setFaultsEnabled(false);
    });
    // At the end, wait for both clients to be back and caught up instead of reading their state
    // once: how long a reconnect takes depends on the machine's speed, not on the clients. The
    // wait is bounded; a client still not back then fails the run.
    quint64 publishedAtEnd = 0;
    qint64 wsMessagesAtEnd = 0;
    qint64 settleStartMs = 0;
    QTimer settle;
    QObject::connect(&settle, &QTimer::timeout, &app, [&] {
        const bool caughtUp = sseExpected - 1 >= publishedAtEnd
            && source.state() == EventSource::State::Open
            && client.state() == WebSocketClient::State::Open
            && qint64(wsMessages) > wsMessagesAtEnd;
        if (caughtUp || clock.elapsed() > settleStartMs + s_settleLimitMs) {
            app.quit();
        }
    });
    QTimer::singleShot(runMs, &app, [&] {
        publishedAtEnd = sseServer.published();
        wsMessagesAtEnd = qint64(wsMessages);
        settleStartMs = clock.elapsed();
        settle.start(20);
    });

    std::printf("soak: %d s, seed %u, SSE on %d, WebSocket on %d\n", seconds, seed,
        sseServer.port(), wsServer.port());
    source.open(sseSettings);
    client.open(wsSettings);
    app.exec();

    const qint64 endMs = clock.elapsed();
    const bool sseBack
        = source.state() == EventSource::State::Open && endMs - sseLastEventMs < 1000;
    const bool wsBack = client.state() == WebSocketClient::State::Open
        && qint64(wsMessages) > wsMessagesAtEnd && endMs - wsLastMessageMs < 1000;
    // Every event published up to the end of the run arrived.
    const quint64 behind
        = publishedAtEnd > sseExpected - 1 ? publishedAtEnd - (sseExpected - 1) : 0;
    std::printf(
        "soak: both clients back and caught up %lld ms after the end of the run\n", endMs - runMs);
    finished = true;
    source.close();
    client.close();

    // Memory and descriptors: the first sample after warm-up, the peak after it, the end;
    // flat means the last fifth's mean is within 10% + 4 MiB of the first fifth after warm-up.
    auto after = std::find_if(
        samples.cbegin(), samples.cend(), [&](const Sample &s) { return s.ms >= warmUpMs; });
    bool memoryFlat = true, fdsFlat = true;
    qint64 startRss = samples.isEmpty() ? 0 : samples.first().rssKiB;
    qint64 warmRss = 0, peakRss = 0, endRss = 0;
    int warmFds = 0, peakFds = 0, endFds = 0, warmPeakFds = 0;
    if (after != samples.cend()) {
        const QList<Sample> steady(after, samples.cend());
        warmRss = steady.first().rssKiB;
        warmFds = steady.first().fds;
        endRss = steady.last().rssKiB;
        endFds = steady.last().fds;
        for (const Sample &s : steady) {
            peakRss = std::max(peakRss, s.rssKiB);
            peakFds = std::max(peakFds, s.fds);
        }
        for (auto it = samples.cbegin(); it != after; ++it) {
            warmPeakFds = std::max(warmPeakFds, it->fds);
        }
        const qsizetype fifth = std::max<qsizetype>(1, steady.size() / 5);
        auto mean = [&](qsizetype from) {
            qint64 sum = 0;
            for (qsizetype i = from; i < from + fifth; ++i) {
                sum += steady.at(i).rssKiB;
            }
            return sum / fifth;
        };
        const qint64 early = mean(0), late = mean(steady.size() - fifth);
        memoryFlat = late <= early + early / 10 + 4096;
        fdsFlat = peakFds <= std::max(warmPeakFds, warmFds) + 6;
        std::printf(
            "soak: RSS KiB start %lld, after warm-up %lld, peak %lld, end %lld (early mean %lld, "
            "late mean %lld)\n",
            startRss, warmRss, peakRss, endRss, early, late);
        std::printf(
            "soak: open fds after warm-up %d, peak during warm-up %d, peak after %d, end %d\n",
            warmFds, warmPeakFds, peakFds, endFds);
    }

    std::printf("soak: SSE %llu events, %llu opens, %llu errors, longest gap %lld ms, %llu lost, "
                "%llu duplicated, %llu behind at the end\n",
        qulonglong(sseEvents), qulonglong(sseOpens), qulonglong(sseErrors), sseLongestGapMs,
        qulonglong(sseLost), qulonglong(sseDuplicated), qulonglong(behind));
    std::printf(
        "soak: WebSocket %llu messages, %llu opens, %llu errors, longest gap %lld ms, %llu out "
        "of order\n",
        qulonglong(wsMessages), qulonglong(wsOpens), qulonglong(wsErrors), wsLongestGapMs,
        qulonglong(wsOutOfOrder));
    std::printf("soak: faults survived: %llu restarts", qulonglong(restarts));
    for (const FaultCounts *counts : {&sseServer.counts(), &wsServer.counts()}) {
        for (auto it = counts->cbegin(); it != counts->cend(); ++it) {
            std::printf(", %llu %s", qulonglong(it.value()), qPrintable(it.key()));
        }
    }
    std::printf("\n");

    QStringList failures;
    if (closedForGood) {
        failures.append(QStringLiteral("a client closed for good"));
    }
    if (!sseBack) {
        failures.append(QStringLiteral("the EventSource was not back at the end"));
    }
    if (!wsBack) {
        failures.append(QStringLiteral("the WebSocketClient was not back at the end"));
    }
    if (sseLost > 0 || sseDuplicated > 0) {
        failures.append(QStringLiteral("SSE events lost or duplicated"));
    }
    if (behind > 50) { // 100 ms of events at 500/s
        failures.append(QStringLiteral("the EventSource fell %1 events behind").arg(behind));
    }
    if (wsOutOfOrder > 0) {
        failures.append(QStringLiteral("WebSocket messages out of order"));
    }
    if (!memoryFlat && s_addressSanitizer) {
        std::printf("soak: RSS growth not checked under AddressSanitizer\n");
    } else if (!memoryFlat) {
        failures.append(QStringLiteral("RSS grew after warm-up"));
    }
    if (!fdsFlat) {
        failures.append(QStringLiteral("open file descriptors grew after warm-up"));
    }
    std::printf("soak: %s\n",
        failures.isEmpty()
            ? "PASS"
            : qPrintable(QStringLiteral("FAIL: ") + failures.join(QStringLiteral("; "))));
    return failures.isEmpty() ? 0 : 1;
}
