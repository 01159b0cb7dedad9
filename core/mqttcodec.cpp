// SPDX-License-Identifier: GPL-3.0-or-later
#include "mqttcodec.h"

namespace streamscope::mqtt {

namespace {

QByteArray packet(quint8 firstByte, const QByteArray &body)
{
    QByteArray out(1, char(firstByte));
    out.append(encodeVarint(quint32(body.size())));
    out.append(body);
    return out;
}

// PUBACK, PUBREC, PUBREL, PUBCOMP (3.4-3.7): a packet identifier, and in MQTT 5 an optional
// reason code and properties.
void readAck(Version version, FieldReader &reader, Packet *packet)
{
    packet->packetId = reader.u16("packet identifier");
    if (!reader.failed() && packet->packetId == 0) {
        reader.fail(QStringLiteral("packet identifier 0"));
    }
    if (version == Version::V5) {
        if (!reader.atEnd()) {
            packet->reasonCode = reader.byte("reason code");
        }
        if (!reader.atEnd()) {
            readProperties(reader, &packet->properties);
        }
    }
}

void readPublish(Version version, FieldReader &reader, Packet *packet)
{
    packet->retain = (packet->flags & 0x01) != 0;
    packet->qos = (packet->flags >> 1) & 0x03;
    packet->dup = (packet->flags & 0x08) != 0;
    if (packet->qos == 3) {
        reader.fail(QStringLiteral("PUBLISH with QoS 3"));
        return;
    }
    if (packet->qos == 0 && packet->dup) {
        reader.fail(QStringLiteral("PUBLISH with QoS 0 and the DUP flag"));
        return;
    }
    packet->topic = reader.string("topic name");
    if (reader.failed()) {
        return;
    }
    if (containsWildcard(packet->topic)) {
        reader.fail(QStringLiteral("topic name \"%1\" contains a wildcard").arg(packet->topic));
        return;
    }
    if (packet->qos > 0) {
        packet->packetId = reader.u16("packet identifier");
        if (!reader.failed() && packet->packetId == 0) {
            reader.fail(QStringLiteral("packet identifier 0"));
        }
    }
    if (version == Version::V5) {
        readProperties(reader, &packet->properties);
        if (reader.failed()) {
            return;
        }
        if (packet->properties.topicAlias == quint16(0)) {
            reader.fail(QStringLiteral("topic alias 0"));
            return;
        }
    }
    if (packet->topic.isEmpty() && !packet->properties.topicAlias) {
        reader.fail(QStringLiteral("PUBLISH with an empty topic name and no topic alias"));
        return;
    }
    packet->payload = reader.rest().toByteArray();
}

bool isFromServer(Version version, PacketType type)
{
    switch (type) {
    case PacketType::Connack:
    case PacketType::Publish:
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
    case PacketType::Suback:
    case PacketType::Unsuback:
    case PacketType::Pingresp:
        return true;
    case PacketType::Disconnect:
    case PacketType::Auth:
        return version == Version::V5;
    case PacketType::Connect:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
    case PacketType::Pingreq:
        return false;
    }
    return false;
}

} // namespace

QByteArray encodeConnect(const ConnectOptions &options)
{
    QByteArray body;
    appendString(body, QStringLiteral("MQTT"));
    body.append(char(options.version));
    quint8 flags = 0;
    if (options.username) {
        flags |= 0x80;
    }
    if (options.password) {
        flags |= 0x40;
    }
    if (options.cleanStart) {
        flags |= 0x02;
    }
    body.append(char(flags));
    appendU16(body, options.keepAliveSeconds);
    if (options.version == Version::V5) {
        Properties properties;
        properties.sessionExpiryInterval = options.sessionExpiryInterval;
        properties.receiveMaximum = options.receiveMaximum;
        properties.maximumPacketSize = options.maximumPacketSize;
        properties.topicAliasMaximum = options.topicAliasMaximum;
        properties.userProperties = options.userProperties;
        body.append(encodeProperties(properties));
    }
    appendString(body, options.clientId);
    if (options.username) {
        appendString(body, *options.username);
    }
    if (options.password) {
        appendBinary(body, *options.password);
    }
    return packet(0x10, body);
}

QByteArray encodeSubscribe(Version version, quint16 packetId, const QList<Subscription> &filters)
{
    QByteArray body;
    appendU16(body, packetId);
    if (version == Version::V5) {
        body.append('\0'); // no properties
    }
    for (const Subscription &subscription : filters) {
        appendString(body, subscription.filter);
        // MQTT 5's other options (No Local, Retain As Published, Retain Handling) stay 0.
        body.append(char(subscription.qos & 0x03));
    }
    return packet(0x82, body);
}

QByteArray encodeUnsubscribe(Version version, quint16 packetId, const QStringList &filters)
{
    QByteArray body;
    appendU16(body, packetId);
    if (version == Version::V5) {
        body.append('\0');
    }
    for (const QString &filter : filters) {
        appendString(body, filter);
    }
    return packet(0xA2, body);
}

QByteArray encodePublish(Version version, const Message &message, quint16 packetId, bool dup,
    const Properties &properties)
{
    const int qos = message.qos & 0x03;
    quint8 first = 0x30 | quint8(qos << 1);
    if (message.retain) {
        first |= 0x01;
    }
    if (dup && qos > 0) {
        first |= 0x08;
    }
    QByteArray body;
    appendString(body, message.topic);
    if (qos > 0) {
        appendU16(body, packetId);
    }
    if (version == Version::V5) {
        body.append(encodeProperties(properties));
    }
    body.append(message.payload);
    return packet(first, body);
}

QByteArray encodeAck(Version version, PacketType type, quint16 packetId, quint8 reasonCode)
{
    QByteArray body;
    appendU16(body, packetId);
    if (version == Version::V5 && reasonCode != 0) {
        body.append(char(reasonCode));
    }
    // 2.1.3: PUBREL's reserved flags are 0010.
    const quint8 flags = type == PacketType::Pubrel ? 0x02 : 0x00;
    return packet(quint8(quint8(type) << 4) | flags, body);
}

QByteArray encodePingreq()
{
    return QByteArray("\xC0\x00", 2);
}

QByteArray encodeDisconnect(Version version, quint8 reasonCode)
{
    QByteArray body;
    if (version == Version::V5 && reasonCode != 0) {
        body.append(char(reasonCode));
    }
    return packet(0xE0, body);
}

bool decodePacket(
    Version version, quint8 firstByte, QByteArrayView body, Packet *packet, QString *error)
{
    *packet = Packet();
    const quint8 typeNumber = firstByte >> 4;
    packet->flags = firstByte & 0x0F;
    if (typeNumber == 0 || (typeNumber == 15 && version != Version::V5)) {
        *error = QStringLiteral("reserved packet type %1").arg(typeNumber);
        return false;
    }
    packet->type = PacketType(typeNumber);
    if (!isFromServer(version, packet->type)) {
        *error = QStringLiteral("the server sent %1, which only clients send")
                     .arg(packetTypeName(packet->type));
        return false;
    }
    // 2.1.3: fixed flags for every type but PUBLISH.
    const quint8 expectedFlags = packet->type == PacketType::Pubrel ? 0x02 : 0x00;
    if (packet->type != PacketType::Publish && packet->flags != expectedFlags) {
        *error = QStringLiteral("%1 with reserved flags %2")
                     .arg(packetTypeName(packet->type))
                     .arg(packet->flags, 4, 2, QLatin1Char('0'));
        return false;
    }

    FieldReader reader(body);
    switch (packet->type) {
    case PacketType::Connack: {
        const quint8 flags = reader.byte("acknowledge flags");
        if (!reader.failed() && (flags & 0xFE) != 0) {
            reader.fail(QStringLiteral("CONNACK with reserved acknowledge flags set"));
        }
        packet->sessionPresent = (flags & 0x01) != 0;
        packet->reasonCode = reader.byte("return code");
        if (version == Version::V5) {
            readProperties(reader, &packet->properties);
        }
        break;
    }
    case PacketType::Publish:
        readPublish(version, reader, packet);
        break;
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
        readAck(version, reader, packet);
        break;
    case PacketType::Suback:
    case PacketType::Unsuback:
        packet->packetId = reader.u16("packet identifier");
        if (version == Version::V5) {
            readProperties(reader, &packet->properties);
        }
        // 3.1.1's UNSUBACK is the identifier alone.
        if (version == Version::V5 || packet->type == PacketType::Suback) {
            if (!reader.failed() && reader.atEnd()) {
                reader.fail(
                    QStringLiteral("%1 without reason codes").arg(packetTypeName(packet->type)));
            }
            const QByteArrayView codes = reader.rest();
            for (const char code : codes) {
                packet->reasonCodes.append(quint8(code));
            }
        }
        break;
    case PacketType::Pingresp:
        break;
    case PacketType::Disconnect:
    case PacketType::Auth:
        // MQTT 5 only; an empty body means reason 0 and no properties.
        if (!reader.atEnd()) {
            packet->reasonCode = reader.byte("reason code");
        }
        if (!reader.atEnd()) {
            readProperties(reader, &packet->properties);
        }
        break;
    case PacketType::Connect:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
    case PacketType::Pingreq:
        break;
    }
    if (!reader.failed() && !reader.atEnd()) {
        reader.fail(QStringLiteral("%1 bytes after the end of the %2")
                        .arg(reader.remaining())
                        .arg(packetTypeName(packet->type)));
    }
    if (reader.failed()) {
        *error
            = QStringLiteral("malformed %1: %2").arg(packetTypeName(packet->type), reader.error());
        return false;
    }
    return true;
}

PacketReader::PacketReader(Version version, qint64 maxPacketBytes)
    : m_version(version)
    , m_maxPacketBytes(maxPacketBytes)
{
}

bool PacketReader::feed(QByteArrayView bytes, QList<Packet> &out)
{
    if (hasFailed()) {
        return false;
    }
    m_buffer.append(bytes);
    qsizetype at = 0;
    while (m_buffer.size() - at >= 2) {
        const QByteArrayView rest = QByteArrayView(m_buffer).sliced(at);
        quint32 remaining = 0;
        int lengthBytes = 0;
        const VarintResult result = decodeVarint(rest.sliced(1), &remaining, &lengthBytes);
        if (result == VarintResult::NeedMore) {
            break;
        }
        if (result == VarintResult::Malformed) {
            m_error = QStringLiteral("malformed packet: remaining length longer than 4 bytes");
            break;
        }
        const qint64 total = 1 + lengthBytes + qint64(remaining);
        if (total > m_maxPacketBytes) {
            m_error = QStringLiteral("%1 packet of %2 bytes is over the limit of %3 bytes")
                          .arg(packetTypeName(PacketType(quint8(rest.at(0)) >> 4)))
                          .arg(total)
                          .arg(m_maxPacketBytes);
            break;
        }
        if (rest.size() < total) {
            if (at == 0) {
                m_buffer.reserve(total);
            }
            break;
        }
        Packet packet;
        QString error;
        if (!decodePacket(m_version, quint8(rest.at(0)), rest.sliced(1 + lengthBytes, remaining),
                &packet, &error)) {
            m_error = error;
            break;
        }
        out.append(std::move(packet));
        at += total;
    }
    if (hasFailed()) {
        m_buffer.clear();
        return false;
    }
    m_buffer.remove(0, at);
    return true;
}

} // namespace streamscope::mqtt
