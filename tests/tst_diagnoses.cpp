// SPDX-License-Identifier: GPL-3.0-or-later
// The detectors behind the diagnoses (ResumeAudit, IdleTimeoutDetector, BurstDetector), fed
// times in ms: no clock, no network, no event loop. Each has a table of healthy patterns that
// must stay silent next to the faults it must name.
#include "burstdetector.h"
#include "idletimeoutdetector.h"
#include "resumeaudit.h"

#include <QTest>

#include <limits>
#include <random>

using namespace streamscope;

namespace {

constexpr qint64 T0 = 1700000000000; // 2023-11-14, ms since the epoch
constexpr qint64 EventGapMs = 100;
constexpr qint64 ReconnectGapMs = 2000;

// "gap duplicate" as a list, for tables.
QStringList codes(const char *spaced)
{
    return QString::fromLatin1(spaced).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

QStringList kindNames(const QList<Diagnosis> &findings)
{
    QStringList names;
    for (const Diagnosis &finding : findings) {
        names << diagnosisKindName(finding.kind);
    }
    return names;
}

// Plays a script to an audit: "1-100" the ids 1 to 100, "2-200/2" in steps of 2, "7" one id,
// "R" a reconnect, "O" a fresh open. Events come EventGapMs apart from T0; a reconnect
// ReconnectGapMs after the last event, and its first event with it. Returns the time after the
// last event; reconnectsMs gets the reconnects' times.
qint64 play(ResumeAudit &audit, const QString &script, QList<qint64> *reconnectsMs = nullptr)
{
    qint64 ms = T0;
    const QStringList tokens = script.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &token : tokens) {
        if (token == QLatin1String("R") || token == QLatin1String("O")) {
            ms += ReconnectGapMs;
            if (token == QLatin1String("R")) {
                audit.reconnected(ms);
                if (reconnectsMs) {
                    reconnectsMs->append(ms);
                }
            } else {
                audit.opened(ms);
            }
            continue;
        }
        const QStringList stepped = token.split(QLatin1Char('/'));
        const QStringList range = stepped.first().split(QLatin1Char('-'));
        const quint64 first = range.first().toULongLong();
        const quint64 last = range.last().toULongLong();
        const quint64 step = stepped.size() > 1 ? stepped.last().toULongLong() : 1;
        for (quint64 id = first;; id += step) {
            audit.eventArrived(ms, QByteArray::number(id));
            ms += EventGapMs;
            if (last - id < step) {
                break;
            }
        }
    }
    return ms;
}

// Per reconnected connection: r resumed, s skipped, i ignored, - not judged.
QString outcomes(const ResumeAudit &audit)
{
    QString seen;
    for (const ResumeAudit::Connection &connection : audit.connections()) {
        if (!connection.reconnect) {
            continue;
        }
        switch (connection.resume) {
        case ResumeAudit::Resume::NotJudged:
            seen += QLatin1Char('-');
            break;
        case ResumeAudit::Resume::Resumed:
            seen += QLatin1Char('r');
            break;
        case ResumeAudit::Resume::Skipped:
            seen += QLatin1Char('s');
            break;
        case ResumeAudit::Resume::Ignored:
            seen += QLatin1Char('i');
            break;
        }
    }
    return seen;
}

// {O}: the clock time of T0, the first connection; {L}: of the last connection's start; {R}: of
// the last reconnect.
QString expand(QString text, const ResumeAudit &audit, const QList<qint64> &reconnectsMs)
{
    text.replace(QLatin1String("{O}"), diagnosisClock(T0));
    text.replace(QLatin1String("{L}"), diagnosisClock(audit.connections().last().startMs));
    if (!reconnectsMs.isEmpty()) {
        text.replace(QLatin1String("{R}"), diagnosisClock(reconnectsMs.last()));
    }
    return text;
}

// Connections that carry data every second for 10 s, then fall silent for |silence| ms and are
// closed: by the peer when silence > 0, by us when < 0; the next opens a second later.
qint64 connectAndIdle(IdleTimeoutDetector &detector, const QList<qint64> &silences, qint64 ms)
{
    for (qint64 silence : silences) {
        detector.opened(ms);
        for (int i = 1; i <= 10; ++i) {
            detector.dataArrived(ms + i * 1000);
        }
        ms += 10000 + qAbs(silence);
        detector.closed(ms, silence > 0);
        ms += 1000;
    }
    return ms;
}

// Arrival and production times of a stream, in step.
struct Pattern
{
    QList<qint64> arrivals;
    QList<qint64> produced;

    void add(qint64 arrivalMs, qint64 producedMs)
    {
        arrivals << arrivalMs;
        produced << producedMs;
    }
    Pattern withoutTimes() const { return {arrivals, {}}; }
};

// count events produced paceMs apart, delivered a constant 30 ms later.
Pattern steady(int count, qint64 paceMs, qint64 start = T0)
{
    Pattern pattern;
    for (int i = 0; i < count; ++i) {
        pattern.add(start + i * paceMs + 30, start + i * paceMs);
    }
    return pattern;
}

// Produced paceMs apart for durationMs, let through every flushMs (within 2 ms), as a buffering
// proxy does.
Pattern buffered(qint64 durationMs, qint64 flushMs, qint64 paceMs, qint64 start = T0)
{
    Pattern pattern;
    for (qint64 i = 0; i * paceMs < durationMs; ++i) {
        const qint64 produced = i * paceMs;
        pattern.add(start + (produced / flushMs + 1) * flushMs + i % 3, start + produced);
    }
    return pattern;
}

void feed(BurstDetector &detector, const Pattern &pattern)
{
    for (qsizetype i = 0; i < pattern.arrivals.size(); ++i) {
        detector.eventArrived(pattern.arrivals[i],
            pattern.produced.isEmpty() ? std::nullopt : std::optional<qint64>(pattern.produced[i]));
    }
}

using Headers = QList<QPair<QByteArray, QByteArray>>;

} // namespace

