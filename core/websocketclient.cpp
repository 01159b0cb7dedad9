#include "websocketclient.h"

#include "tls.h"

#include <QNetworkRequest>
#include <QRegularExpression>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <algorithm>
#include <limits>

namespace streamscope {

namespace {

bool isFatalStatus(int status)
{
    // Retrying cannot fix missing credentials, a forbidden origin or a wrong path.
    return status == 401 || status == 403 || status == 404;
}

QString describeBytes(qint64 bytes)
{
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
        return QStringLiteral("%1 MiB").arg(bytes / (1024 * 1024));
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
        return QStringLiteral("%1 KiB").arg(bytes / 1024);
    }
    return QStringLiteral("%1 bytes").arg(bytes);
}

} // namespace

WebSocketClient::WebSocketClient(QObject *parent)
    : QObject(parent)
{
    m_reconnectTimer.setSingleShot(true);
    m_healthyTimer.setSingleShot(true);
    m_closeTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &WebSocketClient::startAttempt);
    connect(&m_healthyTimer, &QTimer::timeout, this, &WebSocketClient::markHealthy);
    connect(&m_pingTimer, &QTimer::timeout, this, &WebSocketClient::handlePingTimer);
    connect(&m_closeTimer, &QTimer::timeout, this, [this] {
        // The peer did not finish the closing handshake in time: stop waiting.
        if (m_socket) {
            connectionEnded();
        }
    });
}

WebSocketClient::~WebSocketClient()
{
    // Nothing is emitted from here: listeners may already be half destroyed.
    dropSocket();
}

void WebSocketClient::open(const WebSocketSettings &settings)
{
    if (m_state != State::Closed) {
        return;
    }
    m_settings = settings;
    m_settings.maxMessageBytes = std::max<qint64>(1, m_settings.maxMessageBytes);
    m_backoff.setInitialDelay(m_settings.initialDelayMs);
    m_backoff.setMaxDelay(m_settings.maxDelayMs);
    m_backoff.reset();
    m_consecutiveFailures = 0;
    m_lastCloseCode = AbnormalClosure;

    const QString scheme = m_settings.url.scheme();
    if (!m_settings.url.isValid() || m_settings.url.host().isEmpty()
        || (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))) {
        failFatally(QStringLiteral("invalid WebSocket URL \"%1\": expected ws://host/path or "
                                   "wss://host/path")
                        .arg(m_settings.url.toString()));
        return;
    }
    QString problem;
    if (!tls::makeConfiguration(m_settings.caCertificatesFile, &m_sslConfiguration, &problem)) {
        failFatally(problem);
        return;
    }
    startAttempt();
}

void WebSocketClient::close()
{
    if (m_state == State::Closed || m_closing) {
        return;
    }
    if (m_state == State::Open && m_socket
        && m_socket->state() == QAbstractSocket::ConnectedState) {
        m_closing = true;
        m_pingTimer.stop();
        m_healthyTimer.stop();
        m_closeTimer.start(std::max(0, m_settings.closeTimeoutMs));
        // Qt writes the close frame and ends the connection; disconnected() or the close timer
        // finishes the job in connectionEnded().
        m_socket->close(QWebSocketProtocol::CloseCodeNormal);
        return;
    }
    // Nothing is open: no handshake to run.
    m_closing = true;
    if (m_socket) {
        connectionEnded();
        return;
    }
    m_closing = false;
    m_reconnectTimer.stop();
    m_state = State::Closed;
    const quint64 generation = ++m_generation;
    QPointer<WebSocketClient> self(this);
    emit stateChanged(m_state);
    if (!self || changedSince(generation)) {
        return;
    }
    emit closed(CloseReason::Requested, m_lastCloseCode);
}

