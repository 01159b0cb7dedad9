// SPDX-License-Identifier: GPL-3.0-or-later
// The Socket.IO v4 / Engine.IO 4 codec: every packet parsed whole, no event loop.
#include "socketiocodec.h"

#include <QTest>

using namespace streamscope;
using namespace streamscope::socketio;

Q_DECLARE_METATYPE(streamscope::socketio::EngineType)
Q_DECLARE_METATYPE(streamscope::socketio::PacketType)

class TestSocketIo : public QObject
{
    Q_OBJECT
private slots:
    void enginePacket_data();
    void enginePacket();
    void engineOpen_data();
    void engineOpen();
    void packet_data();
    void packet();
    void malformedPacket_data();
    void malformedPacket();
    void encodeRoundTrip_data();
    void encodeRoundTrip();
    void eventData_data();
    void eventData();
    void placeholders_data();
    void placeholders();
    void endpoint_data();
    void endpoint();
};

void TestSocketIo::enginePacket_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<EngineType>("type");
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("open") << QByteArray(R"(0{"sid":"a"})") << true << EngineType::Open
                          << QByteArray(R"({"sid":"a"})");
    QTest::newRow("close") << QByteArray("1") << true << EngineType::Close << QByteArray();
    QTest::newRow("ping") << QByteArray("2") << true << EngineType::Ping << QByteArray();
    QTest::newRow("ping probe") << QByteArray("2probe") << true << EngineType::Ping
                                << QByteArray("probe");
    QTest::newRow("pong") << QByteArray("3") << true << EngineType::Pong << QByteArray();
    QTest::newRow("message") << QByteArray(R"(42["a"])") << true << EngineType::Message
                             << QByteArray(R"(2["a"])");
    QTest::newRow("upgrade") << QByteArray("5") << true << EngineType::Upgrade << QByteArray();
    QTest::newRow("noop") << QByteArray("6") << true << EngineType::Noop << QByteArray();
    QTest::newRow("empty") << QByteArray() << false << EngineType::Message << QByteArray();
    QTest::newRow("type 7") << QByteArray("7") << false << EngineType::Message << QByteArray();
    QTest::newRow("letter") << QByteArray("x42") << false << EngineType::Message << QByteArray();
}

void TestSocketIo::enginePacket()
{
    QFETCH(QByteArray, message);
    QFETCH(bool, valid);
    QFETCH(EngineType, type);
    QFETCH(QByteArray, payload);
    QString error;
    const std::optional<EnginePacket> packet = parseEnginePacket(message, &error);
    QCOMPARE(packet.has_value(), valid);
    if (!valid) {
        QVERIFY(error.contains(QLatin1String("Engine.IO")));
        return;
    }
    QCOMPARE(packet->type, type);
    QCOMPARE(packet->payload, payload);
    QCOMPARE(encodeEnginePacket(packet->type, packet->payload), message);
}

void TestSocketIo::engineOpen_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("interval");
    QTest::addColumn<int>("timeout");
    QTest::addColumn<qint64>("maxPayload");
    QTest::newRow("socket.io defaults")
        << QByteArray(R"({"sid":"x1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,)"
                      R"("maxPayload":1000000})")
        << true << 25000 << 20000 << qint64(1000000);
    QTest::newRow("short, no maxPayload")
        << QByteArray(R"({"sid":"x","pingInterval":300,"pingTimeout":200})") << true << 300 << 200
        << qint64(1000000);
    QTest::newRow("huge interval clamped")
        << QByteArray(R"({"sid":"x","pingInterval":1e300,"pingTimeout":1})") << true
        << std::numeric_limits<int>::max() / 4 << 1 << qint64(1000000);
    QTest::newRow("no sid") << QByteArray(R"({"pingInterval":300,"pingTimeout":200})") << false << 0
                            << 0 << qint64(0);
    QTest::newRow("zero interval")
        << QByteArray(R"({"sid":"x","pingInterval":0,"pingTimeout":200})") << false << 0 << 0
        << qint64(0);
    QTest::newRow("string timeout")
        << QByteArray(R"({"sid":"x","pingInterval":10,"pingTimeout":"2"})") << false << 0 << 0
        << qint64(0);
    QTest::newRow("array") << QByteArray("[]") << false << 0 << 0 << qint64(0);
    QTest::newRow("garbage") << QByteArray("{sid") << false << 0 << 0 << qint64(0);
}

