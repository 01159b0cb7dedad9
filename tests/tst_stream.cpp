// SPDX-License-Identifier: GPL-3.0-or-later
#include "demofeed.h"
#include "demollm.h"
#include "mosquittobroker.h"
#include "nodesocketioserver.h"
#include "nodewsserver.h"
#include "ssetestserver.h"
#include "stream.h"
#include "streamset.h"
#include "tlstestserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace streamscope;

class TestStream : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void sseRowsFromDemo();
    void webSocketRowsAndSend();
    void socketIoRowsByEventName();
    void mqttRowsByTopic();
    void mqtt5UserPropertiesInDetails();
    void answerRuns_data();
    void answerRuns();
    void disconnectEndsTheRunningAnswer();
    void webSocketBinaryHeadersAndSubprotocol();
    void webSocketCompression_data();
    void webSocketCompression();
    void serverGoesAwayAndReturns();
    void webSocketServerGoesAwayAndReturns();
    void staleWhenSilent();
    void pauseStopsRowsButCounts();
    void environmentHeaderAtConnect();
    void missingEnvironmentFails();
    void fatalStatusFails();
    void setConfigReconnects();
    void healthChangedIsThrottled();
    void tenStreamsToOneServer();
    void streamSetRemovesFromOwnSignal();
    void disconnectEmitsClosed();
    void deletedFromItsOwnRow_data();
    void deletedFromItsOwnRow();
    void certificates_data();
    void certificates();
    void trustingTheServerClearsTheWarning();
    void urlPasswordStaysOutOfTheLog();
};

namespace {

// Collects one stream's rows.
struct Rows
{
    explicit Rows(QObject *source)
    {
        if (auto *stream = qobject_cast<Stream *>(source)) {
            QObject::connect(stream, &Stream::eventArrived, stream,
                [this](const StreamEvent &event) { list.append(event); });
        } else if (auto *set = qobject_cast<StreamSet *>(source)) {
            QObject::connect(set, &StreamSet::eventArrived, set,
                [this](const StreamEvent &event) { list.append(event); });
        }
    }
    int count(StreamEvent::Kind kind, const QByteArray &type = {}) const
    {
        int n = 0;
        for (const StreamEvent &event : list) {
            n += event.kind == kind && (type.isEmpty() || event.type == type) ? 1 : 0;
        }
        return n;
    }
    const StreamEvent *first(StreamEvent::Kind kind, const QByteArray &type = {}) const
    {
        for (const StreamEvent &event : list) {
            if (event.kind == kind && (type.isEmpty() || event.type == type)) {
                return &event;
            }
        }
        return nullptr;
    }
    QList<StreamEvent> list;
};

StreamConfig config(const QUrl &url)
{
    StreamConfig c;
    c.name = QStringLiteral("test");
    c.url = url;
    c.initialDelayMs = 50;
    c.maxDelayMs = 200;
    return c;
}

// An endless-enough SSE stream: count events, one every intervalMs, then the connection stays.
SseTestResponse ticking(int count, int intervalMs, int firstId = 1)
{
    QByteArrayList chunks;
    for (int i = 0; i < count; ++i) {
        chunks.append("event: tick\nid: " + QByteArray::number(firstId + i)
            + "\ndata: {\"n\":" + QByteArray::number(i) + "}\n\n");
    }
    SseTestResponse response = SseTestResponse::stream(chunks, SseTestResponse::End::KeepOpen);
    response.intervalMs = intervalMs;
    return response;
}

} // namespace

void TestStream::initTestCase()
{
    qRegisterMetaType<StreamEvent>();
}

void TestStream::sseRowsFromDemo()
{
    DemoFeed demo;
    DemoFeedSettings settings;
    settings.metricsIntervalMs = 50;
    QVERIFY(demo.listen(0, settings));
    Stream stream(7, config(demo.url(QStringLiteral("/metrics"))));
    Rows rows(&stream);
    stream.connectToServer();
    QVERIFY(stream.isConnected());
    QTRY_VERIFY(rows.count(StreamEvent::Kind::Event) >= 5);

    QCOMPARE(rows.list.at(0).kind, StreamEvent::Kind::Lifecycle);
    QCOMPARE(rows.list.at(0).type, QByteArray("connecting"));
    QCOMPARE(rows.list.at(0).data,
        "connecting to " + demo.url(QStringLiteral("/metrics")).toString().toUtf8()
            + " (attempt 1)");
    QCOMPARE(rows.list.at(1).type, QByteArray("open"));
    QCOMPARE(rows.list.at(1).data, QByteArray("open 200 (HTTP/1.1)"));
    const StreamEvent *event = rows.first(StreamEvent::Kind::Event);
    QVERIFY(!event->type.isEmpty());
    QVERIFY(!event->id.isEmpty());
    QVERIFY(event->data.startsWith('{'));
    QCOMPARE(event->streamId, 7);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(event->arrivalMs > now - 10000 && event->arrivalMs <= now);

    const StreamHealth health = stream.health();
    QCOMPARE(health.state, HealthState::Open);
    QVERIFY(health.events >= 5);
    QVERIFY(health.bytes > health.events * 10);
    QCOMPARE(health.lastEventId, rows.list.last().id);
    QCOMPARE(health.attempt, 1);
}

