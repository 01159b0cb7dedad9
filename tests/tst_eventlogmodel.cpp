// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventlogmodel.h"
#include "streamset.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace streamscope;

class TestEventLogModel : public QObject
{
    Q_OBJECT

private slots:
    void rowsAppearOnlyAfterFlush();
    void oneInsertPerBatch();
    void eviction_data();
    void eviction();
    void queueBeyondCapacityKeepsNewest();
    void testerWhileAppending();
    void shrinkCapacity();
    void clearForgetsEverything();
    void removeStream();
    void columns();
    void sizeText_data();
    void sizeText();
    void preview_data();
    void preview();
    void streamNames();
    void rolesAndSort();
    void throughput();
};

namespace {

StreamEvent row(int n, int streamId = 1, StreamEvent::Kind kind = StreamEvent::Kind::Event)
{
    StreamEvent event;
    event.streamId = streamId;
    event.kind = kind;
    event.arrivalMs = n;
    event.data = QByteArray::number(n);
    return event;
}

QList<qint64> arrivals(const EventLogModel &model)
{
    QList<qint64> out;
    for (int i = 0; i < model.rowCount(); ++i) {
        out.append(model.eventAt(i).arrivalMs);
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

void TestEventLogModel::rowsAppearOnlyAfterFlush()
{
    EventLogModel model(100);
    model.setFlushInterval(20);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (int i = 0; i < 5; ++i) {
        model.append(row(i));
    }
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.pendingCount(), 5);
    QCOMPARE(inserted.size(), 0);
    QTRY_COMPARE(model.rowCount(), 5);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.pendingCount(), 0);
    QCOMPARE(arrivals(model), range(0, 4));
}

void TestEventLogModel::oneInsertPerBatch()
{
    EventLogModel model;
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    for (int i = 0; i < 10000; ++i) {
        model.append(row(i));
    }
    QTRY_COMPARE(model.rowCount(), 10000);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 9999);
    QCOMPARE(changed.size(), 0);

    for (int i = 10000; i < 10010; ++i) {
        model.append(row(i));
    }
    QTRY_COMPARE(model.rowCount(), 10010);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 10000);
    QCOMPARE(inserted.at(1).at(2).toInt(), 10009);
}

void TestEventLogModel::eviction_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("existing");
    QTest::addColumn<int>("appended");
    QTest::addColumn<int>("removedRows"); // in the one rowsRemoved, 0 for none
    QTest::addColumn<quint64>("dropped");
    QTest::newRow("fits") << 10 << 4 << 6 << 0 << quint64(0);
    QTest::newRow("one over") << 10 << 10 << 1 << 1 << quint64(1);
    QTest::newRow("partly over") << 10 << 7 << 5 << 2 << quint64(2);
    QTest::newRow("batch replaces all") << 10 << 10 << 10 << 10 << quint64(10);
    QTest::newRow("batch beyond capacity") << 10 << 10 << 25 << 10 << quint64(25);
    QTest::newRow("capacity 1") << 1 << 1 << 3 << 1 << quint64(3);
}

void TestEventLogModel::eviction()
{
    QFETCH(int, capacity);
    QFETCH(int, existing);
    QFETCH(int, appended);
    QFETCH(int, removedRows);
    QFETCH(quint64, dropped);

    EventLogModel model(capacity);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < existing; ++i) {
        model.append(row(i));
    }
    model.flush();
    QCOMPARE(model.rowCount(), existing);

    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy droppedChanged(&model, &EventLogModel::droppedCountChanged);
    for (int i = existing; i < existing + appended; ++i) {
        model.append(row(i));
    }
    model.flush();

    const int total = existing + appended;
    QCOMPARE(model.rowCount(), std::min(total, capacity));
    // The newest rows, oldest first.
    QCOMPARE(arrivals(model), range(total - model.rowCount(), total - 1));
    QCOMPARE(model.droppedCount(), dropped);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(removed.size(), removedRows > 0 ? 1 : 0);
    if (removedRows > 0) {
        QCOMPARE(removed.at(0).at(1).toInt(), 0);
        QCOMPARE(removed.at(0).at(2).toInt(), removedRows - 1);
    }
    QCOMPARE(droppedChanged.size(), dropped > 0 ? 1 : 0);
    if (dropped > 0) {
        QCOMPARE(droppedChanged.at(0).at(0).value<quint64>(), dropped);
    }
}

