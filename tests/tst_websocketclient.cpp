// SPDX-License-Identifier: GPL-3.0-or-later
#include "demowebsocketfeed.h"
#include "nodewsserver.h"
#include "rawtestserver.h"
#include "tlstestserver.h"
#include "websocketclient.h"
#include "wstestserver.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QPointer>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtEndian>

#include <functional>
#include <memory>

using namespace streamscope;

namespace {

// Fast settings for tests: reconnects in milliseconds, no pings unless a test wants them.
WebSocketSettings fastSettings(const QUrl &url)
{
    WebSocketSettings settings;
    settings.url = url;
    settings.initialDelayMs = 10;
    settings.maxDelayMs = 40;
    settings.healthyAfterMs = 60000;
    settings.pingIntervalMs = 0;
    settings.closeTimeoutMs = 500;
    return settings;
}

// Mirrors the demo HTTP server: peeks the request head and hands /ws upgrades over unread.
class PeekingServer : public QObject
{
    Q_OBJECT
public:
    explicit PeekingServer(DemoWebSocketFeed *feed, QObject *parent = nullptr)
        : QObject(parent)
        , m_feed(feed)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { peek(socket); });
            }
        });
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_server.serverPort()));
    }

private:
    void peek(QTcpSocket *socket)
    {
        const QByteArray head = socket->peek(16 * 1024);
        if (!head.contains("\r\n\r\n")) {
            return;
        }
        disconnect(socket, nullptr, this, nullptr);
        if (head.startsWith("GET /ws ")) {
            m_feed->handleConnection(socket);
        } else {
            socket->write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            socket->disconnectFromHost();
        }
    }

    QTcpServer m_server;
    DemoWebSocketFeed *m_feed;
};

QJsonObject parseObject(const QVariant &message)
{
    return QJsonDocument::fromJson(message.toByteArray()).object();
}

} // namespace

class TestWebSocketClient : public QObject
{
    Q_OBJECT
private slots:
    void echo_data();
    void echo();
    void serverCloseFrameReconnects_data();
    void serverCloseFrameReconnects();
    void serverDiesAndComesBack();
    void backoffGrowsAndResets();
    void healthyAfterTimeResetsBackoff();
    void headersAndSubprotocolOnEveryHandshake();
    void refusedHandshake_data();
    void refusedHandshake();
    void maxReconnectsGivesUp_data();
    void maxReconnectsGivesUp();
    void deadLinkDetected();
    void pingMeasuresRoundTrip();
    void offlineQueueBound_data();
    void offlineQueueBound();
    void onOpenMessagesBeforeQueueAfterEveryReconnect();
    void messageSizeCap_data();
    void messageSizeCap();
    void largeMessageArrivesWhole_data();
    void largeMessageArrivesWhole();
    void textSplitInsideCodePoint_data();
    void textSplitInsideCodePoint();
    void silentHandshakeTimesOut();
    void throughHttpConnectProxy();
    void compressionWithNodeWs_data();
    void compressionWithNodeWs();
    void brokenFrames_data();
    void brokenFrames();
    void closeIsOrderly();
    void closeWhileReconnecting();
    void deleteFromSlot();
    void closeOrDeleteFromSlot_data();
    void closeOrDeleteFromSlot();
    void invalidUrlIsFatal();
    void demoFeedStreamsMetrics();
    void demoFeedRequests_data();
    void demoFeedRequests();
    void certificates_data();
    void certificates();
    void ignoredCertificateErrorsWarn();
    void unreadableCaFileIsFatal();
};

void TestWebSocketClient::echo_data()
{
    QTest::addColumn<bool>("binary");
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("text") << false << QByteArray("hello");
    QTest::newRow("text utf-8") << false << QByteArray("gr\xc3\xbc\xc3\x9f dich \xe2\x82\xac");
    QTest::newRow("binary") << true << QByteArray("\x00\x01\xff\xfe", 4);
    QTest::newRow("binary 100 KiB") << true << QByteArray(100 * 1024, 'x');
    // Far above the socket's 1 MiB read buffer bound: frames must still be read in pieces.
    QTest::newRow("text 16 MiB") << false << QByteArray(16 * 1024 * 1024, 't');
    QTest::newRow("binary 16 MiB") << true << QByteArray(16 * 1024 * 1024, 'b');
}

void TestWebSocketClient::echo()
{
    QFETCH(bool, binary);
    QFETCH(QByteArray, payload);
    WsTestServer server;
    QVERIFY(server.listen());
    WebSocketClient client;
    QSignalSpy opened(&client, &WebSocketClient::opened);
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    QSignalSpy bin(&client, &WebSocketClient::binaryMessageReceived);
    QSignalSpy sent(&client, &WebSocketClient::messageSent);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    client.open(fastSettings(server.url()));
    QCOMPARE(client.state(), WebSocketClient::State::Connecting);
    QVERIFY(opened.wait(5000));
    QCOMPARE(client.state(), WebSocketClient::State::Open);
    QCOMPARE(client.attempt(), 1);
    if (binary) {
        client.sendBinary(payload);
        QTRY_COMPARE(bin.size(), 1);
        QCOMPARE(bin.at(0).at(0).toByteArray(), payload);
        QCOMPARE(text.size(), 0);
    } else {
        client.sendText(payload);
        QTRY_COMPARE(text.size(), 1);
        QCOMPARE(text.at(0).at(0).toString(), QString::fromUtf8(payload));
        QCOMPARE(bin.size(), 0);
    }
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.at(0).at(0).toByteArray(), payload);
    QCOMPARE(sent.at(0).at(1).toBool(), binary);
    QCOMPARE(errors.size(), 0);
}

void TestWebSocketClient::serverCloseFrameReconnects_data()
{
    QTest::addColumn<int>("code");
    QTest::newRow("1000 normal") << 1000;
    QTest::newRow("1001 going away") << 1001;
    QTest::newRow("1011 internal error") << 1011;
}

void TestWebSocketClient::serverCloseFrameReconnects()
{
    QFETCH(int, code);
    WsTestServer server;
    QVERIFY(server.listen());
    WebSocketClient client;
    QSignalSpy opened(&client, &WebSocketClient::opened);
    QSignalSpy disconnected(&client, &WebSocketClient::disconnected);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy connecting(&client, &WebSocketClient::connecting);
    QSignalSpy scheduled(&client, &WebSocketClient::reconnectScheduled);
    client.open(fastSettings(server.url()));
    QVERIFY(opened.wait(5000));
    server.closeAll(QWebSocketProtocol::CloseCode(code));
    QTRY_COMPARE(opened.size(), 2);
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).toInt(), code);
    QCOMPARE(errors.size(), 0); // the server said goodbye: not a failure
    QCOMPARE(scheduled.size(), 1);
    QCOMPARE(scheduled.at(0).at(1).toInt(), 2);
    QCOMPARE(connecting.size(), 2);
    QCOMPARE(connecting.at(1).at(0).toInt(), 2);
    QCOMPARE(client.state(), WebSocketClient::State::Open);
}

