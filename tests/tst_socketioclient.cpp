// SPDX-License-Identifier: GPL-3.0-or-later
// SocketIoClient against npm socket.io 4.8 (tests/peers/socketio-server.mjs), and against a bare
// WebSocket server playing a silent or broken Engine.IO peer.
#include "nodesocketioserver.h"
#include "socketioclient.h"
#include "wstestserver.h"

#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

using namespace streamscope;

namespace {

// Fast settings for tests: reconnects in milliseconds, no WebSocket pings (Engine.IO's only).
SocketIoSettings fastSettings(const QUrl &url, const QList<SocketIoNamespace> &namespaces = {})
{
    SocketIoSettings settings;
    settings.webSocket.url = url;
    settings.webSocket.initialDelayMs = 20;
    settings.webSocket.maxDelayMs = 100;
    settings.webSocket.healthyAfterMs = 60000;
    settings.webSocket.pingIntervalMs = 0;
    settings.webSocket.closeTimeoutMs = 500;
    settings.namespaces = namespaces;
    return settings;
}

SocketIoNamespace admin(const QByteArray &auth)
{
    return SocketIoNamespace{QStringLiteral("/admin"), auth};
}

// The events of one namespace and name among those a spy on eventReceived recorded.
int countEvents(const QSignalSpy &spy, const QString &nameSpace, const QByteArray &event)
{
    int count = 0;
    for (const QList<QVariant> &arguments : spy) {
        if (arguments.at(0).toString() == nameSpace && arguments.at(1).toByteArray() == event) {
            ++count;
        }
    }
    return count;
}

const QByteArray s_openPacket
    = R"(0{"sid":"silent","upgrades":[],"pingInterval":200,"pingTimeout":100,"maxPayload":1000})";

} // namespace

class TestSocketIoClient : public QObject
{
    Q_OBJECT
private slots:
    void eventsArrive();
    void pingsAnsweredPastTimeouts();
    void namespaceAuth_data();
    void namespaceAuth();
    void emitWithAck();
    void serverAckRequestsAreAnswered();
    void binaryEventAndAck();
    void serverRestartRejoins();
    void silentServerIsDeadLink();
    void malformedPacketsAreNotFatal();
    void badOpenPacketWaitsForItsDeadline();
    void badSettingsAreFatal_data();
    void badSettingsAreFatal();
};

void TestSocketIoClient::eventsArrive()
{
    NodeSocketIoServer server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    SocketIoClient client;
    QSignalSpy opened(&client, &SocketIoClient::opened);
    QSignalSpy joined(&client, &SocketIoClient::namespaceJoined);
    QSignalSpy events(&client, &SocketIoClient::eventReceived);
    QSignalSpy protocolErrors(&client, &SocketIoClient::protocolError);
    client.open(fastSettings(server.url()));
    QTRY_VERIFY_WITH_TIMEOUT(events.size() >= 5, 20000);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(joined.size(), 1);
    QCOMPARE(joined.first().first().toString(), QStringLiteral("/"));
    QVERIFY(client.isSessionOpen());
    QCOMPARE(client.session().pingIntervalMs, 25000);
    QCOMPARE(client.namespaceState(QStringLiteral("/")), SocketIoClient::NamespaceState::Joined);
    const QList<QVariant> first = events.first();
    QCOMPARE(first.at(0).toString(), QStringLiteral("/"));
    QCOMPARE(first.at(1).toByteArray(), QByteArray("metrics"));
    QVERIFY2(first.at(2).toByteArray().startsWith(R"([{"cpu":)"), first.at(2).toByteArray());
    QVERIFY(first.at(2).toByteArray().endsWith(R"(,"seq":1}])"));
    QCOMPARE(first.at(3).toBool(), false);
    QCOMPARE(protocolErrors.size(), 0);

    QSignalSpy closed(&client, &SocketIoClient::closed);
    client.close();
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 10000);
    QCOMPARE(closed.first().first().value<WebSocketClient::CloseReason>(),
        WebSocketClient::CloseReason::Requested);
}

