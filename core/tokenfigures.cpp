// SPDX-License-Identifier: GPL-3.0-or-later
#include "tokenfigures.h"

#include <bit>

namespace streamscope {

namespace {

// Values under 1024 are their own bucket; larger ones keep their top ten bits.
qint64 bucketOf(qint64 gap)
{
    if (gap < 1024) {
        return gap;
    }
    const int shift = std::bit_width(quint64(gap)) - 10;
    return (gap >> shift) << shift;
}

qint64 codePoints(QStringView text)
{
    qint64 count = 0;
    for (QChar c : text) {
        if (!c.isLowSurrogate()) {
            ++count;
        }
    }
    return count;
}

} // namespace

void TokenTimer::requestSent(qint64 ms)
{
    *this = TokenTimer();
    m_sentMs = ms;
}

void TokenTimer::headersReceived(qint64 ms)
{
    m_headersMs = ms;
}

void TokenTimer::delta(qint64 ms, QStringView text)
{
    if (text.isEmpty()) {
        return;
    }
    if (m_firstDeltaMs < 0) {
        m_firstDeltaMs = ms;
    } else {
        addGap(qMax<qint64>(0, ms - m_lastDeltaMs));
    }
    // A clock that went back does not move the last delta back.
    m_lastDeltaMs = qMax(ms, m_lastDeltaMs);
    ++m_deltas;
    m_characters += codePoints(text);
}

void TokenTimer::finished(qint64 ms)
{
    if (m_finishedMs < 0) {
        m_finishedMs = ms;
    }
}

void TokenTimer::setUsage(const TokenUsage &usage)
{
    m_usage = usage;
}

TokenTimer::Figures TokenTimer::figures(qint64 nowMs) const
{
    Figures figures;
    if (m_sentMs >= 0) {
        if (m_headersMs >= 0) {
            figures.timeToHeadersMs = m_headersMs - m_sentMs;
        }
        if (m_firstDeltaMs >= 0) {
            figures.timeToFirstTokenMs = m_firstDeltaMs - m_sentMs;
        }
        figures.durationMs = (m_finishedMs >= 0 ? m_finishedMs : nowMs) - m_sentMs;
    }
    if (m_usage.outputTokens >= 0) {
        figures.outputTokens = m_usage.outputTokens;
    } else {
        figures.outputTokens = (m_characters + 3) / 4;
        figures.estimated = true;
        figures.estimateRule = estimateRule();
    }
    const qint64 span = m_lastDeltaMs - m_firstDeltaMs;
    if (m_deltas >= 2 && span > 0) {
        const double after = double(figures.outputTokens) * (m_deltas - 1) / m_deltas;
        figures.tokensPerSecond = after * 1000.0 / double(span);
    }
    if (m_gapCount > 0) {
        figures.gapP50Ms = percentile(50);
        figures.gapP99Ms = percentile(99);
        figures.gapMaxMs = m_gapMax;
    }
    figures.deltas = m_deltas;
    figures.inputTokens = m_usage.inputTokens;
    return figures;
}

QList<qint64> TokenTimer::gaps() const
{
    return m_gaps.size() > KeptGaps ? m_gaps.sliced(m_gaps.size() - KeptGaps) : m_gaps;
}

QString TokenTimer::estimateRule()
{
    return QStringLiteral("≈ 1 token per 4 characters");
}

void TokenTimer::addGap(qint64 gap)
{
    ++m_histogram[bucketOf(gap)];
    ++m_gapCount;
    m_gapMax = qMax(m_gapMax, gap);
    // Trimmed a window at a time, so each gap is moved at most once.
    if (m_gaps.size() >= 2 * KeptGaps) {
        m_gaps.remove(0, KeptGaps);
    }
    m_gaps.append(gap);
}

// The smallest gap that at least percent% of the gaps do not exceed.
qint64 TokenTimer::percentile(int percent) const
{
    const qint64 rank = qMax<qint64>(1, (m_gapCount * percent + 99) / 100);
    qint64 seen = 0;
    for (const auto &[bucket, count] : m_histogram) {
        seen += count;
        if (seen >= rank) {
            return qMin(bucket, m_gapMax);
        }
    }
    return m_gapMax;
}

} // namespace streamscope
