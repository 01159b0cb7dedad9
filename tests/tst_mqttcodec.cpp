// SPDX-License-Identifier: GPL-3.0-or-later
#include "mqttcodec.h"

#include <QTest>

using namespace streamscope;
using namespace streamscope::mqtt;

Q_DECLARE_METATYPE(streamscope::mqtt::Version)

namespace {

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(text); // spaces are skipped
}

// A packet written by hand: first byte, one-byte remaining length, body (under 128 bytes).
QByteArray packet(const char *firstHex, const QByteArray &body)
{
    Q_ASSERT(body.size() < 128);
    return hex(firstHex) + char(body.size()) + body;
}

QByteArray packet(const char *firstHex, const char *bodyHex)
{
    return packet(firstHex, hex(bodyHex));
}

// MQTT 5 properties with their (one-byte) length in front.
QByteArray properties(const char *bodyHex)
{
    const QByteArray body = hex(bodyHex);
    Q_ASSERT(body.size() < 128);
    return char(body.size()) + body;
}

QByteArray str(const char *text)
{
    const QByteArray utf8(text);
    return QByteArray(1, char(utf8.size() >> 8)) + char(utf8.size() & 0xFF) + utf8;
}

QString describe(const Properties &p)
{
    QStringList out;
    if (p.payloadFormatIndicator) {
        out << QStringLiteral("format=%1").arg(*p.payloadFormatIndicator);
    }
    if (p.messageExpiryInterval) {
        out << QStringLiteral("expiry=%1").arg(*p.messageExpiryInterval);
    }
    if (!p.contentType.isEmpty()) {
        out << QStringLiteral("contentType=") + p.contentType;
    }
    if (!p.responseTopic.isEmpty()) {
        out << QStringLiteral("responseTopic=") + p.responseTopic;
    }
    if (!p.correlationData.isEmpty()) {
        out << QStringLiteral("correlation=") + QString::fromLatin1(p.correlationData.toHex());
    }
    for (const quint32 id : p.subscriptionIdentifiers) {
        out << QStringLiteral("subId=%1").arg(id);
    }
    if (p.sessionExpiryInterval) {
        out << QStringLiteral("sessionExpiry=%1").arg(*p.sessionExpiryInterval);
    }
    if (!p.assignedClientIdentifier.isEmpty()) {
        out << QStringLiteral("assigned=") + p.assignedClientIdentifier;
    }
    if (p.serverKeepAlive) {
        out << QStringLiteral("keepAlive=%1").arg(*p.serverKeepAlive);
    }
    if (!p.reasonString.isEmpty()) {
        out << QStringLiteral("reason='%1'").arg(p.reasonString);
    }
    if (p.receiveMaximum) {
        out << QStringLiteral("receiveMax=%1").arg(*p.receiveMaximum);
    }
    if (p.topicAliasMaximum) {
        out << QStringLiteral("aliasMax=%1").arg(*p.topicAliasMaximum);
    }
    if (p.topicAlias) {
        out << QStringLiteral("alias=%1").arg(*p.topicAlias);
    }
    if (p.maximumQos) {
        out << QStringLiteral("maxQos=%1").arg(*p.maximumQos);
    }
    if (p.retainAvailable) {
        out << QStringLiteral("retainAvailable=%1").arg(*p.retainAvailable);
    }
    for (const auto &[name, value] : p.userProperties) {
        out << QStringLiteral("user:%1=%2").arg(name, value);
    }
    if (p.maximumPacketSize) {
        out << QStringLiteral("maxPacket=%1").arg(*p.maximumPacketSize);
    }
    if (p.wildcardSubscriptionAvailable) {
        out << QStringLiteral("wildcards=%1").arg(*p.wildcardSubscriptionAvailable);
    }
    if (p.subscriptionIdentifierAvailable) {
        out << QStringLiteral("subIds=%1").arg(*p.subscriptionIdentifierAvailable);
    }
    if (p.sharedSubscriptionAvailable) {
        out << QStringLiteral("shared=%1").arg(*p.sharedSubscriptionAvailable);
    }
    return out.isEmpty() ? QString() : QLatin1Char(' ') + out.join(QLatin1Char(' '));
}

