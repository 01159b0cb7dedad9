// SPDX-License-Identifier: GPL-3.0-or-later
#include "charts/chartpanel.h"
#include "charts/livechart.h"
#include "demofeed.h"
#include "fieldlistmodel.h"
#include "metricrecorder.h"
#include "metricstore.h"
#include "streamset.h"

#include <QComboBox>
#include <QDateTime>
#include <QGraphicsView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>
#include <QToolTip>

#include <memory>

using namespace streamscope;

namespace {

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

StreamConfig offlineStream(const QString &name)
{
    // Never connected: the tests feed the store by hand.
    StreamConfig config;
    config.name = name;
    config.url = QUrl(QStringLiteral("http://127.0.0.1:9/") + name);
    return config;
}

// The series "v" of a hand-fed stream: payloads {"t": ms, "v": value}.
SeriesKey valueKey(int streamId)
{
    return SeriesKey{streamId, {}, {}, QStringLiteral("v")};
}

ExtractionSettings timeInT()
{
    return ExtractionSettings{QStringLiteral("t"), TimeUnit::Milliseconds, {}};
}

// Feeds points (x: time in ms, y: value) to the stream's "v", in batches of 1000 per payload.
void feed(MetricStore &store, int streamId, const QList<QPointF> &points)
{
    for (qsizetype first = 0; first < points.size(); first += 1000) {
        QByteArray data = "[";
        for (qsizetype i = first; i < std::min(points.size(), first + 1000); ++i) {
            if (i > first) {
                data += ',';
            }
            data += "{\"t\":" + QByteArray::number(qint64(points.at(i).x()))
                + ",\"v\":" + QByteArray::number(points.at(i).y(), 'g', 10) + '}';
        }
        data += ']';
        StreamEvent event;
        event.arrivalMs = now();
        event.streamId = streamId;
        event.data = data;
        store.ingest(event);
    }
}

// Points every stepMs from startMs for count points, values 0, 1, 2...
QList<QPointF> steady(double startMs, double stepMs, int count, double firstValue = 0)
{
    QList<QPointF> points;
    for (int i = 0; i < count; ++i) {
        points.append(QPointF(startMs + i * stepMs, firstValue + i));
    }
    return points;
}

// A chart panel over hand-fed streams "alpha" and "beta", shown offscreen.
struct Rig
{
    StreamSet streams;
    MetricStore store;
    ChartPanel panel{&store, &streams};
    int alpha = streams.add(offlineStream(QStringLiteral("alpha")));
    int beta = streams.add(offlineStream(QStringLiteral("beta")));

    Rig()
    {
        store.setSettings(alpha, timeInT());
        store.setSettings(beta, timeInT());
        panel.resize(900, 600);
    }
    bool show()
    {
        panel.show();
        return QTest::qWaitForWindowExposed(&panel);
    }
    // As a workspace loads the charts: read in core, applied by the panel.
    void load(ChartPanel &target, const QJsonObject &json, QStringList *problems = nullptr)
    {
        QList<int> indexes;
        for (qsizetype i = 0; i < streams.ids().size(); ++i) {
            indexes.append(int(i));
        }
        target.setState(ChartsState::fromJson(json, QString(), indexes, problems), streams.ids());
    }
    QJsonObject save(const ChartPanel &source) { return source.state(streams.ids()).toJson(); }
};

// The real thing: the demo feed's metrics over SSE, recorded into a store, plotted.
struct DemoRig
{
    DemoFeed demo;
    StreamSet streams;
    MetricStore store;
    MetricRecorder recorder{&streams, &store};
    ChartPanel panel{&store, &streams};
    int metrics = 0;

