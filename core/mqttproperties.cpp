// SPDX-License-Identifier: GPL-3.0-or-later
#include "mqttproperties.h"

#include "mqttwire.h"

namespace streamscope::mqtt {

namespace {

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

void failRepeated(FieldReader &reader, quint8 id)
{
    reader.fail(QStringLiteral("property 0x%1 appears twice").arg(id, 2, 16, QLatin1Char('0')));
}

template <typename T> void setOnce(FieldReader &reader, std::optional<T> &field, T value, quint8 id)
{
    if (field) {
        failRepeated(reader, id);
        return;
    }
    field = value;
}

// A string or binary data property, which may be present and empty.
template <typename T>
void setOnce(FieldReader &reader, T &field, bool &seen, const T &value, quint8 id)
{
    if (seen) {
        failRepeated(reader, id);
        return;
    }
    seen = true;
    field = value;
}

} // namespace

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

// 2.2.2: the property length, then identifier and value pairs.
void readProperties(FieldReader &reader, Properties *properties)
{
    const quint32 length = reader.varint("property length");
    if (reader.failed()) {
        return;
    }
    if (length > quint32(reader.remaining())) {
        reader.fail(QStringLiteral("property length %1 runs past the packet").arg(length));
        return;
    }
    FieldReader inner(reader.bytes(qsizetype(length), "properties"));
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
        case CorrelationData:
            setOnce(inner, p.correlationData, seen[id], inner.binary("correlation data"), id);
            break;
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
        case AuthenticationData:
            setOnce(inner, p.authenticationData, seen[id], inner.binary("authentication data"), id);
            break;
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
        reader.fail(inner.error());
    }
}

} // namespace streamscope::mqtt
