// SPDX-License-Identifier: GPL-3.0-or-later
#include "charts/chartaxes.h"

#include <QSet>
#include <QTest>

#include <limits>

using namespace streamscope;
using namespace streamscope::chartaxes;

namespace {

constexpr double s_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double s_inf = std::numeric_limits<double>::infinity();

} // namespace

class TestChartAxes : public QObject
{
    Q_OBJECT

private slots:
    void timeFormats_data();
    void timeFormats();
    void niceRanges_data();
    void niceRanges();
    void valueRanges_data();
    void valueRanges();
    void valueAxisLabels_data();
    void valueAxisLabels();
    void labelsOfAnAxisDiffer_data();
    void labelsOfAnAxisDiffer();
    void tickCounts_data();
    void tickCounts();
    void liveRanges_data();
    void liveRanges();
    void snapsToColumns_data();
    void snapsToColumns();
};

void TestChartAxes::timeFormats_data()
{
    QTest::addColumn<double>("spanMs");
    QTest::addColumn<QString>("format");
    QTest::newRow("seconds") << 5'000.0 << QStringLiteral("HH:mm:ss.zzz");
    QTest::newRow("ten seconds") << 10'000.0 << QStringLiteral("HH:mm:ss");
    QTest::newRow("half an hour") << 30 * 60'000.0 << QStringLiteral("HH:mm:ss");
    QTest::newRow("an hour") << 3600'000.0 << QStringLiteral("HH:mm");
    QTest::newRow("a day") << 24 * 3600'000.0 << QStringLiteral("HH:mm");
    QTest::newRow("a week") << 7 * 24 * 3600'000.0 << QStringLiteral("MMM d HH:mm");
}

void TestChartAxes::timeFormats()
{
    QFETCH(double, spanMs);
    QFETCH(QString, format);
    QCOMPARE(timeFormat(spanMs), format);
}

void TestChartAxes::niceRanges_data()
{
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    QTest::addColumn<int>("maxTicks");
    QTest::addColumn<double>("niceLow");
    QTest::addColumn<double>("niceHigh");
    QTest::addColumn<int>("ticks");

    QTest::newRow("round already") << 0.0 << 100.0 << 6 << 0.0 << 100.0 << 6;
    QTest::newRow("widened to steps of 20") << 0.5 << 99.5 << 6 << 0.0 << 100.0 << 6;
    QTest::newRow("steps of 2000") << 12'000.0 << 19'000.0 << 5 << 12'000.0 << 20'000.0 << 5;
    QTest::newRow("below zero") << -40.0 << -10.0 << 4 << -40.0 << -10.0 << 4;
    QTest::newRow("steps of 2.5") << 0.0 << 9.0 << 5 << 0.0 << 10.0 << 5;
    QTest::newRow("one tick asked: two") << 0.0 << 10.0 << 1 << 0.0 << 10.0 << 2;
    QTest::newRow("flat: as given") << 5.0 << 5.0 << 4 << 5.0 << 5.0 << 4;
    QTest::newRow("NaN: as given") << s_nan << 1.0 << 3 << s_nan << 1.0 << 3;
    QTest::newRow("infinite: as given") << 0.0 << s_inf << 5 << 0.0 << s_inf << 5;
}

void TestChartAxes::niceRanges()
{
    QFETCH(double, low);
    QFETCH(double, high);
    QFETCH(int, maxTicks);
    QFETCH(double, niceLow);
    QFETCH(double, niceHigh);
    QFETCH(int, ticks);
    const NiceRange range = niceRange(low, high, maxTicks);
    QCOMPARE(range.low, niceLow);
    QCOMPARE(range.high, niceHigh);
    QCOMPARE(range.ticks, ticks);
}

void TestChartAxes::valueRanges_data()
{
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    QTest::addColumn<int>("maxTicks");
    QTest::addColumn<double>("niceLow");
    QTest::addColumn<double>("niceHigh");
    QTest::addColumn<int>("ticks");

    QTest::newRow("no data: 0 to 1 and a margin") << s_inf << -s_inf << 5 << 0.0 << 1.5 << 4;
    QTest::newRow("positives stay above zero") << 0.5 << 99.5 << 6 << 0.0 << 125.0 << 6;
    QTest::newRow("negatives stay below zero") << -40.0 << -10.0 << 6 << -50.0 << 0.0 << 6;
    QTest::newRow("across zero") << -5.0 << 5.0 << 5 << -10.0 << 10.0 << 5;
    QTest::newRow("flat: half a unit around") << 5.0 << 5.0 << 4 << 4.5 << 5.5 << 3;
}

