#include "recordwriter.h"

#include <QMetaObject>

#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace streamscope {

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
    out.append("{\"kind\":\"");
    out.append(kind);
    out.append("\",\"t\":");
    out.append(QByteArray::number(m_writer.elapsedMs()));
}

Record::~Record()
{
    m_writer.buffer().append("}\n", 2);
    m_writer.commit();
}

void Record::appendKey(const char *key)
{
    QByteArray &out = m_writer.buffer();
    out.append(",\"");
    out.append(key);
    out.append("\":");
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
    m_writer.buffer().append(QByteArray::number(value));
    return *this;
}

Record &Record::boolean(const char *key, bool value)
{
    appendKey(key);
    m_writer.buffer().append(value ? "true" : "false");
    return *this;
}

} // namespace streamscope