void TestWebSocketClient::serverDiesAndComesBack()
{
    auto server = std::make_unique<WsTestServer>();
    QVERIFY(server->listen());
    const quint16 port = server->port();
    WebSocketClient client;
    QSignalSpy opened(&client, &WebSocketClient::opened);
    QSignalSpy disconnected(&client, &WebSocketClient::disconnected);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy connecting(&client, &WebSocketClient::connecting);
    client.open(fastSettings(server->url()));
    QVERIFY(opened.wait(5000));

    server->kill();
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).toInt(), WebSocketClient::AbnormalClosure);
    QVERIFY(errors.size() >= 1);
    QVERIFY2(errors.at(0).at(0).toString().contains(QLatin1String("connection lost")),
        qPrintable(errors.at(0).at(0).toString()));
    // Refused attempts follow while nothing listens.
    QTRY_VERIFY(connecting.size() >= 4);
    QVERIFY(errors.size() >= 3);
    QCOMPARE(client.state() == WebSocketClient::State::Open, false);

    server.reset();
    WsTestServer again;
    QVERIFY(again.listen(port));
    QTRY_COMPARE(opened.size(), 2);
    QCOMPARE(again.requests.size(), 1);
    QCOMPARE(client.state(), WebSocketClient::State::Open);
}

void TestWebSocketClient::backoffGrowsAndResets()
{
    // 503 on every handshake until the server is told to accept, then a message makes the
    // connection healthy, then the server drops it: the next delay starts from the base again.
    bool accept = false;
    RawTestServer server([&](QTcpSocket *socket, const QByteArray &head) {
        if (!accept) {
            socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
            socket->disconnectFromHost();
            return;
        }
        rawws::acceptHandshake(socket, head);
        socket->write(rawws::serverFrame(0x1, "tick"));
        socket->disconnectFromHost(); // no close frame: an abnormal end
    });
    WebSocketClient client;
    QSignalSpy scheduled(&client, &WebSocketClient::reconnectScheduled);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    WebSocketSettings settings = fastSettings(server.url("ws"));
    settings.initialDelayMs = 8;
    settings.maxDelayMs = 64;
    client.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(scheduled.size() >= 6, 10000);
    const int expected[] = {8, 16, 32, 64, 64, 64};
    for (int i = 0; i < 6; ++i) {
        const int delay = scheduled.at(i).at(0).toInt();
        QVERIFY2(delay >= expected[i] / 2 && delay <= expected[i],
            qPrintable(QStringLiteral("reconnect %1 waited %2 ms, outside [%3, %4]")
                           .arg(i + 1)
                           .arg(delay)
                           .arg(expected[i] / 2)
                           .arg(expected[i])));
        QCOMPARE(scheduled.at(i).at(1).toInt(), i + 2);
    }
    QCOMPARE(errors.at(0).at(1).toInt(), 503);

    // A connection that delivers a message is healthy: the delay after it starts over.
    accept = true;
    QSignalSpy disconnected(&client, &WebSocketClient::disconnected);
    QVERIFY(disconnected.wait(5000));
    accept = false;
    QCOMPARE(text.size(), 1);
    QTRY_VERIFY(scheduled.size() >= 1);
    const qsizetype resetAt = scheduled.size() - 1; // emitted right after disconnected()
    const int afterHealthy = scheduled.at(resetAt).at(0).toInt();
    QVERIFY2(afterHealthy >= 4 && afterHealthy <= 8, qPrintable(QString::number(afterHealthy)));
}

void TestWebSocketClient::healthyAfterTimeResetsBackoff()
{
    WsTestServer server;
    server.echo = false;
    QVERIFY(server.listen());
    const quint16 port = server.port();
    WebSocketClient client;
    QSignalSpy opened(&client, &WebSocketClient::opened);
    QSignalSpy scheduled(&client, &WebSocketClient::reconnectScheduled);
    WebSocketSettings settings = fastSettings(server.url());
    settings.initialDelayMs = 20;
    settings.maxDelayMs = 10000;
    settings.healthyAfterMs = 50;
    client.open(settings);
    QVERIFY(opened.wait(5000));
    // Three refused reconnects grow the delay to 80 ms...
    server.kill();
    QTRY_VERIFY_WITH_TIMEOUT(scheduled.size() >= 3, 5000);
    QVERIFY(scheduled.at(2).at(0).toInt() >= 40);
    WsTestServer again;
    again.echo = false;
    QVERIFY(again.listen(port));
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 2, 5000);
    // ...an open but silent connection that lasts healthyAfterMs (50) resets it.
    const qsizetype seen = scheduled.size();
    QVERIFY(!scheduled.wait(120));
    again.kill();
    QTRY_VERIFY(scheduled.size() > seen);
    const int delay = scheduled.at(seen).at(0).toInt();
    QVERIFY2(delay >= 10 && delay <= 20, qPrintable(QString::number(delay)));
}

void TestWebSocketClient::headersAndSubprotocolOnEveryHandshake()
{
    WsTestServer server;
    server.setSubprotocols({QStringLiteral("metrics.v2")});
    QVERIFY(server.listen());
    WebSocketClient client;
    QSignalSpy opened(&client, &WebSocketClient::opened);
    WebSocketSettings settings = fastSettings(server.url(QStringLiteral("/feed?x=1")));
    settings.headers = {{"Authorization", "Bearer s3cret"}, {"Origin", "http://dash.local"}};
    settings.subprotocols = {QStringLiteral("metrics.v3"), QStringLiteral("metrics.v2")};
    client.open(settings);
    QVERIFY(opened.wait(5000));
    QCOMPARE(client.subprotocol(), QStringLiteral("metrics.v2"));
    server.closeAll(QWebSocketProtocol::CloseCodeGoingAway);
    QTRY_COMPARE(opened.size(), 2);
    client.reconnectNow();
    QTRY_COMPARE(opened.size(), 3);
    QCOMPARE(server.requests.size(), 3);
    for (const QNetworkRequest &request : std::as_const(server.requests)) {
        QCOMPARE(request.rawHeader("Authorization"), QByteArray("Bearer s3cret"));
        QCOMPARE(request.rawHeader("Origin"), QByteArray("http://dash.local"));
        QCOMPARE(request.url().path(), QStringLiteral("/feed"));
        QCOMPARE(request.url().query(), QStringLiteral("x=1"));
    }
    QCOMPARE(server.acceptedSubprotocols, QStringList(3, QStringLiteral("metrics.v2")));
    QCOMPARE(client.subprotocol(), QStringLiteral("metrics.v2"));
}

