// SPDX-License-Identifier: GPL-3.0-or-later
#include "demofeed.h"
#include "metricrecorder.h"
#include "metricstore.h"
#include "streamhealth.h"
#include "streamset.h"

#include <QTest>

using namespace streamscope;

namespace {

StreamEvent row(int streamId, const QByteArray &type, const QByteArray &data, qint64 arrivalMs = 0,
    StreamEvent::Kind kind = StreamEvent::Kind::Event)
{
    StreamEvent event;
    event.streamId = streamId;
    event.kind = kind;
    event.type = type;
    event.data = data;
    event.arrivalMs = arrivalMs;
    return event;
}

StreamEvent lifecycle(int streamId, const QByteArray &kind, qint64 arrivalMs)
{
    return row(streamId, kind, {}, arrivalMs, StreamEvent::Kind::Lifecycle);
}

SeriesKey key(int streamId, const QByteArray &type, const char *label, const char *path)
{
    return SeriesKey{streamId, type, QString::fromUtf8(label), QString::fromUtf8(path)};
}

QStringList names(const QList<SeriesKey> &keys)
{
    QStringList list;
    for (const SeriesKey &k : keys) {
        list.append(QString::number(k.streamId) + QLatin1Char(' ') + k.displayName());
    }
    return list;
}

QStringList lines(std::initializer_list<const char *> texts)
{
    QStringList list;
    for (const char *text : texts) {
        list.append(QString::fromUtf8(text));
    }
    return list;
}

} // namespace

class TestMetricStore : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void identityHasStreamTypeLabelAndPath();
    void onlyTextEventsAndMessagesAreExtracted_data();
    void onlyTextEventsAndMessagesAreExtracted();
    void layoutsThatChangeFindTheirSeries();
    void settingsApplyPerStream();
    void retentionCountsBackFromTheNewestPoint();
    void unplottedSeriesAreCapped();
    void plottingIsCounted();
    void seriesBeyondMaxAreCountedNotKept();
    void reconnectsLeaveMarkers();
    void healthFigures();
    void revisionMovesOnEveryChange();
    void removeStreamForgetsEverything();
    void keyNamesAndHashes();
    void recorderFollowsARealStream();
};

void TestMetricStore::initTestCase()
{
    qRegisterMetaType<StreamEvent>();
}

void TestMetricStore::identityHasStreamTypeLabelAndPath()
{
    MetricStore store;
    store.setSettings(2, {QString(), TimeUnit::Auto, QStringLiteral("host")});
    store.ingest(row(1, "host-a", R"({"cpu":1})"));
    store.ingest(row(1, "host-b", R"({"cpu":2})"));
    store.ingest(row(2, "m", R"({"host":"alpha","cpu":3,"net":{"rx":4}})"));
    store.ingest(row(2, "m", R"({"host":"beta","cpu":5})"));
    store.ingest(row(1, "host-a", R"({"cpu":6})"));
    store.ingest(row(3, {}, "42"));

    QCOMPARE(names(store.keys()),
        lines({"1 host-a \xc2\xb7 cpu", "1 host-b \xc2\xb7 cpu", "2 m \xc2\xb7 alpha \xc2\xb7 cpu",
            "2 m \xc2\xb7 alpha \xc2\xb7 net.rx", "2 m \xc2\xb7 beta \xc2\xb7 cpu", "3 (value)"}));
    const SeriesBuffer *a = store.series(key(1, "host-a", "", "cpu"));
    QVERIFY(a);
    QCOMPARE(a->size(), 2);
    QCOMPARE(a->last().value, 6.0);
    QCOMPARE(store.series(key(2, "m", "beta", "cpu"))->last().value, 5.0);
    QVERIFY(!store.series(key(2, "m", "", "cpu"))); // the label is part of the name
    QVERIFY(!store.series(key(9, "host-a", "", "cpu")));
}

