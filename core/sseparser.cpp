// SPDX-License-Identifier: GPL-3.0-or-later
#include "sseparser.h"

#include "bytesize.h"
#include "utf8.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace streamscope {

namespace {

constexpr char s_byteOrderMark[] = "\xEF\xBB\xBF";

const char *findOrEnd(const char *p, const char *end, char c)
{
    const void *found = std::memchr(p, c, size_t(end - p));
    return found ? static_cast<const char *>(found) : end;
}

enum class Field {
    Data,
    Event,
    Id,
    Retry,
    Other,
};

// Field names are case-sensitive ASCII; compared by length first, as they are on every line.
Field fieldNamed(QByteArrayView name)
{
    const char *p = name.data();
    switch (name.size()) {
    case 2:
        return p[0] == 'i' && p[1] == 'd' ? Field::Id : Field::Other;
    case 4:
        return std::memcmp(p, "data", 4) == 0 ? Field::Data : Field::Other;
    case 5:
        if (std::memcmp(p, "event", 5) == 0) {
            return Field::Event;
        }
        return std::memcmp(p, "retry", 5) == 0 ? Field::Retry : Field::Other;
    default:
        return Field::Other;
    }
}

} // namespace

SseParser::SseParser(qsizetype maxEventBytes)
    : m_maxEventBytes(maxEventBytes)
{
}

void SseParser::reset(const QByteArray &lastEventId)
{
    m_lastEventId = lastEventId;
    m_idBufferChanged = false;
    m_line.clear();
    m_type.clear();
    m_hasType = false;
    m_event.data.clear();
    m_dataSize = 0;
    m_dataLines = 0;
    m_byteOrderMarkSeen = 0;
    m_skipLineFeed = false;
    m_dropping = false;
    m_lineTooLong = false;
}

void SseParser::feed(QByteArrayView bytes)
{
    const char *p = bytes.data();
    const char *end = p + bytes.size();
    if (m_byteOrderMarkSeen >= 0 && !skipByteOrderMark(p, end)) {
        return;
    }
    if (m_skipLineFeed && p < end) {
        m_skipLineFeed = false;
        if (*p == '\n') {
            ++p;
        }
    }
    feedLines(p, end);
}

// The UTF-8 decode strips one leading BOM. Its bytes may arrive in separate chunks; a partial
// match that fails is fed on as ordinary (invalid) bytes.
bool SseParser::skipByteOrderMark(const char *&p, const char *end)
{
    while (p < end && m_byteOrderMarkSeen < 3) {
        if (*p != s_byteOrderMark[m_byteOrderMarkSeen]) {
            const int matched = m_byteOrderMarkSeen;
            m_byteOrderMarkSeen = -1;
            return matched == 0 || feedLines(s_byteOrderMark, s_byteOrderMark + matched);
        }
        ++m_byteOrderMarkSeen;
        ++p;
    }
    if (m_byteOrderMarkSeen == 3) {
        m_byteOrderMarkSeen = -1;
    }
    return true;
}

// Each line end is found once: the next CR and LF positions are remembered until passed, so
// a stream ended by only CRs (or only LFs) is not rescanned for the other character.
bool SseParser::feedLines(const char *p, const char *end)
{
    const char *nextLf = nullptr;
    const char *nextCr = nullptr;
    while (p < end) {
        if (!nextLf || nextLf < p) {
            nextLf = findOrEnd(p, end, '\n');
        }
        if (!nextCr || nextCr < p) {
            nextCr = findOrEnd(p, end, '\r');
        }
        const char *eol = std::min(nextLf, nextCr);
        if (eol == end) {
            return appendPartialLine(p, end - p);
        }
        bool goOn;
        if (m_line.isEmpty() && !m_lineTooLong) {
            goOn = processLine(QByteArrayView(p, eol - p));
        } else {
            goOn = appendPartialLine(p, eol - p);
            if (goOn) {
                const bool skipped = m_lineTooLong;
                m_lineTooLong = false;
                QByteArray line = std::move(m_line);
                m_line.clear();
                goOn = skipped || processLine(line);
                if (goOn && m_line.isEmpty()) {
                    // Keep the allocation for the next long line.
                    line.truncate(0);
                    m_line = std::move(line);
                }
            }
        }
        if (!goOn) {
            return false;
        }
        if (*eol == '\r') {
            if (eol + 1 == end) {
                m_skipLineFeed = true;
            } else if (eol[1] == '\n') {
                ++eol;
            }
        }
        p = eol + 1;
    }
    return true;
}

bool SseParser::appendPartialLine(const char *p, qsizetype size)
{
    if (m_lineTooLong) {
        return true;
    }
    if (m_line.isEmpty() && size > 0 && *p == ':') {
        // A comment is ignored whatever its length, as processLine() ignores it when it comes
        // whole: skip it unbuffered, never against the cap (fuzz/fuzz_sseparser found a split
        // long comment dropping the next event).
        m_lineTooLong = true;
        return true;
    }
    if (m_line.size() + size + dataSize() > m_maxEventBytes) {
        m_lineTooLong = true;
        m_line.clear();
        return m_dropping || dropEvent();
    }
    m_line.append(p, size);
    return true;
}