void TestSocketIoClient::pingsAnsweredPastTimeouts()
{
    // pingInterval + pingTimeout is 500 ms: an unanswered ping would end the connection within it.
    NodeSocketIoServer server({300, 200});
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    SocketIoClient client;
    QSignalSpy events(&client, &SocketIoClient::eventReceived);
    QSignalSpy gaps(&client, &SocketIoClient::roundTripMeasured);
    QSignalSpy disconnected(&client, &SocketIoClient::disconnected);
    QSignalSpy errors(&client, &SocketIoClient::errorOccurred);
    client.open(fastSettings(server.url()));
    QTRY_VERIFY_WITH_TIMEOUT(client.isSessionOpen(), 20000);
    QCOMPARE(client.session().pingIntervalMs, 300);
    QCOMPARE(client.session().pingTimeoutMs, 200);
    // About three ping intervals of events at one per 50 ms, and four answered pings.
    QTRY_VERIFY_WITH_TIMEOUT(events.size() >= 30 && gaps.size() >= 4, 30000);
    QCOMPARE(disconnected.size(), 0);
    QCOMPARE(errors.size(), 0);
    QCOMPARE(server.connections("/"), 1);
    QCOMPARE(client.webSocket()->attempt(), 1);
    // The gap between pings is about pingInterval; never below it by much.
    QVERIFY2(client.pingGapMs() >= 250, QByteArray::number(client.pingGapMs()));
    QCOMPARE(gaps.last().first().toInt(), client.pingGapMs());
}

void TestSocketIoClient::namespaceAuth_data()
{
    QTest::addColumn<QList<SocketIoNamespace>>("namespaces");
    QTest::addColumn<bool>("adminJoined");
    QTest::addColumn<bool>("fatal");
    QTest::newRow("token ok") << QList<SocketIoNamespace>{admin(R"({"token":"secret"})")} << true
                              << false;
    QTest::newRow("wrong token, alone: fatal")
        << QList<SocketIoNamespace>{admin(R"({"token":"guess"})")} << false << true;
    QTest::newRow("no auth, alone: fatal") << QList<SocketIoNamespace>{admin({})} << false << true;
    QTest::newRow("wrong token beside /: / goes on")
        << QList<SocketIoNamespace>{SocketIoNamespace(), admin(R"({"token":"guess"})")} << false
        << false;
}

void TestSocketIoClient::namespaceAuth()
{
    QFETCH(QList<SocketIoNamespace>, namespaces);
    QFETCH(bool, adminJoined);
    QFETCH(bool, fatal);
    NodeSocketIoServer server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    SocketIoClient client;
    QSignalSpy events(&client, &SocketIoClient::eventReceived);
    QSignalSpy refused(&client, &SocketIoClient::namespaceRefused);
    QSignalSpy closed(&client, &SocketIoClient::closed);
    QSignalSpy connecting(&client, &SocketIoClient::connecting);
    client.open(fastSettings(server.url(), namespaces));
    if (adminJoined) {
        QTRY_VERIFY_WITH_TIMEOUT(
            countEvents(events, QStringLiteral("/admin"), "status") >= 3, 20000);
        QCOMPARE(refused.size(), 0);
        QCOMPARE(countEvents(events, QStringLiteral("/"), "metrics"), 0); // "/" was not asked for
        return;
    }
    QTRY_COMPARE_WITH_TIMEOUT(refused.size(), 1, 20000);
    QCOMPARE(refused.first().at(0).toString(), QStringLiteral("/admin"));
    QCOMPARE(refused.first().at(1).toString(), QStringLiteral("not authorized"));
    QCOMPARE(
        client.namespaceState(QStringLiteral("/admin")), SocketIoClient::NamespaceState::Refused);
    if (fatal) {
        QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 10000);
        QCOMPARE(closed.first().first().value<WebSocketClient::CloseReason>(),
            WebSocketClient::CloseReason::Fatal);
        QCOMPARE(connecting.size(), 1); // not retried
        return;
    }
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, QStringLiteral("/"), "metrics") >= 3, 20000);
    QCOMPARE(closed.size(), 0);
    QCOMPARE(countEvents(events, QStringLiteral("/admin"), "status"), 0);
    // A refused namespace takes no emits.
    QVERIFY(!client.emitEvent(QStringLiteral("/admin"), "echo", "[]").accepted);
}