void TestWebSocketClient::refusedHandshake_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("fatal");
    QTest::newRow("401") << 401 << true;
    QTest::newRow("403") << 403 << true;
    QTest::newRow("404") << 404 << true;
    QTest::newRow("500") << 500 << false;
    QTest::newRow("503") << 503 << false;
    QTest::newRow("200 not an upgrade") << 200 << false;
}

void TestWebSocketClient::refusedHandshake()
{
    QFETCH(int, status);
    QFETCH(bool, fatal);
    RawTestServer server([status](QTcpSocket *socket, const QByteArray &) {
        // Keep the connection open: the client must not wait for the server to hang up.
        socket->write(QByteArray("HTTP/1.1 ") + QByteArray::number(status)
            + " Nope\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nnope");
    });
    WebSocketClient client;
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy closed(&client, &WebSocketClient::closed);
    QSignalSpy connecting(&client, &WebSocketClient::connecting);
    QSignalSpy opened(&client, &WebSocketClient::opened);
    client.open(fastSettings(server.url("ws")));
    if (fatal) {
        QVERIFY(closed.wait(5000));
        QCOMPARE(closed.at(0).at(0).value<WebSocketClient::CloseReason>(),
            WebSocketClient::CloseReason::Fatal);
        QCOMPARE(client.state(), WebSocketClient::State::Closed);
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).at(1).toInt(), status);
        const QString message = errors.at(0).at(0).toString();
        QVERIFY2(message.contains(QString::number(status)), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("not retrying")), qPrintable(message));
        // No retry follows.
        QVERIFY(!connecting.wait(100));
        QCOMPARE(connecting.size(), 1);
        QCOMPARE(server.heads.size(), 1);
        QCOMPARE(closed.size(), 1);
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(connecting.size() >= 3, 5000);
        QCOMPARE(closed.size(), 0);
        QVERIFY(errors.size() >= 2);
        QCOMPARE(errors.at(0).at(1).toInt(), status == 200 ? 200 : status);
    }
    QCOMPARE(opened.size(), 0);
}

void TestWebSocketClient::maxReconnectsGivesUp_data()
{
    QTest::addColumn<int>("maxReconnects");
    QTest::newRow("0: one attempt") << 0;
    QTest::newRow("3: four attempts") << 3;
}

void TestWebSocketClient::maxReconnectsGivesUp()
{
    QFETCH(int, maxReconnects);
    const quint16 port = unusedLocalPort();
    QVERIFY(port != 0);
    WebSocketClient client;
    QSignalSpy connecting(&client, &WebSocketClient::connecting);
    QSignalSpy closed(&client, &WebSocketClient::closed);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy scheduled(&client, &WebSocketClient::reconnectScheduled);
    WebSocketSettings settings = fastSettings(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
    settings.maxReconnects = maxReconnects;
    client.open(settings);
    QVERIFY(closed.wait(5000));
    QCOMPARE(closed.at(0).at(0).value<WebSocketClient::CloseReason>(),
        WebSocketClient::CloseReason::GaveUp);
    QCOMPARE(closed.at(0).at(1).toInt(), WebSocketClient::AbnormalClosure);
    QCOMPARE(connecting.size(), maxReconnects + 1);
    QCOMPARE(scheduled.size(), maxReconnects);
    QCOMPARE(errors.size(), maxReconnects + 1);
    QCOMPARE(client.state(), WebSocketClient::State::Closed);
    QVERIFY(!closed.wait(50));
}

void TestWebSocketClient::deadLinkDetected()
{
    // Completes the handshake, then reads and ignores everything: pings get no pong.
    RawTestServer server(
        [](QTcpSocket *socket, const QByteArray &head) { rawws::acceptHandshake(socket, head); });
    WebSocketClient client;
    QSignalSpy opened(&client, &WebSocketClient::opened);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy disconnected(&client, &WebSocketClient::disconnected);
    QSignalSpy connecting(&client, &WebSocketClient::connecting);
    WebSocketSettings settings = fastSettings(server.url("ws"));
    settings.pingIntervalMs = 40;
    client.open(settings);
    QVERIFY(opened.wait(5000));
    QElapsedTimer timer;
    timer.start();
    QVERIFY(errors.wait(5000));
    const qint64 detectedAfter = timer.elapsed();
    QCOMPARE(errors.at(0).at(0).toString(),
        QStringLiteral("no pong within 40 ms: connection considered dead"));
    QCOMPARE(errors.at(0).at(1).toInt(), 0);
    // One interval to send the ping, one more to give up on it.
    QVERIFY2(
        detectedAfter >= 70 && detectedAfter < 1000, qPrintable(QString::number(detectedAfter)));
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).toInt(), WebSocketClient::AbnormalClosure);
    QTRY_COMPARE(opened.size(), 2);
    QCOMPARE(connecting.at(1).at(0).toInt(), 2);
}

void TestWebSocketClient::pingMeasuresRoundTrip()
{
    WsTestServer server;
    QVERIFY(server.listen());
    WebSocketClient client;
    QSignalSpy rtt(&client, &WebSocketClient::roundTripMeasured);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy disconnected(&client, &WebSocketClient::disconnected);
    WebSocketSettings settings = fastSettings(server.url());
    settings.pingIntervalMs = 100; // roomy: a loaded CI machine must not miss a pong
    QCOMPARE(client.roundTripMs(), -1);
    client.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(rtt.size() >= 3, 5000);
    QVERIFY(client.roundTripMs() >= 0);
    QVERIFY(client.roundTripMs() < 1000);
    QCOMPARE(errors.size(), 0);
    QCOMPARE(disconnected.size(), 0);
}

void TestWebSocketClient::offlineQueueBound_data()
{
    QTest::addColumn<int>("maxMessages");
    QTest::addColumn<int>("maxBytes");
    QTest::addColumn<QByteArrayList>("sent");
    QTest::addColumn<QByteArrayList>("delivered");
    QTest::addColumn<int>("dropped");
    QTest::newRow("within bounds")
        << 3 << 100 << QByteArrayList{"a", "b", "c"} << QByteArrayList{"a", "b", "c"} << 0;
    QTest::newRow("count bound drops oldest") << 3 << 100 << QByteArrayList{"1", "2", "3", "4", "5"}
                                              << QByteArrayList{"3", "4", "5"} << 2;
    QTest::newRow("byte bound drops oldest")
        << 100 << 10 << QByteArrayList{"aaaa", "bbbb", "cccccccc", "dd"}
        << QByteArrayList{"cccccccc", "dd"} << 2;
    QTest::newRow("message over byte bound")
        << 100 << 4 << QByteArrayList{"ab", "toolong"} << QByteArrayList{} << 2;
}