void TestSocketIo::engineOpen()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, valid);
    QString error;
    const std::optional<EngineOpen> open = parseEngineOpen(json, &error);
    QCOMPARE(open.has_value(), valid);
    if (!valid) {
        QVERIFY(!error.isEmpty());
        return;
    }
    QTEST(open->pingIntervalMs, "interval");
    QTEST(open->pingTimeoutMs, "timeout");
    QTEST(open->maxPayload, "maxPayload");
    QVERIFY(!open->sid.isEmpty());
}

void TestSocketIo::packet_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<PacketType>("type");
    QTest::addColumn<QString>("nameSpace");
    QTest::addColumn<qint64>("id");
    QTest::addColumn<int>("attachments");
    QTest::addColumn<QByteArray>("event");
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<QString>("message");

    const QString root = QStringLiteral("/");
    const QString admin = QStringLiteral("/admin");
    QTest::newRow("connect default") << QByteArray("0") << PacketType::Connect << root << qint64(-1)
                                     << 0 << QByteArray() << QByteArray() << QString();
    QTest::newRow("connect answer")
        << QByteArray(R"(0{"sid":"abc"})") << PacketType::Connect << root << qint64(-1) << 0
        << QByteArray() << QByteArray() << QString();
    QTest::newRow("connect ns auth")
        << QByteArray(R"(0/admin,{"token":"secret"})") << PacketType::Connect << admin << qint64(-1)
        << 0 << QByteArray() << QByteArray() << QString();
    QTest::newRow("disconnect ns") << QByteArray("1/admin,") << PacketType::Disconnect << admin
                                   << qint64(-1) << 0 << QByteArray() << QByteArray() << QString();
    QTest::newRow("disconnect ns without comma")
        << QByteArray("1/admin") << PacketType::Disconnect << admin << qint64(-1) << 0
        << QByteArray() << QByteArray() << QString();
    QTest::newRow("event") << QByteArray(R"(2["metrics",{"cpu":0.5,"seq":1}])") << PacketType::Event
                           << root << qint64(-1) << 0 << QByteArray("metrics")
                           << QByteArray(R"([{"cpu":0.5,"seq":1}])") << QString();
    QTest::newRow("event no args")
        << QByteArray(R"(2["tick"])") << PacketType::Event << root << qint64(-1) << 0
        << QByteArray("tick") << QByteArray("[]") << QString();
    QTest::newRow("event spaces") << QByteArray(R"(2 [ "tick" , 1 , 2 ] )") << PacketType::Event
                                  << root << qint64(-1) << 0 << QByteArray("tick")
                                  << QByteArray("[1 , 2 ]") << QString();
    QTest::newRow("event big number kept")
        << QByteArray(R"(2["n",12345678901234567890])") << PacketType::Event << root << qint64(-1)
        << 0 << QByteArray("n") << QByteArray("[12345678901234567890]") << QString();
    QTest::newRow("event escaped name")
        << QByteArray(R"(2["a\"b\\",[1]])") << PacketType::Event << root << qint64(-1) << 0
        << QByteArray("a\"b\\") << QByteArray("[[1]]") << QString();
    QTest::newRow("event unicode name")
        << QByteArray(R"(2["\u00e9t\u00e9",null])") << PacketType::Event << root << qint64(-1) << 0
        << QByteArray("\xc3\xa9t\xc3\xa9") << QByteArray("[null]") << QString();
    QTest::newRow("event numeric name")
        << QByteArray(R"(2[42,"x"])") << PacketType::Event << root << qint64(-1) << 0
        << QByteArray("42") << QByteArray(R"(["x"])") << QString();
    QTest::newRow("event ns") << QByteArray(R"(2/admin,["status",1])") << PacketType::Event << admin
                              << qint64(-1) << 0 << QByteArray("status") << QByteArray("[1]")
                              << QString();
    QTest::newRow("event ns ack id")
        << QByteArray(R"(2/admin,12["ask",true])") << PacketType::Event << admin << qint64(12) << 0
        << QByteArray("ask") << QByteArray("[true]") << QString();
    QTest::newRow("event ack id") << QByteArray(R"(27["ask"])") << PacketType::Event << root
                                  << qint64(7) << 0 << QByteArray("ask") << QByteArray("[]")
                                  << QString();
    QTest::newRow("ack") << QByteArray(R"(30["hello",{"a":1}])") << PacketType::Ack << root
                         << qint64(0) << 0 << QByteArray() << QByteArray(R"(["hello",{"a":1}])")
                         << QString();
    QTest::newRow("ack ns empty") << QByteArray("3/admin,5[]") << PacketType::Ack << admin
                                  << qint64(5) << 0 << QByteArray() << QByteArray("[]")
                                  << QString();
    QTest::newRow("connect error")
        << QByteArray(R"(4{"message":"not authorized"})") << PacketType::ConnectError << root
        << qint64(-1) << 0 << QByteArray() << QByteArray() << QStringLiteral("not authorized");
    QTest::newRow("connect error ns data")
        << QByteArray(R"(4/admin,{"message":"not authorized","data":{"code":7}})")
        << PacketType::ConnectError << admin << qint64(-1) << 0 << QByteArray() << QByteArray()
        << QStringLiteral("not authorized");
    QTest::newRow("connect error string (v2)")
        << QByteArray(R"(4"Invalid namespace")") << PacketType::ConnectError << root << qint64(-1)
        << 0 << QByteArray() << QByteArray() << QStringLiteral("Invalid namespace");
    QTest::newRow("binary event") << QByteArray(
        R"(51-["blob",{"_placeholder":true,"num":0},{"name":"x"}])")
                                  << PacketType::BinaryEvent << root << qint64(-1) << 1
                                  << QByteArray("blob")
                                  << QByteArray(R"([{"_placeholder":true,"num":0},{"name":"x"}])")
                                  << QString();
    QTest::newRow("binary event ns id")
        << QByteArray(R"(52-/admin,9["two",{"_placeholder":true,"num":0},)"
                      R"({"_placeholder":true,"num":1}])")
        << PacketType::BinaryEvent << admin << qint64(9) << 2 << QByteArray("two")
        << QByteArray(R"([{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])")
        << QString();
    QTest::newRow("binary ack") << QByteArray(R"(61-3[{"_placeholder":true,"num":0}])")
                                << PacketType::BinaryAck << root << qint64(3) << 1 << QByteArray()
                                << QByteArray(R"([{"_placeholder":true,"num":0}])") << QString();
}