void TestMetricStore::onlyTextEventsAndMessagesAreExtracted_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<bool>("extracted");

    QTest::newRow("SSE event") << int(StreamEvent::Kind::Event) << QByteArray("tick") << false
                               << true;
    QTest::newRow("WebSocket text")
        << int(StreamEvent::Kind::Message) << QByteArray() << false << true;
    // Socket.IO rows are typed by event and MQTT rows by topic: one series per event or topic.
    QTest::newRow("Socket.IO event")
        << int(StreamEvent::Kind::Message) << QByteArray("/admin:status") << false << true;
    QTest::newRow("MQTT topic") << int(StreamEvent::Kind::Message) << QByteArray("plant/boiler")
                                << false << true;
    QTest::newRow("WebSocket binary")
        << int(StreamEvent::Kind::Message) << QByteArray() << true << false;
    QTest::newRow("sent") << int(StreamEvent::Kind::Sent) << QByteArray() << false << false;
    QTest::newRow("lifecycle") << int(StreamEvent::Kind::Lifecycle) << QByteArray("tick") << false
                               << false;
}

void TestMetricStore::onlyTextEventsAndMessagesAreExtracted()
{
    QFETCH(int, kind);
    QFETCH(QByteArray, type);
    QFETCH(bool, binary);
    QFETCH(bool, extracted);
    MetricStore store;
    StreamEvent event = row(1, type, R"({"n":1})", 5, StreamEvent::Kind(kind));
    event.binary = binary;
    store.ingest(event);
    QCOMPARE(store.keys().size(), extracted ? 1 : 0);
    QCOMPARE(store.counts(1).payloads, quint64(extracted ? 1 : 0));
    if (extracted) {
        QCOMPARE(store.keys().first(), key(1, type, "", "n"));
        QCOMPARE(store.series(store.keys().first())->last().timeMs, 5.0);
    }
}

// A stream remembers the series of its last payload's samples, in order; payloads whose fields,
// labels or types change must still land in their own series.
void TestMetricStore::layoutsThatChangeFindTheirSeries()
{
    MetricStore store;
    store.setSettings(1, {QString(), TimeUnit::Auto, QStringLiteral("host")});
    store.ingest(row(1, "m", R"({"a":1,"b":2})"));
    store.ingest(row(1, "m", R"({"a":3,"b":4})")); // the same layout
    store.ingest(row(1, "m", R"({"b":5})")); // b where a was
    store.ingest(row(1, "m", R"({"a":6,"c":7})"));
    store.ingest(row(1, "n", R"({"a":8})")); // another type
    store.ingest(row(1, "m", R"({"host":"x","a":9})")); // a label
    store.ingest(row(1, "m", R"({"host":"y","a":10})"));
    store.ingest(row(1, "m", R"({"a":11})"));

    const auto values = [&store](const SeriesKey &k) {
        QList<double> list;
        const SeriesBuffer *buffer = store.series(k);
        for (qsizetype i = 0; buffer && i < buffer->size(); ++i) {
            list.append(buffer->at(i).value);
        }
        return list;
    };
    QCOMPARE(values(key(1, "m", "", "a")), (QList<double>{1, 3, 6, 11}));
    QCOMPARE(values(key(1, "m", "", "b")), (QList<double>{2, 4, 5}));
    QCOMPARE(values(key(1, "m", "", "c")), (QList<double>{7}));
    QCOMPARE(values(key(1, "n", "", "a")), (QList<double>{8}));
    QCOMPARE(values(key(1, "m", "x", "a")), (QList<double>{9}));
    QCOMPARE(values(key(1, "m", "y", "a")), (QList<double>{10}));

    // Removed and back: the remembered series went with the stream.
    store.removeStream(1);
    store.ingest(row(1, "m", R"({"a":12})"));
    QCOMPARE(values(key(1, "m", "", "a")), (QList<double>{12}));
}

