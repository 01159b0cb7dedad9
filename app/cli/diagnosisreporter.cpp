// SPDX-License-Identifier: GPL-3.0-or-later
#include "diagnosisreporter.h"

#include "recordwriter.h"

#include <QDateTime>

namespace streamscope {

DiagnosisReporter::DiagnosisReporter(
    const StreamDiagnostics::Settings &settings, const Output &output, QObject *parent)
    : QObject(parent)
    , m_diagnostics(settings)
    , m_output(output)
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
        report(finding, false);
    }
    for (const Diagnosis &finding : changes.cleared) {
        report(finding, true);
    }
}

void DiagnosisReporter::report(const Diagnosis &finding, bool cleared)
{
    const QString message = cleared
        ? QStringLiteral("cleared: %1 (the evidence stopped)").arg(finding.title)
        : QStringLiteral("%1 %2").arg(finding.evidence, finding.fix);
    if (!m_output.json) {
        m_output.readable(cleared
                ? ("diagnosis " + message.toUtf8())
                : ("diagnosis: " + finding.title.toUtf8() + ": " + message.toUtf8()));
        return;
    }
    Record record(*m_output.out, "diagnosis");
    if (!m_output.stream.isEmpty()) {
        record.string("stream", m_output.stream);
    }
    record.text("code", diagnosisKindName(finding.kind)).text("message", message);
    if (cleared) {
        record.boolean("cleared", true);
        return;
    }
    record.text("title", finding.title).text("evidence", finding.evidence).text("fix", finding.fix);
    record.number("firstSeen", finding.firstSeenMs);
    for (const auto &[name, value] : finding.figures) {
        record.number(name.constData(), value);
    }
}

} // namespace streamscope
