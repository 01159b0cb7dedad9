// SPDX-License-Identifier: GPL-3.0-or-later
#include "sserequest.h"

#include "eventsource.h"
#include "httpheaders.h"
#include "httpstatus.h"
#include "httptoken.h"

#include <algorithm>

namespace streamscope {

namespace {

constexpr int s_maxRedirects = 10;

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    const auto defaultPort
        = [](const QUrl &url) { return url.scheme() == QLatin1String("https") ? 443 : 80; };
    return a.scheme() == b.scheme() && a.host() == b.host()
        && a.port(defaultPort(a)) == b.port(defaultPort(b));
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

QString checkSseSettings(const EventSourceSettings &settings)
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
        if (hasLineBreakOrNul(value)) {
            return QStringLiteral("header %1: value contains CR, LF or NUL")
                .arg(QString::fromUtf8(name));
        }
    }
    return {};
}

SseRequest firstSseRequest(const EventSourceSettings &settings)
{
    SseRequest request;
    request.url = settings.url;
    request.method = settings.method.isEmpty() ? QByteArray("GET") : settings.method;
    request.body = settings.body;
    request.headers = settings.headers;
    return request;
}

QNetworkRequest networkRequest(const SseRequest &request, const QByteArray &lastEventId,
    Http2Mode mode, const QSslConfiguration &ssl)
{
    const QUrl &url = request.url;
    QNetworkRequest qt(url);
    qt.setRawHeader("Accept", "text/event-stream");
    qt.setRawHeader("Cache-Control", "no-cache");
    if (!lastEventId.isEmpty()) {
        qt.setRawHeader("Last-Event-ID", lastEventId);
    }
    for (const auto &[name, value] : request.headers) {
        qt.setRawHeader(name, value);
    }
    // Redirects are ours to follow: hop limits, no https->http, credentials kept in-origin.
    qt.setAttribute(
        QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    qt.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    qt.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    if (url.scheme() == QLatin1String("https")) {
        qt.setSslConfiguration(ssl);
    }
    qt.setAttribute(QNetworkRequest::Http2AllowedAttribute, mode != Http2Mode::Off);
    if (mode == Http2Mode::PriorKnowledge && url.scheme() == QLatin1String("http")) {
        // Qt speaks h2c only this way (the Upgrade dance works with neither nginx nor node).
        // Over TLS, ALPN says h2 anyway: prior knowledge there only skips finding out.
        qt.setAttribute(QNetworkRequest::Http2DirectAttribute, true);
        qt.setAttribute(QNetworkRequest::Http2CleartextAllowedAttribute, true);
    }
    return qt;
}

QString followSseRedirect(SseRequest *request, int status, const QByteArray &reasonPhrase,
    const QByteArray &location, int hops)
{
    const QString text = http::statusText(status, reasonPhrase);
    const QByteArray trimmed = location.trimmed();
    if (trimmed.isEmpty()) {
        return text + QStringLiteral(" without a Location");
    }
    const QUrl target = request->url.resolved(QUrl(QString::fromUtf8(trimmed)));
    if (!target.isValid()
        || (target.scheme() != QLatin1String("http")
            && target.scheme() != QLatin1String("https"))) {
        return QStringLiteral("%1: cannot follow the redirect to \"%2\"")
            .arg(text, QString::fromUtf8(trimmed));
    }
    if (hops > s_maxRedirects) {
        return QStringLiteral("too many redirects (more than %1), last to %2")
            .arg(s_maxRedirects)
            .arg(target.toDisplayString());
    }
    if (request->url.scheme() == QLatin1String("https")
        && target.scheme() == QLatin1String("http")) {
        return QStringLiteral("refusing to follow a redirect from https to http (%1)")
            .arg(target.toDisplayString());
    }
    if (!sameOrigin(request->url, target)) {
        // Credentials are for the origin they were given for, as browsers do.
        removeHeaders(request->headers, {"Authorization", "Cookie"});
    }
    if (status != 307 && status != 308 && request->method != "GET") {
        // Fetch: the method becomes GET and the body, with its headers, is dropped.
        request->method = "GET";
        request->body.clear();
        removeHeaders(request->headers,
            {"Content-Type", "Content-Length", "Content-Encoding", "Content-Language",
                "Content-Location"});
    }
    request->url = target;
    return {};
}

} // namespace streamscope
