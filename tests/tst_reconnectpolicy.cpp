// SPDX-License-Identifier: GPL-3.0-or-later
#include "reconnectpolicy.h"

#include <QTest>

using namespace streamscope;

// The one reconnect policy of EventSource and WebSocketClient: when to try again, when to stop.
class TestReconnectPolicy : public QObject
{
    Q_OBJECT
private slots:
    void givesUpAfterMaxReconnects_data();
    void givesUpAfterMaxReconnects();
    void healthyConnectionResetsTheDelay();
    void openedAttemptIsNoFailure();
    void retryAfterIsAFloor();
    void configureForgetsEverything();
};

void TestReconnectPolicy::givesUpAfterMaxReconnects_data()
{
    QTest::addColumn<int>("maxReconnects");
    QTest::addColumn<QString>("outcomes"); // per failed attempt: r (retry) or g (give up)
    QTest::newRow("none allowed") << 0 << QStringLiteral("g");
    QTest::newRow("two allowed") << 2 << QStringLiteral("rrg");
    QTest::newRow("unlimited") << -1 << QStringLiteral("rrrrrrrrrr");
}

void TestReconnectPolicy::givesUpAfterMaxReconnects()
{
    QFETCH(int, maxReconnects);
    QFETCH(QString, outcomes);
    ReconnectPolicy policy;
    policy.configure(10, 1000, maxReconnects);
    QString seen;
    for (qsizetype i = 0; i < outcomes.size(); ++i) {
        seen += policy.next(true) ? QLatin1Char('r') : QLatin1Char('g');
    }
    QCOMPARE(seen, outcomes);
}

void TestReconnectPolicy::healthyConnectionResetsTheDelay()
{
    ReconnectPolicy policy;
    policy.configure(100, 100000, -1);
    for (int i = 0; i < 5; ++i) {
        policy.next(true); // 100, 200, 400, 800, 1600 at most
    }
    QVERIFY(*policy.next(true) >= 1600); // the sixth: from [1600, 3200]
    policy.attemptStarted();
    QVERIFY(!policy.isHealthy());
    policy.markHealthy();
    QVERIFY(policy.isHealthy());
    QVERIFY(*policy.next(false) <= 100); // from the base again
}

void TestReconnectPolicy::openedAttemptIsNoFailure()
{
    ReconnectPolicy policy;
    policy.configure(10, 100, 1);
    QVERIFY(policy.next(true)); // one failure: allowed
    policy.opened(); // the next attempt reached the server, then dropped
    QVERIFY(policy.next(false));
    QVERIFY(policy.next(true)); // counted from 0 again: allowed
    QVERIFY(!policy.next(true)); // two in a row: no more
    policy.forgetFailures(); // the user asked for a new attempt
    QVERIFY(policy.next(true));
}

void TestReconnectPolicy::retryAfterIsAFloor()
{
    ReconnectPolicy policy;
    policy.configure(10, 100, -1);
    QCOMPARE(*policy.next(true, 5000), 5000);
}

void TestReconnectPolicy::configureForgetsEverything()
{
    ReconnectPolicy policy;
    policy.configure(10, 1000, 0);
    policy.setBaseDelayOverride(500);
    QVERIFY(!policy.next(true));
    policy.configure(10, 1000, 0);
    QCOMPARE(policy.backoff().baseDelay(), 10);
    QVERIFY(!policy.next(true)); // allowed none: the first failure gives up
    policy.configure(10, 1000, 1);
    QVERIFY(policy.next(true));
}

QTEST_APPLESS_MAIN(TestReconnectPolicy)
#include "tst_reconnectpolicy.moc"
