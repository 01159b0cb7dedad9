// SPDX-License-Identifier: GPL-3.0-or-later
#include "diagnosiscodes.h"
#include "ssetestserver.h"
#include "stream.h"
#include "streamset.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace streamscope;

// What a user sees of the diagnoses on a live stream: findings on the stream, one "diagnosis"
// row when one appears, the response heads of every attempt; against test servers that
// misbehave the way real ones do.
class TestStreamDiagnoses : public QObject
{
    Q_OBJECT

private slots:
    void resumeAudit_data();
    void resumeAudit();
    void auditFollowsAPayloadField();
    void responseHeadsOfEveryAttempt();
    void proxyHeaderIsEvidence();
    void idleTimeoutOnTheWay();
    void reconnectStormIsSaidOnceAndSpread();
};

namespace {

enum class Server {
    Resumes, // honours Last-Event-ID
    Ignores, // starts from 1 on every request
    Skips, // resumes two ids further on
    Repeats, // sends an id again within a connection
    Reorders, // sends two ids swapped
};

// Five events a request, then the connection closes; the fourth request stays open.
SseTestResponse answer(Server server, const SseTestRequest &request, int index)
{
    const int last = request.header("Last-Event-ID").toInt();
    QList<int> ids;
    const int from = server == Server::Ignores ? 1
        : server == Server::Skips && last      ? last + 3
                                               : last + 1;
    for (int i = 0; i < 5; ++i) {
        ids.append(from + i);
    }
    if (server == Server::Repeats && index == 1) {
        ids.insert(3, ids.at(1)); // ..., 7, 8, 9, 7, 10
    }
    if (server == Server::Reorders && index == 1) {
        ids.swapItemsAt(2, 3);
    }
    QByteArray body = "retry: 50\n\n";
    for (const int id : std::as_const(ids)) {
        body += "id: " + QByteArray::number(id) + "\ndata: {\"n\":" + QByteArray::number(id)
            + "}\n\n";
    }
    return SseTestResponse::stream(
        {body}, index >= 3 ? SseTestResponse::End::KeepOpen : SseTestResponse::End::Close);
}

StreamConfig sseConfig(const QUrl &url)
{
    StreamConfig config;
    config.name = QStringLiteral("audited");
    config.url = url;
    config.initialDelayMs = 50;
    config.maxDelayMs = 200;
    return config;
}

QStringList diagnosisRows(const QList<StreamEvent> &rows)
{
    QStringList texts;
    for (const StreamEvent &row : rows) {
        if (row.kind == StreamEvent::Kind::Lifecycle && row.type == "diagnosis") {
            texts.append(QString::fromUtf8(row.data));
        }
    }
    return texts;
}

} // namespace

void TestStreamDiagnoses::resumeAudit_data()
{
    QTest::addColumn<Server>("server");
    QTest::addColumn<QString>("code"); // empty: nothing found
    QTest::addColumn<QString>("rowText");

    QTest::newRow("resumes") << Server::Resumes << QString() << QString();
    QTest::newRow("ignores Last-Event-ID") << Server::Ignores << QStringLiteral("no-resume")
                                           << QStringLiteral("The server ignored Last-Event-ID");
    QTest::newRow("skips") << Server::Skips << QStringLiteral("gap")
                           << QStringLiteral("Events lost");
    QTest::newRow("repeats") << Server::Repeats << QStringLiteral("duplicate")
                             << QStringLiteral("Events repeated");
    QTest::newRow("reorders") << Server::Reorders << QStringLiteral("out-of-order")
                              << QStringLiteral("Events out of order");
}

void TestStreamDiagnoses::resumeAudit()
{
    QFETCH(Server, server);
    QFETCH(QString, code);
    QFETCH(QString, rowText);

    SseTestServer http;
    http.setHandler([server](const SseTestRequest &request, int index) {
        return answer(server, request, index);
    });
    QVERIFY(http.listen());
    Stream stream(1, sseConfig(http.url(QStringLiteral("/events"))));
    QList<StreamEvent> rows;
    connect(&stream, &Stream::eventArrived, this,
        [&rows](const StreamEvent &event) { rows.append(event); });
    stream.connectToServer();

    QTRY_VERIFY_WITH_TIMEOUT(http.requestCount() >= 4 && stream.health().state == HealthState::Open
            && stream.health().events >= 20,
        10000);
    if (code.isEmpty()) {
        // Wait past the next check: nothing may appear.
        QTest::qWait(2 * Stream::DiagnosisIntervalMs);
        QCOMPARE(diagnosisCodes(stream), QStringList());
        QCOMPARE(diagnosisRows(rows), QStringList());
        const ResumeAudit *audit = stream.diagnostics()->resumeAudit();
        QVERIFY(audit);
        QCOMPARE(audit->totals().resumed, 3);
        QCOMPARE(audit->totals().counts.missing, 0u);
        QCOMPARE(audit->describe(audit->connections().last()),
            QStringLiteral("Resumed at id 16 after a reconnect: 0 missing"));
        QCOMPARE(stream.health().eventsMissing, std::optional<qint64>(0)); // a series to plot
        return;
    }
    QTRY_VERIFY_WITH_TIMEOUT(diagnosisCodes(stream).contains(code), 5000);
    if (server == Server::Skips) {
        QVERIFY(stream.health().eventsMissing.value_or(0) >= 2);
    }
    QTRY_VERIFY(!diagnosisRows(rows).isEmpty());
    const QStringList texts = diagnosisRows(rows);
    QVERIFY2(texts.first().contains(rowText), qPrintable(texts.join(QLatin1Char('\n'))));
    // Said once, not once per check.
    QTest::qWait(2 * Stream::DiagnosisIntervalMs);
    QCOMPARE(diagnosisRows(rows).filter(rowText).size(), 1);
}