void TestStream::webSocketRowsAndSend()
{
    DemoFeed demo;
    QVERIFY(demo.listen());
    StreamConfig c = config(demo.url(QStringLiteral("/ws"), QStringLiteral("ws")));
    c.onOpenMessages = {"{\"subscribe\":\"*\"}"};
    Stream stream(1, c);
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_VERIFY(rows.count(StreamEvent::Kind::Message) >= 3);
    QCOMPARE(rows.first(StreamEvent::Kind::Lifecycle, "open")->data, QByteArray("open"));
    QCOMPARE(rows.first(StreamEvent::Kind::Sent)->data, QByteArray("{\"subscribe\":\"*\"}"));
    QVERIFY(rows.first(StreamEvent::Kind::Message)->data.contains("\"type\""));
    QVERIFY(!rows.first(StreamEvent::Kind::Message)->binary);

    QVERIFY(stream.send("{\"unsubscribe\":\"web-1\"}"));
    QTRY_COMPARE(rows.count(StreamEvent::Kind::Sent), 2);
    QTRY_VERIFY(stream.health().events >= 3);
    QCOMPARE(stream.health().state, HealthState::Open);
    QVERIFY(stream.health().bytes > 0);

    Stream sse(2, config(demo.url(QStringLiteral("/metrics"))));
    QVERIFY(!sse.send("x")); // SSE cannot send
}

void TestStream::webSocketBinaryHeadersAndSubprotocol()
{
    QWebSocketServer server(QStringLiteral("test"), QWebSocketServer::NonSecureMode);
    server.setSupportedSubprotocols({QStringLiteral("v2.metrics")});
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QList<QNetworkRequest> handshakes;
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        QWebSocket *socket = server.nextPendingConnection();
        socket->setParent(&server);
        handshakes.append(socket->request());
        socket->sendBinaryMessage(QByteArray("\x00\x01\xff", 3));
        socket->sendTextMessage(QStringLiteral("caf\u00e9"));
    });
    StreamConfig c
        = config(QUrl(QStringLiteral("ws://127.0.0.1:%1/feed").arg(server.serverPort())));
    c.headers = {{"Authorization", "Bearer ${env:SS_WS_TOKEN}"}};
    c.subprotocols = QStringList{QStringLiteral("v1.metrics"), QStringLiteral("v2.metrics")};
    qputenv("SS_WS_TOKEN", "ws-secret");
    Stream stream(3, c);
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_COMPARE(rows.count(StreamEvent::Kind::Message), 2);
    qunsetenv("SS_WS_TOKEN");
    QCOMPARE(handshakes.size(), 1);
    QCOMPARE(handshakes.first().rawHeader("Authorization"), QByteArray("Bearer ws-secret"));
    QCOMPARE(rows.first(StreamEvent::Kind::Lifecycle, "open")->data,
        QByteArray("open (subprotocol v2.metrics)"));
    const StreamEvent *binary = rows.first(StreamEvent::Kind::Message);
    QVERIFY(binary->binary);
    QCOMPARE(binary->data, QByteArray("\x00\x01\xff", 3));
    QCOMPARE(rows.list.last().data, QByteArray("caf\xc3\xa9"));
    QVERIFY(!rows.list.last().binary);
    QCOMPARE(stream.health().events, quint64(2));
    QCOMPARE(stream.health().bytes, quint64(3 + 5)); // message bytes, for WebSocket
}

void TestStream::webSocketCompression_data()
{
    QTest::addColumn<QStringList>("serverArguments");
    QTest::addColumn<bool>("compression"); // StreamConfig::compression
    QTest::addColumn<QStringList>("subprotocols");
    QTest::addColumn<QByteArray>("openRow");
    QTest::addColumn<QString>("extensions"); // in the health while open
    const QStringList deflate{QStringLiteral("--deflate")};
    const QStringList chat{QStringLiteral("chat.v2")};
    QTest::newRow("agreed") << deflate << true << QStringList()
                            << QByteArray("open (permessage-deflate)")
                            << QStringLiteral("permessage-deflate");
    QTest::newRow("agreed, with a subprotocol")
        << deflate << true << chat << QByteArray("open (subprotocol chat.v2, permessage-deflate)")
        << QStringLiteral("permessage-deflate");
    QTest::newRow("declined by the server")
        << QStringList() << true << QStringList() << QByteArray("open") << QString();
    QTest::newRow("switched off") << deflate << false << chat
                                  << QByteArray("open (subprotocol chat.v2)") << QString();
}

void TestStream::webSocketCompression()
{
    QFETCH(QStringList, serverArguments);
    QFETCH(bool, compression);
    QFETCH(QStringList, subprotocols);
    QFETCH(QByteArray, openRow);
    QFETCH(QString, extensions);
    NodeWsServer server(serverArguments);
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    StreamConfig c = config(server.url());
    c.compression = compression;
    c.subprotocols = subprotocols;
    Stream stream(1, c);
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_COMPARE(rows.count(StreamEvent::Kind::Message), 1);
    QCOMPARE(rows.first(StreamEvent::Kind::Lifecycle, "open")->data, openRow);
    QCOMPARE(stream.health().extensions, extensions);
    // The server's greeting names what the handshake offered.
    const QJsonObject hello
        = QJsonDocument::fromJson(rows.first(StreamEvent::Kind::Message)->data).object();
    QCOMPARE(hello.value(QLatin1String("extensions"))
                 .toString()
                 .startsWith(QLatin1String("permessage-deflate")),
        compression);
    // Compressed or not, what goes out comes back as it was (the server echoes).
    QVERIFY(stream.send("{\"ping\": \"caf\xc3\xa9\"}"));
    QTRY_COMPARE(rows.count(StreamEvent::Kind::Message), 2);
    QByteArrayList messages;
    for (const StreamEvent &event : std::as_const(rows.list)) {
        if (event.kind == StreamEvent::Kind::Message) {
            messages.append(event.data);
        }
    }
    QCOMPARE(messages.last(), QByteArray("{\"ping\": \"caf\xc3\xa9\"}"));

    // They belonged to the connection: gone with it.
    server.stop();
    QTRY_VERIFY(rows.count(StreamEvent::Kind::Lifecycle, "reconnecting") >= 1);
    QCOMPARE(stream.health().extensions, QString());
}

