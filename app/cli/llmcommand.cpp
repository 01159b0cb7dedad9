// SPDX-License-Identifier: GPL-3.0-or-later
#include "llmcommand.h"

#include "console.h"
#include "recordwriter.h"
#include "ssecommand.h" // writeClosed

#include <QDateTime>
#include <QJsonDocument>

namespace streamscope {

namespace {

QByteArray partName(TokenBlock::Kind kind)
{
    switch (kind) {
    case TokenBlock::Kind::Text:
        return QByteArray();
    case TokenBlock::Kind::Thinking:
        return QByteArrayLiteral("thinking");
    case TokenBlock::Kind::ToolCall:
        return QByteArrayLiteral("tool");
    }
    return QByteArray();
}

QByteArray milliseconds(qint64 ms)
{
    return ms < 0 ? QByteArrayLiteral("?") : QByteArray::number(ms) + " ms";
}

} // namespace

LlmCommand::LlmCommand(
    const LlmOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_out(out)
    , m_err(err)
    , m_session(&m_network, SseSession::Output{out, err, options.json, {}, false})
{
    m_timeout.setSingleShot(true);
    m_timeout.setTimerType(Qt::PreciseTimer);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        if (m_run) {
            m_run->ended(m_clock.elapsed(), QStringLiteral("timeout: no complete answer in time"));
        }
        finish("timeout", 3);
    });
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
    if (m_options.timeoutMs >= 0) {
        m_timeout.start(int(qMin<qint64>(m_options.timeoutMs, std::numeric_limits<int>::max())));
    }
    EventSourceSettings settings = eventSourceSettings(m_options);
    settings.oneShot = true;
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
        const QString message = m_run->interruption();
        if (m_options.json) {
            Record(*m_out, "error").text("message", message).text("type", error->type);
        } else {
            writeErrorLine(message);
        }
        finish("error", 3);
        return;
    }
    finish("complete", 0);
}

void LlmCommand::writeDelta(const TokenDelta &delta)
{
    const QList<TokenBlock> &blocks = m_run->answer().blocks();
    if (m_options.json) {
        Record record(*m_out, "token");
        record.text("text", delta.text);
        if (blocks.size() > 1) {
            record.number("block", delta.block);
        }
        if (delta.kind != TokenBlock::Kind::Text) {
            record.string("part", partName(delta.kind));
        }
        return;
    }
    const QByteArray text = delta.text.toUtf8();
    if (delta.kind == TokenBlock::Kind::Text) {
        m_out->write(text);
        m_textEndsLine = text.endsWith('\n');
        return;
    }
    // Thinking and tool calls are not the answer: stderr, dimmed, so stdout pipes the text.
    const console::Palette palette(m_err->isTerminal());
    m_err->write(palette.dim() + text + palette.reset());
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
            if (m_options.json) {
                Record(*m_out, "error").text("message", m_run->interruption());
            } else {
                writeErrorLine(m_run->interruption());
            }
        }
        finish(whole ? "complete" : "interrupted", whole ? 0 : 3);
        return;
    }
    finish(reason == "failed" ? QByteArrayLiteral("interrupted") : reason,
        exitCode == 0 ? 3 : exitCode);
}

void LlmCommand::writeErrorLine(const QString &message)
{
    const console::Palette palette(m_err->isTerminal());
    m_err->write(QByteArray(palette.red()) + "error: " + message.toUtf8() + palette.reset() + '\n');
}

void LlmCommand::writeAnswer()
{
    const qint64 now = m_clock.elapsed();
    const TokenStreamDecoder &answer = m_run->answer();
    const TokenTimer::Figures figures = m_run->figures(now);
    if (m_options.json) {
        Record record(*m_out, "answer");
        record.text("format", tokenFormatName(answer.format()))
            .text("text", answer.answerText())
            .text("outcome", AnswerRun::outcomeName(m_run->outcome()));
        if (!m_run->interruption().isEmpty()) {
            record.text("interruption", m_run->interruption());
        }
        record.members(m_run->figuresJson(now));
        record.text("stopReason", answer.stopReason());
        record.value(
            "usage", answer.usage().known() ? QJsonValue(answer.usage().raw) : QJsonValue());
        if (!answer.model().isEmpty()) {
            record.text("model", answer.model());
        }
        if (answer.unknownEvents() > 0) {
            record.number("unknownEvents", answer.unknownEvents());
        }
        if (answer.malformedEvents() > 0) {
            record.number("malformedEvents", answer.malformedEvents());
        }
        return;
    }
    if (!m_textEndsLine) {
        m_out->write("\n"); // the shell's prompt on a line of its own
    }
    QByteArray line = "time to first token " + milliseconds(figures.timeToFirstTokenMs)
        + " · total " + milliseconds(figures.durationMs);
    if (figures.outputTokens >= 0) {
        line += " · " + QByteArray(figures.estimated ? "≈" : "")
            + QByteArray::number(figures.outputTokens) + " tokens";
    }
    if (figures.tokensPerSecond >= 0) {
        line += " · " + QByteArray(figures.estimated ? "≈" : "")
            + QByteArray::number(figures.tokensPerSecond, 'f', 1) + " tokens/s";
    }
    if (figures.gapMaxMs >= 0) {
        line += " · gaps p50 " + milliseconds(figures.gapP50Ms) + ", p99 "
            + milliseconds(figures.gapP99Ms) + ", max " + milliseconds(figures.gapMaxMs);
    }
    if (!answer.stopReason().isEmpty()) {
        line += " · stop " + answer.stopReason().toUtf8();
    }
    if (figures.inputTokens >= 0) {
        line += " · input " + QByteArray::number(figures.inputTokens) + " tokens";
    }
    if (figures.estimated) {
        line += " (" + figures.estimateRule.toUtf8() + ", no usage from the server)";
    }
    const console::Palette palette(m_err->isTerminal());
    QByteArray stamped;
    console::appendStamp(stamped, palette);
    m_err->write(stamped + " answer " + AnswerRun::outcomeName(m_run->outcome()).toUtf8() + " ("
        + tokenFormatName(answer.format()).toUtf8() + "): " + line + '\n');
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
        writeAnswer();
    }
    writeClosed(m_out, m_err, m_options.json, reason);
    emit finished(exitCode);
}

} // namespace streamscope