void TestEventLogModel::queueBeyondCapacityKeepsNewest()
{
    // A burst far larger than the log while the view is not flushed: the queue stays bounded.
    EventLogModel model(100);
    for (int i = 0; i < 100000; ++i) {
        model.append(row(i));
    }
    QCOMPARE(model.pendingCount(), 100);
    QCOMPARE(model.droppedCount(), quint64(100000 - 100));
    model.flush();
    QCOMPARE(arrivals(model), range(100000 - 100, 100000 - 1));
}

void TestEventLogModel::testerWhileAppending()
{
    EventLogModel model(500);
    model.setFlushInterval(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    int n = 0;
    for (int batch = 0; batch < 20; ++batch) {
        const int size = 37 * (batch % 5) + 1; // uneven batches, some over the capacity in all
        for (int i = 0; i < size; ++i) {
            model.append(row(n, 1 + n % 3));
            ++n;
        }
        QTRY_COMPARE(model.pendingCount(), 0);
        // The tester has checked the model against each signal; reading every cell must work.
        for (int r = 0; r < model.rowCount(); r += 50) {
            for (int c = 0; c < model.columnCount(); ++c) {
                QVERIFY(model.index(r, c).data().isValid());
            }
        }
    }
    QCOMPARE(model.rowCount(), 500);
    QCOMPARE(arrivals(model), range(n - 500, n - 1));
    QCOMPARE(model.droppedCount(), quint64(n - 500));
}

void TestEventLogModel::shrinkCapacity()
{
    EventLogModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 8; ++i) {
        model.append(row(i));
    }
    model.flush();
    model.append(row(8)); // queued rows are kept, then the oldest go
    model.setCapacity(4);
    QCOMPARE(model.capacity(), 4);
    QCOMPARE(arrivals(model), range(5, 8));
    QCOMPARE(model.droppedCount(), quint64(5));
    model.setCapacity(6);
    QCOMPARE(arrivals(model), range(5, 8));

    for (int i = 9; i < 12; ++i) {
        model.append(row(i));
    }
    model.flush();
    QCOMPARE(arrivals(model), range(6, 11));

    model.setCapacity(0);
    QCOMPARE(model.capacity(), 1);
    QCOMPARE(arrivals(model), range(11, 11));
    model.setCapacity(qsizetype(1) << 40);
    QCOMPARE(model.capacity(), EventLogModel::MaxCapacity);
}

void TestEventLogModel::clearForgetsEverything()
{
    EventLogModel model(5);
    model.setFlushInterval(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 8; ++i) {
        model.append(row(i));
    }
    model.flush();
    QCOMPARE(model.droppedCount(), quint64(3));
    model.append(row(100));
    QSignalSpy droppedChanged(&model, &EventLogModel::droppedCountChanged);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.pendingCount(), 0);
    QCOMPARE(model.droppedCount(), quint64(0));
    QCOMPARE(droppedChanged.size(), 1);
    model.append(row(200));
    QTRY_COMPARE(model.rowCount(), 1);
    QCOMPARE(arrivals(model), QList<qint64>{200});
}

void TestEventLogModel::removeStream()
{
    EventLogModel model(100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 10; ++i) {
        model.append(row(i, i % 2 ? 2 : 1));
    }
    model.flush();
    model.append(row(10, 1)); // still queued: must not appear later
    model.append(row(11, 2));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.removeStream(1);
    QCOMPARE(reset.size(), 1);
    QCOMPARE(arrivals(model), (QList<qint64>{1, 3, 5, 7, 9}));
    model.flush();
    QCOMPARE(arrivals(model), (QList<qint64>{1, 3, 5, 7, 9, 11}));
}

