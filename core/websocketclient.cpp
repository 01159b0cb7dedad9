// SPDX-License-Identifier: GPL-3.0-or-later
#include "websocketclient.h"

#include "bytesize.h"
#include "emitguard.h"
#include "tls.h"
#include "websocketconnection.h"

#include <QDateTime>

#include <algorithm>
#include <limits>

namespace streamscope {

namespace {

bool isFatalStatus(int status)
{
    // Retrying cannot fix missing credentials, a forbidden origin or a wrong path.
    return status == 401 || status == 403 || status == 404;
}

} // namespace

WebSocketClient::WebSocketClient(QObject *parent)
    : QObject(parent)
{
    m_reconnectTimer.setSingleShot(true);
    m_healthyTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &WebSocketClient::startAttempt);
    connect(&m_healthyTimer, &QTimer::timeout, this, &WebSocketClient::markHealthy);
    connect(&m_pingTimer, &QTimer::timeout, this, &WebSocketClient::handlePingTimer);
}

WebSocketClient::~WebSocketClient()
{
    // Nothing is emitted from here: listeners may already be half destroyed.
    dropConnection();
}

void WebSocketClient::open(const WebSocketSettings &settings)
{
    if (m_state != State::Closed) {
        return;
    }
    m_settings = settings;
    m_settings.maxMessageBytes = std::max<qint64>(1, m_settings.maxMessageBytes);
    m_reconnect.configure(
        m_settings.initialDelayMs, m_settings.maxDelayMs, m_settings.maxReconnects);
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
    m_closing = true;
    m_pingTimer.stop();
    m_healthyTimer.stop();
    if (m_connection) {
        // The closing handshake when open (bounded by closeTimeoutMs), else at once: either way
        // connectionEnded() finishes the job.
        m_connection->close();
        return;
    }
    // Waiting to reconnect: nothing to close.
    m_closing = false;
    m_reconnectTimer.stop();
    m_state = State::Closed;
    const EmitGuard guard(this, ++m_generation);
    emit stateChanged(m_state);
    if (guard.isStale()) {
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
    if (!m_connection) {
        startAttempt();
        return;
    }
    const bool wasOpen = m_state == State::Open;
    letGoOfConnection(wasOpen);
    m_lastCloseCode = WebSocketCloseCode::Normal;
    m_reconnect.forgetFailures();
    const EmitGuard guard(this, ++m_generation);
    if (wasOpen) {
        emit disconnected(m_lastCloseCode, QString());
        if (guard.isStale()) {
            return;
        }
    }
    startAttempt();
}

void WebSocketClient::letGoOfConnection(bool politely)
{
    if (politely && m_connection) {
        // Tell the server; the connection finishes its closing handshake by itself.
        WebSocketConnection *leaving = m_connection;
        m_connection = nullptr;
        disconnect(leaving, nullptr, this, nullptr);
        leaving->setParent(this); // not to outlive us
        connect(leaving, &WebSocketConnection::ended, leaving, &QObject::deleteLater);
        leaving->close();
    }
    dropConnection();
}

void WebSocketClient::retryLater()
{
    if (!m_connection || m_closing) {
        return;
    }
    const bool wasOpen = m_state == State::Open;
    letGoOfConnection(wasOpen);
    m_lastCloseCode = WebSocketCloseCode::Normal;
    const std::optional<int> delay = m_reconnect.next(!wasOpen);
    const State previous = m_state;
    m_state = delay ? State::Reconnecting : State::Closed;
    if (delay) {
        m_reconnectTimer.start(*delay);
    }
    const EmitGuard guard(this, ++m_generation);
    announceEnd(guard, previous, wasOpen, QString(), CloseReason::GaveUp, delay.value_or(0));
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

void WebSocketClient::startAttempt()
{
    dropConnection();
    ++m_attempt;
    m_reconnect.attemptStarted();
    m_pingOutstanding = false;
    m_subprotocol.clear();
    m_extensions.clear();

    // A fresh connection per attempt: no state from a failed one can leak into the next. No
    // parent: a slot may delete us while the connection is inside its own signal, so it must
    // outlive us until the event loop deletes it (dropConnection's deleteLater).
    auto *connection = new WebSocketConnection;
    m_connection = connection;
    connect(connection, &WebSocketConnection::opened, this, &WebSocketClient::handleConnected);
    connect(
        connection, &WebSocketConnection::messageReceived, this, &WebSocketClient::handleMessage);
    connect(connection, &WebSocketConnection::pongReceived, this, [this](int ms) {
        m_pingOutstanding = false;
        m_roundTripMs = ms;
        emit roundTripMeasured(ms);
    });
    connect(connection, &WebSocketConnection::certificateWarning, this,
        &WebSocketClient::certificateWarning);
    connect(connection, &WebSocketConnection::ended, this, &WebSocketClient::connectionEnded);

    WebSocketConnectionSettings settings;
    settings.url = m_settings.url;
    settings.headers = m_settings.headers;
    settings.subprotocols = m_settings.subprotocols;
    settings.offerCompression = m_settings.compression;
    settings.maxMessageBytes = m_settings.maxMessageBytes;
    settings.readBufferBytes = m_settings.readBufferBytes;
    settings.sslConfiguration = m_sslConfiguration;
    settings.ignoreCertificateErrors = m_settings.ignoreCertificateErrors;
    settings.handshakeTimeoutMs = m_settings.handshakeTimeoutMs;
    settings.proxy = m_settings.proxy;
    settings.closeTimeoutMs = m_settings.closeTimeoutMs;

    const State previous = m_state;
    m_state = State::Connecting;
    const EmitGuard guard(this, ++m_generation);
    if (!announceState(guard, previous)) {
        return;
    }
    emit connecting(m_attempt);
    if (guard.isStale()) {
        return;
    }
    connection->open(settings);
}

void WebSocketClient::setReconnectSpread(ReconnectSpread *spread, int member)
{
    m_spread = spread;
    m_spreadMember = member;
}

void WebSocketClient::handleConnected()
{
    m_reconnect.opened();
    m_subprotocol = m_connection->subprotocol();
    m_extensions = m_connection->extensions();
    m_state = State::Open;
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

    const EmitGuard guard(this, ++m_generation);
    emit responseReceived(m_connection->responseHead());
    if (guard.isStale()) {
        return;
    }
    emit stateChanged(m_state);
    if (guard.isStale()) {
        return;
    }
    emit opened();
    for (const Outgoing &message : std::as_const(sent)) {
        if (guard.isStale()) {
            return;
        }
        emit messageSent(message.data, message.binary);
    }
}

void WebSocketClient::handleMessage(const QByteArray &payload, bool binary)
{
    if (!m_reconnect.isHealthy()) {
        markHealthy();
    }
    if (binary) {
        emit binaryMessageReceived(payload);
    } else {
        emit textMessageReceived(payload);
    }
}

void WebSocketClient::handlePingTimer()
{
    if (!m_connection || m_state != State::Open) {
        return;
    }
    // Any byte from the server since the last ping proves the link, even inside a long message.
    const quint64 received = m_connection->bytesReceived();
    if (m_pingOutstanding && received == m_bytesAtPing) {
        m_connection->abort();
        WebSocketEnd end;
        end.wasOpen = true;
        end.error = QStringLiteral("no pong within %1 ms: connection considered dead")
                        .arg(m_settings.pingIntervalMs);
        connectionEnded(end);
        return;
    }
    m_pingOutstanding = true;
    m_bytesAtPing = received;
    m_connection->ping();
}

// How a connection's end reads to a person; empty when it is no failure.
QString WebSocketClient::describeEnd(const WebSocketEnd &end) const
{
    if (end.requested || m_closing) {
        return QString(); // whatever happened while closing, the caller asked for the end
    }
    if (end.protocolViolation) {
        switch (end.closeCode) {
        case WebSocketCloseCode::MessageTooBig:
            return QStringLiteral("incoming message larger than the cap of %1 (maxMessageBytes): "
                                  "connection closed with 1009")
                .arg(describeBytes(m_settings.maxMessageBytes));
        case WebSocketCloseCode::InvalidPayload:
            return QStringLiteral("invalid data from the server: connection closed with 1007 (%1)")
                .arg(end.error);
        case WebSocketCloseCode::ProtocolError:
            return QStringLiteral("WebSocket protocol violation: connection closed with 1002 (%1)")
                .arg(end.error);
        default:
            return QStringLiteral("%1: connection closed with %2")
                .arg(end.error)
                .arg(end.closeCode);
        }
    }
    if (end.httpStatus != 0) {
        return QStringLiteral("handshake refused with %1").arg(end.error);
    }
    if (!end.error.isEmpty()) {
        return end.error;
    }
    if (end.closeFrameReceived) {
        return QString(); // the server said goodbye: not a failure
    }
    return end.wasOpen ? QStringLiteral("connection closed by the server without a close frame")
                       : QStringLiteral("connection failed");
}

// The one place a connection attempt ends, whichever way: settles everything, then reports.
void WebSocketClient::connectionEnded(const WebSocketEnd &end)
{
    const bool wasOpen = end.wasOpen;
    const int code = end.closeCode;
    const QString reason = end.closeReason;
    QString error = describeEnd(end);
    const int status = end.httpStatus;
    const ResponseHead refusal
        = m_connection && !wasOpen ? m_connection->responseHead() : ResponseHead();
    dropConnection();
    m_lastCloseCode = code;

    CloseReason reasonToClose = CloseReason::Requested;
    bool closing = false;
    int delay = 0;
    if (m_closing) {
        m_closing = false;
        closing = true;
    } else if (isFatalStatus(status) || end.certificateRefused) {
        // Retrying cannot fix a refused handshake or make a certificate trusted.
        closing = true;
        reasonToClose = CloseReason::Fatal;
        error += QStringLiteral(": not retrying");
    } else if (const std::optional<int> next = m_reconnect.next(!wasOpen)) {
        delay = *next;
    } else {
        closing = true;
        reasonToClose = CloseReason::GaveUp;
    }

    const State previous = m_state;
    m_state = closing ? State::Closed : State::Reconnecting;
    if (!closing && wasOpen && m_spread) {
        delay = m_spread->lost(
            m_settings.url, m_spreadMember, QDateTime::currentMSecsSinceEpoch(), delay);
    }
    if (!closing) {
        m_reconnectTimer.start(delay);
    }
    const EmitGuard guard(this, ++m_generation);
    if (refusal.status != 0) {
        emit responseReceived(refusal);
        if (guard.isStale()) {
            return;
        }
    }
    if (!error.isEmpty()) {
        emit errorOccurred(error, status);
        if (guard.isStale()) {
            return;
        }
    }
    announceEnd(guard, previous, wasOpen, reason, reasonToClose, delay);
}

void WebSocketClient::failFatally(const QString &message)
{
    dropConnection();
    m_reconnectTimer.stop();
    const State previous = m_state;
    m_state = State::Closed;
    const EmitGuard guard(this, ++m_generation);
    emit errorOccurred(message, 0);
    if (guard.isStale()) {
        return;
    }
    announceEnd(guard, previous, false, QString(), CloseReason::Fatal, 0);
}

void WebSocketClient::failToOpen(const QString &problem)
{
    if (m_state != State::Closed) {
        return;
    }
    m_lastCloseCode = AbnormalClosure;
    failFatally(problem);
}

bool WebSocketClient::announceState(const EmitGuard &guard, State previous)
{
    if (previous != m_state) {
        emit stateChanged(m_state);
    }
    return !guard.isStale();
}

void WebSocketClient::announceEnd(const EmitGuard &guard, State previous, bool wasOpen,
    const QString &closeReason, CloseReason reasonIfClosed, int delayMs)
{
    if (wasOpen) {
        emit disconnected(m_lastCloseCode, closeReason);
        if (guard.isStale()) {
            return;
        }
    }
    if (!announceState(guard, previous)) {
        return;
    }
    if (m_state == State::Closed) {
        emit closed(reasonIfClosed, m_lastCloseCode);
    } else {
        emit reconnectScheduled(delayMs, m_attempt + 1);
    }
}

void WebSocketClient::markHealthy()
{
    m_healthyTimer.stop();
    m_reconnect.markHealthy();
}

void WebSocketClient::write(const Outgoing &message)
{
    if (message.binary) {
        m_connection->sendBinary(message.data);
    } else {
        m_connection->sendText(message.data);
    }
}

void WebSocketClient::enqueue(Outgoing message)
{
    if (m_state == State::Open && m_connection && !m_closing) {
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
    const EmitGuard guard(this, m_generation);
    emit messagesDropped(m_dropped);
    if (guard.isStale() || !firstInEpisode) {
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

void WebSocketClient::dropConnection()
{
    m_pingTimer.stop();
    m_healthyTimer.stop();
    if (!m_connection) {
        return;
    }
    WebSocketConnection *connection = m_connection;
    m_connection = nullptr;
    disconnect(connection, nullptr, this, nullptr);
    connection->abort();
    connection->deleteLater();
}

} // namespace streamscope