void WebSocketClient::reconnectNow()
{
    if (m_state == State::Closed || m_closing) {
        return;
    }
    m_reconnectTimer.stop();
    if (!m_socket) {
        startAttempt();
        return;
    }
    const bool wasOpen = m_wasOpen;
    if (wasOpen && m_socket->state() == QAbstractSocket::ConnectedState) {
        // Tell the server politely; the reply is not waited for.
        m_socket->close(QWebSocketProtocol::CloseCodeNormal);
    }
    const int code = m_closeFrameSeen ? m_closeCode : AbnormalClosure;
    const QString reason = m_closeFrameSeen ? m_closeReason : QString();
    dropSocket();
    m_lastCloseCode = code;
    m_consecutiveFailures = 0;
    const quint64 generation = ++m_generation;
    QPointer<WebSocketClient> self(this);
    if (wasOpen) {
        emit disconnected(code, reason);
        if (!self || changedSince(generation)) {
            return;
        }
    }
    startAttempt();
}

void WebSocketClient::sendText(const QString &text)
{
    enqueue(Outgoing{text.toUtf8(), false});
}

void WebSocketClient::sendText(const QByteArray &utf8)
{
    enqueue(Outgoing{utf8, false});
}

void WebSocketClient::sendBinary(const QByteArray &data)
{
    enqueue(Outgoing{data, true});
}

int WebSocketClient::handshakeStatusFromError(const QString &errorString)
{
    // Qt 6.4 reports a refused handshake only as text, e.g. "QWebSocketPrivate::processHandshake:
    // Unhandled http status code: 401 (Unauthorized)." A status line quoted verbatim is
    // accepted too, in case a later Qt words it differently.
    static const QRegularExpression patterns[] = {
        QRegularExpression(QStringLiteral("status\\s*code\\s*:?\\s*(\\d{3})(?!\\d)"),
            QRegularExpression::CaseInsensitiveOption),
        QRegularExpression(QStringLiteral("\\bHTTP/\\d(?:\\.\\d)?\\s+(\\d{3})(?!\\d)"),
            QRegularExpression::CaseInsensitiveOption),
    };
    for (const QRegularExpression &pattern : patterns) {
        const QRegularExpressionMatch match = pattern.match(errorString);
        if (match.hasMatch()) {
            const int status = match.captured(1).toInt();
            if (status >= 100 && status <= 599) {
                return status;
            }
        }
    }
    return 0;
}

void WebSocketClient::startAttempt()
{
    dropSocket();
    ++m_attempt;
    m_wasOpen = false;
    m_healthy = false;
    m_closeFrameSeen = false;
    m_closeCode = AbnormalClosure;
    m_closeReason.clear();
    m_pendingError.clear();
    m_pendingStatus = 0;
    m_pingOutstanding = false;
    m_subprotocol.clear();
    m_certificateRefused = false;

    // A fresh QWebSocket per attempt: no state from a failed connection can leak into the next.
    // No parent: a slot may delete us while the socket is still inside its own signal, so the
    // socket must outlive us until the event loop deletes it (dropSocket's deleteLater).
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest);
    m_socket = socket;
    const quint64 frameCap = std::min<quint64>(
        quint64(m_settings.maxMessageBytes), QWebSocket::maxIncomingFrameSize());
    socket->setMaxAllowedIncomingMessageSize(quint64(m_settings.maxMessageBytes));
    socket->setMaxAllowedIncomingFrameSize(frameCap);
    socket->setReadBufferSize(m_settings.readBufferBytes);
    if (m_settings.url.scheme() == QLatin1String("wss")) {
        socket->setSslConfiguration(m_sslConfiguration);
    }
    connect(socket, &QWebSocket::sslErrors, this, &WebSocketClient::handleSslErrors);
    connect(socket, &QWebSocket::connected, this, &WebSocketClient::handleConnected);
    connect(socket, &QWebSocket::disconnected, this, &WebSocketClient::connectionEnded);
    connect(socket, &QWebSocket::aboutToClose, this, &WebSocketClient::handleAboutToClose);
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
        &WebSocketClient::handleSocketError);
    connect(socket, &QWebSocket::pong, this,
        [this](quint64 elapsed, const QByteArray &) { handlePong(elapsed); });
    connect(socket, &QWebSocket::textMessageReceived, this, [this](const QString &message) {
        handleInbound();
        emit textMessageReceived(message);
    });
    connect(socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &message) {
        handleInbound();
        emit binaryMessageReceived(message);
    });
    // Frames of a long fragmented message prove liveness before the message completes.
    connect(socket, &QWebSocket::textFrameReceived, this,
        [this](const QString &, bool) { m_inboundSincePing = true; });
    connect(socket, &QWebSocket::binaryFrameReceived, this,
        [this](const QByteArray &, bool) { m_inboundSincePing = true; });

    QNetworkRequest request(m_settings.url);
    for (const auto &[name, value] : m_settings.headers) {
        request.setRawHeader(name, value);
    }
    QWebSocketHandshakeOptions options;
    options.setSubprotocols(m_settings.subprotocols);

    const State previous = m_state;
    m_state = State::Connecting;
    const quint64 generation = ++m_generation;
    QPointer<WebSocketClient> self(this);
    if (previous != m_state) {
        emit stateChanged(m_state);
        if (!self || changedSince(generation)) {
            return;
        }
    }
    emit connecting(m_attempt);
    if (!self || changedSince(generation)) {
        return;
    }
    socket->open(request, options);
}

