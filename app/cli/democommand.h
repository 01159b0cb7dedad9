// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "demofeed.h"
#include "options.h"
#include "ssesession.h"

#include <QElapsedTimer>
#include <QHash>
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
    void printMetrics(const SseEvent &event);
    void printLog(const SseEvent &event);
    void finish(const QByteArray &reason, int exitCode);

    DemoOptions m_options;
    RecordWriter *m_out; // not owned
    RecordWriter *m_err; // not owned
    DemoFeed m_feed;
    QNetworkAccessManager m_network;
    SseSession m_metrics;
    SseSession m_logs;
    // A terminal shows each host about once a second however fast samples come.
    QHash<QByteArray, QElapsedTimer> m_lastShown;
    bool m_finished = false;
};

} // namespace streamscope
