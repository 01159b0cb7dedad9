// SPDX-License-Identifier: GPL-3.0-or-later
#include "healthpanel.h"
#include "ssetestserver.h"
#include "stream.h"
#include "wstestserver.h"

#include <QLabel>
#include <QTest>

using namespace streamscope;

class TestHealthPanel : public QObject
{
    Q_OBJECT

private slots:
    void sseProtocolShownOnceOpen();
    void noProtocolBeforeTheFirstOpen();
    void noProtocolRowForWebSocket();
    void diagnosisWithEvidenceAndFix();
};

namespace {

StreamConfig config(const QUrl &url)
{
    StreamConfig c;
    c.name = QStringLiteral("test");
    c.url = url;
    c.initialDelayMs = 50;
    c.maxDelayMs = 200;
    return c;
}

// Events one every intervalMs; the connection stays open after the last.
SseTestResponse ticking(int count, int intervalMs)
{
    QByteArrayList chunks;
    for (int i = 1; i <= count; ++i) {
        chunks.append("id: " + QByteArray::number(i) + "\ndata: " + QByteArray::number(i) + "\n\n");
    }
    SseTestResponse response = SseTestResponse::stream(chunks, SseTestResponse::End::KeepOpen);
    response.intervalMs = intervalMs;
    return response;
}

QLabel *label(const HealthPanel &panel, const char *name)
{
    return panel.findChild<QLabel *>(QString::fromLatin1(name));
}

} // namespace

void TestHealthPanel::sseProtocolShownOnceOpen()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return ticking(100000, 20); });
    QVERIFY(server.listen());
    Stream stream(1, config(server.url(QStringLiteral("/events"))));
    HealthPanel panel;
    panel.setStream(&stream);
    panel.show();
    QLabel *protocol = label(panel, "healthProtocol");
    QLabel *behind = label(panel, "healthFellBehind");
    QVERIFY(protocol);
    QVERIFY(behind);
    QVERIFY(!protocol->isVisibleTo(&panel)); // not connected yet: nothing known

    stream.connectToServer();
    QTRY_COMPARE(panel.stateText(), QStringLiteral("open"));
    // The test server speaks HTTP/1.1 only.
    QTRY_COMPARE(protocol->text(), QStringLiteral("HTTP/1.1"));
    QVERIFY(protocol->isVisibleTo(&panel));
    // It never fell behind: no row for it.
    QVERIFY(!behind->isVisibleTo(&panel));

    // Reconnecting: still what the last connection spoke.
    server.stop();
    QTRY_COMPARE(label(panel, "healthState")->text(), QStringLiteral("reconnecting"));
    QCOMPARE(protocol->text(), QStringLiteral("HTTP/1.1"));
    QVERIFY(protocol->isVisibleTo(&panel));
    QVERIFY(!behind->isVisibleTo(&panel));
}

void TestHealthPanel::noProtocolBeforeTheFirstOpen()
{
    // A port nobody listens on: refused, again and again, never open.
    SseTestServer server;
    QVERIFY(server.listen());
    const QUrl url = server.url(QStringLiteral("/events"));
    server.stop();
    Stream stream(1, config(url));
    HealthPanel panel;
    panel.setStream(&stream);
    panel.show();
    stream.connectToServer();
    QTRY_COMPARE(label(panel, "healthState")->text(), QStringLiteral("reconnecting"));
    QVERIFY(stream.health().reconnects >= 1);
    QVERIFY(!label(panel, "healthProtocol")->isVisibleTo(&panel));
    QVERIFY(!label(panel, "healthFellBehind")->isVisibleTo(&panel));
    QVERIFY(label(panel, "healthLastError")->isVisibleTo(&panel)); // the panel does show
}

void TestHealthPanel::noProtocolRowForWebSocket()
{
    WsTestServer server;
    QVERIFY(server.listen());
    Stream stream(1, config(server.url(QStringLiteral("/ws"))));
    HealthPanel panel;
    panel.setStream(&stream);
    panel.show();
    stream.connectToServer();
    QTRY_COMPARE(label(panel, "healthState")->text(), QStringLiteral("open"));
    QVERIFY(label(panel, "healthExtensions")->isVisibleTo(&panel));
    QVERIFY(!label(panel, "healthProtocol")->isVisibleTo(&panel));
    QVERIFY(!label(panel, "healthFellBehind")->isVisibleTo(&panel));
}

void TestHealthPanel::diagnosisWithEvidenceAndFix()
{
    // A refusal, then an event stream through a proxy that does not say it passes events on.
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int index) {
        if (index == 0) {
            return SseTestResponse::error(503, "Service Unavailable", {{"Retry-After", "0"}});
        }
        SseTestResponse response = ticking(100000, 50);
        response.headers.append(qMakePair(QByteArray("Via"), QByteArray("1.1 edge")));
        response.headers.append(qMakePair(QByteArray("Set-Cookie"), QByteArray("session=s3cret")));
        return response;
    });
    QVERIFY(server.listen());
    Stream stream(1, config(server.url(QStringLiteral("/events"))));
    HealthPanel panel;
    panel.setStream(&stream);
    panel.show();
    QLabel *diagnosis = label(panel, "diagnosisText");
    QVERIFY(diagnosis);
    stream.connectToServer();
    QTRY_COMPARE(panel.stateText(), QStringLiteral("open"));
    QTRY_VERIFY(diagnosis->text().contains(QStringLiteral("A proxy may buffer the stream")));
    QVERIFY(diagnosis->text().contains(QStringLiteral("Via: 1.1 edge")));
    QVERIFY(diagnosis->text().contains(QStringLiteral("<code>proxy_buffering off;</code>")));

    // Every attempt's answer, newest first, and the latest headers with secrets masked.
    QTRY_COMPARE(label(panel, "healthResponses")->text().count(QStringLiteral("HTTP/1.1")), 2);
    const QStringList lines = label(panel, "healthResponses")->text().split(QLatin1Char('\n'));
    QVERIFY2(lines.at(0).endsWith(QStringLiteral("HTTP/1.1 200 OK")), qPrintable(lines.at(0)));
    QVERIFY2(lines.at(1).endsWith(QStringLiteral("HTTP/1.1 503 Service Unavailable")),
        qPrintable(lines.at(1)));
    const QString headers = label(panel, "healthResponseHeaders")->text();
    QVERIFY2(
        headers.contains(QStringLiteral("Content-Type: text/event-stream")), qPrintable(headers));
    QVERIFY2(headers.contains(QStringLiteral("Set-Cookie: •••")), qPrintable(headers));
    QVERIFY(!headers.contains(QStringLiteral("s3cret")));
}

QTEST_MAIN(TestHealthPanel)
#include "tst_healthpanel.moc"
