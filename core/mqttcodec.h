// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace streamscope::mqtt {

// The protocol level byte of CONNECT.
enum class Version : quint8 {
    V311 = 4,
    V5 = 5,
};

enum class PacketType : quint8 {
    Connect = 1,
    Connack = 2,
    Publish = 3,
    Puback = 4,
    Pubrec = 5,
    Pubrel = 6,
    Pubcomp = 7,
    Subscribe = 8,
    Suback = 9,
    Unsubscribe = 10,
    Unsuback = 11,
    Pingreq = 12,
    Pingresp = 13,
    Disconnect = 14,
    Auth = 15, // MQTT 5 only
};

using UserProperties = QList<QPair<QString, QString>>;

// MQTT 5 properties (section 2.2.2), those a client meets or sends. Each optional one is unset
// when the packet did not carry it.
struct Properties
{
    std::optional<quint8> payloadFormatIndicator; // 0x01: 1 says the payload is UTF-8
    std::optional<quint32> messageExpiryInterval; // 0x02
    QString contentType; // 0x03
    QString responseTopic; // 0x08
    QByteArray correlationData; // 0x09
    QList<quint32> subscriptionIdentifiers; // 0x0B, repeatable
    std::optional<quint32> sessionExpiryInterval; // 0x11
    QString assignedClientIdentifier; // 0x12
    std::optional<quint16> serverKeepAlive; // 0x13
    QString authenticationMethod; // 0x15
    QByteArray authenticationData; // 0x16
    QString responseInformation; // 0x1A
    QString serverReference; // 0x1C
    QString reasonString; // 0x1F
    std::optional<quint16> receiveMaximum; // 0x21
    std::optional<quint16> topicAliasMaximum; // 0x22
    std::optional<quint16> topicAlias; // 0x23
    std::optional<quint8> maximumQos; // 0x24
    std::optional<quint8> retainAvailable; // 0x25
    UserProperties userProperties; // 0x26, repeatable, in order
    std::optional<quint32> maximumPacketSize; // 0x27
    std::optional<quint8> wildcardSubscriptionAvailable; // 0x28
    std::optional<quint8> subscriptionIdentifierAvailable; // 0x29
    std::optional<quint8> sharedSubscriptionAvailable; // 0x2A
};

// A packet as the server sends it, decoded. Fields that the type does not carry stay default.
struct Packet
{
    PacketType type = PacketType::Pingresp;
    quint8 flags = 0; // the fixed header's low four bits
    // CONNACK
    bool sessionPresent = false;
    // CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, DISCONNECT, AUTH: the reason code (MQTT 5) or
    // the return code (3.1.1 CONNACK); 0 is success.
    quint8 reasonCode = 0;
    // SUBACK, UNSUBACK (MQTT 5): one code per filter, in order.
    QList<quint8> reasonCodes;
    quint16 packetId = 0;
    // PUBLISH. topic is empty when an MQTT 5 topic alias stands for it.
    QString topic;
    QByteArray payload;
    int qos = 0;
    bool retain = false;
    bool dup = false;
    Properties properties;
};

// What CONNECT carries (section 3.1). No will message: a monitoring client has none to leave.
struct ConnectOptions
{
    Version version = Version::V311;
    QString clientId;
    bool cleanStart = true;
    quint16 keepAliveSeconds = 60;
    std::optional<QString> username;
    std::optional<QByteArray> password;
    // MQTT 5: sent as properties when set.
    std::optional<quint32> sessionExpiryInterval;
    std::optional<quint16> receiveMaximum;
    std::optional<quint32> maximumPacketSize;
    std::optional<quint16> topicAliasMaximum;
    UserProperties userProperties;
};

struct Subscription
{
    QString filter;
    int qos = 0;
};

// An application message to send.
struct Message
{
    QString topic;
    QByteArray payload;
    int qos = 0;
    bool retain = false;
};

// The largest remaining length four varint bytes can say (section 1.5.5): 268,435,455.
constexpr quint32 MaxRemainingLength = 268435455;

// Remaining-length varint (1.5.5). encode: value at most MaxRemainingLength.
QByteArray encodeVarint(quint32 value);
enum class VarintResult {
    Complete,
    NeedMore,
    Malformed, // a fifth byte: continuation bit set on the fourth
};
// Reads a varint at the start of bytes; on Complete, *value and *length (1-4) are set.
VarintResult decodeVarint(QByteArrayView bytes, quint32 *value, int *length);

QByteArray encodeConnect(const ConnectOptions &options);
QByteArray encodeSubscribe(Version version, quint16 packetId, const QList<Subscription> &filters);
QByteArray encodeUnsubscribe(Version version, quint16 packetId, const QStringList &filters);
// packetId is ignored for QoS 0.
QByteArray encodePublish(Version version, const Message &message, quint16 packetId, bool dup,
    const Properties &properties = {});
// PUBACK, PUBREC, PUBREL, PUBCOMP. MQTT 5 leaves the reason code out when it is 0 (3.4.2.1).
QByteArray encodeAck(Version version, PacketType type, quint16 packetId, quint8 reasonCode = 0);
QByteArray encodePingreq();
QByteArray encodeDisconnect(Version version, quint8 reasonCode = 0);
// MQTT 5 properties with their varint length in front; what encodeConnect and encodePublish use.
QByteArray encodeProperties(const Properties &properties);

// Decodes the body of one whole packet (fixed header's first byte and the bytes after the
// remaining length) as a server sends it. Returns false with the reason in *error.
bool decodePacket(
    Version version, quint8 firstByte, QByteArrayView body, Packet *packet, QString *error);

// Topic filters and names (section 4.7): '#' only last and alone in its level, '+' alone in its
// level, no U+0000, 1 to 65535 bytes of UTF-8. Return false with the reason in *error.
bool isValidTopicFilter(const QString &filter, QString *error);
bool isValidTopicName(const QString &topic, QString *error);

// How to show a payload: as text when it is valid UTF-8, else as binary.
inline bool isTextPayload(QByteArrayView payload)
{
    return payload.isValidUtf8();
}

// Readable meanings of refusals and failures.
QString describeConnackCode(Version version, quint8 code);
QString describeReasonCode(quint8 code);
// Whether a refused CONNACK may succeed later (server unavailable or busy, quota or rate).
bool isTransientConnackCode(Version version, quint8 code);
QString packetTypeName(PacketType type);

// Packets out of a byte stream: the server's packets split across WebSocket messages, or several
// in one. Bounded: a packet over maxPacketBytes (fixed header included) fails the reader
// before its body is buffered. After a failure it takes nothing more.
class PacketReader
{
public:
    PacketReader(Version version, qint64 maxPacketBytes);

    // Appends each whole packet to out; false once the stream is malformed or over the bound.
    bool feed(QByteArrayView bytes, QList<Packet> &out);
    bool hasFailed() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    qint64 maxPacketBytes() const { return m_maxPacketBytes; }
    // Bytes held of a packet not yet whole.
    qsizetype bufferedBytes() const { return m_buffer.size(); }

private:
    Version m_version;
    qint64 m_maxPacketBytes;
    QByteArray m_buffer;
    QString m_error;
};

} // namespace streamscope::mqtt
