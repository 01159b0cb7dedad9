// SPDX-License-Identifier: GPL-3.0-or-later
#include "charts/chartpanel.h"
#include "demofeed.h"
#include "demoworkspace.h"
#include "detailpane.h"
#include "eventlogfilter.h"
#include "eventlogmodel.h"
#include "healthpanel.h"
#include "logpane.h"
#include "mainwindow.h"
#include "mosquittobroker.h"
#include "nodesocketioserver.h"
#include "nodewsserver.h"
#include "ssetestserver.h"
#include "streamdialog.h"
#include "tokenview.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace streamscope;

namespace {

// An endless-enough SSE feed: count "tick" events (with every fifth a "tock"), one per interval.
SseTestResponse tickFeed(int count, int intervalMs)
{
    QByteArrayList chunks;
    for (int i = 1; i <= count; ++i) {
        const QByteArray type = i % 5 == 0 ? "tock" : "tick";
        chunks.append("id: " + QByteArray::number(i) + "\nevent: " + type + "\ndata: {\"n\":"
            + QByteArray::number(i) + ",\"host\":\"web-" + QByteArray::number(i % 3) + "\"}\n\n");
    }
    SseTestResponse response = SseTestResponse::stream(chunks, SseTestResponse::End::KeepOpen);
    response.intervalMs = intervalMs;
    return response;
}

StreamConfig sseConfig(const QString &name, const QUrl &url)
{
    StreamConfig config;
    config.name = name;
    config.url = url;
    config.initialDelayMs = 300;
    config.maxDelayMs = 600;
    return config;
}

int rowsOfKind(const EventLogModel &model, StreamEvent::Kind kind, const QByteArray &type = {})
{
    int count = 0;
    for (int row = 0; row < model.rowCount(); ++row) {
        const StreamEvent &event = model.eventAt(row);
        if (event.kind == kind && (type.isEmpty() || event.type == type)) {
            ++count;
        }
    }
    return count;
}

QString healthStateShown(const MainWindow &window)
{
    return window.healthPanel()->findChild<QLabel *>(QStringLiteral("healthState"))->text();
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void addStreamThroughDialogAndFilter();
    void regexErrorShownInline();
    void healthFollowsTheServer();
    void silentServerTurnsStale();
    void healthShowsWebSocketExtensions();
    void exportReadsBack_data();
    void exportReadsBack();
    void saveAndReloadWorkspace();
    void malformedWorkspaceLoadsValidParts();
    void followModeAndJumpToLatest();
    void detailPaneShowsSelectedRow();
    void demoStreamsAndWebSocketSendBox();
    void demoShowsLiveChartsAndSavesThem();
    void socketIoAndMqttFieldsPlotThroughRestarts();
    void demoAssistantShowsItsAnswer();
    void streamMenuPausesAndCopiesTheCommand();
};

void TestMainWindow::initTestCase()
{
    // Recent files and the last workspace go to a test location, never the user's settings.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("StreamscopeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QSettings().clear();
}

void TestMainWindow::addStreamThroughDialogAndFilter()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return tickFeed(400, 10); });
    QVERIFY(server.listen());

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.findChild<QAction *>(QStringLiteral("addAction"))->trigger();
    auto *dialog = window.findChild<StreamDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("name"));
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("ticks"));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("url")),
        server.url(QStringLiteral("/ticks")).toString());
    auto *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY2(ok->isEnabled(), qPrintable(dialog->problems().join(u'\n')));
    QTest::mouseClick(ok, Qt::LeftButton);

    QCOMPARE(window.streams()->count(), 1);
    QVERIFY(window.isModified());
    EventLogModel *log = window.logModel();
    QTRY_VERIFY_WITH_TIMEOUT(rowsOfKind(*log, StreamEvent::Kind::Event) >= 30, 10000);
    QVERIFY(rowsOfKind(*log, StreamEvent::Kind::Lifecycle, "open") >= 1);
    QCOMPARE(log->streamName(window.selectedStreamId()), QStringLiteral("ticks"));

    // Filter by type while events keep arriving: only "tock" rows remain, and more come.
    auto *type = window.findChild<QLineEdit *>(QStringLiteral("typeFilter"));
    QTest::keyClicks(type, QStringLiteral("tock"));
    EventLogFilter *filter = window.logFilter();
    const int tocks = filter->rowCount();
    QVERIFY(tocks > 0);
    QVERIFY(tocks < log->rowCount());
    QTRY_VERIFY(filter->rowCount() > tocks);
    for (int row = 0; row < filter->rowCount(); ++row) {
        QCOMPARE(filter->index(row, EventLogModel::TypeColumn).data().toString(),
            QStringLiteral("tock"));
    }
    // And by kind: lifecycle rows only.
    type->clear();
    auto *kind = window.findChild<QComboBox *>(QStringLiteral("kindFilter"));
    kind->setCurrentIndex(kind->findData(int(StreamEvent::Kind::Lifecycle)));
    QVERIFY(filter->rowCount() >= 1);
    QVERIFY(filter->rowCount() < 5);
    window.setModified(false);
}

