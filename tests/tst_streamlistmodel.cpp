// SPDX-License-Identifier: GPL-3.0-or-later
#include "demofeed.h"
#include "healthcolors.h"
#include "ssetestserver.h"
#include "streamlistmodel.h"
#include "streamset.h"

#include <QAbstractItemModelTester>
#include <QGuiApplication>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace streamscope;

class TestStreamListModel : public QObject
{
    Q_OBJECT

private slots:
    void rowsFollowTheSet();
    void healthAsServerGoesAwayAndBack();
    void staleWhenSilent();
    void failedShowsTheReason();
    void completeAnswerSaidOnTheStream();
    void insecureTlsSaidOnTheStream();
    void diagnosisBadgeOnTheStream();
    void transportsFromDemoFeed();
    void onlyChangedRowsAreAnnounced();
    void colors_data();
    void colors();
    void agoText_data();
    void agoText();
    void rateText_data();
    void rateText();
};

namespace {

StreamConfig config(const QString &name, const QUrl &url)
{
    StreamConfig c;
    c.name = name;
    c.url = url;
    c.initialDelayMs = 50;
    c.maxDelayMs = 200;
    return c;
}

// Count events, one every intervalMs, then the connection stays open.
SseTestResponse ticking(int count, int intervalMs)
{
    QByteArrayList chunks;
    for (int i = 0; i < count; ++i) {
        chunks.append("event: tick\ndata: {\"n\":" + QByteArray::number(i) + "}\n\n");
    }
    SseTestResponse response = SseTestResponse::stream(chunks, SseTestResponse::End::KeepOpen);
    response.intervalMs = intervalMs;
    return response;
}

QString text(const StreamListModel &model, int row, int role)
{
    return model.index(row).data(role).toString();
}

QStringList names(const StreamListModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row) {
        out.append(text(model, row, Qt::DisplayRole));
    }
    return out;
}

// A model that follows quickly, as a test wants.
void speedUp(StreamListModel &model)
{
    model.setCoalesceInterval(10);
    model.setTickInterval(50);
}

} // namespace

void TestStreamListModel::diagnosisBadgeOnTheStream()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) {
        SseTestResponse response
            = SseTestResponse::stream({"data: 1\n\n"}, SseTestResponse::End::KeepOpen);
        response.headers.append(qMakePair(QByteArray("Server"), QByteArray("nginx/1.22.1")));
        return response;
    });
    QVERIFY(server.listen());
    StreamSet streams;
    const int id = streams.add(config(QStringLiteral("proxied"), server.url(QStringLiteral("/e"))));
    StreamListModel model(&streams);
    QCOMPARE(
        model.index(0).data(StreamListModel::DiagnosisTitlesRole).toStringList(), QStringList());
    streams.stream(id)->connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(
        model.index(0).data(StreamListModel::DiagnosisTitlesRole).toStringList(),
        QStringList{QStringLiteral("A proxy may buffer the stream")}, 10000);
    QVERIFY(model.index(0)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Diagnosis: A proxy may buffer the stream")));
}