    bool start()
    {
        DemoFeedSettings settings;
        settings.metricsIntervalMs = 20;
        if (!demo.listen(0, settings)) {
            return false;
        }
        StreamConfig config;
        config.name = QStringLiteral("metrics");
        config.url = demo.url(QStringLiteral("/metrics"));
        metrics = streams.add(config);
        // As the demo workspace has it: the producer's clock and one series family per host.
        store.setSettings(metrics,
            ExtractionSettings{
                QStringLiteral("ts"), TimeUnit::Milliseconds, QStringLiteral("host")});
        streams.stream(metrics)->connectToServer();
        panel.resize(900, 600);
        panel.show();
        return QTest::qWaitForWindowExposed(&panel);
    }
    SeriesKey cpu(const QString &host = QStringLiteral("web-1")) const
    {
        return SeriesKey{metrics, "metrics", host, QStringLiteral("cpu")};
    }
};

// What a drag does on the way in and at the end: Qt delivers a drop only to a widget that
// accepted the drag's entry. True when the drop was taken.
bool dragAndDrop(QWidget *target, const QPoint &at, const QMimeData *mime)
{
    QDragEnterEvent enter(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    if (!enter.isAccepted()) {
        return false;
    }
    QDropEvent drop(QPointF(at), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

QGraphicsView *viewOf(const ChartPanel &panel, int chart)
{
    return panel.chart(chart) ? panel.chart(chart)->plotView() : nullptr;
}

} // namespace

class TestChartPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void demoCpuGetsPoints();
    void pauseZoomPanAndLive();
    void controlsDriveThePanel();
    void mouseZoomPanAndHover();
    void workspaceRoundTrip();
    void malformedJson_data();
    void malformedJson();
    void chartsEditedOnEditsOnly();
    void decimationBoundsPoints();
    void runs_data();
    void runs();
    void valuesAtNearestPoint();
    void valueAxisLabels_data();
    void valueAxisLabels();
    void reconnectMarkersDrawn();
    void removingStreamDropsItsSeries();
    void dropAddsSeries();
};

void TestChartPanel::initTestCase()
{
    qRegisterMetaType<StreamEvent>();
}

void TestChartPanel::demoCpuGetsPoints()
{
    DemoRig rig;
    QVERIFY(rig.start());
    // Added before the first sample, as a loaded workspace does.
    QCOMPARE(rig.panel.addChart(QStringLiteral("CPU")), 0);
    QVERIFY(rig.panel.addSeries(0, rig.cpu()));
    QVERIFY(!rig.panel.addSeries(0, rig.cpu()));
    QVERIFY(rig.panel.addSeries(0, rig.cpu(QStringLiteral("db-1"))));
    QTRY_VERIFY(rig.panel.plottedPointCount(0) > 10);
    QCOMPARE(rig.panel.chartTitle(0), QStringLiteral("CPU"));
    QVERIFY(rig.panel.plottedRunCount(0) >= 2);

    // The legend names each series with its latest value; it follows the data a few times a
    // second, so the stream holds still for the check.
    rig.streams.stream(rig.metrics)->setPaused(true);
    const SeriesBuffer *series = rig.store.series(rig.cpu());
    QVERIFY(series);
    const QString latest
        = QStringLiteral("metrics · web-1 · cpu  ") + metricValueText(series->last().value);
    QTRY_COMPARE(rig.panel.chart(0)->legendEntries().value(0), latest);
    QCOMPARE(rig.panel.chart(0)->legendEntries().size(), 2);

    const QStringList values = rig.panel.chart(0)->valuesAt(series->last().timeMs);
    QCOMPARE(values.size(), 2);
    QCOMPARE(values.at(0),
        QStringLiteral("metrics · web-1 · cpu: ") + metricValueText(series->last().value));

    // Plotted series keep more than an unplotted one would.
    QTRY_VERIFY(series->capacity() > MetricStore::UnplottedCapacity);

    // The stream's built-in figures plot like any field (the recorder adds one a second).
    rig.streams.stream(rig.metrics)->setPaused(false);
    QCOMPARE(rig.panel.addChart(QStringLiteral("Rate")), 1);
    QVERIFY(rig.panel.addSeries(1, SeriesKey{rig.metrics, {}, {}, FigureEventsPerSecond}));
    QTRY_VERIFY(rig.panel.plottedPointCount(1) > 0);
    QVERIFY2(rig.panel.chart(1)->legendEntries().value(0).startsWith(QStringLiteral("events/s  ")),
        qPrintable(rig.panel.chart(1)->legendEntries().value(0)));
}

void TestChartPanel::pauseZoomPanAndLive()
{
    DemoRig rig;
    QVERIFY(rig.start());
    rig.panel.setWindow(ChartPanel::Window::OneMinute);
    rig.panel.addChart();
    rig.panel.addSeries(0, rig.cpu());
    QTRY_VERIFY(rig.panel.plottedPointCount(0) > 0);
    auto *pause = rig.panel.findChild<QToolButton *>(QStringLiteral("pauseButton"));
    auto *live = rig.panel.findChild<QToolButton *>(QStringLiteral("liveButton"));
    QVERIFY(pause && live);
    QVERIFY(!live->isEnabled());

    // Live, the range follows now, one minute wide.
    const auto [liveFrom, liveTo] = rig.panel.visibleRange();
    QCOMPARE(liveTo - liveFrom, 60000.0);
    QTRY_VERIFY(rig.panel.visibleRange().second > liveTo);

    rig.panel.setPaused(true);
    QVERIFY(pause->isChecked());
    QVERIFY(live->isEnabled());
    const auto frozen = rig.panel.visibleRange();
    const qsizetype recorded = rig.store.series(rig.cpu())->size();
    QTRY_VERIFY(rig.store.series(rig.cpu())->size() > recorded + 10);
    QCOMPARE(rig.panel.visibleRange(), frozen);

    // Zoom about the centre, then pan by half a width.
    rig.panel.zoomTime(0.5);
    auto [from, to] = rig.panel.visibleRange();
    QCOMPARE(to - from, 30000.0);
    QCOMPARE((from + to) / 2, (frozen.first + frozen.second) / 2);
    rig.panel.panTime(-0.5);
    QCOMPARE(rig.panel.visibleRange().first, from - 15000);
    QCOMPARE(rig.panel.visibleRange().second, to - 15000);
    // Zoom about an anchor keeps the anchor's place.
    const double anchor = from + (to - from) / 4;
    std::tie(from, to) = rig.panel.visibleRange();
    rig.panel.zoomTime(2, anchor);
    QCOMPARE(rig.panel.visibleRange().first, anchor - (anchor - from) * 2);
    QCOMPARE(rig.panel.visibleRange().second - rig.panel.visibleRange().first, (to - from) * 2);

    // A range far in the past: the chart follows it, so nothing is drawn.
    rig.panel.setVisibleRange(now() - 10 * 3600'000.0, now() - 9 * 3600'000.0);
    QTRY_COMPARE(rig.panel.plottedPointCount(0), 0);

    QTest::mouseClick(live, Qt::LeftButton);
    QVERIFY(!rig.panel.isPaused());
    QVERIFY(!pause->isChecked());
    QTRY_VERIFY(rig.panel.plottedPointCount(0) > 0);
    QTRY_VERIFY(rig.panel.visibleRange().second > frozen.second + 100);

    // Zoom and pan from live pause first.
    rig.panel.panTime(-1);
    QVERIFY(rig.panel.isPaused());
    rig.panel.goLive();
    rig.panel.zoomTime(0.5);
    QVERIFY(rig.panel.isPaused());
    rig.panel.goLive();
    rig.panel.setVisibleRange(1000, 2000);
    QVERIFY(rig.panel.isPaused());
    QCOMPARE(rig.panel.visibleRange(), std::make_pair(1000.0, 2000.0));
    // Nonsense ranges are ignored.
    rig.panel.setVisibleRange(2000, 1000);
    rig.panel.setVisibleRange(qQNaN(), 1000);
    rig.panel.zoomTime(0);
    rig.panel.zoomTime(-1);
    QCOMPARE(rig.panel.visibleRange(), std::make_pair(1000.0, 2000.0));
}

void TestChartPanel::controlsDriveThePanel()
{
    Rig rig;
    QVERIFY(rig.show());
    QSignalSpy edited(&rig.panel, &ChartPanel::chartsEdited);
    auto *window = rig.panel.findChild<QComboBox *>(QStringLiteral("windowCombo"));
    auto *addChart = rig.panel.findChild<QToolButton *>(QStringLiteral("addChartButton"));
    QVERIFY(window && addChart);

    QCOMPARE(rig.panel.window(), ChartPanel::Window::FiveMinutes);
    QCOMPARE(window->currentData().toInt(), int(ChartPanel::Window::FiveMinutes));
    window->setCurrentIndex(window->findData(int(ChartPanel::Window::FifteenMinutes)));
    QCOMPARE(rig.panel.window(), ChartPanel::Window::FifteenMinutes);
    QCOMPARE(edited.size(), 1);
    rig.panel.setWindow(ChartPanel::Window::AllRetained);
    QCOMPARE(window->currentData().toInt(), int(ChartPanel::Window::AllRetained));
    QCOMPARE(ChartPanel::windowMs(ChartPanel::Window::AllRetained), 0);
    QCOMPARE(ChartPanel::windowMs(ChartPanel::Window::OneHour), 3600'000);

    QTest::mouseClick(addChart, Qt::LeftButton);
    QTest::mouseClick(addChart, Qt::LeftButton);
    QCOMPARE(rig.panel.chartCount(), 2);
    QCOMPARE(rig.panel.chartTitle(1), QStringLiteral("Chart 2"));
    QCOMPARE(edited.size(), 4);

    // Each chart's remove button; removal waits for the click to finish.
    auto *remove = viewOf(rig.panel, 0)
                       ->parentWidget()
                       ->findChild<QToolButton *>(QStringLiteral("removeChartButton"));
    QVERIFY(remove);
    QTest::mouseClick(remove, Qt::LeftButton);
    QTRY_COMPARE(rig.panel.chartCount(), 1);
    QCOMPARE(rig.panel.chartTitle(0), QStringLiteral("Chart 2"));
    QCOMPARE(edited.size(), 5);

    // At most MaxCharts; the button says so.
    while (rig.panel.chartCount() < ChartPanel::MaxCharts) {
        QVERIFY(rig.panel.addChart() >= 0);
    }
    QCOMPARE(rig.panel.addChart(), -1);
    QVERIFY(!addChart->isEnabled());
    rig.panel.clear();
    QCOMPARE(rig.panel.chartCount(), 0);
    QVERIFY(addChart->isEnabled());
}

void TestChartPanel::mouseZoomPanAndHover()
{
    Rig rig;
    QVERIFY(rig.show());
    const double start = double(now()) - 30'000;
    feed(rig.store, rig.alpha, steady(start, 100, 300));
    rig.panel.addChart();
    rig.panel.addSeries(0, valueKey(rig.alpha));
    rig.panel.setVisibleRange(start, start + 30'000);
    QTRY_VERIFY(rig.panel.plottedPointCount(0) > 0);
    QGraphicsView *view = viewOf(rig.panel, 0);
    QVERIFY(view);
    QWidget *viewport = view->viewport();
    const QPoint centre = viewport->rect().center();

    // Paused: a wheel notch up zooms in about the pointer.
    QWheelEvent wheelIn(centre, viewport->mapToGlobal(centre), QPoint(), QPoint(0, 120),
        Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(viewport, &wheelIn);
    auto [from, to] = rig.panel.visibleRange();
    QCOMPARE(to - from, 30'000 * 0.8);

    // Dragging right shows earlier times.
    rig.panel.redraw(); // the drag starts from the range drawn
    QTest::mousePress(viewport, Qt::LeftButton, Qt::NoModifier, centre);
    QTest::mouseMove(viewport, centre + QPoint(100, 0));
    QTest::mouseRelease(viewport, Qt::LeftButton, Qt::NoModifier, centre + QPoint(100, 0));
    QVERIFY(rig.panel.visibleRange().first < from);
    QCOMPARE(rig.panel.visibleRange().second - rig.panel.visibleRange().first, to - from);

    // Shift-drag zooms to the band.
    std::tie(from, to) = rig.panel.visibleRange();
    rig.panel.redraw();
    QTest::mousePress(viewport, Qt::LeftButton, Qt::ShiftModifier, centre - QPoint(100, 0));
    QTest::mouseMove(viewport, centre + QPoint(100, 0));
    QTest::mouseRelease(viewport, Qt::LeftButton, Qt::ShiftModifier, centre + QPoint(100, 0));
    QVERIFY(rig.panel.visibleRange().first > from);
    QVERIFY(rig.panel.visibleRange().second < to);

    // Hover: the values at the pointer's time.
    QTest::mouseMove(viewport, centre);
    QTRY_VERIFY(QToolTip::isVisible());
    QVERIFY2(QToolTip::text().contains(QStringLiteral("v: ")), qPrintable(QToolTip::text()));

    // Live, the wheel is the grid's (it scrolls), unless Ctrl is held.
    rig.panel.goLive();
    QWheelEvent wheelLive(centre, viewport->mapToGlobal(centre), QPoint(), QPoint(0, 120),
        Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(viewport, &wheelLive);
    QVERIFY(!rig.panel.isPaused());
    QWheelEvent wheelCtrl(centre, viewport->mapToGlobal(centre), QPoint(), QPoint(0, 120),
        Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(viewport, &wheelCtrl);
    QVERIFY(rig.panel.isPaused());
    // A double-click goes back to live.
    QTest::mouseDClick(viewport, Qt::LeftButton, Qt::NoModifier, centre);
    QVERIFY(!rig.panel.isPaused());
}

void TestChartPanel::workspaceRoundTrip()
{
    Rig rig;
    const ExtractionSettings alphaSettings{
        QStringLiteral("meta.ts"), TimeUnit::Microseconds, QStringLiteral("host")};
    rig.store.setSettings(rig.alpha, alphaSettings);
    rig.store.setSettings(rig.beta, ExtractionSettings()); // defaults: not written
    rig.panel.setWindow(ChartPanel::Window::FifteenMinutes);
    rig.panel.addChart(QStringLiteral("CPU"));
    const SeriesKey cpu{rig.alpha, "metrics", QStringLiteral("web-1"), QStringLiteral("cpu")};
    const SeriesKey rate{rig.beta, {}, {}, FigureEventsPerSecond};
    const SeriesKey plain{rig.beta, "load", {}, {}};
    rig.panel.addSeries(0, cpu);
    rig.panel.addSeries(0, rate);
    rig.panel.addChart(QStringLiteral("Load"));
    rig.panel.addSeries(1, plain);
    rig.panel.addChart(QStringLiteral("Empty"));

    const QJsonObject saved = rig.save(rig.panel);
    QCOMPARE(saved.value(QStringLiteral("window")).toString(), QStringLiteral("15m"));
    QCOMPARE(saved.value(QStringLiteral("extraction")).toArray().size(), 1);
    const QJsonObject firstSeries = saved.value(QStringLiteral("charts"))
                                        .toArray()
                                        .at(0)
                                        .toObject()
                                        .value(QStringLiteral("series"))
                                        .toArray()
                                        .at(0)
                                        .toObject();
    QCOMPARE(firstSeries,
        QJsonObject(
            {{QStringLiteral("stream"), 0}, {QStringLiteral("type"), QStringLiteral("metrics")},
                {QStringLiteral("label"), QStringLiteral("web-1")},
                {QStringLiteral("path"), QStringLiteral("cpu")}}));

    // Through text, into a fresh store and panel over the same streams.
    const QJsonObject loaded = QJsonDocument::fromJson(QJsonDocument(saved).toJson()).object();
    MetricStore store;
    ChartPanel panel(&store, &rig.streams);
    QSignalSpy edited(&panel, &ChartPanel::chartsEdited);
    QStringList problems;
    rig.load(panel, loaded, &problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QCOMPARE(edited.size(), 0);
    QCOMPARE(panel.window(), ChartPanel::Window::FifteenMinutes);
    QCOMPARE(panel.chartCount(), 3);
    QCOMPARE(panel.chartTitle(0), QStringLiteral("CPU"));
    QCOMPARE(panel.chartTitle(2), QStringLiteral("Empty"));
    QCOMPARE(panel.chartSeries(0), (QList<SeriesKey>{cpu, rate}));
    QCOMPARE(panel.chartSeries(1), QList<SeriesKey>{plain});
    QVERIFY(panel.chartSeries(2).isEmpty());
    QCOMPARE(store.settings(rig.alpha), alphaSettings);
    QCOMPARE(store.settings(rig.beta), ExtractionSettings());
    QCOMPARE(rig.save(panel), saved);

    // Loading again replaces, never adds.
    rig.load(panel, loaded);
    QCOMPARE(panel.chartCount(), 3);
}

void TestChartPanel::malformedJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("charts");
    QTest::addColumn<int>("series"); // over all charts
    QTest::addColumn<QString>("problem"); // a part of the first problem; empty: none

    QTest::newRow("empty") << QByteArray("{}") << 0 << 0 << QString();
    QTest::newRow("window a number")
        << QByteArray(R"({"window":5})") << 0 << 0 << QStringLiteral("window: expected");
    QTest::newRow("window unknown")
        << QByteArray(R"({"window":"2m"})") << 0 << 0 << QStringLiteral("got \"2m\"");
    QTest::newRow("charts an object")
        << QByteArray(R"({"charts":{}})") << 0 << 0 << QStringLiteral("charts: expected an array");
    QTest::newRow("chart a number") << QByteArray(R"({"charts":[1,{"title":"ok"}]})") << 1 << 0
                                    << QStringLiteral("charts[0]: expected an object");
    QTest::newRow("title a number") << QByteArray(R"({"charts":[{"title":5}]})") << 1 << 0
                                    << QStringLiteral("charts[0].title: expected a string");
    QTest::newRow("series a string") << QByteArray(R"({"charts":[{"series":"cpu"}]})") << 1 << 0
                                     << QStringLiteral("charts[0].series: expected an array");
    QTest::newRow("series entry null")
        << QByteArray(R"({"charts":[{"series":[null,{"stream":0,"path":"cpu"}]}]})") << 1 << 1
        << QStringLiteral("charts[0].series[0]: expected an object");
    QTest::newRow("stream missing") << QByteArray(R"({"charts":[{"series":[{"path":"cpu"}]}]})")
                                    << 1 << 0 << QStringLiteral("series[0].stream: expected");
    QTest::newRow("stream negative")
        << QByteArray(R"({"charts":[{"series":[{"stream":-1,"path":"cpu"}]}]})") << 1 << 0
        << QStringLiteral("series[0].stream: expected");
    QTest::newRow("stream a fraction")
        << QByteArray(R"({"charts":[{"series":[{"stream":0.5,"path":"cpu"}]}]})") << 1 << 0
        << QStringLiteral("series[0].stream: expected");
    QTest::newRow("stream a string")
        << QByteArray(R"({"charts":[{"series":[{"stream":"0","path":"cpu"}]}]})") << 1 << 0
        << QStringLiteral("series[0].stream: expected");
    QTest::newRow("no such stream")
        << QByteArray(R"({"charts":[{"series":[{"stream":7,"path":"cpu"}]}]})") << 1 << 0
        << QStringLiteral("charts[0].series[0]: no stream 7");
    QTest::newRow("stream too big")
        << QByteArray(R"({"charts":[{"series":[{"stream":1e300,"path":"cpu"}]}]})") << 1 << 0
        << QStringLiteral("series[0].stream: expected");
    QTest::newRow("label a number")
        << QByteArray(R"({"charts":[{"series":[{"stream":0,"label":3,"path":"cpu"}]}]})") << 1 << 0
        << QStringLiteral("series[0].label: expected a string");
    QTest::newRow("path an array")
        << QByteArray(R"({"charts":[{"series":[{"stream":0,"path":[]}]}]})") << 1 << 0
        << QStringLiteral("series[0].path: expected a string");
    QTest::newRow("series twice") << QByteArray(
        R"({"charts":[{"series":[{"stream":0,"path":"a"},{"stream":0,"path":"a"}]}]})")
                                  << 1 << 1 << QStringLiteral("series[1]: already");
    QByteArray many = R"({"charts":[)";
    for (int i = 0; i <= ChartPanel::MaxCharts; ++i) {
        many += i == 0 ? "{}" : ",{}";
    }
    many += "]}";
    QTest::newRow("too many charts")
        << many << int(ChartPanel::MaxCharts) << 0 << QStringLiteral("charts[16]: more than 16");
    QTest::newRow("extraction an object") << QByteArray(R"({"extraction":{}})") << 0 << 0
                                          << QStringLiteral("extraction: expected an array");
    QTest::newRow("extraction entry a string") << QByteArray(R"({"extraction":["ts"]})") << 0 << 0
                                               << QStringLiteral("extraction[0]: expected");
    QTest::newRow("extraction unit unknown")
        << QByteArray(R"({"extraction":[{"stream":0,"unit":"hours"}]})") << 0 << 0
        << QStringLiteral("extraction[0].unit: expected \"auto\"");
    QTest::newRow("extraction time field a number")
        << QByteArray(R"({"extraction":[{"stream":0,"timeField":1}]})") << 0 << 0
        << QStringLiteral("extraction[0].timeField: expected a string");
    QTest::newRow("extraction no stream")
        << QByteArray(R"({"extraction":[{"stream":9,"timeField":"ts"}]})") << 0 << 0
        << QStringLiteral("extraction[0]: no stream 9");
}

void TestChartPanel::malformedJson()
{
    QFETCH(QByteArray, json);
    QFETCH(int, charts);
    QFETCH(int, series);
    QFETCH(QString, problem);

    Rig rig;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QStringList problems;
    rig.load(rig.panel, document.object(), &problems);
    QCOMPARE(rig.panel.chartCount(), charts);
    int plotted = 0;
    for (int chart = 0; chart < rig.panel.chartCount(); ++chart) {
        plotted += int(rig.panel.chartSeries(chart).size());
    }
    QCOMPARE(plotted, series);
    if (problem.isEmpty()) {
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    } else {
        QVERIFY(!problems.isEmpty());
        QVERIFY2(problems.constFirst().contains(problem), qPrintable(problems.join(u'\n')));
    }
    // Whatever was read is usable: it draws and saves.
    QVERIFY(rig.show());
    rig.panel.redraw();
    rig.save(rig.panel);
}

void TestChartPanel::chartsEditedOnEditsOnly()
{
    Rig rig;
    QSignalSpy edited(&rig.panel, &ChartPanel::chartsEdited);
    rig.load(rig.panel,
        QJsonObject{{QStringLiteral("window"), QStringLiteral("1h")},
            {QStringLiteral("charts"),
                QJsonArray{QJsonObject{{QStringLiteral("series"),
                    QJsonArray{QJsonObject{{QStringLiteral("stream"), 0},
                        {QStringLiteral("path"), QStringLiteral("v")}}}}}}}});
    QCOMPARE(rig.panel.chartCount(), 1);
    rig.streams.remove(rig.alpha); // its series leave the chart, as the stream left
    QVERIFY(rig.panel.chartSeries(0).isEmpty());
    rig.panel.setPaused(true);
    rig.panel.zoomTime(0.5);
    rig.panel.goLive();
    QCOMPARE(edited.size(), 0);

    QVERIFY(rig.panel.addSeries(0, valueKey(rig.beta)));
    QCOMPARE(edited.size(), 1);
    rig.panel.removeSeries(0, valueKey(rig.beta));
    QCOMPARE(edited.size(), 2);
    rig.panel.removeSeries(0, valueKey(rig.beta)); // not there: nothing changed
    QCOMPARE(edited.size(), 2);
    rig.panel.setExtractionSettings(rig.beta, ExtractionSettings{});
    QCOMPARE(edited.size(), 3);
    QCOMPARE(rig.store.settings(rig.beta), ExtractionSettings{});
    rig.panel.setExtractionSettings(rig.beta, ExtractionSettings{});
    QCOMPARE(edited.size(), 3);
    rig.panel.clear();
    QCOMPARE(edited.size(), 3);
}

void TestChartPanel::decimationBoundsPoints()
{
    Rig rig;
    QVERIFY(rig.show());
    const int count = 200'000;
    const double start = double(now()) - count; // 1 ms apart, up to now
    QList<QPointF> points;
    points.reserve(count);
    for (int i = 0; i < count; ++i) {
        // A sawtooth with one spike: decimation must keep the spike.
        points.append(QPointF(start + i, i == 123'456 ? 1e6 : i % 100));
    }
    rig.panel.addChart();
    rig.panel.addSeries(0, valueKey(rig.alpha)); // plotted first: it keeps every point
    feed(rig.store, rig.alpha, points);
    QCOMPARE(rig.store.series(valueKey(rig.alpha))->size(), count);
    rig.panel.setWindow(ChartPanel::Window::AllRetained);

    QTRY_VERIFY(rig.panel.plottedPointCount(0) > 0);
    const int width = viewOf(rig.panel, 0)->width();
    QVERIFY2(rig.panel.plottedPointCount(0) <= 2 * width + 4,
        qPrintable(
            QStringLiteral("%1 points on %2 px").arg(rig.panel.plottedPointCount(0)).arg(width)));
    QVERIFY(rig.panel.plottedPointCount(0) >= width); // about two per column
    QCOMPARE(rig.panel.plottedRunCount(0), 1);
    // The legend was written when the series was added, before the data: it follows the data
    // at most LegendIntervalMs later, so wait for it rather than read it once.
    QTRY_VERIFY2(rig.panel.chart(0)->legendEntries().constFirst().endsWith(QStringLiteral("  99")),
        qPrintable(rig.panel.chart(0)->legendEntries().constFirst()));
    // The hover read-out comes from the recorded points, not the decimated line.
    QCOMPARE(rig.panel.chart(0)->valuesAt(start + 123'456), QStringList{QStringLiteral("v: 1M")});
}

void TestChartPanel::runs_data()
{
    QTest::addColumn<QList<QPointF>>("points");
    QTest::addColumn<int>("runs");

    const double start = double(now()) - 40'000;
    QTest::newRow("steady") << steady(start, 100, 300) << 1;
    QTest::newRow("one gap") << steady(start, 100, 50) + steady(start + 20'000, 100, 50) << 2;
    QTest::newRow("two gaps") << steady(start, 100, 50) + steady(start + 10'000, 100, 50)
            + steady(start + 20'000, 100, 50)
                              << 3;
    QTest::newRow("short pauses are no gaps")
        << steady(start, 100, 50) + steady(start + 5'200, 100, 50) << 1;
    QTest::newRow("time going back")
        << steady(start, 100, 100) + steady(start + 2'000, 100, 100) << 2;
}

void TestChartPanel::runs()
{
    QFETCH(QList<QPointF>, points);
    QFETCH(int, runs);
    Rig rig;
    QVERIFY(rig.show());
    rig.panel.setWindow(ChartPanel::Window::OneMinute);
    rig.panel.addChart();
    rig.panel.addSeries(0, valueKey(rig.alpha));
    feed(rig.store, rig.alpha, points);
    QTRY_VERIFY(rig.panel.plottedPointCount(0) > 0);
    QCOMPARE(rig.panel.plottedRunCount(0), runs);
    QCOMPARE(rig.panel.plottedPointCount(0), points.size()); // fewer points than columns
}

void TestChartPanel::valuesAtNearestPoint()
{
    Rig rig;
    const double start = double(now()) - 10'000;
    feed(rig.store, rig.alpha, {{start, 1.5}, {start + 1000, 2.5}, {start + 2000, 3.5}});
    rig.panel.addChart();
    rig.panel.addSeries(0, valueKey(rig.alpha));
    QCOMPARE(rig.panel.chart(0)->valuesAt(start + 400), QStringList{QStringLiteral("v: 1.5")});
    QCOMPARE(rig.panel.chart(0)->valuesAt(start + 600), QStringList{QStringLiteral("v: 2.5")});
    QCOMPARE(rig.panel.chart(0)->valuesAt(start - 1e6), QStringList{QStringLiteral("v: 1.5")});
    QCOMPARE(rig.panel.chart(0)->valuesAt(start + 1e6), QStringList{QStringLiteral("v: 3.5")});

    // Series of two streams are told apart by the stream's name; no data is said.
    rig.panel.addSeries(0, valueKey(rig.beta));
    QCOMPARE(rig.panel.chart(0)->valuesAt(start + 1900),
        (QStringList{QStringLiteral("alpha · v: 3.5"), QStringLiteral("beta · v: no data")}));
    QCOMPARE(rig.panel.chart(0)->legendEntries(),
        (QStringList{QStringLiteral("alpha · v  3.5"), QStringLiteral("beta · v  –")}));
    QVERIFY(!rig.panel.chart(5)); // no chart 5, so no values of it
}

void TestChartPanel::valueAxisLabels_data()
{
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    QTest::addColumn<QString>("lowest"); // the bottom tick's label
    QTest::addColumn<QString>("suffix"); // every label ends with it
    QTest::addColumn<bool>("decimals"); // whether labels have a decimal point

    QTest::newRow("percent") << 0.5 << 99.5 << QStringLiteral("0") << QString() << false;
    QTest::newRow("bytes/s") << 2.1e6 << 4.3e7 << QStringLiteral("0") << QStringLiteral("M")
                             << false;
    QTest::newRow("kilo") << 12'000.0 << 19'000.0 << QStringLiteral("10k") << QStringLiteral("k")
                          << false;
    QTest::newRow("fractions") << 0.011 << 0.019 << QStringLiteral("0.010") << QString() << true;
    QTest::newRow("below zero") << -40.0 << -10.0 << QStringLiteral("-45") << QString() << false;
}

// Labels a person reads: 25M rather than 2.5e+07, no plot of positives dipping below zero.
void TestChartPanel::valueAxisLabels()
{
    QFETCH(double, low);
    QFETCH(double, high);
    QFETCH(QString, lowest);
    QFETCH(QString, suffix);
    QFETCH(bool, decimals);
    Rig rig;
    const double start = double(now()) - 10'000;
    feed(rig.store, rig.alpha, {{start, low}, {start + 1000, high}, {start + 2000, low}});
    rig.panel.addChart();
    rig.panel.addSeries(0, valueKey(rig.alpha));
    QVERIFY(rig.show());
    const LiveChart *chart = rig.panel.chart(0);
    QVERIFY(chart);
    // Read from the chart's one vertical axis, labelled per tick (empty otherwise).
    QTRY_VERIFY(chart->valueAxisLabels().size() >= 2);
    const QStringList labels = chart->valueAxisLabels();
    QCOMPARE(labels.constFirst(), lowest);
    for (const QString &label : labels) {
        QVERIFY2(label == QLatin1String("0") || label.endsWith(suffix),
            qPrintable(labels.join(QLatin1Char(' '))));
        QCOMPARE(label.contains(QLatin1Char('.')), decimals);
        QVERIFY(!label.contains(QLatin1Char('e')));
    }
    const auto [axisMin, axisMax] = chart->valueAxisRange();
    QVERIFY(axisMin <= low && axisMax >= high);
}

void TestChartPanel::reconnectMarkersDrawn()
{
    DemoRig rig;
    QVERIFY(rig.start());
    rig.panel.addChart();
    rig.panel.addSeries(0, rig.cpu());
    QTRY_VERIFY(rig.panel.plottedPointCount(0) > 0);
    QCOMPARE(rig.panel.chart(0)->reconnectMarkerCount(), 0);
    // A reconnect: the store marks it, the chart draws a dashed line there.
    rig.streams.stream(rig.metrics)->reconnectNow();
    QTRY_COMPARE(rig.store.reconnectMarkers(rig.metrics).size(), 1);
    QTRY_COMPARE(rig.panel.chart(0)->reconnectMarkerCount(), 1);
    // The chart's lines keep coming.
    const qsizetype points = rig.store.series(rig.cpu())->size();
    QTRY_VERIFY(rig.store.series(rig.cpu())->size() > points);
}

void TestChartPanel::removingStreamDropsItsSeries()
{
    Rig rig;
    feed(rig.store, rig.alpha, {{double(now()), 1}});
    feed(rig.store, rig.beta, {{double(now()), 2}});
    rig.panel.addChart();
    rig.panel.addChart();
    rig.panel.addSeries(0, valueKey(rig.alpha));
    rig.panel.addSeries(0, valueKey(rig.beta));
    rig.panel.addSeries(1, valueKey(rig.alpha));
    rig.streams.remove(rig.alpha);
    QCOMPARE(rig.panel.chartSeries(0), QList<SeriesKey>{valueKey(rig.beta)});
    QVERIFY(rig.panel.chartSeries(1).isEmpty());
    QCOMPARE(rig.panel.chartCount(), 2); // charts stay, empty ones too
    // Saved without it.
    const QJsonObject saved = rig.save(rig.panel);
    QCOMPARE(saved.value(QStringLiteral("charts"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("series"))
                 .toArray()
                 .size(),
        1);
}

void TestChartPanel::dropAddsSeries()
{
    Rig rig;
    QVERIFY(rig.show());
    rig.panel.addChart();
    QWidget *viewport = viewOf(rig.panel, 0)->viewport();
    const QPoint at = viewport->rect().center();

    std::unique_ptr<QMimeData> mime(seriesMimeData({valueKey(rig.alpha), valueKey(rig.beta)}));
    QVERIFY(dragAndDrop(viewport, at, mime.get()));
    QCOMPARE(rig.panel.chartSeries(0), (QList<SeriesKey>{valueKey(rig.alpha), valueKey(rig.beta)}));

    // Other drags are refused; so are series of streams that do not exist.
    QMimeData text;
    text.setText(QStringLiteral("cpu"));
    QDragEnterEvent enterText(at, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &enterText);
    QVERIFY(!enterText.isAccepted());
    std::unique_ptr<QMimeData> unknown(seriesMimeData({valueKey(99)}));
    QVERIFY(!dragAndDrop(viewport, at, unknown.get()));
    QCOMPARE(rig.panel.chartSeries(0).size(), 2);
    QCOMPARE(rig.panel.chartCount(), 1);

    // Dropped beside the charts: a new chart.
    std::unique_ptr<QMimeData> one(seriesMimeData({valueKey(rig.beta)}));
    QVERIFY(dragAndDrop(&rig.panel, QPoint(5, 5), one.get()));
    QCOMPARE(rig.panel.chartCount(), 2);
    QCOMPARE(rig.panel.chartTitle(1), QStringLiteral("v"));
    QCOMPARE(rig.panel.chartSeries(1), QList<SeriesKey>{valueKey(rig.beta)});
}

QTEST_MAIN(TestChartPanel)
#include "tst_chartpanel.moc"
