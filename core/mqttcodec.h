// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The codec's vocabulary comes with it: callers include this header alone.
#include "mqttproperties.h"
#include "mqttreasoncodes.h"
#include "mqtttopic.h"
#include "mqttwire.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace streamscope::mqtt {

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

// Decodes the body of one whole packet (fixed header's first byte and the bytes after the
// remaining length) as a server sends it. Returns false with the reason in *error.
bool decodePacket(
    Version version, quint8 firstByte, QByteArrayView body, Packet *packet, QString *error);

// How to show a payload: as text when it is valid UTF-8, else as binary.
inline bool isTextPayload(QByteArrayView payload)
{
    return payload.isValidUtf8();
}

// Packets out of a byte stream: the server's packets split across WebSocket messages, or several
// in one. Bounded: a packet over maxPacketBytes (fixed header included) fails the reader
// before its body is buffered. After a failure it takes nothing more.
class PacketReader final
{
    Q_DISABLE_COPY_MOVE(PacketReader)
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
