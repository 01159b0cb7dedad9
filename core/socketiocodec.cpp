// SPDX-License-Identifier: GPL-3.0-or-later
#include "socketiocodec.h"

#include "json.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QUrlQuery>

#include <limits>

namespace streamscope::socketio {

namespace {

// socket.io-parser refuses these as event names both ways: they are the client's own events.
constexpr const char *s_reservedEvents[] = {
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
};

bool isReserved(QByteArrayView name)
{
    for (const char *reserved : s_reservedEvents) {
        if (name == QByteArrayView(reserved)) {
            return true;
        }
    }
    return false;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// One JSON value of any type (QJsonDocument takes only arrays and objects at the top): wrapped
// in an array, which must then hold exactly one element.
std::optional<QJsonValue> parseJsonValue(QByteArrayView text, QString *error)
{
    QByteArray wrapped;
    wrapped.reserve(text.size() + 2);
    wrapped.append('[');
    wrapped.append(text);
    wrapped.append(']');
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isArray()
        || document.array().size() != 1) {
        *error = parseError.error != QJsonParseError::NoError
            ? QStringLiteral("invalid JSON (%1)").arg(parseError.errorString())
            : QStringLiteral("invalid JSON (not one value)");
        return std::nullopt;
    }
    return document.array().first();
}

// The end of the JSON string or number that starts at text[at]; -1 when it does not end.
qsizetype tokenEnd(QByteArrayView text, qsizetype at)
{
    if (text.at(at) == '"') {
        for (qsizetype i = at + 1; i < text.size(); ++i) {
            if (text.at(i) == '\\') {
                ++i;
            } else if (text.at(i) == '"') {
                return i + 1;
            }
        }
        return -1;
    }
    qsizetype i = at;
    while (
        i < text.size() && (isDigit(text.at(i)) || QByteArrayView("+-.eE").contains(text.at(i)))) {
        ++i;
    }
    return i;
}

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

qsizetype skipSpace(QByteArrayView text, qsizetype at)
{
    while (at < text.size() && isJsonSpace(text.at(at))) {
        ++at;
    }
    return at;
}

std::optional<QJsonValue> fillValue(
    const QJsonValue &value, const QByteArrayList &attachments, QString *error)
{
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &item : value.toArray()) {
            const std::optional<QJsonValue> filled = fillValue(item, attachments, error);
            if (!filled) {
                return std::nullopt;
            }
            out.append(*filled);
        }
        return out;
    }
    if (!value.isObject()) {
        return value;
    }
    const QJsonObject object = value.toObject();
    if (object.value(QLatin1String("_placeholder")) == QJsonValue(true)) {
        const QJsonValue num = object.value(QLatin1String("num"));
        const double index = num.toDouble(-1);
        if (!num.isDouble() || index < 0 || index >= double(attachments.size())
            || index != double(qint64(index))) {
            *error = num.isDouble()
                ? QStringLiteral("placeholder for attachment %1, but the packet has %2")
                      .arg(index)
                      .arg(attachments.size())
                : QStringLiteral("placeholder without a number");
            return std::nullopt;
        }
        const QByteArray &bytes = attachments.at(qsizetype(index));
        return QJsonObject{
            {QStringLiteral("_binary"), QString::fromLatin1(bytes.toBase64())},
            {QStringLiteral("bytes"), double(bytes.size())},
        };
    }
    QJsonObject out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const std::optional<QJsonValue> filled = fillValue(it.value(), attachments, error);
        if (!filled) {
            return std::nullopt;
        }
        out.insert(it.key(), *filled);
    }
    return out;
}

} // namespace

std::optional<EnginePacket> parseEnginePacket(QByteArrayView message, QString *error)
{
    if (message.isEmpty()) {
        *error = QStringLiteral("empty Engine.IO packet");
        return std::nullopt;
    }
    const char type = message.at(0);
    if (type < '0' || type > '6') {
        *error = QStringLiteral("unknown Engine.IO packet type '%1'")
                     .arg(QString::fromUtf8(message.first(1).toByteArray().toPercentEncoding()));
        return std::nullopt;
    }
    return EnginePacket{EngineType(type - '0'), message.sliced(1).toByteArray()};
}

