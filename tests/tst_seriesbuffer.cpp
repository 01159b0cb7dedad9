// SPDX-License-Identifier: GPL-3.0-or-later
#include "seriesbuffer.h"

#include <QTest>

using namespace streamscope;

namespace {

QList<double> times(const SeriesBuffer &buffer)
{
    QList<double> result;
    for (qsizetype i = 0; i < buffer.size(); ++i) {
        result.append(buffer.at(i).timeMs);
    }
    return result;
}

using Ranges = QList<QPair<qsizetype, qsizetype>>;

Ranges segmentRanges(const SeriesBuffer &buffer)
{
    Ranges result;
    for (const SeriesBuffer::Segment &segment : buffer.segments()) {
        result.append({segment.begin, segment.end});
    }
    return result;
}

SeriesBuffer filled(qsizetype capacity, const QList<double> &pointTimes)
{
    SeriesBuffer buffer(capacity);
    for (const double t : pointTimes) {
        buffer.append(t, t * 10);
    }
    return buffer;
}

} // namespace

class TestSeriesBuffer : public QObject
{
    Q_OBJECT
private slots:
    void wrapsAroundKeepingTheNewest_data();
    void wrapsAroundKeepingTheNewest();
    void shrinkingDropsTheOldestAndGrowingKeepsAll();
    void backwardsTimeStartsASegment_data();
    void backwardsTimeStartsASegment();
    void segmentsArePrunedAsPointsDrop();
    void dropBefore_data();
    void dropBefore();
    void lowerBoundWithinASegment_data();
    void lowerBoundWithinASegment();
    void memoryFollowsThePointsHeld();
    void typicalIntervalIsAMovingAverageWithinSegments();
    void nonFinitePointsAreIgnored();
    void clearEmptiesButKeepsCounting();
};

void TestSeriesBuffer::wrapsAroundKeepingTheNewest_data()
{
    QTest::addColumn<qsizetype>("capacity");
    QTest::addColumn<int>("appended");
    QTest::addColumn<QList<double>>("expected");

    QTest::newRow("under capacity") << qsizetype(5) << 3 << QList<double>{0, 1, 2};
    QTest::newRow("exactly full") << qsizetype(3) << 3 << QList<double>{0, 1, 2};
    QTest::newRow("one over") << qsizetype(3) << 4 << QList<double>{1, 2, 3};
    QTest::newRow("many laps") << qsizetype(4) << 23 << QList<double>{19, 20, 21, 22};
    QTest::newRow("capacity one") << qsizetype(1) << 7 << QList<double>{6};
    QTest::newRow("past the first storage size") << qsizetype(40) << 45 << [] {
        QList<double> t;
        for (int i = 5; i < 45; ++i) {
            t.append(i);
        }
        return t;
    }();
}

void TestSeriesBuffer::wrapsAroundKeepingTheNewest()
{
    QFETCH(qsizetype, capacity);
    QFETCH(int, appended);
    QFETCH(QList<double>, expected);
    SeriesBuffer buffer(capacity);
    for (int i = 0; i < appended; ++i) {
        buffer.append(i, i * 10);
    }
    QCOMPARE(times(buffer), expected);
    QCOMPARE(buffer.last().value, expected.last() * 10);
    QCOMPARE(buffer.appendedTotal(), quint64(appended));
    QCOMPARE(segmentRanges(buffer), (Ranges{{0, expected.size()}}));
}

void TestSeriesBuffer::shrinkingDropsTheOldestAndGrowingKeepsAll()
{
    SeriesBuffer buffer(8);
    for (int i = 0; i < 11; ++i) { // wrapped: the storage's oldest is not at index 0
        buffer.append(i, i);
    }
    buffer.setCapacity(5);
    QCOMPARE(buffer.capacity(), qsizetype(5));
    QCOMPARE(times(buffer), (QList<double>{6, 7, 8, 9, 10}));
    QVERIFY(buffer.allocatedPoints() <= 5);

    buffer.setCapacity(100);
    for (int i = 11; i < 70; ++i) {
        buffer.append(i, i);
    }
    QCOMPARE(buffer.size(), qsizetype(64));
    QCOMPARE(buffer.at(0).timeMs, 6.0);
    QCOMPARE(buffer.last().timeMs, 69.0);
    for (qsizetype i = 1; i < buffer.size(); ++i) {
        QCOMPARE(buffer.at(i).timeMs, buffer.at(i - 1).timeMs + 1);
    }
}