void TestMetricStore::settingsApplyPerStream()
{
    MetricStore store;
    const ExtractionSettings timed{QStringLiteral("ts"), TimeUnit::Seconds, QString()};
    store.setSettings(1, timed);
    QCOMPARE(store.settings(1), timed);
    QCOMPARE(store.settings(2), ExtractionSettings());
    store.ingest(row(1, "m", R"({"ts":10,"v":1})", 99));
    store.ingest(row(2, "m", R"({"ts":10,"v":1})", 99));
    store.ingest(row(2, "m", "{oops", 99));
    store.ingest(row(1, "m", R"({"v":NaN})", 99));
    QCOMPARE(store.series(key(1, "m", "", "v"))->last().timeMs, 10'000.0);
    QCOMPARE(store.series(key(2, "m", "", "v"))->last().timeMs, 99.0);
    QVERIFY(store.series(key(2, "m", "", "ts"))); // not stream 2's time field
    QCOMPARE(store.counts(1).samples, quint64(1));
    QCOMPARE(store.counts(1).invalidNumbers, quint64(1));
    QCOMPARE(store.counts(1).missingTime, quint64(1));
    QCOMPARE(store.counts(2).samples, quint64(2));
    QCOMPARE(store.counts(2).malformed, quint64(1));
    QCOMPARE(store.counts(3), ExtractionCounts());
}

void TestMetricStore::retentionCountsBackFromTheNewestPoint()
{
    MetricStore store;
    store.setRetentionMs(1000);
    for (int t = 0; t <= 5000; t += 100) {
        store.ingest(row(1, "m", R"({"v":1})", t));
    }
    const SeriesBuffer *series = store.series(key(1, "m", "", "v"));
    QCOMPARE(series->at(0).timeMs, 4000.0);
    QCOMPARE(series->size(), 11);

    // Another series keeps its own newest time as the reference.
    store.ingest(row(1, "other", R"({"v":1})", 10));
    QCOMPARE(store.series(key(1, "other", "", "v"))->size(), 1);
    QCOMPARE(series->size(), 11);
}

void TestMetricStore::unplottedSeriesAreCapped()
{
    MetricStore store;
    store.setRetentionMs(0); // none: only the cap bounds the series
    for (int i = 0; i < MetricStore::UnplottedCapacity + 500; ++i) {
        store.ingest(row(1, "m", QByteArray::number(i), i));
    }
    const SeriesBuffer *series = store.series(key(1, "m", "", ""));
    QCOMPARE(series->size(), MetricStore::UnplottedCapacity);
    QCOMPARE(series->at(0).value, 500.0);
}

void TestMetricStore::plottingIsCounted()
{
    MetricStore store;
    const SeriesKey k = key(1, "m", "", "v");
    store.setPlotted(k, true); // before any point: a loaded chart
    store.setPlotted(k, true); // a second chart
    QVERIFY(store.series(k));
    const int points = MetricStore::UnplottedCapacity + 1000;
    for (int i = 0; i < points; ++i) {
        store.ingest(row(1, "m", R"({"v":1})", i));
    }
    QCOMPARE(store.series(k)->size(), points);
    QCOMPARE(store.series(k)->capacity(), MetricStore::PlottedCapacity);

    store.setPlotted(k, false);
    QCOMPARE(store.series(k)->size(), points); // the other chart still plots it
    store.setPlotted(k, false);
    QCOMPARE(store.series(k)->size(), MetricStore::UnplottedCapacity);
    QCOMPARE(store.series(k)->last().timeMs, double(points - 1));

    store.setPlotted(k, false); // one too many: no underflow
    store.setPlotted(k, true);
    QCOMPARE(store.series(k)->capacity(), MetricStore::PlottedCapacity);
    store.setPlotted(key(1, "m", "", "unknown"), false); // not made by letting go
    QVERIFY(!store.series(key(1, "m", "", "unknown")));
}

void TestMetricStore::seriesBeyondMaxAreCountedNotKept()
{
    MetricStore store;
    QByteArray wide = "{";
    for (int i = 0; i < MetricStore::MaxSeries + 100; ++i) {
        wide += (i ? ",\"k" : "\"k") + QByteArray::number(i) + "\":1";
    }
    wide += "}";
    store.ingest(row(1, "m", wide));
    QCOMPARE(store.keys().size(), MetricStore::MaxSeries);
    QCOMPARE(store.droppedSeries(), quint64(100));
    store.ingest(row(1, "m", wide)); // the same refused keys again
    QCOMPARE(store.droppedSeries(), quint64(100));
    store.ingest(row(1, "m", R"({"new":1})"));
    QCOMPARE(store.droppedSeries(), quint64(101));

    store.removeStream(1); // room again
    store.ingest(row(1, "m", R"({"new":1})"));
    QVERIFY(store.series(key(1, "m", "", "new")));
}

void TestMetricStore::reconnectsLeaveMarkers()
{
    MetricStore store;
    store.ingest(lifecycle(1, "connecting", 1));
    store.ingest(lifecycle(1, "open", 2)); // the first open: no reconnect
    store.ingest(lifecycle(1, "error", 3));
    store.ingest(lifecycle(1, "open", 5));
    store.ingest(lifecycle(2, "open", 6)); // another stream's first
    store.ingest(lifecycle(1, "open", 9));
    QCOMPARE(store.reconnectMarkers(1), (QList<double>{5, 9}));
    QCOMPARE(store.reconnectMarkers(2), QList<double>{});

    for (int i = 0; i < MetricStore::MaxMarkers + 10; ++i) {
        store.ingest(lifecycle(1, "open", 100 + i));
    }
    const QList<double> markers = store.reconnectMarkers(1);
    QCOMPARE(markers.size(), MetricStore::MaxMarkers);
    QCOMPARE(markers.first(), 110.0);
    QCOMPARE(markers.last(), double(100 + MetricStore::MaxMarkers + 9));
}

void TestMetricStore::healthFigures()
{
    MetricStore store;
    StreamHealth health;
    health.eventsPerSecond = 12.5;
    health.bytesPerSecond = 2048;
    health.reconnects = 3;
    store.recordHealth(4, health, 1000);
    QCOMPARE(store.series(SeriesKey{4, {}, {}, FigureEventsPerSecond})->last().value, 12.5);
    QCOMPARE(store.series(SeriesKey{4, {}, {}, FigureBytesPerSecond})->last().value, 2048.0);
    QCOMPARE(store.series(SeriesKey{4, {}, {}, FigureReconnects})->last().value, 3.0);
    QVERIFY(!store.series(SeriesKey{4, {}, {}, FigureRoundTripMs})); // no round trip yet
    // No audit, no payload clock: no series for them.
    QVERIFY(!store.series(SeriesKey{4, {}, {}, FigureEventsMissing}));
    QVERIFY(!store.series(SeriesKey{4, {}, {}, FigureDeliveryDelayMs}));

    health.roundTripMs = 7;
    health.eventsMissing = 5;
    health.deliveryDelayMs = -40; // the server's clock runs ahead of ours
    store.recordHealth(4, health, 2000);
    QCOMPARE(store.series(SeriesKey{4, {}, {}, FigureEventsMissing})->last().value, 5.0);
    QCOMPARE(store.series(SeriesKey{4, {}, {}, FigureDeliveryDelayMs})->last().value, -40.0);
    const SeriesBuffer *roundTrip = store.series(SeriesKey{4, {}, {}, FigureRoundTripMs});
    QVERIFY(roundTrip);
    QCOMPARE(roundTrip->last().timeMs, 2000.0);
    QCOMPARE(roundTrip->last().value, 7.0);
    QCOMPARE(store.series(SeriesKey{4, {}, {}, FigureEventsPerSecond})->size(), 2);
    QVERIFY(store.keys().first().isFigure());
}

void TestMetricStore::revisionMovesOnEveryChange()
{
    MetricStore store;
    quint64 last = store.revision();
    const auto moved = [&] {
        const bool changed = store.revision() != last;
        last = store.revision();
        return changed;
    };
    store.ingest(row(1, "m", R"({"v":1})"));
    QVERIFY(moved());
    store.ingest(row(1, "m", "not a number")); // only a count moved
    QVERIFY(moved());
    store.ingest(lifecycle(1, "open", 1));
    store.ingest(lifecycle(1, "open", 2));
    QVERIFY(moved());
    store.recordHealth(1, StreamHealth(), 3);
    QVERIFY(moved());
    store.setPlotted(key(1, "m", "", "v"), true);
    QVERIFY(moved());
    store.removeStream(1);
    QVERIFY(moved());
    store.ingest(row(1, "m", "x", 0, StreamEvent::Kind::Sent));
    QVERIFY(!moved());
}

void TestMetricStore::removeStreamForgetsEverything()
{
    MetricStore store;
    store.setSettings(1, {QStringLiteral("ts"), TimeUnit::Auto, QString()});
    store.ingest(row(1, "m", R"({"v":1})"));
    store.ingest(row(2, "m", R"({"v":1})"));
    store.ingest(lifecycle(1, "open", 1));
    store.ingest(lifecycle(1, "open", 2));
    store.recordHealth(1, StreamHealth(), 3);
    store.removeStream(1);
    QCOMPARE(names(store.keys()), lines({"2 m \xc2\xb7 v"}));
    QVERIFY(!store.series(key(1, "m", "", "v")));
    QVERIFY(store.reconnectMarkers(1).isEmpty());
    QCOMPARE(store.counts(1), ExtractionCounts());
    QCOMPARE(store.settings(1), ExtractionSettings());

    store.clear();
    QVERIFY(store.keys().isEmpty());
    QCOMPARE(store.counts(2), ExtractionCounts());
}

void TestMetricStore::keyNamesAndHashes()
{
    QCOMPARE(
        SeriesKey({1, {}, {}, FigureEventsPerSecond}).displayName(), QStringLiteral("events/s"));
    QCOMPARE(key(1, "", "web-1", "disks[0].used").displayName(),
        QString::fromUtf8("web-1 \xc2\xb7 disks[0].used"));
    QVERIFY(!key(1, "", "", "cpu").isFigure());
    // Equal keys hash alike; each part changes the key.
    QCOMPARE(qHash(key(1, "a", "b", "c")), qHash(key(1, "a", "b", "c")));
    QVERIFY(key(1, "a", "b", "c") != key(2, "a", "b", "c"));
    QVERIFY(key(1, "a", "b", "c") != key(1, "x", "b", "c"));
    QVERIFY(key(1, "a", "b", "c") != key(1, "a", "x", "c"));
    QVERIFY(key(1, "a", "b", "c") != key(1, "a", "b", "x"));
    QVERIFY(qHash(key(1, "a", "b", "c")) != qHash(key(2, "a", "b", "c")));
}

void TestMetricStore::recorderFollowsARealStream()
{
    DemoFeed demo;
    DemoFeedSettings feed;
    feed.metricsIntervalMs = 20;
    QVERIFY(demo.listen(0, feed));

    StreamSet streams;
    MetricStore store;
    MetricRecorder recorder(&streams, &store);
    StreamConfig config;
    config.name = QStringLiteral("metrics");
    config.url = demo.url(QStringLiteral("/metrics"));
    config.initialDelayMs = 20;
    config.maxDelayMs = 50;
    const int id = streams.add(config);
    store.setSettings(id, {QStringLiteral("ts"), TimeUnit::Auto, QStringLiteral("host")});
    streams.stream(id)->connectToServer();

    const SeriesKey cpu = key(id, "metrics", "web-1", "cpu");
    QTRY_VERIFY(store.series(cpu) && store.series(cpu)->size() >= 3);
    const SeriesBuffer *series = store.series(cpu);
    QVERIFY(series->last().value >= 0.5 && series->last().value <= 99.5);
    // The payload's ts, in ms: within a minute of now.
    QVERIFY(qAbs(series->last().timeMs - QDateTime::currentMSecsSinceEpoch()) < 60'000);
    QVERIFY(!store.series(key(id, "metrics", "web-1", "ts")));
    QVERIFY(!store.series(key(id, "metrics", "web-1", "host")));
    QCOMPARE(store.counts(id).malformed, quint64(0));
    QVERIFY(store.counts(id).samples >= 3);

    recorder.recordFiguresNow();
    const SeriesBuffer *events = store.series(SeriesKey{id, {}, {}, FigureEventsPerSecond});
    QVERIFY(events);
    QCOMPARE(events->size(), 1);
    QVERIFY(store.series(SeriesKey{id, {}, {}, FigureBytesPerSecond}));
    QVERIFY(!store.series(SeriesKey{id, {}, {}, FigureRoundTripMs})); // SSE: none
    // The recorder's own timer records them too.
    QTRY_VERIFY_WITH_TIMEOUT(events->size() >= 2, 5000);

    // A reconnect leaves a marker.
    QVERIFY(store.reconnectMarkers(id).isEmpty());
    streams.stream(id)->reconnectNow();
    QTRY_COMPARE(store.reconnectMarkers(id).size(), 1);

    streams.remove(id);
    QVERIFY(!store.series(cpu));
    QVERIFY(store.keys().isEmpty());
}

QTEST_MAIN(TestMetricStore)
#include "tst_metricstore.moc"
