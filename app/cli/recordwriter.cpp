#include "recordwriter.h"

#include <QMetaObject>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <poll.h>
#include <unistd.h>

namespace streamscope {

namespace {

// Each Qt 6.4 QByteArray::append is an out-of-line insert(), which costs more than the few bytes
// a record's keys add: these grow the buffer once and copy through a pointer.
char *grow(QByteArray &out, qsizetype bytes)
{
    const qsizetype start = out.size();
    out.resize(start + bytes);
    return out.data() + start;
}

void appendRaw(QByteArray &out, const char *text, size_t size)
{
    std::memcpy(grow(out, qsizetype(size)), text, size);
}

void appendNumber(QByteArray &out, qint64 value)
{
    char digits[24];
    const char *end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    appendRaw(out, digits, size_t(end - digits));
}

} // namespace

RecordWriter::RecordWriter(int fd, const QElapsedTimer *clock, QObject *parent)
    : QObject(parent)
    , m_fd(fd)
    , m_clock(clock)
    , m_terminal(::isatty(fd) == 1)
{
    m_buffer.reserve(FlushBytes + FlushBytes / 2);
}

RecordWriter::~RecordWriter()
{
    flush();
}

void RecordWriter::commit()
{
    if (m_buffer.size() >= FlushBytes) {
        flush();
        return;
    }
    if (!m_buffer.isEmpty() && !m_flushQueued) {
        // Runs before the event loop reads the network again: every record of one read goes
        // out in one write, and a pipe reader sees it at once.
        m_flushQueued = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_flushQueued = false;
                flush();
            },
            Qt::QueuedConnection);
    }
}

void RecordWriter::write(QByteArrayView bytes)
{
    m_buffer.append(bytes.data(), bytes.size());
    commit();
}

void RecordWriter::flush()
{
    const char *p = m_buffer.constData();
    qsizetype left = m_buffer.size();
    while (left > 0 && !m_broken) {
        const ssize_t written = ::write(m_fd, p, size_t(left));
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                // A descriptor left non-blocking by whoever shares it: wait instead of spinning.
                pollfd writable{m_fd, POLLOUT, 0};
                ::poll(&writable, 1, -1);
                continue;
            }
            m_broken = true; // EPIPE and the like: nobody reads us any more
            QMetaObject::invokeMethod(this, &RecordWriter::outputClosed, Qt::QueuedConnection);
            break;
        }
        p += written;
        left -= written;
    }
    // Keeps the capacity: the next batch grows into memory already there.
    m_buffer.resize(0);
}

Record::Record(RecordWriter &writer, const char *kind)
    : m_writer(writer)
{
    QByteArray &out = m_writer.buffer();
    const size_t kindSize = std::strlen(kind);
    char *o = grow(out, qsizetype(9 + kindSize + 6));
    std::memcpy(o, "{\"kind\":\"", 9);
    std::memcpy(o + 9, kind, kindSize);
    std::memcpy(o + 9 + kindSize, "\",\"t\":", 6);
    appendNumber(out, m_writer.elapsedMs());
}

Record::~Record()
{
    appendRaw(m_writer.buffer(), "}\n", 2);
    m_writer.commit();
}

void Record::appendKey(const char *key)
{
    const size_t keySize = std::strlen(key);
    char *o = grow(m_writer.buffer(), qsizetype(keySize + 4));
    o[0] = ',';
    o[1] = '"';
    std::memcpy(o + 2, key, keySize);
    o[keySize + 2] = '"';
    o[keySize + 3] = ':';
}

Record &Record::string(const char *key, QByteArrayView utf8)
{
    appendKey(key);
    json::appendString(m_writer.buffer(), utf8);
    return *this;
}

Record &Record::number(const char *key, qint64 value)
{
    appendKey(key);
    appendNumber(m_writer.buffer(), value);
    return *this;
}

Record &Record::boolean(const char *key, bool value)
{
    appendKey(key);
    appendRaw(m_writer.buffer(), value ? "true" : "false", value ? 4 : 5);
    return *this;
}

} // namespace streamscope