void TestMainWindow::regexErrorShownInline()
{
    MainWindow window;
    window.show();
    auto *text = window.findChild<QLineEdit *>(QStringLiteral("textFilter"));
    auto *regex = window.findChild<QCheckBox *>(QStringLiteral("regexBox"));
    auto *error = window.findChild<QLabel *>(QStringLiteral("textError"));
    window.findChild<QAction *>(QStringLiteral("findAction"))->trigger();
    QTRY_VERIFY(text->hasFocus());
    QVERIFY(!window.isModified());
    QTest::keyClicks(text, QStringLiteral("web-(1"));
    QVERIFY(window.isModified()); // filters are part of the workspace
    QVERIFY(!error->isVisible()); // a substring: no error
    regex->setChecked(true);
    QVERIFY(error->isVisible());
    QVERIFY(!error->text().isEmpty());
    QTest::keyClicks(text, QStringLiteral(")"));
    QVERIFY(!error->isVisible());
    window.setModified(false);
}

void TestMainWindow::healthFollowsTheServer()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return tickFeed(100000, 20); });
    QVERIFY(server.listen());
    const quint16 port = server.port();

    MainWindow window;
    window.show();
    const int id = window.addStream(sseConfig(QStringLiteral("flaky"), server.url()));
    QCOMPARE(window.selectedStreamId(), id);
    QTRY_COMPARE_WITH_TIMEOUT(healthStateShown(window), QStringLiteral("open"), 10000);

    server.stop();
    QTRY_COMPARE_WITH_TIMEOUT(healthStateShown(window), QStringLiteral("reconnecting"), 10000);
    auto *next = window.healthPanel()->findChild<QLabel *>(QStringLiteral("healthNextAttempt"));
    QVERIFY2(next->text().contains(QStringLiteral("attempt")), qPrintable(next->text()));
    // The timeline tells the story too, and no dialog opened.
    QTRY_VERIFY(rowsOfKind(*window.logModel(), StreamEvent::Kind::Lifecycle, "reconnecting") >= 1);
    QVERIFY(!QApplication::activeModalWidget());

    QVERIFY(server.listen(port));
    QTRY_COMPARE_WITH_TIMEOUT(healthStateShown(window), QStringLiteral("open"), 10000);
    auto *reconnects
        = window.healthPanel()->findChild<QLabel *>(QStringLiteral("healthReconnects"));
    QTRY_VERIFY(reconnects->text().toInt() >= 1);
    window.setModified(false);
}

void TestMainWindow::silentServerTurnsStale()
{
    SseTestServer server;
    // A quick burst sets the pace, then silence with the connection left open.
    server.setHandler([](const SseTestRequest &, int) { return tickFeed(20, 10); });
    QVERIFY(server.listen());

    MainWindow window;
    window.show();
    window.addStream(sseConfig(QStringLiteral("quiet"), server.url()));
    QTRY_COMPARE_WITH_TIMEOUT(healthStateShown(window), QStringLiteral("open"), 10000);
    // Stale after StaleFactor times the usual gap, at least MinStaleMs.
    QTRY_COMPARE_WITH_TIMEOUT(
        healthStateShown(window), QStringLiteral("stale"), HealthTracker::MinStaleMs + 3000);
    window.setModified(false);
}

