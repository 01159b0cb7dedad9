// SPDX-License-Identifier: GPL-3.0-or-later
#include "mosquittobroker.h"
#include "mqttclient.h"
#include "rawtestserver.h"

#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace streamscope;

Q_DECLARE_METATYPE(streamscope::mqtt::Version)

namespace {

constexpr int Timeout = 20000;

QStringList strings(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items) {
        out << QString::fromUtf8(item);
    }
    return out;
}

MqttSettings settingsFor(
    const QUrl &url, mqtt::Version version, const QStringList &filters = {}, int qos = 0)
{
    MqttSettings settings;
    settings.webSocket.url = url;
    settings.webSocket.initialDelayMs = 50;
    settings.webSocket.maxDelayMs = 200;
    settings.webSocket.healthyAfterMs = 100;
    settings.webSocket.handshakeTimeoutMs = 5000;
    settings.version = version;
    for (const QString &filter : filters) {
        settings.subscriptions.append({filter, qos});
    }
    return settings;
}

// Everything a client reported, as comparable text.
struct Recorder
{
    explicit Recorder(MqttClient *client)
    {
        QObject::connect(client, &MqttClient::messageReceived, client,
            [this](const QString &topic, const QByteArray &payload, int qos, bool retained,
                const QList<QPair<QString, QString>> &userProperties) {
                QString line = QStringLiteral("%1 %2 q%3%4")
                                   .arg(topic, QString::fromUtf8(payload))
                                   .arg(qos)
                                   .arg(retained ? QStringLiteral(" retained") : QString());
                for (const auto &[name, value] : userProperties) {
                    line += QStringLiteral(" %1=%2").arg(name, value);
                }
                messages << line;
            });
        QObject::connect(
            client, &MqttClient::subscribed, client, [this](const QString &filter, int qos) {
                subscribed << QStringLiteral("%1 q%2").arg(filter).arg(qos);
            });
        QObject::connect(client, &MqttClient::subscribeFailed, client,
            [this](const QString &filter, const QString &reason) {
                subscribeFailures << filter + QStringLiteral(": ") + reason;
            });
        QObject::connect(client, &MqttClient::connected, client, [this] { ++connections; });
        QObject::connect(client, &MqttClient::errorOccurred, client,
            [this](const QString &message) { errors << message; });
        QObject::connect(client, &MqttClient::protocolError, client,
            [this](const QString &message) { protocolErrors << message; });
        QObject::connect(client, &MqttClient::refused, client,
            [this](const QString &message) { refusals << message; });
        QObject::connect(client, &MqttClient::roundTripMeasured, client, [this] { ++pings; });
        QObject::connect(client, &MqttClient::publishAcknowledged, client,
            [this](const QString &topic) { acknowledged << topic; });
        QObject::connect(client, &MqttClient::publishFailed, client,
            [this](const QString &topic, const QString &reason) {
                publishFailures << topic + QStringLiteral(": ") + reason;
            });
        QObject::connect(client, &MqttClient::closed, client,
            [this](WebSocketClient::CloseReason reason) { closedReasons << reason; });
    }

    QStringList messages;
    QStringList subscribed;
    QStringList subscribeFailures;
    QStringList errors;
    QStringList protocolErrors;
    QStringList refusals;
    QStringList acknowledged;
    QStringList publishFailures;
    QList<WebSocketClient::CloseReason> closedReasons;
    int connections = 0;
    int pings = 0;
};

#define START_BROKER(broker)                                                                       \
    do {                                                                                           \
        QString brokerError;                                                                       \
        if (!(broker).waitForListening(&brokerError)) {                                            \
            QFAIL(qPrintable(brokerError));                                                        \
        }                                                                                          \
    } while (false)

#define PUBLISH(broker, ...)                                                                       \
    do {                                                                                           \
        QString publishError;                                                                      \
        if (!(broker).publish(__VA_ARGS__)) {                                                      \
            QFAIL("mosquitto_pub failed");                                                         \
        }                                                                                          \
    } while (false)

void addVersions()
{
    QTest::addColumn<mqtt::Version>("version");
    QTest::newRow("3.1.1") << mqtt::Version::V311;
    QTest::newRow("5") << mqtt::Version::V5;
}