class TestDiagnoses : public QObject
{
    Q_OBJECT
private slots:
    void kindNamesAndFormats();

    void resumeAudit_data();
    void resumeAudit();
    void resumeAuditNeedsNumbers_data();
    void resumeAuditNeedsNumbers();
    void resumeFindingClearsAfterCleanResumes();
    void inConnectionFindingClearsAfterQuiet();
    void resumeAuditIsBounded();

    void idleTimeout_data();
    void idleTimeout();
    void idleTimeoutClearsWhenOutlived();
    void idleTimeoutClearsWhenClosesStop();

    void bursts_data();
    void bursts();
    void burstFindingClears();
    void burstDetectorIsBounded();
    void responseHeaders_data();
    void responseHeaders();
};

void TestDiagnoses::kindNamesAndFormats()
{
    // The CLI's codes (issue 13), and the two header findings.
    const QStringList names{diagnosisKindName(Diagnosis::Kind::ProxyBuffering),
        diagnosisKindName(Diagnosis::Kind::CompressedStream),
        diagnosisKindName(Diagnosis::Kind::ProxyMayBuffer),
        diagnosisKindName(Diagnosis::Kind::IdleTimeout),
        diagnosisKindName(Diagnosis::Kind::ResumeIgnored),
        diagnosisKindName(Diagnosis::Kind::ResumeGaps),
        diagnosisKindName(Diagnosis::Kind::ResumeDuplicates),
        diagnosisKindName(Diagnosis::Kind::ResumeOutOfOrder),
        diagnosisKindName(Diagnosis::Kind::ReconnectStorm)};
    QCOMPARE(names,
        codes("proxy-buffering compressed-stream proxy-may-buffer idle-timeout no-resume gap "
              "duplicate out-of-order reconnect-storm"));
    QCOMPARE(diagnosisDuration(7), QStringLiteral("7 ms"));
    QCOMPARE(diagnosisDuration(100), QStringLiteral("100 ms"));
    QCOMPARE(diagnosisDuration(799), QStringLiteral("800 ms"));
    QCOMPARE(diagnosisDuration(996), QStringLiteral("1.0 s"));
    QCOMPARE(diagnosisDuration(9960), QStringLiteral("10 s"));
    QCOMPARE(diagnosisDuration(4000), QStringLiteral("4.0 s"));
    QCOMPARE(diagnosisDuration(60400), QStringLiteral("60 s"));
    QCOMPARE(diagnosisEvents(1), QStringLiteral("1 event"));
    QCOMPARE(diagnosisEvents(212), QStringLiteral("212 events"));
    QCOMPARE(diagnosisClock(T0),
        QDateTime::fromMSecsSinceEpoch(T0).toString(QStringLiteral("HH:mm:ss")));
}

