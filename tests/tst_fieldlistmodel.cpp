// SPDX-License-Identifier: GPL-3.0-or-later
#include "charts/chartpanel.h"
#include "demofeed.h"
#include "fieldbrowser.h"
#include "fieldlistmodel.h"
#include "metricrecorder.h"
#include "metricstore.h"
#include "streamset.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

#include <memory>

using namespace streamscope;

namespace {

StreamConfig offlineStream(const QString &name)
{
    // Never connected: the tests feed the store by hand.
    StreamConfig config;
    config.name = name;
    config.url = QUrl(QStringLiteral("http://127.0.0.1:9/") + name);
    return config;
}

void ingest(MetricStore &store, int streamId, const QByteArray &type, const QByteArray &data)
{
    StreamEvent event;
    event.arrivalMs = QDateTime::currentMSecsSinceEpoch();
    event.streamId = streamId;
    event.type = type;
    event.data = data;
    store.ingest(event);
}

// Two hand-fed streams: alpha's "metrics" events carry a host label, beta's "load" do not.
struct Rig
{
    StreamSet streams;
    MetricStore store;
    int alpha = streams.add(offlineStream(QStringLiteral("alpha")));
    int beta = streams.add(offlineStream(QStringLiteral("beta")));

    Rig()
    {
        store.setSettings(alpha, ExtractionSettings{{}, TimeUnit::Auto, QStringLiteral("host")});
    }
    void feed()
    {
        ingest(store, alpha, "metrics", R"({"host":"web-1","cpu":1,"mem":2})");
        ingest(store, beta, "load", R"({"cpu":3,"disk":{"used":4}})");
    }
    SeriesKey alphaCpu() const
    {
        return SeriesKey{alpha, "metrics", QStringLiteral("web-1"), QStringLiteral("cpu")};
    }
    SeriesKey betaDisk() const { return SeriesKey{beta, "load", {}, QStringLiteral("disk.used")}; }
};

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class TestFieldListModel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void rowsAppearFromDemo();
    void rowsAndColumns();
    void latestValuesAnnounced();
    void removedStreamLeaves();
    void searchFilter_data();
    void searchFilter();
    void mimeData();
    void valueText_data();
    void valueText();
    void addToChart();
    void extractionSettingsAndCounts();
};

void TestFieldListModel::initTestCase()
{
    qRegisterMetaType<StreamEvent>();
}

void TestFieldListModel::rowsAppearFromDemo()
{
    DemoFeed demo;
    DemoFeedSettings settings;
    settings.metricsIntervalMs = 20;
    QVERIFY(demo.listen(0, settings));
    StreamSet streams;
    MetricStore store;
    MetricRecorder recorder(&streams, &store);
    FieldListModel model(&store, &streams);
    model.setRefreshInterval(20);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

    StreamConfig config;
    config.name = QStringLiteral("metrics");
    config.url = demo.url(QStringLiteral("/metrics"));
    const int id = streams.add(config);
    store.setSettings(id,
        ExtractionSettings{QStringLiteral("ts"), TimeUnit::Milliseconds, QStringLiteral("host")});
    streams.stream(id)->connectToServer();

    const SeriesKey cpu{id, "metrics", QStringLiteral("db-1"), QStringLiteral("cpu")};
    QTRY_VERIFY(model.rowOf(cpu) >= 0);
    const int row = model.rowOf(cpu);
    QCOMPARE(model.keyAt(row), cpu);
    QCOMPARE(cell(model, row, FieldListModel::StreamColumn), QStringLiteral("metrics"));
    QCOMPARE(cell(model, row, FieldListModel::TypeColumn), QStringLiteral("metrics"));
    QCOMPARE(cell(model, row, FieldListModel::LabelColumn), QStringLiteral("db-1"));
    QCOMPARE(cell(model, row, FieldListModel::FieldColumn), QStringLiteral("cpu"));
    QVERIFY(!cell(model, row, FieldListModel::LatestColumn).isEmpty());
    // The time field is no series; the points keep counting up.
    QCOMPARE(
        model.rowOf(SeriesKey{id, "metrics", QStringLiteral("db-1"), QStringLiteral("ts")}), -1);
    const int points = cell(model, row, FieldListModel::PointsColumn).toInt();
    QTRY_VERIFY(cell(model, row, FieldListModel::PointsColumn).toInt() > points);
    // The built-in figures come once a second.
    QTRY_VERIFY_WITH_TIMEOUT(model.rowOf(SeriesKey{id, {}, {}, FigureEventsPerSecond}) >= 0, 5000);
}

