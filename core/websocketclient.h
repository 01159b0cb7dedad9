// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "httpheaders.h"
#include "reconnectpolicy.h"
#include "reconnectspread.h"

#include <QByteArray>
#include <QList>
#include <QNetworkProxy>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <deque>

namespace streamscope {

class EmitGuard;
class WebSocketConnection;
struct WebSocketEnd;

// What to connect to and how to behave; every delay in milliseconds.
struct WebSocketSettings
{
    QUrl url; // ws:// or wss://
    HeaderList headers; // user headers (Authorization, Origin, ...), sent on every handshake
    QStringList subprotocols; // offered on every handshake (Sec-WebSocket-Protocol)
    QList<QByteArray> onOpenMessages; // UTF-8 text, sent after every open before the queue drains
    int initialDelayMs = 1000;
    int maxDelayMs = 30000;
    int healthyAfterMs
        = 5000; // a connection open this long (or that delivered a message) is healthy
    int pingIntervalMs = 15000; // 0: off. No inbound frame and no pong this long after a ping: dead
    int maxReconnects = -1; // consecutive failed attempts after the first; -1: unlimited
    qint64 maxMessageBytes = 64 * 1024 * 1024; // incoming message cap, decompressed
    // Bound on the socket's read buffer: a reader slower than the server applies TCP
    // backpressure instead of growing memory. Frames of any size stream through it.
    qint64 readBufferBytes = 1024 * 1024;
    bool compression = true; // offer permessage-deflate (RFC 7692)
    int handshakeTimeoutMs = 30000; // TCP, TLS and the server's upgrade answer together
    // DefaultProxy: the application's (system) proxy; an HTTP proxy tunnels with CONNECT.
    QNetworkProxy proxy = QNetworkProxy(QNetworkProxy::DefaultProxy);
    int maxQueuedMessages = 1000; // offline queue bounds; past either the oldest are dropped
    qint64 maxQueuedBytes = 4 * 1024 * 1024;
    int closeTimeoutMs = 2000; // close(): how long to wait for the peer before aborting
    // wss: PEM certificates trusted beside the system's (a self-signed internal server).
    QString caCertificatesFile;
    // wss: connect despite certificate errors, each reported by certificateWarning(). Only
    // ever set on the user's explicit request: it gives up the server's authentication.
    bool ignoreCertificateErrors = false;
};

// One WebSocket connection that stays up: reconnects with the shared Backoff, resends on-open
// messages, queues sends while offline (bounded), detects dead links with pings. Each attempt
// is a WebSocketConnection, our own RFC 6455 client: Qt 6.4's QWebSocket stalls on frames over
// its read buffer and refuses text split inside a UTF-8 sequence across frames.
class WebSocketClient final : public QObject
{
    Q_OBJECT
public:
    enum class State {
        Connecting, // handshake under way
        Open,
        Reconnecting, // waiting for the backoff timer
        Closed,
    };
    Q_ENUM(State)

    enum class CloseReason {
        Requested, // close() was called
        Fatal, // a handshake refusal (401, 403, 404) or settings that retrying cannot fix
        GaveUp, // more than maxReconnects consecutive failed attempts
    };
    Q_ENUM(CloseReason)

    // Close code reported when a connection ended without a close frame (RFC 6455 7.1.5).
    static constexpr int AbnormalClosure = 1006;

    explicit WebSocketClient(QObject *parent = nullptr);
    ~WebSocketClient() override;

    // Starts connecting; ignored unless state() is Closed. May be called again after closed().
    void open(const WebSocketSettings &settings);
    // Instead of open(), for the protocol on top whose own settings cannot work: ends at once as
    // open() does with a bad URL, errorOccurred(problem) then closed(Fatal, 1006). Ignored
    // unless state() is Closed.
    void failToOpen(const QString &problem);
    // Not owned; member: this stream's id there. Reconnects after a lost open connection take
    // their turn with the other streams to the origin.
    void setReconnectSpread(ReconnectSpread *spread, int member);
    // Sends a close frame (1000), waits up to closeTimeoutMs for the peer, then aborts; emits
    // closed(Requested, code) unless already closed.
    void close();
    // Drops the current attempt or the wait, and connects again at once.
    void reconnectNow();
    // The protocol on top found this connection unusable (a silent session, broken packets):
    // it is closed and tried again after the backoff delay, as a failed connection would be,
    // so a broken server is not retried in a tight loop. Ignored unless connecting or open.
    void retryLater();

