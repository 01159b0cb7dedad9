// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "options.h"
#include "recordsink.h"
#include "runtimeout.h"
#include "ssesession.h"

#include <QNetworkAccessManager>
#include <QObject>

namespace streamscope {

class RecordWriter;

// `streamscope-cli sse`: one SSE stream until max-events, timeout, an interrupt or the
// source's own end; the closed record is always the last thing written.
class SseCommand : public QObject
{
    Q_OBJECT
public:
    SseCommand(
        const SseOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent = nullptr);

    void start();
    // SIGINT/SIGTERM: a clean end.
    void interrupt();

signals:
    // Emitted once, after the closed record was flushed.
    void finished(int exitCode);

private:
    void countEvent();
    void finish(const QByteArray &reason, int exitCode);

    SseOptions m_options;
    std::unique_ptr<RecordSink> m_sink;
    QNetworkAccessManager m_network;
    SseSession m_session;
    RunTimeout m_timeout;
    qint64 m_events = 0;
    bool m_finished = false;
};

} // namespace streamscope