void TestMainWindow::healthShowsWebSocketExtensions()
{
    NodeWsServer server({QStringLiteral("--deflate")});
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    SseTestServer sse;
    sse.setHandler([](const SseTestRequest &, int) { return tickFeed(100000, 50); });
    QVERIFY(sse.listen());

    MainWindow window;
    window.show();
    const int sseId = window.addStream(sseConfig(QStringLiteral("events"), sse.url()));
    StreamConfig ws = sseConfig(QStringLiteral("socket"), server.url());
    const int wsId = window.addStream(ws);
    auto *extensions
        = window.healthPanel()->findChild<QLabel *>(QStringLiteral("healthExtensions"));
    QVERIFY(extensions);
    const auto openRows = [&window](const QByteArray &data) {
        int count = 0;
        for (int row = 0; row < window.logModel()->rowCount(); ++row) {
            const StreamEvent &event = window.logModel()->eventAt(row);
            count += event.kind == StreamEvent::Kind::Lifecycle && event.type == "open"
                    && event.data == data
                ? 1
                : 0;
        }
        return count;
    };

    window.selectStream(wsId);
    QTRY_COMPARE_WITH_TIMEOUT(healthStateShown(window), QStringLiteral("open"), 10000);
    QTRY_COMPARE(extensions->text(), QStringLiteral("permessage-deflate"));
    QVERIFY(extensions->isVisibleTo(&window));
    QTRY_COMPARE(openRows("open (permessage-deflate)"), 1);

    // Switched off in its settings: it reconnects without, and says so.
    ws.compression = false;
    window.streams()->stream(wsId)->setConfig(ws);
    QTRY_COMPARE_WITH_TIMEOUT(openRows("open"), 1, 10000);
    QTRY_COMPARE(extensions->text(), QStringLiteral("none"));
    QVERIFY(extensions->isVisibleTo(&window));

    // SSE has no extensions: no row for them.
    window.selectStream(sseId);
    QTRY_COMPARE_WITH_TIMEOUT(healthStateShown(window), QStringLiteral("open"), 10000);
    QVERIFY(!extensions->isVisibleTo(&window));
    window.setModified(false);
}

void TestMainWindow::exportReadsBack_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::newRow("NDJSON") << "events.ndjson";
    QTest::newRow("CSV") << "events.csv";
}