    // Sent now when open, else queued (bounded; the oldest are dropped and reported).
    void sendText(const QString &text);
    void sendText(const QByteArray &utf8);
    void sendBinary(const QByteArray &data);

    State state() const { return m_state; }
    const WebSocketSettings &settings() const { return m_settings; }
    // The attempt under way, counted from 1 over the life of this client.
    int attempt() const { return m_attempt; }
    // The last measured ping round trip; -1 before the first pong.
    int roundTripMs() const { return m_roundTripMs; }
    quint64 droppedMessageCount() const { return m_dropped; }
    int queuedMessageCount() const { return int(m_queue.size()); }
    // The subprotocol the server accepted on the current connection; empty when none.
    QString subprotocol() const { return m_subprotocol; }
    // The extensions in use on the current connection: "permessage-deflate" or empty.
    QString extensions() const { return m_extensions; }

signals:
    void stateChanged(streamscope::WebSocketClient::State state);
    void connecting(int attempt);
    // The head of the server's answer to each opening handshake: the 101, or a refusal.
    void responseReceived(const streamscope::ResponseHead &head);
    void opened();
    void textMessageReceived(const QByteArray &utf8); // valid UTF-8
    void binaryMessageReceived(const QByteArray &message);
    // After each actual write to the socket (on-open and queued messages included).
    void messageSent(const QByteArray &data, bool binary);
    // Every failure that was not a close frame from the server. httpStatus is 0 when none.
    void errorOccurred(const QString &message, int httpStatus);
    // ignoreCertificateErrors let a connection with these certificate errors proceed.
    void certificateWarning(const QString &message);
    void reconnectScheduled(int delayMs, int nextAttempt);
    // For each connection that opened and then ended: the code of its closing handshake (the
    // server's close frame, or ours: 1000 for close(), 1002/1007/1009 for a protocol violation,
    // invalid UTF-8 or an oversized message), else 1006.
    void disconnected(int closeCode, const QString &reason);
    void roundTripMeasured(int ms);
    // The offline queue dropped messages; total over the life of this client.
    void messagesDropped(quint64 total);
    // Emitted once per open(); nothing follows. closeCode: that of the last connection that
    // ended, as in disconnected(); 1006 when none had a closing handshake.
    void closed(streamscope::WebSocketClient::CloseReason reason, int closeCode);

private:
    struct Outgoing
    {
        QByteArray data;
        bool binary = false;
    };

    void startAttempt();
    void handleConnected();
    void handleMessage(const QByteArray &payload, bool binary);
    void handlePingTimer();
    void connectionEnded(const WebSocketEnd &end);
    QString describeEnd(const WebSocketEnd &end) const;
    void failFatally(const QString &message);
    // stateChanged() when the state moved from previous. Both return or end early when a slot
    // made the rest stale.
    bool announceState(const EmitGuard &guard, State previous);
    // The one order every end of a connection is told in, once all is settled: disconnected()
    // when it had opened, stateChanged(), then closed(reasonIfClosed) when the state is Closed,
    // else reconnectScheduled(delayMs).
    void announceEnd(const EmitGuard &guard, State previous, bool wasOpen,
        const QString &closeReason, CloseReason reasonIfClosed, int delayMs);
    void markHealthy();
    void write(const Outgoing &message);
    void enqueue(Outgoing message);
    void dropConnection();
    // Drops the connection; an open one is closed politely first (politely: it was open).
    void letGoOfConnection(bool politely);

    QPointer<WebSocketConnection> m_connection; // of the attempt under way
    WebSocketSettings m_settings;
    QSslConfiguration m_sslConfiguration; // the system's CAs plus the settings' CA file
    ReconnectPolicy m_reconnect;
    QPointer<ReconnectSpread> m_spread;
    int m_spreadMember = 0;
    QTimer m_reconnectTimer;
    QTimer m_healthyTimer;
    QTimer m_pingTimer;
    std::deque<Outgoing> m_queue;
    qint64 m_queuedBytes = 0;
    quint64 m_dropped = 0;
    quint64 m_droppedThisEpisode = 0;
    QString m_subprotocol;
    QString m_extensions;
    int m_lastCloseCode = AbnormalClosure; // of the last connection that ended
    quint64 m_generation = 0; // bumped on every transition, so emit loops can tell they are stale
    quint64 m_bytesAtPing = 0; // the connection's bytesReceived() when the last ping went
    State m_state = State::Closed;
    int m_attempt = 0;
    int m_roundTripMs = -1;
    bool m_pingOutstanding = false;
    bool m_closing = false; // close() called, waiting for the connection to finish
};

} // namespace streamscope
