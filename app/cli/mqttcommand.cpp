// SPDX-License-Identifier: GPL-3.0-or-later
#include "mqttcommand.h"

namespace streamscope {

MqttCommand::MqttCommand(
    const MqttOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent)
    : WebSocketCommand(options, out, err, parent)
    , m_mqttOptions(options)
{
    connectLifecycle(&m_client);
    connect(&m_client, &MqttClient::connected, this, &MqttCommand::handleConnected);
    connect(&m_client, &MqttClient::messageReceived, this,
        [this](const QString &topic, const QByteArray &payload, int qos, bool retained) {
            handleMessage(topic, payload, qos, retained);
        });
    connect(&m_client, &MqttClient::messageSent, this, &MqttCommand::handleSent);
    connect(&m_client, &MqttClient::publishAcknowledged, this, &MqttCommand::handleAcknowledged);
    connect(&m_client, &MqttClient::publishFailed, this,
        [this](const QString &topic, const QString &reason) {
            handleError(QStringLiteral("publish to %1 failed: %2").arg(topic, reason), 0);
            publishDone();
        });
    connect(&m_client, &MqttClient::subscribed, this, &MqttCommand::handleSubscribed);
    connect(&m_client, &MqttClient::subscribeFailed, this,
        [this](const QString &filter, const QString &reason) {
            handleError(QStringLiteral("subscription to %1 failed: %2").arg(filter, reason), 0);
        });
    connect(&m_client, &MqttClient::refused, this,
        [this](const QString &message) { handleError(message, 0); });
    connect(&m_client, &MqttClient::protocolError, this, [this](const QString &message) {
        handleError(QStringLiteral("MQTT protocol error: %1").arg(message), 0);
    });
}

void MqttCommand::openClient()
{
    MqttSettings settings = m_mqttOptions.session;
    settings.webSocket = m_options.socket;
    // Queued until the first CONNACK; QoS 1 ones are sent again after a reconnect until acked.
    m_publishesLeft = int(m_mqttOptions.publishes.size());
    for (const auto &[topic, payload] : std::as_const(m_mqttOptions.publishes)) {
        m_client.publish({topic, payload, m_mqttOptions.qos, m_mqttOptions.retain});
    }
    m_client.open(settings);
}

void MqttCommand::handleConnected(bool sessionPresent)
{
    if (m_finished) {
        return;
    }
    markOpened();
    m_sink->mqttOpened(m_client.webSocket()->subprotocol().toUtf8(), m_client.clientId().toUtf8(),
        sessionPresent, m_mqttOptions.session.version);
}

void MqttCommand::handleMessage(
    const QString &topic, const QByteArray &payload, int qos, bool retained)
{
    if (isOver()) {
        return;
    }
    if (!retained) { // old news from the broker, not traffic on this connection
        diagnoseMessage(payload);
    }
    m_sink->mqttMessage(topic, payload, !mqtt::isTextPayload(payload), qos, retained);
    countMessage();
}

void MqttCommand::handleSent(const QString &topic, const QByteArray &payload, int qos, bool retain)
{
    if (m_finished) {
        return;
    }
    m_sink->mqttSent(topic, payload, !mqtt::isTextPayload(payload), qos, retain);
    if (qos == 0) {
        publishDone();
    }
}

void MqttCommand::handleAcknowledged(const QString &topic)
{
    if (m_finished) {
        return;
    }
    m_sink->acknowledged(topic);
    publishDone();
}

void MqttCommand::publishDone()
{
    if (m_publishesLeft > 0 && --m_publishesLeft == 0
        && m_mqttOptions.session.subscriptions.isEmpty()) {
        endRun("published");
    }
}

void MqttCommand::handleSubscribed(const QString &filter, int qos)
{
    if (m_finished) {
        return;
    }
    m_sink->subscribed(filter, qos);
}

} // namespace streamscope
