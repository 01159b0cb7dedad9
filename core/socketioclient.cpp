// SPDX-License-Identifier: GPL-3.0-or-later
#include "socketioclient.h"

#include "emitguard.h"

#include <QJsonDocument>

#include <algorithm>
#include <limits>
#include <utility>

namespace streamscope {

using socketio::EngineType;
using socketio::Packet;
using socketio::PacketType;

SocketIoClient::SocketIoClient(QObject *parent)
    : QObject(parent)
{
    m_sessionTimer.setSingleShot(true);
    connect(&m_sessionTimer, &QTimer::timeout, this, &SocketIoClient::handleSessionTimeout);

    WebSocketClient *ws = &m_webSocket;
    connect(ws, &WebSocketClient::stateChanged, this, &SocketIoClient::stateChanged);
    connect(ws, &WebSocketClient::connecting, this, &SocketIoClient::connecting);
    connect(ws, &WebSocketClient::certificateWarning, this, &SocketIoClient::certificateWarning);
    connect(ws, &WebSocketClient::errorOccurred, this, &SocketIoClient::errorOccurred);
    connect(ws, &WebSocketClient::opened, this, &SocketIoClient::handleOpened);
    connect(ws, &WebSocketClient::textMessageReceived, this, &SocketIoClient::handleText);
    connect(ws, &WebSocketClient::binaryMessageReceived, this, &SocketIoClient::handleBinary);
    connect(ws, &WebSocketClient::disconnected, this, [this](int code, const QString &reason) {
        endSession();
        emit disconnected(code, reason);
    });
    connect(ws, &WebSocketClient::reconnectScheduled, this, [this](int delayMs, int next) {
        endSession(); // a failed handshake ends no session, but a silent one may have been open
        emit reconnectScheduled(delayMs, next);
    });
    connect(
        ws, &WebSocketClient::closed, this, [this](WebSocketClient::CloseReason reason, int code) {
            endSession();
            m_closing = false;
            const bool fatal = std::exchange(m_fatal, false);
            emit closed(fatal ? WebSocketClient::CloseReason::Fatal : reason, code);
        });
}

SocketIoClient::~SocketIoClient() = default;

void SocketIoClient::open(const SocketIoSettings &settings)
{
    if (m_webSocket.state() != WebSocketClient::State::Closed) {
        return;
    }
    m_settings = settings;
    if (m_settings.namespaces.isEmpty()) {
        m_settings.namespaces.append(SocketIoNamespace());
    }
    m_namespaces.clear();
    m_fatal = false;
    m_closing = false;
    WebSocketSettings webSocket = m_settings.webSocket;
    QString problem;
    webSocket.url = socketio::endpointUrl(m_settings.webSocket.url, &problem);
    for (const SocketIoNamespace &nameSpace : std::as_const(m_settings.namespaces)) {
        if (!problem.isEmpty()) {
            break;
        }
        if (!nameSpace.name.startsWith(QLatin1Char('/'))
            || nameSpace.name.contains(QLatin1Char(','))) {
            problem = QStringLiteral("invalid namespace \"%1\": expected \"/\" or \"/name\" "
                                     "without commas")
                          .arg(nameSpace.name);
        } else if (findNamespace(nameSpace.name)) {
            problem = QStringLiteral("namespace \"%1\" given twice").arg(nameSpace.name);
        } else if (!nameSpace.auth.isEmpty()
            && !QJsonDocument::fromJson(nameSpace.auth).isObject()) {
            problem = QStringLiteral("the auth of namespace \"%1\" is not a JSON object")
                          .arg(nameSpace.name);
        }
        m_namespaces.append(Namespace{nameSpace, NamespaceState::Waiting, {}});
    }
    if (!problem.isEmpty()) {
        m_namespaces.clear();
        m_webSocket.failToOpen(problem); // its errorOccurred and closed come through as ours
        return;
    }
    m_webSocket.open(webSocket);
}

void SocketIoClient::close()
{
    m_closing = true;
    m_sessionTimer.stop();
    m_webSocket.close();
}

void SocketIoClient::reconnectNow()
{
    m_webSocket.reconnectNow();
}

SocketIoEmit SocketIoClient::emitEvent(
    const QString &nameSpace, const QByteArray &event, const QByteArray &argsJson, bool wantAck)
{
    SocketIoEmit result;
    Namespace *target = findNamespace(nameSpace);
    if (!target) {
        result.error = QStringLiteral("no namespace \"%1\" in the settings").arg(nameSpace);
        return result;
    }
    if (target->state == NamespaceState::Refused) {
        result.error = QStringLiteral("namespace \"%1\" was refused").arg(nameSpace);
        return result;
    }
    const std::optional<QByteArray> data = socketio::eventData(event, argsJson, &result.error);
    if (!data) {
        return result;
    }
    Held held{event, argsJson.trimmed(), *data, wantAck ? m_nextAckId++ : -1};
    result.accepted = true;
    result.ackId = held.ackId;
    if (target->state == NamespaceState::Joined && canSend()) {
        sendEvent(nameSpace, held);
        return result;
    }
    target->held.push_back(std::move(held));
    const auto bound = size_t(std::max(1, m_settings.webSocket.maxQueuedMessages));
    if (target->held.size() > bound) {
        target->held.pop_front();
        emit errorOccurred(QStringLiteral("more than %1 emits held for namespace \"%2\" until it "
                                          "is joined: dropped the oldest")
                               .arg(bound)
                               .arg(nameSpace),
            0);
    }
    return result;
}

SocketIoClient::NamespaceState SocketIoClient::namespaceState(const QString &nameSpace) const
{
    for (const Namespace &entry : m_namespaces) {
        if (entry.config.name == nameSpace) {
            return entry.state;
        }
    }
    return NamespaceState::Waiting;
}

SocketIoClient::Namespace *SocketIoClient::findNamespace(const QString &name)
{
    for (Namespace &entry : m_namespaces) {
        if (entry.config.name == name) {
            return &entry;
        }
    }
    return nullptr;
}

bool SocketIoClient::canSend() const
{
    // Never into the WebSocketClient's offline queue: it drains before the next connection's
    // open packet, where an EVENT before its CONNECT makes the server drop the connection.
    return m_sessionOpen && !m_closing && m_webSocket.state() == WebSocketClient::State::Open;
}

bool SocketIoClient::sendPacket(const Packet &packet, QString *error)
{
    if (m_closing || m_webSocket.state() != WebSocketClient::State::Open) {
        *error = QStringLiteral("not connected: packet not sent");
        return false;
    }
    const QByteArray text
        = socketio::encodeEnginePacket(EngineType::Message, socketio::encodePacket(packet));
    if (text.size() > m_session.maxPayload) {
        *error = QStringLiteral("packet of %1 bytes over the server's maxPayload of %2: not sent")
                     .arg(text.size())
                     .arg(m_session.maxPayload);
        return false;
    }
    m_webSocket.sendText(text);
    return true;
}

void SocketIoClient::sendEvent(const QString &nameSpace, const Held &held)
{
    Packet packet;
    packet.type = PacketType::Event;
    packet.nameSpace = nameSpace;
    packet.id = held.ackId;
    packet.data = held.data;
    QString error;
    if (!sendPacket(packet, &error)) {
        emit errorOccurred(error, 0);
        return;
    }
    if (held.ackId >= 0) {
        m_acks[held.ackId].start();
    }
    emit eventSent(nameSpace, held.event, held.args, held.ackId);
}

void SocketIoClient::sendHeld(Namespace &nameSpace)
{
    // Taken out first: a slot of eventSent may emit more, or close us.
    std::deque<Held> held;
    held.swap(nameSpace.held);
    const QString name = nameSpace.config.name;
    const EmitGuard guard(this, m_generation);
    while (!held.empty()) {
        if (guard.isStale() || !canSend()) {
            // Back in front of whatever came meanwhile, in order.
            if (!guard.isStale()) {
                if (Namespace *entry = findNamespace(name)) {
                    entry->held.insert(entry->held.begin(), held.begin(), held.end());
                }
            }
            return;
        }
        const Held next = std::move(held.front());
        held.pop_front();
        sendEvent(name, next);
    }
}

void SocketIoClient::handleOpened()
{
    // The server opens the session at once; the handshake timeout bounds the wait for it too.
    m_sessionOpen = false;
    m_sessionTimer.start(std::max(1, m_settings.webSocket.handshakeTimeoutMs));
}

void SocketIoClient::handleText(const QByteArray &utf8)
{
    if (m_closing) {
        return; // whatever comes now would find no one to answer it
    }
    QString error;
    const std::optional<socketio::EnginePacket> engine = socketio::parseEnginePacket(utf8, &error);
    if (!engine) {
        reportProtocolError(error);
        return;
    }
    if (m_binaryPacket) {
        // socket.io-parser: a text packet while attachments are awaited ends the binary one.
        m_binaryPacket.reset();
        m_attachments.clear();
        const EmitGuard guard(this, m_generation);
        reportProtocolError(
            QStringLiteral("a binary packet's attachments did not arrive: packet dropped"));
        if (guard.isStale()) {
            return;
        }
    }
    switch (engine->type) {
    case EngineType::Open:
        handleEngineOpen(engine->payload);
        break;
    case EngineType::Ping:
        handlePing(engine->payload);
        break;
    case EngineType::Message: {
        if (!m_sessionOpen) {
            reportProtocolError(
                QStringLiteral("Socket.IO packet before the Engine.IO open packet"));
            return;
        }
        const std::optional<Packet> packet = socketio::parsePacket(engine->payload, &error);
        if (!packet) {
            reportProtocolError(error);
            return;
        }
        handlePacket(*packet);
        break;
    }
    case EngineType::Close: // the WebSocket's close follows
    case EngineType::Noop:
        break;
    case EngineType::Pong:
    case EngineType::Upgrade:
        reportProtocolError(QStringLiteral("unexpected Engine.IO packet \"%1\" from the server")
                                .arg(QString::fromUtf8(utf8.left(40))));
        break;
    }
}

void SocketIoClient::handleEngineOpen(const QByteArray &json)
{
    QString error;
    const std::optional<socketio::EngineOpen> open = socketio::parseEngineOpen(json, &error);
    if (!open) {
        // The session stays unopened: the open packet's deadline reconnects, so a server that
        // keeps sending a bad one is not retried in a tight loop.
        reportProtocolError(error);
        return;
    }
    m_session = *open;
    m_sessionOpen = true;
    m_pingGapMs = -1;
    m_sincePing.start();
    m_sessionTimer.start(m_session.pingIntervalMs + m_session.pingTimeoutMs);
    for (Namespace &entry : m_namespaces) {
        if (entry.state == NamespaceState::Refused) {
            continue;
        }
        Packet connect;
        connect.type = PacketType::Connect;
        connect.nameSpace = entry.config.name;
        connect.data = entry.config.auth;
        if (!sendPacket(connect, &error)) {
            entry.state = NamespaceState::Waiting;
            continue;
        }
        entry.state = NamespaceState::Joining;
    }
    const EmitGuard guard(this, ++m_generation);
    emit opened();
    if (!guard.isStale() && !error.isEmpty()) {
        emit errorOccurred(error, 0);
    }
}

void SocketIoClient::handlePing(const QByteArray &payload)
{
    if (!m_sessionOpen) {
        reportProtocolError(QStringLiteral("Engine.IO ping before the open packet"));
        return;
    }
    if (m_closing) {
        return;
    }
    m_webSocket.sendText(socketio::encodeEnginePacket(EngineType::Pong, payload));
    m_sessionTimer.start(m_session.pingIntervalMs + m_session.pingTimeoutMs);
    // The first ping comes pingInterval after the open packet: a gap too.
    m_pingGapMs = int(std::min<qint64>(m_sincePing.restart(), std::numeric_limits<int>::max()));
    emit roundTripMeasured(m_pingGapMs);
}

void SocketIoClient::handlePacket(const Packet &packet)
{
    Namespace *entry = findNamespace(packet.nameSpace);
    if (!entry) {
        reportProtocolError(QStringLiteral("packet for namespace \"%1\", which was not joined")
                                .arg(packet.nameSpace));
        return;
    }
    const QString name = entry->config.name;
    switch (packet.type) {
    case PacketType::Connect: {
        entry->state = NamespaceState::Joined;
        const EmitGuard guard(this, ++m_generation);
        emit namespaceJoined(name);
        if (guard.isStale()) {
            return;
        }
        if (Namespace *joined = findNamespace(name);
            joined && joined->state == NamespaceState::Joined) {
            sendHeld(*joined);
        }
        break;
    }
    case PacketType::ConnectError: {
        entry->state = NamespaceState::Refused;
        entry->held.clear();
        const bool allRefused = std::all_of(m_namespaces.cbegin(), m_namespaces.cend(),
            [](const Namespace &each) { return each.state == NamespaceState::Refused; });
        const QString message = packet.message.isEmpty()
            ? QStringLiteral("refused without a message")
            : packet.message;
        const EmitGuard guard(this, ++m_generation);
        emit namespaceRefused(name, message);
        if (guard.isStale() || !allRefused || m_closing) {
            return;
        }
        // Nothing left to watch, and retrying would be refused again.
        m_fatal = true;
        close();
        break;
    }
    case PacketType::Disconnect: {
        entry->state = NamespaceState::Left;
        emit namespaceLeft(name);
        break;
    }
    case PacketType::Event:
        answerAckRequest(packet);
        emit eventReceived(name, packet.event, packet.args, false);
        break;
    case PacketType::Ack: {
        const auto ack = m_acks.constFind(int(packet.id));
        if (packet.id > std::numeric_limits<int>::max() || ack == m_acks.cend()) {
            reportProtocolError(QStringLiteral("ack %1 answers no emit of ours").arg(packet.id));
            return;
        }
        const int ms = int(std::min<qint64>(ack->elapsed(), std::numeric_limits<int>::max()));
        m_acks.erase(ack);
        emit ackReceived(int(packet.id), packet.args, ms);
        break;
    }
    case PacketType::BinaryEvent:
    case PacketType::BinaryAck:
        m_binaryPacket = packet;
        m_attachments.clear();
        if (packet.attachments == 0) {
            finishBinaryPacket();
        }
        break;
    }
}

void SocketIoClient::answerAckRequest(const Packet &event)
{
    if (event.id < 0) {
        return;
    }
    // A server that emits with a callback waits for it (and may time out or retry): we saw
    // the event, which is all a watcher can say, so the answer carries no arguments.
    Packet ack;
    ack.type = PacketType::Ack;
    ack.nameSpace = event.nameSpace;
    ack.id = event.id;
    ack.data = "[]";
    QString error;
    if (!sendPacket(ack, &error)) {
        reportProtocolError(QStringLiteral("ack %1 not sent: %2").arg(event.id).arg(error));
    }
}

void SocketIoClient::handleBinary(const QByteArray &message)
{
    if (m_closing) {
        return;
    }
    if (!m_binaryPacket) {
        reportProtocolError(
            QStringLiteral("binary message of %1 bytes that no binary packet announced")
                .arg(message.size()));
        return;
    }
    m_attachments.append(message);
    if (m_attachments.size() >= m_binaryPacket->attachments) {
        finishBinaryPacket();
    }
}

void SocketIoClient::finishBinaryPacket()
{
    Packet packet = std::move(*m_binaryPacket);
    m_binaryPacket.reset();
    const QByteArrayList attachments = std::exchange(m_attachments, {});
    QString error;
    const std::optional<QByteArray> filled
        = socketio::fillPlaceholders(packet.data, attachments, &error);
    if (!filled) {
        reportProtocolError(error);
        return;
    }
    if (packet.type == PacketType::BinaryEvent) {
        QByteArray event;
        QByteArray args;
        if (!socketio::splitEventData(*filled, &event, &args, &error)) {
            reportProtocolError(error);
            return;
        }
        answerAckRequest(packet);
        emit eventReceived(packet.nameSpace, event, args, true);
        return;
    }
    packet.type = PacketType::Ack;
    packet.data = *filled;
    packet.args = *filled;
    handlePacket(packet);
}

void SocketIoClient::handleSessionTimeout()
{
    if (m_webSocket.state() != WebSocketClient::State::Open || m_closing) {
        return;
    }
    const QString message = m_sessionOpen
        ? QStringLiteral("no Engine.IO ping within %1 ms (pingInterval %2 + pingTimeout %3): "
                         "connection considered dead, reconnecting")
              .arg(m_session.pingIntervalMs + m_session.pingTimeoutMs)
              .arg(m_session.pingIntervalMs)
              .arg(m_session.pingTimeoutMs)
        : QStringLiteral("no Engine.IO open packet within %1 ms of the WebSocket opening: "
                         "reconnecting")
              .arg(m_settings.webSocket.handshakeTimeoutMs);
    const EmitGuard guard(this, ++m_generation);
    emit errorOccurred(message, 0);
    if (guard.isStale()) {
        return;
    }
    m_webSocket.retryLater(); // through the backoff: a broken server is no tight loop
}

void SocketIoClient::endSession()
{
    ++m_generation;
    m_sessionTimer.stop();
    m_sessionOpen = false;
    m_binaryPacket.reset();
    m_attachments.clear();
    m_acks.clear();
    m_pingGapMs = -1;
    for (Namespace &entry : m_namespaces) {
        if (entry.state != NamespaceState::Refused) {
            entry.state = NamespaceState::Waiting;
        }
    }
}

void SocketIoClient::reportProtocolError(const QString &message)
{
    emit protocolError(message);
}

} // namespace streamscope
