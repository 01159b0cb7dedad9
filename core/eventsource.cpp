// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventsource.h"

#include "bytesize.h"
#include "emitguard.h"
#include "httpstatus.h"
#include "sseresponse.h"
#include "tls.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace streamscope {

namespace {

constexpr qsizetype s_readChunkBytes = 64 * 1024; // about what QNAM hands over at a time
constexpr qsizetype s_maxRefusalBodyBytes = 4 * 1024; // of a 4xx/5xx body, for its error text
constexpr int s_refusalBodyWaitMs = 2000; // a refusal's body that never ends is not waited for
constexpr int s_fullReadsToFallBehind = 2; // HTTP/2: one full buffer may be a passing stall
constexpr int s_heldBackAfterMs = 1500; // a shared HTTP/2 request not sent by then waits its turn

} // namespace

EventSource::EventSource(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_network(network)
{
    m_reconnectTimer.setSingleShot(true);
    m_healthyTimer.setSingleShot(true);
    m_idleTimer.setSingleShot(true);
    m_refusalTimer.setSingleShot(true);
    m_responseTimer.setSingleShot(true);
    m_heldBackTimer.setSingleShot(true);
    connect(&m_responseTimer, &QTimer::timeout, this, &EventSource::handleResponseTimeout);
    connect(&m_heldBackTimer, &QTimer::timeout, this, &EventSource::checkHeldBack);
    connect(&m_refusalTimer, &QTimer::timeout, this, &EventSource::refuse);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &EventSource::startAttempt);
    connect(&m_healthyTimer, &QTimer::timeout, this, &EventSource::markHealthy);
    connect(&m_idleTimer, &QTimer::timeout, this, &EventSource::handleIdleCheck);

    m_parser.setEventHandler([this](const SseEvent &event) {
        if (!m_reconnect.isHealthy()) {
            markHealthy();
        }
        const EmitGuard guard(this, m_generation);
        emit eventReceived(event);
        return !guard.isStale();
    });
    m_parser.setRetryHandler([this](int milliseconds) {
        m_reconnect.setBaseDelayOverride(milliseconds);
        const EmitGuard guard(this, m_generation);
        emit retryApplied(milliseconds);
        return !guard.isStale();
    });
    m_parser.setErrorHandler([this](const QString &message) {
        // The oversized event is gone; the stream itself is fine, so no reconnect.
        const EmitGuard guard(this, m_generation);
        emit errorOccurred(message, 0);
        return !guard.isStale();
    });
}

EventSource::~EventSource()
{
    // dropReply() disconnects before aborting, so nothing is emitted from here.
    dropReply();
}

void EventSource::open(const EventSourceSettings &settings)
{
    m_reconnectTimer.stop();
    dropReply();
    m_settings = settings;
    m_fallback.reset();
    m_reconnect.configure(settings.initialDelayMs, settings.maxDelayMs, settings.maxReconnects);
    m_parser.setMaxEventBytes(settings.maxEventBytes);
    m_parser.reset(settings.lastEventId);
    m_readBuffer.resize(s_readChunkBytes);
    QString problem = checkSseSettings(settings);
    if (problem.isEmpty()) {
        tls::makeConfiguration(settings.caCertificatesFile, &m_sslConfiguration, &problem);
    }
    if (!problem.isEmpty()) {
        failFatally(problem, 0);
        return;
    }
    startAttempt();
}

void EventSource::close()
{
    if (m_state != State::Closed) {
        stop(CloseReason::Requested);
    }
}

void EventSource::reconnectNow()
{
    if (m_state == State::Closed) {
        return;
    }
    m_reconnectTimer.stop();
    endAttempt();
    startAttempt();
}

void EventSource::consumerStalled()
{
    fallBehind(QStringLiteral("its events are not being read"));
}

void EventSource::startAttempt()
{
    ++m_generation;
    ++m_attempt;
    m_redirects = 0;
    m_reconnect.attemptStarted();
    m_request = firstSseRequest(m_settings);
    // The ID held across the reconnect is the last one the server dispatched (or the seed).
    m_parser.reset(m_parser.lastEventId());

    const EmitGuard guard(this, m_generation);
    setState(State::Connecting);
    if (guard.isStale()) {
        return;
    }
    emit connecting(m_attempt);
    if (guard.isStale()) {
        return;
    }
    sendRequest();
}

