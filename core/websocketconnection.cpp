// SPDX-License-Identifier: GPL-3.0-or-later
#include "websocketconnection.h"

#include "tls.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QSslSocket>
#include <QTcpSocket>

#include <algorithm>

namespace streamscope {

namespace {

// Read in pieces of this size: large enough to amortise the per-read cost, small enough to
// stay in cache. The socket's read buffer bounds how much waits in memory.
constexpr qsizetype s_readChunkBytes = 64 * 1024;

// Below this, compressing a message costs more than it saves on the wire.
constexpr qsizetype s_compressFromBytes = 64;

quint32 maskKey()
{
    // RFC 6455 10.3: masking keys must be unpredictable, so from the system's strong source.
    return QRandomGenerator::system()->generate();
}

} // namespace

WebSocketConnection::WebSocketConnection(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<WebSocketEnd>();
    m_handshakeTimer.setSingleShot(true);
    m_closeTimer.setSingleShot(true);
    connect(&m_handshakeTimer, &QTimer::timeout, this, [this] {
        if (m_end.error.isEmpty()) {
            m_end.error = QStringLiteral("no answer to the WebSocket handshake within %1 ms: "
                                         "connection considered dead")
                              .arg(m_settings.handshakeTimeoutMs);
        }
        finish();
    });
    // The peer did not finish the closing handshake in time: stop waiting.
    connect(&m_closeTimer, &QTimer::timeout, this, &WebSocketConnection::finish);
}

WebSocketConnection::~WebSocketConnection()
{
    m_finished = true;
    dropSocket();
}

void WebSocketConnection::open(const WebSocketConnectionSettings &settings)
{
    m_settings = settings;
    m_parser.reset();
    m_parser.setMaxMessageBytes(std::max<qint64>(1, settings.maxMessageBytes));
    WebSocketHandshakeRequest request;
    request.url = settings.url;
    request.headers = settings.headers;
    request.subprotocols = settings.subprotocols;
    request.offerDeflate = settings.offerCompression;
    m_handshake = std::make_unique<WebSocketHandshake>(request);

    const bool secure = settings.url.scheme() == QLatin1String("wss");
    if (secure) {
        auto *socket = new QSslSocket(this);
        socket->setSslConfiguration(settings.sslConfiguration);
        connect(
            socket, &QSslSocket::encrypted, this, &WebSocketConnection::handleEncryptedOrConnected);
        connect(socket, qOverload<const QList<QSslError> &>(&QSslSocket::sslErrors), this,
            &WebSocketConnection::handleSslErrors);
        m_socket = socket;
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this,
            &WebSocketConnection::handleEncryptedOrConnected);
    }
    m_socket->setProxy(settings.proxy);
    m_socket->setReadBufferSize(std::max<qint64>(s_readChunkBytes, settings.readBufferBytes));
    connect(m_socket, &QTcpSocket::readyRead, this, &WebSocketConnection::handleReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &WebSocketConnection::handleDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &WebSocketConnection::handleSocketError);
    if (settings.handshakeTimeoutMs > 0) {
        m_handshakeTimer.start(settings.handshakeTimeoutMs);
    }
    const QString host = settings.url.host();
    const quint16 port = quint16(settings.url.port(secure ? 443 : 80));
    if (secure) {
        static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(host, port);
    } else {
        m_socket->connectToHost(host, port);
    }
}

void WebSocketConnection::sendText(QByteArrayView utf8)
{
    sendMessage(WebSocketOpcode::Text, utf8);
}

void WebSocketConnection::sendBinary(QByteArrayView data)
{
    sendMessage(WebSocketOpcode::Binary, data);
}

void WebSocketConnection::ping()
{
    if (!isOpen()) {
        return;
    }
    ++m_pingCount;
    m_pingClock.start();
    sendControl(WebSocketOpcode::Ping, QByteArray::number(m_pingCount));
}

void WebSocketConnection::close()
{
    if (m_finished) {
        return;
    }
    m_end.requested = true;
    if (!m_open) {
        finish(); // no connection to close politely yet
        return;
    }
    if (!m_closeSent) {
        startClosing(WebSocketCloseCode::Normal, QString());
    }
}

void WebSocketConnection::abort()
{
    m_finished = true;
    m_handshakeTimer.stop();
    m_closeTimer.stop();
    dropSocket();
}

QString WebSocketConnection::extensions() const
{
    return m_inflater ? QStringLiteral("permessage-deflate") : QString();
}

ResponseHead WebSocketConnection::responseHead() const
{
    ResponseHead head;
    if (!m_handshake || m_handshake->status() == 0) {
        return head;
    }
    head.atMs = m_handshakeDoneMs;
    head.status = m_handshake->status();
    head.reasonPhrase = m_handshake->reasonPhrase();
    head.protocol = QByteArrayLiteral("HTTP/1.1");
    head.headers = m_handshake->headers();
    return head;
}

