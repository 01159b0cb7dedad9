// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "answerrun.h"
#include "options.h"
#include "recordsink.h"
#include "runtimeout.h"
#include "ssesession.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QObject>

#include <optional>

namespace streamscope {

class RecordWriter;

// `streamscope-cli llm`: one request to an LLM answer stream, followed until the answer ends
// (its format's end marker, an error event, the connection's end or failure) or the timeout.
// The answer record, then the closed record, are the last things written.
class LlmCommand : public QObject
{
    Q_OBJECT
public:
    LlmCommand(
        const LlmOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent = nullptr);

    void start();
    // SIGINT/SIGTERM: the answer so far, then the end.
    void interrupt();

signals:
    // Emitted once, after the closed record was flushed.
    void finished(int exitCode);

private:
    void handleEvent(const SseEvent &event);
    void writeDelta(const TokenDelta &delta);
    void handleEnded(const QByteArray &reason, int exitCode);
    void finish(const QByteArray &reason, int exitCode);

    LlmOptions m_options;
    std::unique_ptr<RecordSink> m_sink;
    QNetworkAccessManager m_network;
    SseSession m_session;
    QElapsedTimer m_clock;
    std::optional<AnswerRun> m_run;
    RunTimeout m_timeout;
    bool m_finished = false;
};

} // namespace streamscope
