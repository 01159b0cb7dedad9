// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "diagnosisreporter.h"
#include "eventsource.h"

#include <QByteArray>
#include <QObject>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace streamscope {

class RecordSink;

// Follows one EventSource and reports what it does through a sink. The end of the run (the
// closed record) is the owner's job.
class SseSession : public QObject
{
    Q_OBJECT
public:
    using EventHandler = std::function<void(const SseEvent &event)>;

    // sink is not owned and must outlive the session.
    SseSession(QNetworkAccessManager *network, RecordSink *sink, QObject *parent = nullptr);

    // Takes every event over: the session writes nothing for them.
    void setEventHandler(EventHandler handler) { m_handler = std::move(handler); }
    // Diagnoses the stream from the next open() on, reporting findings as DiagnosisReporter.
    void diagnose(const StreamDiagnostics::Settings &settings);
    void open(const EventSourceSettings &settings, const QByteArray &urlText);
    // Stops without a report; nothing is emitted afterwards.
    void stop();
    const EventSource &source() const { return m_source; }
    EventSource &source() { return m_source; }

signals:
    // After the event was written.
    void eventWritten();
    // The source ended by itself. reason is the closed record's reason.
    void ended(const QByteArray &reason, int exitCode);

private:
    void handleConnecting(int attempt);
    void handleOpened(int status);
    void handleEvent(const SseEvent &event);
    void handleRetry(int ms);
    void handleCertificateWarning(const QString &message);
    void handleError(const QString &message, int status);
    void handleReconnect(int delayMs, int attempt);
    void handleFellBehind(const QString &message, int times);
    void handleClosed(EventSource::CloseReason reason);

    EventSource m_source;
    RecordSink *m_sink; // not owned
    QByteArray m_urlText;
    EventHandler m_handler;
    bool m_stopped = false;
    std::unique_ptr<DiagnosisReporter> m_diagnosis;
};

} // namespace streamscope
