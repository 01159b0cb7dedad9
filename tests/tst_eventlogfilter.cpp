// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventlogfilter.h"
#include "eventlogmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace streamscope;

using Kind = StreamEvent::Kind;

class TestEventLogFilter : public QObject
{
    Q_OBJECT

private slots:
    void filters_data();
    void filters();
    void invalidRegex();
    void liveRowsAreFiltered();
    void insertsAreFilteredIncrementally();
    void testerWhileAppendingAndEvicting();
    void sortsBySizeNotText();
    void jsonRoundTrip();
    void jsonProblems();
};

namespace {

// As a workspace saves and loads the filters: written and read in core, applied by the filter.
QJsonObject save(const EventLogFilter &filter, const QList<int> &order)
{
    return filter.state(order).toJson();
}

void load(
    EventLogFilter &filter, const QJsonObject &json, const QList<int> &order, QStringList *problems)
{
    QList<int> indexes;
    for (qsizetype i = 0; i < order.size(); ++i) {
        indexes.append(int(i));
    }
    filter.setState(
        LogFilterState::fromJson(json, QStringLiteral("filters"), indexes, problems), order);
}

struct Row
{
    int stream;
    Kind kind;
    const char *type;
    const char *id;
    const char *data;
};

// Arrival times are the row numbers: a filter's result is the list of them.
const Row fixedRows[] = {
    {1, Kind::Lifecycle, "open", "", "connected to http://127.0.0.1/metrics"},
    {1, Kind::Event, "metric", "1", "{\"host\":\"web-1\",\"cpu\":0.42}"},
    {1, Kind::Event, "metric", "2", "{\"host\":\"db-1\",\"cpu\":0.91}"},
    {2, Kind::Event, "log", "17", "ERROR disk full on /var"},
    {2, Kind::Event, "log", "18", "info: rotated logs"},
    {3, Kind::Sent, "", "", "{\"subscribe\":\"cpu\"}"},
    {3, Kind::Message, "", "", "{\"host\":\"cache-1\",\"cpu\":0.07}"},
    {3, Kind::Lifecycle, "reconnecting", "", "reconnecting in 1 s (attempt 2)"},
    {2, Kind::Event, "log", "19", "gr\xc3\x9c\xc3\x9f from M\xc3\xbcnchen"},
};

StreamEvent makeEvent(int n, const Row &row)
{
    StreamEvent event;
    event.arrivalMs = n;
    event.streamId = row.stream;
    event.kind = row.kind;
    event.type = row.type;
    event.id = row.id;
    event.data = row.data;
    return event;
}

void fill(EventLogModel &model)
{
    int n = 0;
    for (const Row &row : fixedRows) {
        model.append(makeEvent(n, row));
        ++n;
    }
    model.flush();
}

QList<int> shown(const QAbstractItemModel &proxy)
{
    QList<int> rows;
    for (int r = 0; r < proxy.rowCount(); ++r) {
        rows.append(int(proxy.index(r, 0).data(EventLogModel::ArrivalMsRole).toLongLong()));
    }
    return rows;
}

// Counts the rows the proxy asks about, to show that inserts are filtered row by row.
class CountingFilter : public EventLogFilter
{
public:
    mutable int checked = 0;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override
    {
        ++checked;
        return EventLogFilter::filterAcceptsRow(sourceRow, sourceParent);
    }
};

} // namespace