void TestWebSocketClient::offlineQueueBound()
{
    QFETCH(int, maxMessages);
    QFETCH(int, maxBytes);
    QFETCH(QByteArrayList, sent);
    QFETCH(QByteArrayList, delivered);
    QFETCH(int, dropped);
    const quint16 port = unusedLocalPort();
    QVERIFY(port != 0);
    WebSocketClient client;
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy drops(&client, &WebSocketClient::messagesDropped);
    QSignalSpy messageSent(&client, &WebSocketClient::messageSent);
    QSignalSpy opened(&client, &WebSocketClient::opened);
    WebSocketSettings settings = fastSettings(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
    settings.maxQueuedMessages = maxMessages;
    settings.maxQueuedBytes = maxBytes;
    client.open(settings);
    QTRY_COMPARE(client.state(), WebSocketClient::State::Reconnecting);
    errors.clear();
    for (const QByteArray &message : sent) {
        client.sendText(message);
    }
    QCOMPARE(messageSent.size(), 0);
    QCOMPARE(client.droppedMessageCount(), quint64(dropped));
    QCOMPARE(client.queuedMessageCount(), int(delivered.size()));
    if (dropped > 0) {
        QVERIFY(drops.size() >= 1);
        QCOMPARE(drops.last().at(0).value<quint64>(), quint64(dropped));
        // Reported once for the episode, with the count, among the refused-connection errors.
        int queueErrors = 0;
        for (const auto &error : std::as_const(errors)) {
            if (error.at(0).toString().contains(QLatin1String("offline queue full"))) {
                ++queueErrors;
            }
        }
        QCOMPARE(queueErrors, 1);
    } else {
        QCOMPARE(drops.size(), 0);
    }

    WsTestServer server;
    server.echo = false;
    QVERIFY(server.listen(port));
    QVERIFY(opened.wait(5000));
    QByteArrayList expected;
    for (const QByteArray &message : delivered) {
        expected.append("T:" + message);
    }
    QTRY_COMPARE(server.received.value(0).size(), expected.size());
    QCOMPARE(server.received.value(0), expected);
    QCOMPARE(messageSent.size(), delivered.size());
    QCOMPARE(client.queuedMessageCount(), 0);
}

void TestWebSocketClient::onOpenMessagesBeforeQueueAfterEveryReconnect()
{
    WsTestServer server;
    server.echo = false;
    QVERIFY(server.listen());
    WebSocketClient client;
    QSignalSpy opened(&client, &WebSocketClient::opened);
    WebSocketSettings settings = fastSettings(server.url());
    settings.onOpenMessages = {R"({"subscribe":"host-a"})", R"({"subscribe":"host-b"})"};
    client.sendText(QByteArray("queued before open"));
    client.open(settings);
    // A send from the opened() slot comes after the on-open messages and the queue.
    connect(&client, &WebSocketClient::opened, this,
        [&client] { client.sendText(QStringLiteral("from opened slot")); });
    // A send while the link is down waits for the next connection.
    connect(&client, &WebSocketClient::disconnected, this,
        [&client] { client.sendBinary(QByteArray("queued while down")); });
    QVERIFY(opened.wait(5000));
    QTRY_COMPARE(server.received.value(0).size(), 4);
    QCOMPARE(server.received.at(0),
        (QByteArrayList{R"(T:{"subscribe":"host-a"})", R"(T:{"subscribe":"host-b"})",
            "T:queued before open", "T:from opened slot"}));
    server.closeAll(QWebSocketProtocol::CloseCodeNormal);
    QTRY_COMPARE(opened.size(), 2);
    QTRY_COMPARE(server.received.value(1).size(), 4);
    QCOMPARE(server.received.at(1),
        (QByteArrayList{R"(T:{"subscribe":"host-a"})", R"(T:{"subscribe":"host-b"})",
            "B:queued while down", "T:from opened slot"}));
}

void TestWebSocketClient::messageSizeCap_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<qint64>("cap");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QString>("error"); // when not accepted
    const QString overThousand = QStringLiteral(
        "incoming message larger than the cap of 1000 bytes (maxMessageBytes): connection closed "
        "with 1009");
    QTest::newRow("text at the cap") << 1000 << false << qint64(1000) << true << QString();
    QTest::newRow("text over the cap") << 1001 << false << qint64(1000) << false << overThousand;
    QTest::newRow("binary over the cap") << 5000 << true << qint64(1000) << false << overThousand;
    QTest::newRow("2 MiB over a 1 MiB cap")
        << 2 * 1024 * 1024 << false << qint64(1024 * 1024) << false
        << QStringLiteral("incoming message larger than the cap of 1 MiB (maxMessageBytes): "
                          "connection closed with 1009");
}

void TestWebSocketClient::messageSizeCap()
{
    QFETCH(int, size);
    QFETCH(bool, binary);
    QFETCH(qint64, cap);
    QFETCH(bool, accepted);
    QFETCH(QString, error);
    WsTestServer server;
    server.echo = false;
    server.onConnection = [&](QWebSocket *socket) {
        if (server.requests.size() == 1) {
            const QByteArray payload(size, 'x');
            if (binary) {
                socket->sendBinaryMessage(payload);
            } else {
                socket->sendTextMessage(QString::fromLatin1(payload));
            }
        }
    };
    QVERIFY(server.listen());
    WebSocketClient client;
    QSignalSpy opened(&client, &WebSocketClient::opened);
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    QSignalSpy bin(&client, &WebSocketClient::binaryMessageReceived);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy disconnected(&client, &WebSocketClient::disconnected);
    WebSocketSettings settings = fastSettings(server.url());
    settings.maxMessageBytes = cap;
    client.open(settings);
    if (accepted) {
        QTRY_COMPARE(text.size() + bin.size(), 1);
        QCOMPARE(errors.size(), 0);
        QCOMPARE(disconnected.size(), 0);
        return;
    }
    QVERIFY(errors.wait(5000));
    QCOMPARE(errors.at(0).at(0).toString(), error);
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).toInt(), 1009);
    QCOMPARE(text.size() + bin.size(), 0);
    QTRY_COMPARE(opened.size(), 2); // and it reconnects
}

