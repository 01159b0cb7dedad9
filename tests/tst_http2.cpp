// SPDX-License-Identifier: GPL-3.0-or-later
// SSE over HTTP/2 as users meet it: node's http2 module (TLS by ALPN, and h2c), nginx as an
// HTTP/2 proxy in front of the demo feed, and servers that misbehave. Each case checks what
// the stream says and that the server saw what it should (connections, requests).
#include "connectionpool.h"
#include "demofeed.h"
#include "eventsource.h"
#include "eventsourcerecorder.h"
#include "nginxserver.h"
#include "nodeh2server.h"
#include "ssetestserver.h"
#include "stream.h"
#include "streamset.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <memory>
#include <vector>

using namespace streamscope;

Q_DECLARE_METATYPE(streamscope::Http2Mode)

namespace {

EventSourceSettings settingsFor(const NodeH2Server &server, const QString &path)
{
    EventSourceSettings settings = quickSettings(server.url(path));
    settings.caCertificatesFile = server.caFile();
    return settings;
}

StreamConfig streamFor(const NodeH2Server &server, const QString &path, const QString &name)
{
    StreamConfig config;
    config.name = name;
    config.url = server.url(path);
    config.caCertificatesFile = server.caFile();
    return config;
}

// The numbers of the events' ids, in order.
QList<int> ids(const EventSourceRecorder &record)
{
    QList<int> list;
    for (qsizetype i = 0; i < record.events.size(); ++i) {
        list.append(record.event(i).lastEventId.toInt());
    }
    return list;
}

bool consecutive(const QList<int> &list)
{
    for (qsizetype i = 1; i < list.size(); ++i) {
        if (list.at(i) != list.at(i - 1) + 1) {
            return false;
        }
    }
    return true;
}

} // namespace

class TestHttp2 : public QObject
{
    Q_OBJECT
private slots:
    void protocolShown_data();
    void protocolShown();
    void refusalWithoutReasonPhrase();
    void priorKnowledgeAgainstHttp1Says();
    void brokenServersTimeOut_data();
    void brokenServersTimeOut();
    void manyStreamsShareOneConnection();
    void goawayReconnectsSpreadAndResumes();
    void resetStreamLeavesOthers();
    void heldBackStreamSaysWaiting();
    void heldBackStreamInTheDashboard();
    void slowConsumerFallsBackToHttp1();
    void fallbackRefusedStaysOnHttp2();
    void oneShotFallingBehindIsInterrupted();
    void cliStalledReaderFallsBack();
    void throughNginxToTheDemoFeed();
};

void TestHttp2::protocolShown_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<bool>("allowHttp1");
    QTest::addColumn<Http2Mode>("mode");
    QTest::addColumn<QByteArray>("protocol");
    QTest::newRow("TLS, auto: HTTP/2 by ALPN")
        << true << true << Http2Mode::Auto << QByteArray("HTTP/2");
    QTest::newRow("TLS, off") << true << true << Http2Mode::Off << QByteArray("HTTP/1.1");
    QTest::newRow("TLS, prior knowledge")
        << true << false << Http2Mode::PriorKnowledge << QByteArray("HTTP/2");
    QTest::newRow("h2c, prior knowledge")
        << false << false << Http2Mode::PriorKnowledge << QByteArray("HTTP/2");
}

void TestHttp2::protocolShown()
{
    QFETCH(bool, tls);
    QFETCH(bool, allowHttp1);
    QFETCH(Http2Mode, mode);
    QFETCH(QByteArray, protocol);
    NodeH2ServerOptions options;
    options.tls = tls;
    options.allowHttp1 = allowHttp1;
    NodeH2Server server(options);
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    ConnectionPool pool;
    EventSource source(nullptr);
    source.setConnectionPool(&pool);
    EventSourceRecorder record(&source);
    EventSourceSettings settings
        = settingsFor(server, QStringLiteral("/events?interval=20&count=3"));
    settings.http2 = mode;
    source.open(settings);
    QTRY_VERIFY2_WITH_TIMEOUT(record.events.size() >= 3, qPrintable(record.allErrors()), 20000);
    QCOMPARE(source.protocol(), protocol);
    QCOMPARE(ids(record).mid(0, 3), (QList<int>{1, 2, 3}));
}