void TestStream::serverGoesAwayAndReturns()
{
    SseTestServer server;
    server.setHandler(
        [](const SseTestRequest &, int index) { return ticking(1000, 20, index * 1000 + 1); });
    QVERIFY(server.listen());
    const quint16 port = server.port();
    Stream stream(1, config(server.url(QStringLiteral("/events"))));
    Rows rows(&stream);
    QSignalSpy health(&stream, &Stream::healthChanged);
    stream.connectToServer();
    QTRY_VERIFY(rows.count(StreamEvent::Kind::Event) >= 3);
    QCOMPARE(stream.health().state, HealthState::Open);
    // The test server speaks HTTP/1.1 only; the open row and the health say so.
    QCOMPARE(
        rows.first(StreamEvent::Kind::Lifecycle, "open")->data, QByteArray("open 200 (HTTP/1.1)"));
    QCOMPARE(stream.health().protocol, QByteArray("HTTP/1.1"));
    QCOMPARE(stream.health().timesFellBehind, 0);

    server.stop();
    QTRY_COMPARE(stream.health().state, HealthState::Reconnecting);
    QCOMPARE(stream.health().protocol, QByteArray("HTTP/1.1")); // the last connection's
    QVERIFY(!health.isEmpty());
    QTRY_VERIFY(rows.count(StreamEvent::Kind::Lifecycle, "reconnecting") >= 1);
    QVERIFY(rows.first(StreamEvent::Kind::Lifecycle, "reconnecting")
                ->data.startsWith("reconnecting in "));
    // The stream's end alone is no error; the next attempt, refused, is.
    QTRY_VERIFY(rows.first(StreamEvent::Kind::Lifecycle, "error") != nullptr);
    QVERIFY(stream.health().reconnects >= 1);
    QVERIFY(!stream.health().lastError.isEmpty());
    QVERIFY(stream.isConnected()); // still trying

    QVERIFY(server.listen(port));
    QTRY_COMPARE(stream.health().state, HealthState::Open);
    const int before = rows.count(StreamEvent::Kind::Event);
    QTRY_VERIFY(rows.count(StreamEvent::Kind::Event) > before);
    // Resumed with the last id seen.
    QVERIFY(!server.requests().last().header("Last-Event-ID").isEmpty());
}

void TestStream::webSocketServerGoesAwayAndReturns()
{
    auto demo = std::make_unique<DemoFeed>();
    QVERIFY(demo->listen());
    const quint16 port = demo->port();
    Stream stream(1, config(demo->url(QStringLiteral("/ws"), QStringLiteral("ws"))));
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_VERIFY(rows.count(StreamEvent::Kind::Message) >= 1);
    QCOMPARE(stream.health().state, HealthState::Open);

    demo.reset();
    QTRY_COMPARE(stream.health().state, HealthState::Reconnecting);
    QVERIFY(rows.first(StreamEvent::Kind::Lifecycle, "disconnected") != nullptr);
    QVERIFY(rows.first(StreamEvent::Kind::Lifecycle, "reconnecting") != nullptr);
    QVERIFY(stream.health().nextAttemptAtMs > 0);

    demo = std::make_unique<DemoFeed>();
    QVERIFY(demo->listen(port));
    QTRY_COMPARE(stream.health().state, HealthState::Open);
    const int before = rows.count(StreamEvent::Kind::Message);
    QTRY_VERIFY(rows.count(StreamEvent::Kind::Message) > before);
    QVERIFY(stream.health().reconnects >= 1);
}

void TestStream::staleWhenSilent()
{
    // Ten events 50 ms apart, then nothing: stale after the minimum (2 s).
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(10, 50); });
    QVERIFY(server.listen());
    Stream stream(1, config(server.url()));
    Rows rows(&stream);
    QSignalSpy health(&stream, &Stream::healthChanged);
    stream.connectToServer();
    QTRY_COMPARE(rows.count(StreamEvent::Kind::Event), 10);
    QCOMPARE(stream.health().state, HealthState::Open);
    health.clear();
    QTRY_COMPARE_WITH_TIMEOUT(stream.health().state, HealthState::Stale, 4000);
    // Told within a timer tick, without another row.
    QTRY_VERIFY(!health.isEmpty());
    QCOMPARE(rows.count(StreamEvent::Kind::Event), 10);
}