void TestMainWindow::exportReadsBack()
{
    QFETCH(QString, fileName);
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return tickFeed(60, 0); });
    QVERIFY(server.listen());
    MainWindow window;
    window.addStream(sseConfig(QStringLiteral("export me"), server.url()));
    QTRY_VERIFY_WITH_TIMEOUT(rowsOfKind(*window.logModel(), StreamEvent::Kind::Event) == 60, 10000);
    QTest::keyClicks(
        window.findChild<QLineEdit *>(QStringLiteral("typeFilter")), QStringLiteral("tock"));
    QCOMPARE(window.logFilter()->rowCount(), 12);

    QTemporaryDir dir;
    const QString path = dir.filePath(fileName);
    QString error;
    QVERIFY2(window.exportLog(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QList<QByteArray> lines = file.readAll().split('\n');
    while (!lines.isEmpty() && lines.constLast().isEmpty()) {
        lines.removeLast();
    }
    if (fileName.endsWith(QStringLiteral(".csv"))) {
        QCOMPARE(lines.size(), 13); // the header and the filtered rows
        QVERIFY(lines.constFirst().startsWith("time_ms,stream,kind,type"));
        QVERIFY(lines.at(1).contains("export me"));
        QVERIFY(lines.at(1).contains("tock"));
    } else {
        QCOMPARE(lines.size(), 12);
        for (const QByteArray &line : lines) {
            const QJsonObject record = QJsonDocument::fromJson(line).object();
            QCOMPARE(record.value(QStringLiteral("kind")).toString(), QStringLiteral("event"));
            QCOMPARE(record.value(QStringLiteral("type")).toString(), QStringLiteral("tock"));
        }
    }
    window.setModified(false);
}

void TestMainWindow::saveAndReloadWorkspace()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("work.json"));
    {
        MainWindow window;
        StreamConfig sse
            = sseConfig(QStringLiteral("alpha"), QUrl(QStringLiteral("http://127.0.0.1:1/a")));
        sse.headers = {{"Authorization", "Bearer ${env:TOKEN}"}};
        window.addStream(sse, false);
        StreamConfig ws;
        ws.name = QStringLiteral("beta");
        ws.url = QUrl(QStringLiteral("ws://127.0.0.1:1/b"));
        ws.subprotocols = {QStringLiteral("v1")};
        window.addStream(ws, false);
        QTest::keyClicks(
            window.findChild<QLineEdit *>(QStringLiteral("textFilter")), QStringLiteral("cpu"));
        QVERIFY(window.isModified());
        QVERIFY(window.saveWorkspace(path));
        QVERIFY(!window.isModified());
        QCOMPARE(window.recentFiles().value(0), QFileInfo(path).absoluteFilePath());
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray json = file.readAll();
    QVERIFY(json.contains("${env:TOKEN}")); // the reference is saved, never a secret
    QVERIFY(json.contains("\"layout\""));

    MainWindow window;
    QVERIFY(window.reopenLastWorkspace()); // what the app does on start
    QCOMPARE(window.workspacePath(), QFileInfo(path).absoluteFilePath());
    QCOMPARE(window.streams()->count(), 2);
    const QList<int> ids = window.streams()->ids();
    QCOMPARE(window.streams()->stream(ids.at(0))->config().name, QStringLiteral("alpha"));
    QCOMPARE(window.streams()->stream(ids.at(0))->config().headers.value(0).second,
        QByteArray("Bearer ${env:TOKEN}"));
    QCOMPARE(window.streams()->stream(ids.at(1))->config().subprotocols,
        QStringList{QStringLiteral("v1")});
    QCOMPARE(
        window.findChild<QLineEdit *>(QStringLiteral("textFilter"))->text(), QStringLiteral("cpu"));
    QCOMPARE(window.logFilter()->textFilter(), QStringLiteral("cpu"));
    QVERIFY(!window.isModified());
    QVERIFY(window.problemText().isEmpty());
    window.setModified(false);
}

void TestMainWindow::malformedWorkspaceLoadsValidParts()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"version": 1, "streams": [
        {"name": "good", "url": "http://127.0.0.1:1/x"},
        {"name": "bad", "url": "gopher://x"}
    ]})");
    file.close();

    MainWindow window;
    window.show();
    QVERIFY(window.openWorkspace(path));
    QCOMPARE(window.streams()->count(), 1);
    const QString problem = window.problemText();
    QVERIFY2(problem.contains(QStringLiteral("streams[1]")), qPrintable(problem));
    QVERIFY(!QApplication::activeModalWidget());

    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("this is not json");
    file.close();
    QVERIFY(!window.openWorkspace(path));
    QVERIFY(!window.problemText().isEmpty());
    QCOMPARE(window.streams()->count(), 1); // the open workspace stays
    window.setModified(false);
}

