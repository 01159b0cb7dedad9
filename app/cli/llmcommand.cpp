// SPDX-License-Identifier: GPL-3.0-or-later
#include "llmcommand.h"

#include <QDateTime>

namespace streamscope {

LlmCommand::LlmCommand(
    const LlmOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_sink(RecordSink::create(options.json, {out, err, {}, false}))
    , m_session(&m_network, m_sink.get())
    , m_timeout(this, [this] {
        if (m_run) {
            m_run->ended(m_clock.elapsed(), QStringLiteral("timeout: no complete answer in time"));
        }
        finish("timeout", 3);
    })
{
    m_session.setEventHandler([this](const SseEvent &event) { handleEvent(event); });
    connect(&m_session.source(), &EventSource::opened, this, [this] {
        if (m_run) {
            m_run->headersReceived(m_clock.elapsed());
        }
    });
    connect(&m_session.source(), &EventSource::errorOccurred, this, [this](const QString &text) {
        if (m_run) {
            m_run->ended(m_clock.elapsed(), text);
        }
    });
    connect(&m_session, &SseSession::ended, this, &LlmCommand::handleEnded);
}

void LlmCommand::start()
{
    m_timeout.start(m_options.timeoutMs);
    EventSourceSettings settings = m_options.source;
    settings.oneShot = true; // an answer is asked for once: asking again is billed again
    m_clock.start();
    m_run.emplace(m_options.format, QDateTime::currentMSecsSinceEpoch(), 0);
    m_session.open(settings, m_options.urlText.toUtf8());
}

void LlmCommand::interrupt()
{
    if (m_run) {
        m_run->ended(m_clock.elapsed(), QStringLiteral("interrupted by a signal"));
    }
    finish("interrupted", 3);
}

void LlmCommand::handleEvent(const SseEvent &event)
{
    if (!m_run || m_finished) {
        return;
    }
    const QList<TokenDelta> deltas = m_run->eventArrived(m_clock.elapsed(), event.type, event.data);
    for (const TokenDelta &delta : deltas) {
        writeDelta(delta);
    }
    if (m_run->outcome() == AnswerRun::Outcome::Running) {
        return;
    }
    // The end marker or an error event: the answer is over, whatever the connection does next.
    if (const std::optional<TokenStreamError> error = m_run->answer().error()) {
        m_sink->answerError(m_run->interruption(), error->type);
        finish("error", 3);
        return;
    }
    finish("complete", 0);
}

void LlmCommand::writeDelta(const TokenDelta &delta)
{
    m_sink->token(delta, m_run->answer().blocks().size() > 1);
}

void LlmCommand::handleEnded(const QByteArray &reason, int exitCode)
{
    if (m_run) {
        m_run->ended(m_clock.elapsed());
    }
    if (reason == "complete") {
        // The response ended cleanly; the answer may not have (no end marker).
        const bool whole = m_run && m_run->outcome() == AnswerRun::Outcome::Complete;
        if (!whole && m_run) {
            m_sink->answerError(m_run->interruption(), std::nullopt);
        }
        finish(whole ? "complete" : "interrupted", whole ? 0 : 3);
        return;
    }
    finish(reason == "failed" ? QByteArrayLiteral("interrupted") : reason,
        exitCode == 0 ? 3 : exitCode);
}

void LlmCommand::finish(const QByteArray &reason, int exitCode)
{
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_timeout.stop();
    m_session.stop();
    if (m_run) {
        m_run->ended(m_clock.elapsed(), QString::fromUtf8(reason));
        m_sink->answer(*m_run, m_clock.elapsed());
    }
    m_sink->closed(reason);
    emit finished(exitCode);
}

} // namespace streamscope