void TestEventLogModel::columns()
{
    EventLogModel model;
    QCOMPARE(model.columnCount(), 7);
    const QStringList headers{QStringLiteral("Time"), QStringLiteral("Stream"),
        QStringLiteral("Kind"), QStringLiteral("Type"), QStringLiteral("Id"),
        QStringLiteral("Size"), QStringLiteral("Data")};
    for (int c = 0; c < model.columnCount(); ++c) {
        QCOMPARE(model.headerData(c, Qt::Horizontal).toString(), headers.at(c));
    }

    StreamEvent event;
    event.arrivalMs = QDateTime(QDate(2026, 3, 4), QTime(13, 14, 15, 167)).toMSecsSinceEpoch();
    event.streamId = 3;
    event.kind = StreamEvent::Kind::Event;
    event.type = "metric";
    event.id = "42";
    event.data = "{\"cpu\":0.5}";
    model.append(event);
    model.flush();
    const auto cell = [&model](int column) { return model.index(0, column).data().toString(); };
    QCOMPARE(cell(EventLogModel::TimeColumn), QStringLiteral("13:14:15.167"));
    QCOMPARE(cell(EventLogModel::StreamColumn), QStringLiteral("#3"));
    QCOMPARE(cell(EventLogModel::KindColumn), QStringLiteral("event"));
    QCOMPARE(cell(EventLogModel::TypeColumn), QStringLiteral("metric"));
    QCOMPARE(cell(EventLogModel::IdColumn), QStringLiteral("42"));
    QCOMPARE(cell(EventLogModel::SizeColumn), QStringLiteral("11 B"));
    QCOMPARE(cell(EventLogModel::DataColumn), QStringLiteral("{\"cpu\":0.5}"));

    QCOMPARE(streamEventKindName(StreamEvent::Kind::Message), QStringLiteral("message"));
    QCOMPARE(streamEventKindName(StreamEvent::Kind::Sent), QStringLiteral("sent"));
    QCOMPARE(streamEventKindName(StreamEvent::Kind::Lifecycle), QStringLiteral("lifecycle"));
}

void TestEventLogModel::sizeText_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << qint64(0) << QStringLiteral("0 B");
    QTest::newRow("under 1 KiB") << qint64(1023) << QStringLiteral("1023 B");
    QTest::newRow("1 KiB") << qint64(1024) << QStringLiteral("1.0 KiB");
    QTest::newRow("1.5 KiB") << qint64(1536) << QStringLiteral("1.5 KiB");
    QTest::newRow("2 MiB") << qint64(2 * 1024 * 1024) << QStringLiteral("2.0 MiB");
}

void TestEventLogModel::sizeText()
{
    QFETCH(qint64, bytes);
    QFETCH(QString, text);
    QCOMPARE(EventLogModel::sizeText(bytes), text);
}

void TestEventLogModel::preview_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<QString>("preview");
    const QString ret(QChar(0x23CE));
    const QString more(QChar(0x2026));
    QTest::newRow("plain") << QByteArray("hello") << false << QStringLiteral("hello");
    QTest::newRow("LF") << QByteArray("a\nb") << false << QStringLiteral("a") + ret + u'b';
    QTest::newRow("CRLF is one") << QByteArray("a\r\nb") << false
                                 << QStringLiteral("a") + ret + u'b';
    QTest::newRow("tab") << QByteArray("a\tb") << false << QStringLiteral("a b");
    QTest::newRow("control") << QByteArray("a\x01") << false << QStringLiteral("a") + QChar(0x2401);
    QTest::newRow("utf-8") << QByteArray("gr\xc3\xbc\xc3\x9f") << false
                           << QString::fromUtf8("gr\xc3\xbc\xc3\x9f");
    QTest::newRow("long") << QByteArray(500, 'x') << false << QString(200, u'x') + more;
    QTest::newRow("binary") << QByteArray("\x00\xff\x10", 3) << true
                            << QStringLiteral("binary 00 ff 10");
    QTest::newRow("long binary") << QByteArray(100, '\xab') << true
                                 << QStringLiteral("binary ")
            + QString::fromLatin1(QByteArray(64, '\xab').toHex(' ')) + more;
}

