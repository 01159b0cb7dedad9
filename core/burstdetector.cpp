// SPDX-License-Identifier: GPL-3.0-or-later
#include "burstdetector.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace streamscope {

namespace {

// Production times come from payloads and may be anything: the spread is taken unsigned, so two
// extreme values cannot overflow.
double spreadOf(qint64 minMs, qint64 maxMs)
{
    return double(quint64(maxMs) - quint64(minMs));
}

std::optional<QByteArray> headerValue(
    const QList<QPair<QByteArray, QByteArray>> &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value.trimmed();
        }
    }
    return std::nullopt;
}

// A header as the text shows it, cut short: values come from the server.
QString shown(QByteArrayView name, const QByteArray &value)
{
    return QString::fromLatin1(name) + QStringLiteral(": ") + QString::fromLatin1(value.left(80));
}

} // namespace

void BurstDetector::opened(qint64 ms)
{
    closeClump();
    m_afterOpen = true;
    expire(ms);
}

void BurstDetector::eventArrived(qint64 arrivalMs, std::optional<qint64> producedMs)
{
    if (!m_hasClump || arrivalMs - m_current.lastMs > BurstGapMs) {
        closeClump();
        m_current = Clump();
        m_current.startMs = arrivalMs;
        m_current.lastMs = arrivalMs;
        m_current.silenceBeforeMs
            = m_afterOpen ? -1 : std::max<qint64>(0, arrivalMs - m_lastArrivalMs);
        m_afterOpen = false;
        m_hasClump = true;
    }
    m_current.lastMs = std::max(m_current.lastMs, arrivalMs);
    ++m_current.count;
    if (producedMs) {
        m_producedSeen = true;
        if (m_current.produced == 0) {
            m_current.producedMinMs = *producedMs;
            m_current.producedMaxMs = *producedMs;
        }
        m_current.producedMinMs = std::min(m_current.producedMinMs, *producedMs);
        m_current.producedMaxMs = std::max(m_current.producedMaxMs, *producedMs);
        ++m_current.produced;
    }
    m_lastArrivalMs = std::max(m_lastArrivalMs, arrivalMs);
    evaluate(arrivalMs);
}

void BurstDetector::closeClump()
{
    if (!m_hasClump) {
        return;
    }
    m_closed.append(m_current);
    if (m_closed.size() > KeptClumps - 1) {
        m_closed.removeFirst();
    }
    m_hasClump = false;
}

bool BurstDetector::isBurst(const Clump &clump) const
{
    if (clump.silenceBeforeMs < 0) {
        return false;
    }
    const qint64 span = clump.lastMs - clump.startMs;
    if (m_producedSeen) {
        const double spread = spreadOf(clump.producedMinMs, clump.producedMaxMs);
        return clump.produced >= MinProducedEvents && spread >= MinSpreadMs
            && spread >= double(SpreadFactor) * double(span);
    }
    return clump.count >= MinBurstEvents && clump.silenceBeforeMs >= MinSilenceMs
        && span * SilenceFactor <= clump.silenceBeforeMs;
}

void BurstDetector::evaluate(qint64 ms)
{
    int bursts = 0;
    qint64 burstEvents = 0;
    qint64 allEvents = 0;
    qint64 firstStartMs = 0;
    qint64 lastStartMs = 0;
    double spreads = 0;
    qint64 producedGaps = 0;
    const auto count = [&](const Clump &clump) {
        if (clump.silenceBeforeMs < 0) {
            return; // a backlog at the open: no evidence either way
        }
        allEvents += clump.count;
        if (!isBurst(clump)) {
            return;
        }
        if (bursts == 0) {
            firstStartMs = clump.startMs;
        }
        lastStartMs = clump.startMs;
        ++bursts;
        burstEvents += clump.count;
        if (clump.produced > 1) {
            spreads += spreadOf(clump.producedMinMs, clump.producedMaxMs);
            producedGaps += clump.produced - 1;
        }
    };
    for (const Clump &clump : std::as_const(m_closed)) {
        count(clump);
    }
    count(m_current);
    if (bursts >= MinBursts && burstEvents * 100 >= allEvents * MinBurstSharePercent) {
        if (!m_finding) {
            m_finding = true;
            m_firstSeenMs = ms;
        }
        m_lastSeenMs = ms;
        m_burstSize = std::llround(double(burstEvents) / bursts);
        m_intervalMs = (lastStartMs - firstStartMs) / (bursts - 1);
        m_paceMs = m_producedSeen && producedGaps > 0
            ? qint64(std::min(spreads / double(producedGaps), 1e15))
            : -1;
        return;
    }
    if (m_finding && isBurst(m_current)) {
        m_lastSeenMs = ms; // fewer bursts in the window, but they go on
    }
    expire(ms);
}

