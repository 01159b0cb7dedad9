// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssecommand.h"

namespace streamscope {

SseCommand::SseCommand(
    const SseOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_sink(RecordSink::create(options.json, {out, err, {}, true}))
    , m_session(&m_network, m_sink.get())
    , m_timeout(this, [this] { finish("timeout", 0); })
{
    connect(&m_session, &SseSession::eventWritten, this, &SseCommand::countEvent);
    connect(&m_session, &SseSession::ended, this, &SseCommand::finish);
    using Sequence = StreamDiagnostics::Settings::Sequence;
    StreamDiagnostics::Settings diagnosis;
    diagnosis.sequence = options.auditSequence.isEmpty() ? Sequence::None
        : options.auditSequence == QLatin1String("id")   ? Sequence::EventId
                                                         : Sequence::PayloadField;
    diagnosis.sequenceField = options.auditSequence;
    diagnosis.ownDeadLinkCheckMs = options.source.idleTimeoutMs;
    m_session.diagnose(diagnosis);
}

void SseCommand::start()
{
    if (m_options.maxEvents == 0) {
        finish("max-events", 0);
        return;
    }
    m_timeout.start(m_options.timeoutMs);
    m_session.open(m_options.source, m_options.urlText.toUtf8());
}

void SseCommand::interrupt()
{
    finish("interrupted", 0);
}

void SseCommand::countEvent()
{
    ++m_events;
    if (m_options.maxEvents >= 0 && m_events >= m_options.maxEvents) {
        finish("max-events", 0);
    }
}

void SseCommand::finish(const QByteArray &reason, int exitCode)
{
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_timeout.stop();
    m_session.stop();
    m_sink->closed(reason);
    emit finished(exitCode);
}

} // namespace streamscope