void TestDiagnoses::resumeAudit_data()
{
    QTest::addColumn<bool>("sequence"); // Source::SequenceField, else EventId
    QTest::addColumn<QString>("script"); // see play()
    QTest::addColumn<QString>("outcomes"); // see outcomes()
    QTest::addColumn<quint64>("missing");
    QTest::addColumn<quint64>("repeated");
    QTest::addColumn<quint64>("duplicates");
    QTest::addColumn<quint64>("outOfOrder");
    QTest::addColumn<int>("restarts");
    QTest::addColumn<QStringList>("kinds");
    QTest::addColumn<QString>("evidence"); // the first finding's; {O}, {R}: see expand()
    QTest::addColumn<QString>("summary"); // describe() of the last connection

    const QStringList none;
    // Healthy: silent.
    QTest::newRow("resumed at the next id")
        << false << "1-100 R 101-200"
        << "r" << 0ULL << 0ULL << 0ULL << 0ULL << 0 << none << ""
        << "Resumed at id 101 after a reconnect: 0 missing";
    QTest::newRow("three clean reconnects")
        << false << "1-50 R 51-100 R 101-150 R 151-200"
        << "rrr" << 0ULL << 0ULL << 0ULL << 0ULL << 0 << none << ""
        << "Resumed at id 151 after a reconnect: 0 missing";
    // SSE: an event without an id carries the last one, also first thing after a reconnect.
    QTest::newRow("SSE events without an id of their own")
        << false << "1-10 10 10 11-20 R 20 21-30"
        << "r" << 0ULL << 0ULL << 0ULL << 0ULL << 0 << none << ""
        << "Resumed at id 21 after a reconnect: 0 missing";
    QTest::newRow("timestamps as ids: gaps not counted")
        << false << "1700000000000-1700000010000/100 R 1700000012000-1700000013000/100"
        << "r" << 0ULL << 0ULL << 0ULL << 0ULL << 0 << none << ""
        << "Resumed at id 1700000012000 after a reconnect (ids not consecutive: gaps not counted)";
    QTest::newRow("ids that step by two")
        << false << "2-200/2 R 202-300/2"
        << "r" << 0ULL << 0ULL << 0ULL << 0ULL << 0 << none << ""
        << "Resumed at id 202 after a reconnect (ids not consecutive: gaps not counted)";
    QTest::newRow("a fresh open starts the numbers again")
        << false << "1-100 O 1-100"
        << "" << 0ULL << 0ULL << 0ULL << 0ULL << 0 << none << ""
        << "Opened at {L}, first id 1";
    QTest::newRow("reconnect before any id")
        << false << "R 1-10 R 11-20"
        << "-r" << 0ULL << 0ULL << 0ULL << 0ULL << 0 << none << ""
        << "Resumed at id 11 after a reconnect: 0 missing";
    QTest::newRow("counter wrapped at 2^64")
        << false << "18446744073709551600-18446744073709551615 0-20"
        << "" << 0ULL << 0ULL << 0ULL << 0ULL << 1 << none << ""
        << "Opened at {O}, first id 18446744073709551600";
    QTest::newRow("32-bit counter wrapped") << true << "4294967280-4294967295 0-20"
                                            << "" << 0ULL << 0ULL << 0ULL << 0ULL << 1 << none << ""
                                            << "Opened at {O}, first id 4294967280";
    QTest::newRow("server numbered from 1 again within a connection")
        << false << "1-10000 1-100"
        << "" << 0ULL << 0ULL << 0ULL << 0ULL << 1 << none << ""
        << "Opened at {O}, first id 1";
    QTest::newRow("resumed at the largest number")
        << false << "18446744073709551610-18446744073709551614 R 18446744073709551615"
        << "r" << 0ULL << 0ULL << 0ULL << 0ULL << 0 << none << ""
        << "Resumed at id 18446744073709551615 after a reconnect: 0 missing";

    // Faults.
    QTest::newRow("Last-Event-ID ignored: replayed from the start")
        << false << "1-212 R 1-300"
        << "i" << 0ULL << 212ULL << 0ULL << 0ULL << 0 << codes("no-resume")
        << "The server ignored Last-Event-ID: 212 events repeated after the reconnect at {R}"
        << "The server ignored Last-Event-ID: 212 events repeated after the reconnect at {R}";
    QTest::newRow("sequence not resumed")
        << true << "1-212 R 1-300"
        << "i" << 0ULL << 212ULL << 0ULL << 0ULL << 0 << codes("no-resume")
        << "The server did not resume the sequence: 212 events repeated after the reconnect at {R}"
        << "The server did not resume the sequence: 212 events repeated after the reconnect at {R}";
    QTest::newRow("the last five sent again")
        << false << "1-100 R 96-150"
        << "i" << 0ULL << 5ULL << 0ULL << 0ULL << 0 << codes("no-resume")
        << "The server ignored Last-Event-ID: 5 events repeated after the reconnect at {R}"
        << "The server ignored Last-Event-ID: 5 events repeated after the reconnect at {R}";
    QTest::newRow("a replay longer than the window")
        << false << "1-10000 R 1-10005"
        << "i" << 0ULL << 10000ULL << 0ULL << 0ULL << 0 << codes("no-resume")
        << "The server ignored Last-Event-ID: 10000 events repeated after the reconnect at {R}"
        << "The server ignored Last-Event-ID: 10000 events repeated after the reconnect at {R}";
    QTest::newRow("ignored twice")
        << false << "1-50 R 1-60 R 1-70"
        << "ii" << 0ULL << 110ULL << 0ULL << 0ULL << 0 << codes("no-resume")
        << "The server ignored Last-Event-ID: 60 events repeated after the reconnect at {R} (2 "
           "connections so far)"
        << "The server ignored Last-Event-ID: 60 events repeated after the reconnect at {R}";
    QTest::newRow("17 missing after the reconnect")
        << false << "1-1000 R 1018-1100"
        << "s" << 17ULL << 0ULL << 0ULL << 0ULL << 0 << codes("gap")
        << "17 events missing after the reconnect at {R}"
        << "Resumed at id 1018 after a reconnect: 17 missing";
    QTest::newRow("9 missing within a connection")
        << false << "1-100 110-120"
        << "" << 9ULL << 0ULL << 0ULL << 0ULL << 0 << codes("gap")
        << "9 events missing on the connection opened at {O}"
        << "Opened at {O}, first id 1";
    QTest::newRow("a huge jump forward")
        << false << "1-10 18446744073709551615"
        << "" << 18446744073709551604ULL << 0ULL << 0ULL << 0ULL << 0 << codes("gap")
        << "18446744073709551604 events missing on the connection opened at {O}"
        << "Opened at {O}, first id 1";
    QTest::newRow("one late: out of order, none missing")
        << false << "1-10 12 11 13-20"
        << "" << 0ULL << 0ULL << 0ULL << 1ULL << 0 << codes("out-of-order")
        << "1 event arrived after a higher id on the connection opened at {O}"
        << "Opened at {O}, first id 1";
    QTest::newRow("older than the window: counted out of order")
        << false << "1-10000 5000 10001-10010"
        << "" << 0ULL << 0ULL << 0ULL << 1ULL << 0 << codes("out-of-order")
        << "1 event arrived after a higher id on the connection opened at {O}"
        << "Opened at {O}, first id 1";
    QTest::newRow("duplicates within a connection")
        << false << "1-50 30 40 51-60"
        << "" << 0ULL << 0ULL << 2ULL << 0ULL << 0 << codes("duplicate")
        << "2 events arrived again (ids seen before) on the connection opened at {O}"
        << "Opened at {O}, first id 1";
    QTest::newRow("sequence: the same number twice is a duplicate")
        << true << "1-10 10 11-20"
        << "" << 0ULL << 0ULL << 1ULL << 0ULL << 0 << codes("duplicate")
        << "1 event arrived again (ids seen before) on the connection opened at {O}"
        << "Opened at {O}, first id 1";
    QTest::newRow("gap at the resume, then a duplicate")
        << false << "1-100 R 105-110 107"
        << "s" << 4ULL << 0ULL << 1ULL << 0ULL << 0 << codes("gap duplicate")
        << "4 events missing after the reconnect at {R}"
        << "Resumed at id 105 after a reconnect: 4 missing";
}

