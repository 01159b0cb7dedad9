// SPDX-License-Identifier: GPL-3.0-or-later
// Stream's SSE half: an EventSource's signals as rows and health figures, and a token-mode
// stream's answer runs (one per request).
#include "stream.h"

#include "eventsource.h"

namespace streamscope {

AnswerRun *Stream::runningAnswer()
{
    if (m_answerRuns.empty() || m_answerRuns.back().outcome() != AnswerRun::Outcome::Running) {
        return nullptr;
    }
    return &m_answerRuns.back();
}

bool Stream::endAnswer(const QString &failure)
{
    AnswerRun *run = runningAnswer();
    if (!run) {
        return true;
    }
    run->ended(m_answerClock.elapsed(), failure);
    const QPointer<Stream> self(this);
    emit answerChanged();
    return !self.isNull();
}

void Stream::wireEventSource()
{
    EventSource *source = m_eventSource.get();
    connect(source, &EventSource::connecting, this, [this](int attempt) {
        if (const std::optional<TokenFormat> format = m_config.tokenFormat()) {
            if (AnswerRun *run = runningAnswer()) {
                run->ended(m_answerClock.elapsed(), QStringLiteral("asked again"));
            }
            m_answerRuns.emplace_back(*format, now(), m_answerClock.elapsed());
            while (m_answerRuns.size() > size_t(MaxAnswerRuns)) {
                m_answerRuns.pop_front();
            }
            const QPointer<Stream> self(this);
            emit answerChanged();
            if (!self) {
                return;
            }
        }
        reportConnecting(attempt);
    });
    connect(source, &EventSource::responseReceived, this, &Stream::reportResponse);
    connect(source, &EventSource::opened, this, [this](int status) {
        m_diagnostics->opened(now());
        if (AnswerRun *run = runningAnswer()) {
            run->headersReceived(m_answerClock.elapsed());
        }
        const QByteArray protocol = m_eventSource ? m_eventSource->protocol() : QByteArray();
        m_health.opened(now(), {}, protocol);
        // As streamscope-cli's open line says it: "open 200 (HTTP/2)".
        if (!emitLifecycle("open",
                protocol.isEmpty() ? QStringLiteral("open %1").arg(status)
                                   : QStringLiteral("open %1 (%2)")
                                         .arg(status)
                                         .arg(QString::fromLatin1(protocol)))) {
            return;
        }
        notifyHealth();
    });
    connect(source, &EventSource::bytesReceived, this, [this](qint64 bytes) {
        const qint64 at = now();
        m_diagnostics->dataArrived(at);
        m_health.received(at, bytes);
        m_healthDirty = true;
    });
    connect(source, &EventSource::eventReceived, this, [this](const SseEvent &event) {
        const qint64 at = now();
        m_diagnostics->eventArrived(at, event.lastEventId, event.data);
        m_health.eventArrived(at, event.lastEventId);
        m_healthDirty = true;
        if (!emitRow(StreamEvent::Kind::Event, event.type, event.lastEventId, event.data, false)) {
            return;
        }
        if (AnswerRun *run = runningAnswer()) {
            run->eventArrived(m_answerClock.elapsed(), event.type, event.data);
            emit answerChanged();
        }
    });
    connect(source, &EventSource::retryApplied, this, [this](int ms) {
        m_health.retryApplied(ms);
        m_healthDirty = true;
    });
    connect(source, &EventSource::certificateWarning, this, &Stream::warnAboutCertificate);
    connect(source, &EventSource::errorOccurred, this, [this](const QString &message, int status) {
        const QString text = withStatus(message, status);
        if (endAnswer(text)) {
            reportError(text);
        }
    });
    // Not an error: the message says how the stream resumes, and the reconnect row follows.
    connect(source, &EventSource::fellBehind, this, [this](const QString &message) {
        m_health.fellBehind(now(), message);
        m_healthDirty = true;
        emitLifecycle("behind", message);
    });
    connect(source, &EventSource::waiting, this, [this](const QString &message) {
        m_health.waiting(message);
        notifyHealth();
        if (!message.isEmpty()) {
            emitLifecycle("waiting", message);
        }
    });
    connect(source, &EventSource::reconnectScheduled, this, [this](int delayMs, int nextAttempt) {
        m_diagnostics->closed(now());
        reportReconnect(delayMs, nextAttempt);
    });
    connect(source, &EventSource::closed, this, [this](EventSource::CloseReason reason) {
        if (reason != EventSource::CloseReason::Requested) {
            m_diagnostics->closed(now());
        }
        switch (reason) {
        case EventSource::CloseReason::Requested:
            stopped(now(), false, QStringLiteral("closed"));
            break;
        case EventSource::CloseReason::NoContent:
            stopped(now(), false, QStringLiteral("closed: the server answered 204 No Content"));
            break;
        case EventSource::CloseReason::Fatal:
        case EventSource::CloseReason::GaveUp:
            stoppedAfterFailure(reason == EventSource::CloseReason::GaveUp);
            break;
        case EventSource::CloseReason::Complete: {
            // The response ended; whether the answer did is the format's to say.
            if (!endAnswer()) {
                return;
            }
            const AnswerRun *last = m_answerRuns.empty() ? nullptr : &m_answerRuns.back();
            if (last && last->outcome() == AnswerRun::Outcome::Interrupted) {
                m_health.failed(now(), last->interruption());
                stopped(now(), true,
                    QStringLiteral("closed: interrupted (%1)").arg(last->interruption()));
            } else {
                stopped(now(), false, QStringLiteral("closed: complete"));
            }
            break;
        }
        case EventSource::CloseReason::Interrupted:
            stopped(now(), true,
                QStringLiteral("closed: interrupted (%1); one-shot, so not sent again: run it "
                               "again to retry")
                    .arg(m_health.snapshot(now()).lastError));
            break;
        }
    });
}

} // namespace streamscope