QString describe(const Packet &p)
{
    QString out = packetTypeName(p.type);
    switch (p.type) {
    case PacketType::Connack:
        out += QStringLiteral(" session=%1 code=%2").arg(int(p.sessionPresent)).arg(p.reasonCode);
        break;
    case PacketType::Publish:
        out += QStringLiteral(" %1 qos=%2 id=%3 retain=%4 dup=%5 '%6'")
                   .arg(p.topic)
                   .arg(p.qos)
                   .arg(p.packetId)
                   .arg(int(p.retain))
                   .arg(int(p.dup))
                   .arg(p.payload.size() > 40 ? QStringLiteral("%1 bytes").arg(p.payload.size())
                                              : QString::fromUtf8(p.payload));
        break;
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
        out += QStringLiteral(" id=%1 code=%2").arg(p.packetId).arg(p.reasonCode);
        break;
    case PacketType::Suback:
    case PacketType::Unsuback: {
        out += QStringLiteral(" id=%1").arg(p.packetId);
        QStringList codes;
        for (const quint8 code : p.reasonCodes) {
            codes << QString::number(code);
        }
        if (!codes.isEmpty()) {
            out += QStringLiteral(" codes=") + codes.join(QLatin1Char(','));
        }
        break;
    }
    case PacketType::Disconnect:
    case PacketType::Auth:
        out += QStringLiteral(" code=%1").arg(p.reasonCode);
        break;
    default:
        break;
    }
    return out + describe(p.properties);
}

struct ReadResult
{
    QStringList packets;
    QString error;
};

ReadResult read(Version version, qint64 maxBytes, const QList<QByteArray> &chunks)
{
    ReadResult result;
    PacketReader reader(version, maxBytes);
    for (const QByteArray &chunk : chunks) {
        QList<Packet> packets;
        const bool ok = reader.feed(chunk, packets);
        for (const Packet &p : std::as_const(packets)) {
            result.packets << describe(p);
        }
        if (!ok) {
            break;
        }
    }
    result.error = reader.errorString();
    return result;
}

} // namespace

class TestMqttCodec : public QObject
{
    Q_OBJECT
private slots:
    void varint_data();
    void varint();
    void varintDecodeOnly_data();
    void varintDecodeOnly();
    void encode_data();
    void encode();
    void reader_data();
    void reader();
    void readerTakesNothingAfterFailure();
    void publishRoundTrip_data();
    void publishRoundTrip();
    void topicFilter_data();
    void topicFilter();
    void topicName_data();
    void topicName();
    void refusals_data();
    void refusals();
};

void TestMqttCodec::varint_data()
{
    QTest::addColumn<quint32>("value");
    QTest::addColumn<QByteArray>("bytes");
    // The table of section 1.5.5 (3.1.1 2.2.3): each length's smallest and largest.
    QTest::newRow("0") << 0u << hex("00");
    QTest::newRow("127") << 127u << hex("7F");
    QTest::newRow("128") << 128u << hex("80 01");
    QTest::newRow("16383") << 16383u << hex("FF 7F");
    QTest::newRow("16384") << 16384u << hex("80 80 01");
    QTest::newRow("2097151") << 2097151u << hex("FF FF 7F");
    QTest::newRow("2097152") << 2097152u << hex("80 80 80 01");
    QTest::newRow("4-byte max") << MaxRemainingLength << hex("FF FF FF 7F");
    QTest::newRow("321") << 321u << hex("C1 02");
}

void TestMqttCodec::varint()
{
    QFETCH(quint32, value);
    QFETCH(QByteArray, bytes);
    QCOMPARE(encodeVarint(value).toHex(' '), bytes.toHex(' '));
    quint32 decoded = 0;
    int length = 0;
    QCOMPARE(decodeVarint(bytes + "tail", &decoded, &length), VarintResult::Complete);
    QCOMPARE(decoded, value);
    QCOMPARE(length, bytes.size());
    // Every proper prefix asks for more.
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        QCOMPARE(decodeVarint(bytes.left(i), &decoded, &length), VarintResult::NeedMore);
    }
}

void TestMqttCodec::varintDecodeOnly_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("result");
    QTest::addColumn<quint32>("value");
    QTest::newRow("malformed 5th byte")
        << hex("FF FF FF FF 01") << int(VarintResult::Malformed) << 0u;
    QTest::newRow("4 continuation bytes, nothing after")
        << hex("80 80 80 80") << int(VarintResult::Malformed) << 0u;
    QTest::newRow("3 continuation bytes") << hex("80 80 80") << int(VarintResult::NeedMore) << 0u;
    // Not the shortest form, but the spec's decoding algorithm accepts it.
    QTest::newRow("overlong zero") << hex("80 00") << int(VarintResult::Complete) << 0u;
    QTest::newRow("empty") << QByteArray() << int(VarintResult::NeedMore) << 0u;
}

