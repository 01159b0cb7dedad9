// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamhealth.h"

#include <QTest>

using namespace streamscope;

Q_DECLARE_METATYPE(streamscope::HealthState)

class TestHealthTracker : public QObject
{
    Q_OBJECT

private slots:
    void timeline_data();
    void timeline();
    void rates_data();
    void rates();
    void totalsAndSideFigures();
    void stateNames();
    void tlsWarningOutlivesStates();
    void extensionsLastForTheConnection_data();
    void extensionsLastForTheConnection();
    void protocolOfTheLastOpen_data();
    void protocolOfTheLastOpen();
    void fellBehindCountsOverTheStreamsLife();
};

namespace {

constexpr qint64 s_base = 1'700'000'000'000; // a realistic epoch time, whole second

// Plays a script such as "0 connect 1; 100 open; 600 event; 900 reconnect 1200" (times in ms
// after s_base) into the tracker.
void play(HealthTracker &tracker, const QString &script)
{
    const QStringList steps = script.split(QLatin1Char(';'), Qt::SkipEmptyParts);
    for (const QString &step : steps) {
        const QStringList words = step.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QVERIFY2(words.size() >= 2, qPrintable(step));
        const qint64 at = s_base + words.at(0).toLongLong();
        const QString &action = words.at(1);
        const QString rest = words.mid(2).join(QLatin1Char(' '));
        if (action == QLatin1String("connect")) {
            tracker.connecting(at, rest.toInt());
        } else if (action == QLatin1String("open")) {
            tracker.opened(at, rest); // "open permessage-deflate": with the extensions in use
        } else if (action == QLatin1String("open-sse")) {
            tracker.opened(at, {}, rest.toUtf8()); // "open-sse HTTP/2": over that protocol
        } else if (action == QLatin1String("behind")) {
            tracker.fellBehind(at, rest);
        } else if (action == QLatin1String("event")) {
            tracker.eventArrived(at, rest.toUtf8());
        } else if (action == QLatin1String("events")) {
            // "events N EVERY": N events, EVERY ms apart, from this time on
            const QStringList args = words.mid(2);
            for (int i = 0; i < args.at(0).toInt(); ++i) {
                tracker.eventArrived(at + qint64(i) * args.at(1).toInt());
            }
        } else if (action == QLatin1String("error")) {
            tracker.failed(at, rest);
        } else if (action == QLatin1String("reconnect")) {
            tracker.reconnectScheduled(at, rest.toInt());
        } else if (action == QLatin1String("fatal")) {
            tracker.stoppedFatally(at, rest);
        } else if (action == QLatin1String("disconnect")) {
            tracker.disconnected(at);
        } else {
            QFAIL(qPrintable(QStringLiteral("unknown step: ") + step));
        }
    }
}

} // namespace