void TestHttp2::refusalWithoutReasonPhrase()
{
    NodeH2Server server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    ConnectionPool pool;
    EventSource source(nullptr);
    source.setConnectionPool(&pool);
    EventSourceRecorder record(&source);
    source.open(settingsFor(server, QStringLiteral("/status?code=401&body=invalid%20api%20key")));
    QTRY_COMPARE_WITH_TIMEOUT(record.closes.size(), 1, 20000);
    QCOMPARE(record.closeReason(), EventSource::CloseReason::Fatal);
    QCOMPARE(record.error(0), QStringLiteral("HTTP 401: invalid api key"));
    QCOMPARE(record.errorStatus(0), 401);
    QCOMPARE(source.protocol(), QByteArray("HTTP/2"));
}

// An HTTP/1.1 server reads the HTTP/2 preface as a bad request: the error says what to change.
void TestHttp2::priorKnowledgeAgainstHttp1Says()
{
    SseTestServer server;
    server.setHandler(
        [](const SseTestRequest &, int) { return SseTestResponse::stream({"data: x\n\n"}); });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.http2 = Http2Mode::PriorKnowledge;
    settings.responseTimeoutMs = 3000;
    source.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(!record.errors.isEmpty(), 20000);
    QVERIFY2(record.error(0).contains(QLatin1String("set http2 to auto or off")),
        qPrintable(record.allErrors()));
    QCOMPARE(record.events.size(), 0);
    QTRY_VERIFY(!record.reconnects.isEmpty()); // not a hang: it tries again, saying why
    source.close();
}

void TestHttp2::brokenServersTimeOut_data()
{
    QTest::addColumn<NodeH2ServerOptions::Mode>("mode");
    QTest::newRow("h2 agreed, then HTTP/1.1 bytes") << NodeH2ServerOptions::Mode::Garbage;
    QTest::newRow("h2 agreed, then no SETTINGS, nothing") << NodeH2ServerOptions::Mode::Silent;
}

// Qt waits for ever on both: the response timeout ends the attempt with the reason.
void TestHttp2::brokenServersTimeOut()
{
    QFETCH(NodeH2ServerOptions::Mode, mode);
    NodeH2ServerOptions options;
    options.mode = mode;
    NodeH2Server server(options);
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    ConnectionPool pool;
    EventSource source(nullptr);
    source.setConnectionPool(&pool);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = settingsFor(server, QStringLiteral("/events"));
    settings.responseTimeoutMs = 1500;
    source.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(!record.errors.isEmpty(), 30000);
    QCOMPARE(record.error(0),
        QStringLiteral("no response within 1500 ms (the server agreed to HTTP/2 but sent "
                       "nothing readable as HTTP/2)"));
    QTRY_VERIFY(!record.reconnects.isEmpty());
    QCOMPARE(record.closes.size(), 0);
    source.close();
}

