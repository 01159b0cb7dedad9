// SPDX-License-Identifier: GPL-3.0-or-later
#include "workspace.h"

#include <QJsonDocument>
#include <QTemporaryFile>
#include <QTest>

using namespace streamscope;

class TestWorkspace : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip();
    void tlsSettingsRoundTrip();
    void compressionRoundTrip();
    void http2RoundTrip();
    void notJson_data();
    void notJson();
    void partial_data();
    void partial();
    void referencesFollowTheStreamsLoaded();
    void oversized();
};

namespace {

Workspace sample()
{
    Workspace workspace;
    StreamConfig metrics;
    metrics.name = QStringLiteral("metrics");
    metrics.url = QUrl(QStringLiteral("http://127.0.0.1:8080/metrics"));
    metrics.headers = {{"Authorization", "Bearer ${env:TOKEN}"}};
    metrics.idleTimeoutMs = 30000;
    StreamConfig ws;
    ws.name = QStringLiteral("ws");
    ws.url = QUrl(QStringLiteral("ws://127.0.0.1:8080/ws"));
    ws.onOpenMessages = {"{\"op\":\"subscribe\"}"};
    workspace.streams = {metrics, ws};
    workspace.logCapacity = 5000;
    workspace.filters.text = QStringLiteral("error");
    workspace.filters.streams = {1};
    workspace.layout = {QByteArray("\x01geometry"), QByteArray("\x02state")};
    workspace.charts.window = ChartWindow::OneHour;
    workspace.charts.charts
        = {{QStringLiteral("CPU"), {SeriesKey{1, "m", {}, QStringLiteral("cpu")}}}};
    return workspace;
}

// A valid file with the given streams array text.
QByteArray withStreams(const QByteArray &streams)
{
    return "{\"version\": 1, \"streams\": " + streams + "}";
}

} // namespace

void TestWorkspace::roundTrip()
{
    const Workspace workspace = sample();
    const QByteArray json = workspace.toJson();
    QVERIFY(json.contains("\n    \"version\": 1")); // readable: indented
    QVERIFY(json.contains("${env:TOKEN}")); // the secret itself is never written
    const Workspace::Loaded loaded = Workspace::fromJson(json);
    QVERIFY(loaded.readable);
    QCOMPARE(loaded.problems, QStringList());
    QCOMPARE(loaded.workspace.streams.size(), 2);
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(loaded.workspace.streams.at(i).toJson(), workspace.streams.at(i).toJson());
    }
    QCOMPARE(loaded.workspace.logCapacity, 5000);
    QCOMPARE(loaded.workspace.filters, workspace.filters);
    QCOMPARE(loaded.workspace.layout, workspace.layout);
    QCOMPARE(loaded.workspace.charts.toJson(), workspace.charts.toJson());
    QCOMPARE(loaded.workspace.toJson(), json);
}

void TestWorkspace::tlsSettingsRoundTrip()
{
    QTemporaryFile ca;
    QVERIFY(ca.open());
    Workspace workspace = sample();
    StreamConfig internal;
    internal.name = QStringLiteral("internal");
    internal.url = QUrl(QStringLiteral("https://dashboard.internal/events"));
    internal.caCertificatesFile = ca.fileName();
    StreamConfig insecure;
    insecure.name = QStringLiteral("lab");
    insecure.url = QUrl(QStringLiteral("wss://lab.test/feed"));
    insecure.ignoreCertificateErrors = true;
    workspace.streams.append({internal, insecure});
    const QByteArray json = workspace.toJson();
    QVERIFY(json.contains("\"ignoreCertificateErrors\": true")); // stands out in the file

    const Workspace::Loaded loaded = Workspace::fromJson(json);
    QCOMPARE(loaded.problems, QStringList());
    QCOMPARE(loaded.workspace.streams.size(), 4);
    QCOMPARE(loaded.workspace.streams.at(2).caCertificatesFile, ca.fileName());
    QVERIFY(!loaded.workspace.streams.at(2).ignoreCertificateErrors);
    QCOMPARE(loaded.workspace.streams.at(3).caCertificatesFile, QString());
    QVERIFY(loaded.workspace.streams.at(3).ignoreCertificateErrors);
    QVERIFY(!loaded.workspace.streams.at(0).ignoreCertificateErrors);
    QCOMPARE(loaded.workspace.toJson(), json);

    // A CA file that went away is named on load; the stream still loads.
    const QString gone = ca.fileName();
    ca.remove();
    const Workspace::Loaded later = Workspace::fromJson(json);
    QCOMPARE(later.workspace.streams.size(), 4);
    QCOMPARE(later.problems,
        QStringList{
            QStringLiteral("streams[2].caCertificatesFile: no CA certificates file at \"%1\"")
                .arg(gone)});
}