void TestStreamListModel::rowsFollowTheSet()
{
    StreamSet streams;
    const QUrl url(QStringLiteral("http://127.0.0.1:9/x"));
    const int a = streams.add(config(QStringLiteral("a"), url));
    streams.add(config(QStringLiteral("b"), QUrl(QStringLiteral("ws://127.0.0.1:9/ws"))));

    StreamListModel model(&streams);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(names(model), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(text(model, 0, StreamListModel::TransportRole), QStringLiteral("SSE"));
    QCOMPARE(text(model, 1, StreamListModel::TransportRole), QStringLiteral("WS"));
    QCOMPARE(text(model, 0, StreamListModel::HealthStateNameRole),
        healthStateName(HealthState::Disconnected));
    QCOMPARE(model.index(0).data(StreamListModel::StreamIdRole).toInt(), a);

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    const int c = streams.add(config(QStringLiteral("c"), url));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(
        names(model), (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
    QCOMPARE(model.rowOf(c), 2);
    QCOMPARE(model.streamIdAt(2), c);

    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    streams.remove(a);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 0);
    QCOMPARE(names(model), (QStringList{QStringLiteral("b"), QStringLiteral("c")}));
    QCOMPARE(model.rowOf(a), -1);

    streams.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestStreamListModel::healthAsServerGoesAwayAndBack()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(100000, 10); });
    QVERIFY(server.listen());
    const quint16 port = server.port();

    StreamSet streams;
    StreamListModel model(&streams);
    speedUp(model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const int id
        = streams.add(config(QStringLiteral("ticks"), server.url(QStringLiteral("/ticks"))));
    const auto tip = [&model] { return text(model, 0, Qt::ToolTipRole); };
    QVERIFY2(!tip().contains(QStringLiteral("HTTP/")), qPrintable(tip())); // not known yet
    streams.stream(id)->connectToServer();

    const auto state = [&model] { return text(model, 0, StreamListModel::HealthStateNameRole); };
    const auto color = [&model] { return model.index(0).data(Qt::DecorationRole).value<QColor>(); };
    QTRY_COMPARE(state(), healthStateName(HealthState::Open));
    QCOMPARE(color(), StreamListModel::healthColor(HealthState::Open));
    QTRY_VERIFY(model.index(0).data(StreamListModel::EventsPerSecondRole).toDouble() > 0);
    QTRY_VERIFY(!text(model, 0, StreamListModel::LastEventAgoRole).isEmpty());
    QVERIFY(text(model, 0, StreamListModel::StatusTextRole).contains(QStringLiteral("/s")));
    QCOMPARE(text(model, 0, StreamListModel::ReconnectCountdownRole), QString());
    // The test server speaks HTTP/1.1 only; the tooltip says what the stream runs over.
    QTRY_COMPARE(tip().split(QLatin1Char('\n')).value(1), QStringLiteral("SSE over HTTP/1.1"));

    server.stop();
    QTRY_COMPARE(state(), healthStateName(HealthState::Reconnecting));
    QCOMPARE(color(), StreamListModel::healthColor(HealthState::Reconnecting));
    QVERIFY2(
        text(model, 0, StreamListModel::ReconnectCountdownRole).contains(QStringLiteral("attempt")),
        qPrintable(text(model, 0, StreamListModel::ReconnectCountdownRole)));
    QVERIFY(text(model, 0, StreamListModel::StatusTextRole)
                .startsWith(healthStateName(HealthState::Reconnecting)));

    QVERIFY(server.listen(port));
    QTRY_COMPARE(state(), healthStateName(HealthState::Open));
    QCOMPARE(color(), StreamListModel::healthColor(HealthState::Open));
    QCOMPARE(text(model, 0, StreamListModel::ReconnectCountdownRole), QString());
}

void TestStreamListModel::staleWhenSilent()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(10, 50); });
    QVERIFY(server.listen());
    StreamSet streams;
    StreamListModel model(&streams);
    speedUp(model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const int id = streams.add(config(QStringLiteral("quiet"), server.url()));
    streams.stream(id)->connectToServer();
    QTRY_COMPARE(
        text(model, 0, StreamListModel::HealthStateNameRole), healthStateName(HealthState::Open));
    QTRY_COMPARE_WITH_TIMEOUT(text(model, 0, StreamListModel::HealthStateNameRole),
        healthStateName(HealthState::Stale), 5000);
    QCOMPARE(model.index(0).data(Qt::DecorationRole).value<QColor>(),
        StreamListModel::healthColor(HealthState::Stale));
    QVERIFY(text(model, 0, StreamListModel::LastEventAgoRole).endsWith(QStringLiteral("s ago")));
}