void TestSeriesBuffer::backwardsTimeStartsASegment_data()
{
    QTest::addColumn<QList<double>>("pointTimes");
    QTest::addColumn<Ranges>("expected");

    QTest::newRow("in order") << QList<double>{1, 2, 3} << Ranges{{0, 3}};
    QTest::newRow("equal times stay") << QList<double>{1, 2, 2, 3} << Ranges{{0, 4}};
    QTest::newRow("one restart") << QList<double>{10, 20, 5, 6} << Ranges{{0, 2}, {2, 4}};
    QTest::newRow("two restarts") << QList<double>{10, 20, 5, 6, 1}
                                  << Ranges{{0, 2}, {2, 4}, {4, 5}};
    QTest::newRow("every point back") << QList<double>{3, 2, 1} << Ranges{{0, 1}, {1, 2}, {2, 3}};
}

void TestSeriesBuffer::backwardsTimeStartsASegment()
{
    QFETCH(QList<double>, pointTimes);
    QFETCH(Ranges, expected);
    const SeriesBuffer buffer = filled(100, pointTimes);
    QCOMPARE(segmentRanges(buffer), expected);
    QCOMPARE(times(buffer), pointTimes);
}

void TestSeriesBuffer::segmentsArePrunedAsPointsDrop()
{
    // A producer restarting every 3 points: the ring of 6 never holds more than 3 segments.
    SeriesBuffer buffer(6);
    for (int i = 0; i < 3000; ++i) {
        buffer.append(i % 3, i);
        QVERIFY(buffer.segments().size() <= 3);
    }
    QCOMPARE(segmentRanges(buffer), (Ranges{{0, 3}, {3, 6}}));

    buffer.append(0, 0); // starts a segment and pushes the oldest point out
    QCOMPARE(segmentRanges(buffer), (Ranges{{0, 2}, {2, 5}, {5, 6}}));
}

void TestSeriesBuffer::dropBefore_data()
{
    QTest::addColumn<QList<double>>("pointTimes");
    QTest::addColumn<double>("cutoff");
    QTest::addColumn<QList<double>>("expected");
    QTest::addColumn<Ranges>("segments");

    QTest::newRow("nothing older")
        << QList<double>{5, 6, 7} << 5.0 << QList<double>{5, 6, 7} << Ranges{{0, 3}};
    QTest::newRow("some older") << QList<double>{1, 2, 3, 4} << 2.5 << QList<double>{3, 4}
                                << Ranges{{0, 2}};
    QTest::newRow("all older") << QList<double>{1, 2} << 10.0 << QList<double>{} << Ranges{};
    QTest::newRow("first segment whole, then part of the second")
        << QList<double>{1, 2, 3, 0, 5, 9} << 4.0 << QList<double>{5, 9} << Ranges{{0, 2}};
    QTest::newRow("stops at the first point not older") << QList<double>{1, 8, 9, 2,
        3} << 5.0 << QList<double>{8, 9, 2, 3} << Ranges{{0, 2}, {2, 4}};
}

void TestSeriesBuffer::dropBefore()
{
    QFETCH(QList<double>, pointTimes);
    QFETCH(double, cutoff);
    QFETCH(QList<double>, expected);
    QFETCH(Ranges, segments);
    SeriesBuffer buffer(6);
    for (int i = 0; i < 4; ++i) {
        buffer.append(-100 + i, 0); // older points: the ring wraps below
    }
    for (const double t : pointTimes) {
        buffer.append(t, t);
    }
    buffer.dropBefore(cutoff);
    QCOMPARE(times(buffer), expected);
    QCOMPARE(segmentRanges(buffer), segments);
}