QByteArray encodeEnginePacket(EngineType type, QByteArrayView payload)
{
    QByteArray out;
    out.reserve(payload.size() + 1);
    out.append(char('0' + int(type)));
    out.append(payload);
    return out;
}

std::optional<EngineOpen> parseEngineOpen(QByteArrayView json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("Engine.IO open packet is not a JSON object");
        return std::nullopt;
    }
    const QJsonObject object = document.object();
    EngineOpen open;
    open.sid = object.value(QLatin1String("sid")).toString().toUtf8();
    if (open.sid.isEmpty()) {
        *error = QStringLiteral("Engine.IO open packet without a sid");
        return std::nullopt;
    }
    // Bounded so that interval plus timeout stays an int of milliseconds.
    constexpr double maxMs = std::numeric_limits<int>::max() / 4;
    const auto duration = [&](const char *name, int *out) {
        const QJsonValue value = object.value(QLatin1String(name));
        if (!value.isDouble() || !(value.toDouble() > 0)) {
            *error = QStringLiteral("Engine.IO open packet without a positive %1")
                         .arg(QLatin1String(name));
            return false;
        }
        *out = int(qMin(value.toDouble(), maxMs));
        return true;
    };
    if (!duration("pingInterval", &open.pingIntervalMs)
        || !duration("pingTimeout", &open.pingTimeoutMs)) {
        return std::nullopt;
    }
    const QJsonValue maxPayload = object.value(QLatin1String("maxPayload"));
    if (maxPayload.isDouble() && maxPayload.toDouble() > 0) {
        open.maxPayload = qint64(qMin(maxPayload.toDouble(), double(1LL << 53)));
    }
    return open;
}

bool splitEventData(QByteArrayView data, QByteArray *event, QByteArray *args, QString *error)
{
    QString jsonError;
    const std::optional<QJsonValue> value = parseJsonValue(data, &jsonError);
    if (!value || !value->isArray()) {
        *error = value
            ? QStringLiteral("event data is %1, not an array").arg(json::typeName(*value))
            : QStringLiteral("event data is %1").arg(jsonError);
        return false;
    }
    const QJsonArray array = value->toArray();
    if (array.isEmpty() || !(array.first().isString() || array.first().isDouble())) {
        *error = QStringLiteral("event data does not start with an event name");
        return false;
    }
    // Cut the name off the text as sent, so the arguments keep their exact numbers and order.
    const qsizetype open = skipSpace(data, 0) + 1; // past '['
    const qsizetype nameAt = skipSpace(data, open);
    const qsizetype nameEnd = tokenEnd(data, nameAt);
    const qsizetype next = skipSpace(data, nameEnd);
    if (array.first().isString()) {
        const QByteArray name = array.first().toString().toUtf8();
        if (isReserved(name)) {
            *error = QStringLiteral("reserved event name \"%1\"").arg(QString::fromUtf8(name));
            return false;
        }
        *event = name;
    } else {
        *event = data.sliced(nameAt, nameEnd - nameAt).toByteArray();
    }
    if (data.at(next) == ']') {
        *args = QByteArrayLiteral("[]");
    } else {
        *args = '[' + data.sliced(next + 1).trimmed().toByteArray();
    }
    return true;
}