void BurstDetector::expire(qint64 ms)
{
    if (m_finding
        && ms - m_lastSeenMs >= std::max(MinClearMs, ClearAfterIntervals * m_intervalMs)) {
        m_finding = false;
    }
}

std::optional<Diagnosis> BurstDetector::finding() const
{
    if (!m_finding) {
        return std::nullopt;
    }
    Diagnosis diagnosis;
    diagnosis.kind = Diagnosis::Kind::ProxyBuffering;
    diagnosis.title = QStringLiteral("Events arrive in bursts");
    diagnosis.evidence = m_paceMs >= 0
        ? QStringLiteral("Events arrive in bursts of about %1 every %2 although the server sends "
                         "them every %3: something on the way buffers the stream.")
              .arg(m_burstSize)
              .arg(diagnosisDuration(m_intervalMs), diagnosisDuration(m_paceMs))
        : QStringLiteral("Events arrive in bursts of about %1 every %2 with silence between: "
                         "something on the way may buffer the stream, unless the server sends "
                         "them in batches.")
              .arg(m_burstSize)
              .arg(diagnosisDuration(m_intervalMs));
    diagnosis.fix = QStringLiteral("For nginx: `proxy_buffering off;` or have the server send "
                                   "`X-Accel-Buffering: no`; do not compress event streams.");
    diagnosis.firstSeenMs = m_firstSeenMs;
    diagnosis.lastSeenMs = m_lastSeenMs;
    diagnosis.figures = {{"burstEvents", m_burstSize}, {"intervalMs", m_intervalMs}};
    if (m_paceMs >= 0) {
        diagnosis.figures.append({"paceMs", m_paceMs});
    }
    return diagnosis;
}

QList<Diagnosis> BurstDetector::responseHeaderFindings(
    const QList<QPair<QByteArray, QByteArray>> &headers, qint64 ms)
{
    QList<Diagnosis> found;
    const QByteArray type = headerValue(headers, "Content-Type").value_or(QByteArray());
    const qsizetype semicolon = type.indexOf(';');
    if ((semicolon < 0 ? type : type.left(semicolon))
            .trimmed()
            .compare("text/event-stream", Qt::CaseInsensitive)
        != 0) {
        return found;
    }
    Diagnosis diagnosis;
    diagnosis.firstSeenMs = ms;
    diagnosis.lastSeenMs = ms;
    const QByteArray encoding = headerValue(headers, "Content-Encoding").value_or(QByteArray());
    if (!encoding.isEmpty() && encoding.compare("identity", Qt::CaseInsensitive) != 0) {
        diagnosis.kind = Diagnosis::Kind::CompressedStream;
        diagnosis.title = QStringLiteral("Compressed event stream");
        diagnosis.evidence = QStringLiteral("The event stream is compressed (%1): compression "
                                            "holds events back until a block fills.")
                                 .arg(shown("Content-Encoding", encoding));
        diagnosis.fix = QStringLiteral("Do not compress event streams (nginx: leave "
                                       "text/event-stream out of gzip_types).");
        found.append(diagnosis);
    }
    const std::optional<QByteArray> via = headerValue(headers, "Via");
    const QByteArray server = headerValue(headers, "Server").value_or(QByteArray());
    const bool nginx = server.left(5).compare("nginx", Qt::CaseInsensitive) == 0;
    const QByteArray accel = headerValue(headers, "X-Accel-Buffering").value_or(QByteArray());
    if ((via || nginx) && accel.compare("no", Qt::CaseInsensitive) != 0) {
        diagnosis.kind = Diagnosis::Kind::ProxyMayBuffer;
        diagnosis.title = QStringLiteral("A proxy may buffer the stream");
        diagnosis.evidence = QStringLiteral("The response came through a proxy (%1) without "
                                            "X-Accel-Buffering: no: it may hold events back.")
                                 .arg(via ? shown("Via", *via) : shown("Server", server));
        diagnosis.fix = QStringLiteral("If events arrive late or in bursts: for nginx "
                                       "`proxy_buffering off;` or have the server send "
                                       "`X-Accel-Buffering: no`.");
        found.append(diagnosis);
    }
    return found;
}

} // namespace streamscope