void TestMainWindow::followModeAndJumpToLatest()
{
    MainWindow window;
    window.resize(1000, 600);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    EventLogModel *log = window.logModel();
    const auto addRows = [log](int count) {
        for (int i = 0; i < count; ++i) {
            StreamEvent event;
            event.streamId = 1;
            event.arrivalMs = QDateTime::currentMSecsSinceEpoch();
            event.type = "tick";
            event.data = "{\"n\":" + QByteArray::number(i) + "}";
            log->append(event);
        }
        log->flush();
    };
    QScrollBar *bar = window.logView()->verticalScrollBar();
    addRows(500);
    QTRY_VERIFY(bar->maximum() > 0);
    QVERIFY(window.logPane()->isFollowing());
    QTRY_COMPARE(bar->value(), bar->maximum());

    // The user scrolls up: following stops, a way back appears, nothing is dropped.
    bar->setValue(bar->maximum() / 2);
    QVERIFY(!window.logPane()->isFollowing());
    auto *jump = window.findChild<QPushButton *>(QStringLiteral("jumpButton"));
    QVERIFY(jump->isVisible());
    const int held = bar->value();
    addRows(40);
    QCOMPARE(log->rowCount(), 540);
    QCOMPARE(window.logPane()->newRowsWhileNotFollowing(), 40);
    QVERIFY2(jump->text().contains(QStringLiteral("40 new")), qPrintable(jump->text()));
    QCOMPARE(bar->value(), held);

    QTest::mouseClick(jump, Qt::LeftButton);
    QVERIFY(window.logPane()->isFollowing());
    QVERIFY(!jump->isVisible());
    QTRY_COMPARE(bar->value(), bar->maximum());
    addRows(40);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(window.logPane()->isFollowing());

    // At the bound the oldest rows go; the row being read stays where it is on screen.
    log->setCapacity(600);
    bar->setValue(bar->maximum() / 2);
    QVERIFY(!window.logPane()->isFollowing());
    const QModelIndex topBefore = window.logView()->indexAt(QPoint(2, 2));
    QVERIFY(topBefore.isValid());
    const QString readBefore
        = topBefore.siblingAtColumn(EventLogModel::DataColumn).data().toString();
    addRows(60); // 580 + 60 rows into 600: the oldest 40 go
    QCOMPARE(log->rowCount(), 600);
    const QModelIndex topAfter = window.logView()->indexAt(QPoint(2, 2));
    QCOMPARE(topAfter.siblingAtColumn(EventLogModel::DataColumn).data().toString(), readBefore);
    QCOMPARE(topAfter.row(), topBefore.row() - 40);
    QVERIFY(!window.logPane()->isFollowing());
    window.logPane()->setFollowing(true);

    // Space in the log pauses following too, and again resumes it.
    window.logView()->setFocus();
    QTRY_VERIFY(window.logView()->hasFocus());
    QTest::keyClick(window.logView(), Qt::Key_Space);
    QVERIFY(!window.logPane()->isFollowing());
    QTest::keyClick(window.logView(), Qt::Key_Space);
    QVERIFY(window.logPane()->isFollowing());
}

void TestMainWindow::detailPaneShowsSelectedRow()
{
    MainWindow window;
    window.show();
    StreamConfig config
        = sseConfig(QStringLiteral("secret"), QUrl(QStringLiteral("http://127.0.0.1:1/")));
    config.headers = {{"Authorization", "Bearer hunter2"}, {"X-Team", "blue"}};
    const int id = window.addStream(config, false);
    StreamEvent event;
    event.streamId = id;
    event.type = "metrics";
    event.id = "7";
    event.data = R"({"cpu":1.5,"host":"web-1"})";
    window.logModel()->append(event);
    window.logModel()->flush();
    window.logView()->setCurrentIndex(window.logFilter()->index(0, 0));

    const QString payload = window.detailPane()->text();
    QVERIFY2(payload.contains(QStringLiteral("\n    \"cpu\": 1.5")), qPrintable(payload));
    const QString headers
        = window.detailPane()->findChild<QLabel *>(QStringLiteral("detailHeaders"))->text();
    QVERIFY(headers.contains(QStringLiteral("X-Team: blue")));
    QVERIFY(!headers.contains(QStringLiteral("hunter2")));
    QVERIFY(headers.contains(QStringLiteral("Authorization: Bearer ") + QString(3, QChar(0x2022))));
    const auto *details = window.detailPane()->findChild<QLabel *>(QStringLiteral("detailDetails"));
    QVERIFY(details->isHidden()); // an SSE event has nothing its columns do not show

    // An MQTT 5 message's QoS and user properties are not columns: the pane shows them.
    event.details = "QoS: 1\nUser property: unit = celsius";
    window.logModel()->append(event);
    window.logModel()->flush();
    window.logView()->setCurrentIndex(window.logFilter()->index(1, 0));
    QCOMPARE(details->text(), QStringLiteral("QoS: 1\nUser property: unit = celsius"));
    QVERIFY(!details->isHidden());
    QCOMPARE(DetailPane::hexDump("AB\x01").left(18), QStringLiteral("00000000  41 42 01"));
    window.setModified(false);
}

