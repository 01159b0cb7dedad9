// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "diagnosis.h"

#include <QList>

#include <optional>

namespace streamscope {

// Connections that something on the way (a proxy, a load balancer) cuts after a fixed time
// without data: closed by the other end after about the same silence (within 10%) on two or
// more occasions. Fed the connection's moments with their times; no clock of its own.
class IdleTimeoutDetector
{
public:
    enum class Transport {
        Sse,
        WebSocket,
    };

    // A close after a shorter silence has other causes: a stream that pauses a second or two
    // and drops now and then would otherwise match by chance. Settable for tests against a
    // proxy with a short timeout.
    static constexpr qint64 DefaultMinSilenceMs = 5000;
    static constexpr int TolerancePercent = 10;
    static constexpr int MinCloses = 2;
    static constexpr int KeptCloses = 8; // the latest closes after a long enough silence
    // The finding clears, and its closes are forgotten, when no matching close came for this
    // many times the longest wait between two of them (a heartbeat keeps the connection open
    // now), or when data arrives after a silence more than TolerancePercent longer than the
    // timeout (nothing cuts at that time any more). Both are seen as data or closes arrive.
    static constexpr int ClearAfterIntervals = 3;

    // What the fix says: an SSE comment line, or the WebSocket heartbeat (on or off).
    void setTransport(Transport transport, bool heartbeat = false);
    void setMinSilenceMs(qint64 ms) { m_minSilenceMs = ms; }

    void opened(qint64 ms);
    // Any bytes: events, comments, pings and pongs all reset a proxy's idle timer.
    void dataArrived(qint64 ms);
    // byPeer: the other end or something on the way ended it (end of stream, reset, close
    // frame); false when we closed it (the user, our own stale check): not counted.
    void closed(qint64 ms, bool byPeer);

    std::optional<Diagnosis> finding() const;
    // The silence the closes come after, -1 without a finding.
    qint64 timeoutMs() const { return m_finding ? m_timeoutMs : -1; }

private:
    struct Close
    {
        qint64 atMs = 0;
        qint64 silenceMs = 0;
    };

    void update(qint64 ms, bool newClose);
    void expire(qint64 ms);
    void clear();

    Transport m_transport = Transport::Sse;
    bool m_heartbeat = false;
    qint64 m_minSilenceMs = DefaultMinSilenceMs;
    bool m_open = false;
    qint64 m_quietSinceMs = 0; // the last data, or the open
    QList<Close> m_closes;
    bool m_finding = false;
    qint64 m_firstSeenMs = 0;
    qint64 m_lastSeenMs = 0;
    qint64 m_timeoutMs = 0;
    qint64 m_intervalMs = 0; // the longest time between two matching closes
    int m_times = 0; // matching closes since the finding appeared
};

} // namespace streamscope