void TestChartAxes::valueRanges()
{
    QFETCH(double, low);
    QFETCH(double, high);
    QFETCH(int, maxTicks);
    QFETCH(double, niceLow);
    QFETCH(double, niceHigh);
    QFETCH(int, ticks);
    const NiceRange range = valueRange(low, high, maxTicks);
    QCOMPARE(range.low, niceLow);
    QCOMPARE(range.high, niceHigh);
    QCOMPARE(range.ticks, ticks);
}

void TestChartAxes::valueAxisLabels_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("step");
    QTest::addColumn<double>("rangeLow");
    QTest::addColumn<double>("rangeHigh");
    QTest::addColumn<QString>("label");

    QTest::newRow("mega") << 25e6 << 5e6 << 0.0 << 5e7 << QStringLiteral("25M");
    QTest::newRow("kilo") << 25'000.0 << 5'000.0 << 0.0 << 25'000.0 << QStringLiteral("25k");
    QTest::newRow("below ten thousand: no prefix")
        << 2'500.0 << 500.0 << 0.0 << 2'500.0 << QStringLiteral("2500");
    QTest::newRow("tera with a decimal")
        << 2.5e12 << 0.5e12 << 0.0 << 2.5e13 << QStringLiteral("2.5T");
    QTest::newRow("quarters") << 0.25 << 0.25 << 0.0 << 1.0 << QStringLiteral("0.25");
    QTest::newRow("halves") << 1.5 << 0.5 << 0.0 << 2.0 << QStringLiteral("1.5");
    QTest::newRow("thousandths") << 0.012 << 0.001 << 0.01 << 0.02 << QStringLiteral("0.012");
    QTest::newRow("negative") << -40.0 << 10.0 << -50.0 << 0.0 << QStringLiteral("-40");
    QTest::newRow("zero from summing steps") << 1e-17 << 0.1 << 0.0 << 1.0 << QStringLiteral("0");
    QTest::newRow("negative zero") << -0.0 << 1.0 << -5.0 << 0.0 << QStringLiteral("0");
    QTest::newRow("zero on a mega axis") << 0.0 << 5e6 << 0.0 << 5e7 << QStringLiteral("0");
}

void TestChartAxes::valueAxisLabels()
{
    QFETCH(double, value);
    QFETCH(double, step);
    QFETCH(double, rangeLow);
    QFETCH(double, rangeHigh);
    QFETCH(QString, label);
    const NiceRange range{rangeLow, rangeHigh, int((rangeHigh - rangeLow) / step) + 1};
    QCOMPARE(valueAxisLabel(value, step, range), label);
}

void TestChartAxes::labelsOfAnAxisDiffer_data()
{
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    QTest::addColumn<int>("maxTicks");

    // The data of tst_chartpanel's valueAxisLabels, at each number of ticks a plot may have.
    const struct
    {
        const char *name;
        double low;
        double high;
    } data[] = {{"percent", 0.5, 99.5}, {"bytes/s", 2.1e6, 4.3e7}, {"kilo", 12'000, 19'000},
        {"fractions", 0.011, 0.019}, {"below zero", -40, -10}};
    for (const auto &entry : data) {
        for (int ticks = 3; ticks <= 8; ++ticks) {
            QTest::addRow("%s, %d ticks", entry.name, ticks) << entry.low << entry.high << ticks;
        }
    }
}