void TestHealthTracker::timeline_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<int>("idleTimeoutMs");
    QTest::addColumn<qint64>("at"); // ms after s_base
    QTest::addColumn<HealthState>("state");
    QTest::addColumn<qint64>("since"); // ms after s_base
    QTest::addColumn<qint64>("nextAttemptAt"); // ms after s_base; -1: none (0)
    QTest::addColumn<int>("reconnects");
    QTest::addColumn<QString>("lastError");

    const auto none = qint64(-1);
    QTest::newRow("new") << "" << 0 << qint64(0) << HealthState::Disconnected << qint64(-s_base)
                         << none << 0 << QString();
    QTest::newRow("connecting") << "0 connect 1" << 0 << qint64(50) << HealthState::Connecting
                                << qint64(0) << none << 0 << QString();
    QTest::newRow("open") << "0 connect 1; 100 open" << 0 << qint64(200) << HealthState::Open
                          << qint64(100) << none << 0 << QString();
    QTest::newRow("open, quiet, no pace yet")
        << "0 connect 1; 100 open" << 0 << qint64(10100) << HealthState::Open << qint64(100) << none
        << 0 << QString();
    QTest::newRow("never a word: stale after 5 x 2 s")
        << "0 connect 1; 100 open" << 0 << qint64(10101) << HealthState::Stale << qint64(10100)
        << none << 0 << QString();
    QTest::newRow("500 ms pace, 2.4 s silent")
        << "0 connect 1; 100 open; 1000 events 9 500" << 0 << qint64(5000 + 2400)
        << HealthState::Open << qint64(100) << none << 0 << QString();
    QTest::newRow("500 ms pace, 2.6 s silent: stale")
        << "0 connect 1; 100 open; 1000 events 9 500" << 0 << qint64(5000 + 2600)
        << HealthState::Stale << qint64(5000 + 2500) << none << 0 << QString();
    QTest::newRow("100 ms pace: at least 2 s")
        << "0 connect 1; 100 open; 1000 events 20 100" << 0 << qint64(2900 + 2001)
        << HealthState::Stale << qint64(2900 + 2000) << none << 0 << QString();
    QTest::newRow("100 ms pace, 1.9 s silent")
        << "0 connect 1; 100 open; 1000 events 20 100" << 0 << qint64(2900 + 1900)
        << HealthState::Open << qint64(100) << none << 0 << QString();
    QTest::newRow("idle timeout is shorter")
        << "0 connect 1; 100 open; 1000 events 9 500" << 1000 << qint64(5000 + 1001)
        << HealthState::Stale << qint64(5000 + 1000) << none << 0 << QString();
    QTest::newRow("idle timeout not reached")
        << "0 connect 1; 100 open; 1000 events 9 500" << 1000 << qint64(5000 + 999)
        << HealthState::Open << qint64(100) << none << 0 << QString();
    QTest::newRow("event ends stale")
        << "0 connect 1; 100 open; 1000 events 9 500; 9000 event" << 0 << qint64(9001)
        << HealthState::Open << qint64(100) << none << 0 << QString();
    QTest::newRow("reconnecting countdown")
        << "0 connect 1; 100 open; 300 error connection refused; 300 reconnect 1200" << 0
        << qint64(500) << HealthState::Reconnecting << qint64(300) << qint64(1500) << 1
        << "connection refused";
    QTest::newRow("second reconnect")
        << "0 connect 1; 10 error a; 10 reconnect 1000; 1010 connect 2; 1020 error b; "
           "1020 reconnect 2000"
        << 0 << qint64(1500) << HealthState::Reconnecting << qint64(1020) << qint64(3020) << 2
        << "b";
    QTest::newRow("back to open")
        << "0 connect 1; 10 open; 20 error gone; 20 reconnect 1000; 1020 connect 2; 1030 open" << 0
        << qint64(1040) << HealthState::Open << qint64(1030) << none << 1 << "gone";
    QTest::newRow("downtime is not the pace")
        << "0 connect 1; 0 open; 100 events 10 100; 1000 reconnect 10; 60000 connect 2; "
           "60000 open; 60100 event"
        << 0 << qint64(60100 + 2001) << HealthState::Stale << qint64(60100 + 2000) << none << 1
        << QString();
    QTest::newRow("failed") << "0 connect 1; 50 error 401 Unauthorized; 50 fatal 401 Unauthorized"
                            << 0 << qint64(100) << HealthState::Failed << qint64(50) << none << 0
                            << "401 Unauthorized";
    QTest::newRow("failed keeps the error when no reason")
        << "0 connect 1; 50 error expected text/event-stream, got text/html; 50 fatal" << 0
        << qint64(100) << HealthState::Failed << qint64(50) << none << 0
        << "expected text/event-stream, got text/html";
    QTest::newRow("disconnected by the user")
        << "0 connect 1; 10 open; 500 disconnect" << 0 << qint64(600) << HealthState::Disconnected
        << qint64(500) << none << 0 << QString();
}

void TestHealthTracker::timeline()
{
    QFETCH(QString, script);
    QFETCH(int, idleTimeoutMs);
    QFETCH(qint64, at);
    QFETCH(HealthState, state);
    QFETCH(qint64, since);
    QFETCH(qint64, nextAttemptAt);
    QFETCH(int, reconnects);
    QFETCH(QString, lastError);
    HealthTracker tracker;
    tracker.setIdleTimeout(idleTimeoutMs);
    play(tracker, script);
    const StreamHealth health = tracker.snapshot(s_base + at);
    QCOMPARE(health.state, state);
    QCOMPARE(health.stateSinceMs, s_base + since);
    QCOMPARE(health.nextAttemptAtMs, nextAttemptAt < 0 ? 0 : s_base + nextAttemptAt);
    QCOMPARE(health.reconnects, reconnects);
    QCOMPARE(health.lastError, lastError);
    if (state == HealthState::Open || state == HealthState::Stale) {
        QVERIFY(health.openSinceMs > 0);
    } else {
        QCOMPARE(health.openSinceMs, qint64(0));
    }
}

void TestHealthTracker::rates_data()
{
    QTest::addColumn<qint64>("start"); // first event, ms after s_base
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("everyMs");
    QTest::addColumn<qint64>("at");
    QTest::addColumn<double>("eventsPerSecond");
    QTest::newRow("steady 10/s") << qint64(0) << 100 << 100 << qint64(10000) << 10.0;
    QTest::newRow("steady, mid-second") << qint64(0) << 100 << 100 << qint64(10500) << 10.0;
    QTest::newRow("stopped 2 s ago") << qint64(0) << 100 << 100 << qint64(12000) << 6.0;
    QTest::newRow("stopped long ago") << qint64(0) << 100 << 100 << qint64(60000) << 0.0;
    QTest::newRow("young stream") << qint64(1000) << 20 << 100 << qint64(3000) << 10.0;
    QTest::newRow("current second not counted") << qint64(0) << 5 << 100 << qint64(900) << 0.0;
    QTest::newRow("bursty 50/s") << qint64(0) << 500 << 20 << qint64(10000) << 50.0;
}