void TestStreamDiagnoses::auditFollowsAPayloadField()
{
    // Ids the audit cannot read (not numbers), but a "seq" in the payload that starts over.
    SseTestServer http;
    http.setHandler([](const SseTestRequest &, int index) {
        QByteArray body = "retry: 50\n\n";
        for (int seq = 1; seq <= 5; ++seq) {
            body += "id: ev-" + QByteArray::number(index) + "-" + QByteArray::number(seq)
                + "\ndata: {\"seq\":" + QByteArray::number(seq) + "}\n\n";
        }
        return SseTestResponse::stream(
            {body}, index >= 2 ? SseTestResponse::End::KeepOpen : SseTestResponse::End::Close);
    });
    QVERIFY(http.listen());
    StreamConfig config = sseConfig(http.url(QStringLiteral("/events")));
    config.auditSequence = QStringLiteral("seq");
    Stream stream(1, config);
    stream.connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(diagnosisCodes(stream).contains(QStringLiteral("no-resume")), 10000);
    QVERIFY(stream.diagnostics()->resumeAudit()->isActive());
    QVERIFY(stream.diagnoses().first().evidence.contains(QStringLiteral("did not resume")));
}

void TestStreamDiagnoses::responseHeadsOfEveryAttempt()
{
    SseTestServer http;
    http.setHandler([](const SseTestRequest &, int index) {
        if (index == 0) {
            return SseTestResponse::error(503, "Service Unavailable", {{"Retry-After", "0"}});
        }
        SseTestResponse response
            = SseTestResponse::stream({"data: x\n\n"}, SseTestResponse::End::KeepOpen);
        response.headers.append(qMakePair(QByteArray("X-Served-By"), QByteArray("node-7")));
        return response;
    });
    QVERIFY(http.listen());
    Stream stream(1, sseConfig(http.url(QStringLiteral("/events"))));
    QList<StreamEvent> rows;
    connect(&stream, &Stream::eventArrived, this,
        [&rows](const StreamEvent &event) { rows.append(event); });
    stream.connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(stream.health().state == HealthState::Open, 10000);
    // Each goes with the row that says what came of it, for the detail pane.
    QByteArray refusal;
    QByteArray open;
    for (const StreamEvent &row : std::as_const(rows)) {
        if (row.type == "error") {
            refusal = row.details;
        } else if (row.type == "open") {
            open = row.details;
        }
    }
    QVERIFY2(refusal.startsWith("HTTP/1.1 503 Service Unavailable\n"), refusal.constData());
    QVERIFY2(refusal.contains("\nRetry-After: 0"), refusal.constData());
    QVERIFY2(open.startsWith("HTTP/1.1 200 OK\n"), open.constData());
    QVERIFY2(open.contains("\nX-Served-By: node-7"), open.constData());
    const std::deque<ResponseHead> &heads = stream.diagnostics()->responses();
    QCOMPARE(heads.size(), size_t(2));
    QCOMPARE(heads.at(0).status, 503);
    QCOMPARE(heads.at(0).reasonPhrase, QByteArray("Service Unavailable"));
    QCOMPARE(heads.at(0).protocol, QByteArray("HTTP/1.1"));
    QCOMPARE(heads.at(1).status, 200);
    QVERIFY(heads.at(1).headers.contains(QPair<QByteArray, QByteArray>("X-Served-By", "node-7")));
    QVERIFY(heads.at(1).atMs >= heads.at(0).atMs);
}