std::optional<Packet> parsePacket(QByteArrayView text, QString *error)
{
    if (text.isEmpty()) {
        *error = QStringLiteral("empty Socket.IO packet");
        return std::nullopt;
    }
    const char type = text.at(0);
    if (type < '0' || type > '6') {
        *error = QStringLiteral("unknown Socket.IO packet type '%1'")
                     .arg(QString::fromUtf8(text.first(1).toByteArray().toPercentEncoding()));
        return std::nullopt;
    }
    Packet packet;
    packet.type = PacketType(type - '0');
    const bool binary
        = packet.type == PacketType::BinaryEvent || packet.type == PacketType::BinaryAck;
    qsizetype at = 1;
    if (binary) {
        const qsizetype dash = text.indexOf('-', at);
        bool digits = dash > at && dash - at <= 4;
        for (qsizetype i = at; digits && i < dash; ++i) {
            digits = isDigit(text.at(i));
        }
        const int count = digits ? text.sliced(at, dash - at).toInt() : -1;
        if (count < 0 || count > MaxAttachments) {
            *error = QStringLiteral("binary packet without a valid attachment count (N- with N "
                                    "from 0 to %1)")
                         .arg(MaxAttachments);
            return std::nullopt;
        }
        packet.attachments = count;
        at = dash + 1;
    }
    if (at < text.size() && text.at(at) == '/') {
        const qsizetype comma = text.indexOf(',', at);
        const qsizetype end = comma < 0 ? text.size() : comma;
        packet.nameSpace = QString::fromUtf8(text.sliced(at, end - at));
        at = comma < 0 ? end : end + 1;
    }
    if (at < text.size() && isDigit(text.at(at))) {
        qsizetype end = at;
        while (end < text.size() && isDigit(text.at(end))) {
            ++end;
        }
        bool ok = false;
        const qint64 id = end - at <= 16 ? text.sliced(at, end - at).toLongLong(&ok) : -1;
        if (!ok || id > MaxAckId) {
            *error = QStringLiteral("ack id larger than %1").arg(MaxAckId);
            return std::nullopt;
        }
        packet.id = id;
        at = end;
    }
    packet.data = text.sliced(at).toByteArray();

    const bool hasData = !packet.data.isEmpty();
    QString jsonError;
    switch (packet.type) {
    case PacketType::Connect:
        if (hasData) {
            const std::optional<QJsonValue> value = parseJsonValue(packet.data, &jsonError);
            if (!value || !value->isObject()) {
                *error = QStringLiteral("CONNECT data is %1, not an object")
                             .arg(value ? json::typeName(*value) : jsonError);
                return std::nullopt;
            }
        }
        break;
    case PacketType::Disconnect:
        if (hasData) {
            *error = QStringLiteral("DISCONNECT with data");
            return std::nullopt;
        }
        break;
    case PacketType::Event:
    case PacketType::BinaryEvent:
        if (!hasData) {
            *error = QStringLiteral("EVENT without data");
            return std::nullopt;
        }
        if (!splitEventData(packet.data, &packet.event, &packet.args, error)) {
            return std::nullopt;
        }
        break;
    case PacketType::Ack:
    case PacketType::BinaryAck: {
        if (packet.id < 0) {
            *error = QStringLiteral("ACK without an id");
            return std::nullopt;
        }
        const std::optional<QJsonValue> value
            = hasData ? parseJsonValue(packet.data, &jsonError) : std::nullopt;
        if (!value || !value->isArray()) {
            *error = QStringLiteral("ACK data is %1, not an array")
                         .arg(value ? json::typeName(*value)
                                    : (hasData ? jsonError : QStringLiteral("missing")));
            return std::nullopt;
        }
        packet.args = packet.data.trimmed();
        break;
    }
    case PacketType::ConnectError: {
        const std::optional<QJsonValue> value
            = hasData ? parseJsonValue(packet.data, &jsonError) : std::nullopt;
        if (!value || !(value->isObject() || value->isString())) {
            *error = QStringLiteral("CONNECT_ERROR data is %1, not an object or a string")
                         .arg(value ? json::typeName(*value)
                                    : (hasData ? jsonError : QStringLiteral("missing")));
            return std::nullopt;
        }
        packet.message = value->isString()
            ? value->toString()
            : value->toObject().value(QLatin1String("message")).toString();
        break;
    }
    }
    return packet;
}