void TestSocketIo::packet()
{
    QFETCH(QByteArray, text);
    QString error;
    const std::optional<Packet> packet = parsePacket(text, &error);
    QVERIFY2(packet, qPrintable(error));
    QTEST(packet->type, "type");
    QTEST(packet->nameSpace, "nameSpace");
    QTEST(packet->id, "id");
    QTEST(packet->attachments, "attachments");
    QTEST(packet->event, "event");
    QTEST(packet->args, "args");
    QTEST(packet->message, "message");
}

void TestSocketIo::malformedPacket_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty Socket.IO packet");
    QTest::newRow("type 9") << QByteArray(R"(9["a"])") << QStringLiteral("unknown");
    QTest::newRow("event not JSON") << QByteArray(R"(2["metrics",{)") << QStringLiteral("JSON");
    QTest::newRow("event object") << QByteArray(R"(2{"a":1})") << QStringLiteral("an object");
    QTest::newRow("event empty array") << QByteArray("2[]") << QStringLiteral("event name");
    QTest::newRow("event name object")
        << QByteArray(R"(2[{"a":1}])") << QStringLiteral("event name");
    QTest::newRow("event reserved name")
        << QByteArray(R"(2["connect"])") << QStringLiteral("reserved");
    QTest::newRow("event without data") << QByteArray("2/admin,") << QStringLiteral("without data");
    QTest::newRow("event two values") << QByteArray(R"(2["a"],["b"])") << QStringLiteral("JSON");
    QTest::newRow("connect array") << QByteArray("0[1]") << QStringLiteral("not an object");
    QTest::newRow("disconnect data") << QByteArray("1{}") << QStringLiteral("with data");
    QTest::newRow("ack without id") << QByteArray("3[1]") << QStringLiteral("without an id");
    QTest::newRow("ack object") << QByteArray(R"(31{"a":1})") << QStringLiteral("not an array");
    QTest::newRow("ack no data") << QByteArray("31") << QStringLiteral("missing");
    QTest::newRow("connect error number")
        << QByteArray("47") << QStringLiteral("not an object or a string");
    QTest::newRow("connect error none") << QByteArray("4") << QStringLiteral("missing");
    QTest::newRow("binary no count") << QByteArray(R"(5["a"])") << QStringLiteral("attachment");
    QTest::newRow("binary empty count") << QByteArray(R"(5-["a"])") << QStringLiteral("attachment");
    QTest::newRow("binary letters") << QByteArray(R"(5x-["a"])") << QStringLiteral("attachment");
    QTest::newRow("binary too many")
        << QByteArray(R"(51001-["a"])") << QStringLiteral("attachment");
    QTest::newRow("huge ack id") << QByteArray(R"(299999999999999999999["a"])")
                                 << QStringLiteral("ack id");
}