void TestEventLogFilter::filters_data()
{
    QTest::addColumn<QList<int>>("streams");
    QTest::addColumn<QList<int>>("kinds");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("regex");
    QTest::addColumn<bool>("caseSensitive");
    QTest::addColumn<QList<int>>("expected");

    const QList<int> none;
    const QList<int> all{0, 1, 2, 3, 4, 5, 6, 7, 8};
    const QString empty;
    QTest::newRow("nothing set") << none << none << empty << empty << empty << false << false
                                 << all;
    QTest::newRow("one stream") << QList<int>{2} << none << empty << empty << empty << false
                                << false << QList<int>{3, 4, 8};
    QTest::newRow("two streams") << QList<int>{1, 3} << none << empty << empty << empty << false
                                 << false << QList<int>{0, 1, 2, 5, 6, 7};
    QTest::newRow("unknown stream")
        << QList<int>{9} << none << empty << empty << empty << false << false << none;
    QTest::newRow("lifecycle") << none << QList<int>{int(Kind::Lifecycle)} << empty << empty
                               << empty << false << false << QList<int>{0, 7};
    QTest::newRow("ws kinds") << none << QList<int>{int(Kind::Message), int(Kind::Sent)} << empty
                              << empty << empty << false << false << QList<int>{5, 6};
    QTest::newRow("type substring") << none << none << QStringLiteral("MET") << empty << empty
                                    << false << false << QList<int>{1, 2};
    QTest::newRow("type exact case")
        << none << none << QStringLiteral("MET") << empty << empty << false << true << none;
    QTest::newRow("id substring") << none << none << empty << QStringLiteral("1") << empty << false
                                  << false << QList<int>{1, 3, 4, 8};
    QTest::newRow("text any case") << none << none << empty << empty << QStringLiteral("error")
                                   << false << false << QList<int>{3};
    QTest::newRow("text case-sensitive")
        << none << none << empty << empty << QStringLiteral("error") << false << true << none;
    QTest::newRow("text non-ASCII any case")
        << none << none << empty << empty << QString::fromUtf8("GR\xc3\x9c\xc3\x9f") << false
        << false << QList<int>{8};
    QTest::newRow("text quote") << none << none << empty << empty << QStringLiteral("\"cpu\":0.9")
                                << false << false << QList<int>{2};
    QTest::newRow("regex") << none << none << empty << empty << QStringLiteral("\"cpu\":0\\.[0-4]")
                           << true << false << QList<int>{1, 6};
    QTest::newRow("regex anchors") << none << none << empty << empty << QStringLiteral("^info")
                                   << true << false << QList<int>{4};
    QTest::newRow("regex any case") << none << none << empty << empty << QStringLiteral("^INFO")
                                    << true << false << QList<int>{4};
    QTest::newRow("regex case-sensitive")
        << none << none << empty << empty << QStringLiteral("^INFO") << true << true << none;
    QTest::newRow("combined") << QList<int>{1, 2} << QList<int>{int(Kind::Event)}
                              << QStringLiteral("metric") << empty << QStringLiteral("web") << false
                              << false << QList<int>{1};
}

void TestEventLogFilter::filters()
{
    QFETCH(QList<int>, streams);
    QFETCH(QList<int>, kinds);
    QFETCH(QString, type);
    QFETCH(QString, id);
    QFETCH(QString, text);
    QFETCH(bool, regex);
    QFETCH(bool, caseSensitive);
    QFETCH(QList<int>, expected);

    EventLogModel model;
    fill(model);
    EventLogFilter filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(
        &filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&filter, &EventLogFilter::filterChanged);

    filter.setStreamIds(QSet<int>(streams.begin(), streams.end()));
    QList<Kind> kindList;
    for (const int kind : kinds) {
        kindList.append(Kind(kind));
    }
    filter.setKinds(kindList);
    filter.setTypeFilter(type);
    filter.setIdFilter(id);
    filter.setCaseSensitive(caseSensitive);
    filter.setTextFilter(text,
        regex ? EventLogFilter::TextMode::RegularExpression : EventLogFilter::TextMode::Substring);

    QCOMPARE(shown(filter), expected);
    QCOMPARE(filter.textError(), QString());
    QCOMPARE(filter.isActive(), QTest::currentDataTag() != QByteArray("nothing set"));
    QCOMPARE(filter.kinds(), kindList);
}

