// SPDX-License-Identifier: GPL-3.0-or-later
#include "decimation.h"

#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <map>

using namespace streamscope;

namespace {

// The pixel column the request puts a time in, as the plot would.
int columnOf(const DecimationRequest &request, double timeMs)
{
    const double scale = request.columns / (request.toMs - request.fromMs);
    return std::min(request.columns - 1, int(std::floor((timeMs - request.fromMs) * scale)));
}

int pointCount(const PlotRuns &runs)
{
    int count = 0;
    for (const QList<QPointF> &run : runs) {
        count += run.size();
    }
    return count;
}

} // namespace

class TestDecimation : public QObject
{
    Q_OBJECT
private slots:
    void keepsEveryColumnsMinimumAndMaximum_data();
    void keepsEveryColumnsMinimumAndMaximum();
    void fewPointsPassUnchanged();
    void gapsSplitRuns_data();
    void gapsSplitRuns();
    void segmentsSplitRuns();
    void segmentsOutsideTheRangeAreSkipped();
    void edgePointsOutsideTheRangeAreKept();
    void emptyAndOnePoint();
};

void TestDecimation::keepsEveryColumnsMinimumAndMaximum_data()
{
    QTest::addColumn<quint32>("seed");
    QTest::addColumn<int>("points");
    QTest::addColumn<int>("columns");

    QTest::newRow("1k points, 100 columns") << 1u << 1000 << 100;
    QTest::newRow("10k points, 800 columns") << 2u << 10'000 << 800;
    QTest::newRow("100k points, 1920 columns") << 3u << 100'000 << 1920;
    QTest::newRow("5k points, 1 column") << 4u << 5000 << 1;
    QTest::newRow("3k points, 7 columns") << 5u << 3000 << 7;
    QTest::newRow("2k points, 1999 columns") << 6u << 2000 << 1999;
}

void TestDecimation::keepsEveryColumnsMinimumAndMaximum()
{
    QFETCH(quint32, seed);
    QFETCH(int, points);
    QFETCH(int, columns);
    QRandomGenerator random(seed);
    SeriesBuffer series(points);
    double t = 1'700'000'000'000.0;
    for (int i = 0; i < points; ++i) {
        t += random.bounded(1, 50) + random.generateDouble(); // uneven steps, some columns empty
        series.append(t, random.generateDouble() * 200 - 100);
    }
    // The range leaves out a tenth on each side.
    const double span = series.last().timeMs - series.at(0).timeMs;
    const DecimationRequest request{
        series.at(0).timeMs + span / 10, series.last().timeMs - span / 10, columns, 0};

    const PlotRuns runs = decimate(series, request);
    QCOMPARE(runs.size(), 1);
    const QList<QPointF> &run = runs.first();
    QVERIFY2(run.size() <= 2 * columns + 2, qPrintable(QString::number(run.size())));
    for (qsizetype i = 1; i < run.size(); ++i) {
        QVERIFY(run.at(i).x() > run.at(i - 1).x()); // time order, no point twice
    }

    std::map<int, std::pair<double, double>> expected; // column: minimum, maximum
    int inRange = 0;
    for (qsizetype i = 0; i < series.size(); ++i) {
        const SeriesPoint &p = series.at(i);
        if (p.timeMs < request.fromMs || p.timeMs > request.toMs) {
            continue;
        }
        ++inRange;
        auto [it, inserted] = expected.try_emplace(columnOf(request, p.timeMs), p.value, p.value);
        it->second.first = std::min(it->second.first, p.value);
        it->second.second = std::max(it->second.second, p.value);
    }
    std::map<int, QList<double>> drawn;
    for (const QPointF &p : run) {
        if (p.x() >= request.fromMs && p.x() <= request.toMs) {
            drawn[columnOf(request, p.x())].append(p.y());
        }
    }
    for (const auto &[column, extremes] : expected) {
        QVERIFY2(drawn[column].contains(extremes.first), qPrintable(QString::number(column)));
        QVERIFY2(drawn[column].contains(extremes.second), qPrintable(QString::number(column)));
        if (inRange + 2 > columns) { // decimated, not drawn whole
            QVERIFY(drawn[column].size() <= 2);
        }
    }
    QCOMPARE(drawn.size(), expected.size()); // no column made up
}

void TestDecimation::fewPointsPassUnchanged()
{
    SeriesBuffer series(100);
    for (int i = 0; i < 50; ++i) {
        series.append(i * 10, i % 7);
    }
    const PlotRuns runs = decimate(series, {0, 490, 100, 0});
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs.first().size(), 50);
    QCOMPARE(runs.first().at(13), QPointF(130, 13 % 7));
}