void TestStreamDiagnoses::proxyHeaderIsEvidence()
{
    SseTestServer http;
    http.setHandler([](const SseTestRequest &, int) {
        SseTestResponse response
            = SseTestResponse::stream({"data: x\n\n"}, SseTestResponse::End::KeepOpen);
        response.headers.append(qMakePair(QByteArray("Via"), QByteArray("1.1 edge-proxy")));
        return response;
    });
    QVERIFY(http.listen());
    Stream stream(1, sseConfig(http.url(QStringLiteral("/events"))));
    QList<StreamEvent> rows;
    connect(&stream, &Stream::eventArrived, this,
        [&rows](const StreamEvent &event) { rows.append(event); });
    stream.connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(
        diagnosisCodes(stream), QStringList{QStringLiteral("proxy-may-buffer")}, 10000);
    QVERIFY(stream.diagnoses().first().evidence.contains(QStringLiteral("Via: 1.1 edge-proxy")));
    QTRY_COMPARE(diagnosisRows(rows).size(), 1);
}

void TestStreamDiagnoses::idleTimeoutOnTheWay()
{
    // A proxy that cuts a connection after 1.2 s without data: one event, then silence, then the
    // close, on every connection.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QList<QTcpSocket *> sockets;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            sockets.append(socket);
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                if (!socket->readAll().contains("\r\n\r\n")) {
                    return;
                }
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                              "Connection: close\r\n\r\nretry: 50\n\ndata: hello\n\n");
                QTimer::singleShot(1200, socket, [socket] { socket->disconnectFromHost(); });
            });
        }
    });
    StreamConfig config
        = sseConfig(QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(server.serverPort())));
    Stream stream(1, config);
    stream.setMinIdleSilenceMs(1000);
    stream.connectToServer();
    QTRY_VERIFY_WITH_TIMEOUT(
        diagnosisCodes(stream).contains(QStringLiteral("idle-timeout")), 15000);
    const Diagnosis idle = stream.diagnoses().first();
    QVERIFY2(idle.evidence.contains(QStringLiteral("without data")), qPrintable(idle.evidence));
    QVERIFY2(idle.fix.contains(QStringLiteral("comment line")), qPrintable(idle.fix));
    qDeleteAll(sockets);
}

void TestStreamDiagnoses::reconnectStormIsSaidOnceAndSpread()
{
    // Six streams to one server that drops them all at once.
    constexpr int Streams = 6;
    SseTestServer http;
    QList<qint64> reconnectsAtMs;
    http.setHandler([&](const SseTestRequest &request, int) {
        if (request.hasHeader("Last-Event-ID")) {
            reconnectsAtMs.append(QDateTime::currentMSecsSinceEpoch());
        }
        return SseTestResponse::stream(
            {"retry: 100\nid: 1\ndata: x\n\n"}, SseTestResponse::End::KeepOpen);
    });
    QVERIFY(http.listen());
    StreamSet set;
    QList<StreamEvent> rows;
    connect(&set, &StreamSet::eventArrived, this,
        [&rows](const StreamEvent &event) { rows.append(event); });
    for (int i = 0; i < Streams; ++i) {
        StreamConfig config = sseConfig(http.url(QStringLiteral("/events/%1").arg(i)));
        config.name = QStringLiteral("s%1").arg(i);
        set.stream(set.add(config))->connectToServer();
    }
    QTRY_COMPARE_WITH_TIMEOUT(http.clientCount(), Streams, 10000);
    QTRY_VERIFY(std::all_of(set.ids().cbegin(), set.ids().cend(),
        [&](int id) { return set.stream(id)->health().events == 1; }));
    const qint64 droppedAt = QDateTime::currentMSecsSinceEpoch();
    http.closeAllClients();

    QTRY_COMPARE_WITH_TIMEOUT(reconnectsAtMs.size(), Streams, 15000);
    // Each stream alone would come back after at most its retry of 100 ms; spread, the last
    // comes at least (Streams - 1) steps after the first.
    std::sort(reconnectsAtMs.begin(), reconnectsAtMs.end());
    QVERIFY2(reconnectsAtMs.last() - reconnectsAtMs.first()
            >= (Streams - 1) * ReconnectSpread::StepMs - 100,
        qPrintable(QStringLiteral("reconnects between +%1 and +%2 ms")
                       .arg(reconnectsAtMs.first() - droppedAt)
                       .arg(reconnectsAtMs.last() - droppedAt)));

    QTRY_COMPARE_WITH_TIMEOUT(diagnosisRows(rows).size(), 1, 5000);
    const QString row = diagnosisRows(rows).first();
    QVERIFY2(row.contains(QStringLiteral("6 streams to 127.0.0.1 lost the connection at")),
        qPrintable(row));
    QVERIFY2(row.contains(QStringLiteral("reconnecting spread over 1.3 s")), qPrintable(row));
    for (const int id : set.ids()) {
        QTRY_VERIFY(diagnosisCodes(*set.stream(id)).contains(QStringLiteral("reconnect-storm")));
    }
    QTest::qWait(2 * ReconnectSpread::GroupGapMs);
    QCOMPARE(diagnosisRows(rows).size(), 1);
}

QTEST_GUILESS_MAIN(TestStreamDiagnoses)
#include "tst_streamdiagnoses.moc"