void TestSocketIoClient::emitWithAck()
{
    NodeSocketIoServer server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    SocketIoClient client;
    QSignalSpy acks(&client, &SocketIoClient::ackReceived);
    QSignalSpy sent(&client, &SocketIoClient::eventSent);
    const QList<SocketIoNamespace> namespaces{SocketIoNamespace(), admin(R"({"token":"secret"})")};
    client.open(fastSettings(server.url(), namespaces));
    // Emitted before any namespace is joined: held, then sent once it is.
    const SocketIoEmit first
        = client.emitEvent(QStringLiteral("/"), "echo", R"([1,"two",{"three":3}])", true);
    QVERIFY2(first.accepted, qPrintable(first.error));
    QCOMPARE(first.ackId, 0);
    const SocketIoEmit noAck = client.emitEvent(QStringLiteral("/"), "echo", "5");
    QVERIFY(noAck.accepted);
    QCOMPARE(noAck.ackId, -1);
    const SocketIoEmit second
        = client.emitEvent(QStringLiteral("/admin"), "echo", R"({"single":true})", true);
    QCOMPARE(second.ackId, 1);
    QTRY_COMPARE_WITH_TIMEOUT(acks.size(), 2, 20000);
    QCOMPARE(sent.size(), 3);
    QCOMPARE(sent.at(0).at(0).toString(), QStringLiteral("/"));
    QCOMPARE(sent.at(0).at(1).toByteArray(), QByteArray("echo"));
    QCOMPARE(sent.at(0).at(3).toInt(), 0);
    QCOMPARE(sent.at(1).at(3).toInt(), -1);

    QHash<int, QByteArray> answers;
    for (const QList<QVariant> &ack : std::as_const(acks)) {
        answers.insert(ack.at(0).toInt(), ack.at(1).toByteArray());
        QVERIFY(ack.at(2).toInt() >= 0);
    }
    QCOMPARE(answers.value(0), QByteArray(R"([1,"two",{"three":3}])"));
    QCOMPARE(answers.value(1), QByteArray(R"([{"single":true}])"));

    // Once joined, an emit goes out at once.
    const SocketIoEmit third = client.emitEvent(QStringLiteral("/"), "echo", "[]", true);
    QCOMPARE(third.ackId, 2);
    QTRY_COMPARE_WITH_TIMEOUT(acks.size(), 3, 20000);
    QCOMPARE(acks.last().at(0).toInt(), 2);
    QCOMPARE(acks.last().at(1).toByteArray(), QByteArray("[]"));

    QCOMPARE(client.emitEvent(QStringLiteral("/nowhere"), "echo", "[]").accepted, false);
    const SocketIoEmit bad = client.emitEvent(QStringLiteral("/"), "echo", "{oops");
    QVERIFY(!bad.accepted);
    QVERIFY2(bad.error.contains(QLatin1String("JSON")), qPrintable(bad.error));
    QVERIFY(!client.emitEvent(QStringLiteral("/"), "disconnect", "[]").accepted);
}

// A server that emits with a callback hears back: the event was seen.
void TestSocketIoClient::serverAckRequestsAreAnswered()
{
    NodeSocketIoServer server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    SocketIoClient client;
    QSignalSpy events(&client, &SocketIoClient::eventReceived);
    client.open(fastSettings(server.url(), {SocketIoNamespace()}));
    QVERIFY(client.emitEvent(QStringLiteral("/"), "ask-me", "[]").accepted);
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, QStringLiteral("/"), "answered") == 1
            || countEvents(events, QStringLiteral("/"), "unanswered") == 1,
        20000);
    QCOMPARE(countEvents(events, QStringLiteral("/"), "answered"), 1);
    QCOMPARE(countEvents(events, QStringLiteral("/"), "question"), 1);
    for (const QList<QVariant> &event : std::as_const(events)) {
        if (event.at(1).toByteArray() == "answered") {
            QCOMPARE(event.at(2).toByteArray(), QByteArray("[[]]")); // the ack had no arguments
        }
    }
}