void TestWebSocketClient::largeMessageArrivesWhole_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("fragment"); // bytes per frame; 0: one frame
    // Qt 6.4's QWebSocket never delivered one frame larger than its 1 MiB read buffer.
    QTest::newRow("1.1 MB in one frame") << 1'100'000 << 0;
    QTest::newRow("4 MB in one frame") << 4'000'000 << 0;
    QTest::newRow("16 MiB in one frame") << 16 * 1024 * 1024 << 0;
    QTest::newRow("16 MiB in 64 KiB frames") << 16 * 1024 * 1024 << 64 * 1024;
}

void TestWebSocketClient::largeMessageArrivesWhole()
{
    QFETCH(int, size);
    QFETCH(int, fragment);
    QByteArray payload;
    payload.reserve(size);
    for (int i = 0; payload.size() < size; ++i) {
        payload += "row " + QByteArray::number(i) + ';';
    }
    payload.truncate(size);
    RawTestServer server([&](QTcpSocket *socket, const QByteArray &head) {
        rawws::acceptHandshake(socket, head);
        if (fragment == 0) {
            socket->write(rawws::serverFrame(0x1, payload));
        } else {
            for (qsizetype at = 0; at < payload.size(); at += fragment) {
                const bool last = at + fragment >= payload.size();
                socket->write(
                    rawws::serverFrame(at == 0 ? 0x1 : 0x0, payload.mid(at, fragment), 0, last));
            }
        }
        socket->write(rawws::serverFrame(0x1, "after"));
    });
    WebSocketClient client;
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    client.open(fastSettings(server.url("ws"))); // the default 1 MiB read buffer
    QTRY_COMPARE_WITH_TIMEOUT(text.size(), 2, 30000);
    QVERIFY(text.at(0).at(0).toByteArray() == payload);
    QCOMPARE(text.at(1).at(0).toByteArray(), QByteArray("after"));
    QCOMPARE(errors.size(), 0);
    QCOMPARE(client.state(), WebSocketClient::State::Open);
}

void TestWebSocketClient::textSplitInsideCodePoint_data()
{
    QTest::addColumn<int>("split");
    // RFC 6455 5.6: a text frame may end inside a code point; only the message must be valid.
    const QByteArray text = QStringLiteral("κόσμε 😀 € ✓").toUtf8();
    for (int split = 1; split < text.size(); ++split) {
        QTest::addRow("after byte %d", split) << split;
    }
}

void TestWebSocketClient::textSplitInsideCodePoint()
{
    QFETCH(int, split);
    const QByteArray utf8 = QStringLiteral("κόσμε 😀 € ✓").toUtf8();
    RawTestServer server([&](QTcpSocket *socket, const QByteArray &head) {
        rawws::acceptHandshake(socket, head);
        socket->write(rawws::serverFrame(0x1, utf8.left(split), 0, false));
        socket->write(rawws::serverFrame(0x0, utf8.mid(split)));
    });
    WebSocketClient client;
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy disconnected(&client, &WebSocketClient::disconnected);
    client.open(fastSettings(server.url("ws")));
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toByteArray(), utf8);
    QCOMPARE(errors.size(), 0);
    QCOMPARE(disconnected.size(), 0);
}

void TestWebSocketClient::silentHandshakeTimesOut()
{
    RawTestServer server; // accepts the connection, reads the upgrade, never answers
    WebSocketClient client;
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy scheduled(&client, &WebSocketClient::reconnectScheduled);
    WebSocketSettings settings = fastSettings(server.url("ws"));
    settings.handshakeTimeoutMs = 200;
    client.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(scheduled.size() >= 2, 10000);
    QCOMPARE(errors.at(0).at(0).toString(),
        QStringLiteral("no answer to the WebSocket handshake within 200 ms: connection "
                       "considered dead"));
    QVERIFY(server.connections >= 2); // and it tries again
}

// An HTTP proxy that only tunnels (CONNECT), as corporate proxies do for WebSocket.
class ConnectProxy : public QObject
{
public:
    ConnectProxy()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_server.nextPendingConnection()) {
                client->setParent(this);
                connect(client, &QTcpSocket::readyRead, this, [this, client] {
                    if (client->property("upstream").isValid()) {
                        return;
                    }
                    const QByteArray head = client->peek(8192);
                    const qsizetype end = head.indexOf("\r\n\r\n");
                    if (end < 0) {
                        return;
                    }
                    client->read(end + 4);
                    const QByteArray line = head.left(head.indexOf("\r\n"));
                    requests.append(line);
                    const QByteArray target = line.split(' ').value(1);
                    auto *upstream = new QTcpSocket(this);
                    client->setProperty("upstream", true);
                    connect(upstream, &QTcpSocket::connected, client, [client, upstream] {
                        client->write("HTTP/1.1 200 Connection established\r\n\r\n");
                        client->write(client->readAll());
                        connect(client, &QTcpSocket::readyRead, upstream,
                            [client, upstream] { upstream->write(client->readAll()); });
                        connect(upstream, &QTcpSocket::readyRead, client,
                            [client, upstream] { client->write(upstream->readAll()); });
                        connect(upstream, &QTcpSocket::disconnected, client,
                            &QTcpSocket::disconnectFromHost);
                        connect(client, &QTcpSocket::disconnected, upstream,
                            &QTcpSocket::disconnectFromHost);
                    });
                    const qsizetype colon = target.lastIndexOf(':');
                    upstream->connectToHost(QString::fromLatin1(target.left(colon)),
                        quint16(target.mid(colon + 1).toUInt()));
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }
    QByteArrayList requests; // each CONNECT line

private:
    QTcpServer m_server;
};

void TestWebSocketClient::throughHttpConnectProxy()
{
    WsTestServer server;
    QVERIFY(server.listen());
    ConnectProxy proxy;
    // Set on the stream: Qt never sends loopback hosts through the application's proxy.
    WebSocketClient client;
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    WebSocketSettings settings = fastSettings(server.url());
    settings.proxy
        = QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), proxy.port());
    client.open(settings);
    QTRY_COMPARE(client.state(), WebSocketClient::State::Open);
    client.sendText(QByteArray("through the tunnel"));
    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(text.at(0).at(0).toByteArray(), QByteArray("through the tunnel"));
    QCOMPARE(proxy.requests,
        QByteArrayList{"CONNECT 127.0.0.1:" + QByteArray::number(server.port()) + " HTTP/1.1"});
}

