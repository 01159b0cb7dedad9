// SPDX-License-Identifier: GPL-3.0-or-later
#include "backoff.h"

#include <QTest>

using namespace streamscope;

class TestBackoff : public QObject
{
    Q_OBJECT
private slots:
    void growsAndCaps_data();
    void growsAndCaps();
    void manyFailuresStayAtTheCap();
    void resetStartsOver();
    void serverBaseDelayReplacesInitial();
    void retryAfterIsAFloorWithoutJitterBelow();
    void zeroDelayStaysZero();
};

void TestBackoff::growsAndCaps_data()
{
    QTest::addColumn<int>("initial");
    QTest::addColumn<int>("cap");
    QTest::addColumn<QList<int>>("ceilings"); // d for failures 1, 2, 3...

    QTest::newRow("defaults") << 1000 << 30000
                              << QList<int>{1000, 2000, 4000, 8000, 16000, 30000, 30000};
    QTest::newRow("small cap") << 100 << 250 << QList<int>{100, 200, 250, 250};
    QTest::newRow("initial above cap") << 5000 << 3000 << QList<int>{3000, 3000};
}

void TestBackoff::growsAndCaps()
{
    QFETCH(int, initial);
    QFETCH(int, cap);
    QFETCH(QList<int>, ceilings);
    for (quint32 seed = 1; seed <= 50; ++seed) {
        Backoff backoff;
        backoff.seed(seed);
        backoff.setInitialDelay(initial);
        backoff.setMaxDelay(cap);
        for (int n = 0; n < ceilings.size(); ++n) {
            const int delay = backoff.nextDelay();
            const int d = ceilings.at(n);
            QVERIFY2(delay >= d / 2 && delay <= d,
                qPrintable(QStringLiteral("failure %1: %2 not in [%3, %4]")
                               .arg(n + 1)
                               .arg(delay)
                               .arg(d / 2)
                               .arg(d)));
        }
        QCOMPARE(backoff.failures(), ceilings.size());
    }
}

void TestBackoff::manyFailuresStayAtTheCap()
{
    Backoff backoff;
    for (int n = 1; n <= 200; ++n) {
        const int delay = backoff.nextDelay();
        QVERIFY(delay >= 0 && delay <= 30000);
        if (n >= 6) {
            QVERIFY(delay >= 15000);
        }
    }
}

void TestBackoff::resetStartsOver()
{
    Backoff backoff;
    backoff.setInitialDelay(1000);
    for (int i = 0; i < 6; ++i) {
        backoff.nextDelay();
    }
    backoff.reset();
    QCOMPARE(backoff.failures(), 0);
    const int delay = backoff.nextDelay();
    QVERIFY(delay >= 500 && delay <= 1000);
}

void TestBackoff::serverBaseDelayReplacesInitial()
{
    Backoff backoff;
    backoff.setInitialDelay(1000);
    backoff.setBaseDelayOverride(200);
    QCOMPARE(backoff.baseDelay(), 200);
    QVERIFY(backoff.nextDelay() <= 200);
    const int second = backoff.nextDelay();
    QVERIFY(second >= 200 && second <= 400);
    backoff.setBaseDelayOverride(0); // SSE `retry: 0`: reconnect at once
    QCOMPARE(backoff.baseDelay(), 0);
    QCOMPARE(backoff.nextDelay(), 0);
    backoff.clearBaseDelayOverride();
    QCOMPARE(backoff.baseDelay(), 1000);
}

void TestBackoff::retryAfterIsAFloorWithoutJitterBelow()
{
    for (quint32 seed = 1; seed <= 50; ++seed) {
        Backoff backoff;
        backoff.seed(seed);
        QCOMPARE(backoff.nextDelay(7000), 7000); // d = 1000, floor above it
        const int delay = backoff.nextDelay(1500); // d = 2000: drawn from [1000, 2000], floored
        QVERIFY(delay >= 1500 && delay <= 2000);
    }
}

void TestBackoff::zeroDelayStaysZero()
{
    Backoff backoff;
    backoff.setInitialDelay(0);
    QCOMPARE(backoff.nextDelay(), 0);
    QCOMPARE(backoff.nextDelay(), 0);
}

QTEST_APPLESS_MAIN(TestBackoff)
#include "tst_backoff.moc"