void TestDiagnoses::resumeAudit()
{
    QFETCH(bool, sequence);
    QFETCH(QString, script);
    QFETCH(QString, outcomes);
    QFETCH(quint64, missing);
    QFETCH(quint64, repeated);
    QFETCH(quint64, duplicates);
    QFETCH(quint64, outOfOrder);
    QFETCH(int, restarts);
    QFETCH(QStringList, kinds);
    QFETCH(QString, evidence);
    QFETCH(QString, summary);

    ResumeAudit audit(sequence ? ResumeAudit::Source::SequenceField : ResumeAudit::Source::EventId);
    QList<qint64> reconnectsMs;
    play(audit, script, &reconnectsMs);
    QVERIFY(audit.isActive());
    QCOMPARE(::outcomes(audit), outcomes);
    const ResumeAudit::Totals &totals = audit.totals();
    QCOMPARE(totals.counts.missing, missing);
    QCOMPARE(totals.counts.repeated, repeated);
    QCOMPARE(totals.counts.duplicates, duplicates);
    QCOMPARE(totals.counts.outOfOrder, outOfOrder);
    QCOMPARE(totals.restarts, restarts);
    QCOMPARE(totals.resumed, int(outcomes.count(QLatin1Char('r'))));
    QCOMPARE(totals.skipped, int(outcomes.count(QLatin1Char('s'))));
    QCOMPARE(totals.ignored, int(outcomes.count(QLatin1Char('i'))));
    const QList<Diagnosis> findings = audit.findings();
    QCOMPARE(kindNames(findings), kinds);
    if (!findings.isEmpty()) {
        QCOMPARE(findings.first().evidence, expand(evidence, audit, reconnectsMs));
        QVERIFY(!findings.first().fix.isEmpty());
        QVERIFY(findings.first().firstSeenMs <= findings.first().lastSeenMs);
    }
    QCOMPARE(audit.describe(audit.connections().last()), expand(summary, audit, reconnectsMs));
}

void TestDiagnoses::resumeAuditNeedsNumbers_data()
{
    QTest::addColumn<bool>("sequence");
    QTest::addColumn<QByteArrayList>("ids");
    QTest::addColumn<QString>("reason"); // empty: still active
    QTest::addColumn<quint64>("events");

    const QString letters = QStringLiteral("Event ids are not numbers (\"%1\")");
    QTest::newRow("letters") << false << QByteArrayList{"1", "2", "abc", "3"}
                             << letters.arg(QStringLiteral("abc")) << 2ULL;
    QTest::newRow("a UUID") << false << QByteArrayList{"6f1c2a9e-1b7d-4c1e-9f3a-2d4e5f6a7b8c"}
                            << letters.arg(QStringLiteral("6f1c2a9e-1b7d-4c1e-9f3a-2d4e5f6a7b8c"))
                            << 0ULL;
    QTest::newRow("negative") << false << QByteArrayList{"-5"} << letters.arg(QStringLiteral("-5"))
                              << 0ULL;
    QTest::newRow("a plus sign") << false << QByteArrayList{"+5"}
                                 << letters.arg(QStringLiteral("+5")) << 0ULL;
    QTest::newRow("blanks") << false << QByteArrayList{" 5"} << letters.arg(QStringLiteral(" 5"))
                            << 0ULL;
    QTest::newRow("hex") << false << QByteArrayList{"0x1f"} << letters.arg(QStringLiteral("0x1f"))
                         << 0ULL;
    QTest::newRow("2^64") << false << QByteArrayList{"1", "18446744073709551616"}
                          << QStringLiteral("Event ids are too large to audit") << 1ULL;
    QTest::newRow("a sequence field with a fraction")
        << true << QByteArrayList{"1.5"} << QStringLiteral("Sequence values are not numbers")
        << 0ULL;
    QTest::newRow("events without ids are skipped")
        << false << QByteArrayList{"", "", "1", "", "2"} << QString() << 2ULL;
    QTest::newRow("leading zeros are numbers")
        << false << QByteArrayList{"007", "008"} << QString() << 2ULL;
}

void TestDiagnoses::resumeAuditNeedsNumbers()
{
    QFETCH(bool, sequence);
    QFETCH(QByteArrayList, ids);
    QFETCH(QString, reason);
    QFETCH(quint64, events);

    ResumeAudit audit(sequence ? ResumeAudit::Source::SequenceField : ResumeAudit::Source::EventId);
    qint64 ms = T0;
    for (const QByteArray &id : std::as_const(ids)) {
        audit.eventArrived(ms += EventGapMs, id);
    }
    QCOMPARE(audit.isActive(), reason.isEmpty());
    QVERIFY2(audit.inactiveReason().startsWith(reason), qPrintable(audit.inactiveReason()));
    QCOMPARE(audit.totals().counts.events, events);
    // Stopped for good: nothing more is counted.
    audit.reconnected(ms += ReconnectGapMs);
    audit.eventArrived(ms, "1");
    audit.eventArrived(ms, "1");
    QCOMPARE(
        audit.totals().counts.events, events + (reason.isEmpty() && ids.last() != "1" ? 1 : 0));
    if (!reason.isEmpty()) {
        QVERIFY(audit.findings().isEmpty());
    }
}

