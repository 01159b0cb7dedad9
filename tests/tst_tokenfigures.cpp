// SPDX-License-Identifier: GPL-3.0-or-later
// TokenTimer: the figures of an answer from times given in ms, no clock and no event loop.
#include "tokenfigures.h"

#include <QTest>

using namespace streamscope;

namespace {

// count deltas, the first at first, each gap ms after the one before.
QList<qint64> evenly(qint64 first, int count, qint64 gap)
{
    QList<qint64> times;
    for (int i = 0; i < count; ++i) {
        times << first + i * gap;
    }
    return times;
}

// times with extra ms added to the deltas at the positions given, and to every one after.
QList<qint64> withStalls(QList<qint64> times, const QList<int> &at, qint64 extra)
{
    for (int position : at) {
        for (qsizetype i = position; i < times.size(); ++i) {
            times[i] += extra;
        }
    }
    return times;
}

bool near(double actual, double expected)
{
    return qAbs(actual - expected) < 0.01;
}

} // namespace

class TestTokenFigures : public QObject
{
    Q_OBJECT
private slots:
    void figures_data();
    void figures();
    void gapsWindowAndPercentilesOverAll();
    void newRunForgetsTheLast();
    void firstFinishCounts();
};

void TestTokenFigures::figures_data()
{
    QTest::addColumn<qint64>("headers"); // -1: never
    QTest::addColumn<QList<qint64>>("times"); // the deltas, request sent at 0
    QTest::addColumn<QString>("text"); // every delta's
    QTest::addColumn<qint64>("end"); // -1: not finished
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("usageIn");
    QTest::addColumn<qint64>("usageOut");
    QTest::addColumn<qint64>("ttft");
    QTest::addColumn<qint64>("duration");
    QTest::addColumn<qint64>("tokens");
    QTest::addColumn<bool>("estimated");
    QTest::addColumn<double>("tokensPerSecond");
    QTest::addColumn<qint64>("p50");
    QTest::addColumn<qint64>("p99");
    QTest::addColumn<qint64>("max");

    const QList<qint64> twenty = evenly(500, 20, 50);
    const QString four = QStringLiteral("tok ");
    // 20 tokens, 19 after the first in 950 ms: 20 tokens/s, as 50 ms gaps say.
    QTest::newRow("first token at 500 ms, 20 tokens 50 ms apart, usage")
        << qint64(120) << twenty << four << qint64(1500) << qint64(9999) << qint64(12) << qint64(20)
        << qint64(500) << qint64(1500) << qint64(20) << false << 20.0 << qint64(50) << qint64(50)
        << qint64(50);
    QTest::newRow("the same without usage: 4 characters a token")
        << qint64(120) << twenty << four << qint64(1500) << qint64(9999) << qint64(-1) << qint64(-1)
        << qint64(500) << qint64(1500) << qint64(20) << true << 20.0 << qint64(50) << qint64(50)
        << qint64(50);
    // Usage says 60 tokens in 20 deltas: 57 after the first in 950 ms.
    QTest::newRow("several tokens a delta, usage")
        << qint64(120) << twenty << four << qint64(1500) << qint64(9999) << qint64(12) << qint64(60)
        << qint64(500) << qint64(1500) << qint64(60) << false << 60.0 << qint64(50) << qint64(50)
        << qint64(50);
    QTest::newRow("usage with input tokens only: output estimated")
        << qint64(120) << twenty << four << qint64(1500) << qint64(9999) << qint64(12) << qint64(-1)
        << qint64(500) << qint64(1500) << qint64(20) << true << 20.0 << qint64(50) << qint64(50)
        << qint64(50);
    // 3 * 5 characters: 15 / 4 rounded up.
    QTest::newRow("estimate rounds up")
        << qint64(-1) << evenly(300, 3, 100) << QStringLiteral("Hello") << qint64(600)
        << qint64(9999) << qint64(-1) << qint64(-1) << qint64(300) << qint64(600) << qint64(4)
        << true << 4 * 2.0 / 3 / 0.2 << qint64(100) << qint64(100) << qint64(100);
    // A surrogate pair is one character: 8 deltas of 2 characters, 16 / 4.
    QTest::newRow("characters are code points")
        << qint64(10) << evenly(100, 8, 10) << QStringLiteral("界🙂") << qint64(200) << qint64(0)
        << qint64(-1) << qint64(-1) << qint64(100) << qint64(200) << qint64(4) << true
        << 4 * 7.0 / 8 / 0.07 << qint64(10) << qint64(10) << qint64(10);
    // 201 deltas 50 ms apart with one stall of 2 s: 199 of 200 gaps are 50 ms, so p99 is too.
    QTest::newRow("one stall: only the max shows it")
        << qint64(100) << withStalls(evenly(400, 201, 50), {120}, 1950) << four << qint64(-1)
        << qint64(12400) << qint64(-1) << qint64(201) << qint64(400) << qint64(12400) << qint64(201)
        << false << 200.0 / 11.95 << qint64(50) << qint64(50) << qint64(2000);
    // Three stalls of 2999 ms: the 198th of 200 gaps is one; p99 reads its histogram bucket,
    // within 0.2% (2996), the max is exact.
    QTest::newRow("three stalls: p99 shows them")
        << qint64(100) << withStalls(evenly(400, 201, 50), {50, 100, 150}, 2949) << four
        << qint64(20000) << qint64(0) << qint64(-1) << qint64(201) << qint64(400) << qint64(20000)
        << qint64(201) << false << 200.0 / (10.0 + 3 * 2.949) << qint64(50) << qint64(2996)
        << qint64(2999);
    QTest::newRow("one delta: no pace, no gaps")
        << qint64(50) << QList<qint64>{700} << four << qint64(800) << qint64(0) << qint64(5)
        << qint64(1) << qint64(700) << qint64(800) << qint64(1) << false << -1.0 << qint64(-1)
        << qint64(-1) << qint64(-1);
    QTest::newRow("all in the same ms: no pace")
        << qint64(50) << QList<qint64>{700, 700, 700} << four << qint64(800) << qint64(0)
        << qint64(-1) << qint64(-1) << qint64(700) << qint64(800) << qint64(3) << true << -1.0
        << qint64(0) << qint64(0) << qint64(0);
    QTest::newRow("live: duration so far")
        << qint64(50) << evenly(300, 5, 100) << four << qint64(-1) << qint64(900) << qint64(-1)
        << qint64(-1) << qint64(300) << qint64(900) << qint64(5) << true << 4 / 0.4 << qint64(100)
        << qint64(100) << qint64(100);
    QTest::newRow("headers only, live")
        << qint64(80) << QList<qint64>{} << four << qint64(-1) << qint64(250) << qint64(-1)
        << qint64(-1) << qint64(-1) << qint64(250) << qint64(0) << true << -1.0 << qint64(-1)
        << qint64(-1) << qint64(-1);
    QTest::newRow("a clock that went back: a 0 ms gap")
        << qint64(10) << QList<qint64>{100, 200, 150, 300} << four << qint64(300) << qint64(0)
        << qint64(-1) << qint64(-1) << qint64(100) << qint64(300) << qint64(4) << true << 15.0
        << qint64(100) << qint64(100) << qint64(100);
}

