// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>
#include <QWebSocketServer>

#include <map>
#include <random>

class QTcpSocket;
class QWebSocket;

namespace streamscope {

// The demo feed's WebSocket endpoint (/ws): host metrics as JSON text messages, several a
// second, with per-client topic subscriptions. It does not listen: DemoFeed's HTTP server peeks
// an upgrade request and hands the socket over with the handshake still unread.
//
// Protocol, all JSON text:
//   server -> {"type":"hello","hosts":[...],"intervalMs":250,"usage":"..."} once, then
//             {"type":"metric","host":"web-1","cpu":0.42,"mem":0.61,"rx":12345,"tx":2345,
//              "ts":<ms since epoch>} per host per tick.
//   client -> {"subscribe":"host-a"}: from then on only subscribed hosts are streamed; a new
//             name starts a new simulated host. {"subscribe":"*"}: the default fleet again.
//             {"unsubscribe":"host-a"}. Each is acknowledged ({"type":"subscribed",...} /
//             {"type":"unsubscribed",...}); anything else gets {"type":"error","error":"..."}.
class DemoWebSocketFeed : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        int intervalMs = 250; // one sample per subscribed host per tick
        int maxClients = 1000; // more are closed with 1013 (try again later)
        qint64 maxBacklogBytes = 256 * 1024; // per client, unsent; beyond it samples are dropped
        qint64 maxIncomingMessageBytes = 64 * 1024;
        int maxTopicsPerClient = 32;
        int maxHosts = 256; // simulated hosts over all clients, default fleet included
        quint32 seed = 0; // 0: a random seed
    };

    explicit DemoWebSocketFeed(QObject *parent = nullptr);
    explicit DemoWebSocketFeed(const Settings &settings, QObject *parent = nullptr);
    ~DemoWebSocketFeed() override;

    // Takes over a connected socket whose upgrade request is still unread (peeked only); the
    // handshake is answered from its buffered bytes. Disconnect your own slots from it first.
    void handleConnection(QTcpSocket *socket);

    const Settings &settings() const { return m_settings; }
    int clientCount() const { return int(m_clients.size()); }
    // Samples not sent to clients that fell behind, over all clients.
    quint64 samplesDropped() const { return m_samplesDropped; }
    QList<QByteArray> defaultHosts() const { return m_defaultHosts; }

signals:
    void clientCountChanged(int clients);

private:
    struct Host
    {
        double cpu = 0.3; // fraction of one
        double memory = 0.5; // fraction of one
        double rxBytesPerSecond = 1e6;
        double txBytesPerSecond = 1e6;
    };
    struct Client
    {
        QList<QByteArray> topics; // empty: the default fleet
        bool subscribedToAll = true;
    };

    void acceptConnections();
    void removeClient(QWebSocket *socket);
    void handleMessage(QWebSocket *socket, const QString &message);
    void sendError(QWebSocket *socket, const QString &error, const QString &received = QString());
    void tick();
    Host &host(const QByteArray &name);
    Host makeHost();
    void step(Host &host);
    double gaussian(double sigma);

    QWebSocketServer m_server;
    Settings m_settings;
    QHash<QWebSocket *, Client> m_clients;
    std::map<QByteArray, Host> m_hosts; // sorted: a stable order in every tick
    QList<QByteArray> m_defaultHosts;
    QTimer m_tickTimer;
    std::mt19937 m_random;
    quint64 m_samplesDropped = 0;
};

} // namespace streamscope
