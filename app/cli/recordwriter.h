// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "json.h" // json::RecordBuilder, shared with the dashboard's export

#include <QByteArray>
#include <QByteArrayView>
#include <QElapsedTimer>
#include <QObject>

#include <sys/types.h>

namespace streamscope {

// Writes output records to a file descriptor without losing any: records gather in a buffer
// that is written before control goes back to the event loop (a queued flush), when it passes
// FlushBytes, and at exit. One write per network read rather than one per record.
class RecordWriter : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype FlushBytes = 64 * 1024;

    // clock is the run's start ("t" in records); not owned, must outlive the writer.
    RecordWriter(int fd, const QElapsedTimer *clock, QObject *parent = nullptr);
    ~RecordWriter() override;

    qint64 elapsedMs() const { return m_clock->elapsed(); }
    // Append to buffer(), then call commit().
    QByteArray &buffer() { return m_buffer; }
    void commit();
    void write(QByteArrayView bytes);
    // Writes everything buffered; blocks until the descriptor took it (or refused it for good).
    // When the reader is not taking more, stalled() comes first.
    void flush();
    // Whether the descriptor is a terminal (colours, readable layout).
    bool isTerminal() const { return m_terminal; }

signals:
    // The reader went away (EPIPE and the like); later output is dropped. Queued, once.
    void outputClosed();
    // The reader of a pipe or socket takes nothing more, and flush() is about to wait for it.
    // Emitted from inside flush(), once per wait.
    void stalled();

private:
    ssize_t writeSome(const char *data, size_t size);
    void writeAll(const QByteArray &bytes, bool *saidStalled);

    int m_fd;
    int m_nonBlockingFd; // our own non-blocking descriptor of the same pipe; -1: none
    bool m_socket;
    const QElapsedTimer *m_clock;
    QByteArray m_buffer;
    QByteArray m_writing; // being written by flush()
    bool m_flushing = false;
    bool m_flushQueued = false;
    bool m_broken = false; // the reader went away: drop output from now on
    bool m_terminal = false;
};

// One NDJSON record into a writer, committed when it goes out of scope, "t" the run's clock:
//   Record(out, "open").number("status", 200);
class Record : public json::RecordBuilder
{
public:
    Record(RecordWriter &writer, const char *kind);
    // With "stream":stream first when stream is set.
    Record(RecordWriter &writer, const char *kind, QByteArrayView stream);
    ~Record();

private:
    RecordWriter &m_writer;
};

} // namespace streamscope
