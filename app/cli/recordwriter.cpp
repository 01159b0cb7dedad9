#include "recordwriter.h"

#include <QMetaObject>

#include <cerrno>
#include <unistd.h>

namespace streamscope {

namespace json {

void appendString(QByteArray &out, QByteArrayView utf8)
{
    static constexpr char hex[] = "0123456789abcdef";
    out.append('"');
    const char *p = utf8.data();
    const char *end = p + utf8.size();
    const char *run = p;
    for (; p < end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"':
            out.append("\\\"", 2);
            break;
        case '\\':
            out.append("\\\\", 2);
            break;
        case '\n':
            out.append("\\n", 2);
            break;
        case '\r':
            out.append("\\r", 2);
            break;
        case '\t':
            out.append("\\t", 2);
            break;
        case '\b':
            out.append("\\b", 2);
            break;
        case '\f':
            out.append("\\f", 2);
            break;
        default: {
            const char escape[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
            out.append(escape, 6);
        }
        }
    }
    out.append(run, end - run);
    out.append('"');
}

} // namespace json

RecordWriter::RecordWriter(int fd, const QElapsedTimer *clock, QObject *parent)
    : QObject(parent)
    , m_fd(fd)
    , m_clock(clock)
    , m_terminal(::isatty(fd) == 1)
{
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
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            m_broken = true; // EPIPE and the like: nobody reads us any more
            break;
        }
        p += written;
        left -= written;
    }
    m_buffer.clear();
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