void TestSeriesBuffer::lowerBoundWithinASegment_data()
{
    QTest::addColumn<double>("time");
    QTest::addColumn<qsizetype>("expected");

    // Segment 0: [0, 5) times 10 20 20 30 40; segment 1: [5, 8) times 0 15 50.
    QTest::newRow("before all") << 5.0 << qsizetype(0);
    QTest::newRow("exact first") << 10.0 << qsizetype(0);
    QTest::newRow("between") << 25.0 << qsizetype(3);
    QTest::newRow("first of equals") << 20.0 << qsizetype(1);
    QTest::newRow("last") << 40.0 << qsizetype(4);
    QTest::newRow("after all") << 45.0 << qsizetype(5);
}

void TestSeriesBuffer::lowerBoundWithinASegment()
{
    QFETCH(double, time);
    QFETCH(qsizetype, expected);
    SeriesBuffer buffer(8);
    for (int i = 0; i < 5; ++i) {
        buffer.append(-1, 0); // wrapped out below
    }
    for (const double t : {10, 20, 20, 30, 40, 0, 15, 50}) {
        buffer.append(t, 0);
    }
    QCOMPARE(segmentRanges(buffer), (Ranges{{0, 5}, {5, 8}}));
    QCOMPARE(buffer.lowerBound(0, 5, time), expected);
    // The second segment is searched on its own.
    QCOMPARE(buffer.lowerBound(5, 8, 15), qsizetype(6));
    QCOMPARE(buffer.lowerBound(5, 8, 60), qsizetype(8));
}

void TestSeriesBuffer::memoryFollowsThePointsHeld()
{
    SeriesBuffer buffer(2'000'000);
    for (int i = 0; i < 10; ++i) {
        buffer.append(i, i);
    }
    QVERIFY2(buffer.allocatedPoints() <= 64, qPrintable(QString::number(buffer.allocatedPoints())));

    for (int i = 10; i < 100'000; ++i) {
        buffer.append(i, i);
    }
    QVERIFY(buffer.allocatedPoints() >= 100'000);
    QVERIFY(buffer.allocatedPoints() <= 200'000);

    buffer.dropBefore(99'990); // most of it is empty now: memory goes back
    QCOMPARE(buffer.size(), qsizetype(10));
    QVERIFY(buffer.allocatedPoints() <= 64);
    QCOMPARE(times(buffer).first(), 99'990.0);

    buffer.clear();
    QCOMPARE(buffer.allocatedPoints(), qsizetype(0));
}

void TestSeriesBuffer::typicalIntervalIsAMovingAverageWithinSegments()
{
    SeriesBuffer buffer(100);
    QCOMPARE(buffer.typicalIntervalMs(), 0.0);
    buffer.append(1000, 0);
    QCOMPARE(buffer.typicalIntervalMs(), 0.0);
    buffer.append(1100, 0);
    QCOMPARE(buffer.typicalIntervalMs(), 100.0);
    buffer.append(0, 0); // a restart: no gap of -1100 is averaged in
    QCOMPARE(buffer.typicalIntervalMs(), 100.0);
    for (int i = 1; i <= 200; ++i) {
        buffer.append(i * 10, 0);
    }
    QVERIFY(qAbs(buffer.typicalIntervalMs() - 10) < 0.01);
}

void TestSeriesBuffer::nonFinitePointsAreIgnored()
{
    SeriesBuffer buffer(10);
    buffer.append(1, 1);
    buffer.append(qQNaN(), 1);
    buffer.append(2, qInf());
    buffer.append(-qInf(), 1);
    buffer.append(3, 3);
    QCOMPARE(times(buffer), (QList<double>{1, 3}));
    QCOMPARE(buffer.segments().size(), size_t(1));
}

void TestSeriesBuffer::clearEmptiesButKeepsCounting()
{
    SeriesBuffer buffer = filled(10, {1, 2, 0});
    const quint64 before = buffer.appendedTotal();
    buffer.clear();
    QVERIFY(buffer.isEmpty());
    QVERIFY(buffer.segments().empty());
    buffer.append(5, 5);
    QCOMPARE(buffer.appendedTotal(), before + 1);
    QCOMPARE(segmentRanges(buffer), (Ranges{{0, 1}}));
}

QTEST_APPLESS_MAIN(TestSeriesBuffer)
#include "tst_seriesbuffer.moc"
