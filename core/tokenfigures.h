// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "tokenstream.h"

#include <QList>
#include <QString>
#include <QStringView>

#include <map>

namespace streamscope {

// The timing figures of one LLM answer (time to first token, tokens/s, inter-token gaps) from
// the times the caller reports, in ms of a monotonic clock. Pure arithmetic, no clock of its own.
class TokenTimer
{
public:
    static constexpr qsizetype KeptGaps = 4096; // the gaps() window, for the sparkline

    struct Figures
    {
        // From requestSent; -1 until the moment happened.
        qint64 timeToHeadersMs = -1;
        qint64 timeToFirstTokenMs = -1; // to the first non-empty delta
        qint64 durationMs = -1; // to finished(), or to nowMs while not finished
        // The usage's output tokens when the server sent them; else estimated (estimated is
        // true and estimateRule says how): 1 token per 4 characters (Unicode code points) of
        // every delta's text, rounded up.
        qint64 outputTokens = -1;
        bool estimated = false;
        QString estimateRule;
        // The pace after the first delta: the output tokens that came after the first delta,
        // over the time from the first delta to the last. Those tokens are outputTokens *
        // (deltas - 1) / deltas: the first delta's share arrived within the time to first
        // token. With one token per delta that is (deltas - 1) / span, so deltas 50 ms apart
        // read 20 tokens/s. -1 with fewer than two deltas or no time between them.
        double tokensPerSecond = -1;
        // Nearest-rank percentiles of the gaps between consecutive deltas, over every gap of the
        // run: exact below 1024 ms, within 0.2% above (a bounded histogram). gapMaxMs is exact.
        qint64 gapP50Ms = -1;
        qint64 gapP99Ms = -1;
        qint64 gapMaxMs = -1;
        int deltas = 0;
        qint64 inputTokens = -1; // the usage's, -1 when the server did not say
    };

    // A run starts: everything before is forgotten.
    void requestSent(qint64 ms);
    void headersReceived(qint64 ms);
    // Each non-empty delta of answer, thinking or tool call text, as it arrives; empty text is
    // ignored.
    void delta(qint64 ms, QStringView text);
    // The end of the answer, complete or interrupted; the first call counts.
    void finished(qint64 ms);
    // The latest usage the stream reported; its output tokens make the figures exact.
    void setUsage(const TokenUsage &usage);

    // Live: while not finished, durationMs runs to nowMs.
    Figures figures(qint64 nowMs) const;
    // The last KeptGaps gaps between deltas, oldest first.
    QList<qint64> gaps() const;

    static QString estimateRule();

private:
    void addGap(qint64 gap);
    qint64 percentile(int percent) const;

    qint64 m_sentMs = -1;
    qint64 m_headersMs = -1;
    qint64 m_firstDeltaMs = -1;
    qint64 m_lastDeltaMs = -1;
    qint64 m_finishedMs = -1;
    int m_deltas = 0;
    qint64 m_characters = 0;
    TokenUsage m_usage;
    // Gap histogram: bucket lower bound -> count. Below 1024 ms one bucket per ms; above, 512
    // buckets per power of two, so at most 1024 + 54 * 512 keys.
    std::map<qint64, qint64> m_histogram;
    qint64 m_gapCount = 0;
    qint64 m_gapMax = -1;
    QList<qint64> m_gaps; // the window, with up to KeptGaps older ones before it
};

} // namespace streamscope