void TestWebSocketClient::compressionWithNodeWs_data()
{
    QTest::addColumn<QStringList>("serverArguments");
    QTest::addColumn<bool>("offer");
    QTest::addColumn<QString>("extensions"); // what the client reports as in use
    QTest::newRow("context takeover")
        << QStringList{QStringLiteral("--deflate")} << true << QStringLiteral("permessage-deflate");
    QTest::newRow("no context takeover")
        << QStringList{QStringLiteral("--deflate"), QStringLiteral("--no-context-takeover")} << true
        << QStringLiteral("permessage-deflate");
    QTest::newRow("server without deflate") << QStringList() << true << QString();
    QTest::newRow("client without deflate")
        << QStringList{QStringLiteral("--deflate")} << false << QString();
}

void TestWebSocketClient::compressionWithNodeWs()
{
    QFETCH(QStringList, serverArguments);
    QFETCH(bool, offer);
    QFETCH(QString, extensions);
    // node's ws: the most used WebSocket server library, compressing every message it sends.
    NodeWsServer node(QStringList{QStringLiteral("--greeting-bytes"), QStringLiteral("300000")}
        + serverArguments);
    QString problem;
    QVERIFY2(node.waitForListening(&problem), qPrintable(problem));

    WebSocketClient client;
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    WebSocketSettings settings = fastSettings(node.url());
    settings.compression = offer;
    client.open(settings);
    QTRY_COMPARE_WITH_TIMEOUT(text.size(), 2, 10000);
    QCOMPARE(client.extensions(), extensions);
    const QJsonObject hello = parseObject(text.at(0).at(0));
    QCOMPARE(hello.value(QLatin1String("extensions"))
                 .toString()
                 .startsWith(QLatin1String("permessage-deflate")),
        offer);
    // A 300 kB JSON greeting, inflated as it streamed in.
    const QJsonArray rows = QJsonDocument::fromJson(text.at(1).at(0).toByteArray()).array();
    QVERIFY(rows.size() > 1000);
    QCOMPARE(rows.last().toObject().value(QLatin1String("row")).toInt(), rows.size() - 1);

    // Ours go compressed where negotiated (ws inflates them to echo), small and large alike.
    const QByteArrayList sent{"small", QByteArray(100'000, 'a') + "end",
        QStringLiteral("κόσμε ").toUtf8().repeated(1000), "small"};
    for (const QByteArray &message : sent) {
        client.sendText(message);
    }
    QTRY_COMPARE(text.size(), 2 + int(sent.size()));
    for (int i = 0; i < sent.size(); ++i) {
        QVERIFY2(text.at(2 + i).at(0).toByteArray() == sent.at(i), qPrintable(QString::number(i)));
    }
    QCOMPARE(errors.size(), 0);
    client.close();
    QTRY_COMPARE(client.state(), WebSocketClient::State::Closed);
}

void TestWebSocketClient::brokenFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<int>("code");
    QTest::newRow("invalid UTF-8 text") << rawws::serverFrame(0x1, "ok \xc3\x28 then") << 1007;
    QTest::newRow("overlong UTF-8 text") << rawws::serverFrame(0x1, "\xc0\xaf") << 1007;
    QTest::newRow("UTF-16 surrogate text") << rawws::serverFrame(0x1, "\xed\xa0\x80") << 1007;
    QTest::newRow("reserved opcode") << rawws::serverFrame(0x3, "x") << 1002;
    QTest::newRow("rsv bit without extension") << rawws::serverFrame(0x1, "x", 0x4) << 1002;
    QTest::newRow("continuation with nothing to continue") << rawws::serverFrame(0x0, "x") << 1002;
}

void TestWebSocketClient::brokenFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, code);
    int connections = 0;
    RawTestServer server([&](QTcpSocket *socket, const QByteArray &head) {
        rawws::acceptHandshake(socket, head);
        if (++connections == 1) {
            socket->write(frame);
        }
    });
    WebSocketClient client;
    QSignalSpy opened(&client, &WebSocketClient::opened);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy disconnected(&client, &WebSocketClient::disconnected);
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    client.open(fastSettings(server.url("ws")));
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).toInt(), code);
    QCOMPARE(errors.size(), 1);
    const QString message = errors.at(0).at(0).toString();
    QVERIFY2(message.contains(QString::number(code)), qPrintable(message));
    QCOMPARE(text.size(), 0);
    // The client said why, in its close frame, before it hung up.
    QTRY_COMPARE(rawws::clientCloseCode(server.afterHead.value(0)), code);
    QTRY_COMPARE(opened.size(), 2);
}

void TestWebSocketClient::closeIsOrderly()
{
    WsTestServer server;
    QVERIFY(server.listen());
    WebSocketClient client;
    QSignalSpy opened(&client, &WebSocketClient::opened);
    QSignalSpy disconnected(&client, &WebSocketClient::disconnected);
    QSignalSpy closed(&client, &WebSocketClient::closed);
    QSignalSpy states(&client, &WebSocketClient::stateChanged);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    client.open(fastSettings(server.url()));
    QVERIFY(opened.wait(5000));
    QPointer<QWebSocket> peer = server.last();
    QVERIFY(peer);
    QSignalSpy peerDisconnected(peer.data(), &QWebSocket::disconnected);
    client.close();
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).value<WebSocketClient::CloseReason>(),
        WebSocketClient::CloseReason::Requested);
    QCOMPARE(closed.at(0).at(1).toInt(), 1000);
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).toInt(), 1000);
    QCOMPARE(client.state(), WebSocketClient::State::Closed);
    QCOMPARE(states.last().at(0).value<WebSocketClient::State>(), WebSocketClient::State::Closed);
    QTRY_COMPARE(peerDisconnected.size(), 1);
    QCOMPARE(peer->closeCode(), QWebSocketProtocol::CloseCodeNormal);
    QCOMPARE(errors.size(), 0);
    client.close(); // nothing more
    QVERIFY(!closed.wait(30));
    QCOMPARE(server.requests.size(), 1);
}

void TestWebSocketClient::closeWhileReconnecting()
{
    const quint16 port = unusedLocalPort();
    WebSocketClient client;
    QSignalSpy closed(&client, &WebSocketClient::closed);
    QSignalSpy connecting(&client, &WebSocketClient::connecting);
    WebSocketSettings settings = fastSettings(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
    settings.initialDelayMs = 200;
    client.open(settings);
    QTRY_COMPARE(client.state(), WebSocketClient::State::Reconnecting);
    client.close();
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).value<WebSocketClient::CloseReason>(),
        WebSocketClient::CloseReason::Requested);
    QVERIFY(!connecting.wait(300));
    QCOMPARE(closed.size(), 1);
}