void TestMainWindow::demoStreamsAndWebSocketSendBox()
{
    DemoFeed demo;
    QVERIFY(demo.listen());
    MainWindow window;
    window.setDemoSource([&demo](QString *) {
        Workspace workspace = demoWorkspace(demo);
        workspace.streams.removeAt(3); // the assistant: not needed here
        workspace.streams.removeAt(1); // the logs stream: neither
        workspace.charts = {};
        return workspace;
    });
    window.show();
    window.findChild<QAction *>(QStringLiteral("demoAction"))->trigger();
    QCOMPARE(window.streams()->count(), 2);
    QVERIFY(!window.isModified());
    const QList<int> ids = window.streams()->ids();
    for (const int id : ids) {
        QTRY_COMPARE_WITH_TIMEOUT(
            window.streams()->stream(id)->health().state, HealthState::Open, 10000);
    }

    auto *sendBox = window.healthPanel()->findChild<QWidget *>(QStringLiteral("sendBox"));
    window.selectStream(ids.at(0));
    QVERIFY(!sendBox->isVisibleTo(&window)); // SSE: nothing to send
    window.selectStream(ids.at(1));
    QVERIFY(sendBox->isVisibleTo(&window));

    auto *input = sendBox->findChild<QComboBox *>(QStringLiteral("sendInput"));
    auto *mode = sendBox->findChild<QComboBox *>(QStringLiteral("sendMode"));
    auto *send = sendBox->findChild<QPushButton *>(QStringLiteral("sendButton"));
    auto *error = sendBox->findChild<QLabel *>(QStringLiteral("sendError"));
    mode->setCurrentIndex(1); // JSON
    QTest::keyClicks(input, QStringLiteral("{\"subscribe\": "));
    QTest::mouseClick(send, Qt::LeftButton);
    QVERIFY(error->isVisible()); // not JSON yet: refused, shown, nothing sent
    QCOMPARE(rowsOfKind(*window.logModel(), StreamEvent::Kind::Sent), 0);
    QTest::keyClicks(input, QStringLiteral("\"metrics\"}"));
    QTest::mouseClick(send, Qt::LeftButton);
    QVERIFY(!error->isVisible());
    QTRY_COMPARE(rowsOfKind(*window.logModel(), StreamEvent::Kind::Sent), 1);
    QCOMPARE(input->count(), 1); // the history keeps what was typed
    QCOMPARE(input->itemText(0), QStringLiteral("{\"subscribe\": \"metrics\"}"));
    QVERIFY(input->currentText().isEmpty());
    window.setModified(false);
}

// The first launch's promise: numbers moving on charts with no setup, kept by a save.
void TestMainWindow::demoShowsLiveChartsAndSavesThem()
{
    DemoFeed::Settings settings;
    settings.metricsIntervalMs = 50;
    DemoFeed demo;
    QVERIFY(demo.listen(0, settings));
    MainWindow window;
    window.setDemoSource([&demo](QString *) { return demoWorkspace(demo); });
    window.show();
    window.openDemo();
    QCOMPARE(window.problemText(), QString());
    ChartPanel *charts = window.chartPanel();
    QCOMPARE(charts->chartCount(), 4);
    QCOMPARE(charts->chartTitle(0), QStringLiteral("CPU %"));
    QCOMPARE(charts->chartSeries(0).size(), 4); // one per demo host
    QTRY_VERIFY_WITH_TIMEOUT(charts->plottedPointCount(0) > 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(charts->plottedPointCount(3) > 0, 10000); // events/s
    QVERIFY(!window.isModified());

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("demo.json"));
    QVERIFY(window.saveWorkspace(path));
    const QList<SeriesKey> cpu = charts->chartSeries(0);
    const ExtractionSettings extraction
        = window.metrics()->settings(window.streams()->ids().constFirst());
    window.newWorkspace();
    QCOMPARE(charts->chartCount(), 0);
    QVERIFY(window.openWorkspace(path));
    QCOMPARE(window.problemText(), QString());
    QCOMPARE(charts->chartCount(), 4);
    QCOMPARE(charts->chartSeries(0).size(), cpu.size());
    for (qsizetype i = 0; i < cpu.size(); ++i) {
        // Stream ids are new after loading; the rest of each key is as saved.
        QCOMPARE(charts->chartSeries(0).at(i).path, cpu.at(i).path);
        QCOMPARE(charts->chartSeries(0).at(i).label, cpu.at(i).label);
        QCOMPARE(charts->chartSeries(0).at(i).streamId, window.streams()->ids().constFirst());
    }
    QCOMPARE(window.metrics()->settings(window.streams()->ids().constFirst()), extraction);
    QTRY_VERIFY_WITH_TIMEOUT(charts->plottedPointCount(0) > 0, 10000);
    window.setModified(false);
}

