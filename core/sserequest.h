// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http2mode.h"
#include "httpheaders.h"

#include <QByteArray>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>

namespace streamscope {

struct EventSourceSettings;

// What an SSE attempt asks for. Every attempt starts from the settings; redirects change it.
struct SseRequest
{
    QUrl url;
    QByteArray method = "GET";
    QByteArray body;
    HeaderList headers; // the user's
};

// What makes the settings unusable, in words; empty when they are fine. A bad header would
// otherwise go out as sent (CR/LF splits a request) or be refused by every attempt alike.
QString checkSseSettings(const EventSourceSettings &settings);

// The request as an attempt starts it: the settings' URL, method (GET when empty), body and
// headers.
SseRequest firstSseRequest(const EventSourceSettings &settings);

// What goes to Qt: SSE's Accept and Cache-Control, Last-Event-ID unless empty, then the user's
// headers; redirects left to us, no cache, HTTP/2 as mode allows. ssl: for https only.
QNetworkRequest networkRequest(const SseRequest &request, const QByteArray &lastEventId,
    Http2Mode mode, const QSslConfiguration &ssl);

// Follows a redirect as browsers do: never from https to http nor past the hop limit,
// credentials kept to their origin, and (Fetch) a 301, 302 or 303 turns any other method into a
// bodyless GET. location: the response's Location header; hops: redirects of this attempt, this one
// included. Returns why it is not followed; empty: *request is the next one.
QString followSseRedirect(SseRequest *request, int status, const QByteArray &reasonPhrase,
    const QByteArray &location, int hops);

} // namespace streamscope
