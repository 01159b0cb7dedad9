// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamdiagnostics.h"

#include <QObject>
#include <QTimer>

namespace streamscope {

class RecordSink;

// Diagnoses one stream of streamscope-cli: feeds a StreamDiagnostics (the command's session
// calls diagnostics() as things happen), checks it every second, and reports each finding once
// when it appears and once when it clears, through the session's sink.
class DiagnosisReporter : public QObject
{
    Q_OBJECT
public:
    static constexpr int CheckIntervalMs = 1000;

    // sink is not owned and must outlive the reporter.
    DiagnosisReporter(
        const StreamDiagnostics::Settings &settings, RecordSink *sink, QObject *parent = nullptr);

    StreamDiagnostics &diagnostics() { return m_diagnostics; }
    // Reports what changed since the last check; the timer calls it, and so does the end of a run.
    void check();

private:
    StreamDiagnostics m_diagnostics;
    RecordSink *m_sink; // not owned
    QTimer m_timer;
};

} // namespace streamscope
