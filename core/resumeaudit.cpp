// SPDX-License-Identifier: GPL-3.0-or-later
#include "resumeaudit.h"

#include <algorithm>
#include <limits>

namespace streamscope {

namespace {

bool isDigits(QByteArrayView id)
{
    return std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal digits only: no sign, no blanks (toULongLong would take both). Nothing above 2^64 - 1.
std::optional<quint64> toNumber(QByteArrayView digits)
{
    constexpr quint64 max = std::numeric_limits<quint64>::max();
    quint64 value = 0;
    for (char c : digits) {
        const quint64 digit = quint64(c - '0');
        if (value > (max - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
    }
    return value;
}

quint64 saturatingAdd(quint64 a, quint64 b)
{
    return a > std::numeric_limits<quint64>::max() - b ? std::numeric_limits<quint64>::max()
                                                       : a + b;
}

void decrement(quint64 &count)
{
    if (count > 0) {
        --count;
    }
}

} // namespace

ResumeAudit::ResumeAudit(Source source)
    : m_source(source)
{
}

void ResumeAudit::opened(qint64 ms)
{
    startConnection(ms, false);
    m_highest.reset();
    m_last.reset();
    m_seen.fill(0);
    m_replaying = false;
}

void ResumeAudit::reconnected(qint64 ms)
{
    startConnection(ms, true);
    m_replaying = false;
}

void ResumeAudit::startConnection(qint64 ms, bool reconnect)
{
    Connection connection;
    connection.startMs = ms;
    connection.reconnect = reconnect;
    if (reconnect) {
        connection.lastBefore = m_last;
    }
    m_connections.append(connection);
    if (m_connections.size() > KeptConnections) {
        m_connections.removeFirst();
    }
    ++m_serial;
}

void ResumeAudit::eventArrived(qint64 ms, QByteArrayView id)
{
    if (!isActive() || id.isEmpty()) {
        return;
    }
    const bool digits = isDigits(id);
    const std::optional<quint64> number = digits ? toNumber(id) : std::nullopt;
    if (!number) {
        const QString shown = QString::fromUtf8(id.first(std::min<qsizetype>(id.size(), 40)));
        const QString what = m_source == Source::EventId ? QStringLiteral("Event ids")
                                                         : QStringLiteral("Sequence values");
        m_inactiveReason = digits
            ? QStringLiteral("%1 are too large to audit (\"%2\"): numbers up to 2^64 - 1 only")
                  .arg(what, shown)
            : QStringLiteral("%1 are not numbers (\"%2\"): the audit needs decimal numbers")
                  .arg(what, shown);
        if (!digits && m_source == Source::EventId) {
            m_inactiveReason += QStringLiteral("; audit a sequence field of the payload instead");
        }
        return;
    }
    if (m_connections.isEmpty()) {
        startConnection(ms, false);
    }
    if (m_source == Source::EventId && m_last == number) {
        return; // an event without an id of its own
    }
    m_lastEventMs = std::max(m_lastEventMs, ms);
    Connection &connection = m_connections.last();
    ++connection.counts.events;
    ++m_totals.counts.events;
    const bool first = !connection.firstAfter;
    if (first) {
        connection.firstAfter = number;
        if (connection.reconnect && connection.lastBefore && m_highest) {
            judgeResume(*number);
        }
    }
    classify(ms, *number, first);
    m_last = number;
}

void ResumeAudit::judgeResume(quint64 number)
{
    Connection &connection = m_connections.last();
    const quint64 highest = *m_highest;
    if (number <= *connection.lastBefore) {
        connection.resume = Resume::Ignored;
        ++m_totals.ignored;
        m_replaying = true;
        return;
    }
    if (number > highest && number - highest > 1 && countsGaps()) {
        connection.resume = Resume::Skipped;
        ++m_totals.skipped;
        return;
    }
    connection.resume = Resume::Resumed;
    ++m_totals.resumed;
    // The server went on from our last id; numbers up to the highest were out of order before,
    // so seeing them again is their replay, not duplicates.
    m_replaying = number <= highest;
    for (Evidence &evidence : m_evidence) {
        ++evidence.cleanResumes;
    }
}

void ResumeAudit::classify(qint64 ms, quint64 number, bool first)
{
    if (!m_highest) {
        m_highest = number;
        markSeen(number);
        return;
    }
    Connection &connection = m_connections.last();
    const quint64 highest = *m_highest;
    if (number > highest) {
        const quint64 step = number - highest;
        if (!first) { // the step across a reconnect says nothing about the numbering
            ++(step == 1 ? m_unitSteps : m_otherSteps);
            if (m_unitSteps + m_otherSteps >= 256) {
                m_unitSteps /= 2;
                m_otherSteps /= 2;
            }
        }
        m_replaying = false;
        advanceTo(number);
        if (step > 1 && countsGaps()) {
            addMissing(step - 1);
            record(GapFinding, ms, connection.counts.missing, first && connection.reconnect);
        }
        return;
    }
    const bool inWindow = highest - number < quint64(Window);
    if (inWindow && !isSeen(number)) {
        markSeen(number);
        lateArrival(ms);
        if (!m_replaying) { // else a replay brought what we had missed: that is no disorder
            ++connection.counts.outOfOrder;
            ++m_totals.counts.outOfOrder;
            record(OutOfOrderFinding, ms, connection.counts.outOfOrder, false);
        }
        return;
    }
    if (m_replaying) { // seen, or older than the window: assumed seen
        ++connection.counts.repeated;
        ++m_totals.counts.repeated;
        record(IgnoredFinding, ms, connection.counts.repeated, true);
        return;
    }
    if (inWindow) {
        ++connection.counts.duplicates;
        ++m_totals.counts.duplicates;
        record(DuplicateFinding, ms, connection.counts.duplicates, false);
        return;
    }
    if (number < highest / 2) {
        restartAt(number);
        return;
    }
    ++connection.counts.outOfOrder;
    ++m_totals.counts.outOfOrder;
    record(OutOfOrderFinding, ms, connection.counts.outOfOrder, false);
}

bool ResumeAudit::countsGaps() const
{
    const int steps = m_unitSteps + m_otherSteps;
    return steps >= MinSteps && m_unitSteps * 4 >= steps * 3;
}

void ResumeAudit::advanceTo(quint64 number)
{
    const quint64 step = number - *m_highest;
    if (step >= quint64(Window)) {
        m_seen.fill(0);
    } else {
        // The slots of highest + 1 .. number held numbers that now fall out of the window.
        // Word by word where it can: a step near Window costs ~64 + 2 * 63 iterations, not 4096.
        quint64 next = *m_highest + 1;
        quint64 left = step;
        while (left > 0) {
            const quint64 slot = next % Window;
            if (slot % 64 == 0 && left >= 64) {
                m_seen[slot / 64] = 0;
                next += 64;
                left -= 64;
            } else {
                m_seen[slot / 64] &= ~(quint64(1) << (slot % 64));
                ++next;
                --left;
            }
        }
    }
    m_highest = number;
    markSeen(number);
}

void ResumeAudit::restartAt(quint64 number)
{
    ++m_totals.restarts;
    m_seen.fill(0);
    m_highest = number;
    markSeen(number);
    m_replaying = false;
}

bool ResumeAudit::isSeen(quint64 number) const
{
    const quint64 slot = number % Window;
    return m_seen[slot / 64] & (quint64(1) << (slot % 64));
}

void ResumeAudit::markSeen(quint64 number)
{
    const quint64 slot = number % Window;
    m_seen[slot / 64] |= quint64(1) << (slot % 64);
}

void ResumeAudit::addMissing(quint64 count)
{
    Connection &connection = m_connections.last();
    connection.counts.missing = saturatingAdd(connection.counts.missing, count);
    m_totals.counts.missing = saturatingAdd(m_totals.counts.missing, count);
}

// A number counted missing arrived after all. Counted off the current connection (reordering is
// local), and the gap finding goes when that leaves its connection with none missing.
void ResumeAudit::lateArrival(qint64 ms)
{
    Connection &connection = m_connections.last();
    decrement(connection.counts.missing);
    decrement(m_totals.counts.missing);
    Evidence &gap = m_evidence[GapFinding];
    if (gap.serial == m_serial && isCurrent(gap)) {
        gap.figure = connection.counts.missing;
        gap.lastSeenMs = ms;
        if (gap.figure == 0) {
            gap = Evidence();
        }
    }
}

void ResumeAudit::record(Finding finding, qint64 ms, quint64 figure, bool atResume)
{
    Evidence &evidence = m_evidence[finding];
    if (!isCurrent(evidence)) {
        evidence = Evidence();
        evidence.firstSeenMs = ms;
    }
    if (evidence.serial != m_serial) {
        ++evidence.occurrences;
        evidence.serial = m_serial;
    }
    const Connection &connection = m_connections.last();
    evidence.lastSeenMs = ms;
    evidence.figure = figure;
    evidence.connectionStartMs = connection.startMs;
    evidence.onReconnect = connection.reconnect;
    evidence.atResume = atResume;
    evidence.cleanResumes = 0;
}

bool ResumeAudit::isCurrent(const Evidence &evidence) const
{
    return evidence.firstSeenMs >= 0 && evidence.cleanResumes < ClearAfterCleanResumes
        && (evidence.atResume || m_lastEventMs - evidence.lastSeenMs < ClearAfterQuietMs);
}

QList<Diagnosis> ResumeAudit::findings() const
{
    QList<Diagnosis> found;
    for (int finding = 0; finding < FindingCount; ++finding) {
        if (isCurrent(m_evidence[finding])) {
            found.append(diagnosis(Finding(finding)));
        }
    }
    return found;
}

Diagnosis ResumeAudit::diagnosis(Finding finding) const
{
    const Evidence &evidence = m_evidence[finding];
    const bool ids = m_source == Source::EventId;
    const QString events = diagnosisEvents(evidence.figure);
    const QString when = (evidence.onReconnect ? QStringLiteral("after the reconnect at %1")
                                               : QStringLiteral("on the connection opened at %1"))
                             .arg(diagnosisClock(evidence.connectionStartMs));
    Diagnosis diagnosis;
    switch (finding) {
    case IgnoredFinding:
        diagnosis.kind = Diagnosis::Kind::ResumeIgnored;
        diagnosis.title = QStringLiteral("The server does not resume");
        diagnosis.evidence
            = (ids ? QStringLiteral("The server ignored Last-Event-ID: %1 repeated %2")
                   : QStringLiteral("The server did not resume the sequence: %1 "
                                    "repeated %2"))
                  .arg(events, when);
        diagnosis.fix = ids
            ? QStringLiteral("Have the server read the Last-Event-ID request header "
                             "and send only the events after that id.")
            : QStringLiteral("Have the server resume after the last number the "
                             "client had, or drop repeats by their number.");
        break;
    case GapFinding:
        diagnosis.kind = Diagnosis::Kind::ResumeGaps;
        diagnosis.title = QStringLiteral("Events lost");
        diagnosis.evidence = QStringLiteral("%1 missing %2").arg(events, when);
        diagnosis.fix = evidence.atResume
            ? QStringLiteral("The server could not replay everything since the last id: keep more "
                             "events for replay (Nchan: nchan_message_buffer_length), or "
                             "reconnect sooner.")
            : QStringLiteral("Numbers were skipped within one connection: find what drops events "
                             "between the producer and the stream.");
        break;
    case DuplicateFinding:
        diagnosis.kind = Diagnosis::Kind::ResumeDuplicates;
        diagnosis.title = QStringLiteral("Events repeated");
        diagnosis.evidence
            = QStringLiteral("%1 arrived again (ids seen before) %2").arg(events, when);
        diagnosis.fix = QStringLiteral("Find what sends events twice (a retry on the way, or the "
                                       "server), or drop repeats by id.");
        break;
    case OutOfOrderFinding:
    case FindingCount:
        diagnosis.kind = Diagnosis::Kind::ResumeOutOfOrder;
        diagnosis.title = QStringLiteral("Events out of order");
        diagnosis.evidence = QStringLiteral("%1 arrived after a higher id %2").arg(events, when);
        diagnosis.fix = QStringLiteral("Several producers or paths on the way reorder events: "
                                       "order them by id where it matters.");
        break;
    }
    if (evidence.occurrences > 1) {
        diagnosis.evidence += QStringLiteral(" (%1 connections so far)").arg(evidence.occurrences);
    }
    diagnosis.firstSeenMs = evidence.firstSeenMs;
    diagnosis.lastSeenMs = evidence.lastSeenMs;
    diagnosis.figures
        = {{"events", qint64(evidence.figure)}, {"connections", evidence.occurrences}};
    return diagnosis;
}

QString ResumeAudit::describe(const Connection &connection) const
{
    const QString at = diagnosisClock(connection.startMs);
    if (!connection.reconnect) {
        return connection.firstAfter
            ? QStringLiteral("Opened at %1, first id %2").arg(at).arg(*connection.firstAfter)
            : QStringLiteral("Opened at %1: no numbered event yet").arg(at);
    }
    switch (connection.resume) {
    case Resume::NotJudged:
        return connection.lastBefore
            ? QStringLiteral("Reconnected at %1: no numbered event yet").arg(at)
            : QStringLiteral("Reconnected at %1 with no id to resume from").arg(at);
    case Resume::Resumed:
    case Resume::Skipped:
        return countsGaps() ? QStringLiteral("Resumed at id %1 after a reconnect: %2 missing")
                                  .arg(*connection.firstAfter)
                                  .arg(connection.counts.missing)
                            : QStringLiteral("Resumed at id %1 after a reconnect (ids not "
                                             "consecutive: gaps not counted)")
                                  .arg(*connection.firstAfter);
    case Resume::Ignored:
        break;
    }
    const QString repeated = QStringLiteral("%1 repeated after the reconnect at %2")
                                 .arg(diagnosisEvents(connection.counts.repeated), at);
    return m_source == Source::EventId
        ? QStringLiteral("The server ignored Last-Event-ID: ") + repeated
        : QStringLiteral("The server did not resume the sequence: ") + repeated;
}

} // namespace streamscope
