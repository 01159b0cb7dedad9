// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mqttclient.h"
#include "options.h"
#include "wscommand.h"

namespace streamscope {

// `streamscope-cli mqtt`: one MQTT session over WebSocket until max-events, timeout, an
// interrupt, a refused CONNECT (exit 3), the client's own end, or (without --topic) every
// --publish sent. Lifecycle and endings as for ws; ending ourselves sends DISCONNECT first.
class MqttCommand : public WebSocketCommand
{
    Q_OBJECT
public:
    MqttCommand(const MqttOptions &options, RecordWriter *out, RecordWriter *err,
        QObject *parent = nullptr);

private:
    void openClient() override;
    // DISCONNECT, then the WebSocket's close.
    void closeClient() override { m_client.close(); }
    void handleConnected(bool sessionPresent);
    void handleMessage(const QString &topic, const QByteArray &payload, int qos, bool retained);
    void handleSent(const QString &topic, const QByteArray &payload, int qos, bool retain);
    void handleAcknowledged(const QString &topic);
    void handleSubscribed(const QString &filter, int qos);
    void publishDone();

    MqttOptions m_mqttOptions;
    MqttClient m_client;
    int m_publishesLeft = 0; // sent (QoS 0) or acknowledged (QoS 1) yet to come
};

} // namespace streamscope