namespace {

// The first series the stream's events of this type gave a field whose path ends in field.
std::optional<SeriesKey> seriesOf(
    const MetricStore &store, int streamId, const QByteArray &type, const QString &field)
{
    for (const SeriesKey &key : store.keys()) {
        if (key.streamId == streamId && key.eventType == type && key.path.endsWith(field)) {
            return key;
        }
    }
    return std::nullopt;
}

} // namespace

// Socket.IO events and MQTT topics are rows typed by event and topic, so their JSON fields plot
// like any stream's, and keep plotting after each server restarts.
void TestMainWindow::socketIoAndMqttFieldsPlotThroughRestarts()
{
    NodeSocketIoServer socketIo;
    MosquittoBroker broker;
    QString error;
    QVERIFY2(socketIo.waitForListening(&error), qPrintable(error));
    QVERIFY2(broker.waitForListening(&error), qPrintable(error));

    MainWindow window;
    window.show();
    StreamConfig sio;
    sio.name = QStringLiteral("sio");
    sio.url = QUrl(socketIo.url().toString() + QStringLiteral("socket.io/"));
    sio.protocol = StreamConfig::Protocol::SocketIo;
    sio.initialDelayMs = 50;
    const int sioId = window.addStream(sio);
    StreamConfig mqtt;
    mqtt.name = QStringLiteral("plant");
    mqtt.url = QUrl(broker.url().toString() + QStringLiteral("mqtt"));
    mqtt.protocol = StreamConfig::Protocol::Mqtt;
    mqtt.topics = {QStringLiteral("plant/#")};
    mqtt.initialDelayMs = 50;
    const int mqttId = window.addStream(mqtt);
    QTRY_COMPARE_WITH_TIMEOUT(
        window.streams()->stream(mqttId)->health().state, HealthState::Open, 20000);

    // The broker gets a reading every 200 ms from a publisher of our own (mosquitto_pub
    // per message would be one process each).
    int reading = 0;
    QTimer publisher;
    QObject::connect(&publisher, &QTimer::timeout, &publisher, [&] {
        QString ignored;
        broker.publish(QStringLiteral("plant/boiler"),
            QByteArray("{\"bar\":") + QByteArray::number(1 + (++reading % 5)) + '}', false, 0,
            &ignored);
    });
    publisher.start(200);

    QTRY_VERIFY_WITH_TIMEOUT(
        seriesOf(*window.metrics(), sioId, "metrics", QStringLiteral("cpu")), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(
        seriesOf(*window.metrics(), mqttId, "plant/boiler", QStringLiteral("bar")), 20000);
    ChartPanel *charts = window.chartPanel();
    const int chart = charts->addChart(QStringLiteral("Socket.IO and MQTT"));
    QVERIFY(charts->addSeries(
        chart, *seriesOf(*window.metrics(), sioId, "metrics", QStringLiteral("cpu"))));
    QVERIFY(charts->addSeries(
        chart, *seriesOf(*window.metrics(), mqttId, "plant/boiler", QStringLiteral("bar"))));
    QTRY_VERIFY_WITH_TIMEOUT(charts->plottedRunCount(chart) >= 2, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(charts->plottedPointCount(chart) >= 4, 20000);

    QVERIFY2(socketIo.restart(&error), qPrintable(error));
    QVERIFY2(broker.restart(&error), qPrintable(error));
    const qsizetype before = charts->plottedPointCount(chart);
    const auto *sioSeries = window.metrics()->series(
        *seriesOf(*window.metrics(), sioId, "metrics", QStringLiteral("cpu")));
    const auto *mqttSeries = window.metrics()->series(
        *seriesOf(*window.metrics(), mqttId, "plant/boiler", QStringLiteral("bar")));
    const qsizetype sioBefore = sioSeries->size();
    const qsizetype mqttBefore = mqttSeries->size();
    QTRY_VERIFY_WITH_TIMEOUT(sioSeries->size() > sioBefore + 2, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(mqttSeries->size() > mqttBefore + 2, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(charts->plottedPointCount(chart) > before, 20000);
    window.setModified(false);
}

// The demo's assistant stream: selected, its answer shows beside the log, and Ctrl+R asks again.
void TestMainWindow::demoAssistantShowsItsAnswer()
{
    DemoFeed::Settings settings;
    settings.llmPaceFactor = 0.05;
    DemoFeed demo;
    QVERIFY(demo.listen(0, settings));
    MainWindow window;
    window.setDemoSource([&demo](QString *) { return demoWorkspace(demo); });
    window.show();
    window.openDemo();
    int assistant = -1;
    for (const int id : window.streams()->ids()) {
        if (window.streams()->stream(id)->config().name == QLatin1String("assistant")) {
            assistant = id;
        }
    }
    QVERIFY(assistant >= 0);
    Stream *stream = window.streams()->stream(assistant);
    QTRY_VERIFY_WITH_TIMEOUT(!stream->answerRuns().empty()
            && stream->answerRuns().back().outcome() == AnswerRun::Outcome::Complete,
        20000);
    window.selectStream(assistant);
    auto *dock = window.findChild<QDockWidget *>(QStringLiteral("answerDock"));
    QVERIFY(dock->isVisible());
    QCOMPARE(window.healthPanel()->stateText(), QStringLiteral("complete"));
    TokenView *view = window.tokenView();
    QCOMPARE(view->stream(), stream);
    QTRY_COMPARE(view->answerText(), stream->answerRuns().back().answer().answerText());
    QVERIFY2(
        view->figuresText().contains(QLatin1String("Tokens/s: ")), qPrintable(view->figuresText()));

    auto *runAgain = window.findChild<QAction *>(QStringLiteral("reconnectAction"));
    QCOMPARE(runAgain->text(), QStringLiteral("&Run Again"));
    runAgain->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(stream->answerRuns().size() == 2
            && stream->answerRuns().back().outcome() == AnswerRun::Outcome::Complete,
        20000);
    QTRY_COMPARE(view->shownRun(), 1);
    window.selectStream(window.streams()->ids().constFirst()); // metrics: not an answer stream
    QCOMPARE(window.findChild<QAction *>(QStringLiteral("reconnectAction"))->text(),
        QStringLiteral("&Reconnect Now"));
    window.setModified(false);
}

void TestMainWindow::streamMenuPausesAndCopiesTheCommand()
{
    MainWindow window;
    window.show();
    auto *pause = window.findChild<QAction *>(QStringLiteral("pauseAction"));
    auto *copy = window.findChild<QAction *>(QStringLiteral("copyCommandAction"));
    QVERIFY(pause && copy);
    QVERIFY(!pause->isEnabled()); // no stream selected
    const int id = window.addStream(
        sseConfig(QStringLiteral("paused one"), QUrl(QStringLiteral("http://127.0.0.1:1/x"))),
        false);
    Stream *stream = window.streams()->stream(id);
    QVERIFY(pause->isEnabled());

    pause->trigger();
    QVERIFY(stream->isPaused());
    QVERIFY(pause->isChecked());
    pause->trigger();
    QVERIFY(!stream->isPaused());

    QApplication::clipboard()->clear();
    copy->trigger();
    QCOMPARE(QApplication::clipboard()->text(), stream->config().cliCommand());
    QVERIFY(QApplication::clipboard()->text().startsWith(QLatin1String("streamscope-cli sse")));
    window.setModified(false);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