void TestMqttCodec::varintDecodeOnly()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, result);
    QFETCH(quint32, value);
    quint32 decoded = 0;
    int length = 0;
    QCOMPARE(int(decodeVarint(bytes, &decoded, &length)), result);
    if (result == int(VarintResult::Complete)) {
        QCOMPARE(decoded, value);
    }
}

void TestMqttCodec::encode_data()
{
    QTest::addColumn<QByteArray>("actual");
    QTest::addColumn<QByteArray>("expected");

    ConnectOptions connect;
    connect.clientId = QStringLiteral("abc");
    connect.keepAliveSeconds = 60;
    QTest::newRow("CONNECT 3.1.1")
        << encodeConnect(connect) << hex("10 0F 00 04 4D 51 54 54 04 02 00 3C 00 03 61 62 63");
    connect.clientId = QStringLiteral("c");
    connect.cleanStart = false;
    connect.keepAliveSeconds = 10;
    connect.username = QStringLiteral("u");
    connect.password = QByteArray("p");
    QTest::newRow("CONNECT 3.1.1 credentials") << encodeConnect(
        connect) << hex("10 13 00 04 4D 51 54 54 04 C0 00 0A 00 01 63 00 01 75 00 01 70");

    ConnectOptions v5;
    v5.version = Version::V5;
    v5.clientId = QStringLiteral("c");
    v5.keepAliveSeconds = 30;
    v5.topicAliasMaximum = 10;
    v5.maximumPacketSize = 1024;
    QTest::newRow("CONNECT 5 properties") << encodeConnect(
        v5) << hex("10 16 00 04 4D 51 54 54 05 02 00 1E 08 22 00 0A 27 00 00 04 00 00 01 63");
    ConnectOptions v5bare;
    v5bare.version = Version::V5;
    v5bare.clientId = QStringLiteral("c");
    v5bare.keepAliveSeconds = 0;
    v5bare.password = QByteArray("pw"); // MQTT 5 allows a password without a user name
    QTest::newRow("CONNECT 5 password only") << encodeConnect(
        v5bare) << hex("10 12 00 04 4D 51 54 54 05 42 00 00 00 00 01 63 00 02 70 77");

    QTest::newRow("SUBSCRIBE 3.1.1 two filters")
        << encodeSubscribe(Version::V311, 1, {{QStringLiteral("a/+"), 1}, {QStringLiteral("#"), 0}})
        << hex("82 0C 00 01 00 03 61 2F 2B 01 00 01 23 00");
    QTest::newRow("SUBSCRIBE 5") << encodeSubscribe(Version::V5, 2, {{QStringLiteral("t"), 1}})
                                 << hex("82 07 00 02 00 00 01 74 01");
    QTest::newRow("UNSUBSCRIBE 3.1.1") << encodeUnsubscribe(Version::V311, 3, {QStringLiteral("t")})
                                       << hex("A2 05 00 03 00 01 74");
    QTest::newRow("UNSUBSCRIBE 5") << encodeUnsubscribe(Version::V5, 3, {QStringLiteral("t")})
                                   << hex("A2 06 00 03 00 00 01 74");

    const Message hi{QStringLiteral("a/b"), "hi", 0, false};
    QTest::newRow("PUBLISH QoS 0")
        << encodePublish(Version::V311, hi, 0, false) << hex("30 07 00 03 61 2F 62 68 69");
    QTest::newRow("PUBLISH QoS 0 ignores DUP")
        << encodePublish(Version::V311, hi, 9, true) << hex("30 07 00 03 61 2F 62 68 69");
    const Message retained{QStringLiteral("a/b"), "hi", 1, true};
    QTest::newRow("PUBLISH QoS 1 retain DUP") << encodePublish(Version::V311, retained, 10, true)
                                              << hex("3B 09 00 03 61 2F 62 00 0A 68 69");
    QTest::newRow("PUBLISH 5 QoS 0")
        << encodePublish(Version::V5, {QStringLiteral("t"), "x", 0, false}, 0, false)
        << hex("30 05 00 01 74 00 78");
    Properties user;
    user.userProperties = {{QStringLiteral("k"), QStringLiteral("v")}};
    QTest::newRow("PUBLISH 5 QoS 1 user property")
        << encodePublish(Version::V5, {QStringLiteral("t"), "x", 1, false}, 1, false, user)
        << hex("32 0E 00 01 74 00 01 07 26 00 01 6B 00 01 76 78");
    const Message big{QStringLiteral("t"), QByteArray(200, 'x'), 0, false};
    QTest::newRow("PUBLISH two-byte length")
        << encodePublish(Version::V311, big, 0, false).left(6) << hex("30 CB 01 00 01 74");

    QTest::newRow("PUBACK 3.1.1") << encodeAck(Version::V311, PacketType::Puback, 10)
                                  << hex("40 02 00 0A");
    QTest::newRow("PUBACK 3.1.1 drops a reason")
        << encodeAck(Version::V311, PacketType::Puback, 10, 0x80) << hex("40 02 00 0A");
    QTest::newRow("PUBACK 5 success")
        << encodeAck(Version::V5, PacketType::Puback, 10) << hex("40 02 00 0A");
    QTest::newRow("PUBACK 5 reason")
        << encodeAck(Version::V5, PacketType::Puback, 10, 0x10) << hex("40 03 00 0A 10");
    QTest::newRow("PUBREC") << encodeAck(Version::V311, PacketType::Pubrec, 5)
                            << hex("50 02 00 05");
    QTest::newRow("PUBREL") << encodeAck(Version::V311, PacketType::Pubrel, 5)
                            << hex("62 02 00 05");
    QTest::newRow("PUBCOMP") << encodeAck(Version::V5, PacketType::Pubcomp, 5)
                             << hex("70 02 00 05");
    QTest::newRow("PINGREQ") << encodePingreq() << hex("C0 00");
    QTest::newRow("DISCONNECT 3.1.1") << encodeDisconnect(Version::V311) << hex("E0 00");
    QTest::newRow("DISCONNECT 5 normal") << encodeDisconnect(Version::V5) << hex("E0 00");
    QTest::newRow("DISCONNECT 5 reason") << encodeDisconnect(Version::V5, 0x04) << hex("E0 01 04");

    Properties all;
    all.payloadFormatIndicator = 1;
    all.messageExpiryInterval = 0x01020304;
    all.contentType = QStringLiteral("a");
    all.correlationData = "\x01";
    all.subscriptionIdentifiers = {128};
    QTest::newRow("properties") << encodeProperties(all)
                                << hex("12 01 01 02 01 02 03 04 03 00 01 61 09 00 01 01 0B 80 01");
    QTest::newRow("no properties") << encodeProperties({}) << hex("00");
}