bool SseParser::processLine(QByteArrayView line)
{
    if (line.isEmpty()) {
        return dispatch();
    }
    if (line.front() == ':') {
        return true; // a comment
    }
    // A line that alone takes the event over the cap drops it, whatever its field, and is
    // skipped as appendPartialLine() skips it when it comes in pieces: an id or event line is
    // not applied while dropping either, so chunking never changes the outcome (fuzzed).
    if (line.size() + dataSize() > m_maxEventBytes) {
        return m_dropping || dropEvent();
    }
    const char *begin = line.data();
    const auto *colon = static_cast<const char *>(std::memchr(begin, ':', size_t(line.size())));
    if (!colon) {
        // An empty value that still points into the line: a default view's null data would
        // reach memchr/memcpy, undefined even for 0 bytes (found by fuzz/fuzz_sseparser).
        return processField(line, QByteArrayView(begin + line.size(), qsizetype(0)));
    }
    const char *valueBegin = colon + 1;
    const char *end = begin + line.size();
    if (valueBegin < end && *valueBegin == ' ') {
        ++valueBegin;
    }
    return processField(
        QByteArrayView(begin, colon - begin), QByteArrayView(valueBegin, end - valueBegin));
}

bool SseParser::processField(QByteArrayView name, QByteArrayView value)
{
    const Field field = fieldNamed(name);
    if (field == Field::Data) {
        if (m_dropping) {
            return true;
        }
        if (dataSize() + value.size() + 1 > m_maxEventBytes) {
            return dropEvent();
        }
        appendData(value);
    } else if (field == Field::Event) {
        // Streams tend to repeat one type; rewriting it would cost a copy per event.
        if (m_type != value) {
            utf8::assignSanitized(m_type, value);
        }
        m_hasType = true;
    } else if (field == Field::Id) {
        // SSE: an id containing U+0000 NULL is ignored.
        if (!std::memchr(value.data(), '\0', size_t(value.size()))) {
            utf8::assignSanitized(m_idBuffer, value);
            m_idBufferChanged = true;
        }
    } else if (field == Field::Retry) {
        // SSE: only a value of ASCII digits sets the reconnection time.
        if (value.isEmpty()) {
            return true;
        }
        qint64 ms = 0;
        for (const char c : value) {
            if (c < '0' || c > '9') {
                return true;
            }
            ms = std::min<qint64>(ms * 10 + (c - '0'), INT_MAX);
        }
        return !m_onRetry || m_onRetry(int(ms));
    }
    return true;
}

// SSE: data lines join with LF. The buffer's QByteArray size serves as its capacity while the
// event builds (m_dataSize is the content), so a ten-line event costs no resize per line.
void SseParser::appendData(QByteArrayView value)
{
    const qsizetype separator = m_dataLines++ > 0 ? 1 : 0;
    if (utf8::asciiPrefixLength(value) != value.size()) {
        m_event.data.resize(m_dataSize);
        if (separator) {
            m_event.data.append('\n');
        }
        utf8::appendSanitized(m_event.data, value);
        m_dataSize = m_event.data.size();
        return;
    }
    const qsizetype needed = m_dataSize + separator + value.size();
    if (separator == 0) {
        // Sized exactly: a one-line event, the common case, then needs no resize at dispatch.
        if (m_event.data.size() != needed) {
            m_event.data.resize(needed);
        }
    } else if (needed > m_event.data.size()) {
        m_event.data.resize(std::max(needed, 2 * m_event.data.size()));
    }
    char *out = m_event.data.data() + m_dataSize;
    if (separator) {
        *out++ = '\n';
    }
    std::memcpy(out, value.data(), size_t(value.size()));
    m_dataSize = needed;
}

bool SseParser::dropEvent()
{
    m_dropping = true;
    m_dataLines = 0;
    m_dataSize = 0;
    ++m_eventsDropped;
    const QString message = QStringLiteral("event dropped: larger than the %1 cap on one event")
                                .arg(describeBytes(m_maxEventBytes));
    return !m_onError || m_onError(message);
}

bool SseParser::dispatch()
{
    // SSE: the last event ID string is set even when no event is dispatched. Swapped, not
    // copied: until the next id field the buffer's value is m_lastEventId's.
    if (m_idBufferChanged) {
        m_lastEventId.swap(m_idBuffer);
        m_idBufferChanged = false;
    }
    const bool dispatching = m_dataLines > 0 && !m_dropping;
    const bool hasType = m_hasType && !m_type.isEmpty();
    const qsizetype dataSize = m_dataSize;
    m_dropping = false;
    m_dataLines = 0;
    m_dataSize = 0;
    m_hasType = false;
    if (!dispatching) {
        return true;
    }
    static const QByteArray s_message = QByteArrayLiteral("message");
    if (m_event.data.size() != dataSize) {
        m_event.data.resize(dataSize);
    }
    m_event.type = hasType ? m_type : s_message;
    m_event.lastEventId = m_lastEventId;
    if (m_onEvent && !m_onEvent(m_event)) {
        return false;
    }
    // Drop our extra references so the buffers are reused, not detached, by the next event.
    m_event.type.clear();
    m_event.lastEventId.clear();
    return true;
}

} // namespace streamscope