void TestHealthTracker::rates()
{
    QFETCH(qint64, start);
    QFETCH(int, count);
    QFETCH(int, everyMs);
    QFETCH(qint64, at);
    QFETCH(double, eventsPerSecond);
    HealthTracker tracker;
    tracker.connecting(s_base, 1);
    tracker.opened(s_base);
    for (int i = 0; i < count; ++i) {
        const qint64 t = s_base + start + qint64(i) * everyMs;
        tracker.received(t, 100);
        tracker.eventArrived(t);
    }
    const StreamHealth health = tracker.snapshot(s_base + at);
    QCOMPARE(health.eventsPerSecond, eventsPerSecond);
    QCOMPARE(health.bytesPerSecond, eventsPerSecond * 100);
    QCOMPARE(health.events, quint64(count));
    QCOMPARE(health.bytes, quint64(count) * 100);
}

void TestHealthTracker::totalsAndSideFigures()
{
    HealthTracker tracker;
    QCOMPARE(tracker.snapshot(s_base).serverRetryMs, -1);
    QCOMPARE(tracker.snapshot(s_base).roundTripMs, -1);
    tracker.connecting(s_base, 1);
    tracker.opened(s_base + 5);
    tracker.received(s_base + 10, 64);
    tracker.eventArrived(s_base + 10, "41");
    tracker.eventArrived(s_base + 20); // no id: the last one stays
    tracker.retryApplied(3000);
    tracker.roundTripMeasured(12);
    tracker.droppedTotal(7);
    const StreamHealth health = tracker.snapshot(s_base + 30);
    QCOMPARE(health.events, quint64(2));
    QCOMPARE(health.bytes, quint64(64));
    QCOMPARE(health.lastEventAtMs, s_base + 20);
    QCOMPARE(health.lastEventId, QByteArray("41"));
    QCOMPARE(health.serverRetryMs, 3000);
    QCOMPARE(health.roundTripMs, 12);
    QCOMPARE(health.dropped, quint64(7));
    QCOMPARE(health.attempt, 1);
    QCOMPARE(health.openSinceMs, s_base + 5);
}

void TestHealthTracker::tlsWarningOutlivesStates()
{
    HealthTracker tracker;
    QCOMPARE(tracker.snapshot(s_base).tlsWarning, QString());
    tracker.connecting(s_base, 1);
    tracker.tlsWarned(QStringLiteral("certificate for h is not trusted"));
    tracker.opened(s_base + 5);
    tracker.failed(s_base + 10, QStringLiteral("connection reset"));
    tracker.reconnectScheduled(s_base + 10, 100);
    tracker.connecting(s_base + 110, 2);
    tracker.opened(s_base + 120);
    // About the settings and the certificate, not one attempt: it stays, beside the last error.
    const StreamHealth health = tracker.snapshot(s_base + 130);
    QCOMPARE(health.tlsWarning, QStringLiteral("certificate for h is not trusted"));
    QCOMPARE(health.lastError, QStringLiteral("connection reset"));
    tracker.tlsWarned(QString());
    QCOMPARE(tracker.snapshot(s_base + 140).tlsWarning, QString());
}

void TestHealthTracker::extensionsLastForTheConnection_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QString>("extensions");
    QTest::newRow("new") << "" << QString();
    QTest::newRow("open without") << "0 connect 1; 10 open" << QString();
    QTest::newRow("open with") << "0 connect 1; 10 open permessage-deflate"
                               << "permessage-deflate";
    QTest::newRow("through events and errors")
        << "0 connect 1; 10 open permessage-deflate; 20 event; 30 error slow"
        << "permessage-deflate";
    QTest::newRow("dropped, reconnecting")
        << "0 connect 1; 10 open permessage-deflate; 20 reconnect 100" << QString();
    QTest::newRow("reconnected without")
        << "0 connect 1; 10 open permessage-deflate; 20 reconnect 100; 120 connect 2; 130 open"
        << QString();
    QTest::newRow("reconnected with")
        << "0 connect 1; 10 open; 20 reconnect 100; 120 connect 2; 130 open permessage-deflate"
        << "permessage-deflate";
    QTest::newRow("connecting again at once")
        << "0 connect 1; 10 open permessage-deflate; 20 connect 2" << QString();
    QTest::newRow("disconnected") << "0 connect 1; 10 open permessage-deflate; 20 disconnect"
                                  << QString();
    QTest::newRow("failed") << "0 connect 1; 10 open permessage-deflate; 20 fatal gave up"
                            << QString();
}

