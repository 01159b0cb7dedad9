// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sseevent.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>

namespace streamscope {

// Incremental parser for one text/event-stream, as the WHATWG HTML standard's "Server-sent
// events" section parses, interprets and dispatches it. Linear in the bytes fed, however they
// are chunked; one event's size is capped.
class SseParser
{
public:
    static constexpr qsizetype DefaultMaxEventBytes = 16 * 1024 * 1024;

    // Each handler returns whether parsing may go on. On false, feed() returns at once without
    // touching the parser again: the receiver may have reset or destroyed it.
    using EventHandler = std::function<bool(const SseEvent &event)>;
    using RetryHandler = std::function<bool(int milliseconds)>;
    using ErrorHandler = std::function<bool(const QString &message)>;

    explicit SseParser(qsizetype maxEventBytes = DefaultMaxEventBytes);

    void setEventHandler(EventHandler handler) { m_onEvent = std::move(handler); }
    // A valid `retry` field: the stream's reconnection time.
    void setRetryHandler(RetryHandler handler) { m_onRetry = std::move(handler); }
    // An event over the cap was dropped; parsing goes on with the next event.
    void setErrorHandler(ErrorHandler handler) { m_onError = std::move(handler); }

    void setMaxEventBytes(qsizetype bytes) { m_maxEventBytes = bytes; }
    qsizetype maxEventBytes() const { return m_maxEventBytes; }

    // Starts a new stream (a new connection). Its last event ID buffer starts from lastEventId,
    // as browsers do, so an ID holds across reconnects until the server sends another.
    void reset(const QByteArray &lastEventId);
    // End of stream: an event without its final blank line is discarded (SSE).
    void finish() { reset(m_lastEventId); }

    void feed(QByteArrayView bytes);

    // The last event ID string: the ID buffer as of the last dispatch (SSE), sent on reconnect.
    QByteArray lastEventId() const { return m_lastEventId; }
    quint64 eventsDropped() const { return m_eventsDropped; }

private:
    bool skipByteOrderMark(const char *&p, const char *end);
    bool feedLines(const char *p, const char *end);
    bool appendPartialLine(const char *p, qsizetype size);
    bool processLine(QByteArrayView line);
    bool processField(QByteArrayView name, QByteArrayView value);
    bool dispatch();
    bool dropEvent();
    // The data buffer's size; its storage is kept between events for reuse.
    qsizetype dataSize() const { return m_dataLines > 0 ? m_dataSize : 0; }
    void appendData(QByteArrayView value);

    EventHandler m_onEvent;
    RetryHandler m_onRetry;
    ErrorHandler m_onError;
    qsizetype m_maxEventBytes;

    QByteArray m_line; // the unterminated line carried over from earlier chunks
    QByteArray m_type;
    QByteArray m_idBuffer; // meaningful only while m_idBufferChanged; else m_lastEventId
    QByteArray m_lastEventId;
    SseEvent m_event; // its data field is the data buffer
    qsizetype m_dataSize = 0; // the data buffer's content; m_event.data may be larger
    int m_dataLines = 0; // 0: the data buffer is empty, whatever m_event.data still holds
    bool m_idBufferChanged = false;
    bool m_hasType = false; // an event field was seen since the last dispatch
    int m_byteOrderMarkSeen = 0; // leading BOM bytes matched so far; -1 once past the start
    bool m_skipLineFeed = false; // the last chunk ended in CR: a leading LF belongs to it
    bool m_dropping = false; // the current event went over the cap
    bool m_lineTooLong = false; // the current line is being skipped to its end
    quint64 m_eventsDropped = 0;
};

} // namespace streamscope
