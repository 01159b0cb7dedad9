// SPDX-License-Identifier: GPL-3.0-or-later
#include "readablesink.h"

#include "answerrun.h"
#include "diagnosis.h"
#include "recordwriter.h"
#include "sseevent.h"

#include <QByteArrayList>

namespace streamscope {

namespace {

// "/admin status" for people; the default namespace goes without saying.
QByteArray describeEvent(const QString &nameSpace, const QByteArray &event)
{
    return nameSpace == QLatin1String("/") ? event : nameSpace.toUtf8() + ' ' + event;
}

QByteArray milliseconds(qint64 ms)
{
    return ms < 0 ? QByteArrayLiteral("?") : QByteArray::number(ms) + " ms";
}

} // namespace

ReadableSink::ReadableSink(const Output &output)
    : RecordSink(output)
    , m_outPalette(output.out->isTerminal())
    , m_errPalette(output.err->isTerminal())
{
}

void ReadableSink::lifecycle(const QByteArray &line, const char *colour)
{
    QByteArray &text = err()->buffer();
    console::appendStamp(text, m_errPalette);
    text.append(' ');
    if (!m_output.stream.isEmpty()) {
        text.append(m_output.stream);
        text.append(": ");
    }
    text.append(colour);
    console::appendIndented(text, line, 13);
    text.append(m_errPalette.reset());
    text.append('\n');
    err()->commit();
}

void ReadableSink::connecting(QByteArrayView url, int attempt)
{
    lifecycle(
        "connecting to " + url.toByteArray() + " (attempt " + QByteArray::number(attempt) + ")",
        "");
}

void ReadableSink::warning(const QString &message)
{
    lifecycle("warning: " + message.toUtf8(), m_errPalette.yellow());
}

void ReadableSink::error(const QString &message, int status)
{
    lifecycle(console::errorLine(message, status), m_errPalette.red());
}

void ReadableSink::reconnecting(int delayMs, int attempt)
{
    lifecycle("reconnecting in " + console::duration(delayMs) + " (attempt "
            + QByteArray::number(attempt) + ")",
        m_errPalette.yellow());
}

void ReadableSink::diagnosis(const Diagnosis &finding, bool cleared)
{
    const QByteArray message = diagnosisMessage(finding, cleared).toUtf8();
    lifecycle(
        cleared ? "diagnosis " + message : "diagnosis: " + finding.title.toUtf8() + ": " + message,
        m_errPalette.yellow());
}

void ReadableSink::writeClosed(const QByteArray &reason, int code)
{
    QByteArray line;
    console::appendStamp(line, m_errPalette);
    line += " closed: " + reason;
    if (code >= 0) {
        line += " (code " + QByteArray::number(code) + ")";
    }
    err()->write(line + '\n');
}

void ReadableSink::sseOpened(int status, QByteArrayView protocol)
{
    lifecycle("open " + QByteArray::number(status) + " (" + protocol.toByteArray() + ")",
        m_errPalette.green());
}

void ReadableSink::event(const SseEvent &event)
{
    QByteArray &text = out()->buffer();
    console::appendStamp(text, m_outPalette);
    text.append(' ');
    console::appendCode(text, m_outPalette.cyan());
    console::appendIndented(text, event.type, 2);
    console::appendCode(text, m_outPalette.reset());
    if (!event.lastEventId.isEmpty()) {
        console::appendCode(text, m_outPalette.dim());
        text.append(" id=", 4);
        console::appendIndented(text, event.lastEventId, 2);
        console::appendCode(text, m_outPalette.reset());
    }
    text.append(' ');
    // Continuation lines sit under the data's first line: one event, one block.
    console::appendIndented(text, event.data, 4);
    text.append('\n');
    out()->commit();
}

void ReadableSink::retry(int ms)
{
    if (m_output.showRetry) {
        lifecycle("retry " + console::duration(ms) + " (from the server)", "");
    }
}

void ReadableSink::behind(const QString &message, int)
{
    lifecycle("behind: " + message.toUtf8(), m_errPalette.yellow());
}

void ReadableSink::webSocketOpened(QByteArrayView subprotocol, QByteArrayView extensions)
{
    // What the server agreed to, as the dashboard's open row says it.
    QByteArrayList agreed;
    if (!subprotocol.isEmpty()) {
        agreed.append("subprotocol " + subprotocol.toByteArray());
    }
    if (!extensions.isEmpty()) {
        agreed.append(extensions.toByteArray());
    }
    lifecycle(agreed.isEmpty() ? QByteArray("open") : "open (" + agreed.join(", ") + ")",
        m_errPalette.green());
}

void ReadableSink::roundTrip(int ms)
{
    lifecycle("rtt " + QByteArray::number(ms) + " ms", "");
}

void ReadableSink::disconnected(int code, const QString &reason)
{
    // Not in the NDJSON contract; people watching a terminal want to see it.
    QByteArray line = "disconnected (code " + QByteArray::number(code);
    if (!reason.isEmpty()) {
        line += ": " + reason.toUtf8();
    }
    lifecycle(line + ")", "");
}

void ReadableSink::message(const QByteArray &data, bool binary)
{
    const QByteArray label
        = binary ? "binary " + QByteArray::number(data.size()) + " B" : QByteArray("text");
    console::appendMessageLine(
        out()->buffer(), m_outPalette, label, {}, binary ? data.toBase64() : data);
    out()->commit();
}

void ReadableSink::sent(const QByteArray &data, bool)
{
    lifecycle("sent " + data, "");
}

void ReadableSink::joined(const QString &nameSpace)
{
    lifecycle("joined " + nameSpace.toUtf8(), m_errPalette.green());
}

void ReadableSink::refused(const QString &nameSpace, const QString &message)
{
    lifecycle("error: namespace " + nameSpace.toUtf8() + " refused: " + message.toUtf8(),
        m_errPalette.red());
}

void ReadableSink::left(const QString &nameSpace)
{
    lifecycle("the server disconnected namespace " + nameSpace.toUtf8(), m_errPalette.yellow());
}

void ReadableSink::socketIoMessage(
    const QString &nameSpace, const QByteArray &event, const QByteArray &args, bool binary)
{
    console::appendMessageLine(out()->buffer(), m_outPalette, describeEvent(nameSpace, event),
        binary ? "(binary)" : "", args);
    out()->commit();
}

void ReadableSink::socketIoSent(
    const QString &nameSpace, const QByteArray &event, const QByteArray &args, int ackId)
{
    lifecycle("sent " + describeEvent(nameSpace, event) + ' ' + args
            + (ackId >= 0 ? " (ack " + QByteArray::number(ackId) + ")" : QByteArray()),
        "");
}

void ReadableSink::ack(int id, const QByteArray &args, int roundTripMs)
{
    lifecycle(
        "ack " + QByteArray::number(id) + " after " + console::duration(roundTripMs) + ": " + args,
        "");
}

void ReadableSink::mqttOpened(
    QByteArrayView, QByteArrayView clientId, bool sessionPresent, mqtt::Version version)
{
    lifecycle("open (MQTT " + QByteArray(version == mqtt::Version::V5 ? "5" : "3.1.1")
            + ", client id " + clientId.toByteArray() + (sessionPresent ? ", session resumed" : "")
            + ")",
        m_errPalette.green());
}

void ReadableSink::mqttMessage(
    const QString &topic, const QByteArray &payload, bool binary, int, bool retained)
{
    QByteArrayList notes;
    if (retained) {
        notes.append("(retained)");
    }
    if (binary) {
        notes.append("binary " + QByteArray::number(payload.size()) + " B");
    }
    console::appendMessageLine(out()->buffer(), m_outPalette, topic.toUtf8(), notes.join(' '),
        binary ? payload.toBase64() : payload);
    out()->commit();
}

void ReadableSink::mqttSent(const QString &topic, const QByteArray &payload, bool binary, int, bool)
{
    lifecycle("sent " + topic.toUtf8() + ' ' + (binary ? payload.toBase64() : payload), "");
}

void ReadableSink::acknowledged(const QString &topic)
{
    lifecycle("acknowledged " + topic.toUtf8(), "");
}

void ReadableSink::subscribed(const QString &filter, int qos)
{
    lifecycle("subscribed to " + filter.toUtf8() + " (QoS " + QByteArray::number(qos) + ")", "");
}

void ReadableSink::token(const TokenDelta &delta, bool)
{
    const QByteArray text = delta.text.toUtf8();
    if (delta.kind == TokenBlock::Kind::Text) {
        out()->write(text);
        m_textEndsLine = text.endsWith('\n');
        return;
    }
    // Thinking and tool calls are not the answer: stderr, dimmed, so stdout pipes the text.
    err()->write(m_errPalette.dim() + text + m_errPalette.reset());
}

void ReadableSink::answerError(const QString &message, const std::optional<QString> &)
{
    err()->write(QByteArray(m_errPalette.red()) + "error: " + message.toUtf8()
        + m_errPalette.reset() + '\n');
}

void ReadableSink::answer(const AnswerRun &run, qint64 nowMs)
{
    const TokenStreamDecoder &answer = run.answer();
    const TokenTimer::Figures figures = run.figures(nowMs);
    if (!m_textEndsLine) {
        out()->write("\n"); // the shell's prompt on a line of its own
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
    QByteArray stamped;
    console::appendStamp(stamped, m_errPalette);
    err()->write(stamped + " answer " + AnswerRun::outcomeName(run.outcome()).toUtf8() + " ("
        + tokenFormatName(answer.format()).toUtf8() + "): " + line + '\n');
}

} // namespace streamscope