// A server that completes the WebSocket handshake, waits for the client's CONNECT and answers
// with the given MQTT bytes, each in its own binary message.
RawTestServer::Handler fakeBroker(RawTestServer **server, const QByteArrayList &replies)
{
    return [server, replies](QTcpSocket *socket, const QByteArray &head) {
        rawws::acceptHandshake(socket, head);
        const int index = (*server)->connections - 1;
        auto answered = std::make_shared<bool>(false);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [=] {
            if (*answered || (*server)->afterHead.value(index).isEmpty()) {
                return;
            }
            *answered = true;
            for (const QByteArray &reply : replies) {
                socket->write(rawws::serverFrame(0x2, reply));
            }
        });
    };
}

} // namespace

class TestMqttClient : public QObject
{
    Q_OBJECT
private slots:
    void liveMessages_data() { addVersions(); }
    void liveMessages();
    void retainedMarked_data() { addVersions(); }
    void retainedMarked();
    void qos1Acknowledged_data() { addVersions(); }
    void qos1Acknowledged();
    void wildcards_data() { addVersions(); }
    void wildcards();
    void userProperties();
    void credentials_data();
    void credentials();
    void keepAliveKeepsQuietConnection_data() { addVersions(); }
    void keepAliveKeepsQuietConnection();
    void brokerRestartResubscribes_data() { addVersions(); }
    void brokerRestartResubscribes();
    void frozenBrokerIsDeadLink();
    void publishReachesOtherSubscriber_data();
    void publishReachesOtherSubscriber();
    void publishQueuedWhileOffline();
    void closeSendsDisconnect();
    void oversizedPacketReconnects();
    void topicAliases();
    void invalidPublishRefused();
};

void TestMqttClient::liveMessages()
{
    QFETCH(mqtt::Version, version);
    MosquittoBroker broker;
    START_BROKER(broker);
    MqttClient client;
    Recorder recorder(&client);
    client.open(settingsFor(broker.url(), version, {QStringLiteral("sensors/+/temp")}));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.subscribed, strings({"sensors/+/temp q0"}), Timeout);
    QVERIFY(client.isConnected());
    QVERIFY(client.clientId().startsWith(QLatin1String("streamscope-")));
    QCOMPARE(client.clientId().size(), 20);
    QCOMPARE(client.webSocket()->subprotocol(), QStringLiteral("mqtt"));
    PUBLISH(broker, QStringLiteral("sensors/a/temp"), "21.5");
    PUBLISH(broker, QStringLiteral("sensors/b/temp"), "{\"c\":19}");
    PUBLISH(broker, QStringLiteral("sensors/a/humidity"), "40");
    PUBLISH(broker, QStringLiteral("sensors/c/temp"), "");
    QTRY_COMPARE_WITH_TIMEOUT(recorder.messages.size(), 3, Timeout);
    QCOMPARE(recorder.messages,
        strings({"sensors/a/temp 21.5 q0", "sensors/b/temp {\"c\":19} q0", "sensors/c/temp  q0"}));
    QVERIFY(recorder.errors.isEmpty());
    QVERIFY(recorder.protocolErrors.isEmpty());
}

void TestMqttClient::retainedMarked()
{
    QFETCH(mqtt::Version, version);
    MosquittoBroker broker;
    START_BROKER(broker);
    PUBLISH(broker, QStringLiteral("status/door"), "open", true);
    MqttClient client;
    Recorder recorder(&client);
    client.open(settingsFor(broker.url(), version, {QStringLiteral("status/#")}));
    QTRY_COMPARE_WITH_TIMEOUT(
        recorder.messages, strings({"status/door open q0 retained"}), Timeout);
    // Published while we are subscribed: live traffic, even with the retain flag set.
    PUBLISH(broker, QStringLiteral("status/door"), "closed", true);
    PUBLISH(broker, QStringLiteral("status/window"), "ajar");
    QTRY_COMPARE_WITH_TIMEOUT(recorder.messages.size(), 3, Timeout);
    QCOMPARE(recorder.messages.mid(1), strings({"status/door closed q0", "status/window ajar q0"}));
}

