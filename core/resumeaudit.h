// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "diagnosis.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <array>
#include <optional>

namespace streamscope {

// Whether a stream's numbered events survive reconnects: after each reconnect, did the server
// resume after the last number we had, and how many numbers went missing, came again or came
// out of order, per connection and in total. Fed the numbers as they arrive, with their times;
// memory stays bounded whatever the input (a window of recent numbers, not a set of all).
class ResumeAudit
{
public:
    enum class Source {
        // SSE event ids. An event without an id of its own carries the last one again (SSE:
        // the last event ID buffer persists), so the same id twice in a row is not counted.
        EventId,
        // A number the caller took from each payload (a field such as "seq"): every event has
        // its own, so the same number twice in a row is a duplicate.
        SequenceField,
    };

    enum class Resume {
        NotJudged, // a fresh start (opened), no number before the reconnect, or none after yet
        Resumed, // the first number after is the next one (or higher, for non-consecutive ids)
        Skipped, // resumed further on: the numbers between are missing
        Ignored, // the first number after is not above the last before: events repeated
    };

    struct Counts
    {
        quint64 events = 0; // events with a number, the SSE repeats of the last id not counted
        quint64 missing = 0; // numbers skipped, less those that arrived late (see countsGaps())
        quint64 repeated = 0; // sent again by a server that did not resume (Resume::Ignored)
        quint64 duplicates = 0; // seen before, outside such a replay
        quint64 outOfOrder = 0; // below the highest number, not seen before: arrived late
    };

    // One connection, from opened() or reconnected() to the next.
    struct Connection
    {
        qint64 startMs = 0;
        bool reconnect = false; // from reconnected(): a resume was expected
        std::optional<quint64> lastBefore; // the last number before the reconnect
        std::optional<quint64> firstAfter; // the first number on this connection
        Resume resume = Resume::NotJudged;
        Counts counts;
    };

    struct Totals
    {
        Counts counts; // over every connection, also those no longer kept
        int resumed = 0;
        int skipped = 0;
        int ignored = 0;
        // Drops to below half the highest number, far outside the window, within a connection:
        // a counter that wrapped or a server that restarted. Counting starts again from there.
        int restarts = 0;
    };

    static constexpr int KeptConnections = 20;
    // Numbers up to this far below the highest are remembered, to tell a duplicate from a late
    // arrival. Further below: repeated during a replay, else out of order (or a restart).
    static constexpr int Window = 4096;
    // Gaps are counted only for consecutive numbers: at least MinSteps steps within connections
    // seen, and at least 3 in 4 of them +1. Timestamps as ids skip numbers all the time.
    static constexpr int MinSteps = 4;
    // A finding clears after this many reconnects in a row that resumed at the next number, or,
    // when its last evidence came within a connection (not at a resume), after this long of
    // events without new evidence.
    static constexpr int ClearAfterCleanResumes = 3;
    static constexpr qint64 ClearAfterQuietMs = 5 * 60 * 1000;

    explicit ResumeAudit(Source source = Source::EventId);

    // A connection opened afresh (the first, or started again by the user): no resume is
    // expected, and the numbers before are forgotten.
    void opened(qint64 ms);
    // A connection opened to resume the one before: its first number is judged against the last.
    void reconnected(qint64 ms);
    // An event's id, or the number the caller took from its payload; empty: the event has none,
    // nothing is counted. The first non-number (or one above 2^64 - 1) stops the audit for good.
    void eventArrived(qint64 ms, QByteArrayView id);

    bool isActive() const { return m_inactiveReason.isEmpty(); }
    // Why the audit stopped, for the user ("Event ids are not numbers ...").
    QString inactiveReason() const { return m_inactiveReason; }
    // Whether numbers are consecutive enough to count the missing ones.
    bool countsGaps() const;

    // The last KeptConnections connections, oldest first; the last is the current one.
    const QList<Connection> &connections() const { return m_connections; }
    const Totals &totals() const { return m_totals; }
    // One line about a connection: "Resumed at id 1234 after a reconnect: 0 missing".
    QString describe(const Connection &connection) const;
    // The current findings, in the order of Diagnosis::Kind.
    QList<Diagnosis> findings() const;

private:
    // What backs one kind of finding.
    struct Evidence
    {
        qint64 firstSeenMs = -1; // -1: none
        qint64 lastSeenMs = -1;
        quint64 figure = 0; // the count in the text, of the connection it was last seen on
        qint64 connectionStartMs = 0;
        bool onReconnect = false; // that connection came from reconnected()
        bool atResume = false; // the last evidence came with the resume, not within a connection
        int cleanResumes = 0; // since the last evidence
        int occurrences = 0; // connections it was seen on since it appeared
        quint64 serial = 0; // of the connection it was last seen on
    };
    enum Finding {
        IgnoredFinding,
        GapFinding,
        DuplicateFinding,
        OutOfOrderFinding,
        FindingCount,
    };

    void startConnection(qint64 ms, bool reconnect);
    void judgeResume(quint64 number);
    void classify(qint64 ms, quint64 number, bool first);
    void advanceTo(quint64 number);
    void restartAt(quint64 number);
    bool isSeen(quint64 number) const;
    void markSeen(quint64 number);
    void forgetNumbers();
    void addMissing(quint64 count);
    void lateArrival(qint64 ms);
    void record(Finding finding, qint64 ms, quint64 figure, bool atResume);
    bool isCurrent(const Evidence &evidence) const;
    Diagnosis diagnosis(Finding finding) const;

    Source m_source;
    QString m_inactiveReason;
    QList<Connection> m_connections;
    quint64 m_serial = 0; // of the current connection
    Totals m_totals;
    std::optional<quint64> m_highest; // since the last opened() or restart
    std::optional<quint64> m_last;
    bool m_replaying = false; // after an ignored resume, until a number above the highest
    std::array<quint64, Window / 64> m_seen{}; // bit n % Window: n seen, for n in the window
    // Steps between consecutive numbers within connections, halved now and then so they follow
    // the stream's recent habit.
    int m_unitSteps = 0;
    int m_otherSteps = 0;
    qint64 m_lastEventMs = 0;
    std::array<Evidence, FindingCount> m_evidence;
};

} // namespace streamscope