// A finding tied to reconnects clears after ClearAfterCleanResumes good ones in a row, and comes
// back with a new first-seen time.
void TestDiagnoses::resumeFindingClearsAfterCleanResumes()
{
    ResumeAudit audit;
    QList<qint64> reconnectsMs;
    qint64 ms = play(audit, QStringLiteral("1-50 R 1-60"), &reconnectsMs);
    QCOMPARE(kindNames(audit.findings()), codes("no-resume"));
    const Diagnosis first = audit.findings().first();
    QCOMPARE(first.firstSeenMs, reconnectsMs.last()); // its first event was a repeat
    QCOMPARE(first.lastSeenMs, reconnectsMs.last() + 49 * EventGapMs); // the 50th repeat

    quint64 next = 61;
    const auto cleanReconnect = [&] {
        audit.reconnected(ms += ReconnectGapMs);
        for (int i = 0; i < 10; ++i) {
            audit.eventArrived(ms += EventGapMs, QByteArray::number(next++));
        }
    };
    for (int i = 1; i < ResumeAudit::ClearAfterCleanResumes; ++i) {
        cleanReconnect();
        QCOMPARE(audit.findings().size(), 1);
        QCOMPARE(audit.findings().first(), first); // confirmed, not changed
    }
    cleanReconnect();
    QVERIFY(audit.findings().isEmpty());
    QCOMPARE(audit.totals().resumed, ResumeAudit::ClearAfterCleanResumes);

    // Ignored again: a new finding, counted from one.
    audit.reconnected(ms += ReconnectGapMs);
    audit.eventArrived(ms, "1");
    const QList<Diagnosis> again = audit.findings();
    QCOMPARE(again.size(), 1);
    QCOMPARE(again.first().firstSeenMs, ms);
    QCOMPARE(again.first().evidence,
        QStringLiteral("The server ignored Last-Event-ID: 1 event repeated after the reconnect at ")
            + diagnosisClock(ms));
}

// Evidence within a connection clears after ClearAfterQuietMs of events without more of it.
void TestDiagnoses::inConnectionFindingClearsAfterQuiet()
{
    ResumeAudit audit(ResumeAudit::Source::SequenceField);
    qint64 ms = play(audit, QStringLiteral("1-10 10"));
    const qint64 seenMs = ms - EventGapMs;
    QCOMPARE(kindNames(audit.findings()), codes("duplicate"));
    quint64 next = 11;
    while (ms < seenMs + ResumeAudit::ClearAfterQuietMs - EventGapMs) {
        audit.eventArrived(ms += EventGapMs, QByteArray::number(next++));
    }
    QCOMPARE(kindNames(audit.findings()), codes("duplicate"));
    QCOMPARE(audit.findings().first().lastSeenMs, seenMs);
    audit.eventArrived(ms += EventGapMs, QByteArray::number(next++));
    QVERIFY(audit.findings().isEmpty());
}

// A million events, reconnects and replays, then a million random numbers: the kept state stays
// the same size, the counts add up, and nothing overflows (run under the sanitizers too).
void TestDiagnoses::resumeAuditIsBounded()
{
    ResumeAudit audit;
    qint64 ms = T0;
    quint64 id = 0;
    int ignored = 0;
    for (int i = 0; i < 1000000; ++i) {
        if (i % 1000 == 500) {
            audit.reconnected(ms += ReconnectGapMs);
            if (i % 10000 == 5500) { // the server replays its last 50
                id -= 50;
                ++ignored;
            }
        }
        audit.eventArrived(ms += 10, QByteArray::number(++id));
    }
    QCOMPARE(audit.connections().size(), ResumeAudit::KeptConnections);
    QCOMPARE(audit.totals().counts.events, 1000000ULL);
    QCOMPARE(audit.totals().ignored, ignored);
    QCOMPARE(audit.totals().counts.repeated, 50ULL * ignored);
    QCOMPARE(audit.totals().resumed, 1000 - ignored);
    QCOMPARE(audit.totals().counts.missing, 0ULL);

    std::mt19937_64 random(13);
    for (int i = 0; i < 1000000; ++i) {
        if (i % 997 == 0) {
            audit.reconnected(ms += ReconnectGapMs);
        }
        audit.eventArrived(ms += 10, QByteArray::number(random()));
    }
    QCOMPARE(audit.connections().size(), ResumeAudit::KeptConnections);
    QCOMPARE(audit.totals().counts.events, 2000000ULL);
    for (const ResumeAudit::Connection &connection : audit.connections()) {
        QVERIFY(!audit.describe(connection).isEmpty());
    }
    QVERIFY(audit.findings().size() <= 4);
}