void TestStream::pauseStopsRowsButCounts()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(1000, 10); });
    QVERIFY(server.listen());
    Stream stream(1, config(server.url()));
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_VERIFY(rows.count(StreamEvent::Kind::Event) >= 2);
    stream.setPaused(true);
    QVERIFY(stream.isPaused());
    const qsizetype rowsAtPause = rows.list.size();
    const quint64 eventsAtPause = stream.health().events;
    QTRY_VERIFY(stream.health().events >= eventsAtPause + 10);
    QCOMPARE(rows.list.size(), rowsAtPause);
    QVERIFY(stream.isConnected());
    stream.setPaused(false);
    QTRY_VERIFY(rows.list.size() > rowsAtPause);
}

void TestStream::environmentHeaderAtConnect()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(3, 10); });
    QVERIFY(server.listen());
    StreamConfig c = config(server.url());
    c.headers = {{"Authorization", "Bearer ${env:SS_STREAM_TOKEN}"}};
    qputenv("SS_STREAM_TOKEN", "first");
    Stream stream(1, c);
    qputenv("SS_STREAM_TOKEN", "at-connect"); // what counts is the value when connecting
    stream.connectToServer();
    QTRY_COMPARE(server.requestCount(), 1);
    QCOMPARE(server.requests().first().header("Authorization"), QByteArray("Bearer at-connect"));
    QCOMPARE(stream.config().headers.first().second, QByteArray("Bearer ${env:SS_STREAM_TOKEN}"));

    stream.disconnectFromServer();
    qputenv("SS_STREAM_TOKEN", "rotated");
    stream.connectToServer();
    QTRY_COMPARE(server.requestCount(), 2);
    QCOMPARE(server.requests().last().header("Authorization"), QByteArray("Bearer rotated"));
    qunsetenv("SS_STREAM_TOKEN");
}

void TestStream::missingEnvironmentFails()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(3, 10); });
    QVERIFY(server.listen());
    StreamConfig c = config(server.url());
    c.headers = {{"Authorization", "Bearer ${env:SS_STREAM_UNSET}"},
        {"X-Other", "${env:SS_STREAM_UNSET_TOO}"}};
    qunsetenv("SS_STREAM_UNSET");
    qunsetenv("SS_STREAM_UNSET_TOO");
    Stream stream(1, c);
    Rows rows(&stream);
    QSignalSpy health(&stream, &Stream::healthChanged);
    stream.connectToServer();
    QCOMPARE(rows.list.size(), 1);
    QCOMPARE(rows.list.first().kind, StreamEvent::Kind::Lifecycle);
    QCOMPARE(rows.list.first().type, QByteArray("error"));
    QCOMPARE(rows.list.first().data,
        QByteArray("not connecting: environment variables SS_STREAM_UNSET, SS_STREAM_UNSET_TOO "
                   "are not set"));
    QCOMPARE(stream.health().state, HealthState::Failed);
    QVERIFY(stream.health().lastError.contains(QLatin1String("SS_STREAM_UNSET")));
    QCOMPARE(health.size(), 1);
    QVERIFY(!stream.isConnected());

    // The same for a WebSocket, one variable.
    StreamConfig w = config(QUrl(QStringLiteral("ws://127.0.0.1:1/ws")));
    w.headers = {{"Authorization", "${env:SS_STREAM_UNSET}"}};
    Stream ws(2, w);
    Rows wsRows(&ws);
    ws.connectToServer();
    QCOMPARE(wsRows.list.first().data,
        QByteArray("not connecting: environment variable SS_STREAM_UNSET is not set"));
    QCOMPARE(ws.health().state, HealthState::Failed);

    QTest::qWait(0); // let the server see a connection, if one were made
    QCOMPARE(server.requestCount(), 0);
}

void TestStream::fatalStatusFails()
{
    SseTestServer server;
    server.setHandler(
        [](const SseTestRequest &, int) { return SseTestResponse::error(401, "Unauthorized"); });
    QVERIFY(server.listen());
    Stream stream(1, config(server.url()));
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_COMPARE(stream.health().state, HealthState::Failed);
    QVERIFY(!stream.isConnected());
    const StreamEvent *error = rows.first(StreamEvent::Kind::Lifecycle, "error");
    QVERIFY(error);
    QCOMPARE(error->data, QByteArray("HTTP 401 Unauthorized"));
    QCOMPARE(stream.health().lastError, QStringLiteral("HTTP 401 Unauthorized"));
    QCOMPARE(stream.health().state, HealthState::Failed);
    QCOMPARE(rows.list.last().type, QByteArray("closed"));

    // Reconnect now starts again from a failed stream.
    server.setHandler([](const SseTestRequest &, int) { return ticking(3, 10); });
    stream.reconnectNow();
    QTRY_COMPARE(stream.health().state, HealthState::Open);
}

void TestStream::setConfigReconnects()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(100, 20); });
    QVERIFY(server.listen());
    Stream stream(1, config(server.url(QStringLiteral("/a"))));
    stream.connectToServer();
    QTRY_COMPARE(stream.health().state, HealthState::Open);

    StreamConfig renamed = stream.config();
    renamed.name = QStringLiteral("renamed");
    stream.setConfig(renamed); // a new name only: the connection stays
    QCOMPARE(stream.config().name, QStringLiteral("renamed"));
    QCOMPARE(server.requestCount(), 1);

    StreamConfig moved = stream.config();
    moved.url = server.url(QStringLiteral("/b"));
    stream.setConfig(moved);
    QTRY_COMPARE(server.requestCount(), 2);
    QCOMPARE(server.requests().last().target, QByteArray("/b"));
    QTRY_COMPARE(stream.health().state, HealthState::Open);

    stream.disconnectFromServer();
    moved.url = server.url(QStringLiteral("/c"));
    stream.setConfig(moved); // not connected: stays so
    QVERIFY(!stream.isConnected());
    QTest::qWait(0);
    QCOMPARE(server.requestCount(), 2);
}

