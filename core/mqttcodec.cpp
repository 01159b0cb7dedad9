// SPDX-License-Identifier: GPL-3.0-or-later
#include "mqttcodec.h"

#include <QStringList>

namespace streamscope::mqtt {

namespace {

void appendU16(QByteArray &out, quint16 value)
{
    out.append(char(value >> 8)).append(char(value & 0xFF));
}

void appendU32(QByteArray &out, quint32 value)
{
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.append(char((value >> shift) & 0xFF));
    }
}

// A length-prefixed field (1.5.4 strings, 1.5.6 binary data); callers keep it to 65,535 bytes.
void appendBinary(QByteArray &out, QByteArrayView bytes)
{
    appendU16(out, quint16(bytes.size()));
    out.append(bytes);
}

void appendString(QByteArray &out, const QString &text)
{
    appendBinary(out, text.toUtf8());
}

QByteArray packet(quint8 firstByte, const QByteArray &body)
{
    QByteArray out(1, char(firstByte));
    out.append(encodeVarint(quint32(body.size())));
    out.append(body);
    return out;
}

// Property identifiers (MQTT 5, 2.2.2.2).
enum PropertyId : quint8 {
    PayloadFormatIndicator = 0x01,
    MessageExpiryInterval = 0x02,
    ContentType = 0x03,
    ResponseTopic = 0x08,
    CorrelationData = 0x09,
    SubscriptionIdentifier = 0x0B,
    SessionExpiryInterval = 0x11,
    AssignedClientIdentifier = 0x12,
    ServerKeepAlive = 0x13,
    AuthenticationMethod = 0x15,
    AuthenticationData = 0x16,
    ResponseInformation = 0x1A,
    ServerReference = 0x1C,
    ReasonString = 0x1F,
    ReceiveMaximum = 0x21,
    TopicAliasMaximum = 0x22,
    TopicAlias = 0x23,
    MaximumQos = 0x24,
    RetainAvailable = 0x25,
    UserProperty = 0x26,
    MaximumPacketSize = 0x27,
    WildcardSubscriptionAvailable = 0x28,
    SubscriptionIdentifierAvailable = 0x29,
    SharedSubscriptionAvailable = 0x2A,
};

// Reads the fields of one packet body in order; the first failure sticks.
class Cursor
{
public:
    explicit Cursor(QByteArrayView bytes)
        : m_bytes(bytes)
    {
    }

