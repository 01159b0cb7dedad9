// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "httpheaders.h"
#include "permessagedeflate.h"
#include "websocketframeparser.h"
#include "websockethandshake.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QNetworkProxy>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslError>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <optional>

class QTcpSocket;

namespace streamscope {

// What one connection attempt needs; WebSocketClient fills it from its settings every time.
struct WebSocketConnectionSettings
{
    QUrl url; // ws:// or wss://, checked by the caller
    HeaderList headers;
    QStringList subprotocols;
    bool offerCompression = true; // permessage-deflate (RFC 7692)
    qint64 maxMessageBytes = WebSocketFrameParser::DefaultMaxMessageBytes;
    // Bound on the socket's read buffer: a reader slower than the server applies TCP
    // backpressure. Frames of any size stream through it.
    qint64 readBufferBytes = 1024 * 1024;
    QSslConfiguration sslConfiguration; // wss: what to trust
    bool ignoreCertificateErrors = false; // wss: reported by certificateWarning() instead
    // DefaultProxy: the application's (system) proxy, which Qt skips for loopback hosts; an
    // HTTP proxy tunnels with CONNECT.
    QNetworkProxy proxy = QNetworkProxy(QNetworkProxy::DefaultProxy);
    int handshakeTimeoutMs = 30000; // TCP, TLS and the upgrade answer together
    int closeTimeoutMs = 2000; // how long the closing handshake may take
};

// How a connection ended, as facts; WebSocketClient words them and decides what follows.
struct WebSocketEnd
{
    bool wasOpen = false; // the opening handshake was accepted
    bool closeFrameReceived = false; // the server's close frame arrived
    // The closing handshake's code: the server's, or ours when we failed the connection
    // (1002, 1007, 1009); 1006 when no close frame went either way.
    int closeCode = WebSocketCloseCode::AbnormalClosure;
    QString closeReason; // the server's, or ours
    QString error; // why it failed; empty for a closing handshake or a requested close
    bool protocolViolation = false; // the server broke RFC 6455: closeCode says how
    int httpStatus = 0; // a refused opening handshake's status
    bool certificateRefused = false; // TLS failed on certificate errors
    bool requested = false; // close() ended it
};

// One RFC 6455 client connection on QTcpSocket or QSslSocket: TCP and TLS, the opening
// handshake, framing, ping/pong and the closing handshake. It never reconnects (WebSocketClient
// does). Written instead of using QWebSocket because Qt 6.4's stalls on frames larger than its
// read buffer, refuses text split inside a UTF-8 sequence across frames and has no
// permessage-deflate. Messages stay bytes: text arrives as validated UTF-8.
class WebSocketConnection : public QObject
{
    Q_OBJECT
public:
    explicit WebSocketConnection(QObject *parent = nullptr);
    // Drops the connection without a word: nothing is emitted from here.
    ~WebSocketConnection() override;

    // Connects once; call it once per object.
    void open(const WebSocketConnectionSettings &settings);
    // Sent at once when open (compressed when negotiated and worth it); dropped otherwise.
    void sendText(QByteArrayView utf8);
    void sendBinary(QByteArrayView data);
    // A ping whose pong reports the round trip by pongReceived().
    void ping();
    // Starts the closing handshake (code 1000), or drops a connection not yet open. ended()
    // follows with requested set once the server answered, hung up, or closeTimeoutMs passed.
    void close();
    // Drops everything at once; nothing is emitted after it.
    void abort();

    bool isOpen() const { return m_open && !m_closeSent; }
    // Bytes read from the server so far: proof of life even while a long message assembles.
    quint64 bytesReceived() const { return m_bytesReceived; }
    // Of the accepted handshake: the subprotocol (empty when none) and the extensions in use
    // ("permessage-deflate" or empty).
    QString subprotocol() const { return m_subprotocol; }
    QString extensions() const;
    // User headers and subprotocols the handshake left out, each with why.
    QStringList handshakeWarnings() const;
    // The head of the server's answer to the opening handshake; status 0 before its status line.
    ResponseHead responseHead() const;

signals:
    void opened();
    void messageReceived(const QByteArray &payload, bool binary);
    void pongReceived(int roundTripMs);
    // ignoreCertificateErrors let a connection with these certificate errors proceed.
    void certificateWarning(const QString &message);
    // Emitted once, unless abort() or the destructor came first; nothing follows.
    void ended(const streamscope::WebSocketEnd &end);

private:
    void handleEncryptedOrConnected();
    void handleReadyRead();
    void handleDisconnected();
    void handleSocketError();
    void handleSslErrors(const QList<QSslError> &errors);
    bool readHandshake();
    void readFrames();
    bool deliver(QList<WebSocketInbound> &inbound);
    void failProtocol(int code, const QString &message);
    void sendControl(WebSocketOpcode opcode, QByteArrayView payload);
    void sendMessage(WebSocketOpcode opcode, QByteArrayView payload);
    void writeFrame(WebSocketOpcode opcode, QByteArrayView payload, bool rsv1);
    void startClosing(int code, const QString &reason);
    void finish();
    void dropSocket();

    WebSocketConnectionSettings m_settings;
    QTcpSocket *m_socket = nullptr; // a child; a QSslSocket for wss
    std::unique_ptr<WebSocketHandshake> m_handshake;
    qint64 m_handshakeDoneMs = 0; // when its answer's head was complete
    WebSocketFrameParser m_parser;
    std::unique_ptr<WebSocketInflater> m_inflater;
    std::unique_ptr<WebSocketDeflater> m_deflater;
    QByteArray m_readBuffer; // reused for every read
    QByteArray m_frameBuffer; // reused for every frame written
    QList<WebSocketInbound> m_inbound; // reused for every read
    QTimer m_handshakeTimer;
    QTimer m_closeTimer;
    QElapsedTimer m_pingClock;
    quint64 m_pingCount = 0;
    quint64 m_bytesReceived = 0;
    QString m_subprotocol;
    QString m_socketError; // the socket's words for its last error
    WebSocketEnd m_end;
    bool m_open = false;
    bool m_closeSent = false;
    bool m_finished = false;
};

} // namespace streamscope

Q_DECLARE_METATYPE(streamscope::WebSocketEnd)