void TestStream::healthChangedIsThrottled()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(400, 2); });
    QVERIFY(server.listen());
    Stream stream(1, config(server.url()));
    Rows rows(&stream);
    QSignalSpy health(&stream, &Stream::healthChanged);
    stream.connectToServer();
    QTRY_VERIFY(rows.count(StreamEvent::Kind::Event) >= 300);
    // Connecting and open at once, then at most one per 250 ms tick.
    QVERIFY2(health.size() < 20, qPrintable(QString::number(health.size())));
    QVERIFY(health.size() >= 2);
}

void TestStream::tenStreamsToOneServer()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(1000, 20); });
    QVERIFY(server.listen());
    StreamSet set;
    Rows rows(&set);
    QSignalSpy added(&set, &StreamSet::streamAdded);
    QList<int> ids;
    for (int i = 0; i < 10; ++i) {
        ids.append(set.add(config(server.url(QStringLiteral("/s%1").arg(i)))));
    }
    QCOMPARE(ids, (QList<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    QCOMPARE(set.ids(), ids);
    QCOMPARE(added.size(), 10);
    for (const int id : std::as_const(ids)) {
        set.stream(id)->connectToServer();
    }
    // Every stream delivers: none queues behind a shared manager's six connections.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QSet<int> seen;
            for (const StreamEvent &event : std::as_const(rows.list)) {
                if (event.kind == StreamEvent::Kind::Event) {
                    seen.insert(event.streamId);
                }
            }
            return seen.size() == 10;
        }(),
        10000);
    for (const int id : std::as_const(ids)) {
        QCOMPARE(set.stream(id)->health().state, HealthState::Open);
    }
}

void TestStream::streamSetRemovesFromOwnSignal()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(1000, 10); });
    QVERIFY(server.listen());
    StreamSet set;
    const int a = set.add(config(server.url(QStringLiteral("/a"))));
    const int b = set.add(config(server.url(QStringLiteral("/b"))));
    QSignalSpy removed(&set, &StreamSet::streamRemoved);
    QSignalSpy health(&set, &StreamSet::healthChanged);
    int eventsAfterRemove = 0;
    connect(&set, &StreamSet::eventArrived, this, [&](const StreamEvent &event) {
        if (event.streamId == a && event.kind == StreamEvent::Kind::Event) {
            if (set.stream(a)) {
                set.remove(a); // from inside stream a's own signal
            } else {
                ++eventsAfterRemove;
            }
        }
    });
    set.stream(a)->connectToServer();
    set.stream(b)->connectToServer();
    QTRY_COMPARE(removed.size(), 1);
    QCOMPARE(removed.first().first().toInt(), a);
    QCOMPARE(set.ids(), QList<int>{b});
    QCOMPARE(set.count(), 1);
    QVERIFY(set.stream(a) == nullptr);
    QTRY_VERIFY(set.stream(b)->health().events >= 20);
    QCOMPARE(eventsAfterRemove, 0);
    QVERIFY(!health.isEmpty());
    QCOMPARE(set.add(config(server.url())), 3); // ids are never reused
    set.clear();
    QCOMPARE(set.count(), 0);
    QCOMPARE(removed.size(), 3);
}

void TestStream::disconnectEmitsClosed()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(1000, 10); });
    QVERIFY(server.listen());
    Stream stream(1, config(server.url()));
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_COMPARE(stream.health().state, HealthState::Open);
    stream.disconnectFromServer();
    QVERIFY(!stream.isConnected());
    QCOMPARE(stream.health().state, HealthState::Disconnected);
    QCOMPARE(rows.list.last().type, QByteArray("closed"));
    const qsizetype count = rows.list.size();
    QTRY_COMPARE(server.clientCount(), 0);
    QCOMPARE(rows.list.size(), count); // nothing after closed
}

void TestStream::deletedFromItsOwnRow_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<bool>("webSocket");
    QTest::newRow("sse connecting") << QByteArray("connecting") << false;
    QTest::newRow("sse open") << QByteArray("open") << false;
    QTest::newRow("sse event") << QByteArray("tick") << false;
    QTest::newRow("ws connecting") << QByteArray("connecting") << true;
    QTest::newRow("ws open") << QByteArray("open") << true;
}

void TestStream::deletedFromItsOwnRow()
{
    QFETCH(QByteArray, type);
    QFETCH(bool, webSocket);
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(100, 10); });
    QVERIFY(server.listen());
    DemoFeed demo;
    QVERIFY(demo.listen());
    auto *stream = new Stream(1,
        config(webSocket ? demo.url(QStringLiteral("/ws"), QStringLiteral("ws")) : server.url()));
    QPointer<Stream> watch(stream);
    connect(stream, &Stream::eventArrived, this, [stream, type](const StreamEvent &event) {
        if (event.type == type) {
            delete stream; // synchronously, from inside the stream's own signal
        }
    });
    stream->connectToServer();
    QTRY_VERIFY(watch.isNull());
}