void TestStreamListModel::failedShowsTheReason()
{
    SseTestServer server;
    server.setHandler(
        [](const SseTestRequest &, int) { return SseTestResponse::error(401, "Unauthorized"); });
    QVERIFY(server.listen());
    StreamSet streams;
    StreamListModel model(&streams);
    speedUp(model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const int id = streams.add(config(QStringLiteral("secret"), server.url()));
    streams.stream(id)->connectToServer();
    QTRY_COMPARE(
        text(model, 0, StreamListModel::HealthStateNameRole), healthStateName(HealthState::Failed));
    QCOMPARE(model.index(0).data(Qt::DecorationRole).value<QColor>(),
        StreamListModel::healthColor(HealthState::Failed));
    QVERIFY2(text(model, 0, StreamListModel::StatusTextRole).contains(QStringLiteral("401")),
        qPrintable(text(model, 0, StreamListModel::StatusTextRole)));
    QVERIFY(text(model, 0, Qt::ToolTipRole).contains(QStringLiteral("401")));

    streams.stream(id)->disconnectFromServer();
    QTRY_COMPARE(text(model, 0, StreamListModel::HealthStateNameRole),
        healthStateName(HealthState::Disconnected));
}

// Ignoring certificate errors is the user's choice, but never a quiet one.
// A one-shot LLM stream that got its whole answer says so, not "disconnected".
void TestStreamListModel::completeAnswerSaidOnTheStream()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) {
        SseTestResponse response = SseTestResponse::stream(
            {R"(data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":)"
             R"({"content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,)"
             R"("completion_tokens":1}})"
             "\n\ndata: [DONE]\n\n"});
        response.chunked = true;
        return response;
    });
    QVERIFY(server.listen());
    StreamSet streams;
    StreamListModel model(&streams);
    speedUp(model);
    StreamConfig answer = config(QStringLiteral("assistant"), server.url());
    answer.method = "POST";
    answer.body = R"({"stream":true})";
    const int id = streams.add(answer);
    streams.stream(id)->connectToServer();
    QTRY_COMPARE(text(model, 0, StreamListModel::HealthStateNameRole),
        healthStateName(HealthState::Disconnected));
    QTRY_VERIFY2(text(model, 0, StreamListModel::StatusTextRole)
                     .startsWith(QStringLiteral("complete · 1 token in ")),
        qPrintable(text(model, 0, StreamListModel::StatusTextRole)));
}

void TestStreamListModel::insecureTlsSaidOnTheStream()
{
    QTcpServer closed; // a free port, then nothing listening on it
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    QUrl url = QUrl(QStringLiteral("https://127.0.0.1/events"));
    url.setPort(closed.serverPort());
    closed.close();
    StreamSet streams;
    StreamListModel model(&streams);
    speedUp(model);
    StreamConfig insecure = config(QStringLiteral("insecure"), url);
    insecure.ignoreCertificateErrors = true;
    const int id = streams.add(insecure);
    const int checked = streams.add(config(QStringLiteral("checked"), url));
    streams.stream(id)->connectToServer();
    streams.stream(checked)->connectToServer();
    QTRY_VERIFY(
        text(model, 0, StreamListModel::StatusTextRole).startsWith(QStringLiteral("insecure TLS")));
    QVERIFY(text(model, 0, Qt::ToolTipRole).contains(QStringLiteral("certificate")));
    QTRY_VERIFY(text(model, 1, StreamListModel::HealthStateNameRole)
        != healthStateName(HealthState::Disconnected));
    QVERIFY(!text(model, 1, StreamListModel::StatusTextRole).contains(QStringLiteral("insecure")));
}

void TestStreamListModel::transportsFromDemoFeed()
{
    DemoFeed demo;
    DemoFeedSettings settings;
    settings.metricsIntervalMs = 50;
    QVERIFY(demo.listen(0, settings));
    StreamSet streams;
    StreamListModel model(&streams);
    speedUp(model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const int sse
        = streams.add(config(QStringLiteral("metrics"), demo.url(QStringLiteral("/metrics"))));
    const int ws = streams.add(config(
        QStringLiteral("ws metrics"), demo.url(QStringLiteral("/ws"), QStringLiteral("ws"))));
    streams.stream(sse)->connectToServer();
    streams.stream(ws)->connectToServer();
    QCOMPARE(text(model, 0, StreamListModel::TransportRole), QStringLiteral("SSE"));
    QCOMPARE(text(model, 1, StreamListModel::TransportRole), QStringLiteral("WS"));
    for (int row = 0; row < 2; ++row) {
        QTRY_COMPARE(text(model, row, StreamListModel::HealthStateNameRole),
            healthStateName(HealthState::Open));
        QTRY_VERIFY(model.index(row).data(StreamListModel::EventsPerSecondRole).toDouble() > 0);
    }
    QVERIFY2(text(model, 0, Qt::ToolTipRole).contains(QStringLiteral("\nSSE over HTTP/1.1")),
        qPrintable(text(model, 0, Qt::ToolTipRole)));
    // A WebSocket has no HTTP version to tell once upgraded.
    QVERIFY2(!text(model, 1, Qt::ToolTipRole).contains(QStringLiteral("HTTP/")),
        qPrintable(text(model, 1, Qt::ToolTipRole)));
}

void TestStreamListModel::onlyChangedRowsAreAnnounced()
{
    StreamSet streams;
    const QUrl url(QStringLiteral("http://127.0.0.1:9/x"));
    streams.add(config(QStringLiteral("a"), url));
    const int b = streams.add(config(QStringLiteral("b"), url));
    streams.add(config(QStringLiteral("c"), url));
    StreamListModel model(&streams);
    model.setClock([] { return qint64(1'700'000'000'000); });
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.refresh();
    QCOMPARE(changed.size(), 0); // the tick finds nothing new: no signal

    StreamConfig renamed = streams.stream(b)->config();
    renamed.name = QStringLiteral("b2");
    streams.stream(b)->setConfig(renamed);
    model.refresh();
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
    QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 1);
    QCOMPARE(text(model, 1, Qt::DisplayRole), QStringLiteral("b2"));
}

