#pragma once

#include "streamconfig.h"
#include "streamevent.h"
#include "streamhealth.h"

#include <QObject>

#include <memory>

class QNetworkAccessManager;

namespace streamscope {

class EventSource;
class WebSocketClient;

// One configured stream, live: drives an EventSource or a WebSocketClient (by the URL's
// scheme), turns what happens into StreamEvent rows, and keeps its health figures. Each SSE
// stream has its own QNetworkAccessManager, so many streams to one host never queue behind
// the manager's six connections per host.
class Stream : public QObject
{
    Q_OBJECT
public:
    Stream(int id, const StreamConfig &config, QObject *parent = nullptr);
    ~Stream() override;

    int id() const { return m_id; }
    const StreamConfig &config() const { return m_config; }
    // Applies new settings; reconnects when connected.
    void setConfig(const StreamConfig &config);

    void connectToServer();
    void disconnectFromServer();
    void reconnectNow();
    bool isConnected() const; // connecting, open or waiting to reconnect

    // Paused: stays connected and keeps its figures, but emits no rows.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    // WebSocket only: sends now, or queues while reconnecting. Returns false for SSE.
    bool send(const QByteArray &text);

    StreamHealth health() const; // as of now

signals:
    // Every row of this stream's timeline, lifecycle included, unless paused.
    void eventArrived(const streamscope::StreamEvent &event);
    // A figure or the state changed (throttled by the receiver, not here).
    void healthChanged();

private:
    void wireEventSource();
    void wireWebSocket();
    void emitLifecycle(const QByteArray &kind, const QString &message);
    void emitRow(StreamEvent::Kind kind, const QByteArray &type, const QByteArray &id,
        const QByteArray &data, bool binary);

    int m_id;
    StreamConfig m_config;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<EventSource> m_eventSource;
    std::unique_ptr<WebSocketClient> m_webSocket;
    HealthTracker m_health;
    bool m_paused = false;
};

} // namespace streamscope