QStringList WebSocketConnection::handshakeWarnings() const
{
    return m_handshake ? m_handshake->warnings() : QStringList();
}

void WebSocketConnection::handleEncryptedOrConnected()
{
    if (m_finished || !m_socket) {
        return;
    }
    // Small messages go out at once instead of waiting for Nagle's algorithm.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->write(m_handshake->requestBytes());
}

void WebSocketConnection::handleReadyRead()
{
    if (m_finished || !m_socket) {
        return;
    }
    if (!m_open && !readHandshake()) {
        return;
    }
    readFrames();
}

bool WebSocketConnection::readHandshake()
{
    const QByteArray bytes = m_socket->readAll();
    m_bytesReceived += quint64(bytes.size());
    const WebSocketHandshake::Result result = m_handshake->feed(bytes);
    if (result != WebSocketHandshake::Result::NeedMore) {
        m_handshakeDoneMs = QDateTime::currentMSecsSinceEpoch();
    }
    switch (result) {
    case WebSocketHandshake::Result::NeedMore:
        return false;
    case WebSocketHandshake::Result::Refused:
        m_end.httpStatus = m_handshake->status();
        m_end.error = m_handshake->errorString();
        finish();
        return false;
    case WebSocketHandshake::Result::Failed:
        m_end.error = m_handshake->errorString();
        finish();
        return false;
    case WebSocketHandshake::Result::Accepted:
        break;
    }
    m_handshakeTimer.stop();
    m_open = true;
    m_end.wasOpen = true;
    m_subprotocol = m_handshake->subprotocol();
    if (const std::optional<DeflateParameters> deflate = m_handshake->deflate()) {
        m_inflater = std::make_unique<WebSocketInflater>(*deflate);
        m_deflater = std::make_unique<WebSocketDeflater>(*deflate);
        m_parser.setInflater(m_inflater.get());
    }
    const QByteArray leftover = m_handshake->takeLeftover();
    emit opened();
    if (m_finished) {
        return false;
    }
    if (!leftover.isEmpty()) {
        QList<WebSocketInbound> inbound;
        const bool ok = m_parser.feed(leftover, inbound);
        if (!deliver(inbound)) {
            return false;
        }
        if (!ok) {
            failProtocol(m_parser.failureCloseCode(), m_parser.errorString());
            return false;
        }
    }
    return true;
}

void WebSocketConnection::readFrames()
{
    if (m_readBuffer.size() != s_readChunkBytes) {
        m_readBuffer.resize(s_readChunkBytes);
    }
    while (!m_finished && m_socket && m_socket->bytesAvailable() > 0) {
        const qint64 read = m_socket->read(m_readBuffer.data(), m_readBuffer.size());
        if (read <= 0) {
            return;
        }
        m_bytesReceived += quint64(read);
        if (m_parser.hasFailed() || m_parser.hasReceivedClose()) {
            continue; // the connection is closing: what follows is not read
        }
        // A fresh list per read: a slot may run an event loop that reads again.
        QList<WebSocketInbound> inbound;
        const bool ok = m_parser.feed(QByteArrayView(m_readBuffer.constData(), read), inbound);
        if (!deliver(inbound)) {
            return;
        }
        if (!ok) {
            failProtocol(m_parser.failureCloseCode(), m_parser.errorString());
            return;
        }
    }
}

// Returns false once the connection finished or was aborted from a slot.
bool WebSocketConnection::deliver(QList<WebSocketInbound> &inbound)
{
    for (WebSocketInbound &item : inbound) {
        switch (item.kind) {
        case WebSocketInbound::Kind::Text:
        case WebSocketInbound::Kind::Binary:
            if (!m_closeSent) { // once closing, nobody listens for more
                emit messageReceived(item.payload, item.kind == WebSocketInbound::Kind::Binary);
            }
            break;
        case WebSocketInbound::Kind::Ping:
            if (!m_closeSent) {
                sendControl(WebSocketOpcode::Pong, item.payload);
            }
            break;
        case WebSocketInbound::Kind::Pong:
            if (m_pingClock.isValid() && item.payload == QByteArray::number(m_pingCount)) {
                const int roundTrip = int(std::min<qint64>(m_pingClock.elapsed(), INT_MAX));
                m_pingClock.invalidate();
                emit pongReceived(roundTrip);
            }
            break;
        case WebSocketInbound::Kind::Close:
            m_end.closeFrameReceived = true;
            m_end.closeCode = item.closeCode;
            m_end.closeReason = QString::fromUtf8(item.payload);
            if (!m_closeSent) {
                // RFC 6455 5.5.1: answer with the same code (none when the server gave none).
                m_closeSent = true;
                sendControl(WebSocketOpcode::Close,
                    item.closeCode == WebSocketCloseCode::NoStatusReceived
                        ? QByteArray()
                        : encodeClosePayload(item.closeCode));
            }
            // Both close frames went: the connection is closed (RFC 6455 5.5.1). Hang up once
            // our frame is written, and do not wait long for the server to agree.
            m_closeTimer.start(std::max(0, m_settings.closeTimeoutMs));
            if (m_socket) {
                m_socket->disconnectFromHost();
            }
            break;
        }
        if (m_finished) {
            return false;
        }
    }
    return !m_finished;
}

