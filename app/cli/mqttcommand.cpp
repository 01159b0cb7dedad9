// SPDX-License-Identifier: GPL-3.0-or-later
#include "mqttcommand.h"

#include "console.h"
#include "recordwriter.h"

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
    MqttSettings settings;
    settings.webSocket = webSocketSettings();
    settings.version = m_mqttOptions.version;
    settings.clientId = m_mqttOptions.clientId;
    settings.keepAliveSeconds = m_mqttOptions.keepAliveSeconds;
    settings.username = m_mqttOptions.username;
    if (m_mqttOptions.password) {
        settings.password = m_mqttOptions.password->toUtf8();
    }
    for (const QString &filter : std::as_const(m_mqttOptions.topics)) {
        settings.subscriptions.append({filter, m_mqttOptions.qos});
    }
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
    const QByteArray subprotocol = m_client.webSocket()->subprotocol().toUtf8();
    const QByteArray clientId = m_client.clientId().toUtf8();
    if (m_options.json) {
        Record record(*m_out, "open");
        if (!subprotocol.isEmpty()) {
            record.string("subprotocol", subprotocol);
        }
        record.string("clientId", clientId).boolean("sessionPresent", sessionPresent);
        return;
    }
    lifecycle("open (MQTT " + QByteArray(m_mqttOptions.version == mqtt::Version::V5 ? "5" : "3.1.1")
            + ", client id " + clientId + (sessionPresent ? ", session resumed" : "") + ")",
        console::Palette(m_err->isTerminal()).green());
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
    const bool binary = !mqtt::isTextPayload(payload);
    const QByteArray data = binary ? payload.toBase64() : payload;
    if (m_options.json) {
        Record(*m_out, "message")
            .text("type", topic)
            .string("data", data)
            .boolean("binary", binary)
            .number("qos", qos)
            .boolean("retained", retained);
    } else {
        QByteArrayList notes;
        if (retained) {
            notes.append("(retained)");
        }
        if (binary) {
            notes.append("binary " + QByteArray::number(payload.size()) + " B");
        }
        console::appendMessageLine(m_out->buffer(), console::Palette(m_out->isTerminal()),
            topic.toUtf8(), notes.join(' '), data);
        m_out->commit();
    }
    countMessage();
}

void MqttCommand::handleSent(const QString &topic, const QByteArray &payload, int qos, bool retain)
{
    if (m_finished) {
        return;
    }
    const bool binary = !mqtt::isTextPayload(payload);
    if (m_options.json) {
        Record record(*m_out, "sent");
        record.text("type", topic).string("data", binary ? payload.toBase64() : payload);
        if (binary) {
            record.boolean("binary", true);
        }
        record.number("qos", qos).boolean("retained", retain);
    } else {
        lifecycle("sent " + topic.toUtf8() + ' ' + (binary ? payload.toBase64() : payload), "");
    }
    if (qos == 0) {
        publishDone();
    }
}

void MqttCommand::handleAcknowledged(const QString &topic)
{
    if (m_finished) {
        return;
    }
    if (m_options.json) {
        Record(*m_out, "acknowledged").text("type", topic);
    } else {
        lifecycle("acknowledged " + topic.toUtf8(), "");
    }
    publishDone();
}

void MqttCommand::publishDone()
{
    if (m_publishesLeft > 0 && --m_publishesLeft == 0 && m_mqttOptions.topics.isEmpty()) {
        endRun("published");
    }
}

void MqttCommand::handleSubscribed(const QString &filter, int qos)
{
    if (m_finished) {
        return;
    }
    if (m_options.json) {
        Record(*m_out, "subscribed").text("filter", filter).number("qos", qos);
        return;
    }
    lifecycle("subscribed to " + filter.toUtf8() + " (QoS " + QByteArray::number(qos) + ")", "");
}

} // namespace streamscope