void TestStream::certificates_data()
{
    QTest::addColumn<bool>("webSocket");
    QTest::addColumn<bool>("trustCa"); // the test CA in caCertificatesFile
    QTest::addColumn<bool>("ignoreErrors");
    QTest::addColumn<QString>("error"); // in health.lastError; empty: the stream opens
    QTest::addColumn<QString>("warning"); // in health.tlsWarning; empty: none
    for (const bool webSocket : {false, true}) {
        const char *transport = webSocket ? "wss" : "https";
        QTest::addRow("%s trusted via CA file", transport)
            << webSocket << true << false << QString() << QString();
        QTest::addRow("%s untrusted", transport)
            << webSocket << false << false
            << QStringLiteral("TLS handshake failed: certificate for 127.0.0.1 is not trusted "
                              "(subject: 127.0.0.1; issuer: Streamscope Test CA)")
            << QString();
        QTest::addRow("%s untrusted, errors ignored", transport)
            << webSocket << false << true << QString()
            << QStringLiteral("certificate for 127.0.0.1 is not trusted (subject: 127.0.0.1; "
                              "issuer: Streamscope Test CA)");
        QTest::addRow("%s trusted, errors ignored", transport)
            << webSocket << true << true << QString()
            << QStringLiteral("certificate errors are ignored for this stream: the server is "
                              "not authenticated");
    }
}

void TestStream::certificates()
{
    QFETCH(bool, webSocket);
    QFETCH(bool, trustCa);
    QFETCH(bool, ignoreErrors);
    QFETCH(QString, error);
    QFETCH(QString, warning);
    testtls::TlsSseServer sseServer(s_goodCertificatePem);
    testtls::WssServer wssServer(s_goodCertificatePem);
    const testtls::CaFile ca;
    StreamConfig settings = config(webSocket ? wssServer.url() : sseServer.url());
    if (trustCa) {
        settings.caCertificatesFile = ca.fileName();
    }
    settings.ignoreCertificateErrors = ignoreErrors;
    Stream stream(1, settings);
    Rows rows(&stream);
    stream.connectToServer();

    if (!error.isEmpty()) {
        // Refused for good, with the reason where the user looks.
        QTRY_COMPARE(stream.health().state, HealthState::Failed);
        QVERIFY2(stream.health().lastError.contains(error), qPrintable(stream.health().lastError));
        QCOMPARE(rows.count(webSocket ? StreamEvent::Kind::Message : StreamEvent::Kind::Event), 0);
        QCOMPARE(stream.health().tlsWarning, QString());
        return;
    }
    const StreamEvent::Kind kind
        = webSocket ? StreamEvent::Kind::Message : StreamEvent::Kind::Event;
    QTRY_COMPARE(rows.count(kind), 1);
    QCOMPARE(rows.first(kind)->data, QByteArray("hello"));
    QCOMPARE(stream.health().state, HealthState::Open);
    QCOMPARE(stream.health().lastError, QString());
    const QString shown = stream.health().tlsWarning;
    QVERIFY2(warning.isEmpty() ? shown.isEmpty() : shown.contains(warning), qPrintable(shown));
    // What was let through is in the log as well, once.
    const bool errorsLetThrough = ignoreErrors && !trustCa;
    QCOMPARE(rows.count(StreamEvent::Kind::Lifecycle, "warning"), errorsLetThrough ? 1 : 0);
    if (errorsLetThrough) {
        QVERIFY2(shown.endsWith(QStringLiteral(
                     "proceeding, since certificate errors are ignored for this stream")),
            qPrintable(shown));
        QCOMPARE(
            QString::fromUtf8(rows.first(StreamEvent::Kind::Lifecycle, "warning")->data), shown);
    }
}

void TestStream::trustingTheServerClearsTheWarning()
{
    testtls::TlsSseServer server(s_goodCertificatePem);
    const testtls::CaFile ca;
    StreamConfig settings = config(server.url());
    settings.ignoreCertificateErrors = true;
    Stream stream(1, settings);
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_COMPARE(rows.count(StreamEvent::Kind::Event), 1);
    QVERIFY(stream.health().tlsWarning.contains(QStringLiteral("is not trusted")));

    settings.ignoreCertificateErrors = false;
    settings.caCertificatesFile = ca.fileName();
    stream.setConfig(settings);
    QCOMPARE(stream.health().tlsWarning, QString());
    QTRY_COMPARE(rows.count(StreamEvent::Kind::Event), 2);
    QCOMPARE(stream.health().tlsWarning, QString());
    QCOMPARE(stream.health().state, HealthState::Open);
}

void TestStream::urlPasswordStaysOutOfTheLog()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(1, 10); });
    QVERIFY(server.listen());
    QUrl url = server.url();
    url.setUserName(QStringLiteral("ops"));
    url.setPassword(QStringLiteral("hunter2"));
    Stream stream(1, config(url));
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_COMPARE(rows.count(StreamEvent::Kind::Event), 1);
    const StreamEvent *connecting = rows.first(StreamEvent::Kind::Lifecycle, "connecting");
    QVERIFY(connecting);
    QVERIFY2(connecting->data.contains("ops@127.0.0.1") && !connecting->data.contains("hunter2"),
        connecting->data.constData());
}

