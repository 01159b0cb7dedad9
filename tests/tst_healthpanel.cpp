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

QTEST_MAIN(TestHealthPanel)
#include "tst_healthpanel.moc"