void TestMqttCodec::encode()
{
    QFETCH(QByteArray, actual);
    QFETCH(QByteArray, expected);
    QCOMPARE(actual.toHex(' '), expected.toHex(' '));
}

void TestMqttCodec::reader_data()
{
    QTest::addColumn<Version>("version");
    QTest::addColumn<qint64>("maxBytes");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QStringList>("packets");
    QTest::addColumn<QString>("error"); // a part of the error; empty: none

    const auto row = [](Version version, const char *name, const QByteArray &input,
                         const QByteArrayList &packets, const char *error, qint64 maxBytes) {
        QStringList texts;
        for (const QByteArray &text : packets) {
            texts << QString::fromUtf8(text);
        }
        QTest::newRow(name) << version << maxBytes << input << texts << QString::fromUtf8(error);
    };
    const auto v3 = [&row](const char *name, const QByteArray &input, const QByteArrayList &packets,
                        const char *error = "", qint64 maxBytes = 1 << 20) {
        row(Version::V311, name, input, packets, error, maxBytes);
    };
    const auto v5 = [&row](const char *name, const QByteArray &input, const QByteArrayList &packets,
                        const char *error = "", qint64 maxBytes = 1 << 20) {
        row(Version::V5, name, input, packets, error, maxBytes);
    };
    const QByteArrayList none;

    // MQTT 3.1.1
    v3("CONNACK accepted", hex("20 02 00 00"), {"CONNACK session=0 code=0"});
    v3("CONNACK session present, not authorized", hex("20 02 01 05"), {"CONNACK session=1 code=5"});
    v3("CONNACK reserved flag", hex("20 02 02 00"), none, "reserved acknowledge flags");
    v3("CONNACK short", hex("20 01 00"), none, "packet ends inside its return code");
    v3("CONNACK long", hex("20 03 00 00 00"), none, "1 bytes after the end of the CONNACK");
    v3("PUBLISH QoS 0", hex("30 07 00 03 61 2F 62 68 69"),
        {"PUBLISH a/b qos=0 id=0 retain=0 dup=0 'hi'"});
    v3("PUBLISH QoS 1 retained", hex("33 09 00 03 61 2F 62 00 0A 68 69"),
        {"PUBLISH a/b qos=1 id=10 retain=1 dup=0 'hi'"});
    v3("PUBLISH QoS 2 DUP", hex("3C 08 00 01 74 00 07 61 62 63"),
        {"PUBLISH t qos=2 id=7 retain=0 dup=1 'abc'"});
    v3("PUBLISH empty payload", hex("30 03 00 01 74"), {"PUBLISH t qos=0 id=0 retain=0 dup=0 ''"});
    v3("PUBLISH UTF-8 topic", packet("30", str("\xc3\xa9t\xc3\xa9") + "x"),
        {"PUBLISH \xc3\xa9t\xc3\xa9 qos=0 id=0 retain=0 dup=0 'x'"});
    v3("PUBLISH two-byte length", hex("30 CB 01 00 01 74") + QByteArray(200, 'x'),
        {"PUBLISH t qos=0 id=0 retain=0 dup=0 '200 bytes'"});
    v3("PUBLISH three-byte length", hex("30 83 80 01 00 01 74") + QByteArray(16384, 'x'),
        {"PUBLISH t qos=0 id=0 retain=0 dup=0 '16384 bytes'"});
    v3("PUBLISH QoS 3", hex("36 03 00 01 74"), none, "QoS 3");
    v3("PUBLISH QoS 0 DUP", hex("38 03 00 01 74"), none, "QoS 0 and the DUP flag");
    v3("PUBLISH wildcard topic", hex("30 03 00 01 23"), none, "contains a wildcard");
    v3("PUBLISH empty topic", hex("30 02 00 00"), none, "empty topic name");
    v3("PUBLISH invalid UTF-8 topic", hex("30 03 00 01 FF"), none, "not valid UTF-8");
    v3("PUBLISH U+0000 in topic", hex("30 03 00 01 00"), none, "U+0000");
    v3("PUBLISH packet identifier 0", hex("32 05 00 01 74 00 00"), none, "packet identifier 0");
    v3("PUBLISH topic past the end", hex("30 03 00 05 74"), none, "ends inside its topic name");
    v3("PUBACK", hex("40 02 00 0A"), {"PUBACK id=10 code=0"});
    v3("PUBACK long", hex("40 03 00 0A 00"), none, "after the end of the PUBACK");
    v3("PUBREC", hex("50 02 00 05"), {"PUBREC id=5 code=0"});
    v3("PUBREL", hex("62 02 00 05"), {"PUBREL id=5 code=0"});
    v3("PUBREL without its flags", hex("60 02 00 05"), none, "PUBREL with reserved flags 0000");
    v3("PUBCOMP", hex("70 02 00 05"), {"PUBCOMP id=5 code=0"});
    v3("SUBACK", hex("90 05 00 01 00 01 80"), {"SUBACK id=1 codes=0,1,128"});
    v3("SUBACK without codes", hex("90 02 00 01"), none, "SUBACK without reason codes");
    v3("UNSUBACK", hex("B0 02 00 03"), {"UNSUBACK id=3"});
    v3("PINGRESP", hex("D0 00"), {"PINGRESP"});
    v3("PINGRESP with a body", hex("D0 01 00"), none, "after the end of the PINGRESP");
    v3("PINGRESP with flags", hex("D1 00"), none, "PINGRESP with reserved flags 0001");
    v3("several packets in one piece", hex("D0 00 40 02 00 01 30 03 00 01 74"),
        {"PINGRESP", "PUBACK id=1 code=0", "PUBLISH t qos=0 id=0 retain=0 dup=0 ''"});
    v3("packets before a malformed one", hex("D0 00 36 03 00 01 74 D0 00"), {"PINGRESP"}, "QoS 3");
    v3("CONNECT from the server", hex("10 00"), none, "the server sent CONNECT");
    v3("SUBSCRIBE from the server", hex("82 00"), none, "the server sent SUBSCRIBE");
    v3("PINGREQ from the server", hex("C0 00"), none, "the server sent PINGREQ");
    v3("DISCONNECT from a 3.1.1 server", hex("E0 00"), none, "the server sent DISCONNECT");
    v3("reserved type 0", hex("00 00"), none, "reserved packet type 0");
    v3("AUTH in 3.1.1", hex("F0 00"), none, "reserved packet type 15");
    v3("remaining length: malformed 5th byte", hex("30 FF FF FF FF 01"), none,
        "remaining length longer than 4 bytes");
    v3("over the limit", hex("30 07 00 03 61 2F 62 68 69"), none,
        "PUBLISH packet of 9 bytes is over the limit of 8 bytes", 8);
    v3("at the limit", hex("30 07 00 03 61 2F 62 68 69"),
        {"PUBLISH a/b qos=0 id=0 retain=0 dup=0 'hi'"}, "", 9);
    // Refused on its header alone: 256 MiB is never buffered.
    v3("4-byte max length over the limit", hex("30 FF FF FF 7F 00"), none,
        "PUBLISH packet of 268435460 bytes is over the limit of 1048576 bytes");

    // MQTT 5
    v5("CONNACK", packet("20", "00 00 00"), {"CONNACK session=0 code=0"});
    v5("CONNACK refused with a reason string",
        packet("20", hex("00 86") + properties("1F 00 03 62 61 64")),
        {"CONNACK session=0 code=134 reason='bad'"});
    v5("CONNACK server properties",
        packet("20",
            hex("01 00")
                + properties("22 00 05 21 00 14 12 00 01 78 24 01 25 00 13 00 3C 27 00 01 00 00 "
                             "28 00 29 01 2A 00 11 00 00 00 0A")),
        {"CONNACK session=1 code=0 sessionExpiry=10 assigned=x keepAlive=60 receiveMax=20 "
         "aliasMax=5 maxQos=1 retainAvailable=0 maxPacket=65536 wildcards=0 subIds=1 shared=0"});
    v5("CONNACK without properties", hex("20 02 00 00"), none,
        "packet ends inside its property length");
    v5("PUBLISH", packet("30", hex("00 01 74 00 78")), {"PUBLISH t qos=0 id=0 retain=0 dup=0 'x'"});
    v5("PUBLISH user properties in order",
        packet(
            "30", hex("00 01 74") + properties("26 00 01 6B 00 01 76 26 00 01 6B 00 01 77") + "x"),
        {"PUBLISH t qos=0 id=0 retain=0 dup=0 'x' user:k=v user:k=w"});
    v5("PUBLISH QoS 1 properties",
        packet("32",
            hex("00 01 74 00 09")
                + properties("01 01 02 00 00 00 3C 03 00 01 61 08 00 01 72 09 00 02 AB CD 0B 80 01 "
                             "0B 05")
                + "x"),
        {"PUBLISH t qos=1 id=9 retain=0 dup=0 'x' format=1 expiry=60 contentType=a "
         "responseTopic=r correlation=abcd subId=128 subId=5"});
    v5("PUBLISH topic and alias", packet("30", hex("00 01 74") + properties("23 00 01") + "x"),
        {"PUBLISH t qos=0 id=0 retain=0 dup=0 'x' alias=1"});
    v5("PUBLISH alias alone", packet("30", hex("00 00") + properties("23 00 02") + "x"),
        {"PUBLISH  qos=0 id=0 retain=0 dup=0 'x' alias=2"});
    v5("PUBLISH neither topic nor alias", packet("30", "00 00 00 78"), none,
        "empty topic name and no topic alias");
    v5("PUBLISH alias 0", packet("30", hex("00 01 74") + properties("23 00 00")), none,
        "topic alias 0");
    v5("PUBLISH alias twice", packet("30", hex("00 01 74") + properties("23 00 01 23 00 02")), none,
        "property 0x23 appears twice");
    v5("PUBLISH subscription identifier 0", packet("30", hex("00 01 74") + properties("0B 00")),
        none, "subscription identifier 0");
    v5("PUBLISH invalid UTF-8 user property",
        packet("30", hex("00 01 74") + properties("26 00 01 FF 00 00")), none,
        "user property name is not valid UTF-8");
    v5("PUBLISH user property cut short", packet("30", hex("00 01 74") + properties("26 00 01 6B")),
        none, "ends inside its user property value");
    v5("PUBLISH property length past the packet", packet("30", "00 01 74 05 01"), none,
        "property length 5 runs past the packet");
    v5("PUBLISH property length: 5th byte", packet("30", "00 01 74 FF FF FF FF 01"), none,
        "malformed variable byte integer in its property length");
    v5("PUBLISH a client's property", packet("30", hex("00 01 74") + properties("17 01")), none,
        "unknown property 0x17");
    v5("PUBLISH unknown property", packet("30", hex("00 01 74") + properties("7F 00")), none,
        "unknown property 0x7f");
    v5("CONNACK duplicate property", packet("20", hex("00 00") + properties("21 00 01 21 00 02")),
        none, "property 0x21 appears twice");
    v5("CONNACK duplicate empty string",
        packet("20", hex("00 00") + properties("1F 00 00 1F 00 00")), none,
        "property 0x1f appears twice");
    v5("PUBACK success", hex("40 02 00 0A"), {"PUBACK id=10 code=0"});
    v5("PUBACK reason code", hex("40 03 00 0A 10"), {"PUBACK id=10 code=16"});
    v5("PUBACK reason string", packet("40", hex("00 0A 80") + properties("1F 00 02 6E 6F")),
        {"PUBACK id=10 code=128 reason='no'"});
    v5("PUBREL 5", hex("62 03 00 05 92"), {"PUBREL id=5 code=146"});
    v5("SUBACK", packet("90", hex("00 01") + properties("") + hex("01 87")),
        {"SUBACK id=1 codes=1,135"});
    v5("SUBACK reason string",
        packet("90", hex("00 01") + properties("1F 00 01 78 26 00 01 61 00 01 62") + hex("8F")),
        {"SUBACK id=1 codes=143 reason='x' user:a=b"});
    v5("SUBACK without codes", packet("90", "00 01 00"), none, "SUBACK without reason codes");
    v5("UNSUBACK", packet("B0", "00 03 00 11"), {"UNSUBACK id=3 codes=17"});
    v5("DISCONNECT empty", hex("E0 00"), {"DISCONNECT code=0"});
    v5("DISCONNECT reason string", packet("E0", hex("8B") + properties("1F 00 04 62 79 65 21")),
        {"DISCONNECT code=139 reason='bye!'"});
    v5("AUTH", hex("F0 00"), {"AUTH code=0"});
    v5("PINGREQ from the server", hex("C0 00"), none, "the server sent PINGREQ");
}