// QCategoryAxis refuses a label it already has: every tick's label must differ.
void TestChartAxes::labelsOfAnAxisDiffer()
{
    QFETCH(double, low);
    QFETCH(double, high);
    QFETCH(int, maxTicks);
    const NiceRange range = valueRange(low, high, maxTicks);
    QVERIFY(range.low <= low && range.high >= high);
    QVERIFY(range.ticks >= 2);
    QSet<QString> labels;
    for (int tick = 0; tick < range.ticks; ++tick) {
        const QString label = valueAxisLabel(range.low + tick * range.step(), range.step(), range);
        QVERIFY2(!label.contains(QLatin1Char('e')), qPrintable(label));
        labels.insert(label);
    }
    QCOMPARE(labels.size(), range.ticks);
}

void TestChartAxes::tickCounts_data()
{
    QTest::addColumn<int>("pixels");
    QTest::addColumn<int>("timeTicks");
    QTest::addColumn<int>("valueTicks");
    QTest::newRow("no size yet") << 0 << 2 << 3;
    QTest::newRow("small") << 139 << 2 << 4;
    QTest::newRow("medium") << 280 << 3 << 8;
    QTest::newRow("large: capped") << 2000 << 8 << 8;
}

void TestChartAxes::tickCounts()
{
    QFETCH(int, pixels);
    QFETCH(int, timeTicks);
    QFETCH(int, valueTicks);
    QCOMPARE(timeTickCount(pixels), timeTicks);
    QCOMPARE(valueTickCount(pixels), valueTicks);
}

void TestChartAxes::liveRanges_data()
{
    QTest::addColumn<double>("windowMs");
    QTest::addColumn<double>("earliestMs");
    QTest::addColumn<double>("latestMs");
    QTest::addColumn<double>("fromMs");
    QTest::addColumn<double>("toMs");
    // Now is 1,000,000 ms throughout.

    QTest::newRow("no data, a minute") << 60'000.0 << s_nan << s_nan << 940'000.0 << 1e6;
    QTest::newRow("no data, all retained") << 0.0 << s_nan << s_nan << 940'000.0 << 1e6;
    QTest::newRow("recent data scrolls with now")
        << 60'000.0 << 500'000.0 << 990'000.0 << 940'000.0 << 1e6;
    QTest::newRow("a producer's clock ahead")
        << 60'000.0 << 500'000.0 << 1'010'000.0 << 950'000.0 << 1'010'000.0;
    QTest::newRow("a replay ends at its newest point")
        << 60'000.0 << 0.0 << 500'000.0 << 440'000.0 << 500'000.0;
    QTest::newRow("all retained from the oldest point")
        << 0.0 << 200'000.0 << 900'000.0 << 200'000.0 << 1e6;
    QTest::newRow("all retained, one old point")
        << 0.0 << 900'000.0 << 900'000.0 << 900'000.0 - MinSpanMs << 900'000.0;
}

void TestChartAxes::liveRanges()
{
    QFETCH(double, windowMs);
    QFETCH(double, earliestMs);
    QFETCH(double, latestMs);
    QFETCH(double, fromMs);
    QFETCH(double, toMs);
    QCOMPARE(liveRange(windowMs, earliestMs, latestMs, 1e6), std::pair(fromMs, toMs));
}

void TestChartAxes::snapsToColumns_data()
{
    QTest::addColumn<double>("fromMs");
    QTest::addColumn<double>("toMs");
    QTest::addColumn<int>("columns");
    QTest::addColumn<double>("snappedFromMs");
    QTest::addColumn<double>("snappedToMs");
    QTest::newRow("on a column") << 0.0 << 1'000.0 << 10 << 0.0 << 1'000.0;
    QTest::newRow("half a column on") << 50.0 << 1'050.0 << 10 << 100.0 << 1'100.0;
    QTest::newRow("just past a column") << 1.0 << 1'001.0 << 10 << 100.0 << 1'100.0;
}

void TestChartAxes::snapsToColumns()
{
    QFETCH(double, fromMs);
    QFETCH(double, toMs);
    QFETCH(int, columns);
    QFETCH(double, snappedFromMs);
    QFETCH(double, snappedToMs);
    const auto [from, to] = snapToColumn({fromMs, toMs}, columns);
    QCOMPARE(from, snappedFromMs);
    QCOMPARE(to, snappedToMs);
    QCOMPARE(to - from, toMs - fromMs); // the width is kept
}

QTEST_APPLESS_MAIN(TestChartAxes)
#include "tst_chartaxes.moc"