void TestSocketIo::malformedPacket()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QString message;
    const std::optional<Packet> packet = parsePacket(text, &message);
    QVERIFY(!packet);
    QVERIFY2(message.contains(error), qPrintable(message));
}

void TestSocketIo::encodeRoundTrip_data()
{
    QTest::addColumn<QByteArray>("text");
    for (const char *text : {"0", R"(0/admin,{"token":"secret"})", "1/admin,", R"(2["a",1])",
             R"(2/admin,12["ask",true])", R"(30["x"])", R"(3/n,4[])", R"(4{"message":"no"})",
             R"(51-/admin,3["b",{"_placeholder":true,"num":0}])",
             R"(62-5["x",{"_placeholder":true,"num":1}])"}) {
        QTest::newRow(text) << QByteArray(text);
    }
}

void TestSocketIo::encodeRoundTrip()
{
    QFETCH(QByteArray, text);
    QString error;
    const std::optional<Packet> packet = parsePacket(text, &error);
    QVERIFY2(packet, qPrintable(error));
    QCOMPARE(encodePacket(*packet), text);
}

void TestSocketIo::eventData_data()
{
    QTest::addColumn<QByteArray>("event");
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<QByteArray>("data"); // empty: refused
    QTest::newRow("array") << QByteArray("echo") << QByteArray(R"([1,"two",{"3":3}])")
                           << QByteArray(R"(["echo",1,"two",{"3":3}])");
    QTest::newRow("empty array") << QByteArray("ping") << QByteArray(" [ ] ")
                                 << QByteArray(R"(["ping"])");
    QTest::newRow("single object")
        << QByteArray("hello") << QByteArray(R"({"a":1})") << QByteArray(R"(["hello",{"a":1}])");
    QTest::newRow("single string")
        << QByteArray("say") << QByteArray(R"("hi")") << QByteArray(R"(["say","hi"])");
    QTest::newRow("single number")
        << QByteArray("n") << QByteArray(" 5 ") << QByteArray(R"(["n",5])");
    QTest::newRow("nested array kept")
        << QByteArray("n") << QByteArray("[[1,2]]") << QByteArray(R"(["n",[1,2]])");
    QTest::newRow("name escaped") << QByteArray("a\"b") << QByteArray("[]")
                                  << QByteArray(R"(["a\"b"])");
    QTest::newRow("not JSON") << QByteArray("x") << QByteArray("{oops") << QByteArray();
    QTest::newRow("two values") << QByteArray("x") << QByteArray("1,2") << QByteArray();
    QTest::newRow("empty") << QByteArray("x") << QByteArray("") << QByteArray();
    QTest::newRow("reserved") << QByteArray("disconnect") << QByteArray("[]") << QByteArray();
}

void TestSocketIo::eventData()
{
    QFETCH(QByteArray, event);
    QFETCH(QByteArray, args);
    QFETCH(QByteArray, data);
    QString error;
    const std::optional<QByteArray> encoded = socketio::eventData(event, args, &error);
    if (data.isEmpty()) {
        QVERIFY(!encoded);
        QVERIFY(!error.isEmpty());
        return;
    }
    QVERIFY2(encoded, qPrintable(error));
    QCOMPARE(*encoded, data);
    // What we send parses back to the same name.
    const std::optional<Packet> packet = parsePacket("2" + *encoded, &error);
    QVERIFY2(packet, qPrintable(error));
    QCOMPARE(packet->event, event);
}