QNetworkAccessManager *EventSource::managerFor(const QUrl &url, Http2Mode mode, bool mayWait)
{
    if (!m_lease.pool()) {
        return m_network;
    }
    return m_lease.acquire(
        url, mode, m_settings.caCertificatesFile, m_settings.ignoreCertificateErrors, mayWait);
}

void EventSource::sendRequest(bool mayWait)
{
    const QUrl &url = m_request.url;
    const Http2Mode mode = m_fallback.asksHttp1() ? Http2Mode::Off : m_settings.http2;
    QNetworkAccessManager *network = managerFor(url, mode, mayWait);
    if (!network) {
        // Another stream is finding out whether the origin speaks HTTP/2: if it does, this one
        // joins its connection instead of opening another.
        m_poolWait = connect(m_lease.pool(), &ConnectionPool::settled, this,
            [this, generation = m_generation](const QString &key) {
                if (key == m_lease.key() && generation == m_generation) {
                    disconnect(m_poolWait);
                    sendRequest(false);
                }
            });
        return;
    }
    const QNetworkRequest request
        = networkRequest(m_request, m_parser.lastEventId(), mode, m_sslConfiguration);
    QNetworkReply *reply = (m_request.method == "GET" && m_request.body.isEmpty())
        ? network->get(request)
        : network->sendCustomRequest(request, m_request.method, m_request.body);
    // Bounded before any byte arrives: an unbounded buffer grows with a slow consumer.
    reply->setReadBufferSize(m_settings.readBufferBytes);
    m_reply = reply;
    m_responseHandled = false;
    m_bodyBytes = 0;
    m_certificateError.clear();
    connect(reply, &QNetworkReply::sslErrors, this, &EventSource::handleSslErrors);
    connect(reply, &QNetworkReply::metaDataChanged, this, &EventSource::handleMetaData);
    connect(reply, &QNetworkReply::readyRead, this, &EventSource::handleReadyRead);
    connect(reply, &QNetworkReply::finished, this, &EventSource::handleFinished);
    m_requestSent = false;
    connect(reply, &QNetworkReply::requestSent, this, [this] {
        m_requestSent = true;
        if (!m_waitingFor.isEmpty()) {
            // Its turn came: the wait for the answer starts now.
            m_waitingFor.clear();
            if (m_settings.responseTimeoutMs > 0) {
                m_responseTimer.start(m_settings.responseTimeoutMs);
            }
            emit waiting(QString());
        }
    });
    if (m_settings.responseTimeoutMs > 0) {
        m_responseTimer.start(m_settings.responseTimeoutMs);
    }
    if (m_lease.openStreams() > 0) {
        m_heldBackTimer.start(s_heldBackAfterMs);
    }

    if (m_settings.idleTimeoutMs > 0) {
        m_sinceLastByte.start();
        m_idleTimer.start(m_settings.idleTimeoutMs);
    }
}

void EventSource::handleMetaData()
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_responseHandled) {
        return;
    }
    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttribute.isValid()) {
        return;
    }
    m_responseHandled = true;
    m_responseTimer.stop();
    m_heldBackTimer.stop();
    m_waitingFor.clear();
    const int status = statusAttribute.toInt();
    const bool http2 = reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool();
    m_protocol = http2 ? QByteArrayLiteral("HTTP/2") : QByteArrayLiteral("HTTP/1.1");
    m_lease.responded(http2);
    ResponseHead head;
    head.atMs = QDateTime::currentMSecsSinceEpoch();
    head.status = status;
    head.reasonPhrase = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
    head.protocol = m_protocol;
    head.headers = reply->rawHeaderPairs();
    {
        const EmitGuard headGuard(this, m_generation);
        emit responseReceived(head);
        if (headGuard.isStale()) {
            return;
        }
    }
    const SseResponseVerdict verdict = judgeSseResponse(status, head.reasonPhrase,
        reply->rawHeader("Content-Type"), reply->rawHeader("Retry-After"), !head.headers.isEmpty());
    switch (verdict.action) {
    case SseResponseVerdict::Action::Open:
        openStream(status);
        return;
    case SseResponseVerdict::Action::Stop:
        // SSE: 204 No Content tells the client to stop reconnecting.
        stop(CloseReason::NoContent);
        return;
    case SseResponseVerdict::Action::Redirect: {
        const QString problem = followSseRedirect(
            &m_request, status, head.reasonPhrase, reply->rawHeader("Location"), ++m_redirects);
        if (!problem.isEmpty()) {
            failFatally(problem, status);
            return;
        }
        dropReply();
        sendRequest();
        return;
    }
    case SseResponseVerdict::Action::Refuse:
        m_refusal = Refusal{status, head.reasonPhrase, {}, verdict.retryAfterMs, verdict.fatal};
        m_refusalTimer.start(s_refusalBodyWaitMs);
        handleReadyRead();
        return;
    case SseResponseVerdict::Action::Fail:
        failFatally(verdict.error, status);
        return;
    }
}

