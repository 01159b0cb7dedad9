// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QPair>
#include <QString>

#include <cmath>

namespace streamscope {

// One thing found wrong between a server and us, in words: what it is, the evidence with its
// figures, and what to change. The detectors (ResumeAudit, IdleTimeoutDetector, BurstDetector)
// keep their current findings and drop them when the evidence stops.
struct Diagnosis
{
    enum class Kind {
        ProxyBuffering, // events the server spread out arrive in bursts
        CompressedStream, // Content-Encoding on text/event-stream: compression buffers
        ProxyMayBuffer, // Via or Server: nginx without X-Accel-Buffering: no (weaker)
        IdleTimeout, // closed after about the same silence each time
        ResumeIgnored, // after a reconnect the ids went back: events repeated
        ResumeGaps, // numbers missing
        ResumeDuplicates, // ids seen before, outside a replay after a reconnect
        ResumeOutOfOrder, // ids below one seen already, not seen before
        ReconnectStorm, // many streams to one origin failed together (found across streams)
    };

    Kind kind = Kind::ProxyBuffering;
    QString title; // a few words, for a badge or a heading
    QString evidence; // what was seen, with the figures
    QString fix; // what to change
    // ms since the Unix epoch: when this finding appeared (again, after it had cleared), and
    // the latest evidence. lastSeenMs moves with the evidence: compare kind and evidence to tell
    // a changed finding from a confirmed one.
    qint64 firstSeenMs = 0;
    qint64 lastSeenMs = 0;
    // The figures in the evidence by name ("timeoutMs", "events"), for records and series.
    QList<QPair<QByteArray, qint64>> figures;

    bool operator==(const Diagnosis &other) const = default;
};

// The stable code of a kind: the CLI's "code" and a key for settings or tests.
inline QString diagnosisKindName(Diagnosis::Kind kind)
{
    switch (kind) {
    case Diagnosis::Kind::ProxyBuffering:
        return QStringLiteral("proxy-buffering");
    case Diagnosis::Kind::CompressedStream:
        return QStringLiteral("compressed-stream");
    case Diagnosis::Kind::ProxyMayBuffer:
        return QStringLiteral("proxy-may-buffer");
    case Diagnosis::Kind::IdleTimeout:
        return QStringLiteral("idle-timeout");
    case Diagnosis::Kind::ResumeIgnored:
        return QStringLiteral("no-resume");
    case Diagnosis::Kind::ResumeGaps:
        return QStringLiteral("gap");
    case Diagnosis::Kind::ResumeDuplicates:
        return QStringLiteral("duplicate");
    case Diagnosis::Kind::ResumeOutOfOrder:
        return QStringLiteral("out-of-order");
    case Diagnosis::Kind::ReconnectStorm:
        return QStringLiteral("reconnect-storm");
    }
    return {};
}

// A moment in a finding's text: local wall-clock time, "12:01:05".
inline QString diagnosisClock(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss"));
}

// A duration in a finding's text, as precise as it needs to be read: "7 ms", "100 ms", "4.0 s",
// "60 s"; from 100 ms to the 10 ms (figures measured over a few bursts read "800 ms", not
// "799 ms").
inline QString diagnosisDuration(qint64 ms)
{
    if (ms < 100) {
        return QStringLiteral("%1 ms").arg(ms);
    }
    if (ms < 995) {
        return QStringLiteral("%1 ms").arg((ms + 5) / 10 * 10);
    }
    if (ms < 9950) {
        return QStringLiteral("%1 s").arg(double(ms) / 1000, 0, 'f', 1);
    }
    return QStringLiteral("%1 s").arg(std::llround(double(ms) / 1000));
}

// "1 event", "17 events".
inline QString diagnosisEvents(quint64 count)
{
    return count == 1 ? QStringLiteral("1 event") : QStringLiteral("%1 events").arg(count);
}

} // namespace streamscope
