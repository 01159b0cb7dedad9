// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTcpServer>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <memory>
#include <random>
#include <vector>

class QTcpSocket;

namespace streamscope {

class DemoLlm;
class DemoWebSocketFeed;

// How the demo feed paces and bounds itself.
struct DemoFeedSettings
{
    int metricsIntervalMs = 500; // one sample per host per tick
    int hostCount = 4; // the fleet: web-1, web-2, db-1, cache-1, then node-5, node-6, ...
    int logMeanIntervalMs = 600; // log lines arrive at random around this pace
    int heartbeatIntervalMs = 10000; // ": heartbeat" comments keep proxies and idle timers calm
    int retryMs = 2000; // the retry field sent on connect and now and then
    qint64 maxBacklogBytes = 256 * 1024; // per client, unsent; beyond it samples are dropped
    int maxConnections = 1000;
    int historyEvents = 2048; // per stream, kept for Last-Event-ID resume
    int requestTimeoutMs = 10000; // to send a complete request head
    quint32 seed = 0; // 0: a random seed
    double llmPaceFactor = 1.0; // scales the LLM endpoints' delays: 1 is a model's pace
};

// The built-in demo feed: an HTTP server on 127.0.0.1 serving plausible monitoring data as SSE
// (/metrics, /logs) to any number of clients, resuming after Last-Event-ID. A client that reads
// slower than the feed writes loses samples (counted) instead of growing our buffers.
class DemoFeed : public QObject
{
    Q_OBJECT
public:
    using Settings = DemoFeedSettings;

    enum class Stream {
        Metrics,
        Logs,
    };

    explicit DemoFeed(QObject *parent = nullptr);
    ~DemoFeed() override;

    // Listens on 127.0.0.1; port 0 picks a free one. False with errorString() on failure.
    bool listen(quint16 port = 0, const Settings &settings = Settings());
    QString errorString() const { return m_server.errorString(); }
    quint16 port() const { return m_server.serverPort(); }
    // http://127.0.0.1:PORT followed by path ("/metrics"); scheme "ws" for the WebSocket feed.
    QUrl url(const QString &path = QString(), const QString &scheme = QStringLiteral("http")) const;
    const Settings &settings() const { return m_settings; }
    // Whether GET /ws upgrades to the WebSocket feed.
    bool servesWebSocket() const { return m_webSocketFeed != nullptr; }
    // The /ws endpoint; null before listen().
    DemoWebSocketFeed *webSocketFeed() const { return m_webSocketFeed.get(); }
    // The LLM endpoints (/v1/chat/completions, /v1/responses, /v1/messages); null before listen().
    DemoLlm *llm() const { return m_llm.get(); }

    int streamClientCount() const;
    // Samples not sent to clients that fell behind, over all clients.
    quint64 samplesDropped() const { return m_samplesDropped; }
    quint64 lastEventId(Stream stream) const;

private:
    struct Client
    {
        QTcpSocket *socket = nullptr;
        Stream stream = Stream::Metrics;
        bool streaming = false; // false while the request head is still being read
        quint64 dropped = 0; // since the last note to this client
        quint64 adoption = 0; // which adoptConnection() of this socket: its timeout is its own
    };
    struct StreamState
    {
        quint64 nextId = 1;
        std::deque<std::pair<quint64, QByteArray>> history; // id, the event's bytes
    };
    struct Host
    {
        QByteArray name;
        double cpu;
        double memory;
        double rxBytesPerSecond;
        double txBytesPerSecond;
    };

    void acceptConnections();
    // Reads requests from socket: a new connection, or one kept alive after an LLM answer.
    void adoptConnection(QTcpSocket *socket);
    void readRequest(QTcpSocket *socket);
    void removeClient(QTcpSocket *socket);
    void respond(QTcpSocket *socket, const QByteArray &status, const QByteArray &body,
        const QByteArray &extraHeaders = {});
    void startStream(QTcpSocket *socket, Stream stream, const QByteArray &lastEventId);
    void publish(Stream stream, const QByteArray &type, const QByteArray &data);
    void broadcast(Stream stream, const QByteArray &bytes);
    void sendToClient(Client &client, const QByteArray &bytes, bool droppable);
    void tickMetrics();
    void emitLogLine();
    void scheduleLogLine();
    void sendHeartbeat();
    QByteArray makeLogLine(QByteArray &level);
    double gaussian(double sigma);
    int uniform(int low, int high);

    QTcpServer m_server;
    Settings m_settings;
    QHash<QTcpSocket *, Client> m_clients;
    StreamState m_streams[2];
    std::vector<Host> m_hosts;
    QTimer m_metricsTimer;
    QTimer m_logTimer;
    QTimer m_heartbeatTimer;
    std::mt19937 m_random;
    quint64 m_samplesDropped = 0;
    int m_heartbeats = 0;
    quint64 m_adoptions = 0;
    // After m_server: these go first, while the sockets they took over still exist.
    std::unique_ptr<DemoWebSocketFeed> m_webSocketFeed;
    std::unique_ptr<DemoLlm> m_llm;
};

} // namespace streamscope
