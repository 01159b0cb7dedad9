// SPDX-License-Identifier: GPL-3.0-or-later
#include "mqttclient.h"

#include "emitguard.h"

#include <QRandomGenerator>

#include <algorithm>

namespace streamscope {

namespace {

const QString s_subprotocol = QStringLiteral("mqtt");

// A packet's size as encodePublish() writes it, for the server's Maximum Packet Size.
qint64 publishPacketBytes(mqtt::Version version, const mqtt::Message &message)
{
    qint64 remaining = 2 + message.topic.toUtf8().size() + (message.qos > 0 ? 2 : 0)
        + (version == mqtt::Version::V5 ? 1 : 0) + message.payload.size();
    return 1
        + mqtt::encodeVarint(quint32(std::min<qint64>(remaining, mqtt::MaxRemainingLength))).size()
        + remaining;
}

} // namespace

MqttClient::MqttClient(QObject *parent)
    : QObject(parent)
{
    m_pingDeadline.setSingleShot(true);
    m_connackTimer.setSingleShot(true);
    connect(&m_pingTimer, &QTimer::timeout, this, &MqttClient::handlePingTimer);
    connect(&m_pingDeadline, &QTimer::timeout, this, &MqttClient::handlePingDeadline);
    connect(&m_connackTimer, &QTimer::timeout, this, [this] {
        failConnection(QStringLiteral("no CONNACK within %1 ms: connecting again")
                           .arg(m_connackTimer.interval()),
            false);
    });

    connect(&m_socket, &WebSocketClient::connecting, this, &MqttClient::connecting);
    connect(&m_socket, &WebSocketClient::opened, this, &MqttClient::handleOpened);
    connect(&m_socket, &WebSocketClient::binaryMessageReceived, this, &MqttClient::handleBinary);
    connect(&m_socket, &WebSocketClient::textMessageReceived, this, [this] {
        failConnection(QStringLiteral("the server sent a text message; MQTT over WebSocket is "
                                      "binary messages only"),
            true);
    });
    connect(&m_socket, &WebSocketClient::disconnected, this, &MqttClient::handleDisconnected);
    connect(&m_socket, &WebSocketClient::errorOccurred, this, &MqttClient::errorOccurred);
    connect(&m_socket, &WebSocketClient::certificateWarning, this, &MqttClient::certificateWarning);
    connect(&m_socket, &WebSocketClient::reconnectScheduled, this, &MqttClient::reconnectScheduled);
    connect(&m_socket, &WebSocketClient::closed, this, &MqttClient::handleClosed);
}

MqttClient::~MqttClient() = default;

void MqttClient::open(const MqttSettings &settings)
{
    if (m_open) {
        return;
    }
    m_settings = settings;
    m_refused = false;
    m_roundTripMs = -1;
    m_clientId = settings.clientId;
    if (m_clientId.isEmpty()) {
        m_clientId = QStringLiteral("streamscope-%1")
                         .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    }

    QString problem;
    if (settings.version == mqtt::Version::V311 && settings.password && !settings.username) {
        problem = QStringLiteral("MQTT 3.1.1 sends a password only with a user name");
    } else if (settings.keepAliveSeconds < 0 || settings.keepAliveSeconds > 65535) {
        problem = QStringLiteral("keep-alive of %1 s: MQTT allows 0 to 65535")
                      .arg(settings.keepAliveSeconds);
    } else if (m_clientId.toUtf8().size() > 65535
        || (settings.username && settings.username->toUtf8().size() > 65535)
        || (settings.password && settings.password->size() > 65535)) {
        problem = QStringLiteral("client id, user name or password longer than 65535 bytes");
    }
    if (!problem.isEmpty()) {
        m_socket.failToOpen(problem); // its errorOccurred and closed come through as ours
        return;
    }

    m_subscriptions.clear();
    QList<QPair<QString, QString>> invalid;
    for (const mqtt::Subscription &subscription : settings.subscriptions) {
        QString why;
        if (!mqtt::isValidTopicFilter(subscription.filter, &why)) {
            invalid.append({subscription.filter, why});
        } else if (subscription.qos != 0 && subscription.qos != 1) {
            invalid.append({subscription.filter,
                QStringLiteral("QoS %1: only 0 and 1 are offered").arg(subscription.qos)});
        } else {
            m_subscriptions.append(subscription);
        }
    }

    WebSocketSettings webSocket = settings.webSocket;
    if (!webSocket.subprotocols.contains(s_subprotocol, Qt::CaseInsensitive)) {
        webSocket.subprotocols.prepend(s_subprotocol);
    }
    webSocket.pingIntervalMs = 0; // PINGREQ instead
    m_open = true;
    const EmitGuard guard(this, ++m_generation);
    for (const auto &[filter, why] : std::as_const(invalid)) {
        emit subscribeFailed(filter, why);
        if (guard.isStale()) {
            return;
        }
    }
    m_socket.open(webSocket);
}

void MqttClient::close()
{
    if (!m_open) {
        return;
    }
    if (m_connected) {
        write(mqtt::encodeDisconnect(m_settings.version));
    }
    resetConnection();
    m_socket.close();
}

void MqttClient::publish(const mqtt::Message &message)
{
    QString why;
    if (!mqtt::isValidTopicName(message.topic, &why)) {
        emit publishFailed(message.topic, why);
        return;
    }
    if (message.qos != 0 && message.qos != 1) {
        emit publishFailed(
            message.topic, QStringLiteral("QoS %1: only 0 and 1 are sent").arg(message.qos));
        return;
    }
    if (publishPacketBytes(m_settings.version, message) > qint64(mqtt::MaxRemainingLength)) {
        emit publishFailed(message.topic, QStringLiteral("message too large for MQTT"));
        return;
    }
    if (!m_connected) {
        m_queue.push_back(message);
        const int bound = std::max(1, m_settings.maxQueuedPublishes);
        const EmitGuard guard(this, m_generation);
        while (int(m_queue.size()) > bound) {
            const QString topic = m_queue.front().topic;
            m_queue.pop_front();
            emit publishFailed(topic,
                QStringLiteral("dropped: more than %1 messages waiting for a connection")
                    .arg(bound));
            if (guard.isStale()) {
                return;
            }
        }
        return;
    }
    if (m_serverMaximumPacketSize
        && publishPacketBytes(m_settings.version, message) > qint64(*m_serverMaximumPacketSize)) {
        emit publishFailed(message.topic,
            QStringLiteral("larger than the server's maximum packet size of %1 bytes")
                .arg(*m_serverMaximumPacketSize));
        return;
    }
    if (message.retain && !m_retainAvailable) {
        emit publishFailed(
            message.topic, QStringLiteral("the server does not keep retained messages"));
        return;
    }
    if (message.qos > m_maximumQos) {
        emit publishFailed(
            message.topic, QStringLiteral("the server accepts QoS %1 at most").arg(m_maximumQos));
        return;
    }
    Inflight entry{message, 0};
    if (message.qos > 0) {
        entry.packetId = nextPacketId();
        m_inflight.push_back(entry);
    }
    writePublish(entry, false);
}

void MqttClient::writePublish(const Inflight &entry, bool dup)
{
    if (!write(mqtt::encodePublish(m_settings.version, entry.message, entry.packetId, dup))) {
        return;
    }
    emit messageSent(
        entry.message.topic, entry.message.payload, entry.message.qos, entry.message.retain);
}

bool MqttClient::write(const QByteArray &packet)
{
    // Never into the WebSocket's offline queue: after a reconnect CONNECT must come first.
    if (m_socket.state() != WebSocketClient::State::Open) {
        return false;
    }
    m_socket.sendBinary(packet);
    return true;
}

quint16 MqttClient::nextPacketId()
{
    const auto inUse = [this](quint16 id) {
        return m_pendingSubscribes.contains(id)
            || std::any_of(m_inflight.begin(), m_inflight.end(),
                [id](const Inflight &entry) { return entry.packetId == id; });
    };
    for (int tries = 0; tries < 65535; ++tries) {
        m_lastPacketId = m_lastPacketId == 65535 ? 1 : quint16(m_lastPacketId + 1);
        if (!inUse(m_lastPacketId)) {
            break;
        }
    }
    return m_lastPacketId;
}

void MqttClient::resetConnection()
{
    m_connected = false;
    m_pingOutstanding = false;
    m_pingTimer.stop();
    m_pingDeadline.stop();
    m_connackTimer.stop();
    m_topicAliases.clear();
    m_pendingSubscribes.clear();
    m_reader.reset();
    m_serverMaximumPacketSize.reset();
    m_retainAvailable = true;
    m_maximumQos = 2;
    ++m_generation;
}

void MqttClient::handleOpened()
{
    resetConnection();
    m_reader = std::make_unique<mqtt::PacketReader>(m_settings.version, m_settings.maxPacketBytes);
    mqtt::ConnectOptions options;
    options.version = m_settings.version;
    options.clientId = m_clientId;
    options.cleanStart = m_settings.cleanStart;
    options.keepAliveSeconds = quint16(m_settings.keepAliveSeconds);
    options.username = m_settings.username;
    options.password = m_settings.password;
    if (m_settings.version == mqtt::Version::V5) {
        options.topicAliasMaximum = TopicAliasMaximum;
        options.maximumPacketSize = quint32(
            std::clamp<qint64>(m_settings.maxPacketBytes, 1, qint64(mqtt::MaxRemainingLength) + 5));
    }
    write(mqtt::encodeConnect(options));
    m_connackTimer.start(std::max(1, m_settings.connackTimeoutMs));
}

void MqttClient::handleBinary(const QByteArray &data)
{
    if (!m_reader) {
        return; // after DISCONNECT or a failure, until the next connection
    }
    QList<mqtt::Packet> packets;
    const bool ok = m_reader->feed(data, packets);
    const QString error = ok ? QString() : m_reader->errorString();
    m_packetsSincePing += quint64(packets.size());
    const EmitGuard guard(this, m_generation);
    for (mqtt::Packet &packet : packets) {
        if (!handlePacket(packet) || guard.isStale()) {
            return;
        }
    }
    if (!ok) {
        failConnection(error, true);
    }
}

bool MqttClient::handlePacket(mqtt::Packet &packet)
{
    using mqtt::PacketType;
    if (!m_connected && packet.type != PacketType::Connack) {
        failConnection(
            QStringLiteral("%1 before CONNACK").arg(mqtt::packetTypeName(packet.type)), true);
        return false;
    }
    switch (packet.type) {
    case PacketType::Connack:
        return handleConnack(packet);
    case PacketType::Publish:
        return handlePublish(packet);
    case PacketType::Suback:
        return handleSuback(packet);
    case PacketType::Puback: {
        const auto it = std::find_if(m_inflight.begin(), m_inflight.end(),
            [&packet](const Inflight &entry) { return entry.packetId == packet.packetId; });
        if (it == m_inflight.end()) {
            return true; // a late acknowledgement of something sent again and acknowledged
        }
        const QString topic = it->message.topic;
        m_inflight.erase(it);
        if (packet.reasonCode >= 0x80) {
            emit publishFailed(topic,
                withReasonString(mqtt::describeReasonCode(packet.reasonCode), packet.properties));
        } else {
            emit publishAcknowledged(topic, packet.packetId);
        }
        return true;
    }
    case PacketType::Pubrec:
        // We publish at QoS 0 and 1 only: nothing of ours waits for this.
        return write(
            mqtt::encodeAck(m_settings.version, PacketType::Pubrel, packet.packetId, 0x92));
    case PacketType::Pubrel:
        m_qos2Received.remove(packet.packetId);
        write(mqtt::encodeAck(m_settings.version, PacketType::Pubcomp, packet.packetId));
        return true;
    case PacketType::Pubcomp:
    case PacketType::Unsuback:
        return true;
    case PacketType::Pingresp:
        if (m_pingOutstanding) {
            m_pingOutstanding = false;
            m_pingDeadline.stop();
            m_roundTripMs = int(m_pingClock.elapsed());
            emit roundTripMeasured(m_roundTripMs);
        }
        return true;
    case PacketType::Disconnect: {
        // MQTT 5: the server closes the connection next; the WebSocket then reconnects.
        const QString message
            = withReasonString(QStringLiteral("the server disconnected: %1")
                                   .arg(mqtt::describeReasonCode(packet.reasonCode)),
                packet.properties);
        resetConnection();
        emit errorOccurred(message, 0);
        return false;
    }
    case PacketType::Auth:
        failConnection(QStringLiteral("the server sent AUTH: enhanced authentication is not "
                                      "supported"),
            true);
        return false;
    case PacketType::Connect:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
    case PacketType::Pingreq:
        break; // the reader refuses these
    }
    return true;
}

bool MqttClient::handleConnack(const mqtt::Packet &packet)
{
    if (m_connected) {
        failConnection(QStringLiteral("a second CONNACK"), true);
        return false;
    }
    m_connackTimer.stop();
    const mqtt::Version version = m_settings.version;
    if (packet.reasonCode != 0) {
        const QString message
            = withReasonString(QStringLiteral("connection refused: %1")
                                   .arg(mqtt::describeConnackCode(version, packet.reasonCode)),
                packet.properties);
        if (mqtt::isTransientConnackCode(version, packet.reasonCode)) {
            // The server closes the connection and the WebSocket's backoff paces the next
            // attempt; should it not close, the CONNACK timer ends the wait.
            m_reader.reset();
            m_connackTimer.start(std::max(1, m_settings.connackTimeoutMs));
            emit errorOccurred(message, 0);
            return false;
        }
        m_refused = true;
        resetConnection();
        const EmitGuard guard(this, m_generation);
        emit refused(message);
        if (!guard.isStale()) {
            m_socket.close();
        }
        return false;
    }

    m_connected = true;
    if (!packet.sessionPresent) {
        m_qos2Received.clear();
    }
    const mqtt::Properties &properties = packet.properties;
    if (!properties.assignedClientIdentifier.isEmpty()) {
        m_clientId = properties.assignedClientIdentifier;
    }
    m_keepAliveMs = 1000
        * (properties.serverKeepAlive ? int(*properties.serverKeepAlive)
                                      : m_settings.keepAliveSeconds);
    m_serverMaximumPacketSize = properties.maximumPacketSize;
    m_retainAvailable = properties.retainAvailable.value_or(1) != 0;
    m_maximumQos = properties.maximumQos.value_or(2);
    if (m_keepAliveMs > 0) {
        m_pingTimer.start(m_keepAliveMs);
    }

    sendSubscriptions();
    // Unacknowledged QoS 1 messages again, in order; DUP only when the server kept the session.
    const std::deque<Inflight> again = m_inflight;
    for (const Inflight &entry : again) {
        write(mqtt::encodePublish(version, entry.message, entry.packetId, packet.sessionPresent));
    }
    const EmitGuard guard(this, m_generation);
    emit connected(packet.sessionPresent);
    while (!m_queue.empty() && !guard.isStale() && m_connected) {
        const mqtt::Message message = m_queue.front();
        m_queue.pop_front();
        publish(message);
    }
    return !guard.isStale();
}

void MqttClient::sendSubscriptions()
{
    if (m_subscriptions.isEmpty()) {
        return;
    }
    const quint16 id = nextPacketId();
    QStringList filters;
    for (const mqtt::Subscription &subscription : std::as_const(m_subscriptions)) {
        filters.append(subscription.filter);
    }
    m_pendingSubscribes.insert(id, filters);
    write(mqtt::encodeSubscribe(m_settings.version, id, m_subscriptions));
}

bool MqttClient::handleSuback(const mqtt::Packet &packet)
{
    const QStringList filters = m_pendingSubscribes.take(packet.packetId);
    if (filters.isEmpty()) {
        return true;
    }
    if (filters.size() != packet.reasonCodes.size()) {
        failConnection(QStringLiteral("SUBACK with %1 codes for %2 topic filters")
                           .arg(packet.reasonCodes.size())
                           .arg(filters.size()),
            true);
        return false;
    }
    const EmitGuard guard(this, m_generation);
    for (qsizetype i = 0; i < filters.size(); ++i) {
        const quint8 code = packet.reasonCodes.at(i);
        if (code < 0x80) {
            emit subscribed(filters.at(i), code);
        } else {
            const QString reason = m_settings.version == mqtt::Version::V5
                ? withReasonString(mqtt::describeReasonCode(code), packet.properties)
                : QStringLiteral("refused by the server");
            emit subscribeFailed(filters.at(i), reason);
        }
        if (guard.isStale()) {
            return false;
        }
    }
    return true;
}

bool MqttClient::handlePublish(mqtt::Packet &packet)
{
    if (const std::optional<quint16> alias = packet.properties.topicAlias) {
        // MQTT 5 3.3.2.3.4: an alias with a topic sets it, an alias alone uses it.
        if (*alias > TopicAliasMaximum) {
            failConnection(QStringLiteral("topic alias %1 over our maximum of %2")
                               .arg(*alias)
                               .arg(TopicAliasMaximum),
                true);
            return false;
        }
        if (!packet.topic.isEmpty()) {
            m_topicAliases.insert(*alias, packet.topic);
        } else {
            packet.topic = m_topicAliases.value(*alias);
            if (packet.topic.isEmpty()) {
                failConnection(QStringLiteral("unknown topic alias %1").arg(*alias), true);
                return false;
            }
        }
    }
    bool deliver = true;
    if (packet.qos == 1) {
        write(mqtt::encodeAck(m_settings.version, mqtt::PacketType::Puback, packet.packetId));
    } else if (packet.qos == 2) {
        // Exactly once: a PUBLISH sent again before our PUBREC arrived is not a new message.
        deliver = !m_qos2Received.contains(packet.packetId);
        m_qos2Received.insert(packet.packetId);
        write(mqtt::encodeAck(m_settings.version, mqtt::PacketType::Pubrec, packet.packetId));
    }
    if (deliver) {
        emit messageReceived(packet.topic, packet.payload, packet.qos, packet.retain,
            packet.properties.userProperties);
    }
    return true;
}

void MqttClient::handlePingTimer()
{
    if (!m_connected || m_pingOutstanding) {
        return;
    }
    if (!write(mqtt::encodePingreq())) {
        return;
    }
    m_pingOutstanding = true;
    m_packetsSincePing = 0;
    m_pingClock.start();
    m_pingDeadline.start(m_settings.pingTimeoutMs > 0 ? m_settings.pingTimeoutMs : m_keepAliveMs);
}

void MqttClient::handlePingDeadline()
{
    if (!m_pingOutstanding) {
        return;
    }
    // Packets still arriving prove the link; the PINGRESP is behind them.
    if (m_packetsSincePing > 0) {
        m_packetsSincePing = 0;
        m_pingDeadline.start();
        return;
    }
    failConnection(QStringLiteral("no PINGRESP within %1 ms: connection considered dead")
                       .arg(m_pingDeadline.interval()),
        false);
}

void MqttClient::failConnection(const QString &message, bool protocol)
{
    resetConnection();
    const EmitGuard guard(this, m_generation);
    if (protocol) {
        emit protocolError(message);
    } else {
        emit errorOccurred(message, 0);
    }
    if (guard.isStale()) {
        return;
    }
    m_socket.retryLater(); // through the backoff: a broken broker is no tight loop
}

void MqttClient::handleDisconnected(int closeCode, const QString &reason)
{
    resetConnection();
    emit disconnected(closeCode, reason);
}

void MqttClient::handleClosed(WebSocketClient::CloseReason reason, int closeCode)
{
    resetConnection();
    m_open = false;
    emit closed(m_refused ? WebSocketClient::CloseReason::Fatal : reason, closeCode);
}

QString MqttClient::withReasonString(const QString &text, const mqtt::Properties &properties) const
{
    if (properties.reasonString.isEmpty()) {
        return text;
    }
    return QStringLiteral("%1 (%2)").arg(text, properties.reasonString);
}

} // namespace streamscope
