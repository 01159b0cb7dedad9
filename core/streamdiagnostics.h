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
        // Our own dead-link check (SSE's idle timeout, the WebSocket ping interval), 0: none. A
        // close after at least this long without data is ours, not the other end's.
        qint64 ownDeadLinkCheckMs = 0;
    };

    // What update() found new since the last time.
    struct Changes
    {
        QList<Diagnosis> appeared; // new, or back after it had cleared
        QList<Diagnosis> cleared;
        bool changed = false; // also true when only figures moved
    };

    static constexpr int KeptResponses = 10;
    // A reconnect storm is found across streams (ReconnectSpread); each stream keeps it this long.
    static constexpr qint64 StormKeptMs = 5 * 60 * 1000;

    explicit StreamDiagnostics(const Settings &settings);

    // A connection opened: the first resumes nothing, the later ones resume the one before.
    void opened(qint64 ms);
    void responseReceived(const ResponseHead &head);
    // Any bytes: events, comments, pings.
    void dataArrived(qint64 ms);
    // payload: parsed only for a time field or a sequence field set in the settings.
    void eventArrived(qint64 ms, QByteArrayView id, const QByteArray &payload);
    // The open connection ended (the user's own close is not reported): by the other end, or
    // by our own dead-link check when it came after ownDeadLinkCheckMs without data.
    void closed(qint64 ms);
    void stormSeen(const Diagnosis &storm);
    void setPayloadClock(const QString &timeField, TimeUnit unit);

    // Current findings, in the order of Diagnosis::Kind.
    QList<Diagnosis> findings(qint64 nowMs) const;
    // Takes the findings as of now as current(), and says how they differ from the last ones:
    // a finding is the same while its kind and first sighting are (its figures move).
    Changes update(qint64 nowMs);
    const QList<Diagnosis> &current() const { return m_current; }
    // The latest KeptResponses response heads, oldest first.
    const std::deque<ResponseHead> &responses() const { return m_responses; }
    // Null when this stream has no audit.
    const ResumeAudit *resumeAudit() const;
    // Of the latest event with a production time: arrival minus production, on the server's
    // clock (so off by the clocks' difference).
    std::optional<qint64> deliveryDelayMs() const { return m_deliveryDelayMs; }

private:
    std::optional<qint64> producedMs(const QByteArray &payload) const;

    Settings m_settings;
    ResumeAudit m_audit;
    IdleTimeoutDetector m_idle;
    BurstDetector m_bursts;
    QList<Diagnosis> m_headerFindings; // of the latest event-stream response
    std::optional<Diagnosis> m_storm;
    std::deque<ResponseHead> m_responses;
    std::optional<qint64> m_deliveryDelayMs;
    QList<Diagnosis> m_current;
    bool m_openedBefore = false;
    bool m_open = false;
    qint64 m_lastDataMs = 0;
};

} // namespace streamscope