void TestWebSocketClient::deleteFromSlot()
{
    WsTestServer server;
    QVERIFY(server.listen());
    QPointer<WebSocketClient> client = new WebSocketClient;
    connect(client.data(), &WebSocketClient::disconnected, this, [&client] { delete client; });
    QSignalSpy opened(client.data(), &WebSocketClient::opened);
    client->open(fastSettings(server.url()));
    QVERIFY(opened.wait(5000));
    server.kill();
    QTRY_VERIFY(client.isNull());
}

void TestWebSocketClient::closeOrDeleteFromSlot_data()
{
    QTest::addColumn<QString>("signal");
    QTest::addColumn<bool>("remove");
    for (const bool remove : {false, true}) {
        const char *verb = remove ? "delete in " : "close in ";
        for (const char *signal :
            {"opened", "textMessageReceived", "messageSent", "errorOccurred", "connecting"}) {
            QTest::addRow("%s%s", verb, signal) << QString::fromLatin1(signal) << remove;
        }
    }
}

void TestWebSocketClient::closeOrDeleteFromSlot()
{
    QFETCH(QString, signal);
    QFETCH(bool, remove);
    // Sends a message on connect, then drops the connection abruptly: every signal occurs.
    RawTestServer server([](QTcpSocket *socket, const QByteArray &head) {
        rawws::acceptHandshake(socket, head);
        socket->write(rawws::serverFrame(0x1, "hi"));
        socket->write(rawws::serverFrame(0x1, "second"));
        socket->disconnectFromHost();
    });
    QPointer<WebSocketClient> client = new WebSocketClient;
    QSignalSpy closed(client.data(), &WebSocketClient::closed);
    QSignalSpy text(client.data(), &WebSocketClient::textMessageReceived);
    int calls = 0;
    auto act = [&] {
        ++calls;
        if (remove) {
            delete client.data();
        } else {
            client->close();
        }
    };
    const QByteArray name = signal.toLatin1();
    if (name == "opened") {
        connect(client.data(), &WebSocketClient::opened, this, act);
    } else if (name == "textMessageReceived") {
        connect(client.data(), &WebSocketClient::textMessageReceived, this, act);
    } else if (name == "messageSent") {
        connect(client.data(), &WebSocketClient::messageSent, this, act);
    } else if (name == "errorOccurred") {
        connect(client.data(), &WebSocketClient::errorOccurred, this, act);
    } else {
        connect(client.data(), &WebSocketClient::connecting, this, act);
    }
    WebSocketSettings settings = fastSettings(server.url("ws"));
    settings.onOpenMessages = {"hello"};
    client->open(settings);
    QTRY_COMPARE(calls, 1);
    if (remove) {
        QVERIFY(client.isNull());
    } else {
        // close() of an open connection runs the closing handshake: it ends when the server
        // answers or hangs up, sooner or later depending on the machine.
        QTRY_COMPARE(client->state(), WebSocketClient::State::Closed);
        QCOMPARE(closed.size(), 1);
        QCOMPARE(closed.at(0).at(0).value<WebSocketClient::CloseReason>(),
            WebSocketClient::CloseReason::Requested);
        if (name == "textMessageReceived") {
            QCOMPARE(text.size(), 1); // nothing after close()
        }
        QVERIFY(!closed.wait(50));
        QCOMPARE(calls, 1);
        delete client.data();
    }
}

void TestWebSocketClient::invalidUrlIsFatal()
{
    WebSocketClient client;
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy closed(&client, &WebSocketClient::closed);
    client.open(fastSettings(QUrl(QStringLiteral("http://127.0.0.1:1/"))));
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).value<WebSocketClient::CloseReason>(),
        WebSocketClient::CloseReason::Fatal);
    QCOMPARE(errors.size(), 1);
    QVERIFY(errors.at(0).at(0).toString().contains(QLatin1String("invalid WebSocket URL")));
}

void TestWebSocketClient::demoFeedStreamsMetrics()
{
    DemoWebSocketFeed::Settings settings;
    settings.intervalMs = 20;
    settings.seed = 7;
    DemoWebSocketFeed feed(settings);
    PeekingServer server(&feed);
    WebSocketClient client;
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    client.open(fastSettings(server.url()));
    // hello, then several ticks of the four default hosts
    QTRY_VERIFY_WITH_TIMEOUT(text.size() >= 1 + 4 * 3, 5000);
    QCOMPARE(feed.clientCount(), 1);
    const QJsonObject hello = parseObject(text.at(0).at(0));
    QCOMPARE(hello.value(QLatin1String("type")).toString(), QStringLiteral("hello"));
    QCOMPARE(hello.value(QLatin1String("hosts")).toArray().size(), 4);
    QSet<QString> hosts;
    for (qsizetype i = 1; i < text.size(); ++i) {
        const QJsonObject metric = parseObject(text.at(i).at(0));
        QCOMPARE(metric.value(QLatin1String("type")).toString(), QStringLiteral("metric"));
        hosts.insert(metric.value(QLatin1String("host")).toString());
        const double cpu = metric.value(QLatin1String("cpu")).toDouble(-1);
        const double mem = metric.value(QLatin1String("mem")).toDouble(-1);
        QVERIFY(cpu > 0 && cpu < 1);
        QVERIFY(mem > 0 && mem < 1);
        QVERIFY(metric.value(QLatin1String("rx")).toDouble() >= 1000);
        QVERIFY(metric.value(QLatin1String("tx")).toDouble() >= 1000);
        QVERIFY(qAbs(metric.value(QLatin1String("ts")).toDouble()
                    - double(QDateTime::currentMSecsSinceEpoch()))
            < 60000);
    }
    QCOMPARE(hosts,
        (QSet<QString>{QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("db-1"),
            QStringLiteral("cache-1")}));
    QCOMPARE(errors.size(), 0);
    client.close();
    QTRY_COMPARE(feed.clientCount(), 0);
}

void TestWebSocketClient::demoFeedRequests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("replyType");
    QTest::addColumn<QString>("replyContains");
    QTest::newRow("subscribe") << QByteArray(R"({"subscribe":"host-a"})")
                               << QStringLiteral("subscribed") << QStringLiteral("host-a");
    QTest::newRow("unsubscribe unknown")
        << QByteArray(R"({"unsubscribe":"host-z"})") << QStringLiteral("error")
        << QStringLiteral("not subscribed");
    QTest::newRow("not JSON") << QByteArray("hello?") << QStringLiteral("error")
                              << QStringLiteral("invalid JSON");
    QTest::newRow("other request") << QByteArray(R"({"publish":"x"})") << QStringLiteral("error")
                                   << QStringLiteral("unknown request");
    QTest::newRow("bad topic") << QByteArray(R"({"subscribe":"a b"})") << QStringLiteral("error")
                               << QStringLiteral("a topic is a host name");
    QTest::newRow("topic not a string")
        << QByteArray(R"({"subscribe":1})") << QStringLiteral("error")
        << QStringLiteral("a topic is a host name");
}

