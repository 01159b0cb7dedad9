// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "socketiocodec.h"
#include "websocketclient.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <deque>

namespace streamscope {

// A namespace to join on every connection.
struct SocketIoNamespace
{
    QString name = QStringLiteral("/"); // "/" or "/name"
    QByteArray auth; // a JSON object sent with the CONNECT (socket.io's `auth`); empty: none
};

struct SocketIoSettings
{
    // url: what the user gave (ws, wss, http or https; socketio::endpointUrl makes the Engine.IO
    // endpoint of it). onOpenMessages go out as they are, before any Engine.IO packet: leave
    // them empty. Backoff, TLS, headers, pings and queue bounds apply as for any WebSocket.
    WebSocketSettings webSocket;
    QList<SocketIoNamespace> namespaces; // joined in this order; empty: the default "/" only
};

// What emitEvent did.
struct SocketIoEmit
{
    bool accepted = false; // sent, or held until its namespace is joined
    int ackId = -1; // when an ack was asked for
    QString error; // why it was not accepted
};

// A Socket.IO v4 client (Engine.IO 4, WebSocket transport only) over one WebSocketClient, which
// keeps reconnecting, TLS, headers and health; this adds Engine.IO's session and pings,
// namespaces (re-joined after every reconnect), events, acks and binary attachments.
class SocketIoClient final : public QObject
{
    Q_OBJECT
public:
    enum class NamespaceState {
        Waiting, // for the connection's Engine.IO session
        Joining, // CONNECT sent, no answer yet
        Joined,
        Refused, // CONNECT_ERROR: fatal for the namespace, never joined again
        Left, // the server sent DISCONNECT; joined again after the next reconnect
    };
    Q_ENUM(NamespaceState)

    explicit SocketIoClient(QObject *parent = nullptr);
    ~SocketIoClient() override;

    // Starts connecting; ignored unless state() is Closed. A bad URL or namespace ends at once
    // in errorOccurred and closed(Fatal).
    void open(const SocketIoSettings &settings);
    // As WebSocketClient::close(): closed(Requested, code) follows.
    void close();
    // Drops the connection and connects again at once.
    void reconnectNow();

    // Sends the event on a namespace of the settings, or holds it until that namespace is
    // joined (bounded by the WebSocket settings' maxQueuedMessages; the oldest go first).
    // argsJson: a JSON array (its elements are the arguments) or one JSON value. With wantAck
    // the server may answer with ackReceived(ackId, ...); ids count from 0 over this client's
    // life. Acks outstanding when a connection ends never come.
    SocketIoEmit emitEvent(const QString &nameSpace, const QByteArray &event,
        const QByteArray &argsJson, bool wantAck = false);

    // The WebSocket underneath, for health (round trips of WebSocket pings, attempts, drops).
    const WebSocketClient *webSocket() const { return &m_webSocket; }
    void setReconnectSpread(ReconnectSpread *spread, int member)
    {
        m_webSocket.setReconnectSpread(spread, member);
    }
    WebSocketClient::State state() const { return m_webSocket.state(); }
    const SocketIoSettings &settings() const { return m_settings; }
    // The current connection's Engine.IO session; meaningful while isSessionOpen().
    const socketio::EngineOpen &session() const { return m_session; }
    bool isSessionOpen() const { return m_sessionOpen; }
    NamespaceState namespaceState(const QString &nameSpace) const;
    // The last gap between two of the server's Engine.IO pings; -1 before the second ping.
    int pingGapMs() const { return m_pingGapMs; }

signals:
    // Forwarded from the WebSocketClient.
    void stateChanged(streamscope::WebSocketClient::State state);
    void connecting(int attempt);
    void certificateWarning(const QString &message);
    void reconnectScheduled(int delayMs, int nextAttempt);
    void disconnected(int closeCode, const QString &reason);
    // The WebSocketClient's failures, and ours: a session that never opened or went silent
    // (no Engine.IO ping within pingInterval + pingTimeout), which reconnects.
    void errorOccurred(const QString &message, int httpStatus);
    // Emitted once per open(); nothing follows. Fatal also when every namespace was refused.
    void closed(streamscope::WebSocketClient::CloseReason reason, int closeCode);

    // The server's Engine.IO open packet arrived; the namespaces' CONNECTs have gone out.
    void opened();
    void namespaceJoined(const QString &nameSpace);
    // CONNECT_ERROR, with the server's message (an auth middleware's Error text).
    void namespaceRefused(const QString &nameSpace, const QString &message);
    void namespaceLeft(const QString &nameSpace);
    // argsJson: the arguments after the name as a JSON array text, exact as sent unless binary
    // (then written again, each attachment as {"_binary":"<base64>","bytes":N}). When the server
    // asked for an ack, it has already been answered, without arguments.
    void eventReceived(
        const QString &nameSpace, const QByteArray &event, const QByteArray &argsJson, bool binary);
    // An emit went to the socket (held ones when their namespace was joined). ackId -1: none.
    void eventSent(
        const QString &nameSpace, const QByteArray &event, const QByteArray &argsJson, int ackId);
    // The server acknowledged our emit ackId; roundTripMs from our write to its answer.
    void ackReceived(int id, const QByteArray &argsJson, int roundTripMs);
    // A packet the codec refused, or one out of place; the packet is dropped, the stream goes on.
    void protocolError(const QString &message);
    // Engine.IO pings cannot be timed (the server does not see our pong's arrival), so this is
    // the gap between the server's last two pings: about pingInterval on a healthy link.
    void roundTripMeasured(int ms);

private:
    struct Held
    {
        QByteArray event;
        QByteArray args;
        QByteArray data; // the event's JSON data
        int ackId = -1;
    };
    struct Namespace
    {
        SocketIoNamespace config;
        NamespaceState state = NamespaceState::Waiting;
        std::deque<Held> held;
    };

    void handleOpened();
    void handleText(const QByteArray &utf8);
    void handleBinary(const QByteArray &message);
    void handleEngineOpen(const QByteArray &json);
    void handlePing(const QByteArray &payload);
    void handlePacket(const socketio::Packet &packet);
    void finishBinaryPacket();
    void answerAckRequest(const socketio::Packet &event);
    void handleSessionTimeout();
    void endSession();
    Namespace *findNamespace(const QString &name);
    bool canSend() const;
    bool sendPacket(const socketio::Packet &packet, QString *error);
    void sendHeld(Namespace &nameSpace);
    void sendEvent(const QString &nameSpace, const Held &held);
    void reportProtocolError(const QString &message);

    WebSocketClient m_webSocket;
    SocketIoSettings m_settings;
    QList<Namespace> m_namespaces;
    socketio::EngineOpen m_session;
    QTimer m_sessionTimer; // the open packet's, then each ping's deadline
    QElapsedTimer m_sincePing;
    QHash<int, QElapsedTimer> m_acks; // outstanding, since written
    // A binary packet waiting for its attachments (the next binary messages).
    std::optional<socketio::Packet> m_binaryPacket;
    QByteArrayList m_attachments;
    quint64 m_generation = 0; // bumped on every transition, as in WebSocketClient
    int m_nextAckId = 0;
    int m_pingGapMs = -1;
    bool m_sessionOpen = false;
    bool m_closing = false; // close() called, or every namespace refused
    bool m_fatal = false; // every namespace refused: the end is Fatal
};

} // namespace streamscope
