#pragma once

#include "reconnectpolicy.h"
#include "sseevent.h"
#include "sseparser.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace streamscope {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// What to connect to and how to behave; every delay in milliseconds.
struct EventSourceSettings
{
    QUrl url;
    QByteArray method = "GET";
    QByteArray body; // sent when non-empty (POST by default then; see streamscope-cli)
    HeaderList headers; // user headers, sent on every request
    QByteArray lastEventId; // UTF-8; sent as Last-Event-ID on the first request when non-empty
    int initialDelayMs = 1000;
    int maxDelayMs = 30000;
    int healthyAfterMs = 5000; // an attempt open this long resets the backoff
    int idleTimeoutMs = 0; // 0: off. No bytes for this long means a dead link
    int maxReconnects = -1; // consecutive failed attempts after the first; -1: unlimited
    qsizetype maxEventBytes = SseParser::DefaultMaxEventBytes;
    qint64 readBufferBytes = 1024 * 1024; // bound on QNetworkReply's buffer: backpressure
    // https: PEM certificates trusted beside the system's (a self-signed internal server).
    QString caCertificatesFile;
    // https: connect despite certificate errors, each reported by certificateWarning(). Only
    // ever set on the user's explicit request: it gives up the server's authentication.
    bool ignoreCertificateErrors = false;
};

// One SSE stream over QNetworkAccessManager: WHATWG parsing, the server's retry, Last-Event-ID,
// and reconnection with backoff. Reads the reply as it arrives and never holds all of it.
class EventSource : public QObject
{
    Q_OBJECT
public:
    enum class State {
        Connecting, // a request under way
        Open,
        Reconnecting, // waiting for the backoff timer
        Closed,
    };
    Q_ENUM(State)

    enum class CloseReason {
        Requested, // close() was called
        NoContent, // HTTP 204: the server asked us to stop
        Fatal, // a status or content type that retrying cannot fix
        GaveUp, // maxReconnects consecutive failures
    };
    Q_ENUM(CloseReason)

    explicit EventSource(QNetworkAccessManager *network, QObject *parent = nullptr);
    ~EventSource() override;

    void open(const EventSourceSettings &settings);
    // Stops for good; emits closed(Requested) unless already closed.
    void close();
    // Drops the current attempt or the wait, and connects again at once.
    void reconnectNow();

    State state() const { return m_state; }
    const EventSourceSettings &settings() const { return m_settings; }
    QByteArray lastEventId() const { return m_parser.lastEventId(); }
    // The attempt under way, counted from 1 over the life of this source.
    int attempt() const { return m_attempt; }
    quint64 eventsDropped() const { return m_parser.eventsDropped(); }

signals:
    void stateChanged(streamscope::EventSource::State state);
    // A new HTTP attempt (redirect hops are not attempts).
    void connecting(int attempt);
    void opened(int httpStatus);
    void eventReceived(const streamscope::SseEvent &event);
    // The server's retry field was applied as the reconnection base delay.
    void retryApplied(int milliseconds);
    // Every raw byte count as read, before parsing; for rates and liveness.
    void bytesReceived(qint64 bytes);
    // httpStatus is 0 when there was none (network errors, idle timeout).
    void errorOccurred(const QString &message, int httpStatus);
    // ignoreCertificateErrors let a connection with these certificate errors proceed.
    void certificateWarning(const QString &message);
    void reconnectScheduled(int delayMs, int nextAttempt);
    // Emitted once; nothing follows.
    void closed(streamscope::EventSource::CloseReason reason);

private:
    void startAttempt();
    void sendRequest(const QUrl &url);
    void handleMetaData();
    void handleReadyRead();
    void handleFinished();
    void handleSslErrors(const QList<QSslError> &errors);
    void handleIdleCheck();
    bool followRedirect(int status);
    void failAttempt(const QString &message, int httpStatus, int retryAfterMs);
    void failFatally(const QString &message, int httpStatus);
    void finishStream();
    void scheduleReconnect(int delayMs);
    void markHealthy();
    void stop(CloseReason reason);
    void dropReply();
    void setState(State state);

    QNetworkAccessManager *m_network; // not owned
    QPointer<QNetworkReply> m_reply;
    EventSourceSettings m_settings;
    SseParser m_parser;
    ReconnectPolicy m_reconnect;
    QTimer m_reconnectTimer;
    QTimer m_healthyTimer;
    QTimer m_idleTimer;
    QElapsedTimer m_sinceLastByte;
    QByteArray m_readBuffer;
    QUrl m_currentUrl; // after redirects
    QSslConfiguration m_sslConfiguration; // the system's CAs plus the settings' CA file
    QString m_certificateError; // of the current reply, in words; reported when it fails
    // The request as redirects left it; every attempt starts again from m_settings.
    QByteArray m_method;
    QByteArray m_body;
    HeaderList m_headers;
    // Bumped whenever the attempt under way is dropped: a slot that closed, reconnected or
    // restarted us during an emit is detected by comparing it afterwards.
    quint64 m_generation = 0;
    bool m_responseHandled = false; // the current reply's headers were decided on
    bool m_feeding = false; // inside m_parser.feed(): a nested readyRead must wait
    bool m_requestSent = false; // the current reply's request went out (for the idle message)
    State m_state = State::Closed;
    int m_attempt = 0;
    int m_redirects = 0;
};

} // namespace streamscope
