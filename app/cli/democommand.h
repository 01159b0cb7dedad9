// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "demofeed.h"
#include "options.h"
#include "recordsink.h"
#include "ssesession.h"

#include <QNetworkAccessManager>
#include <QObject>

namespace streamscope {

class RecordWriter;

// `streamscope-cli demo`: the built-in demo feed in this process, and (unless --serve) a
// terminal view of its /metrics and /logs streams until Ctrl-C.
class DemoCommand : public QObject
{
    Q_OBJECT
public:
    DemoCommand(const DemoOptions &options, RecordWriter *out, RecordWriter *err,
        QObject *parent = nullptr);

    void start();
    void interrupt();

signals:
    // Emitted once, after the last output was flushed.
    void finished(int exitCode);

private:
    void printBanner();
    void finish(const QByteArray &reason, int exitCode);

    DemoOptions m_options;
    RecordWriter *m_err; // not owned
    DemoFeed m_feed;
    QNetworkAccessManager m_network;
    std::unique_ptr<RecordSink> m_metricsSink;
    std::unique_ptr<RecordSink> m_logsSink;
    SseSession m_metrics;
    SseSession m_logs;
    bool m_finished = false;
};

} // namespace streamscope