void TestMqttCodec::reader()
{
    QFETCH(Version, version);
    QFETCH(qint64, maxBytes);
    QFETCH(QByteArray, input);
    QFETCH(QStringList, packets);
    QFETCH(QString, error);

    const ReadResult whole = read(version, maxBytes, {input});
    QCOMPARE(whole.packets, packets);
    if (error.isEmpty()) {
        QCOMPARE(whole.error, QString());
    } else {
        QVERIFY2(whole.error.contains(error), qPrintable(whole.error));
    }
    // The same outcome however the stream is cut: at every byte, and byte by byte.
    for (qsizetype at = 1; at < input.size(); ++at) {
        const ReadResult split = read(version, maxBytes, {input.left(at), input.mid(at)});
        QVERIFY2(split.packets == whole.packets && split.error == whole.error,
            qPrintable(QStringLiteral("split at %1: %2 / %3")
                           .arg(at)
                           .arg(split.packets.join(QLatin1String("; ")), split.error)));
    }
    QList<QByteArray> bytes;
    for (const char byte : std::as_const(input)) {
        bytes.append(QByteArray(1, byte));
    }
    const ReadResult single = read(version, maxBytes, bytes);
    QCOMPARE(single.packets, whole.packets);
    QCOMPARE(single.error, whole.error);
}

