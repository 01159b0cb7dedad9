// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace streamscope {

// What the head of a response to an SSE request calls for: the WHATWG EventSource rules (200 with
// text/event-stream opens, 204 stops, redirects are followed), and what APIs do with a refusal
// (the body says why, 429 and 503 say when to come back). EventSource acts on it.
struct SseResponseVerdict
{
    enum class Action {
        Open,
        Stop, // 204 No Content: the server asks us not to reconnect
        Redirect, // see followSseRedirect()
        Refuse, // 4xx, 5xx: wait for the start of the body, which says what went wrong
        Fail, // nothing retrying can fix: error says what
    };
    Action action = Action::Fail;
    QString error; // Fail
    bool fatal = false; // Refuse: a 4xx other than 408 and 429 is not retried
    int retryAfterMs = 0; // Refuse: the server's Retry-After (429, 503); 0: none
};

// contentType, retryAfter: those headers' values, empty when absent. anyHeader: whether the
// response had a header at all (Qt 6.4 drops every header when one is too large to read, and
// reports no error).
SseResponseVerdict judgeSseResponse(int status, QByteArrayView reasonPhrase,
    QByteArrayView contentType, QByteArrayView retryAfter, bool anyHeader);

// Qt 6.4 often reports a body cut short by the server's close as complete. Where the response
// said its length we can tell, unless it was encoded (the count is of decoded bytes; nor when
// chunked: Qt hides the framing). Returns the error; empty: whole as far as can be told.
QString checkBodyComplete(
    qint64 receivedBytes, std::optional<qint64> contentLength, bool contentEncoded);

// An attempt with no response within timeoutMs, in words: "no response within 30 s (why)". h2c:
// HTTP/2 with prior knowledge over http://; alpn: what TLS agreed to; requestSent: whether the
// request went out.
QString noResponseText(int timeoutMs, bool h2c, QByteArrayView alpn, bool requestSent);
// An attempt with no byte for idleTimeoutMs, in words. A request never sent is a different
// trouble from a silent server: it says which.
QString silenceText(int idleTimeoutMs, bool requestSent);
// An h2c attempt that got nothing readable most likely reached a server of HTTP/1.1 only.
QString priorKnowledgeHint();

// HTTP Retry-After: delta-seconds or an IMF-fixdate; 0 when absent or unreadable, at most a day
// (beyond is a server bug).
int parseRetryAfter(QByteArrayView header);

} // namespace streamscope