void TestSocketIo::placeholders_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArrayList>("attachments");
    QTest::addColumn<QByteArray>("filled"); // empty: refused
    QTest::newRow("one") << QByteArray(R"(["blob",{"_placeholder":true,"num":0},{"name":"x"}])")
                         << QByteArrayList{QByteArray("\x01\x02\x03")}
                         << QByteArray(R"(["blob",{"_binary":"AQID","bytes":3},{"name":"x"}])");
    QTest::newRow("nested, reordered")
        << QByteArray(R"(["b",{"files":[{"_placeholder":true,"num":1},)"
                      R"({"_placeholder":true,"num":0}]}])")
        << QByteArrayList{QByteArray("a"), QByteArray()}
        << QByteArray(R"(["b",{"files":[{"_binary":"","bytes":0},{"_binary":"YQ==","bytes":1}]}])");
    QTest::newRow("not a placeholder")
        << QByteArray(R"(["b",{"_placeholder":false,"num":0}])") << QByteArrayList{}
        << QByteArray(R"(["b",{"_placeholder":false,"num":0}])");
    QTest::newRow("num out of range") << QByteArray(R"(["b",{"_placeholder":true,"num":1}])")
                                      << QByteArrayList{QByteArray("a")} << QByteArray();
    QTest::newRow("num fraction") << QByteArray(R"(["b",{"_placeholder":true,"num":0.5}])")
                                  << QByteArrayList{QByteArray("a")} << QByteArray();
    QTest::newRow("num string") << QByteArray(R"(["b",{"_placeholder":true,"num":"0"}])")
                                << QByteArrayList{QByteArray("a")} << QByteArray();
}

void TestSocketIo::placeholders()
{
    QFETCH(QByteArray, data);
    QFETCH(QByteArrayList, attachments);
    QFETCH(QByteArray, filled);
    QString error;
    const std::optional<QByteArray> result = fillPlaceholders(data, attachments, &error);
    if (filled.isEmpty()) {
        QVERIFY(!result);
        QVERIFY(error.contains(QLatin1String("placeholder")));
        return;
    }
    QVERIFY2(result, qPrintable(error));
    QCOMPARE(*result, filled);
}

void TestSocketIo::endpoint_data()
{
    QTest::addColumn<QString>("given");
    QTest::addColumn<QString>("expected"); // empty: refused
    QTest::newRow("ws bare") << QStringLiteral("ws://127.0.0.1:3000")
                             << QStringLiteral(
                                    "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket");
    QTest::newRow("http slash") << QStringLiteral("http://example.com/")
                                << QStringLiteral(
                                       "ws://example.com/socket.io/?EIO=4&transport=websocket");
    QTest::newRow("https path without slash")
        << QStringLiteral("https://example.com/socket.io")
        << QStringLiteral("wss://example.com/socket.io/?EIO=4&transport=websocket");
    QTest::newRow("custom path, user query kept")
        << QStringLiteral("wss://example.com/rt/io/?token=a%20b&EIO=3")
        << QStringLiteral("wss://example.com/rt/io/?token=a%20b&EIO=4&transport=websocket");
    QTest::newRow("full already") << QStringLiteral("ws://h/socket.io/?EIO=4&transport=websocket")
                                  << QStringLiteral("ws://h/socket.io/?EIO=4&transport=websocket");
    QTest::newRow("fragment dropped") << QStringLiteral(
        "ws://h/#x") << QStringLiteral("ws://h/socket.io/?EIO=4&transport=websocket");
    QTest::newRow("ftp") << QStringLiteral("ftp://h/") << QString();
    QTest::newRow("no host") << QStringLiteral("ws:///socket.io/") << QString();
}

void TestSocketIo::endpoint()
{
    QFETCH(QString, given);
    QFETCH(QString, expected);
    QString error;
    const QUrl url = endpointUrl(QUrl(given), &error);
    if (expected.isEmpty()) {
        QVERIFY(!url.isValid() || url.isEmpty());
        QVERIFY(error.contains(QLatin1String("not a Socket.IO URL")));
        return;
    }
    QCOMPARE(url.toString(QUrl::FullyEncoded), expected);
}

QTEST_APPLESS_MAIN(TestSocketIo)
#include "tst_socketio.moc"