// They describe one connection: shown while it is open, gone when it ends.
void TestHealthTracker::extensionsLastForTheConnection()
{
    QFETCH(QString, script);
    QFETCH(QString, extensions);
    HealthTracker tracker;
    play(tracker, script);
    QCOMPARE(tracker.snapshot(s_base + 200).extensions, extensions);
}

void TestHealthTracker::protocolOfTheLastOpen_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QByteArray>("protocol");
    QTest::addColumn<int>("timesFellBehind");
    QTest::newRow("new") << "" << QByteArray() << 0;
    QTest::newRow("connecting, never open") << "0 connect 1; 10 error refused" << QByteArray() << 0;
    QTest::newRow("HTTP/1.1") << "0 connect 1; 10 open-sse HTTP/1.1" << QByteArray("HTTP/1.1") << 0;
    QTest::newRow("HTTP/2") << "0 connect 1; 10 open-sse HTTP/2" << QByteArray("HTTP/2") << 0;
    // Unlike extensions: what the last connection spoke, until another one opens.
    QTest::newRow("kept while reconnecting")
        << "0 connect 1; 10 open-sse HTTP/2; 20 reconnect 100; 120 connect 2"
        << QByteArray("HTTP/2") << 0;
    QTest::newRow("kept when disconnected")
        << "0 connect 1; 10 open-sse HTTP/1.1; 20 disconnect" << QByteArray("HTTP/1.1") << 0;
    QTest::newRow("fell behind, back over HTTP/1.1")
        << "0 connect 1; 10 open-sse HTTP/2; 20 behind slow; 20 reconnect 0; 20 connect 2; "
           "30 open-sse HTTP/1.1"
        << QByteArray("HTTP/1.1") << 1;
    QTest::newRow("now a WebSocket") << "0 connect 1; 10 open-sse HTTP/2; 20 disconnect; "
                                        "30 connect 1; 40 open permessage-deflate"
                                     << QByteArray() << 0;
}

void TestHealthTracker::protocolOfTheLastOpen()
{
    QFETCH(QString, script);
    QFETCH(QByteArray, protocol);
    QFETCH(int, timesFellBehind);
    HealthTracker tracker;
    play(tracker, script);
    QCOMPARE(tracker.snapshot(s_base + 200).protocol, protocol);
    QCOMPARE(tracker.snapshot(s_base + 200).timesFellBehind, timesFellBehind);
}

void TestHealthTracker::fellBehindCountsOverTheStreamsLife()
{
    HealthTracker tracker;
    QCOMPARE(tracker.snapshot(s_base).timesFellBehind, 0);
    QCOMPARE(tracker.snapshot(s_base).fellBehindMessage, QString());
    tracker.connecting(s_base, 1);
    tracker.opened(s_base + 10, {}, "HTTP/2");
    tracker.fellBehind(s_base + 20, QStringLiteral("first"));
    // Not a failure, and the state is the reconnect's to set.
    QCOMPARE(tracker.snapshot(s_base + 20).state, HealthState::Open);
    QCOMPARE(tracker.snapshot(s_base + 20).lastError, QString());
    tracker.reconnectScheduled(s_base + 20, 0);
    tracker.connecting(s_base + 20, 2);
    tracker.opened(s_base + 30, {}, "HTTP/2");
    tracker.fellBehind(s_base + 40, QStringLiteral("second"));
    tracker.disconnected(s_base + 50);
    tracker.connecting(s_base + 60, 1); // connected again by the user: a new client, same count
    const StreamHealth health = tracker.snapshot(s_base + 70);
    QCOMPARE(health.timesFellBehind, 2);
    QCOMPARE(health.fellBehindMessage, QStringLiteral("second"));
    QCOMPARE(health.fellBehindAtMs, s_base + 40);
    QCOMPARE(health.reconnects, 1);
}

void TestHealthTracker::stateNames()
{
    QCOMPARE(healthStateName(HealthState::Disconnected), QStringLiteral("disconnected"));
    QCOMPARE(healthStateName(HealthState::Connecting), QStringLiteral("connecting"));
    QCOMPARE(healthStateName(HealthState::Open), QStringLiteral("open"));
    QCOMPARE(healthStateName(HealthState::Stale), QStringLiteral("stale"));
    QCOMPARE(healthStateName(HealthState::Reconnecting), QStringLiteral("reconnecting"));
    QCOMPARE(healthStateName(HealthState::Failed), QStringLiteral("failed"));
}

QTEST_APPLESS_MAIN(TestHealthTracker)
#include "tst_healthtracker.moc"