void TestMqttClient::qos1Acknowledged()
{
    QFETCH(mqtt::Version, version);
    MosquittoBroker broker;
    START_BROKER(broker);
    MqttClient client;
    Recorder recorder(&client);
    MqttSettings settings = settingsFor(broker.url(), version, {QStringLiteral("orders")}, 1);
    settings.clientId = QStringLiteral("qos1-tester");
    client.open(settings);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.subscribed, strings({"orders q1"}), Timeout);
    PUBLISH(broker, QStringLiteral("orders"), "first", false, 1);
    PUBLISH(broker, QStringLiteral("orders"), "second", false, 1);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.messages.size(), 2, Timeout);
    QCOMPARE(recorder.messages, strings({"orders first q1", "orders second q1"}));
    // The broker's own log says it got our PUBACKs.
    QTRY_VERIFY2_WITH_TIMEOUT(
        broker.log().count(QStringLiteral("Received PUBACK from qos1-tester")) == 2,
        qPrintable(broker.log()), Timeout);
}

void TestMqttClient::wildcards()
{
    QFETCH(mqtt::Version, version);
    MosquittoBroker broker;
    START_BROKER(broker);
    MqttClient client;
    Recorder recorder(&client);
    client.open(settingsFor(broker.url(), version,
        {QStringLiteral("a/#"), QStringLiteral("+/b"), QStringLiteral("x/#/y"),
            QStringLiteral("x+")}));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.subscribed.size(), 2, Timeout);
    QCOMPARE(recorder.subscribeFailures.size(), 2);
    QVERIFY2(recorder.subscribeFailures.at(0).startsWith(QLatin1String("x/#/y: ")),
        qPrintable(recorder.subscribeFailures.at(0)));
    QVERIFY(recorder.subscribeFailures.at(1).contains(QLatin1String("'+' must be a whole level")));
    PUBLISH(broker, QStringLiteral("a"), "parent level too");
    PUBLISH(broker, QStringLiteral("a/x/y"), "deep");
    PUBLISH(broker, QStringLiteral("c/b"), "single");
    PUBLISH(broker, QStringLiteral("c/d"), "not matched");
    PUBLISH(broker, QStringLiteral("c/x/b"), "not matched either");
    PUBLISH(broker, QStringLiteral("a/end"), "end");
    QTRY_COMPARE_WITH_TIMEOUT(recorder.messages.size(), 4, Timeout);
    QCOMPARE(recorder.messages,
        strings({"a parent level too q0", "a/x/y deep q0", "c/b single q0", "a/end end q0"}));
}

void TestMqttClient::userProperties()
{
    MosquittoBroker broker;
    START_BROKER(broker);
    MqttClient client;
    Recorder recorder(&client);
    client.open(settingsFor(broker.url(), mqtt::Version::V5, {QStringLiteral("t")}));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.subscribed.size(), 1, Timeout);
    PUBLISH(broker, QStringLiteral("t"), "with properties", false, 0, &publishError,
        QStringList{QStringLiteral("-V"), QStringLiteral("5"), QStringLiteral("-D"),
            QStringLiteral("publish"), QStringLiteral("user-property"), QStringLiteral("unit"),
            QStringLiteral("C"), QStringLiteral("-D"), QStringLiteral("publish"),
            QStringLiteral("user-property"), QStringLiteral("unit"), QStringLiteral("F")});
    QTRY_COMPARE_WITH_TIMEOUT(
        recorder.messages, strings({"t with properties q0 unit=C unit=F"}), Timeout);
}

void TestMqttClient::credentials_data()
{
    QTest::addColumn<mqtt::Version>("version");
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("refusal"); // empty: accepted
    const auto rows = [](const char *name, mqtt::Version version) {
        QTest::addRow("%s good", name) << version << "watcher"
                                       << "s3cret"
                                       << "";
        // mosquitto 2.0 answers a wrong password with "not authorized" (3.1.1's 5, MQTT 5's 0x87),
        // not with "bad user name or password".
        QTest::addRow("%s wrong password", name) << version << "watcher"
                                                 << "guess"
                                                 << "connection refused: not authorized";
        QTest::addRow("%s anonymous", name) << version << ""
                                            << ""
                                            << "connection refused: not authorized";
    };
    rows("3.1.1", mqtt::Version::V311);
    rows("5", mqtt::Version::V5);
}

