// SPDX-License-Identifier: GPL-3.0-or-later
// Stream's WebSocket half: raw WebSocket, Socket.IO and MQTT clients' signals as rows and health
// figures (one lifecycle for all three), and what send() means for each.
#include "stream.h"

#include "mqttclient.h"
#include "socketioclient.h"
#include "utf8.h"
#include "websocketclient.h"

namespace streamscope {

WebSocketClient::State Stream::webSocketState() const
{
    if (m_socketIo) {
        return m_socketIo->state();
    }
    if (m_mqtt) {
        return m_mqtt->webSocket()->state();
    }
    return m_webSocket ? m_webSocket->state() : WebSocketClient::State::Closed;
}

bool Stream::send(const QByteArray &text)
{
    if (webSocketState() == WebSocketClient::State::Closed) {
        return false;
    }
    if (m_socketIo) {
        const QByteArray trimmed = text.trimmed();
        const qsizetype space = trimmed.indexOf(' ');
        const QByteArray event = space < 0 ? trimmed : trimmed.left(space);
        const QByteArray args = space < 0 ? QByteArray("[]") : trimmed.mid(space + 1).trimmed();
        const QString nameSpace = m_socketIo->settings().namespaces.value(0).name;
        const SocketIoEmit sent = m_socketIo->emitEvent(nameSpace, event, args, true);
        if (!sent.accepted) {
            emitLifecycle("error", QStringLiteral("not sent: %1").arg(sent.error));
        }
        return sent.accepted;
    }
    if (m_mqtt) {
        const QByteArray trimmed = text.trimmed();
        const qsizetype space = trimmed.indexOf(' ');
        mqtt::Message message;
        message.topic = QString::fromUtf8(space < 0 ? trimmed : trimmed.left(space));
        message.payload = space < 0 ? QByteArray() : trimmed.mid(space + 1);
        message.qos = m_config.mqttQos;
        m_mqtt->publish(message);
        return true;
    }
    m_webSocket->sendText(text);
    return true;
}

// The upgrade is the stream's open: what the server agreed to, as streamscope-cli says it.
template <typename Client>
void Stream::wireWebSocketOpened(Client *client, const WebSocketClient *socket)
{
    connect(client, &Client::opened, this, [this, socket] {
        m_diagnostics->opened(now());
        const QString subprotocol = socket->subprotocol();
        const QString extensions = socket->extensions();
        m_health.opened(now(), extensions);
        // What the server agreed to, as streamscope-cli's open line says it.
        QStringList agreed;
        if (!subprotocol.isEmpty()) {
            agreed.append(QStringLiteral("subprotocol %1").arg(subprotocol));
        }
        if (!extensions.isEmpty()) {
            agreed.append(extensions);
        }
        if (!emitLifecycle("open",
                agreed.isEmpty()
                    ? QStringLiteral("open")
                    : QStringLiteral("open (%1)").arg(agreed.join(QLatin1String(", "))))) {
            return;
        }
        notifyHealth();
    });
}

template <typename Client>
void Stream::wireWebSocketLifecycle(Client *client, const WebSocketClient *socket)
{
    connect(client, &Client::connecting, this, &Stream::reportConnecting);
    connect(client, &Client::certificateWarning, this, &Stream::warnAboutCertificate);
    connect(socket, &WebSocketClient::responseReceived, this, &Stream::reportResponse);
    connect(client, &Client::errorOccurred, this,
        [this](const QString &message, int status) { reportError(withStatus(message, status)); });
    connect(client, &Client::disconnected, this, [this](int code, const QString &reason) {
        m_diagnostics->closed(now());
        emitLifecycle("disconnected",
            reason.isEmpty() ? QStringLiteral("disconnected (code %1)").arg(code)
                             : QStringLiteral("disconnected (code %1: %2)").arg(code).arg(reason));
    });
    connect(client, &Client::reconnectScheduled, this, &Stream::reportReconnect);
    connect(client, &Client::roundTripMeasured, this, [this](int ms) {
        m_diagnostics->dataArrived(now()); // a pong: bytes from the other end
        m_health.roundTripMeasured(ms);
        m_healthDirty = true;
    });
    connect(socket, &WebSocketClient::messagesDropped, this, [this](quint64 total) {
        m_health.droppedTotal(total);
        m_healthDirty = true;
    });
    connect(client, &Client::closed, this, [this](WebSocketClient::CloseReason reason, int code) {
        if (reason == WebSocketClient::CloseReason::Requested) {
            stopped(now(), false, QStringLiteral("closed (code %1)").arg(code));
        } else {
            stoppedAfterFailure(reason == WebSocketClient::CloseReason::GaveUp);
        }
    });
}

void Stream::wireWebSocket()
{
    WebSocketClient *client = m_webSocket.get();
    wireWebSocketLifecycle(client, client);
    wireWebSocketOpened(client, client);
    auto received = [this](const QByteArray &data, bool binary) {
        const qint64 at = now();
        messageArrived(at, data);
        m_health.received(at, data.size());
        m_health.eventArrived(at);
        m_healthDirty = true;
        emitRow(StreamEvent::Kind::Message, {}, {}, data, binary);
    };
    connect(client, &WebSocketClient::textMessageReceived, this,
        [received](const QByteArray &utf8) { received(utf8, false); });
    connect(client, &WebSocketClient::binaryMessageReceived, this,
        [received](const QByteArray &data) { received(data, true); });
    connect(
        client, &WebSocketClient::messageSent, this, [this](const QByteArray &data, bool binary) {
            emitRow(StreamEvent::Kind::Sent, {}, {}, data, binary);
        });
}

void Stream::wireSocketIo()
{
    SocketIoClient *client = m_socketIo.get();
    wireWebSocketLifecycle(client, client->webSocket());
    wireWebSocketOpened(client, client->webSocket());
    // The row's type is the event, with its namespace unless that is the default one.
    const auto typeOf = [](const QString &nameSpace, const QByteArray &event) {
        return nameSpace == QLatin1String("/") ? event : nameSpace.toUtf8() + ':' + event;
    };
    connect(client, &SocketIoClient::eventReceived, this,
        [this, typeOf](const QString &nameSpace, const QByteArray &event,
            const QByteArray &argsJson, bool binary) {
            const qint64 at = now();
            messageArrived(at, argsJson);
            m_health.received(at, argsJson.size());
            m_health.eventArrived(at);
            m_healthDirty = true;
            // Binary attachments are in the JSON already ({"_binary": base64}).
            Q_UNUSED(binary);
            emitRow(StreamEvent::Kind::Message, typeOf(nameSpace, event), {}, argsJson, false);
        });
    connect(client, &SocketIoClient::eventSent, this,
        [this, typeOf](
            const QString &nameSpace, const QByteArray &event, const QByteArray &argsJson, int) {
            emitRow(StreamEvent::Kind::Sent, typeOf(nameSpace, event), {}, argsJson, false);
        });
    connect(client, &SocketIoClient::ackReceived, this,
        [this](int id, const QByteArray &argsJson, int roundTripMs) {
            emitLifecycle("ack",
                QStringLiteral("ack %1 after %2 ms: %3")
                    .arg(id)
                    .arg(roundTripMs)
                    .arg(QString::fromUtf8(argsJson)));
        });
    connect(client, &SocketIoClient::namespaceJoined, this, [this](const QString &nameSpace) {
        emitLifecycle("joined", QStringLiteral("joined namespace %1").arg(nameSpace));
    });
    connect(client, &SocketIoClient::namespaceRefused, this,
        [this](const QString &nameSpace, const QString &message) {
            reportError(QStringLiteral("namespace %1 refused: %2").arg(nameSpace, message));
        });
    connect(client, &SocketIoClient::protocolError, this, [this](const QString &message) {
        emitLifecycle(
            "error", QStringLiteral("Socket.IO: %1 (dropped; the stream goes on)").arg(message));
    });
}

void Stream::wireMqtt()
{
    MqttClient *client = m_mqtt.get();
    wireWebSocketLifecycle(client, client->webSocket());
    // "open" is the broker's CONNACK, not the upgrade.
    connect(client, &MqttClient::connected, this, [this](bool sessionPresent) {
        m_health.opened(now(), m_mqtt ? m_mqtt->webSocket()->extensions() : QString());
        if (emitLifecycle("open",
                QStringLiteral("open (MQTT %1, client id %2%3)")
                    .arg(m_config.mqttVersion5 ? QStringLiteral("5") : QStringLiteral("3.1.1"),
                        m_mqtt ? m_mqtt->clientId() : QString(),
                        sessionPresent ? QStringLiteral(", session present") : QString()))) {
            notifyHealth();
        }
    });
    connect(client, &MqttClient::messageReceived, this,
        [this](const QString &topic, const QByteArray &payload, int qos, bool retained,
            const QList<QPair<QString, QString>> &userProperties) {
            const qint64 at = now();
            if (!retained) {
                messageArrived(at, payload);
            }
            m_health.received(at, payload.size());
            if (!retained) {
                m_health.eventArrived(at); // a retained message is old news, not live traffic
            }
            m_healthDirty = true;
            const bool text = utf8::sanitized(payload) == payload;
            QByteArray details = "QoS: " + QByteArray::number(qos);
            for (const auto &[name, value] : userProperties) {
                details += "\nUser property: " + name.toUtf8() + " = " + value.toUtf8();
            }
            // The id column says what a topic's row cannot: kept from before.
            emitRow(StreamEvent::Kind::Message, topic.toUtf8(),
                retained ? QByteArrayLiteral("retained") : QByteArray(), payload, !text, details);
        });
    connect(client, &MqttClient::messageSent, this,
        [this](const QString &topic, const QByteArray &payload, int, bool) {
            emitRow(StreamEvent::Kind::Sent, topic.toUtf8(), {}, payload, false);
        });
    connect(client, &MqttClient::subscribed, this, [this](const QString &filter, int qos) {
        emitLifecycle(
            "subscribed", QStringLiteral("subscribed to %1 (QoS %2)").arg(filter).arg(qos));
    });
    connect(client, &MqttClient::subscribeFailed, this,
        [this](const QString &filter, const QString &reason) {
            reportError(QStringLiteral("subscribing to %1 failed: %2").arg(filter, reason));
        });
    connect(client, &MqttClient::publishFailed, this,
        [this](const QString &topic, const QString &reason) {
            reportError(QStringLiteral("publishing to %1 failed: %2").arg(topic, reason));
        });
    connect(client, &MqttClient::refused, this, &Stream::reportError);
    connect(client, &MqttClient::protocolError, this, &Stream::reportError);
}

void Stream::messageArrived(qint64 nowMs, const QByteArray &payload)
{
    m_diagnostics->dataArrived(nowMs);
    m_diagnostics->eventArrived(nowMs, {}, payload);
}

} // namespace streamscope