void WebSocketClient::handleConnected()
{
    m_wasOpen = true;
    m_consecutiveFailures = 0;
    m_subprotocol = m_socket->subprotocol();
    m_state = State::Open;
    m_inboundSincePing = false;
    m_pingOutstanding = false;
    m_healthyTimer.start(std::max(0, m_settings.healthyAfterMs));
    if (m_settings.pingIntervalMs > 0) {
        m_pingTimer.start(m_settings.pingIntervalMs);
    }

    // Write before announcing: a slot of opened() that sends must come after the on-open
    // messages and the queue, never before them.
    QList<Outgoing> sent;
    for (const QByteArray &message : std::as_const(m_settings.onOpenMessages)) {
        sent.append(Outgoing{message, false});
    }
    while (!m_queue.empty()) {
        sent.append(std::move(m_queue.front()));
        m_queue.pop_front();
    }
    m_queuedBytes = 0;
    m_droppedThisEpisode = 0;
    for (const Outgoing &message : std::as_const(sent)) {
        write(message);
    }

    const quint64 generation = ++m_generation;
    QPointer<WebSocketClient> self(this);
    emit stateChanged(m_state);
    if (!self || changedSince(generation)) {
        return;
    }
    emit opened();
    for (const Outgoing &message : std::as_const(sent)) {
        if (!self || changedSince(generation)) {
            return;
        }
        emit messageSent(message.data, message.binary);
    }
}

void WebSocketClient::handleSocketError(QAbstractSocket::SocketError error)
{
    if (!m_socket || m_closing || m_closeFrameSeen) {
        // After a closing handshake the transport's end is expected, not a failure.
        return;
    }
    if (m_pendingError.isEmpty()) {
        const QString text = m_socket->errorString();
        const int status = m_wasOpen ? 0 : handshakeStatusFromError(text);
        if (status != 0) {
            // Qt words it "...status code: 401 (Unauthorized)."; keep just the reason phrase.
            static const QRegularExpression phrase(QStringLiteral("\\d{3}\\s*\\(([^)]*)\\)"));
            const QString reason = phrase.match(text).captured(1).trimmed();
            m_pendingError = reason.isEmpty()
                ? QStringLiteral("handshake refused with HTTP %1 (%2)").arg(status).arg(text)
                : QStringLiteral("handshake refused with HTTP %1 %2").arg(status).arg(reason);
        } else if (m_wasOpen) {
            m_pendingError = QStringLiteral("connection lost: %1").arg(text);
        } else {
            m_pendingError = QStringLiteral("connection failed: %1").arg(text);
        }
        m_pendingStatus = status;
    }
    Q_UNUSED(error);
    // Most errors are followed at once by disconnected(); some (refused connections and
    // handshakes) are not, so end the attempt from the event loop unless that already happened.
    QPointer<QWebSocket> socket = m_socket;
    QMetaObject::invokeMethod(
        this,
        [this, socket] {
            if (socket && socket == m_socket) {
                connectionEnded();
            }
        },
        Qt::QueuedConnection);
}

