// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "burstdetector.h"
#include "diagnosis.h"
#include "httpheaders.h"
#include "idletimeoutdetector.h"
#include "metricextractor.h"
#include "resumeaudit.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <deque>
#include <optional>

namespace streamscope {

// One stream's diagnoses: feeds the detectors what happens on its connections, and keeps the
// response heads of its latest attempts as their evidence. No clock and no signals: the stream
// feeds it and asks for findings() when it reports health.
class StreamDiagnostics
{
public:
    struct Settings
    {
        IdleTimeoutDetector::Transport transport = IdleTimeoutDetector::Transport::Sse;
        bool heartbeat = false; // WebSocket pings on
        // The number the resume audit follows: SSE event ids (it stops by itself when they are
        // not numbers), a payload field (dotted path, "seq"), or none.
        enum class Sequence {
            None,
            EventId,
            PayloadField,
        };
        Sequence sequence = Sequence::EventId;
        QString sequenceField;
        // The payload's production time (dotted path, "ts"), for the delivery delay; empty: the
        // burst detector goes by the arrival pattern alone.
        QString timeField;
        TimeUnit timeUnit = TimeUnit::Auto;
        qint64 minIdleSilenceMs = IdleTimeoutDetector::DefaultMinSilenceMs;
    };

    static constexpr int KeptResponses = 10;
    // A reconnect storm is found across streams (ReconnectSpread); each stream keeps it this long.
    static constexpr qint64 StormKeptMs = 5 * 60 * 1000;

    explicit StreamDiagnostics(const Settings &settings);

    // reconnect: this connection resumes the one before (not a fresh start by the user).
    void opened(qint64 ms, bool reconnect);
    void responseReceived(const ResponseHead &head);
    // Any bytes: events, comments, pings.
    void dataArrived(qint64 ms);
    void eventArrived(qint64 ms, QByteArrayView id, QByteArrayView payload);
    // byPeer: the server or something on the way ended it, as IdleTimeoutDetector::closed.
    void closed(qint64 ms, bool byPeer);
    void stormSeen(const Diagnosis &storm);
    void setPayloadClock(const QString &timeField, TimeUnit unit);

    // Current findings, in the order of Diagnosis::Kind.
    QList<Diagnosis> findings(qint64 nowMs) const;
    // The latest KeptResponses response heads, oldest first.
    const std::deque<ResponseHead> &responses() const { return m_responses; }
    // Null when this stream has no audit.
    const ResumeAudit *resumeAudit() const;
    // Of the latest event with a production time: arrival minus production, on the server's
    // clock (so off by the clocks' difference).
    std::optional<qint64> deliveryDelayMs() const { return m_deliveryDelayMs; }

private:
    std::optional<qint64> producedMs(QByteArrayView payload) const;

    Settings m_settings;
    ResumeAudit m_audit;
    IdleTimeoutDetector m_idle;
    BurstDetector m_bursts;
    QList<Diagnosis> m_headerFindings; // of the latest event-stream response
    std::optional<Diagnosis> m_storm;
    std::deque<ResponseHead> m_responses;
    std::optional<qint64> m_deliveryDelayMs;
};

} // namespace streamscope