void TestMqttCodec::readerTakesNothingAfterFailure()
{
    PacketReader reader(Version::V311, 1024);
    QList<Packet> packets;
    QVERIFY(!reader.feed(hex("00 00"), packets));
    QVERIFY(reader.hasFailed());
    QVERIFY(!reader.feed(hex("D0 00"), packets));
    QVERIFY(packets.isEmpty());
    QCOMPARE(reader.bufferedBytes(), 0);
}

void TestMqttCodec::publishRoundTrip_data()
{
    QTest::addColumn<Version>("version");
    QTest::addColumn<int>("qos");
    QTest::addColumn<bool>("retain");
    QTest::addColumn<int>("payloadBytes");
    QTest::newRow("3.1.1 QoS 0") << Version::V311 << 0 << false << 0;
    QTest::newRow("3.1.1 QoS 1 retained") << Version::V311 << 1 << true << 300;
    QTest::newRow("5 QoS 1 large") << Version::V5 << 1 << false << 70000;
    QTest::newRow("5 QoS 2 retained") << Version::V5 << 2 << true << 5;
}

void TestMqttCodec::publishRoundTrip()
{
    QFETCH(Version, version);
    QFETCH(int, qos);
    QFETCH(bool, retain);
    QFETCH(int, payloadBytes);
    QByteArray payload(payloadBytes, Qt::Uninitialized);
    for (int i = 0; i < payloadBytes; ++i) {
        payload[i] = char(i * 7);
    }
    Properties properties;
    if (version == Version::V5) {
        properties.userProperties = {{QStringLiteral("a"), QStringLiteral("1")}};
    }
    const QByteArray bytes = encodePublish(
        version, {QStringLiteral("x/y"), payload, qos, retain}, 77, false, properties);
    PacketReader reader(version, 1 << 20);
    QList<Packet> packets;
    QVERIFY(reader.feed(bytes, packets));
    QCOMPARE(packets.size(), 1);
    const Packet &p = packets.first();
    QCOMPARE(p.topic, QStringLiteral("x/y"));
    QCOMPARE(p.payload, payload);
    QCOMPARE(p.qos, qos);
    QCOMPARE(p.retain, retain);
    QCOMPARE(p.packetId, quint16(qos > 0 ? 77 : 0));
    QCOMPARE(p.properties.userProperties, properties.userProperties);
}