QByteArray encodePacket(const Packet &packet)
{
    QByteArray out;
    out.reserve(packet.data.size() + packet.nameSpace.size() + 24);
    out.append(char('0' + int(packet.type)));
    if (packet.type == PacketType::BinaryEvent || packet.type == PacketType::BinaryAck) {
        out.append(QByteArray::number(packet.attachments));
        out.append('-');
    }
    if (packet.nameSpace != QLatin1String("/")) {
        out.append(packet.nameSpace.toUtf8());
        out.append(',');
    }
    if (packet.id >= 0) {
        out.append(QByteArray::number(packet.id));
    }
    out.append(packet.data);
    return out;
}

bool isValidEventName(QByteArrayView event)
{
    return !isReserved(event);
}

std::optional<QByteArray> eventData(QByteArrayView event, QByteArrayView argsJson, QString *error)
{
    if (!isValidEventName(event)) {
        *error = QStringLiteral("\"%1\" is reserved by Socket.IO and cannot be emitted")
                     .arg(QString::fromUtf8(event));
        return std::nullopt;
    }
    QString jsonError;
    const std::optional<QJsonValue> value = parseJsonValue(argsJson, &jsonError);
    if (!value) {
        *error = QStringLiteral("arguments are %1").arg(jsonError);
        return std::nullopt;
    }
    QByteArray out;
    out.reserve(event.size() + argsJson.size() + 8);
    out.append('[');
    json::appendString(out, event);
    const QByteArray trimmed = argsJson.trimmed().toByteArray();
    if (value->isArray()) {
        // The array's elements, as typed: everything between its brackets.
        const QByteArray inner = trimmed.sliced(1, trimmed.size() - 2).trimmed();
        if (!inner.isEmpty()) {
            out.append(',');
            out.append(inner);
        }
    } else {
        out.append(',');
        out.append(trimmed);
    }
    out.append(']');
    return out;
}

std::optional<QByteArray> fillPlaceholders(
    QByteArrayView data, const QByteArrayList &attachments, QString *error)
{
    QString jsonError;
    const std::optional<QJsonValue> value = parseJsonValue(data, &jsonError);
    if (!value) {
        *error = QStringLiteral("binary packet data is %1").arg(jsonError);
        return std::nullopt;
    }
    const std::optional<QJsonValue> filled = fillValue(*value, attachments, error);
    if (!filled) {
        return std::nullopt;
    }
    QByteArray out = QJsonDocument(QJsonArray{*filled}).toJson(QJsonDocument::Compact);
    return out.sliced(1, out.size() - 2);
}

QUrl endpointUrl(const QUrl &given, QString *error)
{
    QUrl url = given;
    const QString scheme = url.scheme();
    if (scheme == QLatin1String("http")) {
        url.setScheme(QStringLiteral("ws"));
    } else if (scheme == QLatin1String("https")) {
        url.setScheme(QStringLiteral("wss"));
    } else if (scheme != QLatin1String("ws") && scheme != QLatin1String("wss")) {
        *error = QStringLiteral("not a Socket.IO URL: \"%1\" (ws, wss, http or https)")
                     .arg(given.toString(QUrl::RemovePassword));
        return QUrl();
    }
    if (!url.isValid() || url.host().isEmpty()) {
        *error = QStringLiteral("not a Socket.IO URL: \"%1\" (no host)")
                     .arg(given.toString(QUrl::RemovePassword));
        return QUrl();
    }
    QString path = url.path();
    if (path.isEmpty() || path == QLatin1String("/")) {
        path = QStringLiteral("/socket.io/");
    } else if (!path.endsWith(QLatin1Char('/'))) {
        path += QLatin1Char('/');
    }
    url.setPath(path);
    QUrlQuery query(url);
    query.removeAllQueryItems(QStringLiteral("EIO"));
    query.removeAllQueryItems(QStringLiteral("transport"));
    query.addQueryItem(QStringLiteral("EIO"), QStringLiteral("4"));
    query.addQueryItem(QStringLiteral("transport"), QStringLiteral("websocket"));
    url.setQuery(query);
    url.setFragment(QString());
    return url;
}

} // namespace streamscope::socketio