void EventSource::openStream(int status)
{
    // An attempt that opened is not a failure: the next failure starts the count again.
    m_reconnect.opened();
    m_fallback.opened();
    m_lease.streamOpened();
    if (m_settings.healthyAfterMs <= 0) {
        markHealthy();
    } else {
        m_healthyTimer.start(m_settings.healthyAfterMs);
    }
    const EmitGuard guard(this, m_generation);
    setState(State::Open);
    if (guard.isStale()) {
        return;
    }
    emit opened(status);
    if (!guard.isStale() && m_reply && m_reply->bytesAvailable() > 0) {
        handleReadyRead();
    }
}

void EventSource::collectRefusal()
{
    QNetworkReply *reply = m_reply;
    const qint64 room = s_maxRefusalBodyBytes - m_refusal.body.size();
    if (reply && room > 0) {
        m_refusal.body.append(reply->read(room));
    }
    if (m_refusal.body.size() >= s_maxRefusalBodyBytes) {
        refuse();
    }
}

void EventSource::refuse()
{
    if (m_refusal.status == 0) {
        return;
    }
    const Refusal refusal = std::exchange(m_refusal, Refusal{});
    m_refusalTimer.stop();
    const QString text = http::statusText(refusal.status, refusal.reason, refusal.body);
    if (refusal.fatal) {
        failFatally(text, refusal.status);
    } else {
        failAttempt(text, refusal.status, refusal.retryAfterMs);
    }
}

void EventSource::handleReadyRead()
{
    if (m_refusal.status != 0) {
        collectRefusal();
        return;
    }
    if (m_protocol == "HTTP/2" && m_reply && m_state == State::Open && !m_feeding) {
        // Read what has gathered once the deliveries queued before this one are in: a buffer
        // found full then means Qt holds more than we take (it has no backpressure here).
        if (!m_readQueued) {
            m_readQueued = true;
            QMetaObject::invokeMethod(
                this,
                [this, generation = m_generation] {
                    if (generation == m_generation) {
                        m_readQueued = false;
                        readAvailable();
                    }
                },
                Qt::QueuedConnection);
        }
        return;
    }
    readAvailable();
}

void EventSource::readAvailable()
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_state != State::Open || m_feeding) {
        // Before the headers are decided there is nothing to parse; inside feed() a nested
        // event loop must not reenter the parser: the outer loop reads on after it returns.
        return;
    }
    if (m_protocol == "HTTP/2" && m_settings.readBufferBytes > 0) {
        const qint64 buffered = reply->bytesAvailable();
        if (buffered < m_settings.readBufferBytes / 2) {
            m_fullReads = 0;
        } else if (buffered >= m_settings.readBufferBytes
            && ++m_fullReads >= s_fullReadsToFallBehind) {
            fallBehind(QStringLiteral("%1 waiting to be read").arg(describeBytes(buffered)));
            return;
        }
    }
    const EmitGuard guard(this, m_generation);
    while (reply->bytesAvailable() > 0) {
        const qint64 n = reply->read(m_readBuffer.data(), m_readBuffer.size());
        if (n <= 0) {
            break;
        }
        if (m_settings.idleTimeoutMs > 0) {
            m_sinceLastByte.start();
        }
        m_bodyBytes += n;
        emit bytesReceived(n);
        if (guard.isStale()) {
            return;
        }
        m_feeding = true;
        m_parser.feed(QByteArrayView(m_readBuffer.constData(), n));
        if (guard.isStale()) {
            return; // dropReply() cleared m_feeding
        }
        m_feeding = false;
    }
}