// A Socket.IO stream's rows are typed by event (and namespace), their data the arguments, so
// charts and filters work on them; emits ask for acks; a server restart is survived.
void TestStream::socketIoRowsByEventName()
{
    NodeSocketIoServer server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    StreamConfig config;
    config.name = QStringLiteral("sio");
    config.url = QUrl(server.url().toString() + QStringLiteral("socket.io/"));
    config.protocol = StreamConfig::guessProtocol(config.url, {});
    QCOMPARE(config.protocol, StreamConfig::Protocol::SocketIo);
    config.namespaces = {QStringLiteral("/"), QStringLiteral("/admin")};
    config.socketIoAuth = R"({"token":"secret"})";
    config.initialDelayMs = 50;
    Stream stream(1, config);
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(rows.count(StreamEvent::Kind::Message, "metrics") >= 3
            && rows.count(StreamEvent::Kind::Message, "/admin:status") >= 1,
        20000);
    const StreamEvent *metrics = rows.first(StreamEvent::Kind::Message, "metrics");
    QVERIFY2(metrics->data.startsWith("[{") && metrics->data.contains("\"cpu\""),
        metrics->data.constData());
    QCOMPARE(rows.count(StreamEvent::Kind::Lifecycle, "joined"), 2);

    QVERIFY(stream.send(R"(echo {"a":1})"));
    QTRY_VERIFY_WITH_TIMEOUT(rows.first(StreamEvent::Kind::Lifecycle, "ack"), 20000);
    QVERIFY2(rows.first(StreamEvent::Kind::Lifecycle, "ack")->data.startsWith("ack 0 after "),
        rows.first(StreamEvent::Kind::Lifecycle, "ack")->data.constData());
    QCOMPARE(rows.first(StreamEvent::Kind::Sent, "echo")->data, QByteArray(R"({"a":1})"));

    QVERIFY2(server.restart(&error), qPrintable(error));
    const int before = rows.count(StreamEvent::Kind::Message, "metrics");
    QTRY_VERIFY_WITH_TIMEOUT(rows.count(StreamEvent::Kind::Lifecycle, "joined") >= 4
            && rows.count(StreamEvent::Kind::Message, "metrics") >= before + 3,
        30000);
    QCOMPARE(stream.health().state, HealthState::Open);
}

