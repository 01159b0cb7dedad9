// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "connectionpool.h"
#include "http2fallback.h"
#include "http2mode.h"
#include "httpheaders.h"
#include "poollease.h"
#include "reconnectpolicy.h"
#include "reconnectspread.h"
#include "sseevent.h"
#include "sseparser.h"
#include "sserequest.h"

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
    // No response for this long fails the attempt (0: off): a server that accepts and never
    // answers, or one that agreed to HTTP/2 and sends nothing Qt can read (Qt waits for ever).
    int responseTimeoutMs = 30000;
    int maxReconnects = -1; // consecutive failed attempts after the first; -1: unlimited
    qsizetype maxEventBytes = SseParser::DefaultMaxEventBytes;
    qint64 readBufferBytes = 1024 * 1024; // bound on QNetworkReply's buffer: backpressure
    // https: PEM certificates trusted beside the system's (a self-signed internal server).
    QString caCertificatesFile;
    // https: connect despite certificate errors, each reported by certificateWarning(). Only
    // ever set on the user's explicit request: it gives up the server's authentication.
    bool ignoreCertificateErrors = false;
    Http2Mode http2 = Http2Mode::Auto;
    // One request, one answer (an LLM's, say): sending it again would be billed again and answer
    // differently. The end of the response closes the source (Complete), a failure closes it
    // (Interrupted, after errorOccurred); it never reconnects by itself.
    bool oneShot = false;
};

// One SSE stream over QNetworkAccessManager: WHATWG parsing, the server's retry, Last-Event-ID,
// and reconnection with backoff. Reads the reply as it arrives and never holds all of it.
class EventSource final : public QObject
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
        Complete, // oneShot: the response ended
        Interrupted, // oneShot: the attempt failed (errorOccurred said why)
    };
    Q_ENUM(CloseReason)

    explicit EventSource(QNetworkAccessManager *network, QObject *parent = nullptr);
    ~EventSource() override;

    // Requests go through the pool's managers instead of the constructor's: streams to an
    // HTTP/2 origin then share its connection. Not owned; set before open().
    void setConnectionPool(ConnectionPool *pool) { m_lease.setPool(pool); }
    // Not owned; member: this stream's id there. Reconnects after a lost open connection take
    // their turn with the other streams to the origin.
    void setReconnectSpread(ReconnectSpread *spread, int member);

    void open(const EventSourceSettings &settings);
    // Stops for good; emits closed(Requested) unless already closed.
    void close();
    // Drops the current attempt or the wait, and connects again at once.
    void reconnectNow();
    // Whoever handles the events cannot keep up (stdout blocked, say). Over HTTP/1.1 not reading
    // is backpressure enough. Qt's HTTP/2 gives none: it would buffer the stream without bound,
    // so the connection is dropped and the stream resumes from its last event id (over HTTP/1.1
    // where TLS offers it) once the event loop runs again. Also done by itself when the reply's
    // buffer is found full twice in a row. A oneShot source cannot resume: it is Interrupted.
    void consumerStalled();

    State state() const { return m_state; }
    const EventSourceSettings &settings() const { return m_settings; }
    QByteArray lastEventId() const { return m_parser.lastEventId(); }
    // The attempt under way, counted from 1 over the life of this source.
    int attempt() const { return m_attempt; }
    quint64 eventsDropped() const { return m_parser.eventsDropped(); }
    // Over a shared HTTP/2 connection: the request is held back, since the server allows no more
    // streams at once (Qt queues it without a word). Empty: no longer waiting.
    QString waitingFor() const { return m_waitingFor; }
    // "HTTP/1.1" or "HTTP/2": of the last response; empty before the first.
    QByteArray protocol() const { return m_protocol; }
    // Times this source fell behind over HTTP/2 (see consumerStalled()).
    int timesFellBehind() const { return m_timesFellBehind; }

signals:
    void stateChanged(streamscope::EventSource::State state);
    // A new HTTP attempt (redirect hops are not attempts).
    void connecting(int attempt);
    void opened(int httpStatus);
    // The head of every response, before what it leads to (opened, a redirect, a refusal).
    void responseReceived(const streamscope::ResponseHead &head);
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
    // The connection was dropped because this stream fell behind over HTTP/2; what happens next
    // in words (resumed from which id, over which protocol). times: so far, this one included.
    void fellBehind(const QString &message, int times);
    // The request waits for a free stream on a shared HTTP/2 connection (see waitingFor()).
    void waiting(const QString &message);
    // Emitted once; nothing follows.
    void closed(streamscope::EventSource::CloseReason reason);