void TestTokenFigures::figures()
{
    QFETCH(qint64, headers);
    QFETCH(QList<qint64>, times);
    QFETCH(QString, text);
    QFETCH(qint64, end);
    QFETCH(qint64, now);
    QFETCH(qint64, usageIn);
    QFETCH(qint64, usageOut);
    QFETCH(double, tokensPerSecond);

    TokenTimer timer;
    timer.requestSent(0);
    if (headers >= 0) {
        timer.headersReceived(headers);
    }
    for (qint64 ms : std::as_const(times)) {
        timer.delta(ms, text);
        timer.delta(ms, QString()); // ignored
    }
    if (end >= 0) {
        timer.finished(end);
    }
    TokenUsage usage;
    usage.inputTokens = usageIn;
    usage.outputTokens = usageOut;
    timer.setUsage(usage);

    const TokenTimer::Figures figures = timer.figures(now);
    QCOMPARE(figures.timeToHeadersMs, headers);
    QTEST(figures.timeToFirstTokenMs, "ttft");
    QTEST(figures.durationMs, "duration");
    QTEST(figures.outputTokens, "tokens");
    QTEST(figures.estimated, "estimated");
    QCOMPARE(figures.estimateRule,
        figures.estimated ? QStringLiteral("≈ 1 token per 4 characters") : QString());
    QVERIFY2(near(figures.tokensPerSecond, tokensPerSecond),
        qPrintable(QStringLiteral("%1 tokens/s, expected %2")
                       .arg(figures.tokensPerSecond)
                       .arg(tokensPerSecond)));
    QTEST(figures.gapP50Ms, "p50");
    QTEST(figures.gapP99Ms, "p99");
    QTEST(figures.gapMaxMs, "max");
    QCOMPARE(figures.deltas, int(times.size()));
    QCOMPARE(figures.inputTokens, usageIn);
    QCOMPARE(timer.gaps().size(), qMax<qsizetype>(0, times.size() - 1));
}

