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

class RecordWriter;

// Follows one EventSource and reports it: NDJSON records on out, or readable event lines on
// out and lifecycle lines on err. The end of the run (the closed record) is the owner's job.
class SseSession : public QObject
{
    Q_OBJECT
public:
    struct Output
    {
        RecordWriter *out = nullptr; // not owned
        RecordWriter *err = nullptr; // not owned
        bool json = false;
        QByteArray stream; // when set, each record names its stream ("stream":S)
        bool showRetry = true; // readable mode: a line for each retry the server applies
    };
    using EventPrinter = std::function<void(const SseEvent &event)>;

    SseSession(QNetworkAccessManager *network, const Output &output, QObject *parent = nullptr);

    // Replaces the readable event line (not the JSON record).
    void setEventPrinter(EventPrinter printer) { m_printer = std::move(printer); }
    // Takes every event over, in both modes: the session writes nothing for them.
    void setEventHandler(EventPrinter handler) { m_handler = std::move(handler); }
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
    void lifecycle(const QByteArray &line, const char *colour);

    EventSource m_source;
    Output m_output;
    QByteArray m_urlText;
    EventPrinter m_printer;
    EventPrinter m_handler;
    bool m_stopped = false;
    std::unique_ptr<DiagnosisReporter> m_diagnosis;
};

} // namespace streamscope
