// SPDX-License-Identifier: GPL-3.0-or-later
#include "idletimeoutdetector.h"

#include <algorithm>

namespace streamscope {

namespace {

bool isNear(qint64 silenceMs, qint64 centreMs)
{
    return qAbs(silenceMs - centreMs) * 100 <= centreMs * IdleTimeoutDetector::TolerancePercent;
}

// Half the timeout, rounded down to what the text shows, so "every 30 s" is never above half.
qint64 halfOf(qint64 timeoutMs)
{
    const qint64 half = timeoutMs / 2;
    return half >= 10000 ? half - half % 1000 : half >= 1000 ? half - half % 100 : half;
}

} // namespace

void IdleTimeoutDetector::setTransport(Transport transport, bool heartbeat)
{
    m_transport = transport;
    m_heartbeat = heartbeat;
}

void IdleTimeoutDetector::opened(qint64 ms)
{
    m_open = true;
    m_quietSinceMs = ms;
    expire(ms);
}

void IdleTimeoutDetector::dataArrived(qint64 ms)
{
    if (!m_open) { // no opened() told: the connection is open since its first data
        opened(ms);
    }
    const qint64 silence = ms - m_quietSinceMs;
    m_quietSinceMs = std::max(m_quietSinceMs, ms);
    // The connection outlived this silence: a close after a clearly shorter one was not cut by
    // a fixed idle timeout.
    const qsizetype removed = m_closes.removeIf([silence](const Close &close) {
        return silence * 100 > close.silenceMs * (100 + TolerancePercent);
    });
    if (removed > 0 && m_finding) {
        update(ms, false);
    }
    expire(ms);
}

void IdleTimeoutDetector::closed(qint64 ms, bool byPeer)
{
    if (!m_open) {
        return;
    }
    m_open = false;
    const qint64 silence = ms - m_quietSinceMs;
    if (!byPeer || silence < m_minSilenceMs) {
        expire(ms);
        return;
    }
    m_closes.append({ms, silence});
    if (m_closes.size() > KeptCloses) {
        m_closes.removeFirst();
    }
    update(ms, true);
}

// The largest group of kept closes within TolerancePercent of one of them (ties: the latest).
void IdleTimeoutDetector::update(qint64 ms, bool newClose)
{
    qsizetype bestSize = 0;
    qint64 centre = 0;
    for (const Close &candidate : std::as_const(m_closes)) {
        const qsizetype size
            = std::count_if(m_closes.cbegin(), m_closes.cend(), [&candidate](const Close &close) {
                  return isNear(close.silenceMs, candidate.silenceMs);
              });
        if (size >= bestSize) {
            bestSize = size;
            centre = candidate.silenceMs;
        }
    }
    if (bestSize < MinCloses) { // the closes are kept: later ones may match them
        m_finding = false;
        m_times = 0;
        return;
    }
    QList<qint64> silences;
    qint64 previousAtMs = -1;
    m_intervalMs = 0;
    for (const Close &close : std::as_const(m_closes)) {
        if (isNear(close.silenceMs, centre)) {
            silences.append(close.silenceMs);
            if (previousAtMs >= 0) {
                m_intervalMs = std::max(m_intervalMs, close.atMs - previousAtMs);
            }
            previousAtMs = close.atMs;
        }
    }
    std::sort(silences.begin(), silences.end());
    m_timeoutMs = silences[(silences.size() - 1) / 2]; // the lower median: one of the silences
    m_lastSeenMs = previousAtMs;
    const bool latestMatches = newClose && isNear(m_closes.last().silenceMs, centre);
    if (!m_finding) {
        m_finding = true;
        m_firstSeenMs = ms;
        m_times = int(bestSize);
    } else if (latestMatches) {
        ++m_times;
    }
}

// Matching closes stopped: the connection stays up ClearAfterIntervals times longer than the
// longest wait between two of them.
void IdleTimeoutDetector::expire(qint64 ms)
{
    if (m_finding
        && ms - m_lastSeenMs >= ClearAfterIntervals * std::max(m_intervalMs, m_timeoutMs)) {
        clear();
    }
}

void IdleTimeoutDetector::clear()
{
    m_closes.clear();
    m_finding = false;
    m_times = 0;
}

std::optional<Diagnosis> IdleTimeoutDetector::finding() const
{
    if (!m_finding) {
        return std::nullopt;
    }
    const QString half = diagnosisDuration(halfOf(m_timeoutMs));
    Diagnosis diagnosis;
    diagnosis.kind = Diagnosis::Kind::IdleTimeout;
    diagnosis.title = QStringLiteral("Idle timeout on the way");
    diagnosis.evidence = QStringLiteral("The connection is closed after about %1 without data (%2 "
                                        "times): an idle timeout on the way (proxy or load "
                                        "balancer).")
                             .arg(diagnosisDuration(m_timeoutMs))
                             .arg(m_times);
    const QString raise = QStringLiteral("or raise the timeout (nginx: proxy_read_timeout).");
    if (m_transport == Transport::Sse) {
        diagnosis.fix = QStringLiteral("Have the server send a comment line every %1 (half the "
                                       "timeout), %2")
                            .arg(half, raise);
    } else if (!m_heartbeat) {
        diagnosis.fix
            = QStringLiteral("Turn the heartbeat on, with a ping every %1 (half the timeout), %2")
                  .arg(half, raise);
    } else {
        diagnosis.fix = QStringLiteral("The heartbeat did not keep it open: ping every %1 (half "
                                       "the timeout) and check that the server answers, %2")
                            .arg(half, raise);
    }
    diagnosis.firstSeenMs = m_firstSeenMs;
    diagnosis.lastSeenMs = m_lastSeenMs;
    diagnosis.figures = {{"timeoutMs", m_timeoutMs}, {"closes", m_times}};
    return diagnosis;
}

} // namespace streamscope