    bool failed() const { return !m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    qsizetype remaining() const { return m_bytes.size() - m_at; }
    bool atEnd() const { return m_at >= m_bytes.size(); }

    void fail(const QString &message)
    {
        if (m_error.isEmpty()) {
            m_error = message;
        }
    }

    bool need(qsizetype count, const char *what)
    {
        if (failed()) {
            return false;
        }
        if (remaining() < count) {
            fail(QStringLiteral("packet ends inside its %1").arg(QLatin1String(what)));
            return false;
        }
        return true;
    }

    quint8 byte(const char *what)
    {
        if (!need(1, what)) {
            return 0;
        }
        return quint8(m_bytes.at(m_at++));
    }

    quint16 u16(const char *what)
    {
        if (!need(2, what)) {
            return 0;
        }
        const quint16 value
            = quint16((quint8(m_bytes.at(m_at)) << 8) | quint8(m_bytes.at(m_at + 1)));
        m_at += 2;
        return value;
    }

    quint32 u32(const char *what)
    {
        if (!need(4, what)) {
            return 0;
        }
        quint32 value = 0;
        for (int i = 0; i < 4; ++i) {
            value = (value << 8) | quint8(m_bytes.at(m_at + i));
        }
        m_at += 4;
        return value;
    }

    quint32 varint(const char *what)
    {
        if (failed()) {
            return 0;
        }
        quint32 value = 0;
        int length = 0;
        switch (decodeVarint(m_bytes.sliced(m_at), &value, &length)) {
        case VarintResult::Complete:
            m_at += length;
            return value;
        case VarintResult::NeedMore:
            fail(QStringLiteral("packet ends inside its %1").arg(QLatin1String(what)));
            return 0;
        case VarintResult::Malformed:
            fail(QStringLiteral("malformed variable byte integer in its %1 (a fifth byte)")
                     .arg(QLatin1String(what)));
            return 0;
        }
        return 0;
    }

    QByteArrayView bytes(qsizetype count, const char *what)
    {
        if (!need(count, what)) {
            return {};
        }
        const QByteArrayView out = m_bytes.sliced(m_at, count);
        m_at += count;
        return out;
    }

    QByteArray binary(const char *what)
    {
        const quint16 length = u16(what);
        return bytes(length, what).toByteArray();
    }

    // 1.5.4: well-formed UTF-8 without U+0000.
    QString string(const char *what)
    {
        const quint16 length = u16(what);
        const QByteArrayView utf8 = bytes(length, what);
        if (failed()) {
            return {};
        }
        if (!utf8.isValidUtf8() || utf8.contains('\0')) {
            fail(QStringLiteral("%1 is not valid UTF-8 (or contains U+0000)")
                     .arg(QLatin1String(what)));
            return {};
        }
        return QString::fromUtf8(utf8);
    }

    QByteArrayView rest()
    {
        const QByteArrayView out = m_bytes.sliced(m_at);
        m_at = m_bytes.size();
        return out;
    }

private:
    QByteArrayView m_bytes;
    qsizetype m_at = 0;
    QString m_error;
};

template <typename T> void setOnce(Cursor &cursor, std::optional<T> &field, T value, quint8 id)
{
    if (field) {
        cursor.fail(QStringLiteral("property 0x%1 appears twice").arg(id, 2, 16, QLatin1Char('0')));
        return;
    }
    field = value;
}

void setOnce(Cursor &cursor, QString &field, bool &seen, const QString &value, quint8 id)
{
    if (seen) {
        cursor.fail(QStringLiteral("property 0x%1 appears twice").arg(id, 2, 16, QLatin1Char('0')));
        return;
    }
    seen = true;
    field = value;
}

// 2.2.2: the property length, then identifier and value pairs.
void readProperties(Cursor &cursor, Properties *properties)
{
    const quint32 length = cursor.varint("property length");
    if (cursor.failed()) {
        return;
    }
    if (length > quint32(cursor.remaining())) {
        cursor.fail(QStringLiteral("property length %1 runs past the packet").arg(length));
        return;
    }
    Cursor inner(cursor.bytes(qsizetype(length), "properties"));
    Properties &p = *properties;
    // Strings and binary data are "seen" apart from their value: an empty one is still there.
    bool seen[256] = {};
    while (!inner.atEnd() && !inner.failed()) {
        // The identifier is a variable byte integer; all defined ones fit in one byte.
        const quint32 wideId = inner.varint("property identifier");
        if (inner.failed()) {
            break;
        }
        if (wideId > 0x7F) {
            inner.fail(QStringLiteral("unknown property 0x%1").arg(wideId, 0, 16));
            break;
        }
        const quint8 id = quint8(wideId);
        switch (id) {
        case PayloadFormatIndicator:
            setOnce(inner, p.payloadFormatIndicator, inner.byte("payload format indicator"), id);
            break;
        case MessageExpiryInterval:
            setOnce(inner, p.messageExpiryInterval, inner.u32("message expiry interval"), id);
            break;
        case ContentType:
            setOnce(inner, p.contentType, seen[id], inner.string("content type"), id);
            break;
        case ResponseTopic:
            setOnce(inner, p.responseTopic, seen[id], inner.string("response topic"), id);
            break;
        case CorrelationData: {
            const QByteArray value = inner.binary("correlation data");
            if (seen[id]) {
                inner.fail(QStringLiteral("property 0x09 appears twice"));
            }
            seen[id] = true;
            p.correlationData = value;
            break;
        }
        case SubscriptionIdentifier: {
            const quint32 value = inner.varint("subscription identifier");
            if (!inner.failed() && value == 0) {
                inner.fail(QStringLiteral("subscription identifier 0"));
            }
            p.subscriptionIdentifiers.append(value);
            break;
        }
        case SessionExpiryInterval:
            setOnce(inner, p.sessionExpiryInterval, inner.u32("session expiry interval"), id);
            break;
        case AssignedClientIdentifier:
            setOnce(inner, p.assignedClientIdentifier, seen[id],
                inner.string("assigned client identifier"), id);
            break;
        case ServerKeepAlive:
            setOnce(inner, p.serverKeepAlive, inner.u16("server keep alive"), id);
            break;
        case AuthenticationMethod:
            setOnce(
                inner, p.authenticationMethod, seen[id], inner.string("authentication method"), id);
            break;
        case AuthenticationData: {
            const QByteArray value = inner.binary("authentication data");
            if (seen[id]) {
                inner.fail(QStringLiteral("property 0x16 appears twice"));
            }
            seen[id] = true;
            p.authenticationData = value;
            break;
        }
        case ResponseInformation:
            setOnce(
                inner, p.responseInformation, seen[id], inner.string("response information"), id);
            break;
        case ServerReference:
            setOnce(inner, p.serverReference, seen[id], inner.string("server reference"), id);
            break;
        case ReasonString:
            setOnce(inner, p.reasonString, seen[id], inner.string("reason string"), id);
            break;
        case ReceiveMaximum:
            setOnce(inner, p.receiveMaximum, inner.u16("receive maximum"), id);
            break;
        case TopicAliasMaximum:
            setOnce(inner, p.topicAliasMaximum, inner.u16("topic alias maximum"), id);
            break;
        case TopicAlias:
            setOnce(inner, p.topicAlias, inner.u16("topic alias"), id);
            break;
        case MaximumQos:
            setOnce(inner, p.maximumQos, inner.byte("maximum QoS"), id);
            break;
        case RetainAvailable:
            setOnce(inner, p.retainAvailable, inner.byte("retain available"), id);
            break;
        case UserProperty: {
            const QString name = inner.string("user property name");
            const QString value = inner.string("user property value");
            if (!inner.failed()) {
                p.userProperties.append({name, value});
            }
            break;
        }
        case MaximumPacketSize:
            setOnce(inner, p.maximumPacketSize, inner.u32("maximum packet size"), id);
            break;
        case WildcardSubscriptionAvailable:
            setOnce(inner, p.wildcardSubscriptionAvailable,
                inner.byte("wildcard subscription available"), id);
            break;
        case SubscriptionIdentifierAvailable:
            setOnce(inner, p.subscriptionIdentifierAvailable,
                inner.byte("subscription identifier available"), id);
            break;
        case SharedSubscriptionAvailable:
            setOnce(inner, p.sharedSubscriptionAvailable,
                inner.byte("shared subscription available"), id);
            break;
        default:
            // 0x17, 0x18 and 0x19 exist but only clients send them.
            inner.fail(QStringLiteral("unknown property 0x%1").arg(id, 2, 16, QLatin1Char('0')));
            break;
        }
    }
    if (inner.failed()) {
        cursor.fail(inner.error());
    }
}

// PUBACK, PUBREC, PUBREL, PUBCOMP (3.4-3.7): a packet identifier, and in MQTT 5 an optional
// reason code and properties.
void readAck(Version version, Cursor &cursor, Packet *packet)
{
    packet->packetId = cursor.u16("packet identifier");
    if (!cursor.failed() && packet->packetId == 0) {
        cursor.fail(QStringLiteral("packet identifier 0"));
    }
    if (version == Version::V5) {
        if (!cursor.atEnd()) {
            packet->reasonCode = cursor.byte("reason code");
        }
        if (!cursor.atEnd()) {
            readProperties(cursor, &packet->properties);
        }
    }
}

void readPublish(Version version, Cursor &cursor, Packet *packet)
{
    packet->retain = (packet->flags & 0x01) != 0;
    packet->qos = (packet->flags >> 1) & 0x03;
    packet->dup = (packet->flags & 0x08) != 0;
    if (packet->qos == 3) {
        cursor.fail(QStringLiteral("PUBLISH with QoS 3"));
        return;
    }
    if (packet->qos == 0 && packet->dup) {
        cursor.fail(QStringLiteral("PUBLISH with QoS 0 and the DUP flag"));
        return;
    }
    packet->topic = cursor.string("topic name");
    if (cursor.failed()) {
        return;
    }
    if (packet->topic.contains(QLatin1Char('+')) || packet->topic.contains(QLatin1Char('#'))) {
        cursor.fail(QStringLiteral("topic name \"%1\" contains a wildcard").arg(packet->topic));
        return;
    }
    if (packet->qos > 0) {
        packet->packetId = cursor.u16("packet identifier");
        if (!cursor.failed() && packet->packetId == 0) {
            cursor.fail(QStringLiteral("packet identifier 0"));
        }
    }
    if (version == Version::V5) {
        readProperties(cursor, &packet->properties);
        if (cursor.failed()) {
            return;
        }
        if (packet->properties.topicAlias == quint16(0)) {
            cursor.fail(QStringLiteral("topic alias 0"));
            return;
        }
    }
    if (packet->topic.isEmpty() && !packet->properties.topicAlias) {
        cursor.fail(QStringLiteral("PUBLISH with an empty topic name and no topic alias"));
        return;
    }
    packet->payload = cursor.rest().toByteArray();
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

QByteArray encodeVarint(quint32 value)
{
    QByteArray out;
    do {
        quint8 digit = value % 128;
        value /= 128;
        if (value > 0) {
            digit |= 0x80;
        }
        out.append(char(digit));
    } while (value > 0 && out.size() < 4);
    return out;
}

VarintResult decodeVarint(QByteArrayView bytes, quint32 *value, int *length)
{
    quint32 result = 0;
    for (int i = 0; i < 4; ++i) {
        if (i >= bytes.size()) {
            return VarintResult::NeedMore;
        }
        const quint8 digit = quint8(bytes.at(i));
        result |= quint32(digit & 0x7F) << (7 * i);
        if ((digit & 0x80) == 0) {
            *value = result;
            *length = i + 1;
            return VarintResult::Complete;
        }
    }
    return VarintResult::Malformed;
}

QByteArray encodeProperties(const Properties &p)
{
    QByteArray body;
    const auto byteProperty = [&body](quint8 id, const std::optional<quint8> &value) {
        if (value) {
            body.append(char(id)).append(char(*value));
        }
    };
    const auto u16Property = [&body](quint8 id, const std::optional<quint16> &value) {
        if (value) {
            body.append(char(id));
            appendU16(body, *value);
        }
    };
    const auto u32Property = [&body](quint8 id, const std::optional<quint32> &value) {
        if (value) {
            body.append(char(id));
            appendU32(body, *value);
        }
    };
    const auto stringProperty = [&body](quint8 id, const QString &value) {
        if (!value.isEmpty()) {
            body.append(char(id));
            appendString(body, value);
        }
    };
    const auto binaryProperty = [&body](quint8 id, const QByteArray &value) {
        if (!value.isEmpty()) {
            body.append(char(id));
            appendBinary(body, value);
        }
    };
    byteProperty(PayloadFormatIndicator, p.payloadFormatIndicator);
    u32Property(MessageExpiryInterval, p.messageExpiryInterval);
    stringProperty(ContentType, p.contentType);
    stringProperty(ResponseTopic, p.responseTopic);
    binaryProperty(CorrelationData, p.correlationData);
    for (const quint32 id : p.subscriptionIdentifiers) {
        body.append(char(SubscriptionIdentifier)).append(encodeVarint(id));
    }
    u32Property(SessionExpiryInterval, p.sessionExpiryInterval);
    stringProperty(AssignedClientIdentifier, p.assignedClientIdentifier);
    u16Property(ServerKeepAlive, p.serverKeepAlive);
    stringProperty(AuthenticationMethod, p.authenticationMethod);
    binaryProperty(AuthenticationData, p.authenticationData);
    stringProperty(ResponseInformation, p.responseInformation);
    stringProperty(ServerReference, p.serverReference);
    stringProperty(ReasonString, p.reasonString);
    u16Property(ReceiveMaximum, p.receiveMaximum);
    u16Property(TopicAliasMaximum, p.topicAliasMaximum);
    u16Property(TopicAlias, p.topicAlias);
    byteProperty(MaximumQos, p.maximumQos);
    byteProperty(RetainAvailable, p.retainAvailable);
    for (const auto &[name, value] : p.userProperties) {
        body.append(char(UserProperty));
        appendString(body, name);
        appendString(body, value);
    }
    u32Property(MaximumPacketSize, p.maximumPacketSize);
    byteProperty(WildcardSubscriptionAvailable, p.wildcardSubscriptionAvailable);
    byteProperty(SubscriptionIdentifierAvailable, p.subscriptionIdentifierAvailable);
    byteProperty(SharedSubscriptionAvailable, p.sharedSubscriptionAvailable);
    return encodeVarint(quint32(body.size())) + body;
}

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

    Cursor cursor(body);
    switch (packet->type) {
    case PacketType::Connack: {
        const quint8 flags = cursor.byte("acknowledge flags");
        if (!cursor.failed() && (flags & 0xFE) != 0) {
            cursor.fail(QStringLiteral("CONNACK with reserved acknowledge flags set"));
        }
        packet->sessionPresent = (flags & 0x01) != 0;
        packet->reasonCode = cursor.byte("return code");
        if (version == Version::V5) {
            readProperties(cursor, &packet->properties);
        }
        break;
    }
    case PacketType::Publish:
        readPublish(version, cursor, packet);
        break;
    case PacketType::Puback:
    case PacketType::Pubrec:
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
        readAck(version, cursor, packet);
        break;
    case PacketType::Suback:
    case PacketType::Unsuback:
        packet->packetId = cursor.u16("packet identifier");
        if (version == Version::V5) {
            readProperties(cursor, &packet->properties);
        }
        // 3.1.1's UNSUBACK is the identifier alone.
        if (version == Version::V5 || packet->type == PacketType::Suback) {
            if (!cursor.failed() && cursor.atEnd()) {
                cursor.fail(
                    QStringLiteral("%1 without reason codes").arg(packetTypeName(packet->type)));
            }
            const QByteArrayView codes = cursor.rest();
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
        if (!cursor.atEnd()) {
            packet->reasonCode = cursor.byte("reason code");
        }
        if (!cursor.atEnd()) {
            readProperties(cursor, &packet->properties);
        }
        break;
    case PacketType::Connect:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
    case PacketType::Pingreq:
        break;
    }
    if (!cursor.failed() && !cursor.atEnd()) {
        cursor.fail(QStringLiteral("%1 bytes after the end of the %2")
                        .arg(cursor.remaining())
                        .arg(packetTypeName(packet->type)));
    }
    if (cursor.failed()) {
        *error
            = QStringLiteral("malformed %1: %2").arg(packetTypeName(packet->type), cursor.error());
        return false;
    }
    return true;
}

namespace {

bool checkTopicBytes(const QString &text, const char *what, QString *error)
{
    if (text.isEmpty()) {
        *error = QStringLiteral("empty %1").arg(QLatin1String(what));
        return false;
    }
    if (text.contains(QChar(0))) {
        *error = QStringLiteral("%1 \"%2\" contains U+0000").arg(QLatin1String(what), text);
        return false;
    }
    if (text.toUtf8().size() > 65535) {
        *error = QStringLiteral("%1 longer than 65535 bytes").arg(QLatin1String(what));
        return false;
    }
    return true;
}

} // namespace

bool isValidTopicFilter(const QString &filter, QString *error)
{
    if (!checkTopicBytes(filter, "topic filter", error)) {
        return false;
    }
    const QStringList levels = filter.split(QLatin1Char('/'));
    for (qsizetype i = 0; i < levels.size(); ++i) {
        const QString &level = levels.at(i);
        if (level.contains(QLatin1Char('#'))) {
            if (level.size() != 1 || i != levels.size() - 1) {
                *error = QStringLiteral("topic filter \"%1\": '#' must be the whole last level")
                             .arg(filter);
                return false;
            }
        }
        if (level.contains(QLatin1Char('+')) && level.size() != 1) {
            *error = QStringLiteral("topic filter \"%1\": '+' must be a whole level").arg(filter);
            return false;
        }
    }
    return true;
}

bool isValidTopicName(const QString &topic, QString *error)
{
    if (!checkTopicBytes(topic, "topic name", error)) {
        return false;
    }
    if (topic.contains(QLatin1Char('+')) || topic.contains(QLatin1Char('#'))) {
        *error = QStringLiteral("topic name \"%1\" contains a wildcard ('+' or '#')").arg(topic);
        return false;
    }
    return true;
}

QString describeConnackCode(Version version, quint8 code)
{
    if (version == Version::V311) {
        switch (code) {
        case 0:
            return QStringLiteral("accepted");
        case 1:
            return QStringLiteral("unacceptable protocol version");
        case 2:
            return QStringLiteral("client identifier rejected");
        case 3:
            return QStringLiteral("server unavailable");
        case 4:
            return QStringLiteral("bad user name or password");
        case 5:
            return QStringLiteral("not authorized");
        default:
            return QStringLiteral("refused with return code %1").arg(code);
        }
    }
    return describeReasonCode(code);
}

QString describeReasonCode(quint8 code)
{
    switch (code) {
    case 0x00:
        return QStringLiteral("success");
    case 0x01:
        return QStringLiteral("granted QoS 1");
    case 0x02:
        return QStringLiteral("granted QoS 2");
    case 0x04:
        return QStringLiteral("disconnect with will message");
    case 0x10:
        return QStringLiteral("no matching subscribers");
    case 0x11:
        return QStringLiteral("no subscription existed");
    case 0x18:
        return QStringLiteral("continue authentication");
    case 0x19:
        return QStringLiteral("re-authenticate");
    case 0x80:
        return QStringLiteral("unspecified error");
    case 0x81:
        return QStringLiteral("malformed packet");
    case 0x82:
        return QStringLiteral("protocol error");
    case 0x83:
        return QStringLiteral("implementation specific error");
    case 0x84:
        return QStringLiteral("unsupported protocol version");
    case 0x85:
        return QStringLiteral("client identifier not valid");
    case 0x86:
        return QStringLiteral("bad user name or password");
    case 0x87:
        return QStringLiteral("not authorized");
    case 0x88:
        return QStringLiteral("server unavailable");
    case 0x89:
        return QStringLiteral("server busy");
    case 0x8A:
        return QStringLiteral("banned");
    case 0x8B:
        return QStringLiteral("server shutting down");
    case 0x8C:
        return QStringLiteral("bad authentication method");
    case 0x8D:
        return QStringLiteral("keep alive timeout");
    case 0x8E:
        return QStringLiteral("session taken over");
    case 0x8F:
        return QStringLiteral("topic filter invalid");
    case 0x90:
        return QStringLiteral("topic name invalid");
    case 0x91:
        return QStringLiteral("packet identifier in use");
    case 0x92:
        return QStringLiteral("packet identifier not found");
    case 0x93:
        return QStringLiteral("receive maximum exceeded");
    case 0x94:
        return QStringLiteral("topic alias invalid");
    case 0x95:
        return QStringLiteral("packet too large");
    case 0x96:
        return QStringLiteral("message rate too high");
    case 0x97:
        return QStringLiteral("quota exceeded");
    case 0x98:
        return QStringLiteral("administrative action");
    case 0x99:
        return QStringLiteral("payload format invalid");
    case 0x9A:
        return QStringLiteral("retain not supported");
    case 0x9B:
        return QStringLiteral("QoS not supported");
    case 0x9C:
        return QStringLiteral("use another server");
    case 0x9D:
        return QStringLiteral("server moved");
    case 0x9E:
        return QStringLiteral("shared subscriptions not supported");
    case 0x9F:
        return QStringLiteral("connection rate exceeded");
    case 0xA0:
        return QStringLiteral("maximum connect time");
    case 0xA1:
        return QStringLiteral("subscription identifiers not supported");
    case 0xA2:
        return QStringLiteral("wildcard subscriptions not supported");
    default:
        return QStringLiteral("reason code 0x%1").arg(code, 2, 16, QLatin1Char('0'));
    }
}

bool isTransientConnackCode(Version version, quint8 code)
{
    if (version == Version::V311) {
        return code == 3;
    }
    return code == 0x88 || code == 0x89 || code == 0x97 || code == 0x9F;
}

QString packetTypeName(PacketType type)
{
    static const char *const names[] = {"reserved type 0", "CONNECT", "CONNACK", "PUBLISH",
        "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK",
        "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"};
    return QLatin1String(names[quint8(type) & 0x0F]);
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