void TestMqttClient::credentials()
{
    QFETCH(mqtt::Version, version);
    QFETCH(QString, username);
    QFETCH(QString, password);
    QFETCH(QString, refusal);
    MosquittoBroker broker(
        MosquittoBrokerOptions{QStringLiteral("watcher"), QStringLiteral("s3cret"), {}});
    START_BROKER(broker);
    MqttClient client;
    Recorder recorder(&client);
    MqttSettings settings = settingsFor(broker.url(), version, {QStringLiteral("t")});
    if (!username.isEmpty()) {
        settings.username = username;
        settings.password = password.toUtf8();
    }
    client.open(settings);
    if (refusal.isEmpty()) {
        QTRY_COMPARE_WITH_TIMEOUT(recorder.subscribed.size(), 1, Timeout);
        QVERIFY(recorder.refusals.isEmpty());
        return;
    }
    QTRY_COMPARE_WITH_TIMEOUT(recorder.closedReasons.size(), 1, Timeout);
    QCOMPARE(recorder.closedReasons.first(), WebSocketClient::CloseReason::Fatal);
    QCOMPARE(recorder.refusals, QStringList{refusal});
    QCOMPARE(client.webSocket()->attempt(), 1);
    QCOMPARE(recorder.connections, 0);
}

void TestMqttClient::keepAliveKeepsQuietConnection()
{
    QFETCH(mqtt::Version, version);
    MosquittoBroker broker;
    START_BROKER(broker);
    MqttClient client;
    Recorder recorder(&client);
    MqttSettings settings = settingsFor(broker.url(), version, {QStringLiteral("quiet")});
    settings.keepAliveSeconds = 1; // mosquitto drops a client silent for 1.5 keep-alives
    client.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(recorder.pings >= 4, Timeout);
    QCOMPARE(client.webSocket()->attempt(), 1);
    QCOMPARE(recorder.connections, 1);
    QVERIFY(client.roundTripMs() >= 0);
    QVERIFY2(recorder.errors.isEmpty(), qPrintable(recorder.errors.join(QLatin1Char('\n'))));
    PUBLISH(broker, QStringLiteral("quiet"), "still here");
    QTRY_COMPARE_WITH_TIMEOUT(recorder.messages, strings({"quiet still here q0"}), Timeout);
}

void TestMqttClient::brokerRestartResubscribes()
{
    QFETCH(mqtt::Version, version);
    MosquittoBroker broker;
    START_BROKER(broker);
    MqttClient client;
    Recorder recorder(&client);
    QSignalSpy disconnected(&client, &MqttClient::disconnected);
    client.open(settingsFor(broker.url(), version, {QStringLiteral("feed/#")}, 1));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.subscribed.size(), 1, Timeout);
    PUBLISH(broker, QStringLiteral("feed/1"), "before");
    QTRY_COMPARE_WITH_TIMEOUT(recorder.messages.size(), 1, Timeout);

    broker.stop();
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, Timeout);
    QVERIFY(!client.isConnected());
    QString error;
    QVERIFY2(broker.restart(&error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.subscribed.size(), 2, Timeout);
    QCOMPARE(recorder.connections, 2);
    PUBLISH(broker, QStringLiteral("feed/2"), "after");
    QTRY_COMPARE_WITH_TIMEOUT(recorder.messages.size(), 2, Timeout);
    QCOMPARE(recorder.messages, strings({"feed/1 before q0", "feed/2 after q0"}));
}

void TestMqttClient::frozenBrokerIsDeadLink()
{
    MosquittoBroker broker;
    START_BROKER(broker);
    MqttClient client;
    Recorder recorder(&client);
    MqttSettings settings = settingsFor(broker.url(), mqtt::Version::V311, {QStringLiteral("t")});
    settings.keepAliveSeconds = 1;
    settings.pingTimeoutMs = 500;
    settings.webSocket.handshakeTimeoutMs = 1000;
    settings.connackTimeoutMs = 1000;
    client.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(recorder.pings >= 1, Timeout);
    broker.pause();
    QTRY_VERIFY_WITH_TIMEOUT(
        recorder.errors.filter(QStringLiteral("no PINGRESP within 500 ms")).size() == 1, Timeout);
    QVERIFY(!client.isConnected());
    broker.resume();
    QTRY_COMPARE_WITH_TIMEOUT(recorder.connections, 2, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.subscribed.size(), 2, Timeout);
    PUBLISH(broker, QStringLiteral("t"), "thawed");
    QTRY_COMPARE_WITH_TIMEOUT(recorder.messages, strings({"t thawed q0"}), Timeout);
}