void TestWebSocketClient::demoFeedRequests()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, replyType);
    QFETCH(QString, replyContains);
    DemoWebSocketFeed::Settings settings;
    settings.intervalMs = 20;
    DemoWebSocketFeed feed(settings);
    PeekingServer server(&feed);
    WebSocketClient client;
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    WebSocketSettings clientSettings = fastSettings(server.url());
    clientSettings.onOpenMessages = {request};
    client.open(clientSettings);
    // The reply, then (for a subscription) samples of that host only.
    auto replyIndex = [&]() -> qsizetype {
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QString type
                = parseObject(text.at(i).at(0)).value(QLatin1String("type")).toString();
            if (type != QLatin1String("hello") && type != QLatin1String("metric")) {
                return i;
            }
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(replyIndex() >= 0, 5000);
    const qsizetype at = replyIndex();
    const QString reply = text.at(at).at(0).toString();
    QCOMPARE(parseObject(reply).value(QLatin1String("type")).toString(), replyType);
    QVERIFY2(reply.contains(replyContains), qPrintable(reply));
    if (replyType == QLatin1String("subscribed")) {
        QTRY_VERIFY(text.size() >= at + 4);
        for (qsizetype i = at + 1; i < text.size(); ++i) {
            QCOMPARE(parseObject(text.at(i).at(0)).value(QLatin1String("host")).toString(),
                QStringLiteral("host-a"));
        }
    }
    QCOMPARE(client.state(), WebSocketClient::State::Open);
}

void TestWebSocketClient::certificates_data()
{
    QTest::addColumn<QByteArray>("certificate");
    QTest::addColumn<bool>("trustCa"); // the test CA in caCertificatesFile
    QTest::addColumn<QString>("error"); // expected in the refusal; empty: the socket opens
    QTest::newRow("trusted via CA file") << QByteArray(s_goodCertificatePem) << true << QString();
    QTest::newRow("untrusted") << QByteArray(s_goodCertificatePem) << false
                               << QStringLiteral("TLS handshake failed: certificate for 127.0.0.1 "
                                                 "is not trusted (subject: 127.0.0.1; issuer: "
                                                 "Streamscope Test CA)");
    QTest::newRow("wrong host") << QByteArray(s_wronghostCertificatePem) << true
                                << QStringLiteral("host name mismatch: certificate is for "
                                                  "wrong.example, not 127.0.0.1");
    QTest::newRow("expired") << QByteArray(s_expiredCertificatePem) << true
                             << QStringLiteral("certificate for 127.0.0.1 expired on "
                                               "2020-01-01T00:00:00Z");
}

void TestWebSocketClient::certificates()
{
    QFETCH(QByteArray, certificate);
    QFETCH(bool, trustCa);
    QFETCH(QString, error);
    testtls::WssServer server(certificate.constData());
    QVERIFY(server.isListening());
    const testtls::CaFile ca;
    WebSocketClient client;
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy closed(&client, &WebSocketClient::closed);
    QSignalSpy reconnects(&client, &WebSocketClient::reconnectScheduled);
    QSignalSpy warnings(&client, &WebSocketClient::certificateWarning);
    WebSocketSettings settings = fastSettings(server.url());
    if (trustCa) {
        settings.caCertificatesFile = ca.fileName();
    }
    client.open(settings);

    if (error.isEmpty()) {
        QTRY_COMPARE(text.size(), 1);
        QCOMPARE(text.at(0).at(0).toString(), QStringLiteral("hello"));
        QCOMPARE(errors.size(), 0);
    } else {
        // Fatal: retrying cannot make a certificate trusted.
        QTRY_COMPARE(closed.size(), 1);
        QCOMPARE(closed.at(0).at(0).value<WebSocketClient::CloseReason>(),
            WebSocketClient::CloseReason::Fatal);
        QCOMPARE(errors.size(), 1);
        const QString message = errors.at(0).at(0).toString();
        QVERIFY2(message.contains(error) && message.endsWith(QStringLiteral(": not retrying")),
            qPrintable(message));
        QCOMPARE(reconnects.size(), 0);
        QCOMPARE(text.size(), 0);
    }
    QCOMPARE(warnings.size(), 0);
}

void TestWebSocketClient::ignoredCertificateErrorsWarn()
{
    testtls::WssServer server(s_wronghostCertificatePem); // untrusted and for another host
    QVERIFY(server.isListening());
    WebSocketClient client;
    QSignalSpy text(&client, &WebSocketClient::textMessageReceived);
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy warnings(&client, &WebSocketClient::certificateWarning);
    WebSocketSettings settings = fastSettings(server.url());
    settings.ignoreCertificateErrors = true;
    client.open(settings);

    QTRY_COMPARE(text.size(), 1);
    QCOMPARE(errors.size(), 0);
    QCOMPARE(warnings.size(), 1);
    const QString warning = warnings.at(0).at(0).toString();
    QVERIFY2(warning.contains(QStringLiteral("certificate for 127.0.0.1 is not trusted"))
            && warning.contains(QStringLiteral("host name mismatch"))
            && warning.endsWith(QStringLiteral("proceeding, since certificate errors are "
                                               "ignored for this stream")),
        qPrintable(warning));
}

void TestWebSocketClient::unreadableCaFileIsFatal()
{
    WebSocketClient client;
    QSignalSpy errors(&client, &WebSocketClient::errorOccurred);
    QSignalSpy closed(&client, &WebSocketClient::closed);
    QSignalSpy connecting(&client, &WebSocketClient::connecting);
    WebSocketSettings settings = fastSettings(QUrl(QStringLiteral("wss://127.0.0.1:1/")));
    settings.caCertificatesFile = QStringLiteral("/nonexistent/streamscope-ca.pem");
    client.open(settings);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).value<WebSocketClient::CloseReason>(),
        WebSocketClient::CloseReason::Fatal);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.at(0).at(0).toString().startsWith(
                 QStringLiteral("CA certificates file \"/nonexistent/streamscope-ca.pem\"")),
        qPrintable(errors.at(0).at(0).toString()));
    QCOMPARE(connecting.size(), 0);
}

QTEST_MAIN(TestWebSocketClient)
#include "tst_websocketclient.moc"