void TestStreamListModel::colors_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<int>("hueFrom");
    QTest::addColumn<int>("hueTo"); // -1: any
    QTest::newRow("open: green") << int(HealthState::Open) << 90 << 150;
    QTest::newRow("stale") << int(HealthState::Stale) << -1 << -1;
    QTest::newRow("connecting") << int(HealthState::Connecting) << -1 << -1;
    QTest::newRow("reconnecting") << int(HealthState::Reconnecting) << -1 << -1;
    QTest::newRow("failed: red") << int(HealthState::Failed) << 0 << 10;
    QTest::newRow("disconnected: grey") << int(HealthState::Disconnected) << -1 << -1;
}

void TestStreamListModel::colors()
{
    QFETCH(int, state);
    QFETCH(int, hueFrom);
    QFETCH(int, hueTo);
    // One set of colours in the whole window: the model's are healthcolors.h's.
    const QColor color = StreamListModel::healthColor(HealthState(state));
    QCOMPARE(color, healthColor(HealthState(state), QGuiApplication::palette()));
    if (HealthState(state) == HealthState::Disconnected) {
        QVERIFY(color.hsvSaturation() < 60);
    } else {
        QVERIFY(color.hsvSaturation() > 100);
    }
    if (hueFrom >= 0) {
        QVERIFY2(color.hsvHue() >= hueFrom && color.hsvHue() <= hueTo,
            qPrintable(QString::number(color.hsvHue())));
    }
    // Each state its own colour.
    for (int other = 0; other <= int(HealthState::Failed); ++other) {
        if (other != state) {
            QVERIFY(StreamListModel::healthColor(HealthState(other)) != color);
        }
    }
}

void TestStreamListModel::agoText_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("now") << qint64(400) << QStringLiteral("just now");
    QTest::newRow("clock skew") << qint64(-5000) << QStringLiteral("just now");
    QTest::newRow("seconds") << qint64(3900) << QStringLiteral("3 s ago");
    QTest::newRow("minutes") << qint64(125000) << QStringLiteral("2 min ago");
    QTest::newRow("hours") << qint64(2 * 3600 * 1000 + 5) << QStringLiteral("2 h ago");
    QTest::newRow("days") << qint64(3 * 86400 * 1000LL) << QStringLiteral("3 d ago");
}

void TestStreamListModel::agoText()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(StreamListModel::agoText(ms), text);
}

void TestStreamListModel::rateText_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << 0.0 << QStringLiteral("0/s");
    QTest::newRow("NaN") << qQNaN() << QStringLiteral("0/s");
    QTest::newRow("slow") << 0.34 << QStringLiteral("0.3/s");
    QTest::newRow("single digits") << 4.56 << QStringLiteral("4.6/s");
    QTest::newRow("fast") << 12345.6 << QStringLiteral("12346/s");
}

void TestStreamListModel::rateText()
{
    QFETCH(double, rate);
    QFETCH(QString, text);
    QCOMPARE(StreamListModel::rateText(rate), text);
}

QTEST_MAIN(TestStreamListModel)
#include "tst_streamlistmodel.moc"