// An MQTT stream's rows are typed by topic, retained ones marked; JSON payloads reach the
// charts like any stream's; the send box publishes; a broker restart is survived.
void TestStream::mqttRowsByTopic()
{
    MosquittoBroker broker;
    QString error;
    QVERIFY2(broker.waitForListening(&error), qPrintable(error));
    QVERIFY2(
        broker.publish(QStringLiteral("sensors/a/temp"), "{\"celsius\":20.5}", true, 0, &error),
        qPrintable(error));
    StreamConfig config;
    config.name = QStringLiteral("mqtt");
    config.url = QUrl(broker.url().toString() + QStringLiteral("mqtt"));
    config.protocol = StreamConfig::guessProtocol(config.url, {});
    QCOMPARE(config.protocol, StreamConfig::Protocol::Mqtt);
    config.topics = {QStringLiteral("sensors/+/temp")};
    config.mqttQos = 1;
    config.initialDelayMs = 50;
    Stream stream(1, config);
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(rows.first(StreamEvent::Kind::Message, "sensors/a/temp"), 20000);
    const StreamEvent *retained = rows.first(StreamEvent::Kind::Message, "sensors/a/temp");
    QCOMPARE(retained->id, QByteArray("retained"));
    QCOMPARE(retained->data, QByteArray("{\"celsius\":20.5}"));
    QCOMPARE(stream.health().events, 0u); // old news: not live traffic

    QVERIFY2(broker.publish(QStringLiteral("sensors/b/temp"), "{\"celsius\":21}", false, 1, &error),
        qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(rows.first(StreamEvent::Kind::Message, "sensors/b/temp"), 20000);
    QVERIFY(rows.first(StreamEvent::Kind::Message, "sensors/b/temp")->id.isEmpty());
    QTRY_COMPARE(stream.health().events, 1u);

    QVERIFY(stream.send("sensors/c/temp {\"celsius\":22}"));
    QTRY_VERIFY_WITH_TIMEOUT(rows.first(StreamEvent::Kind::Message, "sensors/c/temp"), 20000);
    QVERIFY(rows.first(StreamEvent::Kind::Sent, "sensors/c/temp"));

    QVERIFY2(broker.restart(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(rows.count(StreamEvent::Kind::Lifecycle, "subscribed") >= 2
            && stream.health().state == HealthState::Open,
        30000);
    QVERIFY2(broker.publish(QStringLiteral("sensors/d/temp"), "{\"celsius\":23}", false, 0, &error),
        qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(rows.first(StreamEvent::Kind::Message, "sensors/d/temp"), 20000);
}

void TestStream::mqtt5UserPropertiesInDetails()
{
    MosquittoBroker broker;
    QString error;
    QVERIFY2(broker.waitForListening(&error), qPrintable(error));
    StreamConfig config;
    config.name = QStringLiteral("mqtt5");
    config.url = QUrl(broker.url().toString() + QStringLiteral("mqtt"));
    config.protocol = StreamConfig::Protocol::Mqtt;
    config.mqttVersion5 = true;
    config.topics = {QStringLiteral("plant/#")};
    config.mqttQos = 1;
    config.initialDelayMs = 50;
    Stream stream(1, config);
    Rows rows(&stream);
    stream.connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(rows.first(StreamEvent::Kind::Lifecycle, "subscribed"), 20000);

    QVERIFY2(
        broker.publish(QStringLiteral("plant/boiler"), "{\"bar\":2.5}", false, 1, &error,
            {QStringLiteral("-V"), QStringLiteral("mqttv5"), QStringLiteral("-D"),
                QStringLiteral("publish"), QStringLiteral("user-property"), QStringLiteral("unit"),
                QStringLiteral("bar"), QStringLiteral("-D"), QStringLiteral("publish"),
                QStringLiteral("user-property"), QStringLiteral("site"), QStringLiteral("north")}),
        qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(rows.first(StreamEvent::Kind::Message, "plant/boiler"), 20000);
    const StreamEvent *message = rows.first(StreamEvent::Kind::Message, "plant/boiler");
    QCOMPARE(message->data, QByteArray("{\"bar\":2.5}"));
    QCOMPARE(message->details,
        QByteArray("QoS: 1\nUser property: unit = bar\nUser property: site = north"));
}

void TestStream::answerRuns_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("outcome");
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("closed");
    QTest::newRow("complete") << QStringLiteral("demo") << int(AnswerRun::Outcome::Complete)
                              << int(HealthState::Disconnected)
                              << QStringLiteral("closed: complete");
    QTest::newRow("error event") << QStringLiteral("overloaded")
                                 << int(AnswerRun::Outcome::Interrupted) << int(HealthState::Failed)
                                 << QStringLiteral("overloaded_error");
    QTest::newRow("dropped") << QStringLiteral("drop") << int(AnswerRun::Outcome::Interrupted)
                             << int(HealthState::Failed) << QStringLiteral("interrupted");
}

// A one-shot POST to an LLM endpoint is a token stream: one run per request, how it ended in
// the health and the log, never asked again by itself; Reconnect Now runs it again.
void TestStream::answerRuns()
{
    QFETCH(QString, model);
    QFETCH(int, outcome);
    QFETCH(int, state);
    QFETCH(QString, closed);
    DemoFeed::Settings settings;
    settings.llmPaceFactor = 0.02;
    DemoFeed demo;
    QVERIFY(demo.listen(0, settings));
    StreamConfig config;
    config.name = QStringLiteral("assistant");
    config.url = demo.url(QStringLiteral("/v1/messages"));
    config.method = "POST";
    config.headers = {{"Content-Type", "application/json"}};
    config.body = QByteArray(R"({"stream":true,"max_tokens":512,"model":")") + model.toUtf8()
        + R"(","messages":[{"role":"user","content":"hi"}]})";
    config.initialDelayMs = 10;
    QVERIFY(config.isOneShot());
    Stream stream(1, config);
    Rows rows(&stream);
    QSignalSpy answers(&stream, &Stream::answerChanged);
    QSignalSpy served(demo.llm(), &DemoLlm::answerStarted);
    stream.connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(rows.first(StreamEvent::Kind::Lifecycle, "closed"), 20000);
    QCOMPARE(stream.answerRuns().size(), size_t(1));
    const AnswerRun &run = stream.answerRuns().back();
    QCOMPARE(int(run.outcome()), outcome);
    QCOMPARE(run.answer().format(), TokenFormat::Anthropic);
    QVERIFY(!run.answer().answerText().isEmpty());
    QVERIFY(answers.size() > 2); // per event, not once at the end
    QCOMPARE(int(stream.health().state), state);
    const QString closedText
        = QString::fromUtf8(rows.first(StreamEvent::Kind::Lifecycle, "closed")->data);
    QVERIFY2(closedText.contains(closed), qPrintable(closedText));
    if (run.outcome() == AnswerRun::Outcome::Complete) {
        QCOMPARE(run.answer().stopReason(), QStringLiteral("end_turn"));
        QVERIFY(!run.figures(0).estimated);
    }
    // Not asked again by itself (a reconnect would be here after 10 ms)...
    QTest::qWait(300);
    QCOMPARE(rows.count(StreamEvent::Kind::Lifecycle, "connecting"), 1);
    QCOMPARE(served.size(), 1);
    // ...but when the user says so.
    stream.reconnectNow();
    QTRY_COMPARE_WITH_TIMEOUT(rows.count(StreamEvent::Kind::Lifecycle, "closed"), 2, 20000);
    QCOMPARE(stream.answerRuns().size(), size_t(2));
    QCOMPARE(int(stream.answerRuns().back().outcome()), outcome);
}

// Stopped by the user mid-answer: the run ends there, interrupted, and says so.
void TestStream::disconnectEndsTheRunningAnswer()
{
    DemoFeed demo; // a model's pace: seconds of answer after the first token
    QVERIFY(demo.listen());
    StreamConfig config;
    config.name = QStringLiteral("assistant");
    config.url = demo.url(QStringLiteral("/v1/chat/completions"));
    config.method = "POST";
    config.body = R"({"stream":true,"messages":[{"role":"user","content":"hi"}]})";
    Stream stream(1, config);
    QSignalSpy answers(&stream, &Stream::answerChanged);
    stream.connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(stream.answerRuns().size() == 1
            && !stream.answerRuns().back().answer().answerText().isEmpty(),
        20000);
    const qsizetype before = answers.size();
    stream.disconnectFromServer();
    QCOMPARE(stream.answerRuns().back().outcome(), AnswerRun::Outcome::Interrupted);
    QCOMPARE(stream.answerRuns().back().interruption(), QStringLiteral("disconnected by the user"));
    QCOMPARE(answers.size(), before + 1);
}

QTEST_MAIN(TestStream)
#include "tst_stream.moc"