void EventSource::handleFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply) {
        return;
    }
    if (m_feeding) {
        // A slot is running an event loop inside feed(): finish once it has read everything.
        QTimer::singleShot(0, this, [this, generation = m_generation] {
            if (m_generation == generation) {
                handleFinished();
            }
        });
        return;
    }
    const EmitGuard guard(this, m_generation);
    if (!m_responseHandled
        && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid()) {
        handleMetaData();
        if (guard.isStale()) {
            return;
        }
    }
    if (m_refusal.status != 0) {
        collectRefusal();
        refuse();
        return;
    }
    if (m_state == State::Open) {
        // Whatever is still buffered belongs to the stream.
        readAvailable();
        if (guard.isStale()) {
            return;
        }
    }
    // The connection may be going away: the next requests are not to wait on it.
    m_lease.retire();
    const QNetworkReply::NetworkError error = reply->error();
    if (error == QNetworkReply::NoError && m_state == State::Open) {
        bool known = false;
        const qint64 length
            = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&known);
        const QString cutShort
            = checkBodyComplete(m_bodyBytes, known ? std::optional<qint64>(length) : std::nullopt,
                reply->hasRawHeader("Content-Encoding"));
        if (!cutShort.isEmpty()) {
            failAttempt(cutShort, 0, 0);
            return;
        }
        finishStream();
        return;
    }
    if (error == QNetworkReply::SslHandshakeFailedError || !m_certificateError.isEmpty()) {
        // Retrying cannot make a certificate trusted. Ours names host, issuer and expiry;
        // Qt's names the handshake's other failures.
        failFatally(m_certificateError.isEmpty()
                ? reply->errorString()
                : QStringLiteral("TLS handshake failed: %1").arg(m_certificateError),
            0);
        return;
    }
    QString message = error == QNetworkReply::NoError
        ? QStringLiteral("connection closed before a response")
        : reply->errorString();
    if (!m_responseHandled && isH2c()) {
        message += QStringLiteral(" (%1)").arg(priorKnowledgeHint());
    }
    failAttempt(message, 0, 0);
}

void EventSource::handleResponseTimeout()
{
    if (!m_reply || m_responseHandled || checkHeldBack()) {
        return;
    }
    const QByteArray alpn = m_reply->sslConfiguration().nextNegotiatedProtocol();
    failAttempt(noResponseText(m_settings.responseTimeoutMs, isH2c(), alpn, m_requestSent), 0, 0);
}

bool EventSource::isH2c() const
{
    return m_settings.http2 == Http2Mode::PriorKnowledge
        && m_request.url.scheme() == QLatin1String("http");
}

bool EventSource::checkHeldBack()
{
    const int open = m_lease.openStreams();
    if (!m_reply || m_responseHandled || m_requestSent || open <= 0) {
        return false;
    }
    if (!m_waitingFor.isEmpty()) {
        return true;
    }
    // Not a dead server: the connection carries others. Its answer is not waited against.
    m_responseTimer.stop();
    m_waitingFor = QStringLiteral("waiting: the server allows %1 %2 at once on this connection")
                       .arg(open)
                       .arg(open == 1 ? QStringLiteral("stream") : QStringLiteral("streams"));
    emit waiting(m_waitingFor);
    return true;
}

void EventSource::handleSslErrors(const QList<QSslError> &errors)
{
    QNetworkReply *reply = m_reply;
    if (!reply || sender() != reply) {
        return;
    }
    const QString message = tls::describeErrors(errors, reply->url().host());
    if (!m_settings.ignoreCertificateErrors) {
        // The reply fails with SslHandshakeFailedError next; handleFinished() reports this.
        m_certificateError = message;
        return;
    }
    reply->ignoreSslErrors();
    emit certificateWarning(
        QStringLiteral("%1: proceeding, since certificate errors are ignored for this stream")
            .arg(message));
}

void EventSource::handleIdleCheck()
{
    if (!m_reply || m_settings.idleTimeoutMs <= 0) {
        return;
    }
    // The timer is not restarted per read: it is re-armed here for what is left.
    const qint64 remaining = m_settings.idleTimeoutMs - m_sinceLastByte.elapsed();
    if (remaining > 0) {
        m_idleTimer.start(int(remaining));
        return;
    }
    failAttempt(silenceText(m_settings.idleTimeoutMs, m_requestSent), 0, 0);
}

void EventSource::fallBehind(const QString &why)
{
    if (!m_reply || m_state != State::Open || m_protocol != "HTTP/2") {
        return; // over HTTP/1.1 a reply not read holds the server back by itself
    }
    ++m_timesFellBehind;
    if (m_settings.oneShot) {
        failAttempt(Http2Fallback::endsOneShot(why), 0, 0);
        return;
    }
    const bool mayUseHttp1
        = m_settings.http2 == Http2Mode::Auto && m_request.url.scheme() == QLatin1String("https");
    const Http2Fallback::Step step
        = m_fallback.fellBehind(why, mayUseHttp1, m_parser.lastEventId());
    endAttempt();
    const EmitGuard guard(this, m_generation);
    emit fellBehind(step.message, m_timesFellBehind);
    if (guard.isStale()) {
        return;
    }
    // Not a failure. The reconnect runs from the event loop, so after a blocked consumer went on.
    reconnectAfter(step.toHttp1 ? std::optional<int>(0) : m_reconnect.next(false), false);
}