void TestMqttClient::publishReachesOtherSubscriber_data()
{
    QTest::addColumn<mqtt::Version>("version");
    QTest::addColumn<int>("qos");
    QTest::addColumn<bool>("retain");
    QTest::newRow("3.1.1 QoS 0") << mqtt::Version::V311 << 0 << false;
    QTest::newRow("3.1.1 QoS 1 retained") << mqtt::Version::V311 << 1 << true;
    QTest::newRow("5 QoS 0 retained") << mqtt::Version::V5 << 0 << true;
    QTest::newRow("5 QoS 1") << mqtt::Version::V5 << 1 << false;
}

void TestMqttClient::publishReachesOtherSubscriber()
{
    QFETCH(mqtt::Version, version);
    QFETCH(int, qos);
    QFETCH(bool, retain);
    MosquittoBroker broker;
    START_BROKER(broker);
    // The broker's log says when mosquitto_sub's subscription is in place.
    QProcess sub;
    sub.setProcessChannelMode(QProcess::MergedChannels);
    sub.start(QStringLiteral("mosquitto_sub"),
        QStringList{QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
            QString::number(broker.plainPort()), QStringLiteral("-i"), QStringLiteral("other"),
            QStringLiteral("-t"), QStringLiteral("out/#"), QStringLiteral("-v"),
            QStringLiteral("-C"), QStringLiteral("1")});
    QTRY_VERIFY2_WITH_TIMEOUT(broker.log().contains(QLatin1String("Sending SUBACK to other")),
        qPrintable(broker.log()), Timeout);

    MqttClient client;
    Recorder recorder(&client);
    QSignalSpy sent(&client, &MqttClient::messageSent);
    client.open(settingsFor(broker.url(), version));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.connections, 1, Timeout);
    client.publish({QStringLiteral("out/ours"), "hello \xc3\xa9", qos, retain});
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.first().at(0).toString(), QStringLiteral("out/ours"));
    // Our write needs the event loop: no blocking wait here.
    QTRY_COMPARE_WITH_TIMEOUT(sub.state(), QProcess::NotRunning, Timeout);
    const QByteArray subOutput = sub.readAll();
    QVERIFY2(subOutput.contains("out/ours hello \xc3\xa9"), subOutput.constData());
    if (qos == 1) {
        QTRY_COMPARE_WITH_TIMEOUT(recorder.acknowledged, strings({"out/ours"}), Timeout);
        QCOMPARE(client.inflightCount(), 0);
    }
    if (retain) {
        // The broker kept it: a later subscriber gets it marked retained.
        MqttClient late;
        Recorder lateRecorder(&late);
        late.open(settingsFor(broker.url(), version, {QStringLiteral("out/#")}));
        QTRY_COMPARE_WITH_TIMEOUT(lateRecorder.messages.size(), 1, Timeout);
        QVERIFY2(lateRecorder.messages.first().endsWith(QLatin1String(" retained")),
            qPrintable(lateRecorder.messages.first()));
    }
}

void TestMqttClient::publishQueuedWhileOffline()
{
    MosquittoBroker broker;
    START_BROKER(broker);
    MqttClient listener;
    Recorder heard(&listener);
    listener.open(settingsFor(broker.url(), mqtt::Version::V5, {QStringLiteral("q/#")}, 1));
    QTRY_COMPARE_WITH_TIMEOUT(heard.subscribed.size(), 1, Timeout);

    MqttClient client;
    Recorder recorder(&client);
    // Before open(): held until the CONNACK, then sent in order.
    client.publish({QStringLiteral("q/1"), "one", 1, false});
    client.publish({QStringLiteral("q/2"), "two", 0, false});
    QCOMPARE(client.queuedPublishCount(), 2);
    client.open(settingsFor(broker.url(), mqtt::Version::V311));
    QTRY_COMPARE_WITH_TIMEOUT(heard.messages.size(), 2, Timeout);
    QCOMPARE(heard.messages, strings({"q/1 one q1", "q/2 two q0"}));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.acknowledged, strings({"q/1"}), Timeout);
}

