// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "answerrun.h"
#include "connectionpool.h"
#include "diagnosis.h"
#include "healthclock.h"
#include "reconnectspread.h"
#include "streamconfig.h"
#include "streamdiagnostics.h"
#include "streamevent.h"
#include "streamhealth.h"
#include "websocketclient.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>

#include <deque>
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace streamscope {

class EventSource;
class MqttClient;
class SocketIoClient;
class WebSocketClient;
struct EventSourceSettings;
struct MqttSettings;
struct SocketIoSettings;

// One configured stream, live: drives an EventSource or a WebSocketClient (by the URL's
// scheme), turns what happens into StreamEvent rows, and keeps its health figures. SSE streams
// get their QNetworkAccessManager from a ConnectionPool when they have one (streams to an HTTP/2
// origin then share a connection), else each has its own; either way many streams to one host
// never queue behind a manager's six HTTP/1.1 connections per host. What every transport shares
// is in stream.cpp; each transport's signals are wired in streamsse.cpp and streamwebsocket.cpp.
class Stream final : public QObject
{
    Q_OBJECT
public:
    Stream(int id, const StreamConfig &config, QObject *parent = nullptr);
    ~Stream() override;

    int id() const { return m_id; }
    const StreamConfig &config() const { return m_config; }
    // Applies new settings; reconnects when connected.
    void setConfig(const StreamConfig &config);
    // Not owned; takes effect from the next connect.
    void setConnectionPool(ConnectionPool *pool) { m_pool = pool; }
    // Not owned; takes effect from the next connect: reconnects spread with other streams'.
    void setReconnectSpread(ReconnectSpread *spread) { m_spread = spread; }

    void connectToServer();
    void disconnectFromServer();
    void reconnectNow();
    bool isConnected() const; // connecting, open or waiting to reconnect

    // Paused: stays connected and keeps its figures, but emits no rows.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    // WebSocket only: sends now, or queues while reconnecting. Returns false for SSE. A
    // Socket.IO stream emits "EVENT [JSON arguments]" on its first namespace, asking for an ack;
    // an MQTT stream publishes "TOPIC PAYLOAD" at the stream's QoS.
    bool send(const QByteArray &text);

    StreamHealth health() const; // as of now

    // What is wrong between the server and us, with evidence and fix (see StreamDiagnostics):
    // as of the last check, at most every DiagnosisIntervalMs.
    QList<Diagnosis> diagnoses() const
    {
        return m_diagnostics ? m_diagnostics->current() : QList<Diagnosis>();
    }
    // The detectors and the latest response heads; null before the first connect.
    const StreamDiagnostics *diagnostics() const { return m_diagnostics.get(); }
    // A reconnect storm this stream was part of (found across streams by ReconnectSpread).
    void stormSeen(const Diagnosis &storm);
    // The payload's production time, for the delivery delay and the burst detector (the
    // dashboard's extraction setting); empty: arrival times only.
    void setPayloadClock(const QString &timeField, TimeUnit unit);
    // Closes after shorter silences are not idle timeouts (IdleTimeoutDetector); from the next
    // connect. For tests against a proxy with a short timeout.
    void setMinIdleSilenceMs(qint64 ms) { m_minIdleSilenceMs = ms; }

signals:
    // Every row of this stream's timeline, lifecycle included, unless paused.
    void eventArrived(const streamscope::StreamEvent &event);
    // The state changed (at once), or figures changed (at most every HealthIntervalMs, from a
    // timer: never once per event). Also ticks while reconnecting, for the countdown.
    void healthChanged();
    // A token-mode stream's current answer grew, started or ended (see answerRuns()). Once per
    // event that changed it: a view redraws from a timer.
    void answerChanged();
    // A finding appeared, changed or cleared (also written as a "diagnosis" row), or a new
    // response head came.
    void diagnosesChanged();

public:
    static constexpr int HealthIntervalMs = HealthClock::IntervalMs;
    static constexpr int MaxAnswerRuns = 50; // kept per stream, oldest dropped first
    static constexpr int DiagnosisIntervalMs = 1000;

    // Token mode (StreamConfig::tokenFormat()): one run per request, oldest first.
    const std::deque<AnswerRun> &answerRuns() const { return m_answerRuns; }
    // The runs' monotonic clock: the nowMs of AnswerRun::figures() and figuresJson().
    qint64 answerClockMs() const { return m_answerClock.elapsed(); }

private:
    // The wall clock rows and health figures are stamped with.
    static qint64 now();
    // The status, unless the message already says it ("HTTP 401 Unauthorized").
    static QString withStatus(const QString &message, int httpStatus);

    // One per client; each makes its client, wires it, then openClient().
    void startClient(const EventSourceSettings &settings);
    void startClient(const WebSocketSettings &settings);
    void startClient(const SocketIoSettings &settings);
    void startClient(const MqttSettings &settings);
    // How every client starts: it joins the reconnect spread and opens with the health timer
    // already running (a client that fails at once stops it from a signal of open()).
    template <typename Client, typename Settings>
    void openClient(Client &client, const Settings &settings);
    // Stops the clients without a word from them; deletion waits for the event loop, since
    // this may run inside one of their signals.
    void retireClients();
    // One WebSocket-family client (socket: the WebSocketClient under it), as retireClients().
    template <typename Client>
    void retireWebSocket(std::unique_ptr<Client> &owned, const WebSocketClient *socket);
    void failToStart(qint64 nowMs, const QString &message);
    void stopped(qint64 nowMs, bool fatal, const QString &message);
    // A Fatal or GaveUp close, whichever client's: the row names the last error.
    void stoppedAfterFailure(bool gaveUp);
    void notifyHealth();
    StreamDiagnostics::Settings diagnosticsSettings() const;
    // Findings as of now; a "diagnosis" row for each that appeared or cleared. Returns whether
    // this stream survived the emits.
    bool refreshDiagnoses();
    void checkHealth();

    // What every client reports alike, as rows and health figures.
    void reportConnecting(int attempt);
    void reportResponse(const ResponseHead &head); // held for the row of what came of it
    void reportError(const QString &text); // an "error" row; health's last error
    void reportReconnect(int delayMs, int nextAttempt);
    // ignoreCertificateErrors let a handshake with certificate errors through: health and log say
    // which.
    void warnAboutCertificate(const QString &message);

    // SSE and token streams (streamsse.cpp).
    void wireEventSource();
    AnswerRun *runningAnswer(); // the newest run while it runs
    // Ends the running answer, if any, and says so. Returns whether this stream survived.
    bool endAnswer(const QString &failure = {});

    // The WebSocket family (streamwebsocket.cpp).
    void wireWebSocket();
    void wireSocketIo();
    void wireMqtt();
    // The lifecycle every WebSocket protocol shares: client is the WebSocketClient or the
    // adapter over it (same signals), socket the WebSocketClient underneath.
    template <typename Client>
    void wireWebSocketLifecycle(Client *client, const WebSocketClient *socket);
    template <typename Client>
    void wireWebSocketOpened(Client *client, const WebSocketClient *socket);
    // A WebSocket-family message (not a retained MQTT one): data, and an event to diagnose.
    void messageArrived(qint64 nowMs, const QByteArray &payload);
    // The WebSocket family's client in use (raw or an adapter): for state and reconnects.
    WebSocketClient::State webSocketState() const;

    // Both return whether this stream survived the emit (a slot may have deleted it).
    bool emitLifecycle(const QByteArray &kind, const QString &message);
    // "HTTP/1.1 200 OK" and a "Name: value" line per header, secrets masked: a row's details.
    static QByteArray responseText(const ResponseHead &head);
    bool emitRow(StreamEvent::Kind kind, const QByteArray &type, const QByteArray &id,
        const QByteArray &data, bool binary, const QByteArray &details = {});

    int m_id;
    StreamConfig m_config;
    std::unique_ptr<QNetworkAccessManager> m_network; // without a pool
    QPointer<ConnectionPool> m_pool;
    std::unique_ptr<EventSource> m_eventSource;
    std::deque<AnswerRun> m_answerRuns;
    QElapsedTimer m_answerClock; // the runs' monotonic time
    std::unique_ptr<WebSocketClient> m_webSocket; // raw WebSocket
    std::unique_ptr<SocketIoClient> m_socketIo;
    std::unique_ptr<MqttClient> m_mqtt;
    HealthTracker m_health;
    HealthState m_lastState = HealthState::Disconnected; // as last reported by healthChanged
    bool m_healthDirty = false;
    bool m_paused = false;
    QList<QPointer<QObject>> m_retired; // closing clients not yet deleted
    QPointer<ReconnectSpread> m_spread;
    std::unique_ptr<StreamDiagnostics> m_diagnostics;
    std::optional<ResponseHead> m_pendingHead; // until the row that says what came of it
    qint64 m_lastDiagnosisCheckMs = 0;
    QString m_payloadTimeField;
    TimeUnit m_payloadTimeUnit = TimeUnit::Auto;
    qint64 m_minIdleSilenceMs = IdleTimeoutDetector::DefaultMinSilenceMs;
};

} // namespace streamscope