void TestEventLogModel::preview()
{
    QFETCH(QByteArray, data);
    QFETCH(bool, binary);
    QFETCH(QString, preview);
    StreamEvent event;
    event.data = data;
    event.binary = binary;
    QCOMPARE(EventLogModel::previewText(event), preview);
}

void TestEventLogModel::streamNames()
{
    StreamSet streams;
    StreamConfig config;
    config.name = QStringLiteral("metrics");
    config.url = QUrl(QStringLiteral("http://127.0.0.1:1/metrics"));
    const int id = streams.add(config);

    EventLogModel model;
    model.setStreamSet(&streams);
    model.append(row(1, id));
    model.append(row(2, id + 100));
    model.flush();
    QCOMPARE(
        model.index(0, EventLogModel::StreamColumn).data().toString(), QStringLiteral("metrics"));
    QCOMPARE(model.index(1, EventLogModel::StreamColumn).data().toString(),
        QStringLiteral("#%1").arg(id + 100));

    // Rows outlive their stream: they keep its name.
    const int later = streams.add(config);
    model.append(row(3, later));
    model.flush();
    streams.remove(id);
    streams.remove(later);
    QCOMPARE(
        model.index(0, EventLogModel::StreamColumn).data().toString(), QStringLiteral("metrics"));
    QCOMPARE(
        model.index(2, EventLogModel::StreamColumn).data().toString(), QStringLiteral("metrics"));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setStreamNameFunction([](int streamId) { return QStringLiteral("s%1").arg(streamId); });
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.index(0, EventLogModel::StreamColumn).data().toString(),
        QStringLiteral("s%1").arg(id));
}

void TestEventLogModel::rolesAndSort()
{
    EventLogModel model;
    StreamEvent event = row(7, 4, StreamEvent::Kind::Message);
    event.data = QByteArray(1536, 'a');
    model.append(event);
    model.flush();
    const QModelIndex size = model.index(0, EventLogModel::SizeColumn);
    QCOMPARE(size.data(EventLogModel::StreamIdRole).toInt(), 4);
    QCOMPARE(size.data(EventLogModel::KindRole).toInt(), int(StreamEvent::Kind::Message));
    QCOMPARE(size.data(EventLogModel::RawDataRole).toByteArray(), event.data);
    QCOMPARE(size.data(EventLogModel::ArrivalMsRole).toLongLong(), 7);
    QCOMPARE(size.data(EventLogModel::SortRole).toLongLong(), 1536);
    QCOMPARE(
        model.index(0, EventLogModel::TimeColumn).data(EventLogModel::SortRole).toLongLong(), 7);
    const StreamEvent back = size.data(EventLogModel::EventRole).value<StreamEvent>();
    QCOMPARE(back.data, event.data);
    QCOMPARE(back.streamId, 4);
}

void TestEventLogModel::throughput()
{
    // 100 000 events a second for one second of feed, in 40 ms batches as the timer would flush.
    EventLogModel model(200000);
    StreamEvent event;
    event.streamId = 1;
    event.type = "metric";
    event.data = "{\"host\":\"web-1\",\"cpu\":0.42,\"mem\":0.61}";
    QElapsedTimer clock;
    clock.start();
    qint64 worstFlushNs = 0;
    for (int batch = 0; batch < 25 * 3; ++batch) { // three seconds' worth: fills and evicts
        for (int i = 0; i < 4000; ++i) {
            event.arrivalMs = batch * 4000 + i;
            model.append(event);
        }
        QElapsedTimer flushClock;
        flushClock.start();
        model.flush();
        worstFlushNs = std::max(worstFlushNs, flushClock.nsecsElapsed());
    }
    const qint64 ms = clock.elapsed();
    qInfo("300000 events in %lld ms (%.0f events/s); worst flush %.2f ms", ms,
        300000.0 * 1000 / std::max<qint64>(ms, 1), worstFlushNs / 1e6);
    QCOMPARE(model.rowCount(), 200000);
    QCOMPARE(model.droppedCount(), quint64(100000));
    QVERIFY2(ms < 3000, "the model must keep up with 100 000 events/s");
}

QTEST_MAIN(TestEventLogModel)
#include "tst_eventlogmodel.moc"