void TestDecimation::gapsSplitRuns_data()
{
    QTest::addColumn<double>("gapMs");
    QTest::addColumn<QList<int>>("runSizes");

    // Points every 10 ms with a 100 ms hole after the 5th and a 40 ms one after the 8th.
    QTest::newRow("no gap detection") << 0.0 << QList<int>{10};
    QTest::newRow("gap 50 ms") << 50.0 << QList<int>{5, 5};
    QTest::newRow("gap 30 ms") << 30.0 << QList<int>{5, 3, 2};
    QTest::newRow("gap 10 ms is not a gap") << 10.0 << QList<int>{5, 3, 2};
    QTest::newRow("gap 200 ms") << 200.0 << QList<int>{10};
}

void TestDecimation::gapsSplitRuns()
{
    QFETCH(double, gapMs);
    QFETCH(QList<int>, runSizes);
    SeriesBuffer series(100);
    for (const double t : {0, 10, 20, 30, 40, 140, 150, 160, 200, 210}) {
        series.append(t, 1);
    }
    const PlotRuns runs = decimate(series, {0, 210, 1000, gapMs});
    QList<int> sizes;
    for (const QList<QPointF> &run : runs) {
        sizes.append(int(run.size()));
    }
    QCOMPARE(sizes, runSizes);
}

void TestDecimation::segmentsSplitRuns()
{
    SeriesBuffer series(10'000);
    for (int i = 0; i < 3000; ++i) {
        series.append(1000 + i, i % 2); // first run: 1000..3999
    }
    for (int i = 0; i < 3000; ++i) {
        series.append(500 + i, -(i % 3)); // the producer restarted: 500..3499
    }
    const PlotRuns runs = decimate(series, {0, 5000, 100, 0});
    QCOMPARE(runs.size(), 2);
    // Each run begins in its segment's first column and ends in its last (50 ms wide).
    QCOMPARE(runs.at(0).first().x(), 1000.0);
    QVERIFY(runs.at(0).last().x() >= 3950);
    QCOMPARE(runs.at(1).first().x(), 500.0);
    QVERIFY(runs.at(1).last().x() >= 3450 && runs.at(1).last().x() < 3500);
    for (const QList<QPointF> &run : runs) {
        QVERIFY(run.size() <= 2 * 100 + 2);
    }
    QVERIFY(runs.at(1).contains(QPointF(502, -2))); // a column's minimum
}

void TestDecimation::segmentsOutsideTheRangeAreSkipped()
{
    SeriesBuffer series(100);
    for (const double t : {1000, 1100}) { // starts after the range
        series.append(t, 4);
    }
    for (const double t : {0, 10, 20}) { // ends before it
        series.append(t, 1);
    }
    for (const double t : {5, 100, 110}) { // overlaps it
        series.append(t, 2);
    }
    QCOMPARE(series.segments().size(), size_t(3));
    const PlotRuns runs = decimate(series, {50, 500, 100, 0});
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs.first(), (QList<QPointF>{{5, 2}, {100, 2}, {110, 2}}));
}

void TestDecimation::edgePointsOutsideTheRangeAreKept()
{
    SeriesBuffer series(100'000);
    for (int i = 0; i < 100'000; ++i) {
        series.append(i, i == 49'999 ? -1000 : std::sin(i)); // one low spike
    }
    const PlotRuns runs = decimate(series, {1000.5, 90'000.5, 300, 0});
    QCOMPARE(runs.size(), 1);
    const QList<QPointF> &run = runs.first();
    QCOMPARE(run.first(), QPointF(1000, std::sin(1000)));
    QCOMPARE(run.last(), QPointF(90'001, std::sin(90'001)));
    QVERIFY(run.contains(QPointF(49'999, -1000)));
    QVERIFY(run.size() <= 2 * 300 + 2);

    // A range between two points draws the line across it.
    const PlotRuns between = decimate(series, {10.2, 10.8, 300, 0});
    QCOMPARE(between, (PlotRuns{{QPointF(10, std::sin(10)), QPointF(11, std::sin(11))}}));
}

void TestDecimation::emptyAndOnePoint()
{
    SeriesBuffer series(10);
    QVERIFY(decimate(series, {0, 100, 10, 0}).isEmpty());

    series.append(50, 7);
    QCOMPARE(decimate(series, {0, 100, 10, 0}), (PlotRuns{{QPointF(50, 7)}}));
    QCOMPARE(decimate(series, {50, 50, 10, 0}), (PlotRuns{{QPointF(50, 7)}}));
    QVERIFY(decimate(series, {60, 100, 10, 0}).isEmpty());
    QVERIFY(decimate(series, {0, 40, 10, 0}).isEmpty());
    QVERIFY(decimate(series, {100, 0, 10, 0}).isEmpty()); // a reversed range draws nothing
    QCOMPARE(pointCount(decimate(series, {0, 100, 0, 0})), 1); // no columns: treated as one
}

QTEST_APPLESS_MAIN(TestDecimation)
#include "tst_decimation.moc"
