// SPDX-License-Identifier: GPL-3.0-or-later
#include "recordwriter.h"

#include <QMetaObject>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace streamscope {

namespace {

// A descriptor of our own to the same pipe, non-blocking, so that a reader who stops is noticed
// instead of waited for without a word. The descriptor we were given shares its flags with
// whoever else holds it (the shell, the next command), so those are left alone. -1: not a pipe,
// or it cannot be reopened.
int reopenNonBlocking(int fd)
{
    struct stat status
    {
    };
    if (::fstat(fd, &status) != 0 || !S_ISFIFO(status.st_mode)) {
        return -1;
    }
    const QByteArray path = "/proc/self/fd/" + QByteArray::number(fd);
    return ::open(path.constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
}

bool isSocket(int fd)
{
    struct stat status
    {
    };
    return ::fstat(fd, &status) == 0 && S_ISSOCK(status.st_mode);
}

} // namespace

RecordWriter::RecordWriter(int fd, const QElapsedTimer *clock, QObject *parent)
    : QObject(parent)
    , m_fd(fd)
    , m_nonBlockingFd(reopenNonBlocking(fd))
    , m_socket(isSocket(fd))
    , m_clock(clock)
    , m_terminal(::isatty(fd) == 1)
{
    m_buffer.reserve(FlushBytes + FlushBytes / 2);
    m_writing.reserve(FlushBytes + FlushBytes / 2);
}

RecordWriter::~RecordWriter()
{
    flush();
    if (m_nonBlockingFd >= 0) {
        ::close(m_nonBlockingFd);
    }
}

ssize_t RecordWriter::writeSome(const char *data, size_t size)
{
    if (m_nonBlockingFd >= 0) {
        return ::write(m_nonBlockingFd, data, size);
    }
    if (m_socket) {
        return ::send(m_fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    return ::write(m_fd, data, size); // a file or a terminal: they do not stall for long
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
    if (m_flushing) {
        return; // from a stalled() slot: what it adds goes out after what is being written
    }
    m_flushing = true;
    bool saidStalled = false;
    while (!m_buffer.isEmpty() && !m_broken) {
        // Swapped, so records added while this waits (by stalled() slots) neither move the
        // bytes under the write nor get lost; both keep their capacity for the next batch.
        m_writing.swap(m_buffer);
        writeAll(m_writing, &saidStalled);
        m_writing.resize(0);
    }
    if (m_broken) {
        m_buffer.resize(0);
    }
    m_flushing = false;
}

void RecordWriter::writeAll(const QByteArray &bytes, bool *saidStalled)
{
    const char *p = bytes.constData();
    qsizetype left = bytes.size();
    while (left > 0 && !m_broken) {
        const ssize_t written = writeSome(p, size_t(left));
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                if (!*saidStalled) {
                    // Before waiting: whoever must not be held up by the wait lets go now.
                    *saidStalled = true;
                    emit stalled();
                }
                pollfd writable{m_nonBlockingFd >= 0 ? m_nonBlockingFd : m_fd, POLLOUT, 0};
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
}

Record::Record(RecordWriter &writer, const char *kind)
    : json::RecordBuilder(writer.buffer(), kind, writer.elapsedMs())
    , m_writer(writer)
{
}

Record::Record(RecordWriter &writer, const char *kind, QByteArrayView stream)
    : Record(writer, kind)
{
    if (!stream.isEmpty()) {
        string("stream", stream);
    }
}

Record::~Record()
{
    end();
    m_writer.commit();
}

} // namespace streamscope
