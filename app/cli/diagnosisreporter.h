// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamdiagnostics.h"

#include <QByteArray>
#include <QObject>
#include <QTimer>

#include <functional>

namespace streamscope {

class RecordWriter;

// Diagnoses one stream of streamscope-cli: feeds a StreamDiagnostics (the command's session
// calls diagnostics() as things happen), checks it every second, and reports each finding once
// when it appears and once when it clears: a "diagnosis" record, or a readable line on stderr.
class DiagnosisReporter : public QObject
{
    Q_OBJECT
public:
    static constexpr int CheckIntervalMs = 1000;

    // Writes one readable line on stderr, in the session's layout.
    using LineWriter = std::function<void(const QByteArray &line)>;
    struct Output
    {
        RecordWriter *out = nullptr; // not owned; JSON records go here
        bool json = false;
        QByteArray stream; // when set, each record names its stream
        LineWriter readable;
    };

    DiagnosisReporter(const StreamDiagnostics::Settings &settings, const Output &output,
        QObject *parent = nullptr);

    StreamDiagnostics &diagnostics() { return m_diagnostics; }
    // Reports what changed since the last check; the timer calls it, and so does the end of a run.
    void check();

private:
    void report(const Diagnosis &finding, bool cleared);

    StreamDiagnostics m_diagnostics;
    Output m_output;
    QTimer m_timer;
};

} // namespace streamscope