void TestWorkspace::compressionRoundTrip()
{
    Workspace workspace = sample(); // its ws stream compresses, the default
    StreamConfig plain;
    plain.name = QStringLiteral("plain");
    plain.url = QUrl(QStringLiteral("wss://feed.test/raw"));
    plain.compression = false;
    workspace.streams.append(plain);
    const QByteArray json = workspace.toJson();
    // Only the exception is written, and it reads as what it does.
    QCOMPARE(json.count("\"compression\""), 1);
    QVERIFY(json.contains("\"compression\": false"));

    const Workspace::Loaded loaded = Workspace::fromJson(json);
    QCOMPARE(loaded.problems, QStringList());
    QCOMPARE(loaded.workspace.streams.size(), 3);
    QVERIFY(loaded.workspace.streams.at(1).compression);
    QVERIFY(!loaded.workspace.streams.at(2).compression);
    QCOMPARE(loaded.workspace.toJson(), json);
}

void TestWorkspace::http2RoundTrip()
{
    Workspace workspace = sample(); // its SSE stream leaves HTTP/2 to TLS, the default
    StreamConfig http1;
    http1.name = QStringLiteral("behind a proxy");
    http1.url = QUrl(QStringLiteral("https://feed.test/events"));
    http1.http2 = Http2Mode::Off;
    StreamConfig h2c;
    h2c.name = QStringLiteral("h2c");
    h2c.url = QUrl(QStringLiteral("http://127.0.0.1:8080/events"));
    h2c.http2 = Http2Mode::PriorKnowledge;
    workspace.streams.append({http1, h2c});
    const QByteArray json = workspace.toJson();
    // Only the exceptions are written, as the CLI's words.
    QCOMPARE(json.count("\"http2\""), 2);
    QVERIFY(json.contains("\"http2\": \"off\""));
    QVERIFY(json.contains("\"http2\": \"prior-knowledge\""));

    const Workspace::Loaded loaded = Workspace::fromJson(json);
    QCOMPARE(loaded.problems, QStringList());
    QCOMPARE(loaded.workspace.streams.size(), 4);
    QCOMPARE(loaded.workspace.streams.at(0).http2, Http2Mode::Auto);
    QCOMPARE(loaded.workspace.streams.at(2).http2, Http2Mode::Off);
    QCOMPARE(loaded.workspace.streams.at(3).http2, Http2Mode::PriorKnowledge);
    QCOMPARE(loaded.workspace.toJson(), json);
}

void TestWorkspace::notJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("problem");
    const QByteArray whole = sample().toJson();
    QTest::newRow("truncated") << whole.left(whole.size() / 2) << QStringLiteral("at offset");
    QTest::newRow("empty file") << QByteArray() << QStringLiteral("not valid JSON");
    QTest::newRow("garbage") << QByteArray("<html>") << QStringLiteral("illegal value at offset 1");
    QTest::newRow("missing comma")
        << QByteArray("{\"version\": 1 \"streams\": []}") << QStringLiteral("at offset 15");
    QTest::newRow("an array") << QByteArray("[1, 2]") << QStringLiteral("expected a JSON object");
    const QByteArray small = "{\"version\":1,\"streams\":[{\"name\":\"a\",\"url\":"
                             "\"http://127.0.0.1:1/s\"}],\"logCapacity\":1000}";
    QTest::newRow("cut in a string") << small.left(40) << QStringLiteral("not valid JSON: ");
    QTest::newRow("cut after a value")
        << small.left(small.size() - 1) << QStringLiteral("not valid JSON: ");
    QTest::newRow("NUL bytes") << QByteArray(64, '\0') << QStringLiteral("not valid JSON: ");
}

void TestWorkspace::notJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, problem);
    const Workspace::Loaded loaded = Workspace::fromJson(json);
    QVERIFY(!loaded.readable);
    QCOMPARE(loaded.workspace.streams.size(), 0);
    QCOMPARE(loaded.problems.size(), 1);
    QVERIFY2(loaded.problems.first().contains(problem), qPrintable(loaded.problems.first()));
}