void TestMqttCodec::topicFilter_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << "a/b" << true;
    QTest::newRow("#") << "#" << true;
    QTest::newRow("+") << "+" << true;
    QTest::newRow("a/#") << "a/#" << true;
    QTest::newRow("+/b/+") << "+/b/+" << true;
    QTest::newRow("/leading") << "/a" << true;
    QTest::newRow("empty levels") << "a//b/" << true;
    QTest::newRow("$SYS/#") << "$SYS/#" << true;
    QTest::newRow("# not last") << "a/#/b" << false;
    QTest::newRow("# inside a level") << "a/b#" << false;
    QTest::newRow("+ inside a level") << "a/b+/c" << false;
    QTest::newRow("++") << "++" << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("U+0000") << QStringLiteral("a") + QChar(0) << false;
    QTest::newRow("too long") << QString(65536, QLatin1Char('a')) << false;
}

void TestMqttCodec::topicFilter()
{
    QFETCH(QString, filter);
    QFETCH(bool, valid);
    QString error;
    QCOMPARE(isValidTopicFilter(filter, &error), valid);
    QCOMPARE(error.isEmpty(), valid);
}

void TestMqttCodec::topicName_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << "a/b" << true;
    QTest::newRow("space") << "a b/c" << true;
    QTest::newRow("+") << "a/+" << false;
    QTest::newRow("#") << "#" << false;
    QTest::newRow("empty") << "" << false;
}