void TestTokenFigures::gapsWindowAndPercentilesOverAll()
{
    // 5000 gaps of 100 ms, then 4096 of 10 ms: the window holds the fast ones only, the
    // percentiles see the whole run.
    TokenTimer timer;
    timer.requestSent(0);
    qint64 ms = 1000;
    timer.delta(ms, u"a");
    for (int i = 0; i < 5000; ++i) {
        timer.delta(ms += 100, u"a");
    }
    for (int i = 0; i < 4096; ++i) {
        timer.delta(ms += 10, u"a");
    }
    const QList<qint64> gaps = timer.gaps();
    QCOMPARE(gaps.size(), TokenTimer::KeptGaps);
    QCOMPARE(gaps, QList<qint64>(TokenTimer::KeptGaps, 10));
    const TokenTimer::Figures figures = timer.figures(ms);
    QCOMPARE(figures.deltas, 9097);
    QCOMPARE(figures.gapP50Ms, 100);
    QCOMPARE(figures.gapP99Ms, 100);
    QCOMPARE(figures.gapMaxMs, 100);

    // The window keeps the latest gaps in order.
    timer.delta(ms += 7, u"a");
    QCOMPARE(timer.gaps().size(), TokenTimer::KeptGaps);
    QCOMPARE(timer.gaps().last(), 7);
    QCOMPARE(timer.gaps().first(), 10);
}

void TestTokenFigures::newRunForgetsTheLast()
{
    TokenTimer timer;
    timer.requestSent(0);
    timer.headersReceived(10);
    timer.delta(100, u"abcd");
    timer.delta(200, u"abcd");
    timer.finished(300);
    TokenUsage usage;
    usage.outputTokens = 2;
    timer.setUsage(usage);

    timer.requestSent(1000);
    const TokenTimer::Figures figures = timer.figures(1400);
    QCOMPARE(figures.timeToHeadersMs, -1);
    QCOMPARE(figures.timeToFirstTokenMs, -1);
    QCOMPARE(figures.durationMs, 400);
    QCOMPARE(figures.outputTokens, 0);
    QVERIFY(figures.estimated);
    QCOMPARE(figures.deltas, 0);
    QVERIFY(timer.gaps().isEmpty());
    QCOMPARE(figures.gapMaxMs, -1);
    // Nothing sent yet: no times at all.
    QCOMPARE(TokenTimer().figures(5).durationMs, -1);
}

void TestTokenFigures::firstFinishCounts()
{
    TokenTimer timer;
    timer.requestSent(100);
    timer.delta(150, u"x");
    timer.finished(400);
    timer.finished(900);
    QCOMPARE(timer.figures(2000).durationMs, 300);
}

QTEST_APPLESS_MAIN(TestTokenFigures)
#include "tst_tokenfigures.moc"
