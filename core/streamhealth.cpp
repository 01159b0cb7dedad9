// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamhealth.h"

#include <algorithm>

namespace streamscope {

namespace {

// Weight of the newest gap in the typical-gap average: a few gaps move it, one outlier does not.
constexpr double s_gapWeight = 0.2;

qint64 secondOf(qint64 ms)
{
    return ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
}

} // namespace

void HealthTracker::connecting(qint64 nowMs, int attempt)
{
    m_health.attempt = attempt;
    m_health.openSinceMs = 0;
    m_health.extensions.clear(); // they were the ended connection's
    m_health.nextAttemptAtMs = 0;
    setState(HealthState::Connecting, nowMs);
}

void HealthTracker::opened(qint64 nowMs, const QString &extensions, const QByteArray &protocol)
{
    m_health.openSinceMs = nowMs;
    m_health.extensions = extensions;
    m_health.protocol = protocol;
    m_health.nextAttemptAtMs = 0;
    setState(HealthState::Open, nowMs);
}

void HealthTracker::received(qint64 nowMs, qint64 bytes)
{
    if (bytes <= 0) {
        return;
    }
    m_health.bytes += quint64(bytes);
    addToRate(nowMs, 0, quint64(bytes));
}

void HealthTracker::eventArrived(qint64 nowMs, const QByteArray &lastEventId)
{
    // Only gaps within one connection: the wait across a reconnect is not the stream's pace.
    if (m_health.lastEventAtMs > 0 && m_health.openSinceMs > 0
        && m_health.lastEventAtMs >= m_health.openSinceMs) {
        const double gap = double(std::max<qint64>(0, nowMs - m_health.lastEventAtMs));
        m_typicalGapMs
            = m_gapMeasured ? m_typicalGapMs + s_gapWeight * (gap - m_typicalGapMs) : gap;
        m_gapMeasured = true;
    }
    ++m_health.events;
    m_health.lastEventAtMs = nowMs;
    if (!lastEventId.isEmpty()) {
        m_health.lastEventId = lastEventId;
    }
    addToRate(nowMs, 1, 0);
}

void HealthTracker::failed(qint64 nowMs, const QString &message)
{
    m_health.lastError = message;
    m_health.lastErrorAtMs = nowMs;
}

void HealthTracker::reconnectScheduled(qint64 nowMs, int delayMs)
{
    ++m_health.reconnects;
    m_health.openSinceMs = 0;
    m_health.extensions.clear(); // they were the ended connection's
    m_health.nextAttemptAtMs = nowMs + std::max(0, delayMs);
    setState(HealthState::Reconnecting, nowMs);
}

void HealthTracker::stoppedFatally(qint64 nowMs, const QString &reason)
{
    if (!reason.isEmpty()) {
        m_health.lastError = reason;
        m_health.lastErrorAtMs = nowMs;
    }
    m_health.openSinceMs = 0;
    m_health.extensions.clear(); // they were the ended connection's
    m_health.nextAttemptAtMs = 0;
    setState(HealthState::Failed, nowMs);
}

void HealthTracker::fellBehind(qint64 nowMs, const QString &message)
{
    ++m_health.timesFellBehind;
    m_health.fellBehindMessage = message;
    m_health.fellBehindAtMs = nowMs;
}

void HealthTracker::disconnected(qint64 nowMs)
{
    m_health.openSinceMs = 0;
    m_health.extensions.clear(); // they were the ended connection's
    m_health.nextAttemptAtMs = 0;
    setState(HealthState::Disconnected, nowMs);
}

qint64 HealthTracker::staleAfterMs() const
{
    // Before two events there is no pace to judge by: allow StaleFactor times the minimum.
    const double byPace
        = m_gapMeasured ? StaleFactor * m_typicalGapMs : double(StaleFactor) * MinStaleMs;
    return std::max<qint64>(MinStaleMs, qint64(byPace));
}

StreamHealth HealthTracker::snapshot(qint64 nowMs) const
{
    StreamHealth health = m_health;
    if (health.state == HealthState::Open) {
        const qint64 silentSince = std::max(health.openSinceMs, health.lastEventAtMs);
        qint64 limit = staleAfterMs();
        if (m_idleTimeoutMs > 0) {
            limit = std::min<qint64>(limit, m_idleTimeoutMs);
        }
        if (nowMs - silentSince > limit) {
            health.state = HealthState::Stale;
            health.stateSinceMs = silentSince + limit;
        }
    }
    // Whole seconds only: the current one is still filling.
    const qint64 now = secondOf(nowMs);
    quint64 events = 0;
    quint64 bytes = 0;
    for (const Second &second : m_seconds) {
        if (second.second >= now - RateWindowSeconds && second.second < now) {
            events += second.events;
            bytes += second.bytes;
        }
    }
    // A stream younger than the window is averaged over the seconds it has had.
    const qint64 seconds = m_firstSecond < 0
        ? RateWindowSeconds
        : std::clamp<qint64>(now - m_firstSecond, 1, RateWindowSeconds);
    health.eventsPerSecond = double(events) / double(seconds);
    health.bytesPerSecond = double(bytes) / double(seconds);
    return health;
}

void HealthTracker::setState(HealthState state, qint64 nowMs)
{
    m_health.waitingFor.clear();
    if (m_health.state != state) {
        m_health.state = state;
        m_health.stateSinceMs = nowMs;
    }
}

void HealthTracker::addToRate(qint64 nowMs, quint64 events, quint64 bytes)
{
    const qint64 now = secondOf(nowMs);
    if (m_firstSecond < 0) {
        m_firstSecond = now;
    }
    Second &slot = m_seconds[size_t(now % qint64(m_seconds.size()))];
    if (slot.second != now) {
        slot = Second{now, 0, 0};
    }
    slot.events += events;
    slot.bytes += bytes;
}

QString healthStateName(HealthState state)
{
    switch (state) {
    case HealthState::Disconnected:
        return QStringLiteral("disconnected");
    case HealthState::Connecting:
        return QStringLiteral("connecting");
    case HealthState::Open:
        return QStringLiteral("open");
    case HealthState::Stale:
        return QStringLiteral("stale");
    case HealthState::Reconnecting:
        return QStringLiteral("reconnecting");
    case HealthState::Failed:
        return QStringLiteral("failed");
    }
    return QString();
}

} // namespace streamscope