void WebSocketClient::handleSslErrors(const QList<QSslError> &errors)
{
    if (!m_socket || sender() != m_socket) {
        return;
    }
    const QString message = tls::describeErrors(errors, m_settings.url.host());
    if (!m_settings.ignoreCertificateErrors) {
        // The handshake fails next; connectionEnded() reports this instead of Qt's words.
        m_pendingError = QStringLiteral("TLS handshake failed: %1").arg(message);
        m_pendingStatus = 0;
        m_certificateRefused = true;
        return;
    }
    m_socket->ignoreSslErrors();
    emit certificateWarning(
        QStringLiteral("%1: proceeding, since certificate errors are ignored for this stream")
            .arg(message));
}

void WebSocketClient::handleAboutToClose()
{
    if (!m_socket || m_closeFrameSeen) {
        return;
    }
    m_closeFrameSeen = true;
    m_closeCode = int(m_socket->closeCode());
    m_closeReason = m_socket->closeReason();
    if (m_closing) {
        return;
    }
    // Qt closes by itself, with these codes, when the server breaks the rules; a server that
    // sends them itself reports a failure too, so both are worth an error.
    switch (m_closeCode) {
    case QWebSocketProtocol::CloseCodeTooMuchData:
        m_pendingError = QStringLiteral("incoming message larger than the cap of %1 "
                                        "(maxMessageBytes): connection closed with 1009")
                             .arg(describeBytes(m_settings.maxMessageBytes));
        break;
    case QWebSocketProtocol::CloseCodeWrongDatatype:
        m_pendingError = QStringLiteral("invalid UTF-8 in a text message: connection closed "
                                        "with 1007 (%1)")
                             .arg(m_closeReason);
        break;
    case QWebSocketProtocol::CloseCodeProtocolError:
        m_pendingError = QStringLiteral("WebSocket protocol violation: connection closed with "
                                        "1002 (%1)")
                             .arg(m_closeReason);
        break;
    default:
        break;
    }
}

void WebSocketClient::handleInbound()
{
    m_inboundSincePing = true;
    if (!m_healthy) {
        markHealthy();
    }
}

void WebSocketClient::handlePong(quint64 elapsedMs)
{
    m_inboundSincePing = true;
    m_pingOutstanding = false;
    m_roundTripMs = int(std::min<quint64>(elapsedMs, quint64(std::numeric_limits<int>::max())));
    emit roundTripMeasured(m_roundTripMs);
}

void WebSocketClient::handlePingTimer()
{
    if (!m_socket || m_state != State::Open) {
        return;
    }
    if (m_pingOutstanding && !m_inboundSincePing) {
        failConnection(QStringLiteral("no pong within %1 ms: connection considered dead")
                           .arg(m_settings.pingIntervalMs));
        return;
    }
    m_pingOutstanding = true;
    m_inboundSincePing = false;
    m_socket->ping();
}

void WebSocketClient::failConnection(const QString &message, int httpStatus)
{
    if (m_pendingError.isEmpty()) {
        m_pendingError = message;
        m_pendingStatus = httpStatus;
    }
    connectionEnded();
}