void TestFieldListModel::rowsAndColumns()
{
    Rig rig;
    FieldListModel model(&rig.store, &rig.streams);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(FieldListModel::ColumnCount));
    QCOMPARE(
        model.headerData(FieldListModel::LatestColumn, Qt::Horizontal, Qt::DisplayRole).toString(),
        QStringLiteral("Latest"));

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    rig.feed();
    ingest(rig.store, rig.beta, {}, "42.5");
    model.refresh();
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(inserted.size(), 1); // one insert per refresh
    QCOMPARE(model.rowOf(rig.alphaCpu()), 0);
    QCOMPARE(model.rowOf(rig.betaDisk()), 3);
    QCOMPARE(cell(model, 3, FieldListModel::StreamColumn), QStringLiteral("beta"));
    QCOMPARE(cell(model, 3, FieldListModel::LabelColumn), QString());
    QCOMPARE(cell(model, 3, FieldListModel::LatestColumn), QStringLiteral("4"));
    QCOMPARE(cell(model, 3, FieldListModel::PointsColumn), QStringLiteral("1"));
    QCOMPARE(model.index(3, FieldListModel::PointsColumn).data(FieldListModel::SortRole),
        QVariant(qlonglong(1)));
    QCOMPARE(
        model.index(3, FieldListModel::LatestColumn).data(FieldListModel::SortRole), QVariant(4.0));
    QCOMPARE(model.index(3, 0).data(FieldListModel::StreamIdRole).toInt(), rig.beta);
    // A plain-number payload is the stream's "(value)".
    QCOMPARE(cell(model, 4, FieldListModel::FieldColumn), QStringLiteral("(value)"));
    QCOMPARE(cell(model, 4, FieldListModel::LatestColumn), QStringLiteral("42.5"));
    QVERIFY(model.flags(model.index(0, 0)) & Qt::ItemIsDragEnabled);

    // Nothing new: no signal at all.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.refresh();
    QCOMPARE(changed.size(), 0);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.keyAt(99), SeriesKey());
}

void TestFieldListModel::latestValuesAnnounced()
{
    Rig rig;
    FieldListModel model(&rig.store, &rig.streams);
    model.setRefreshInterval(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    rig.feed();
    QTRY_COMPARE(model.rowCount(), 4);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy refreshed(&model, &FieldListModel::refreshed);
    ingest(rig.store, rig.alpha, "metrics", R"({"host":"web-1","cpu":1234567})");
    QTRY_VERIFY(!changed.isEmpty());
    QCOMPARE(model.rowCount(), 4);
    // The numbers' columns, nothing else.
    const QModelIndex topLeft = changed.constFirst().at(0).toModelIndex();
    const QModelIndex bottomRight = changed.constFirst().at(1).toModelIndex();
    QCOMPARE(topLeft.column(), int(FieldListModel::LatestColumn));
    QCOMPARE(bottomRight.column(), int(FieldListModel::PointsColumn));
    QVERIFY(topLeft.row() <= 0 && bottomRight.row() >= 0);
    QCOMPARE(cell(model, 0, FieldListModel::LatestColumn), QStringLiteral("1.23M"));
    QCOMPARE(cell(model, 0, FieldListModel::PointsColumn), QStringLiteral("2"));
    QCOMPARE(model.index(0, FieldListModel::LatestColumn).data(Qt::ToolTipRole).toString(),
        QStringLiteral("1234567"));
    QTRY_VERIFY(!refreshed.isEmpty());
}

void TestFieldListModel::removedStreamLeaves()
{
    Rig rig;
    FieldListModel model(&rig.store, &rig.streams);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    rig.feed();
    model.refresh();
    QCOMPARE(model.rowCount(), 4);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    // Leaving the set is enough, before the store forgets it.
    rig.streams.remove(rig.alpha);
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(rig.alphaCpu()), -1);
    QCOMPARE(model.rowOf(rig.betaDisk()), 1);

    // The store forgetting a stream resets too; new keys still come in after.
    rig.store.removeStream(rig.beta);
    ingest(rig.store, rig.alpha, "metrics", R"({"host":"web-2","cpu":5})"); // stream gone: hidden
    model.refresh();
    QCOMPARE(reset.size(), 2);
    QCOMPARE(model.rowCount(), 0);
    const int gamma = rig.streams.add(offlineStream(QStringLiteral("gamma")));
    ingest(rig.store, gamma, {}, R"({"x":1})");
    model.refresh();
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(cell(model, 0, FieldListModel::StreamColumn), QStringLiteral("gamma"));
    QCOMPARE(reset.size(), 2);
}