void TestDiagnoses::idleTimeout_data()
{
    QTest::addColumn<QString>("transport"); // sse, ws, ws+heartbeat
    QTest::addColumn<QList<qint64>>("silences"); // see connectAndIdle()
    QTest::addColumn<qint64>("minSilence"); // 0: the default
    QTest::addColumn<QString>("evidence"); // empty: no finding
    QTest::addColumn<QString>("fix");

    const QString sseFix = QStringLiteral(
        "Have the server send a comment line every 30 s (half the timeout), or raise the timeout "
        "(nginx: proxy_read_timeout).");
    const QString sixty = QStringLiteral(
        "The connection is closed after about 60 s without data (%1 times): an idle timeout on the "
        "way (proxy or load balancer).");
    // Healthy, or not an idle timeout: silent.
    QTest::newRow("never closed") << "sse" << QList<qint64>{} << 0LL << ""
                                  << "";
    QTest::newRow("closed once") << "sse" << QList<qint64>{60000} << 0LL << ""
                                 << "";
    QTest::newRow("further apart than 10%") << "sse" << QList<qint64>{60000, 67000} << 0LL << ""
                                            << "";
    QTest::newRow("scattered") << "sse" << QList<qint64>{10000, 30000, 60000, 20000, 45000} << 0LL
                               << ""
                               << "";
    QTest::newRow("short silences are no idle timeout")
        << "sse" << QList<qint64>{2000, 2000, 2000} << 0LL << ""
        << "";
    QTest::newRow("closed by us") << "sse" << QList<qint64>{-60000, -60000, -60000} << 0LL << ""
                                  << "";

    // Idle timeouts.
    QTest::newRow("60 s, three times")
        << "sse" << QList<qint64>{60000, 60400, 59800} << 0LL << sixty.arg(3) << sseFix;
    QTest::newRow("twice, 8% apart")
        << "sse" << QList<qint64>{60000, 65000} << 0LL << sixty.arg(2) << sseFix;
    QTest::newRow("ten times: counted past the kept closes")
        << "sse" << QList<qint64>(10, 60000) << 0LL << sixty.arg(10) << sseFix;
    QTest::newRow("two minutes, with an odd close between")
        << "sse" << QList<qint64>{120000, 20000, 121000} << 0LL
        << "The connection is closed after about 120 s without data (2 times): an idle timeout "
           "on the way (proxy or load balancer)."
        << "Have the server send a comment line every 60 s (half the timeout), or raise the "
           "timeout (nginx: proxy_read_timeout).";
    QTest::newRow("WebSocket without heartbeat")
        << "ws" << QList<qint64>{60000, 60000} << 0LL << sixty.arg(2)
        << "Turn the heartbeat on, with a ping every 30 s (half the timeout), or raise the timeout "
           "(nginx: proxy_read_timeout).";
    QTest::newRow("WebSocket with a heartbeat too slow")
        << "ws+heartbeat" << QList<qint64>{60000, 60000} << 0LL << sixty.arg(2)
        << "The heartbeat did not keep it open: ping every 30 s (half the timeout) and check that "
           "the server answers, or raise the timeout (nginx: proxy_read_timeout).";
    QTest::newRow("nginx's 2 s, minimum lowered")
        << "sse" << QList<qint64>{2000, 2050, 2010} << 1000LL
        << "The connection is closed after about 2.0 s without data (3 times): an idle timeout "
           "on the way (proxy or load balancer)."
        << "Have the server send a comment line every 1.0 s (half the timeout), or raise the "
           "timeout (nginx: proxy_read_timeout).";
}

void TestDiagnoses::idleTimeout()
{
    QFETCH(QString, transport);
    QFETCH(QList<qint64>, silences);
    QFETCH(qint64, minSilence);
    QFETCH(QString, evidence);
    QFETCH(QString, fix);

    IdleTimeoutDetector detector;
    detector.setTransport(transport == QLatin1String("sse")
            ? IdleTimeoutDetector::Transport::Sse
            : IdleTimeoutDetector::Transport::WebSocket,
        transport == QLatin1String("ws+heartbeat"));
    if (minSilence > 0) {
        detector.setMinSilenceMs(minSilence);
    }
    connectAndIdle(detector, silences, T0);
    const std::optional<Diagnosis> finding = detector.finding();
    QCOMPARE(finding.has_value(), !evidence.isEmpty());
    if (finding) {
        QCOMPARE(finding->kind, Diagnosis::Kind::IdleTimeout);
        QCOMPARE(finding->evidence, evidence);
        QCOMPARE(finding->fix, fix);
        QVERIFY(finding->firstSeenMs <= finding->lastSeenMs);
        QVERIFY(detector.timeoutMs() > 0);
    } else {
        QCOMPARE(detector.timeoutMs(), -1);
    }
}

// Data after a silence more than 10% longer than the timeout: nothing cuts at that time any more.
void TestDiagnoses::idleTimeoutClearsWhenOutlived()
{
    IdleTimeoutDetector detector;
    qint64 ms = connectAndIdle(detector, {60000, 60000}, T0);
    QVERIFY(detector.finding());
    detector.opened(ms);
    detector.dataArrived(ms += 65000); // within 10%: could still be the same timeout
    QVERIFY(detector.finding());
    detector.dataArrived(ms += 67000);
    QVERIFY(!detector.finding());
    // Forgotten: one more close at 60 s is only one.
    detector.closed(ms += 60000, true);
    QVERIFY(!detector.finding());
}

// The closes stop (a heartbeat keeps the connection open now): cleared after
// ClearAfterIntervals times the time between them.
void TestDiagnoses::idleTimeoutClearsWhenClosesStop()
{
    IdleTimeoutDetector detector;
    const qint64 secondCloseMs = T0 + 2 * 71000 - 1000; // each connection: 10 s, 60 s, then 1 s
    qint64 ms = connectAndIdle(detector, {60000, 60000}, T0);
    QVERIFY(detector.finding());
    QCOMPARE(detector.finding()->firstSeenMs, secondCloseMs);
    QCOMPARE(detector.finding()->lastSeenMs, secondCloseMs);
    detector.opened(ms);
    const qint64 clearMs = secondCloseMs + IdleTimeoutDetector::ClearAfterIntervals * 71000;
    while (ms + 20000 < clearMs) {
        detector.dataArrived(ms += 20000);
        QVERIFY(detector.finding());
    }
    detector.dataArrived(clearMs);
    QVERIFY(!detector.finding());
}

