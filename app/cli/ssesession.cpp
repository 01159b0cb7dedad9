// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssesession.h"

#include "console.h"
#include "recordwriter.h"

#include <QDateTime>

namespace streamscope {

SseSession::SseSession(QNetworkAccessManager *network, const Output &output, QObject *parent)
    : QObject(parent)
    , m_source(network)
    , m_output(output)
{
    connect(&m_source, &EventSource::connecting, this, &SseSession::handleConnecting);
    connect(&m_source, &EventSource::opened, this, &SseSession::handleOpened);
    connect(&m_source, &EventSource::eventReceived, this, &SseSession::handleEvent);
    connect(&m_source, &EventSource::retryApplied, this, &SseSession::handleRetry);
    connect(
        &m_source, &EventSource::certificateWarning, this, &SseSession::handleCertificateWarning);
    connect(&m_source, &EventSource::errorOccurred, this, &SseSession::handleError);
    connect(&m_source, &EventSource::reconnectScheduled, this, &SseSession::handleReconnect);
    connect(&m_source, &EventSource::fellBehind, this, &SseSession::handleFellBehind);
    connect(&m_source, &EventSource::closed, this, &SseSession::handleClosed);
    // A reader who stops reading our output holds an HTTP/1.1 stream back by itself; an HTTP/2
    // one must let go of its connection, or Qt buffers it without bound while we wait.
    for (RecordWriter *writer : {output.out, output.err}) {
        connect(writer, &RecordWriter::stalled, &m_source, &EventSource::consumerStalled);
    }
}

void SseSession::diagnose(const StreamDiagnostics::Settings &settings)
{
    DiagnosisReporter::Output output;
    output.out = m_output.out;
    output.json = m_output.json;
    output.stream = m_output.stream;
    output.readable = [this](const QByteArray &line) {
        lifecycle(line, console::Palette(m_output.err->isTerminal()).yellow());
    };
    m_diagnosis = std::make_unique<DiagnosisReporter>(settings, output);
    StreamDiagnostics *diagnostics = &m_diagnosis->diagnostics();
    const auto now = [] { return QDateTime::currentMSecsSinceEpoch(); };
    connect(&m_source, &EventSource::responseReceived, m_diagnosis.get(),
        [diagnostics](const ResponseHead &head) { diagnostics->responseReceived(head); });
    connect(&m_source, &EventSource::opened, m_diagnosis.get(),
        [diagnostics, now] { diagnostics->opened(now()); });
    connect(&m_source, &EventSource::bytesReceived, m_diagnosis.get(),
        [diagnostics, now] { diagnostics->dataArrived(now()); });
    connect(&m_source, &EventSource::reconnectScheduled, m_diagnosis.get(),
        [diagnostics, now] { diagnostics->closed(now()); });
}

void SseSession::open(const EventSourceSettings &settings, const QByteArray &urlText)
{
    m_urlText = urlText;
    m_stopped = false;
    m_source.open(settings);
}

void SseSession::stop()
{
    if (m_diagnosis && !m_stopped) {
        m_diagnosis->check(); // what the last events showed, before the owner's end record
    }
    m_stopped = true; // before close(): its closed(Requested) is ours, not news
    m_source.close();
}

void SseSession::lifecycle(const QByteArray &line, const char *colour)
{
    const console::Palette palette(m_output.err->isTerminal());
    QByteArray &out = m_output.err->buffer();
    console::appendStamp(out, palette);
    out.append(' ');
    if (!m_output.stream.isEmpty()) {
        out.append(m_output.stream);
        out.append(": ");
    }
    out.append(colour);
    console::appendIndented(out, line, 13);
    out.append(palette.reset());
    out.append('\n');
    m_output.err->commit();
}

void SseSession::handleConnecting(int attempt)
{
    if (m_stopped) {
        return;
    }
    if (m_output.json) {
        Record record(*m_output.out, "connecting");
        if (!m_output.stream.isEmpty()) {
            record.string("stream", m_output.stream);
        }
        record.string("url", m_urlText).number("attempt", attempt);
        return;
    }
    lifecycle("connecting to " + m_urlText + " (attempt " + QByteArray::number(attempt) + ")", "");
}

void SseSession::handleOpened(int status)
{
    if (m_stopped) {
        return;
    }
    if (m_output.json) {
        Record record(*m_output.out, "open");
        if (!m_output.stream.isEmpty()) {
            record.string("stream", m_output.stream);
        }
        record.number("status", status).string("protocol", m_source.protocol());
        return;
    }
    lifecycle("open " + QByteArray::number(status) + " (" + m_source.protocol() + ")",
        console::Palette(m_output.err->isTerminal()).green());
}

void SseSession::handleEvent(const SseEvent &event)
{
    if (m_stopped) {
        return;
    }
    if (m_diagnosis) { // first: writing the event may end the run (--max-events)
        m_diagnosis->diagnostics().eventArrived(
            QDateTime::currentMSecsSinceEpoch(), event.lastEventId, event.data);
    }
    if (m_handler) {
        m_handler(event);
    } else if (m_output.json) {
        Record record(*m_output.out, "event");
        if (!m_output.stream.isEmpty()) {
            record.string("stream", m_output.stream);
        }
        record.string("type", event.type)
            .string("data", event.data)
            .string("lastEventId", event.lastEventId);
    } else if (m_printer) {
        m_printer(event);
    } else {
        const console::Palette palette(m_output.out->isTerminal());
        QByteArray &out = m_output.out->buffer();
        console::appendStamp(out, palette);
        out.append(' ');
        out.append(palette.cyan());
        console::appendIndented(out, event.type, 2);
        out.append(palette.reset());
        if (!event.lastEventId.isEmpty()) {
            out.append(palette.dim());
            out.append(" id=");
            console::appendIndented(out, event.lastEventId, 2);
            out.append(palette.reset());
        }
        out.append(' ');
        // Continuation lines sit under the data's first line: one event, one block.
        console::appendIndented(out, event.data, 4);
        out.append('\n');
        m_output.out->commit();
    }
    emit eventWritten();
}

void SseSession::handleRetry(int ms)
{
    if (m_stopped) {
        return;
    }
    if (m_output.json) {
        Record record(*m_output.out, "retry");
        if (!m_output.stream.isEmpty()) {
            record.string("stream", m_output.stream);
        }
        record.number("ms", ms);
        return;
    }
    if (m_output.showRetry) {
        lifecycle("retry " + console::duration(ms) + " (from the server)", "");
    }
}

void SseSession::handleCertificateWarning(const QString &message)
{
    if (m_stopped) {
        return;
    }
    if (m_output.json) {
        Record record(*m_output.out, "warning");
        if (!m_output.stream.isEmpty()) {
            record.string("stream", m_output.stream);
        }
        record.text("message", message);
        return;
    }
    lifecycle(
        "warning: " + message.toUtf8(), console::Palette(m_output.err->isTerminal()).yellow());
}

void SseSession::handleError(const QString &message, int status)
{
    if (m_stopped) {
        return;
    }
    if (m_output.json) {
        Record record(*m_output.out, "error");
        if (!m_output.stream.isEmpty()) {
            record.string("stream", m_output.stream);
        }
        record.text("message", message);
        if (status > 0) {
            record.number("status", status);
        }
        return;
    }
    lifecycle(
        console::errorLine(message, status), console::Palette(m_output.err->isTerminal()).red());
}

void SseSession::handleReconnect(int delayMs, int attempt)
{
    if (m_stopped) {
        return;
    }
    if (m_output.json) {
        Record record(*m_output.out, "reconnecting");
        if (!m_output.stream.isEmpty()) {
            record.string("stream", m_output.stream);
        }
        record.number("delayMs", delayMs).number("attempt", attempt);
        return;
    }
    lifecycle("reconnecting in " + console::duration(delayMs) + " (attempt "
            + QByteArray::number(attempt) + ")",
        console::Palette(m_output.err->isTerminal()).yellow());
}

void SseSession::handleFellBehind(const QString &message, int times)
{
    if (m_stopped) {
        return;
    }
    if (m_output.json) {
        Record record(*m_output.out, "behind");
        if (!m_output.stream.isEmpty()) {
            record.string("stream", m_output.stream);
        }
        record.text("message", message).number("times", times);
        return;
    }
    lifecycle("behind: " + message.toUtf8(), console::Palette(m_output.err->isTerminal()).yellow());
}

void SseSession::handleClosed(EventSource::CloseReason reason)
{
    if (m_stopped) {
        return;
    }
    m_stopped = true;
    if (m_diagnosis) {
        // What the end itself shows (the last close of an idle timeout), before the end record.
        m_diagnosis->diagnostics().closed(QDateTime::currentMSecsSinceEpoch());
        m_diagnosis->check();
    }
    switch (reason) {
    case EventSource::CloseReason::NoContent:
        emit ended("no-content", 0);
        break;
    case EventSource::CloseReason::Fatal:
        emit ended("fatal", 3);
        break;
    case EventSource::CloseReason::GaveUp:
        emit ended("max-reconnects", 3);
        break;
    case EventSource::CloseReason::Requested:
        // Someone else closed our source: treat it as the end of the run.
        emit ended("interrupted", 0);
        break;
    case EventSource::CloseReason::Complete:
        emit ended("complete", 0);
        break;
    case EventSource::CloseReason::Interrupted:
        // --once: the answer was cut short (or never came), and is not asked for again.
        emit ended("failed", 3);
        break;
    }
}

} // namespace streamscope
