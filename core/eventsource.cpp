// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventsource.h"

#include "bytesize.h"
#include "emitguard.h"
#include "httpstatus.h"
#include "httptoken.h"
#include "tls.h"

#include <QDateTime>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>

namespace streamscope {

namespace {

constexpr int s_maxRedirects = 10;
constexpr qsizetype s_readChunkBytes = 64 * 1024; // about what QNAM hands over at a time
constexpr qint64 s_maxRetryAfterMs = 24 * 60 * 60 * 1000; // a day: beyond is a server bug
constexpr qsizetype s_maxRefusalBodyBytes = 4 * 1024; // of a 4xx/5xx body, for its error text
constexpr int s_refusalBodyWaitMs = 2000; // a refusal's body that never ends is not waited for
constexpr int s_fullReadsToFallBehind = 2; // HTTP/2: one full buffer may be a passing stall
constexpr int s_heldBackAfterMs = 1500; // a shared HTTP/2 request not sent by then waits its turn

bool isEventStream(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArray mediaType
        = (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
    return mediaType == "text/event-stream";
}

// HTTP Retry-After: delta-seconds or an IMF-fixdate; 0 when absent or unreadable.
int parseRetryAfter(const QByteArray &header)
{
    const QByteArray value = header.trimmed();
    if (value.isEmpty()) {
        return 0;
    }
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        const qint64 seconds = value.size() > 6 ? s_maxRetryAfterMs : value.toLongLong();
        return int(std::min(seconds * 1000, s_maxRetryAfterMs));
    }
    QDateTime when = QLocale::c().toDateTime(
        QString::fromLatin1(value), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"));
    if (!when.isValid()) {
        return 0;
    }
    when.setTimeSpec(Qt::UTC);
    const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(when);
    return int(std::clamp<qint64>(ms, 0, s_maxRetryAfterMs));
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    const auto defaultPort
        = [](const QUrl &url) { return url.scheme() == QLatin1String("https") ? 443 : 80; };
    return a.scheme() == b.scheme() && a.host() == b.host()
        && a.port(defaultPort(a)) == b.port(defaultPort(b));
}

// What makes the settings unusable, in words; empty when they are fine. A bad header would
// otherwise go out as sent (CR/LF splits a request) or be refused by every attempt alike.
QString checkSettings(const EventSourceSettings &settings)
{
    const QUrl &url = settings.url;
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
        return QStringLiteral("not an http or https URL: \"%1\"").arg(url.toDisplayString());
    }
    if (!settings.method.isEmpty() && !http::isToken(settings.method)) {
        return QStringLiteral("invalid HTTP method \"%1\"").arg(QString::fromUtf8(settings.method));
    }
    for (const auto &[name, value] : settings.headers) {
        if (!http::isToken(name)) {
            return QStringLiteral("invalid header name \"%1\"").arg(QString::fromUtf8(name));
        }
        if (value.contains('\r') || value.contains('\n') || value.contains('\0')) {
            return QStringLiteral("header %1: value contains CR, LF or NUL")
                .arg(QString::fromUtf8(name));
        }
    }
    return {};
}

void removeHeaders(HeaderList &headers, std::initializer_list<QByteArrayView> names)
{
    headers.removeIf([&](const QPair<QByteArray, QByteArray> &header) {
        return std::any_of(names.begin(), names.end(), [&](QByteArrayView name) {
            return header.first.compare(name, Qt::CaseInsensitive) == 0;
        });
    });
}

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
    m_fallback = Fallback::None;
    m_reconnect.configure(settings.initialDelayMs, settings.maxDelayMs, settings.maxReconnects);
    m_parser.setMaxEventBytes(settings.maxEventBytes);
    m_parser.reset(settings.lastEventId);
    m_readBuffer.resize(s_readChunkBytes);
    QString problem = checkSettings(settings);
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
    dropReply();
    m_parser.finish();
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
    m_currentUrl = m_settings.url;
    m_method = m_settings.method.isEmpty() ? QByteArray("GET") : m_settings.method;
    m_body = m_settings.body;
    m_headers = m_settings.headers;
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
    sendRequest(m_currentUrl);
}

QNetworkAccessManager *EventSource::managerFor(const QUrl &url, Http2Mode mode, bool mayWait)
{
    if (!m_pool) {
        return m_network;
    }
    m_poolKey = ConnectionPool::keyFor(
        url, mode, m_settings.caCertificatesFile, m_settings.ignoreCertificateErrors);
    m_manager = m_pool->acquire(m_poolKey, url, mode, mayWait, &m_probing);
    return m_manager.get();
}

void EventSource::sendRequest(const QUrl &url, bool mayWait)
{
    const bool http1 = m_fallback == Fallback::Trying || m_fallback == Fallback::Http1;
    const Http2Mode mode = http1 ? Http2Mode::Off : m_settings.http2;
    QNetworkAccessManager *network = managerFor(url, mode, mayWait);
    if (!network) {
        // Another stream is finding out whether the origin speaks HTTP/2: if it does, this one
        // joins its connection instead of opening another.
        m_poolWait = connect(m_pool, &ConnectionPool::settled, this,
            [this, url, generation = m_generation](const QString &key) {
                if (key == m_poolKey && generation == m_generation) {
                    disconnect(m_poolWait);
                    sendRequest(url, false);
                }
            });
        return;
    }
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "text/event-stream");
    request.setRawHeader("Cache-Control", "no-cache");
    const QByteArray lastEventId = m_parser.lastEventId();
    if (!lastEventId.isEmpty()) {
        request.setRawHeader("Last-Event-ID", lastEventId);
    }
    for (const auto &[name, value] : std::as_const(m_headers)) {
        request.setRawHeader(name, value);
    }
    // Redirects are ours to follow: hop limits, no https->http, credentials kept in-origin.
    request.setAttribute(
        QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(
        QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    if (url.scheme() == QLatin1String("https")) {
        request.setSslConfiguration(m_sslConfiguration);
    }
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, mode != Http2Mode::Off);
    if (mode == Http2Mode::PriorKnowledge && url.scheme() == QLatin1String("http")) {
        // Qt speaks h2c only this way (the Upgrade dance works with neither nginx nor node).
        // Over TLS, ALPN says h2 anyway: prior knowledge there only skips finding out.
        request.setAttribute(QNetworkRequest::Http2DirectAttribute, true);
        request.setAttribute(QNetworkRequest::Http2CleartextAllowedAttribute, true);
    }

    QNetworkReply *reply = (m_method == "GET" && m_body.isEmpty())
        ? network->get(request)
        : network->sendCustomRequest(request, m_method, m_body);
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
    if (m_pool && m_pool->openStreams(network) > 0) {
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
    if (m_probing && m_pool) {
        m_probing = false;
        m_pool->learned(m_poolKey, m_manager, http2);
    }
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
    const QString text = http::statusText(status, head.reasonPhrase);

    if (status == 200) {
        const QByteArray contentType = reply->rawHeader("Content-Type").trimmed();
        if (!isEventStream(contentType)) {
            // Qt 6.4 drops every header when one is too large to read, and reports no error.
            const QString got = !contentType.isEmpty() ? QString::fromUtf8(contentType)
                : reply->rawHeaderList().isEmpty()
                ? QStringLiteral("a response without any header (none sent, or too large to read)")
                : QStringLiteral("nothing");
            failFatally(QStringLiteral("expected text/event-stream, got %1").arg(got), status);
            return;
        }
        // An attempt that opened is not a failure: the next failure starts the count again.
        m_reconnect.opened();
        if (m_fallback == Fallback::Trying) {
            m_fallback = Fallback::Http1;
        }
        if (m_pool && m_manager) {
            m_pool->streamOpened(m_manager.get());
            m_countedOpen = true;
        }
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
        return;
    }
    if (status == 204) {
        // SSE: 204 No Content tells the client to stop reconnecting.
        stop(CloseReason::NoContent);
        return;
    }
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        if (!followRedirect(status)) {
            failFatally(text + QStringLiteral(" without a Location"), status);
        }
        return;
    }
    if (status >= 400 && status < 600) {
        m_refusal.status = status;
        m_refusal.reason
            = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
        m_refusal.fatal = status < 500 && status != 408 && status != 429;
        m_refusal.retryAfterMs = (status == 429 || status == 503)
            ? parseRetryAfter(reply->rawHeader("Retry-After"))
            : 0;
        m_refusalTimer.start(s_refusalBodyWaitMs);
        handleReadyRead();
        return;
    }
    failFatally(text + QStringLiteral(": not an event stream"), status);
}

bool EventSource::followRedirect(int status)
{
    const QByteArray location = m_reply->rawHeader("Location").trimmed();
    if (location.isEmpty()) {
        return false;
    }
    const QUrl target = m_currentUrl.resolved(QUrl(QString::fromUtf8(location)));
    const QString text = http::statusText(
        status, m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray());
    if (!target.isValid()
        || (target.scheme() != QLatin1String("http")
            && target.scheme() != QLatin1String("https"))) {
        failFatally(QStringLiteral("%1: cannot follow the redirect to \"%2\"")
                        .arg(text, QString::fromUtf8(location)),
            status);
        return true;
    }
    if (++m_redirects > s_maxRedirects) {
        failFatally(QStringLiteral("too many redirects (more than %1), last to %2")
                        .arg(s_maxRedirects)
                        .arg(target.toDisplayString()),
            status);
        return true;
    }
    if (m_currentUrl.scheme() == QLatin1String("https")
        && target.scheme() == QLatin1String("http")) {
        failFatally(QStringLiteral("refusing to follow a redirect from https to http (%1)")
                        .arg(target.toDisplayString()),
            status);
        return true;
    }
    if (!sameOrigin(m_currentUrl, target)) {
        // Credentials are for the origin they were given for, as browsers do.
        removeHeaders(m_headers, {"Authorization", "Cookie"});
    }
    if (status != 307 && status != 308 && m_method != "GET") {
        // Fetch: the method becomes GET and the body, with its headers, is dropped.
        m_method = "GET";
        m_body.clear();
        removeHeaders(m_headers,
            {"Content-Type", "Content-Length", "Content-Encoding", "Content-Language",
                "Content-Location"});
    }
    dropReply();
    m_currentUrl = target;
    sendRequest(target);
    return true;
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
    if (m_pool && m_manager) {
        // The connection may be going away: the next requests are not to wait on it.
        m_pool->retire(m_poolKey, m_manager.get());
    }
    const QNetworkReply::NetworkError error = reply->error();
    if (error == QNetworkReply::NoError && m_state == State::Open) {
        // Qt 6.4 often reports a body cut short by the server's close as complete. Where the
        // response said its length, we can tell (not when chunked: Qt hides the framing).
        bool known = false;
        const qint64 length
            = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&known);
        if (known && m_bodyBytes < length && !reply->hasRawHeader("Content-Encoding")) {
            failAttempt(QStringLiteral("the response ended after %1 of its %2 bytes")
                            .arg(m_bodyBytes)
                            .arg(length),
                0, 0);
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
    if (!m_responseHandled && m_settings.http2 == Http2Mode::PriorKnowledge
        && m_currentUrl.scheme() == QLatin1String("http")) {
        message += QStringLiteral(" (HTTP/2 with prior knowledge: if the server speaks only "
                                  "HTTP/1.1, set http2 to auto or off)");
    }
    failAttempt(message, 0, 0);
}

void EventSource::handleResponseTimeout()
{
    if (!m_reply || m_responseHandled || checkHeldBack()) {
        return;
    }
    const QByteArray alpn = m_reply->sslConfiguration().nextNegotiatedProtocol();
    QString why;
    if (m_settings.http2 == Http2Mode::PriorKnowledge
        && m_currentUrl.scheme() == QLatin1String("http")) {
        why = QStringLiteral("HTTP/2 with prior knowledge: if the server speaks only HTTP/1.1, "
                             "set http2 to auto or off");
    } else if (alpn == "h2") {
        why = QStringLiteral("the server agreed to HTTP/2 but sent nothing readable as HTTP/2");
    } else {
        why = m_requestSent ? QStringLiteral("the request was sent; no answer came")
                            : QStringLiteral("the request was never sent");
    }
    const int ms = m_settings.responseTimeoutMs;
    const QString after
        = ms % 1000 == 0 ? QStringLiteral("%1 s").arg(ms / 1000) : QStringLiteral("%1 ms").arg(ms);
    failAttempt(QStringLiteral("no response within %1 (%2)").arg(after, why), 0, 0);
}

bool EventSource::checkHeldBack()
{
    if (!m_reply || m_responseHandled || m_requestSent || !m_pool || !m_manager) {
        return false;
    }
    const int open = m_pool->openStreams(m_manager.get());
    if (open <= 0) {
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
    // A request never sent is a different trouble from a silent server: name it.
    const QString message = m_requestSent
        ? QStringLiteral("no data for %1 ms: connection considered dead")
        : QStringLiteral("no data for %1 ms: the request was never sent (the connection did "
                         "not open, or this QNetworkAccessManager's 6 connections per host "
                         "are all held by other streams)");
    failAttempt(message.arg(m_settings.idleTimeoutMs), 0, 0);
}

void EventSource::fallBehind(const QString &why)
{
    if (!m_reply || m_state != State::Open || m_protocol != "HTTP/2") {
        return; // over HTTP/1.1 a reply not read holds the server back by itself
    }
    ++m_timesFellBehind;
    if (m_settings.oneShot) {
        // Resuming means asking again, and waiting means Qt buffers without bound: it ends here.
        failAttempt(QStringLiteral("fell behind over HTTP/2 (%1), where Qt gives no backpressure "
                                   "and would buffer without bound: a one-shot request is not "
                                   "sent again, so the answer ends here")
                        .arg(why),
            0, 0);
        return;
    }
    const bool toHttp1 = m_fallback == Fallback::None && m_settings.http2 == Http2Mode::Auto
        && m_currentUrl.scheme() == QLatin1String("https");
    if (toHttp1) {
        m_fallback = Fallback::Trying;
    }
    const QByteArray id = m_parser.lastEventId();
    QString message = QStringLiteral("fell behind over HTTP/2 (%1), where Qt gives no "
                                     "backpressure and would buffer without bound: ")
                          .arg(why);
    message += toHttp1 ? QStringLiteral("reconnecting over HTTP/1.1")
                       : QStringLiteral("reconnecting once caught up");
    message += id.isEmpty() ? QStringLiteral(
                   "; the stream has no event ids, so what the server sends meanwhile is lost")
                            : QStringLiteral(", resuming after id %1").arg(QString::fromUtf8(id));
    dropReply();
    m_parser.finish();
    const EmitGuard guard(this, m_generation);
    emit fellBehind(message, m_timesFellBehind);
    if (guard.isStale()) {
        return;
    }
    // Not a failure. The reconnect runs from the event loop, so after a blocked consumer went on.
    const std::optional<int> delay = toHttp1 ? std::optional<int>(0) : m_reconnect.next(false);
    if (!delay) {
        stop(CloseReason::GaveUp);
        return;
    }
    scheduleReconnect(*delay);
}

bool EventSource::backToHttp2(const QString &failure)
{
    if (m_fallback != Fallback::Trying || m_state == State::Open) {
        return false;
    }
    m_fallback = Fallback::Refused;
    dropReply();
    m_parser.finish();
    const QByteArray id = m_parser.lastEventId();
    QString message
        = QStringLiteral("the server does not take HTTP/1.1 (%1): back to HTTP/2").arg(failure);
    if (!id.isEmpty()) {
        message += QStringLiteral(", resuming after id %1").arg(QString::fromUtf8(id));
    }
    const EmitGuard guard(this, m_generation);
    emit fellBehind(message, m_timesFellBehind);
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
    dropReply();
    m_parser.finish();
    const EmitGuard guard(this, m_generation);
    emit errorOccurred(message, httpStatus);
    if (guard.isStale()) {
        return;
    }
    if (m_settings.oneShot) {
        stop(CloseReason::Interrupted);
        return;
    }
    const std::optional<int> delay = m_reconnect.next(!opened, retryAfterMs);
    if (!delay) {
        stop(CloseReason::GaveUp);
        return;
    }
    scheduleReconnect(opened ? spreadDelay(*delay) : *delay);
}

void EventSource::failFatally(const QString &message, int httpStatus)
{
    if (backToHttp2(message)) {
        return;
    }
    dropReply();
    m_parser.finish();
    const EmitGuard guard(this, m_generation);
    emit errorOccurred(message, httpStatus);
    if (!guard.isStale()) {
        stop(CloseReason::Fatal);
    }
}

void EventSource::finishStream()
{
    // SSE: the end of the response is a reconnect, not an error.
    dropReply();
    m_parser.finish();
    if (m_settings.oneShot) {
        stop(CloseReason::Complete);
        return;
    }
    const std::optional<int> delay = m_reconnect.next(false);
    if (!delay) {
        stop(CloseReason::GaveUp);
        return;
    }
    scheduleReconnect(spreadDelay(*delay));
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
    dropReply();
    m_parser.finish();
    const QPointer<EventSource> self(this); // closing is final: only deletion matters
    setState(State::Closed);
    if (self) {
        emit closed(reason);
    }
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
    if (m_countedOpen) {
        m_countedOpen = false;
        if (m_pool && m_manager) {
            m_pool->streamClosed(m_manager.get());
        }
    }
    m_feeding = false;
    m_readQueued = false;
    m_fullReads = 0;
    if (m_poolWait) {
        disconnect(m_poolWait);
    }
    if (m_probing) {
        m_probing = false;
        if (m_pool) {
            m_pool->abandoned(m_poolKey); // the streams waiting for it go on by themselves
        }
    }
    // Let go of the manager after the reply: its deleter waits for the event loop.
    const ConnectionPool::Manager manager = std::exchange(m_manager, {});
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