void TestMqttCodec::topicName()
{
    QFETCH(QString, topic);
    QFETCH(bool, valid);
    QString error;
    QCOMPARE(isValidTopicName(topic, &error), valid);
    QCOMPARE(error.isEmpty(), valid);
}

void TestMqttCodec::refusals_data()
{
    QTest::addColumn<Version>("version");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("transient");
    QTest::newRow("3.1.1 1") << Version::V311 << 1 << "unacceptable protocol version" << false;
    QTest::newRow("3.1.1 2") << Version::V311 << 2 << "client identifier rejected" << false;
    QTest::newRow("3.1.1 3") << Version::V311 << 3 << "server unavailable" << true;
    QTest::newRow("3.1.1 4") << Version::V311 << 4 << "bad user name or password" << false;
    QTest::newRow("3.1.1 5") << Version::V311 << 5 << "not authorized" << false;
    QTest::newRow("3.1.1 99") << Version::V311 << 99 << "refused with return code 99" << false;
    QTest::newRow("5 0x84") << Version::V5 << 0x84 << "unsupported protocol version" << false;
    QTest::newRow("5 0x86") << Version::V5 << 0x86 << "bad user name or password" << false;
    QTest::newRow("5 0x87") << Version::V5 << 0x87 << "not authorized" << false;
    QTest::newRow("5 0x8A") << Version::V5 << 0x8A << "banned" << false;
    QTest::newRow("5 0x89") << Version::V5 << 0x89 << "server busy" << true;
    QTest::newRow("5 0x9F") << Version::V5 << 0x9F << "connection rate exceeded" << true;
    QTest::newRow("5 unknown") << Version::V5 << 0xF0 << "reason code 0xf0" << false;
}

void TestMqttCodec::refusals()
{
    QFETCH(Version, version);
    QFETCH(int, code);
    QFETCH(QString, text);
    QFETCH(bool, transient);
    QCOMPARE(describeConnackCode(version, quint8(code)), text);
    QCOMPARE(isTransientConnackCode(version, quint8(code)), transient);
}

QTEST_APPLESS_MAIN(TestMqttCodec)
#include "tst_mqttcodec.moc"