void TestHttp2::manyStreamsShareOneConnection()
{
    NodeH2Server server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    StreamSet streams;
    constexpr int count = 50;
    for (int i = 0; i < count; ++i) {
        const int id = streams.add(streamFor(
            server, QStringLiteral("/events?interval=200"), QStringLiteral("s%1").arg(i)));
        streams.stream(id)->connectToServer();
    }
    const auto allOpen = [&] {
        return std::all_of(streams.ids().cbegin(), streams.ids().cend(), [&](int id) {
            const StreamHealth health = streams.stream(id)->health();
            return health.events > 0 && health.protocol == "HTTP/2";
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(allOpen(), 30000);
    QCOMPARE(server.streams(), count);
    QCOMPARE(server.sessions(), 1);
}

void TestHttp2::goawayReconnectsSpreadAndResumes()
{
    NodeH2Server server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    ConnectionPool pool;
    constexpr int count = 50;
    std::vector<std::unique_ptr<EventSource>> sources;
    std::vector<std::unique_ptr<EventSourceRecorder>> records;
    std::vector<qint64> reconnectAt(count, -1);
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < count; ++i) {
        sources.push_back(std::make_unique<EventSource>(nullptr));
        sources.back()->setConnectionPool(&pool);
        records.push_back(std::make_unique<EventSourceRecorder>(sources.back().get()));
        connect(sources.back().get(), &EventSource::connecting, this, [&, i](int attempt) {
            if (attempt == 2) {
                reconnectAt[size_t(i)] = clock.elapsed();
            }
        });
        EventSourceSettings settings = settingsFor(server, QStringLiteral("/events?interval=100"));
        settings.initialDelayMs = 1000; // a storm would reconnect all at once: they spread
        sources.back()->open(settings);
    }
    const auto everyone = [&](auto &&predicate) {
        return std::all_of(records.cbegin(), records.cend(),
            [&](const std::unique_ptr<EventSourceRecorder> &record) { return predicate(*record); });
    };
    QTRY_VERIFY_WITH_TIMEOUT(
        everyone([](const EventSourceRecorder &r) { return r.events.size() >= 3; }), 30000);
    QCOMPARE(server.sessions(), 1);

    server.sendCommand("goaway");
    QTRY_VERIFY_WITH_TIMEOUT(everyone([](const EventSourceRecorder &r) {
        return r.opens.size() >= 2 && ids(r).size() >= 2 && ids(r).last() > ids(r).first() + 5;
    }),
        60000);
    const auto [first, last] = std::minmax_element(reconnectAt.cbegin(), reconnectAt.cend());
    qInfo("50 streams after GOAWAY: reconnects spread over %lld ms", qlonglong(*last - *first));
    QVERIFY(*first >= 0);
    // Jittered over [d/2, d] with d = 1 s: 50 draws within 100 ms of each other is a storm.
    QVERIFY(*last - *first >= 100);
    for (const auto &record : records) {
        QVERIFY2(consecutive(ids(*record)), "resumed with Last-Event-ID: no gap, no repeat");
    }
    // One new connection for all: reconnects do not wait on the one going away.
    QCOMPARE(server.sessions(), 2);
}

void TestHttp2::resetStreamLeavesOthers()
{
    NodeH2Server server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    ConnectionPool pool;
    EventSource steady(nullptr);
    EventSource reset(nullptr);
    steady.setConnectionPool(&pool);
    reset.setConnectionPool(&pool);
    EventSourceRecorder steadyRecord(&steady);
    EventSourceRecorder resetRecord(&reset);
    steady.open(settingsFor(server, QStringLiteral("/events?interval=50")));
    QTRY_VERIFY_WITH_TIMEOUT(steadyRecord.events.size() >= 1, 20000);
    reset.open(settingsFor(server, QStringLiteral("/rst?after=2")));
    QTRY_VERIFY_WITH_TIMEOUT(!resetRecord.errors.isEmpty(), 20000);
    QVERIFY2(!resetRecord.error(0).isEmpty(), "the reset is reported in words");
    QTRY_VERIFY(!resetRecord.reconnects.isEmpty());
    const qsizetype before = steadyRecord.events.size();
    QTRY_VERIFY_WITH_TIMEOUT(steadyRecord.events.size() >= before + 5, 20000);
    QCOMPARE(steadyRecord.errors.size(), 0);
    QCOMPARE(steadyRecord.connects.size(), 1);
    QVERIFY(consecutive(ids(steadyRecord)));
}

void TestHttp2::heldBackStreamSaysWaiting()
{
    NodeH2ServerOptions options;
    options.maxConcurrent = 2;
    NodeH2Server server(options);
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    ConnectionPool pool;
    std::vector<std::unique_ptr<EventSource>> sources;
    for (int i = 0; i < 2; ++i) {
        sources.push_back(std::make_unique<EventSource>(nullptr));
        sources.back()->setConnectionPool(&pool);
        sources.back()->open(settingsFor(server, QStringLiteral("/hold")));
        QTRY_COMPARE_WITH_TIMEOUT(sources.back()->state(), EventSource::State::Open, 20000);
    }
    EventSource third(nullptr);
    third.setConnectionPool(&pool);
    EventSourceRecorder record(&third);
    EventSourceSettings settings = settingsFor(server, QStringLiteral("/events?interval=50"));
    settings.responseTimeoutMs = 1000; // held back is no dead server: this does not apply
    third.open(settings);
    const QString waiting
        = QStringLiteral("waiting: the server allows 2 streams at once on this connection");
    QTRY_COMPARE_WITH_TIMEOUT(third.waitingFor(), waiting, 20000);
    QTest::qWait(1500);
    QCOMPARE(record.errors.size(), 0);
    sources.front()->close();
    QTRY_VERIFY_WITH_TIMEOUT(record.events.size() >= 1, 20000);
    QVERIFY(third.waitingFor().isEmpty());
    QCOMPARE(server.sessions(), 1);
}

// What the dashboard shows for it: the state says why, not "stale".
void TestHttp2::heldBackStreamInTheDashboard()
{
    NodeH2ServerOptions options;
    options.maxConcurrent = 1;
    NodeH2Server server(options);
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    StreamSet streams;
    const int first = streams.add(streamFor(server, QStringLiteral("/hold"), QStringLiteral("a")));
    streams.stream(first)->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(
        streams.stream(first)->health().protocol, QByteArray("HTTP/2"), 20000);
    const int second = streams.add(
        streamFor(server, QStringLiteral("/events?interval=50"), QStringLiteral("b")));
    QList<StreamEvent> rows;
    connect(streams.stream(second), &Stream::eventArrived, this,
        [&](const StreamEvent &event) { rows.append(event); });
    streams.stream(second)->connectToServer();
    const QString waiting
        = QStringLiteral("waiting: the server allows 1 stream at once on this connection");
    QTRY_COMPARE_WITH_TIMEOUT(streams.stream(second)->health().waitingFor, waiting, 20000);
    QCOMPARE(streams.stream(second)->health().state, HealthState::Connecting);
    QVERIFY(std::any_of(rows.cbegin(), rows.cend(), [&](const StreamEvent &row) {
        return row.type == "waiting" && row.data == waiting.toUtf8();
    }));
    streams.stream(first)->disconnectFromServer();
    QTRY_VERIFY_WITH_TIMEOUT(streams.stream(second)->health().events >= 1, 20000);
    QVERIFY(streams.stream(second)->health().waitingFor.isEmpty());
}

// A consumer slower than the network: over HTTP/2 Qt would buffer without bound, so the
// stream moves to HTTP/1.1, where not reading holds the server back, and resumes.
void TestHttp2::slowConsumerFallsBackToHttp1()
{
    NodeH2ServerOptions options;
    options.allowHttp1 = true;
    NodeH2Server server(options);
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    ConnectionPool pool;
    EventSource source(nullptr);
    source.setConnectionPool(&pool);
    EventSourceRecorder record(&source);
    QSignalSpy behind(&source, &EventSource::fellBehind);
    connect(&source, &EventSource::eventReceived, this, [&] {
        if (behind.isEmpty()) {
            QThread::usleep(500); // the dashboard, swamped
        }
    });
    EventSourceSettings settings = settingsFor(server, QStringLiteral("/firehose?size=200"));
    settings.readBufferBytes = 64 * 1024;
    source.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(!behind.isEmpty(), 60000);
    QCOMPARE(behind.at(0).at(1).toInt(), 1);
    const QString message = behind.at(0).at(0).toString();
    QVERIFY2(message.startsWith(QLatin1String("fell behind over HTTP/2 (")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("reconnecting over HTTP/1.1, resuming after id ")),
        qPrintable(message));
    const qsizetype before = record.events.size();
    QTRY_VERIFY_WITH_TIMEOUT(record.events.size() > before + 1000, 30000);
    QCOMPARE(source.protocol(), QByteArray("HTTP/1.1"));
    QVERIFY2(consecutive(ids(record)), "resumed where it was: nothing lost, nothing twice");
    QCOMPARE(source.timesFellBehind(), 1);
    source.close();
}

// A server that speaks only HTTP/2 refuses the fallback: the stream stays on HTTP/2 and says so.
void TestHttp2::fallbackRefusedStaysOnHttp2()
{
    NodeH2Server server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    ConnectionPool pool;
    EventSource source(nullptr);
    source.setConnectionPool(&pool);
    EventSourceRecorder record(&source);
    QSignalSpy behind(&source, &EventSource::fellBehind);
    source.open(settingsFor(server, QStringLiteral("/events?interval=20")));
    QTRY_VERIFY_WITH_TIMEOUT(record.events.size() >= 3, 20000);
    source.consumerStalled(); // what streamscope-cli does when its stdout is not read
    QTRY_COMPARE_WITH_TIMEOUT(behind.size(), 2, 20000);
    QVERIFY2(behind.at(1).at(0).toString().startsWith(
                 QLatin1String("the server does not take HTTP/1.1 (HTTP 403")),
        qPrintable(behind.at(1).at(0).toString()));
    const qsizetype before = record.events.size();
    QTRY_VERIFY_WITH_TIMEOUT(record.events.size() >= before + 3, 20000);
    QCOMPARE(source.protocol(), QByteArray("HTTP/2"));
    QVERIFY(consecutive(ids(record)));
    QCOMPARE(record.closes.size(), 0);
    source.close();
}

// A one-shot answer cannot be resumed (that would ask again), nor buffered without bound: it ends
// there, interrupted, saying why, and the request is not sent again.
void TestHttp2::oneShotFallingBehindIsInterrupted()
{
    NodeH2Server server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    ConnectionPool pool;
    EventSource source(nullptr);
    source.setConnectionPool(&pool);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = settingsFor(server, QStringLiteral("/events?interval=20"));
    settings.oneShot = true;
    source.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(record.events.size() >= 3, 20000);
    QCOMPARE(source.protocol(), QByteArray("HTTP/2"));
    source.consumerStalled();
    QTRY_COMPARE_WITH_TIMEOUT(record.closes.size(), 1, 20000);
    QCOMPARE(record.closeReason(), EventSource::CloseReason::Interrupted);
    QCOMPARE(record.errors.size(), 1);
    QVERIFY2(record.error(0).startsWith(QLatin1String("fell behind over HTTP/2 (")),
        qPrintable(record.error(0)));
    QCOMPARE(record.connects.size(), 1);
    QCOMPARE(source.timesFellBehind(), 1);
}

// streamscope-cli piped into a reader that stops for a while: Qt would buffer the HTTP/2
// stream meanwhile, so the CLI lets go of it and resumes over HTTP/1.1, saying so.
void TestHttp2::cliStalledReaderFallsBack()
{
    NodeH2ServerOptions options;
    options.allowHttp1 = true;
    NodeH2Server server(options);
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    const QString command
        = QStringLiteral("'%1' sse '%2' --ca-file '%3' --json --max-events 3000 | (sleep 2; cat)")
              .arg(QStringLiteral(STREAMSCOPE_CLI),
                  server.url(QStringLiteral("/firehose?size=200")).toString(), server.caFile());
    QProcess shell;
    shell.start(QStringLiteral("sh"), {QStringLiteral("-c"), command});
    QVERIFY2(shell.waitForFinished(60000), "the CLI went on after the reader did");
    QCOMPARE(shell.exitCode(), 0);
    QList<QJsonObject> records;
    for (const QByteArray &line : shell.readAllStandardOutput().split('\n')) {
        if (!line.isEmpty()) {
            records.append(QJsonDocument::fromJson(line).object());
        }
    }
    QStringList kinds;
    QList<int> seen;
    for (const QJsonObject &record : records) {
        const QString kind = record.value(QLatin1String("kind")).toString();
        if (kind == QLatin1String("event")) {
            seen.append(record.value(QLatin1String("lastEventId")).toString().toInt());
        } else {
            kinds.append(kind == QLatin1String("open")
                    ? kind + QLatin1Char(' ') + record.value(QLatin1String("protocol")).toString()
                    : kind);
        }
    }
    QCOMPARE(kinds.mid(0, 3),
        (QStringList{QStringLiteral("connecting"), QStringLiteral("open HTTP/2"),
            QStringLiteral("behind")}));
    QVERIFY2(kinds.contains(QStringLiteral("open HTTP/1.1")), qPrintable(kinds.join(u',')));
    QCOMPARE(kinds.last(), QStringLiteral("closed"));
    QCOMPARE(seen.size(), 3000);
    QCOMPARE(seen.first(), 1);
    QVERIFY2(consecutive(seen), "resumed after the last id written: nothing lost or repeated");
}

void TestHttp2::throughNginxToTheDemoFeed()
{
    DemoFeed feed;
    QVERIFY2(feed.listen(), qPrintable(feed.errorString()));
    NginxServer nginx(feed.port());
    QString error;
    QVERIFY2(nginx.waitForListening(&error), qPrintable(error));
    StreamSet streams;
    StreamConfig config;
    config.name = QStringLiteral("metrics via nginx");
    config.url = nginx.url(QStringLiteral("/metrics"));
    config.caCertificatesFile = nginx.caFile();
    const int first = streams.add(config);
    config.name = QStringLiteral("logs via nginx");
    config.url = nginx.url(QStringLiteral("/logs"));
    const int second = streams.add(config);
    streams.stream(first)->connectToServer();
    streams.stream(second)->connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(
        streams.stream(first)->health().events >= 3 && streams.stream(second)->health().events >= 1,
        30000);
    QCOMPARE(streams.stream(first)->health().protocol, QByteArray("HTTP/2"));
    QCOMPARE(streams.stream(second)->health().protocol, QByteArray("HTTP/2"));
}

QTEST_GUILESS_MAIN(TestHttp2)
#include "tst_http2.moc"
