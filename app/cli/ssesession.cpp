// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssesession.h"

#include "recordsink.h"
#include "recordwriter.h"

#include <QDateTime>

namespace streamscope {

SseSession::SseSession(QNetworkAccessManager *network, RecordSink *sink, QObject *parent)
    : QObject(parent)
    , m_source(network)
    , m_sink(sink)
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
    for (RecordWriter *writer : {sink->out(), sink->err()}) {
        connect(writer, &RecordWriter::stalled, &m_source, &EventSource::consumerStalled);
    }
}

void SseSession::diagnose(const StreamDiagnostics::Settings &settings)
{
    m_diagnosis = std::make_unique<DiagnosisReporter>(settings, m_sink);
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

void SseSession::handleConnecting(int attempt)
{
    if (m_stopped) {
        return;
    }
    m_sink->connecting(m_urlText, attempt);
}

void SseSession::handleOpened(int status)
{
    if (m_stopped) {
        return;
    }
    m_sink->sseOpened(status, m_source.protocol());
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
    } else {
        m_sink->event(event);
    }
    emit eventWritten();
}

void SseSession::handleRetry(int ms)
{
    if (m_stopped) {
        return;
    }
    m_sink->retry(ms);
}

void SseSession::handleCertificateWarning(const QString &message)
{
    if (m_stopped) {
        return;
    }
    m_sink->warning(message);
}

void SseSession::handleError(const QString &message, int status)
{
    if (m_stopped) {
        return;
    }
    m_sink->error(message, status);
}

void SseSession::handleReconnect(int delayMs, int attempt)
{
    if (m_stopped) {
        return;
    }
    m_sink->reconnecting(delayMs, attempt);
}

void SseSession::handleFellBehind(const QString &message, int times)
{
    if (m_stopped) {
        return;
    }
    m_sink->behind(message, times);
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