void TestFieldListModel::searchFilter_data()
{
    QTest::addColumn<QString>("search");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("rowsAfter"); // once beta's "latency" has come

    QTest::newRow("nothing typed") << QString() << 4 << 5;
    QTest::newRow("field") << QStringLiteral("cpu") << 2 << 2;
    QTest::newRow("any case") << QStringLiteral("CPU") << 2 << 2;
    QTest::newRow("stream") << QStringLiteral("beta") << 2 << 3;
    QTest::newRow("type") << QStringLiteral("metrics") << 2 << 2;
    QTest::newRow("label") << QStringLiteral("web-1") << 2 << 2;
    QTest::newRow("nested path") << QStringLiteral("disk.used") << 1 << 1;
    QTest::newRow("values are not searched") << QStringLiteral("3") << 0 << 0;
    QTest::newRow("not yet") << QStringLiteral("latency") << 0 << 1;
}

void TestFieldListModel::searchFilter()
{
    QFETCH(QString, search);
    QFETCH(int, rows);
    QFETCH(int, rowsAfter);
    Rig rig;
    ChartPanel panel(&rig.store, &rig.streams);
    FieldBrowser browser(&rig.store, &rig.streams, &panel);
    QAbstractItemModelTester tester(
        browser.filter(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    rig.feed();
    browser.model()->refresh();
    auto *searchBox = browser.findChild<QLineEdit *>(QStringLiteral("fieldSearch"));
    QVERIFY(searchBox);
    QTest::keyClicks(searchBox, search);
    QCOMPARE(browser.filter()->rowCount(), rows);
    QCOMPARE(browser.table()->model()->rowCount(), rows);
    // New rows are filtered as they come.
    ingest(rig.store, rig.beta, "load", R"({"cpu":3,"disk":{"used":4},"latency":9})");
    browser.model()->refresh();
    QCOMPARE(browser.filter()->rowCount(), rowsAfter);
}

void TestFieldListModel::mimeData()
{
    Rig rig;
    FieldListModel model(&rig.store, &rig.streams);
    rig.feed();
    model.refresh();
    QCOMPARE(model.mimeTypes(), QStringList{SeriesMimeType});

    // A row selection: one index per column, one key.
    const int row = model.rowOf(rig.betaDisk());
    QModelIndexList indexes;
    for (int column = 0; column < model.columnCount(); ++column) {
        indexes.append(model.index(row, column));
    }
    std::unique_ptr<QMimeData> one(model.mimeData(indexes));
    QVERIFY(one);
    QVERIFY(one->hasFormat(SeriesMimeType));
    const QJsonObject object = QJsonDocument::fromJson(one->data(SeriesMimeType)).object();
    QCOMPARE(object.value(QStringLiteral("stream")).toInt(), rig.beta);
    QCOMPARE(object.value(QStringLiteral("type")).toString(), QStringLiteral("load"));
    QCOMPARE(object.value(QStringLiteral("label")).toString(), QString());
    QCOMPARE(object.value(QStringLiteral("path")).toString(), QStringLiteral("disk.used"));
    QCOMPARE(seriesFromMimeData(one.get()), QList<SeriesKey>{rig.betaDisk()});

    // Two rows, in row order whatever the selection order.
    std::unique_ptr<QMimeData> two(model.mimeData({model.index(row, 2), model.index(0, 1)}));
    QCOMPARE(seriesFromMimeData(two.get()), (QList<SeriesKey>{rig.alphaCpu(), rig.betaDisk()}));
    QVERIFY(!model.mimeData({}));

    // What is not a series key is skipped.
    QMimeData other;
    other.setData(SeriesMimeType, R"([{"stream":"x"},{"path":"cpu"},7,{"stream":2,"path":"a"}])");
    QCOMPARE(
        seriesFromMimeData(&other), (QList<SeriesKey>{SeriesKey{2, {}, {}, QStringLiteral("a")}}));
    other.setData(SeriesMimeType, "not json");
    QVERIFY(seriesFromMimeData(&other).isEmpty());
    QVERIFY(seriesFromMimeData(nullptr).isEmpty());
}

void TestFieldListModel::valueText_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << 0.0 << QStringLiteral("0");
    QTest::newRow("percent") << 42.1 << QStringLiteral("42.1");
    QTest::newRow("negative") << -3.25 << QStringLiteral("-3.25");
    QTest::newRow("five digits") << 12345.678 << QStringLiteral("12345.7");
    QTest::newRow("kilo") << 123456.0 << QStringLiteral("123k");
    QTest::newRow("mega") << 6.1e6 << QStringLiteral("6.1M");
    QTest::newRow("rounds up a prefix") << 999'999.0 << QStringLiteral("1M");
    QTest::newRow("giga") << -2.5e9 << QStringLiteral("-2.5G");
    QTest::newRow("tera") << 7e12 << QStringLiteral("7T");
    QTest::newRow("beyond") << 3e20 << QStringLiteral("3e+20");
    QTest::newRow("small") << 0.00042 << QStringLiteral("0.00042");
    QTest::newRow("tiny") << 1.5e-7 << QStringLiteral("1.5e-07");
}

void TestFieldListModel::valueText()
{
    QFETCH(double, value);
    QFETCH(QString, text);
    QCOMPARE(metricValueText(value), text);
}

void TestFieldListModel::addToChart()
{
    Rig rig;
    ChartPanel panel(&rig.store, &rig.streams);
    FieldBrowser browser(&rig.store, &rig.streams, &panel);
    browser.resize(600, 500);
    browser.show();
    QVERIFY(QTest::qWaitForWindowExposed(&browser));
    rig.feed();
    browser.model()->refresh();
    QSignalSpy edited(&panel, &ChartPanel::chartsEdited);
    auto *target = browser.findChild<QComboBox *>(QStringLiteral("targetChart"));
    auto *add = browser.findChild<QPushButton *>(QStringLiteral("addToChartButton"));
    QVERIFY(target && add);
    QCOMPARE(target->count(), 1);
    QCOMPARE(target->currentText(), QStringLiteral("New chart"));

    // Nothing selected: nothing happens.
    QTest::mouseClick(add, Qt::LeftButton);
    QCOMPARE(panel.chartCount(), 0);

    QTableView *table = browser.table();
    table->selectRow(browser.filter()->mapFromSource(browser.model()->index(0, 0)).row());
    QTest::mouseClick(add, Qt::LeftButton);
    QCOMPARE(panel.chartCount(), 1);
    QCOMPARE(panel.chartTitle(0), QStringLiteral("cpu"));
    QCOMPARE(panel.chartSeries(0), QList<SeriesKey>{rig.alphaCpu()});
    // The new chart is the target from now on.
    QCOMPARE(target->count(), 2);
    QCOMPARE(target->currentData().toInt(), 0);
    table->selectRow(
        browser.filter()
            ->mapFromSource(browser.model()->index(browser.model()->rowOf(rig.betaDisk()), 0))
            .row());
    QTest::mouseClick(add, Qt::LeftButton);
    QCOMPARE(panel.chartCount(), 1);
    QCOMPARE(panel.chartSeries(0), (QList<SeriesKey>{rig.alphaCpu(), rig.betaDisk()}));
    QVERIFY(edited.size() >= 3);

    // Charts made elsewhere show up as targets.
    panel.addChart(QStringLiteral("Other"));
    QCOMPARE(target->count(), 3);
    QCOMPARE(target->itemText(2), QStringLiteral("Other"));
    target->setCurrentIndex(0);
    table->selectAll();
    QTest::mouseClick(add, Qt::LeftButton);
    QCOMPARE(panel.chartCount(), 3);
    QCOMPARE(panel.chartSeries(2).size(), 4);

    // Dragging from the table: the view is set up for it.
    QVERIFY(table->dragEnabled());
}

void TestFieldListModel::extractionSettingsAndCounts()
{
    Rig rig;
    rig.feed();
    ChartPanel panel(&rig.store, &rig.streams);
    FieldBrowser browser(&rig.store, &rig.streams, &panel);
    browser.model()->setRefreshInterval(10);
    auto *stream = browser.findChild<QComboBox *>(QStringLiteral("extractionStream"));
    auto *timeField = browser.findChild<QLineEdit *>(QStringLiteral("timeField"));
    auto *unit = browser.findChild<QComboBox *>(QStringLiteral("timeUnit"));
    auto *labelField = browser.findChild<QLineEdit *>(QStringLiteral("labelField"));
    auto *apply = browser.findChild<QPushButton *>(QStringLiteral("applyExtraction"));
    auto *counts = browser.findChild<QLabel *>(QStringLiteral("extractionCounts"));
    QVERIFY(stream && timeField && unit && labelField && apply && counts);
    QCOMPARE(stream->count(), 2);

    // The form shows the stream's settings.
    QCOMPARE(stream->currentData().toInt(), rig.alpha);
    QCOMPARE(labelField->text(), QStringLiteral("host"));
    QCOMPARE(timeField->text(), QString());
    stream->setCurrentIndex(stream->findData(rig.beta));
    QCOMPARE(labelField->text(), QString());

    QSignalSpy edited(&panel, &ChartPanel::chartsEdited);
    QTest::keyClicks(timeField, QStringLiteral("ts"));
    unit->setCurrentIndex(unit->findData(int(TimeUnit::Microseconds)));
    QTest::keyClicks(labelField, QStringLiteral(" region "));
    QTest::mouseClick(apply, Qt::LeftButton);
    const ExtractionSettings expected{
        QStringLiteral("ts"), TimeUnit::Microseconds, QStringLiteral("region")};
    QCOMPARE(rig.store.settings(rig.beta), expected);
    QCOMPARE(edited.size(), 1); // saved with the charts
    QCOMPARE(rig.store.settings(rig.alpha).labelField, QStringLiteral("host"));

    // What the stream's payloads held that was not plotted.
    ingest(rig.store, rig.beta, "load", R"({"cpu":1,"ts":1700000000000000})");
    ingest(rig.store, rig.beta, "load", R"({"cpu":1)");
    ingest(rig.store, rig.beta, "load", "hello");
    ingest(rig.store, rig.beta, "load", R"({"cpu":1})");
    const ExtractionCounts recorded = rig.store.counts(rig.beta);
    QCOMPARE(recorded.malformed, quint64(1));
    QCOMPARE(recorded.notJson, quint64(1));
    QCOMPARE(recorded.missingTime, quint64(1));
    QTRY_COMPARE(counts->text(), FieldBrowser::countsText(recorded));
    QVERIFY2(counts->text().contains(QStringLiteral("1 malformed · 0 NaN/inf · 1 missing time · 1 "
                                                    "not JSON")),
        qPrintable(counts->text()));
    // Picking a field's row picks its stream here.
    browser.model()->refresh();
    browser.table()->setCurrentIndex(browser.filter()->mapFromSource(
        browser.model()->index(browser.model()->rowOf(rig.alphaCpu()), 0)));
    QCOMPARE(stream->currentData().toInt(), rig.alpha);

    // Settings set elsewhere (a workspace loaded) show, unless the form is being edited.
    stream->setCurrentIndex(stream->findData(rig.beta));
    rig.store.setSettings(rig.beta, ExtractionSettings{{}, TimeUnit::Auto, QStringLiteral("zone")});
    QTRY_COMPARE(labelField->text(), QStringLiteral("zone"));
    QCOMPARE(timeField->text(), QString());
    QCOMPARE(unit->currentData().toInt(), int(TimeUnit::Auto));
    QTest::keyClicks(timeField, QStringLiteral("time"));
    QSignalSpy refreshed(browser.model(), &FieldListModel::refreshed);
    rig.store.setSettings(rig.beta, ExtractionSettings{});
    QTRY_VERIFY(refreshed.size() >= 2); // the browser follows each refresh, before the spy
    QCOMPARE(labelField->text(), QStringLiteral("zone"));
    QCOMPARE(timeField->text(), QStringLiteral("time"));

    // A removed stream leaves the box.
    rig.streams.remove(rig.beta);
    QCOMPARE(stream->count(), 1);
}

QTEST_MAIN(TestFieldListModel)
#include "tst_fieldlistmodel.moc"