private:
    void startAttempt();
    // m_request. mayWait: the origin's protocol may be worth waiting for (see
    // ConnectionPool::acquire).
    void sendRequest(bool mayWait = true);
    QNetworkAccessManager *managerFor(const QUrl &url, Http2Mode mode, bool mayWait);
    void handleMetaData();
    void openStream(int httpStatus);
    void collectRefusal();
    void refuse();
    void handleReadyRead();
    void readAvailable();
    void fallBehind(const QString &why);
    // An HTTP/1.1 attempt after falling behind failed before it opened: back to HTTP/2.
    bool backToHttp2(const QString &failure);
    void handleFinished();
    // The wait before reconnecting after a lost open connection, spread with other streams'.
    int spreadDelay(int delayMs) const;
    void handleSslErrors(const QList<QSslError> &errors);
    void handleIdleCheck();
    void handleResponseTimeout();
    // HTTP/2 with prior knowledge over http://: Qt's h2c.
    bool isH2c() const;
    // Whether the request waits for a free stream on a shared connection (then says so).
    bool checkHeldBack();
    void failAttempt(const QString &message, int httpStatus, int retryAfterMs);
    void failFatally(const QString &message, int httpStatus);
    void finishStream();
    // nullopt: the reconnect policy gave up. spread: after a lost open connection.
    void reconnectAfter(std::optional<int> delayMs, bool spread);
    void scheduleReconnect(int delayMs);
    void markHealthy();
    void stop(CloseReason reason);
    // Drops the reply and what the parser held of an unfinished event.
    void endAttempt();
    void dropReply();
    void setState(State state);

    QNetworkAccessManager *m_network; // not owned; used when there is no pool
    QPointer<ReconnectSpread> m_spread;
    int m_spreadMember = 0;
    PoolLease m_lease; // the current attempt's manager, when there is a pool
    QMetaObject::Connection m_poolWait; // waiting for another stream to find it out
    QPointer<QNetworkReply> m_reply;
    EventSourceSettings m_settings;
    SseParser m_parser;
    ReconnectPolicy m_reconnect;
    QTimer m_reconnectTimer;
    QTimer m_healthyTimer;
    QTimer m_idleTimer;
    QTimer m_refusalTimer; // a refusal's body that does not end in time is not waited for
    QTimer m_responseTimer;
    QTimer m_heldBackTimer; // a request on a shared connection not sent by then is held back
    QString m_waitingFor;
    QElapsedTimer m_sinceLastByte;
    QByteArray m_readBuffer;
    QSslConfiguration m_sslConfiguration; // the system's CAs plus the settings' CA file
    QString m_certificateError; // of the current reply, in words; reported when it fails
    SseRequest m_request; // as redirects left it; every attempt starts again from m_settings
    QByteArray m_protocol;
    // A refusal (4xx, 5xx) waits for the start of its body: APIs say there what went wrong.
    struct Refusal
    {
        int status = 0; // 0: none under way
        QByteArray reason;
        QByteArray body;
        int retryAfterMs = 0;
        bool fatal = false;
    } m_refusal;
    // Bumped whenever the attempt under way is dropped: a slot that closed, reconnected or
    // restarted us during an emit is detected by comparing it afterwards.
    quint64 m_generation = 0;
    bool m_responseHandled = false; // the current reply's headers were decided on
    qint64 m_bodyBytes = 0; // of the current reply, read so far
    bool m_feeding = false; // inside m_parser.feed(): a nested readyRead must wait
    bool m_requestSent = false; // the current reply's request went out (for the idle message)
    bool m_readQueued = false; // HTTP/2: a read of what has gathered is queued
    Http2Fallback m_fallback; // reset by open()
    int m_fullReads = 0; // HTTP/2: reads in a row that found the reply's buffer full
    int m_timesFellBehind = 0;
    State m_state = State::Closed;
    int m_attempt = 0;
    int m_redirects = 0;
};

} // namespace streamscope
