// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QByteArrayView>
#include <QString>
#include <QUrl>

#include <optional>

// Socket.IO v4 over Engine.IO 4, WebSocket transport only: packets to and from text, with no
// state and no event loop. SocketIoClient keeps the state (namespaces, acks, attachments).
namespace streamscope::socketio {

// Engine.IO 4: the first character of every text message.
enum class EngineType {
    Open, // '0' + JSON: sid, pingInterval, pingTimeout, maxPayload
    Close, // '1'
    Ping, // '2': the server's; answered by a pong with the same payload
    Pong, // '3'
    Message, // '4' + a Socket.IO packet
    Upgrade, // '5'
    Noop, // '6'
};

struct EnginePacket
{
    EngineType type = EngineType::Message;
    QByteArray payload;
};

// What the server's open packet asks for.
struct EngineOpen
{
    QByteArray sid;
    int pingIntervalMs = 25000;
    int pingTimeoutMs = 20000;
    qint64 maxPayload = 1000000; // bytes per message the server accepts
};

// Socket.IO v4 packet types, the first character after the Engine.IO '4'.
enum class PacketType {
    Connect, // '0'
    Disconnect, // '1'
    Event, // '2'
    Ack, // '3'
    ConnectError, // '4'
    BinaryEvent, // '5'
    BinaryAck, // '6'
};

// One Socket.IO packet: <type>[<attachments>-][<namespace>,][<id>][<JSON data>].
struct Packet
{
    PacketType type = PacketType::Event;
    QString nameSpace = QStringLiteral("/");
    qint64 id = -1; // ack id; -1 when none
    int attachments = 0; // binary types: the binary messages that follow
    QByteArray data; // the JSON payload as sent; empty when there is none

    // Filled by parsePacket from data, not used by encodePacket:
    QByteArray event; // events: the name (a JSON number's text when the name is a number)
    QByteArray args; // events: the arguments after the name; acks: all; as a JSON array text
    QString message; // ConnectError: the server's message

    bool operator==(const Packet &other) const = default;
};

// The most attachments a binary packet may announce: each is held until it arrives.
inline constexpr int MaxAttachments = 1000;
// Ack ids are JavaScript numbers: no more digits than a safe integer has.
inline constexpr qint64 MaxAckId = (qint64(1) << 53) - 1;

// A text WebSocket message as an Engine.IO packet; nullopt with *error when malformed.
std::optional<EnginePacket> parseEnginePacket(QByteArrayView message, QString *error);
QByteArray encodeEnginePacket(EngineType type, QByteArrayView payload = {});
// The open packet's JSON; nullopt with *error when it lacks what the session needs.
std::optional<EngineOpen> parseEngineOpen(QByteArrayView json, QString *error);

// A Socket.IO packet (an Engine.IO message's payload), parsed whole: its data must be JSON of
// the shape its type requires. nullopt with *error when malformed.
std::optional<Packet> parsePacket(QByteArrayView text, QString *error);
// The packet's text from type, nameSpace, id, attachments and data.
QByteArray encodePacket(const Packet &packet);

// An EVENT's data split into the name and the arguments after it (a JSON array text, cut from
// data as sent). false with *error when data is no array starting with a name.
bool splitEventData(QByteArrayView data, QByteArray *event, QByteArray *args, QString *error);
// The data of an EVENT: the name, then the arguments. argsJson is a JSON array (its elements
// are the arguments; [] for none) or one JSON value (the only argument). nullopt with *error
// when argsJson is not JSON.
std::optional<QByteArray> eventData(QByteArrayView event, QByteArrayView argsJson, QString *error);
// Checks the event name and arguments a user typed, as eventData would take them.
bool isValidEventName(QByteArrayView event);

// A binary packet's data with every placeholder {"_placeholder":true,"num":K} replaced by the
// K-th attachment, written as {"_binary":"<base64>","bytes":N}: JSON has no binary type, so an
// attachment stays recognisable and its exact bytes recoverable. The data is written again
// compactly. nullopt with *error when a placeholder points at no attachment.
std::optional<QByteArray> fillPlaceholders(
    QByteArrayView data, const QByteArrayList &attachments, QString *error);

// The Engine.IO WebSocket endpoint for what a user typed: ws, wss, http or https; the path is the
// server's Socket.IO path (/socket.io/ when empty or "/"); the user's query is kept, EIO=4 and
// transport=websocket set. An invalid URL comes back invalid with *error.
QUrl endpointUrl(const QUrl &given, QString *error);

} // namespace streamscope::socketio