void TestWorkspace::partial_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QStringList>("names"); // of the streams loaded
    QTest::addColumn<QStringList>("problems"); // the start of each problem, in order

    const QByteArray good = R"({"name": "a", "url": "http://127.0.0.1:1/a"})";
    const QByteArray good2 = R"({"name": "c", "url": "ws://127.0.0.1:1/c"})";
    QTest::newRow("one bad url among good")
        << withStreams("[" + good + R"(, {"name": "b", "url": "ftp://x/y"}, )" + good2 + "]")
        << QStringList{QStringLiteral("a"), QStringLiteral("c")}
        << QStringList{QStringLiteral("streams[1].url: not http, https, ws or wss"),
               QStringLiteral("streams[1]: skipped")};
    QTest::newRow("no url") << withStreams("[" + good + R"(, {"name": "b"}])")
                            << QStringList{QStringLiteral("a")}
                            << QStringList{QStringLiteral("streams[1].url: enter a URL"),
                                   QStringLiteral("streams[1]: skipped")};
    QTest::newRow("not an object")
        << withStreams("[" + good + ", 42]") << QStringList{QStringLiteral("a")}
        << QStringList{QStringLiteral("streams[1]: expected an object, got a number")};
    QTest::newRow("fixable problems still load") << withStreams(
        R"([{"name": "", "url": "http://127.0.0.1:1/a", "maxDelayMs": "x", "method": "GE T"}])")
                                                 << QStringList{QString()}
                                                 << QStringList{
                                                        QStringLiteral("streams[0].maxDelayMs: "
                                                                       "expected a whole number"),
                                                        QStringLiteral("streams[0].name: "),
                                                        QStringLiteral("streams[0].method: ")};
    QTest::newRow("compression not a boolean")
        << withStreams("[" + good
               + R"(, {"name": "b", "url": "ws://127.0.0.1:1/b", )"
                 R"("compression": "off"}])")
        << QStringList{QStringLiteral("a"), QStringLiteral("b")}
        << QStringList{QStringLiteral("streams[1].compression: expected true or false, got a "
                                      "string; the default is kept")};
    QTest::newRow("compression a number")
        << withStreams(R"([{"name": "b", "url": "ws://127.0.0.1:1/b", "compression": 0}])")
        << QStringList{QStringLiteral("b")}
        << QStringList{QStringLiteral("streams[0].compression: expected true or false, got a "
                                      "number")};
    QTest::newRow("http2 an unknown word")
        << withStreams(
               "[" + good + R"(, {"name": "b", "url": "https://127.0.0.1:1/b", "http2": "on"}])")
        << QStringList{QStringLiteral("a"), QStringLiteral("b")}
        << QStringList{QStringLiteral("streams[1].http2: expected \"auto\", \"off\" or "
                                      "\"prior-knowledge\", got \"on\"; the default is kept")};
    QTest::newRow("http2 not a string")
        << withStreams(R"([{"name": "b", "url": "http://127.0.0.1:1/b", "http2": true}])")
        << QStringList{QStringLiteral("b")}
        << QStringList{QStringLiteral("streams[0].http2: expected \"auto\", \"off\" or "
                                      "\"prior-knowledge\", got a boolean; the default is "
                                      "kept")};
    QTest::newRow("streams not an array")
        << QByteArray(R"({"version": 1, "streams": {"a": 1}, "logCapacity": 10})") << QStringList()
        << QStringList{QStringLiteral("streams: expected an array")};
    QTest::newRow("bad capacity and layout")
        << QByteArray(
               R"({"version": 1, "streams": [], "logCapacity": -3, "layout": [], "filters": 1})")
        << QStringList()
        << QStringList{QStringLiteral("logCapacity: expected a whole number from 1"),
               QStringLiteral("filters: expected an object"),
               QStringLiteral("layout: expected an object")};
    QTest::newRow("capacity over the log's bound")
        << QByteArray(R"({"version": 1, "streams": [], "logCapacity": 5000001})") << QStringList()
        << QStringList{QStringLiteral("logCapacity: expected a whole number from 1 to 5000000, "
                                      "got 5000001")};
    QTest::newRow("no version") << QByteArray(R"({"streams": [)" + good + "]}")
                                << QStringList{QStringLiteral("a")}
                                << QStringList{QStringLiteral("version: missing")};
    QTest::newRow("newer version")
        << QByteArray(R"({"version": 2, "streams": [)" + good + "]}")
        << QStringList{QStringLiteral("a")} << QStringList{QStringLiteral("version: 2 is newer")};
    QTest::newRow("chart window unknown")
        << QByteArray(R"({"version": 1, "streams": [], "charts": {"window": "2m"}})")
        << QStringList()
        << QStringList{QStringLiteral("charts.window: expected \"1m\", \"5m\", \"15m\", \"1h\" or "
                                      "\"all\", got \"2m\"; the default is kept")};
    QTest::newRow("chart series of no stream")
        << QByteArray(R"({"version": 1, "streams": [)" + good
               + R"(], "charts": {"charts": [{"series": [{"stream": 3, "path": "cpu"}]}]}})")
        << QStringList{QStringLiteral("a")}
        << QStringList{QStringLiteral("charts.charts[0].series[0]: no stream 3; left out")};
    QTest::newRow("filter kind unknown and text not a string")
        << QByteArray(
               R"({"version": 1, "streams": [], "filters": {"kinds": ["bogus"], "text": 4}})")
        << QStringList()
        << QStringList{QStringLiteral("filters.kinds[0]: expected \"event\", \"message\", "
                                      "\"sent\" or \"lifecycle\", got \"bogus\"; left out"),
               QStringLiteral(
                   "filters.text: expected a string, got a number; the default is kept")};
    QTest::newRow("filter expression invalid")
        << QByteArray(R"({"version": 1, "streams": [], "filters": {"text": "(", "regex": true}})")
        << QStringList() << QStringList{QStringLiteral("filters.text: missing closing")};
    QTest::newRow("layout not base64")
        << QByteArray(R"({"version": 1, "streams": [], "layout": {"geometry": 1, "state": "!"}})")
        << QStringList()
        << QStringList{QStringLiteral("layout.geometry: expected a string, got a number; ignored"),
               QStringLiteral("layout.state: not base64; ignored")};
    QTest::newRow("unknown keys ignored")
        << QByteArray(R"({"version": 1, "future": true, "streams": [{"name": "a", "url": )"
                      R"("http://127.0.0.1:1/a", "colour": "red"}]})")
        << QStringList{QStringLiteral("a")} << QStringList();
}

void TestWorkspace::partial()
{
    QFETCH(QByteArray, json);
    QFETCH(QStringList, names);
    QFETCH(QStringList, problems);
    const Workspace::Loaded loaded = Workspace::fromJson(json);
    QVERIFY(loaded.readable);
    QStringList loadedNames;
    for (const StreamConfig &config : loaded.workspace.streams) {
        loadedNames.append(config.name);
    }
    QCOMPARE(loadedNames, names);
    QCOMPARE(loaded.problems.size(), problems.size());
    for (qsizetype i = 0; i < problems.size(); ++i) {
        QVERIFY2(
            loaded.problems.at(i).startsWith(problems.at(i)), qPrintable(loaded.problems.at(i)));
    }
}

void TestWorkspace::referencesFollowTheStreamsLoaded()
{
    // The second stream cannot be loaded: what named the third names it at its new index, and
    // what named the second goes, with a problem each.
    const QByteArray json = R"({"version": 1, "streams": [
        {"name": "a", "url": "http://127.0.0.1:1/a"},
        {"name": "b", "url": "ftp://127.0.0.1/b"},
        {"name": "c", "url": "ws://127.0.0.1:1/c"}],
      "filters": {"streams": [0, 1, 2]},
      "charts": {"charts": [{"series": [{"stream": 1, "path": "x"}, {"stream": 2, "path": "y"}]}],
                 "extraction": [{"stream": 2, "timeField": "ts"}]}})";
    const Workspace::Loaded loaded = Workspace::fromJson(json);
    QVERIFY(loaded.readable);
    const Workspace &workspace = loaded.workspace;
    QCOMPARE(workspace.streams.size(), 2);
    QCOMPARE(workspace.streams.at(1).name, QStringLiteral("c"));
    QCOMPARE(workspace.filters.streams, (QList<int>{0, 1}));
    QCOMPARE(workspace.charts.charts.size(), 1);
    QCOMPARE(workspace.charts.charts.at(0).series,
        (QList<SeriesKey>{SeriesKey{1, {}, {}, QStringLiteral("y")}}));
    QCOMPARE(workspace.charts.extraction.size(), 1);
    QCOMPARE(workspace.charts.extraction.at(0).stream, 1);
    QCOMPARE(workspace.charts.extraction.at(0).settings.timeField, QStringLiteral("ts"));
    QVERIFY(loaded.problems.contains(QStringLiteral("filters.streams[1]: no stream 1; left out")));
    QVERIFY(loaded.problems.contains(
        QStringLiteral("charts.charts[0].series[0]: no stream 1; left out")));
    // Saved and read again, it is whole.
    const Workspace::Loaded again = Workspace::fromJson(workspace.toJson());
    QCOMPARE(again.problems, QStringList());
    QCOMPARE(again.workspace.filters, workspace.filters);
    QCOMPARE(again.workspace.charts.toJson(), workspace.charts.toJson());
}

void TestWorkspace::oversized()
{
    QByteArray json = withStreams("[]");
    json.append(QByteArray(16 * 1024 * 1024, ' '));
    const Workspace::Loaded loaded = Workspace::fromJson(json);
    QVERIFY(!loaded.readable);
    QCOMPARE(loaded.problems.size(), 1);
    QVERIFY2(loaded.problems.first().contains(QLatin1String("at most 16.0 MiB")),
        qPrintable(loaded.problems.first()));
}

QTEST_APPLESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
