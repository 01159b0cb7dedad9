// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace streamscope {

// Where a stream goes after falling behind over HTTP/2, where Qt gives no backpressure and would
// buffer without bound. Once, it moves to HTTP/1.1 (until the next reset()), whose unread reply
// holds the server back; a server that refuses HTTP/1.1 sends it back to HTTP/2, where each fall
// behind drops the connection and resumes from the last event id. EventSource acts on it.
class Http2Fallback final
{
public:
    Http2Fallback() = default;
    Q_DISABLE_COPY_MOVE(Http2Fallback)

    void reset() { m_state = State::None; }
    // The next attempts ask for HTTP/1.1.
    bool asksHttp1() const { return m_state == State::Trying || m_state == State::Http1; }
    // An attempt opened: over HTTP/1.1, if that was being tried.
    void opened();

    struct Step
    {
        bool toHttp1 = false; // reconnect at once over HTTP/1.1; else once caught up
        QString message; // what happens next, in words
    };
    // why: what showed it. mayUseHttp1: the stream may try it (https, http2 auto). lastEventId:
    // where the stream resumes.
    Step fellBehind(const QString &why, bool mayUseHttp1, const QByteArray &lastEventId);
    // A one-shot request cannot resume: the message that ends its answer.
    static QString endsOneShot(const QString &why);
    // An HTTP/1.1 attempt failed before it opened (failure: why): back to HTTP/2, and the
    // message saying so. Nullopt when no HTTP/1.1 attempt was being tried.
    std::optional<QString> http1Failed(const QString &failure, const QByteArray &lastEventId);

private:
    enum class State {
        None,
        Trying, // fell behind: the next attempts ask for HTTP/1.1
        Http1, // an HTTP/1.1 attempt opened
        Refused, // the server refused HTTP/1.1: HTTP/2 it stays, dropped and resumed when behind
    };
    State m_state = State::None;
};

} // namespace streamscope