void TestEventLogFilter::invalidRegex()
{
    EventLogModel model;
    fill(model);
    EventLogFilter filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(
        &filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy errors(&filter, &EventLogFilter::textErrorChanged);

    filter.setTextFilter(QStringLiteral("^info"), EventLogFilter::TextMode::RegularExpression);
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(errors.size(), 0);

    // A half-typed expression: reported, and the log is not filtered by it.
    filter.setTextFilter(QStringLiteral("cpu\":(0"), EventLogFilter::TextMode::RegularExpression);
    QCOMPARE(errors.size(), 1);
    QVERIFY(!errors.at(0).at(0).toString().isEmpty());
    QCOMPARE(filter.textError(), errors.at(0).at(0).toString());
    QVERIFY2(filter.textError().contains(QStringLiteral("offset")), qPrintable(filter.textError()));
    QCOMPARE(filter.rowCount(), model.rowCount());
    QVERIFY(!filter.isActive());

    // The same text as a substring is fine.
    filter.setTextFilter(QStringLiteral("cpu\":(0"), EventLogFilter::TextMode::Substring);
    QCOMPARE(errors.size(), 2);
    QCOMPARE(filter.textError(), QString());
    QCOMPARE(filter.rowCount(), 0);

    filter.setTextFilter(QStringLiteral("[unclosed"), EventLogFilter::TextMode::RegularExpression);
    QCOMPARE(errors.size(), 3);
    filter.setTextFilter(
        QStringLiteral("cpu\":(0\\.9)"), EventLogFilter::TextMode::RegularExpression);
    QCOMPARE(errors.size(), 4);
    QCOMPARE(filter.textError(), QString());
    QCOMPARE(shown(filter), QList<int>{2});
}

void TestEventLogFilter::liveRowsAreFiltered()
{
    EventLogModel model;
    model.setFlushInterval(5);
    fill(model);
    EventLogFilter filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(
        &filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setStreamIds({2});
    filter.setTextFilter(QStringLiteral("disk"));
    QCOMPARE(shown(filter), QList<int>{3});

    // Rows keep arriving after the filter is set.
    int n = 100;
    for (int i = 0; i < 3; ++i) {
        for (const Row &row : fixedRows) {
            model.append(makeEvent(n++, row));
        }
    }
    QTRY_COMPARE(model.pendingCount(), 0);
    QCOMPARE(shown(filter), (QList<int>{3, 103, 112, 121}));

    // Changing the filter applies to rows already there and to new ones.
    filter.setTextFilter(QString());
    QCOMPARE(filter.rowCount(), 4 * 3);
    model.append(makeEvent(n, fixedRows[3]));
    model.append(makeEvent(n + 1, fixedRows[1]));
    QTRY_COMPARE(filter.rowCount(), 4 * 3 + 1);
}

void TestEventLogFilter::insertsAreFilteredIncrementally()
{
    // Full from the start: each batch also evicts as many of the oldest rows.
    EventLogModel model(10000);
    for (int i = 0; i < 10000; ++i) {
        model.append(makeEvent(i, fixedRows[i % 9]));
    }
    model.flush();
    CountingFilter filter;
    filter.setSourceModel(&model);
    filter.setTextFilter(QStringLiteral("cpu"));
    QCOMPARE(filter.rowCount(), 10000 / 9 * 4);

    filter.checked = 0;
    QSignalSpy inserted(&filter, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&filter, &QAbstractItemModel::modelReset);
    QSignalSpy layout(&filter, &QAbstractItemModel::layoutChanged);
    QSignalSpy removed(&filter, &QAbstractItemModel::rowsRemoved);
    for (int i = 10000; i < 10099; ++i) {
        model.append(makeEvent(i, fixedRows[i % 9]));
    }
    model.flush();
    // Only the batch's rows were looked at; they came in as one insert, the evicted rows left
    // as one remove.
    QCOMPARE(filter.checked, 99);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(reset.size(), 0);
    QCOMPARE(layout.size(), 0);
    QCOMPARE(filter.rowCount(), 10000 / 9 * 4);
}

void TestEventLogFilter::testerWhileAppendingAndEvicting()
{
    EventLogModel model(200);
    model.setFlushInterval(5);
    EventLogFilter filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(
        &filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setKinds({Kind::Event, Kind::Message});
    filter.sort(EventLogModel::TimeColumn, Qt::DescendingOrder);
    int n = 0;
    for (int batch = 0; batch < 15; ++batch) {
        for (int i = 0; i < 41 * (batch % 4) + 3; ++i) {
            model.append(makeEvent(n, fixedRows[n % 9]));
            ++n;
        }
        QTRY_COMPARE(model.pendingCount(), 0);
        if (batch == 7) {
            filter.setTextFilter(QStringLiteral("host"));
        }
    }
    // Newest first, only events and messages with "host" in them.
    const QList<int> rows = shown(filter);
    QVERIFY(!rows.isEmpty());
    for (qsizetype i = 1; i < rows.size(); ++i) {
        QVERIFY(rows.at(i - 1) > rows.at(i));
    }
    for (const int row : rows) {
        QVERIFY(QByteArray(fixedRows[row % 9].data).contains("host"));
        QVERIFY(row >= n - 200);
    }
}

void TestEventLogFilter::sortsBySizeNotText()
{
    EventLogModel model;
    StreamEvent small;
    small.arrivalMs = 0;
    small.data = QByteArray(900, 'a'); // "900 B"
    StreamEvent large;
    large.arrivalMs = 1;
    large.data = QByteArray(1200, 'b'); // "1.2 KiB": sorts before "900 B" as text
    model.append(large);
    model.append(small);
    model.flush();
    EventLogFilter filter;
    filter.setSourceModel(&model);
    filter.sort(EventLogModel::SizeColumn, Qt::AscendingOrder);
    QCOMPARE(shown(filter), (QList<int>{0, 1}));
    filter.sort(EventLogModel::SizeColumn, Qt::DescendingOrder);
    QCOMPARE(shown(filter), (QList<int>{1, 0}));
}

void TestEventLogFilter::jsonRoundTrip()
{
    const QList<int> order{4, 7, 9}; // stream ids in the workspace's order
    EventLogFilter filter;
    filter.setStreamIds({7, 9});
    filter.setKinds({Kind::Event, Kind::Lifecycle});
    filter.setTypeFilter(QStringLiteral("metric"));
    filter.setIdFilter(QStringLiteral("1"));
    filter.setCaseSensitive(true);
    filter.setTextFilter(
        QStringLiteral("cpu\":0\\.9"), EventLogFilter::TextMode::RegularExpression);
    const QJsonObject json = save(filter, order);
    QCOMPARE(json.value(QStringLiteral("streams")).toArray(), (QJsonArray{1, 2}));
    QCOMPARE(json.value(QStringLiteral("kinds")).toArray(),
        (QJsonArray{QStringLiteral("event"), QStringLiteral("lifecycle")}));

    // Loaded into a workspace whose streams got new ids, through the file's text.
    const QJsonObject reread = QJsonDocument::fromJson(QJsonDocument(json).toJson()).object();
    const QList<int> newOrder{11, 12, 13};
    EventLogFilter loaded;
    QSignalSpy changed(&loaded, &EventLogFilter::filterChanged);
    QStringList problems;
    load(loaded, reread, newOrder, &problems);
    QCOMPARE(problems, QStringList());
    QCOMPARE(changed.size(), 1);
    QCOMPARE(loaded.streamIds(), (QSet<int>{12, 13}));
    QCOMPARE(loaded.kinds(), (QList<Kind>{Kind::Event, Kind::Lifecycle}));
    QCOMPARE(loaded.typeFilter(), QStringLiteral("metric"));
    QCOMPARE(loaded.idFilter(), QStringLiteral("1"));
    QCOMPARE(loaded.textFilter(), filter.textFilter());
    QCOMPARE(loaded.textMode(), EventLogFilter::TextMode::RegularExpression);
    QVERIFY(loaded.isCaseSensitive());
    QCOMPARE(save(loaded, newOrder), json);

    // An empty object is the empty filter.
    EventLogFilter empty;
    load(empty, QJsonObject(), newOrder, &problems);
    QCOMPARE(problems, QStringList());
    QVERIFY(!empty.isActive());
}

void TestEventLogFilter::jsonProblems()
{
    const QJsonObject json = QJsonDocument::fromJson(R"({
        "streams": [0, 5, "x"],
        "kinds": ["event", "bogus"],
        "type": 3,
        "text": "(",
        "regex": true,
        "caseSensitive": "yes"
    })")
                                 .object();
    EventLogFilter filter;
    QStringList problems;
    load(filter, json, {21, 22}, &problems);
    // The valid parts load; each bad value is named.
    QCOMPARE(filter.streamIds(), QSet<int>{21});
    QCOMPARE(filter.kinds(), QList<Kind>{Kind::Event});
    QVERIFY(!filter.textError().isEmpty());
    QCOMPARE(problems.size(), 6);
    QVERIFY(problems.at(0).startsWith(QStringLiteral("filters.streams[1]")));
    QVERIFY(problems.at(1).startsWith(QStringLiteral("filters.streams[2]")));
    QVERIFY(problems.at(2).startsWith(QStringLiteral("filters.kinds[1]")));
    QVERIFY(problems.at(3).startsWith(QStringLiteral("filters.type")));
    QVERIFY(problems.at(4).startsWith(QStringLiteral("filters.caseSensitive")));
    QVERIFY(problems.at(5).startsWith(QStringLiteral("filters.text")));
}

QTEST_MAIN(TestEventLogFilter)
#include "tst_eventlogfilter.moc"
