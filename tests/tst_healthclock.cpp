// SPDX-License-Identifier: GPL-3.0-or-later
// The one timer behind every stream's health checks: who is checked, and what a check may do to
// the others while the clock goes round.
#include "healthclock.h"

#include <QTest>

#include <memory>

using namespace streamscope;

class TestHealthClock : public QObject
{
    Q_OBJECT

private slots:
    void checksEveryOwnerUntilItLeaves();
    void joiningAgainReplacesTheCheck();
    void aCheckMayRemoveOthersAndItself();
    void aCheckMayDeleteAnOwner();
    void oneClockPerThread();
};

void TestHealthClock::checksEveryOwnerUntilItLeaves()
{
    HealthClock &clock = HealthClock::forThisThread();
    QObject a;
    QObject b;
    int aChecks = 0;
    int bChecks = 0;
    clock.join(&a, [&] { ++aChecks; });
    clock.join(&b, [&] { ++bChecks; });
    QTRY_VERIFY(aChecks >= 2 && bChecks >= 2);

    clock.leave(&a);
    QVERIFY(!clock.isTicking(&a));
    const int aSeen = aChecks;
    const int bSeen = bChecks;
    QTRY_VERIFY(bChecks >= bSeen + 2);
    QCOMPARE(aChecks, aSeen);
    clock.leave(&b);
}

void TestHealthClock::joiningAgainReplacesTheCheck()
{
    HealthClock &clock = HealthClock::forThisThread();
    QObject owner;
    int first = 0;
    int second = 0;
    clock.join(&owner, [&] { ++first; });
    clock.join(&owner, [&] { ++second; });
    QTRY_VERIFY(second >= 2);
    QCOMPARE(first, 0);
    clock.leave(&owner);
}

// A stream's check can stop it, or another stream: neither is checked after it left.
void TestHealthClock::aCheckMayRemoveOthersAndItself()
{
    HealthClock &clock = HealthClock::forThisThread();
    QObject owners[3];
    int checks[3] = {0, 0, 0};
    for (int i = 0; i < 3; ++i) {
        clock.join(&owners[i], [&, i] {
            ++checks[i];
            for (QObject &owner : owners) {
                clock.leave(&owner); // the first to be checked takes every one out
            }
        });
    }
    QTRY_COMPARE(checks[0] + checks[1] + checks[2], 1);
    QTest::qWait(3 * HealthClock::IntervalMs);
    QCOMPARE(checks[0] + checks[1] + checks[2], 1);
}

void TestHealthClock::aCheckMayDeleteAnOwner()
{
    HealthClock &clock = HealthClock::forThisThread();
    auto doomed = std::make_unique<QObject>();
    QObject killer;
    int doomedChecks = 0;
    int killerChecks = 0;
    QObject *doomedOwner = doomed.get();
    clock.join(doomedOwner, [&] { ++doomedChecks; });
    clock.join(&killer, [&] {
        ++killerChecks;
        if (doomed) {
            clock.leave(doomed.get()); // as ~Stream does
            doomed.reset();
        }
    });
    QTRY_VERIFY(killerChecks >= 3);
    QVERIFY(!doomed);
    QVERIFY(doomedChecks <= 1); // checked at most once, before the killer's first turn
    clock.leave(&killer);
}

void TestHealthClock::oneClockPerThread()
{
    HealthClock *main = &HealthClock::forThisThread();
    QCOMPARE(&HealthClock::forThisThread(), main);
    QCOMPARE(main->parent(), QCoreApplication::instance());
}

QTEST_GUILESS_MAIN(TestHealthClock)
#include "tst_healthclock.moc"