bool EventSource::backToHttp2(const QString &failure)
{
    if (m_state == State::Open) {
        return false;
    }
    const std::optional<QString> message = m_fallback.http1Failed(failure, m_parser.lastEventId());
    if (!message) {
        return false;
    }
    endAttempt();
    const EmitGuard guard(this, m_generation);
    emit fellBehind(*message, m_timesFellBehind);
    if (!guard.isStale()) {
        scheduleReconnect(0);
    }
    return true;
}

void EventSource::failAttempt(const QString &message, int httpStatus, int retryAfterMs)
{
    if (backToHttp2(message)) {
        return;
    }
    // A stream that opened is not a failed attempt, whatever ended it.
    const bool opened = m_state == State::Open;
    endAttempt();
    const EmitGuard guard(this, m_generation);
    emit errorOccurred(message, httpStatus);
    if (guard.isStale()) {
        return;
    }
    if (m_settings.oneShot) {
        stop(CloseReason::Interrupted);
        return;
    }
    reconnectAfter(m_reconnect.next(!opened, retryAfterMs), opened);
}

void EventSource::failFatally(const QString &message, int httpStatus)
{
    if (backToHttp2(message)) {
        return;
    }
    endAttempt();
    const EmitGuard guard(this, m_generation);
    emit errorOccurred(message, httpStatus);
    if (!guard.isStale()) {
        stop(CloseReason::Fatal);
    }
}

void EventSource::finishStream()
{
    // SSE: the end of the response is a reconnect, not an error.
    endAttempt();
    if (m_settings.oneShot) {
        stop(CloseReason::Complete);
        return;
    }
    reconnectAfter(m_reconnect.next(false), true);
}

void EventSource::setReconnectSpread(ReconnectSpread *spread, int member)
{
    m_spread = spread;
    m_spreadMember = member;
}

int EventSource::spreadDelay(int delayMs) const
{
    if (!m_spread) {
        return delayMs;
    }
    return m_spread->lost(
        m_settings.url, m_spreadMember, QDateTime::currentMSecsSinceEpoch(), delayMs);
}

void EventSource::reconnectAfter(std::optional<int> delayMs, bool spread)
{
    if (!delayMs) {
        stop(CloseReason::GaveUp);
        return;
    }
    scheduleReconnect(spread ? spreadDelay(*delayMs) : *delayMs);
}

void EventSource::scheduleReconnect(int delay)
{
    const EmitGuard guard(this, m_generation);
    setState(State::Reconnecting);
    if (guard.isStale()) {
        return;
    }
    m_reconnectTimer.start(delay);
    emit reconnectScheduled(delay, m_attempt + 1);
}

void EventSource::markHealthy()
{
    m_healthyTimer.stop();
    m_reconnect.markHealthy();
}

void EventSource::stop(CloseReason reason)
{
    m_reconnectTimer.stop();
    endAttempt();
    const QPointer<EventSource> self(this); // closing is final: only deletion matters
    setState(State::Closed);
    if (self) {
        emit closed(reason);
    }
}

void EventSource::endAttempt()
{
    dropReply();
    m_parser.finish();
}

void EventSource::dropReply()
{
    ++m_generation;
    m_idleTimer.stop();
    m_healthyTimer.stop();
    m_refusalTimer.stop();
    m_responseTimer.stop();
    m_heldBackTimer.stop();
    m_waitingFor.clear();
    m_refusal = Refusal{};
    m_feeding = false;
    m_readQueued = false;
    m_fullReads = 0;
    if (m_poolWait) {
        disconnect(m_poolWait); // before release(): an abandoned probe settles its key at once
    }
    // Let go of the manager after the reply.
    const ConnectionPool::Manager manager = m_lease.release();
    if (!m_reply) {
        return;
    }
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->disconnect(this);
    // QNAM fails a 4xx/5xx reply by itself, from a queued call that warns when the reply was
    // aborted first; deleting it cancels the transfer as well.
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (!reply->isFinished() && status < 400) {
        reply->abort();
    }
    reply->deleteLater();
}

void EventSource::setState(State state)
{
    if (m_state == state) {
        return;
    }
    m_state = state;
    emit stateChanged(state);
}

} // namespace streamscope