void TestSocketIoClient::binaryEventAndAck()
{
    NodeSocketIoServer server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    SocketIoClient client;
    QSignalSpy events(&client, &SocketIoClient::eventReceived);
    QSignalSpy acks(&client, &SocketIoClient::ackReceived);
    QSignalSpy protocolErrors(&client, &SocketIoClient::protocolError);
    client.open(fastSettings(server.url()));
    QVERIFY(client.emitEvent(QStringLiteral("/"), "want-blob", "[]").accepted);
    const int ackId = client.emitEvent(QStringLiteral("/"), "blob-ack", "[]", true).ackId;
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, QStringLiteral("/"), "blob") == 1, 20000);
    for (const QList<QVariant> &event : std::as_const(events)) {
        if (event.at(1).toByteArray() == "blob") {
            QCOMPARE(event.at(2).toByteArray(),
                QByteArray(R"([{"_binary":"AQID","bytes":3},{"name":"x"}])"));
            QCOMPARE(event.at(3).toBool(), true);
        } else {
            QCOMPARE(event.at(3).toBool(), false);
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(acks.size(), 1, 20000);
    QCOMPARE(acks.first().at(0).toInt(), ackId);
    QCOMPARE(
        acks.first().at(1).toByteArray(), QByteArray(R"([{"_binary":"BAU=","bytes":2},"ok"])"));
    QCOMPARE(protocolErrors.size(), 0);
}

void TestSocketIoClient::serverRestartRejoins()
{
    NodeSocketIoServer server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    SocketIoClient client;
    QSignalSpy events(&client, &SocketIoClient::eventReceived);
    QSignalSpy joined(&client, &SocketIoClient::namespaceJoined);
    QSignalSpy disconnected(&client, &SocketIoClient::disconnected);
    QSignalSpy closed(&client, &SocketIoClient::closed);
    client.open(fastSettings(server.url(), {SocketIoNamespace(), admin(R"({"token":"secret"})")}));
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, QStringLiteral("/admin"), "status") >= 2
            && countEvents(events, QStringLiteral("/"), "metrics") >= 2,
        20000);
    QCOMPARE(joined.size(), 2);

    server.stop();
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 10000);
    QCOMPARE(
        client.namespaceState(QStringLiteral("/admin")), SocketIoClient::NamespaceState::Waiting);
    const int metricsBefore = countEvents(events, QStringLiteral("/"), "metrics");
    const int statusBefore = countEvents(events, QStringLiteral("/admin"), "status");
    QVERIFY2(server.restart(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(
        countEvents(events, QStringLiteral("/admin"), "status") >= statusBefore + 3
            && countEvents(events, QStringLiteral("/"), "metrics") >= metricsBefore + 3,
        30000);
    QCOMPARE(joined.size(), 4);
    QCOMPARE(server.connections("/admin"), 2);
    QCOMPARE(server.connections("/"), 2);
    QCOMPARE(closed.size(), 0);
    QVERIFY(client.webSocket()->attempt() >= 2);
}

void TestSocketIoClient::silentServerIsDeadLink()
{
    // Completes the WebSocket handshake and opens the session, then never pings.
    WsTestServer server;
    server.echo = false;
    server.onConnection
        = [](QWebSocket *socket) { socket->sendTextMessage(QString::fromUtf8(s_openPacket)); };
    QVERIFY(server.listen());
    SocketIoClient client;
    QSignalSpy errors(&client, &SocketIoClient::errorOccurred);
    QSignalSpy disconnected(&client, &SocketIoClient::disconnected);
    QSignalSpy opened(&client, &SocketIoClient::opened);
    client.open(fastSettings(server.url()));
    QTRY_VERIFY_WITH_TIMEOUT(server.requests.size() >= 3, 20000);
    QVERIFY(opened.size() >= 2);
    QVERIFY(disconnected.size() >= 2);
    QVERIFY(!errors.isEmpty());
    const QString message = errors.first().first().toString();
    QVERIFY2(
        message.contains(QLatin1String("no Engine.IO ping within 300 ms")), qPrintable(message));
    // What the client sent first on each connection: the default namespace's CONNECT.
    QCOMPARE(server.received.first().value(0), QByteArray("T:40"));
    // The endpoint: /socket.io/ with the Engine.IO query.
    QCOMPARE(server.requests.first().url().path(), QStringLiteral("/socket.io/"));
    QCOMPARE(server.requests.first().url().query(), QStringLiteral("EIO=4&transport=websocket"));
}

void TestSocketIoClient::malformedPacketsAreNotFatal()
{
    WsTestServer server;
    server.echo = false;
    server.onConnection
        = [](QWebSocket *socket) { socket->sendTextMessage(QString::fromUtf8(s_openPacket)); };
    QVERIFY(server.listen());
    SocketIoClient client;
    QSignalSpy events(&client, &SocketIoClient::eventReceived);
    QSignalSpy protocolErrors(&client, &SocketIoClient::protocolError);
    QSignalSpy disconnected(&client, &SocketIoClient::disconnected);
    QSignalSpy joined(&client, &SocketIoClient::namespaceJoined);
    client.open(fastSettings(server.url()));
    QTRY_VERIFY_WITH_TIMEOUT(server.received.value(0).contains("T:40"), 20000);
    QWebSocket *socket = server.last();
    QVERIFY(socket);
    socket->sendTextMessage(QStringLiteral(R"(40{"sid":"n1"})"));
    socket->sendTextMessage(QStringLiteral("2"));
    socket->sendTextMessage(QStringLiteral(R"(42["metrics",{)"));
    socket->sendTextMessage(QStringLiteral("9"));
    socket->sendTextMessage(QStringLiteral(R"(42/elsewhere,["x"])"));
    socket->sendTextMessage(QStringLiteral(R"(431["no such emit"])"));
    socket->sendBinaryMessage(QByteArray("\x01"));
    socket->sendTextMessage(QStringLiteral(R"(451-["blob",{"_placeholder":true,"num":3}])"));
    socket->sendBinaryMessage(QByteArray("\x02"));
    socket->sendTextMessage(QStringLiteral(R"(42["ok",1])"));
    QTRY_COMPARE_WITH_TIMEOUT(events.size(), 1, 20000);
    QCOMPARE(events.first().at(1).toByteArray(), QByteArray("ok"));
    QCOMPARE(events.first().at(2).toByteArray(), QByteArray("[1]"));
    QCOMPARE(joined.size(), 1);
    QStringList messages;
    for (const QList<QVariant> &error : std::as_const(protocolErrors)) {
        messages.append(error.first().toString());
    }
    QCOMPARE(messages.size(), 6);
    QVERIFY2(messages.at(0).contains(QLatin1String("JSON")), qPrintable(messages.at(0)));
    QVERIFY2(messages.at(1).contains(QLatin1String("unknown Engine.IO packet type '9'")),
        qPrintable(messages.at(1)));
    QVERIFY2(messages.at(2).contains(QLatin1String("/elsewhere")), qPrintable(messages.at(2)));
    QVERIFY2(messages.at(3).contains(QLatin1String("ack 1")), qPrintable(messages.at(3)));
    QVERIFY2(
        messages.at(4).contains(QLatin1String("no binary packet")), qPrintable(messages.at(4)));
    QVERIFY2(messages.at(5).contains(QLatin1String("placeholder")), qPrintable(messages.at(5)));
    QCOMPARE(disconnected.size(), 0);
    // The ping was answered with a pong.
    QTRY_VERIFY_WITH_TIMEOUT(server.received.first().contains("T:3"), 10000);
}

void TestSocketIoClient::badOpenPacketWaitsForItsDeadline()
{
    WsTestServer server;
    server.echo = false;
    server.onConnection = [](QWebSocket *socket) {
        socket->sendTextMessage(QStringLiteral(R"(0{"pingInterval":100,"pingTimeout":100})"));
    };
    QVERIFY(server.listen());
    SocketIoClient client;
    QSignalSpy protocolErrors(&client, &SocketIoClient::protocolError);
    QSignalSpy errors(&client, &SocketIoClient::errorOccurred);
    QSignalSpy opened(&client, &SocketIoClient::opened);
    SocketIoSettings settings = fastSettings(server.url());
    settings.webSocket.handshakeTimeoutMs = 300;
    client.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(server.requests.size() >= 2, 20000);
    QVERIFY(!protocolErrors.isEmpty());
    QVERIFY2(protocolErrors.first().first().toString().contains(QLatin1String("without a sid")),
        qPrintable(protocolErrors.first().first().toString()));
    QVERIFY(!errors.isEmpty());
    QVERIFY2(errors.first().first().toString().contains(
                 QLatin1String("no Engine.IO open packet within 300 ms")),
        qPrintable(errors.first().first().toString()));
    QCOMPARE(opened.size(), 0);
    QVERIFY(server.received.first().isEmpty()); // no CONNECT without a session
}

void TestSocketIoClient::badSettingsAreFatal_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("nameSpace");
    QTest::addColumn<QByteArray>("auth");
    QTest::addColumn<QString>("error");
    QTest::newRow("ftp URL") << QStringLiteral("ftp://127.0.0.1/") << QStringLiteral("/")
                             << QByteArray() << QStringLiteral("not a Socket.IO URL");
    QTest::newRow("namespace without slash")
        << QStringLiteral("ws://127.0.0.1:1/") << QStringLiteral("admin") << QByteArray()
        << QStringLiteral("invalid namespace");
    QTest::newRow("auth not an object")
        << QStringLiteral("ws://127.0.0.1:1/") << QStringLiteral("/") << QByteArray("[1]")
        << QStringLiteral("not a JSON object");
}

void TestSocketIoClient::badSettingsAreFatal()
{
    QFETCH(QString, url);
    QFETCH(QString, nameSpace);
    QFETCH(QByteArray, auth);
    QFETCH(QString, error);
    SocketIoClient client;
    QSignalSpy errors(&client, &SocketIoClient::errorOccurred);
    QSignalSpy closed(&client, &SocketIoClient::closed);
    QSignalSpy connecting(&client, &SocketIoClient::connecting);
    client.open(fastSettings(QUrl(url), {SocketIoNamespace{nameSpace, auth}}));
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.first().first().toString().contains(error),
        qPrintable(errors.first().first().toString()));
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.first().first().value<WebSocketClient::CloseReason>(),
        WebSocketClient::CloseReason::Fatal);
    QCOMPARE(connecting.size(), 0);
}

QTEST_MAIN(TestSocketIoClient)
#include "tst_socketioclient.moc"
