// SPDX-License-Identifier: GPL-3.0-or-later
#include "diagnosisreporter.h"

#include "recordsink.h"

#include <QDateTime>

namespace streamscope {

DiagnosisReporter::DiagnosisReporter(
    const StreamDiagnostics::Settings &settings, RecordSink *sink, QObject *parent)
    : QObject(parent)
    , m_diagnostics(settings)
    , m_sink(sink)
{
    m_timer.setInterval(CheckIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &DiagnosisReporter::check);
    m_timer.start();
}

void DiagnosisReporter::check()
{
    const StreamDiagnostics::Changes changes
        = m_diagnostics.update(QDateTime::currentMSecsSinceEpoch());
    for (const Diagnosis &finding : changes.appeared) {
        m_sink->diagnosis(finding, false);
    }
    for (const Diagnosis &finding : changes.cleared) {
        m_sink->diagnosis(finding, true);
    }
}

} // namespace streamscope