void WebSocketConnection::failProtocol(int code, const QString &message)
{
    // RFC 6455 7.1.7: fail the connection, saying why in a close frame first.
    m_end.protocolViolation = true;
    m_end.error = message;
    startClosing(code, message);
    if (m_socket) {
        m_socket->disconnectFromHost();
    }
}

void WebSocketConnection::sendControl(WebSocketOpcode opcode, QByteArrayView payload)
{
    if (m_socket && m_open) {
        writeFrame(opcode, payload, false);
    }
}

void WebSocketConnection::sendMessage(WebSocketOpcode opcode, QByteArrayView payload)
{
    if (!isOpen()) {
        return;
    }
    if (m_deflater && payload.size() >= s_compressFromBytes) {
        QByteArray compressed;
        if (m_deflater->compressMessage(payload, compressed)) {
            writeFrame(opcode, compressed, true);
            return;
        }
    }
    writeFrame(opcode, payload, false);
}

void WebSocketConnection::writeFrame(WebSocketOpcode opcode, QByteArrayView payload, bool rsv1)
{
    m_frameBuffer.clear();
    appendClientFrame(m_frameBuffer, opcode, payload, true, rsv1, maskKey());
    m_socket->write(m_frameBuffer);
}

void WebSocketConnection::startClosing(int code, const QString &reason)
{
    if (m_closeSent) {
        return;
    }
    m_closeSent = true;
    if (!m_end.closeFrameReceived) {
        m_end.closeCode = code;
        m_end.closeReason = reason;
    }
    sendControl(WebSocketOpcode::Close, encodeClosePayload(code, reason.toUtf8()));
    m_closeTimer.start(std::max(0, m_settings.closeTimeoutMs));
}

void WebSocketConnection::handleDisconnected()
{
    if (m_finished) {
        return;
    }
    if (!m_open && m_handshake) {
        const WebSocketHandshake::Result result = m_handshake->finish();
        if (result == WebSocketHandshake::Result::Refused) {
            m_handshakeDoneMs = QDateTime::currentMSecsSinceEpoch();
            m_end.httpStatus = m_handshake->status();
            m_end.error = m_handshake->errorString();
        } else if (m_end.error.isEmpty()) {
            m_end.error = m_handshake->errorString().isEmpty()
                ? QStringLiteral("connection failed: the server closed the connection during "
                                 "the handshake")
                : m_handshake->errorString();
        }
    }
    finish();
}

void WebSocketConnection::handleSocketError()
{
    if (m_finished || !m_socket) {
        return;
    }
    const bool closing = m_closeSent || m_end.closeFrameReceived;
    if (m_end.error.isEmpty() && !closing) {
        // After a closing handshake the transport's end is expected, not a failure.
        m_end.error = m_open ? QStringLiteral("connection lost: %1").arg(m_socket->errorString())
                             : QStringLiteral("connection failed: %1").arg(m_socket->errorString());
    }
    if (m_socket->state() != QAbstractSocket::UnconnectedState) {
        return; // disconnected() follows
    }
    // Refused connections and failed lookups end without disconnected().
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (!m_finished) {
                handleDisconnected();
            }
        },
        Qt::QueuedConnection);
}

void WebSocketConnection::handleSslErrors(const QList<QSslError> &errors)
{
    auto *socket = qobject_cast<QSslSocket *>(m_socket);
    if (m_finished || !socket) {
        return;
    }
    const QString message = tls::describeErrors(errors, m_settings.url.host());
    if (!m_settings.ignoreCertificateErrors) {
        // The handshake fails next; this says why better than Qt's words.
        m_end.error = QStringLiteral("TLS handshake failed: %1").arg(message);
        m_end.certificateRefused = true;
        return;
    }
    socket->ignoreSslErrors();
    emit certificateWarning(
        QStringLiteral("%1: proceeding, since certificate errors are ignored for this stream")
            .arg(message));
}

// The one place a connection ends, whichever way: settles everything, then reports once.
void WebSocketConnection::finish()
{
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_handshakeTimer.stop();
    m_closeTimer.stop();
    dropSocket();
    const WebSocketEnd end = m_end;
    emit ended(end);
}

void WebSocketConnection::dropSocket()
{
    if (!m_socket) {
        return;
    }
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    disconnect(socket, nullptr, this, nullptr);
    socket->abort();
    // We may be inside one of its signals.
    socket->deleteLater();
}

} // namespace streamscope
