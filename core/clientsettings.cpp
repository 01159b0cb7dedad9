// SPDX-License-Identifier: GPL-3.0-or-later
#include "clientsettings.h"

namespace streamscope {

namespace {

SocketIoSettings socketIoSettings(
    const StreamConfig &config, const WebSocketSettings &webSocket, QStringList *missing)
{
    SocketIoSettings settings;
    settings.webSocket = webSocket;
    settings.webSocket.onOpenMessages.clear(); // Engine.IO speaks first
    const QByteArray auth = resolveEnvironmentReferences(config.socketIoAuth, missing);
    for (const QString &name : config.namespaces) {
        settings.namespaces.append({name, auth});
    }
    if (settings.namespaces.isEmpty()) {
        settings.namespaces.append({QStringLiteral("/"), auth});
    }
    return settings;
}

MqttSettings mqttSettings(
    const StreamConfig &config, const WebSocketSettings &webSocket, QStringList *missing)
{
    MqttSettings settings;
    settings.webSocket = webSocket;
    settings.webSocket.onOpenMessages.clear(); // MQTT speaks first: CONNECT
    settings.version = config.mqttVersion5 ? mqtt::Version::V5 : mqtt::Version::V311;
    settings.clientId = config.mqttClientId;
    if (!config.mqttUsername.isEmpty()) {
        settings.username
            = QString::fromUtf8(resolveEnvironmentReferences(config.mqttUsername, missing));
    }
    if (!config.mqttPassword.isEmpty()) {
        settings.password = resolveEnvironmentReferences(config.mqttPassword, missing);
    }
    for (const QString &topic : config.topics) {
        settings.subscriptions.append({topic, config.mqttQos});
    }
    return settings;
}

} // namespace

ClientSettings clientSettings(const StreamConfig &config, QStringList *missing)
{
    if (config.transport() == StreamConfig::Transport::Sse) {
        return config.sseSettings(missing);
    }
    const qsizetype missingBefore = missing->size();
    const WebSocketSettings webSocket = config.webSocketSettings(missing);
    if (missing->size() > missingBefore) {
        return webSocket;
    }
    switch (config.protocol) {
    case StreamConfig::Protocol::SocketIo:
        return socketIoSettings(config, webSocket, missing);
    case StreamConfig::Protocol::Mqtt:
        return mqttSettings(config, webSocket, missing);
    case StreamConfig::Protocol::WebSocket:
        break;
    }
    return webSocket;
}

} // namespace streamscope
