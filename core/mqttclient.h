// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mqttcodec.h"
#include "websocketclient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QString>
#include <QTimer>

#include <deque>
#include <memory>
#include <optional>

namespace streamscope {

// What MqttClient connects to and how. The WebSocket part keeps its meaning (URL, headers, TLS,
// backoff, proxy) with two exceptions: "mqtt" is always among the subprotocols, and its
// pingIntervalMs is ignored, PINGREQ being the heartbeat.
struct MqttSettings
{
    WebSocketSettings webSocket;
    mqtt::Version version = mqtt::Version::V311;
    QString clientId; // empty: "streamscope-" and 8 random hex digits, kept across reconnects
    bool cleanStart = true;
    int keepAliveSeconds = 60; // 0: no PINGREQ; an MQTT 5 server's Server Keep Alive wins
    // No PINGRESP (nor any other packet) this long after a PINGREQ: a dead link, reconnect.
    // 0: the keep-alive interval.
    int pingTimeoutMs = 0;
    int connackTimeoutMs = 30000; // the WebSocket opened but no CONNACK came: reconnect
    std::optional<QString> username;
    std::optional<QByteArray> password; // MQTT 3.1.1 wants a user name with it
    QList<mqtt::Subscription> subscriptions; // QoS 0 or 1; subscribed again on every connection
    qint64 maxPacketBytes = 16 * 1024 * 1024; // incoming bound; MQTT 5 tells the server too
    int maxQueuedPublishes = 1000; // publish() while not connected; past it the oldest drop
};

// An MQTT 3.1.1 or 5.0 client over WebSocket (subprotocol "mqtt", binary frames), as brokers
// serve browser dashboards. The WebSocketClient it owns keeps the connection up (backoff, TLS,
// offline detection); this adds the MQTT session on top: CONNECT on every open, SUBSCRIBE,
// PUBLISH in both directions at QoS 0 and 1 (QoS 2 received too), PINGREQ as the heartbeat.
class MqttClient final : public QObject
{
    Q_OBJECT
public:
    // The topic aliases we accept from an MQTT 5 server (Topic Alias Maximum in CONNECT).
    static constexpr quint16 TopicAliasMaximum = 64;

    explicit MqttClient(QObject *parent = nullptr);
    ~MqttClient() override;

    // Starts connecting; ignored unless closed. Invalid subscriptions are reported by
    // subscribeFailed() and left out; settings that cannot work end at once with closed(Fatal).
    void open(const MqttSettings &settings);
    // DISCONNECT when connected, then the WebSocket's close; closed(Requested, code) follows.
    void close();
    // QoS 0 or 1. Sent now when connected, else queued (bounded). A QoS 1 message is sent again
    // after a reconnect until the server acknowledges it. Refusals come as publishFailed().
    void publish(const mqtt::Message &message);

    // The WebSocket under the session, for its state, attempt and health.
    const WebSocketClient *webSocket() const { return &m_socket; }
    void setReconnectSpread(ReconnectSpread *spread, int member)
    {
        m_socket.setReconnectSpread(spread, member);
    }
    const MqttSettings &settings() const { return m_settings; }
    // The CONNACK of the current connection accepted us.
    bool isConnected() const { return m_connected; }
    // The client id in use: the given, the generated, or the one an MQTT 5 server assigned.
    QString clientId() const { return m_clientId; }
    // The last PINGREQ round trip; -1 before the first PINGRESP.
    int roundTripMs() const { return m_roundTripMs; }
    int inflightCount() const { return int(m_inflight.size()); }
    int queuedPublishCount() const { return int(m_queue.size()); }

signals:
    // Lifecycle, as WebSocketClient's.
    void connecting(int attempt);
    void disconnected(int closeCode, const QString &reason);
    void errorOccurred(const QString &message, int httpStatus);
    void certificateWarning(const QString &message);
    void reconnectScheduled(int delayMs, int nextAttempt);
    void roundTripMeasured(int ms);
    // Emitted once per open(); nothing follows. Fatal after refused().
    void closed(streamscope::WebSocketClient::CloseReason reason, int closeCode);

    // The server accepted CONNECT on this connection; subscriptions are on their way.
    void connected(bool sessionPresent);
    // An application message. retained: the server kept it from before (a retained message
    // sent on subscribing), not live traffic. userProperties: MQTT 5, in order.
    void messageReceived(const QString &topic, const QByteArray &payload, int qos, bool retained,
        const QList<QPair<QString, QString>> &userProperties);
    void subscribed(const QString &filter, int grantedQos);
    void subscribeFailed(const QString &filter, const QString &reason);
    // After our PUBLISH was written.
    void messageSent(const QString &topic, const QByteArray &payload, int qos, bool retain);
    // QoS 1: the server's PUBACK.
    void publishAcknowledged(const QString &topic, quint16 packetId);
    void publishFailed(const QString &topic, const QString &reason);
    // CONNACK refused us for a reason retrying cannot fix (credentials, authorization, protocol
    // version, client id): the client closes, closed(Fatal) follows.
    void refused(const QString &message);
    // The server broke MQTT (malformed or oversized packet, unknown topic alias, ...): the
    // connection is dropped and made again.
    void protocolError(const QString &message);

private:
    struct Inflight
    {
        mqtt::Message message;
        quint16 packetId = 0;
    };

    void handleOpened();
    void handleBinary(const QByteArray &data);
    void handleDisconnected(int closeCode, const QString &reason);
    void handleClosed(WebSocketClient::CloseReason reason, int closeCode);
    // Each returns false when it dropped the connection or the client is gone or moved on.
    bool handlePacket(mqtt::Packet &packet);
    bool handleConnack(const mqtt::Packet &packet);
    bool handlePublish(mqtt::Packet &packet);
    bool handleSuback(const mqtt::Packet &packet);
    void handlePingTimer();
    void handlePingDeadline();
    void failConnection(const QString &message, bool protocol);
    void sendSubscriptions();
    void writePublish(const Inflight &entry, bool dup);
    bool write(const QByteArray &packet);
    quint16 nextPacketId();
    void resetConnection();
    QString withReasonString(const QString &text, const mqtt::Properties &properties) const;

    WebSocketClient m_socket;
    MqttSettings m_settings;
    std::unique_ptr<mqtt::PacketReader> m_reader;
    QTimer m_pingTimer;
    QTimer m_pingDeadline;
    QTimer m_connackTimer;
    QElapsedTimer m_pingClock;
    QString m_clientId;
    QList<mqtt::Subscription> m_subscriptions; // the valid ones
    QHash<quint16, QStringList> m_pendingSubscribes; // SUBSCRIBE id to its filters
    QHash<quint16, QString> m_topicAliases; // of the current connection
    QSet<quint16> m_qos2Received; // PUBREC sent, PUBREL not yet received
    std::deque<Inflight> m_inflight; // QoS 1 sent, no PUBACK yet, in order
    std::deque<mqtt::Message> m_queue; // waiting for a connection
    quint64 m_generation = 0; // bumped on every connection change, for EmitGuard
    quint64 m_packetsSincePing = 0;
    std::optional<quint32> m_serverMaximumPacketSize;
    int m_keepAliveMs = 0;
    int m_roundTripMs = -1;
    quint16 m_lastPacketId = 0;
    bool m_connected = false;
    bool m_pingOutstanding = false;
    bool m_refused = false; // a fatal CONNACK: closed() says Fatal
    bool m_open = false; // between open() and closed()
    bool m_retainAvailable = true;
    quint8 m_maximumQos = 2;
};

} // namespace streamscope
