// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventlog.h"

#include <QTest>

#include <limits>

using namespace streamscope;

class TestEventLog : public QObject
{
    Q_OBJECT

private slots:
    void keepsNewestInOrder_data();
    void keepsNewestInOrder();
    void shrinkDropsOldest();
    void growKeepsRows();
    void removeStreamKeepsOrder();
    void clearResets();
    void zeroCapacityDropsAll();
    void capacityNeverExceedsTheBound();
};

namespace {

StreamEvent row(int n, int streamId = 1)
{
    StreamEvent event;
    event.streamId = streamId;
    event.arrivalMs = n;
    event.data = QByteArray::number(n);
    return event;
}

QList<qint64> arrivals(const EventLog &log)
{
    QList<qint64> out;
    for (qsizetype i = 0; i < log.size(); ++i) {
        out.append(log.at(i).arrivalMs);
    }
    return out;
}

QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> out;
    for (qint64 i = from; i <= to; ++i) {
        out.append(i);
    }
    return out;
}

} // namespace

void TestEventLog::keepsNewestInOrder_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("appended");
    QTest::addColumn<quint64>("dropped");
    QTest::newRow("empty") << 4 << 0 << quint64(0);
    QTest::newRow("under") << 4 << 3 << quint64(0);
    QTest::newRow("exactly full") << 4 << 4 << quint64(0);
    QTest::newRow("one over") << 4 << 5 << quint64(1);
    QTest::newRow("wrapped twice") << 4 << 11 << quint64(7);
    QTest::newRow("capacity one") << 1 << 5 << quint64(4);
}

void TestEventLog::keepsNewestInOrder()
{
    QFETCH(int, capacity);
    QFETCH(int, appended);
    QFETCH(quint64, dropped);
    EventLog log(capacity);
    for (int i = 1; i <= appended; ++i) {
        log.append(row(i));
    }
    QCOMPARE(log.capacity(), capacity);
    QCOMPARE(log.size(), qMin(capacity, appended));
    QCOMPARE(log.droppedCount(), dropped);
    QCOMPARE(arrivals(log), range(qMax(1, appended - capacity + 1), appended));
}

void TestEventLog::shrinkDropsOldest()
{
    EventLog log(5);
    for (int i = 1; i <= 7; ++i) {
        log.append(row(i)); // wraps: head is not 0
    }
    log.setCapacity(3);
    QCOMPARE(arrivals(log), range(5, 7));
    QCOMPARE(log.droppedCount(), quint64(2 + 2));
    log.append(row(8));
    QCOMPARE(arrivals(log), range(6, 8));
    QCOMPARE(log.droppedCount(), quint64(5));
}

void TestEventLog::growKeepsRows()
{
    EventLog log(3);
    for (int i = 1; i <= 5; ++i) {
        log.append(row(i));
    }
    log.setCapacity(6);
    QCOMPARE(arrivals(log), range(3, 5));
    for (int i = 6; i <= 9; ++i) {
        log.append(row(i));
    }
    QCOMPARE(arrivals(log), range(4, 9));
    QCOMPARE(log.droppedCount(), quint64(3));
}

void TestEventLog::removeStreamKeepsOrder()
{
    EventLog log(6);
    for (int i = 1; i <= 8; ++i) {
        log.append(row(i, i % 2 == 0 ? 2 : 1));
    }
    log.removeStream(2);
    QCOMPARE(arrivals(log), (QList<qint64>{3, 5, 7}));
    log.append(row(9));
    log.append(row(10));
    QCOMPARE(arrivals(log), (QList<qint64>{3, 5, 7, 9, 10}));
    log.removeStream(42);
    QCOMPARE(log.size(), 5);
}

void TestEventLog::clearResets()
{
    EventLog log(2);
    for (int i = 1; i <= 5; ++i) {
        log.append(row(i));
    }
    log.clear();
    QCOMPARE(log.size(), 0);
    QCOMPARE(log.droppedCount(), quint64(0));
    log.append(row(6));
    QCOMPARE(arrivals(log), QList<qint64>{6});
}

void TestEventLog::zeroCapacityDropsAll()
{
    EventLog log(0);
    log.append(row(1));
    QCOMPARE(log.size(), 0);
    QCOMPARE(log.droppedCount(), quint64(1));
}

void TestEventLog::capacityNeverExceedsTheBound()
{
    EventLog log(EventLog::MaxCapacity + 1);
    QCOMPARE(log.capacity(), EventLog::MaxCapacity);
    log.setCapacity(std::numeric_limits<qsizetype>::max());
    QCOMPARE(log.capacity(), EventLog::MaxCapacity);
    log.setCapacity(-5);
    QCOMPARE(log.capacity(), qsizetype(0));
}

QTEST_APPLESS_MAIN(TestEventLog)
#include "tst_eventlog.moc"