void TestDiagnoses::bursts_data()
{
    QTest::addColumn<QList<qint64>>("arrivals");
    QTest::addColumn<QList<qint64>>("produced"); // empty: the payloads have no time
    QTest::addColumn<QString>("evidence"); // empty: no finding

    const auto add = [](const char *name, const Pattern &pattern, const QString &evidence) {
        QTest::newRow(name) << pattern.arrivals << pattern.produced << evidence;
    };
    const auto both = [&add](const char *name, const Pattern &pattern) {
        add(name, pattern, {});
        add((QByteArray(name) + ", no times").constData(), pattern.withoutTimes(), {});
    };

    // Healthy: silent, with and without production times.
    both("steady 100 ms", steady(600, 100));
    Pattern jittered;
    std::minstd_rand random(7);
    for (int i = 0; i < 600; ++i) { // arrivals stay in order, as on one connection
        const qint64 produced = T0 + i * 100;
        const qint64 arrival = produced + 30 + qint64(random() % 120);
        jittered.add(
            jittered.arrivals.isEmpty() ? arrival : qMax(arrival, jittered.arrivals.last()),
            produced);
    }
    both("jittered 100 ms, up to 120 ms late", jittered);
    Pattern slow = steady(600, 100);
    for (int i = 50; i < 70; ++i) { // one event took 2 s; the 19 after it waited behind it
        slow.arrivals[i] = T0 + 70 * 100 + 30 + (i - 50) / 10;
    }
    both("one slow event", slow);
    Pattern stalls = steady(600, 100);
    for (int i = 0; i < 600; ++i) { // every 5 s a 1.5 s stall, caught up at once
        if (i % 50 < 15) {
            stalls.arrivals[i] = T0 + (i / 50 * 50 + 15) * 100 + 30;
        }
    }
    both("steady, with a stall every 5 s", stalls);
    Pattern backlog;
    for (int i = 0; i < 200; ++i) { // replayed at once on opening
        backlog.add(T0 + 5, T0 - 20000 + i * 100);
    }
    Pattern after = steady(300, 100, T0 + 100);
    backlog.arrivals += after.arrivals;
    backlog.produced += after.produced;
    both("a backlog at the open, then steady", backlog);
    both("1000 events a second", steady(20000, 1));
    both("one event every 2 s", steady(60, 2000));
    Pattern batches; // every 4 s the server sends 40 events produced together
    for (int flush = 1; flush <= 8; ++flush) {
        for (int i = 0; i < 40; ++i) {
            batches.add(T0 + flush * 4000 + i % 3, T0 + flush * 4000 - 30);
        }
    }
    add("a server that sends batches, with times", batches, {});
    add("bursts of 5 every 4 s, no times", buffered(32000, 4000, 800).withoutTimes(), {});
    add("two bursts only, no times", buffered(12000, 4000, 100).withoutTimes(), {});

    // Buffered on the way.
    const QString found
        = QStringLiteral("Events arrive in bursts of about %1 every %2 although the "
                         "server sends them every %3: something on the way "
                         "buffers the stream.");
    const QString maybe
        = QStringLiteral("Events arrive in bursts of about %1 every %2 with silence "
                         "between: something on the way may buffer the stream, "
                         "unless the server sends them in batches.");
    add("40 every 4 s, sent every 100 ms", buffered(24000, 4000, 100),
        found.arg(QStringLiteral("40"), QStringLiteral("4.0 s"), QStringLiteral("100 ms")));
    add("40 every 4 s, no times", buffered(24000, 4000, 100).withoutTimes(),
        maybe.arg(QStringLiteral("40"), QStringLiteral("4.0 s")));
    add("8 every 800 ms, sent every 100 ms", buffered(8000, 800, 100),
        found.arg(QStringLiteral("8"), QStringLiteral("800 ms"), QStringLiteral("100 ms")));
    add("120 every 12 s, sent every 100 ms", buffered(72000, 12000, 100),
        found.arg(QStringLiteral("120"), QStringLiteral("12 s"), QStringLiteral("100 ms")));
    Pattern skewed = buffered(24000, 4000, 100);
    for (qint64 &produced : skewed.produced) {
        produced += 3600000; // the server's clock is an hour off
    }
    add("a server clock an hour off", skewed,
        found.arg(QStringLiteral("40"), QStringLiteral("4.0 s"), QStringLiteral("100 ms")));
}

void TestDiagnoses::bursts()
{
    QFETCH(QList<qint64>, arrivals);
    QFETCH(QList<qint64>, produced);
    QFETCH(QString, evidence);

    BurstDetector detector;
    detector.opened(T0);
    feed(detector, {arrivals, produced});
    const std::optional<Diagnosis> finding = detector.finding();
    QCOMPARE(finding ? finding->evidence : QString(), evidence);
    if (finding) {
        QCOMPARE(finding->kind, Diagnosis::Kind::ProxyBuffering);
        QVERIFY(finding->fix.contains(QStringLiteral("proxy_buffering off;")));
        QVERIFY(finding->firstSeenMs <= finding->lastSeenMs);
    }
}