// The one place a connection attempt ends, whichever way: settles everything, then reports.
void WebSocketClient::connectionEnded()
{
    if (!m_socket) {
        return;
    }
    const bool wasOpen = m_wasOpen;
    const int code = m_closeFrameSeen ? m_closeCode : AbnormalClosure;
    const QString reason = m_closeFrameSeen ? m_closeReason : QString();
    QString error = m_pendingError;
    const int status = m_pendingStatus;
    const bool certificateRefused = m_certificateRefused;
    if (error.isEmpty() && !m_closeFrameSeen && !m_closing) {
        error = wasOpen ? QStringLiteral("connection closed by the server without a close frame")
                        : QStringLiteral("connection failed: %1").arg(m_socket->errorString());
    }
    dropSocket();
    m_lastCloseCode = code;

    CloseReason reasonToClose = CloseReason::Requested;
    bool closing = false;
    int delay = 0;
    if (m_closing) {
        m_closing = false;
        closing = true;
        error.clear(); // whatever happened while closing, the caller asked for the end
    } else if (isFatalStatus(status) || certificateRefused) {
        // Retrying cannot fix a refused handshake or make a certificate trusted.
        closing = true;
        reasonToClose = CloseReason::Fatal;
        error += QStringLiteral(": not retrying");
    } else {
        if (!wasOpen) {
            ++m_consecutiveFailures;
        }
        if (m_settings.maxReconnects >= 0 && m_consecutiveFailures > m_settings.maxReconnects) {
            closing = true;
            reasonToClose = CloseReason::GaveUp;
        } else {
            delay = m_backoff.nextDelay();
        }
    }

    const State previous = m_state;
    m_state = closing ? State::Closed : State::Reconnecting;
    if (!closing) {
        m_reconnectTimer.start(delay);
    }
    const quint64 generation = ++m_generation;
    QPointer<WebSocketClient> self(this);
    auto stale = [&] { return !self || changedSince(generation); };
    if (!error.isEmpty()) {
        emit errorOccurred(error, status);
        if (stale()) {
            return;
        }
    }
    if (wasOpen) {
        emit disconnected(code, reason);
        if (stale()) {
            return;
        }
    }
    if (previous != m_state) {
        emit stateChanged(m_state);
        if (stale()) {
            return;
        }
    }
    if (closing) {
        emit closed(reasonToClose, code);
    } else {
        emit reconnectScheduled(delay, m_attempt + 1);
    }
}

void WebSocketClient::failFatally(const QString &message)
{
    dropSocket();
    m_reconnectTimer.stop();
    const State previous = m_state;
    m_state = State::Closed;
    const quint64 generation = ++m_generation;
    QPointer<WebSocketClient> self(this);
    emit errorOccurred(message, 0);
    if (!self || changedSince(generation)) {
        return;
    }
    if (previous != m_state) {
        emit stateChanged(m_state);
        if (!self || changedSince(generation)) {
            return;
        }
    }
    emit closed(CloseReason::Fatal, m_lastCloseCode);
}

void WebSocketClient::markHealthy()
{
    m_healthy = true;
    m_healthyTimer.stop();
    m_backoff.reset();
}

void WebSocketClient::write(const Outgoing &message)
{
    if (message.binary) {
        m_socket->sendBinaryMessage(message.data);
    } else {
        m_socket->sendTextMessage(QString::fromUtf8(message.data));
    }
}

void WebSocketClient::enqueue(Outgoing message)
{
    if (m_state == State::Open && m_socket && !m_closing) {
        write(message);
        emit messageSent(message.data, message.binary);
        return;
    }
    m_queuedBytes += message.data.size();
    m_queue.push_back(std::move(message));
    const auto maxMessages = size_t(std::max(0, m_settings.maxQueuedMessages));
    quint64 dropped = 0;
    while (!m_queue.empty()
        && (m_queue.size() > maxMessages || m_queuedBytes > m_settings.maxQueuedBytes)) {
        m_queuedBytes -= m_queue.front().data.size();
        m_queue.pop_front();
        ++dropped;
    }
    if (dropped == 0) {
        return;
    }
    m_dropped += dropped;
    const bool firstInEpisode = m_droppedThisEpisode == 0;
    m_droppedThisEpisode += dropped;
    const quint64 generation = m_generation;
    QPointer<WebSocketClient> self(this);
    emit messagesDropped(m_dropped);
    if (!self || changedSince(generation) || !firstInEpisode) {
        return;
    }
    emit errorOccurred(QStringLiteral("offline queue full (%1 messages or %2): dropped the "
                                      "oldest; %3 dropped so far, more are counted by "
                                      "messagesDropped")
                           .arg(m_settings.maxQueuedMessages)
                           .arg(describeBytes(m_settings.maxQueuedBytes))
                           .arg(m_dropped),
        0);
}

void WebSocketClient::dropSocket()
{
    m_pingTimer.stop();
    m_healthyTimer.stop();
    m_closeTimer.stop();
    if (!m_socket) {
        return;
    }
    QWebSocket *socket = m_socket;
    m_socket = nullptr;
    disconnect(socket, nullptr, this, nullptr);
    socket->abort();
    socket->deleteLater();
}

} // namespace streamscope
