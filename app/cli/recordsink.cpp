// SPDX-License-Identifier: GPL-3.0-or-later
#include "recordsink.h"

#include "diagnosis.h"
#include "jsonsink.h"
#include "readablesink.h"
#include "recordwriter.h"

namespace streamscope {

std::unique_ptr<RecordSink> RecordSink::create(bool json, const Output &output)
{
    if (json) {
        return makeJsonSink(output);
    }
    return std::make_unique<ReadableSink>(output);
}

RecordSink::RecordSink(const Output &output)
    : m_output(output)
{
}

RecordSink::~RecordSink() = default;

void RecordSink::closed(const QByteArray &reason, int code)
{
    writeClosed(reason, code);
    m_output.out->flush();
    m_output.err->flush();
}

QString RecordSink::diagnosisMessage(const Diagnosis &finding, bool cleared)
{
    return cleared ? QStringLiteral("cleared: %1 (the evidence stopped)").arg(finding.title)
                   : QStringLiteral("%1 %2").arg(finding.evidence, finding.fix);
}

} // namespace streamscope