// Found from the third burst after the first; cleared after MinClearMs of steady events.
void TestDiagnoses::burstFindingClears()
{
    for (bool times : {true, false}) {
        const Pattern pattern = buffered(24000, 4000, 100);
        BurstDetector detector;
        detector.opened(T0);
        feed(detector, times ? pattern : pattern.withoutTimes());
        QVERIFY(detector.finding());
        const qint64 thirdBurstMs = T0 + 4 * 4000; // the first after the open does not count
        QVERIFY(detector.finding()->firstSeenMs >= thirdBurstMs);
        QVERIFY(detector.finding()->firstSeenMs <= thirdBurstMs + BurstDetector::BurstGapMs);
        const qint64 lastBurstMs = pattern.arrivals.last();

        const Pattern fixed = steady(400, 100, lastBurstMs + 100);
        for (qsizetype i = 0; i < fixed.arrivals.size(); ++i) {
            const qint64 ms = fixed.arrivals[i];
            detector.eventArrived(
                ms, times ? std::optional<qint64>(fixed.produced[i]) : std::nullopt);
            if (ms < lastBurstMs + BurstDetector::MinClearMs) {
                QVERIFY(detector.finding());
            }
        }
        QVERIFY(!detector.finding());
    }
}

// A million events in every pattern, with production times that are anything: the kept state
// stays the same size and nothing overflows.
void TestDiagnoses::burstDetectorIsBounded()
{
    BurstDetector detector;
    detector.opened(T0);
    std::mt19937_64 random(13);
    qint64 ms = T0;
    for (int i = 0; i < 1000000; ++i) {
        ms += (i / 1000) % 2 == 0 ? 0 : qint64(random() % 3000); // clumps of 1000, then sparse
        const qint64 produced = qint64(random());
        detector.eventArrived(ms, i % 2 == 0 ? std::optional<qint64>(produced) : std::nullopt);
    }
    detector.eventArrived(ms, std::numeric_limits<qint64>::min());
    detector.eventArrived(ms, std::numeric_limits<qint64>::max());
    if (const std::optional<Diagnosis> finding = detector.finding()) {
        QVERIFY(!finding->evidence.isEmpty());
    }
    // A clump of a million: one event after another, no gap.
    BurstDetector one;
    for (int i = 0; i < 1000000; ++i) {
        one.eventArrived(T0 + i / 100);
    }
    QVERIFY(!one.finding());
}

void TestDiagnoses::responseHeaders_data()
{
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QStringList>("kinds");
    QTest::addColumn<QString>("evidence"); // the first finding's

    const QPair<QByteArray, QByteArray> sse{"Content-Type", "text/event-stream"};
    QTest::newRow("plain event stream") << Headers{sse} << QStringList{} << "";
    QTest::newRow("identity encoding")
        << Headers{sse, {"Content-Encoding", "identity"}} << QStringList{} << "";
    QTest::newRow("nginx told not to buffer")
        << Headers{sse, {"Server", "nginx/1.22.1"}, {"X-Accel-Buffering", "no"}} << QStringList{}
        << "";
    QTest::newRow("header names in any case") << Headers{{"content-type", "text/event-stream"},
        {"server", "nginx"}, {"x-accel-buffering", "NO"}}
                                              << QStringList{} << "";
    QTest::newRow("another server")
        << Headers{sse, {"Server", "Apache/2.4.57"}} << QStringList{} << "";
    QTest::newRow("not an event stream") << Headers{{"Content-Type", "application/json"},
        {"Content-Encoding", "gzip"}, {"Server", "nginx"}}
                                         << QStringList{} << "";
    QTest::newRow("gzip")
        << Headers{sse, {"Content-Encoding", "gzip"}} << codes("compressed-stream")
        << "The event stream is compressed (Content-Encoding: gzip): compression holds events "
           "back until a block fills.";
    QTest::newRow("br, with a charset")
        << Headers{{"Content-Type", "Text/Event-Stream; charset=utf-8"}, {"Content-Encoding", "br"}}
        << codes("compressed-stream")
        << "The event stream is compressed (Content-Encoding: br): compression holds events back "
           "until a block fills.";
    QTest::newRow("Via")
        << Headers{sse, {"Via", "1.1 varnish"}} << codes("proxy-may-buffer")
        << "The response came through a proxy (Via: 1.1 varnish) without X-Accel-Buffering: no: "
           "it may hold events back.";
    QTest::newRow("nginx")
        << Headers{sse, {"Server", "nginx/1.22.1"}} << codes("proxy-may-buffer")
        << "The response came through a proxy (Server: nginx/1.22.1) without X-Accel-Buffering: "
           "no: it may hold events back.";
    QTest::newRow("nginx with gzip")
        << Headers{sse, {"Server", "nginx"}, {"Content-Encoding", "gzip"}}
        << codes("compressed-stream proxy-may-buffer")
        << "The event stream is compressed (Content-Encoding: gzip): compression holds events "
           "back until a block fills.";
}

void TestDiagnoses::responseHeaders()
{
    QFETCH(Headers, headers);
    QFETCH(QStringList, kinds);
    QFETCH(QString, evidence);

    const QList<Diagnosis> findings = BurstDetector::responseHeaderFindings(headers, T0);
    QCOMPARE(kindNames(findings), kinds);
    for (const Diagnosis &finding : findings) {
        QCOMPARE(finding.firstSeenMs, T0);
        QCOMPARE(finding.lastSeenMs, T0);
        QVERIFY(!finding.fix.isEmpty());
    }
    if (!findings.isEmpty()) {
        QCOMPARE(findings.first().evidence, evidence);
    }
}

QTEST_APPLESS_MAIN(TestDiagnoses)
#include "tst_diagnoses.moc"
