// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "diagnosis.h"

#include <QByteArray>
#include <QList>
#include <QPair>

#include <optional>

namespace streamscope {

// Something on the way (a buffering proxy, compression) that holds a stream's events back and
// lets them through in bursts. Fed each event's arrival time, and its production time when the
// payload has one; no clock of its own.
//
// A clump is a run of events each arriving within BurstGapMs of the one before. It is a burst
// when it is not the first after opened() (that is a backlog) and:
// - with production times (once any event had one): at least MinProducedEvents of them were
//   produced at least MinSpreadMs apart, SpreadFactor times longer than the clump took to
//   arrive. That is the delivery delay's saw-tooth: it rises to about the burst interval while
//   nothing arrives and collapses when the burst does. A server that sends batches of events
//   produced together stays silent.
// - without: at least MinBurstEvents, after at least MinSilenceMs without events, and arriving
//   within a SilenceFactor-th of that silence. A server that sends batches looks the same, so
//   the text says "may".
// Buffering is found when MinBursts of the last KeptClumps clumps (the current one included, a
// backlog at the open left out) are bursts and hold MinBurstSharePercent of their events: a
// stream that otherwise flows and stalls now and then stays silent.
class BurstDetector final
{
    Q_DISABLE_COPY_MOVE(BurstDetector)
public:
    BurstDetector() = default;

    static constexpr qint64 BurstGapMs = 20;
    static constexpr int MinProducedEvents = 3;
    static constexpr qint64 MinSpreadMs = 500;
    static constexpr int SpreadFactor = 10;
    static constexpr int MinBurstEvents = 10;
    static constexpr qint64 MinSilenceMs = 1000;
    static constexpr int SilenceFactor = 10;
    static constexpr int MinBursts = 3;
    static constexpr int KeptClumps = 6;
    static constexpr int MinBurstSharePercent = 80;
    // The finding clears after no burst for ClearAfterIntervals times the burst interval, and at
    // least MinClearMs, of events arriving.
    static constexpr int ClearAfterIntervals = 3;
    static constexpr qint64 MinClearMs = 30000;

    // A connection opened: its first clump may be a backlog the server replays at once.
    void opened(qint64 ms);
    // producedMs: the payload's time field, on any clock (only differences between events
    // count, so a server clock that is off does not matter).
    void eventArrived(qint64 arrivalMs, std::optional<qint64> producedMs = std::nullopt);

    std::optional<Diagnosis> finding() const;

    // What one event-stream response says about buffering on the way: Content-Encoding
    // (compression buffers), and a proxy (Via, or Server: nginx) without X-Accel-Buffering: no,
    // a weaker "may buffer" (nginx does not pass that header on, so it shows behind nginx even
    // when buffering is off). Nothing for other content types. ms: when the response came, for
    // the findings' first and last seen times.
    static QList<Diagnosis> responseHeaderFindings(
        const QList<QPair<QByteArray, QByteArray>> &headers, qint64 ms);

private:
    struct Clump
    {
        qint64 startMs = 0;
        qint64 lastMs = 0;
        qint64 count = 0;
        qint64 silenceBeforeMs = -1; // -1: the first after opening
        qint64 produced = 0; // events with a production time
        qint64 producedMinMs = 0;
        qint64 producedMaxMs = 0;
    };

    bool isBurst(const Clump &clump) const;
    void closeClump();
    void evaluate(qint64 ms);
    void expire(qint64 ms);

    bool m_hasClump = false;
    bool m_afterOpen = true; // the next clump is the first of a connection
    bool m_producedSeen = false;
    Clump m_current;
    qint64 m_lastArrivalMs = 0;
    QList<Clump> m_closed; // the last KeptClumps - 1, oldest first
    bool m_finding = false;
    qint64 m_firstSeenMs = 0;
    qint64 m_lastSeenMs = 0;
    qint64 m_burstSize = 0;
    qint64 m_intervalMs = 0;
    qint64 m_paceMs = -1; // the production interval within bursts, -1 without times
};

} // namespace streamscope