void TestMqttClient::closeSendsDisconnect()
{
    MosquittoBroker broker;
    START_BROKER(broker);
    MqttClient client;
    Recorder recorder(&client);
    MqttSettings settings = settingsFor(broker.url(), mqtt::Version::V5);
    settings.clientId = QStringLiteral("polite");
    client.open(settings);
    QTRY_COMPARE_WITH_TIMEOUT(recorder.connections, 1, Timeout);
    client.close();
    QTRY_COMPARE_WITH_TIMEOUT(recorder.closedReasons.size(), 1, Timeout);
    QCOMPARE(recorder.closedReasons.first(), WebSocketClient::CloseReason::Requested);
    QTRY_VERIFY2_WITH_TIMEOUT(
        broker.log().contains(QLatin1String("Received DISCONNECT from polite")),
        qPrintable(broker.log()), Timeout);
}

void TestMqttClient::oversizedPacketReconnects()
{
    RawTestServer *serverPointer = nullptr;
    const QByteArray connack = QByteArray::fromHex("20020000");
    QByteArray big = mqtt::encodePublish(
        mqtt::Version::V311, {QStringLiteral("t"), QByteArray(2000, 'x'), 0, false}, 0, false);
    // Split across WebSocket messages: the reader counts the whole packet.
    RawTestServer server(fakeBroker(&serverPointer, {connack, big.left(3), big.mid(3)}));
    serverPointer = &server;
    MqttClient client;
    Recorder recorder(&client);
    MqttSettings settings = settingsFor(server.url("ws", QStringLiteral("/")), mqtt::Version::V311);
    settings.maxPacketBytes = 1000;
    client.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(server.connections >= 2, Timeout);
    QVERIFY(!recorder.protocolErrors.isEmpty());
    QCOMPARE(recorder.protocolErrors.first(),
        QStringLiteral("PUBLISH packet of 2006 bytes is over the limit of 1000 bytes"));
    QVERIFY(recorder.messages.isEmpty());
}

void TestMqttClient::topicAliases()
{
    RawTestServer *serverPointer = nullptr;
    mqtt::Properties alias;
    alias.topicAlias = 3;
    const mqtt::Version v5 = mqtt::Version::V5;
    const QByteArrayList replies{QByteArray::fromHex("2003000000"),
        // Both in one WebSocket message, then the alias alone.
        mqtt::encodePublish(v5, {QStringLiteral("long/topic/name"), "a", 0, false}, 0, false, alias)
            + mqtt::encodePublish(v5, {QString(), "b", 0, false}, 0, false, alias),
        mqtt::encodePublish(v5, {QStringLiteral("other"), "c", 0, false}, 0, false),
        mqtt::encodePublish(v5, {QString(), "d", 0, false}, 0, false, alias)};
    RawTestServer server(fakeBroker(&serverPointer, replies));
    serverPointer = &server;
    MqttClient client;
    Recorder recorder(&client);
    client.open(settingsFor(server.url("ws", QStringLiteral("/")), v5));
    QTRY_COMPARE_WITH_TIMEOUT(recorder.messages.size(), 4, Timeout);
    QCOMPARE(recorder.messages,
        strings({"long/topic/name a q0", "long/topic/name b q0", "other c q0",
            "long/topic/name d q0"}));
    QVERIFY(recorder.protocolErrors.isEmpty());
}

void TestMqttClient::invalidPublishRefused()
{
    MqttClient client;
    Recorder recorder(&client);
    client.publish({QStringLiteral("a/+"), "x", 0, false});
    client.publish({QStringLiteral("a"), "x", 2, false});
    QCOMPARE(recorder.publishFailures.size(), 2);
    QVERIFY(recorder.publishFailures.at(0).contains(QLatin1String("wildcard")));
    QVERIFY(recorder.publishFailures.at(1).contains(QLatin1String("QoS 2")));
    QCOMPARE(client.queuedPublishCount(), 0);
}

QTEST_GUILESS_MAIN(TestMqttClient)
#include "tst_mqttclient.moc"
