// SPDX-License-Identifier: GPL-3.0-or-later
#include "demofeed.h"
#include "sseparser.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace streamscope;

namespace {

// A bare HTTP client: one request, the raw response, its SSE body parsed as it arrives. Bare
// sockets rather than QNetworkAccessManager, which opens at most 6 connections per server.
class RawClient
{
public:
    RawClient(const QUrl &url, const QByteArray &extraHeaders = {},
        const QByteArray &method = "GET", int receiveBuffer = 0)
    {
        m_parser.setEventHandler([this](const SseEvent &event) {
            events.append(event);
            return true;
        });
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] { read(); });
        if (receiveBuffer > 0) {
            socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, receiveBuffer);
            socket.setReadBufferSize(receiveBuffer);
            m_reading = false;
        }
        socket.connectToHost(url.host(), quint16(url.port()));
        socket.write(method + ' ' + url.path().toUtf8() + " HTTP/1.1\r\nHost: "
            + url.host().toUtf8() + "\r\nAccept: text/event-stream\r\n" + extraHeaders + "\r\n");
    }

    bool headComplete() const { return m_headEnd >= 0; }
    QByteArray head() const { return m_headEnd >= 0 ? raw.left(m_headEnd) : QByteArray(); }
    QByteArray body() const { return m_headEnd >= 0 ? raw.mid(m_headEnd + 4) : QByteArray(); }
    int status() const { return head().mid(9, 3).toInt(); }

    QTcpSocket socket;
    QByteArray raw;
    QList<SseEvent> events;

private:
    void read()
    {
        if (!m_reading) {
            return;
        }
        const QByteArray bytes = socket.readAll();
        raw += bytes;
        if (m_headEnd < 0) {
            m_headEnd = raw.indexOf("\r\n\r\n");
            if (m_headEnd >= 0) {
                m_parser.feed(QByteArrayView(raw).sliced(m_headEnd + 4));
            }
        } else {
            m_parser.feed(bytes);
        }
    }

    SseParser m_parser;
    qsizetype m_headEnd = -1;
    bool m_reading = true;
};

DemoFeed::Settings fastSettings()
{
    DemoFeed::Settings settings;
    settings.metricsIntervalMs = 10;
    settings.logMeanIntervalMs = 10;
    settings.heartbeatIntervalMs = 50;
    settings.seed = 7;
    return settings;
}

} // namespace

class TestDemoFeed : public QObject
{
    Q_OBJECT
private slots:
    void streams_data();
    void streams();
    void resumesAfterLastEventId_data();
    void resumesAfterLastEventId();
    void plainResponses_data();
    void plainResponses();
    void manyClients();
    void slowClientLosesSamplesNotMemory();
    void webSocketBesideSse();
};

void TestDemoFeed::streams_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("types");
    QTest::addColumn<QStringList>("keys");
    QTest::newRow("metrics") << QStringLiteral("/metrics") << QStringList{QStringLiteral("metrics")}
                             << QStringList{QStringLiteral("host"), QStringLiteral("ts"),
                                    QStringLiteral("cpu"), QStringLiteral("mem"),
                                    QStringLiteral("rxBps"), QStringLiteral("txBps")};
    QTest::newRow("logs") << QStringLiteral("/logs")
                          << QStringList{QStringLiteral("info"), QStringLiteral("warn"),
                                 QStringLiteral("error")}
                          << QStringList{QStringLiteral("ts"), QStringLiteral("host"),
                                 QStringLiteral("service"), QStringLiteral("level"),
                                 QStringLiteral("msg")};
}

void TestDemoFeed::streams()
{
    QFETCH(QString, path);
    QFETCH(QStringList, types);
    QFETCH(QStringList, keys);
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings()));
    RawClient client(feed.url(path));
    QTRY_VERIFY(client.events.size() >= 20);

    QVERIFY(client.head().startsWith("HTTP/1.1 200"));
    QVERIFY(client.head().contains("Content-Type: text/event-stream"));
    QVERIFY(client.body().contains("retry: "));
    quint64 previousId = 0;
    for (const SseEvent &event : std::as_const(client.events)) {
        bool ok = false;
        const quint64 id = event.lastEventId.toULongLong(&ok);
        QVERIFY2(ok && id > previousId, event.lastEventId.constData());
        previousId = id;
        QVERIFY2(types.contains(QString::fromUtf8(event.type)), event.type.constData());
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(event.data, &error);
        QVERIFY2(
            error.error == QJsonParseError::NoError && document.isObject(), event.data.constData());
        for (const QString &key : std::as_const(keys)) {
            QVERIFY2(document.object().contains(key), qPrintable(key));
        }
    }
}

void TestDemoFeed::resumesAfterLastEventId_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("metrics") << QStringLiteral("/metrics");
    QTest::newRow("logs") << QStringLiteral("/logs");
}

void TestDemoFeed::resumesAfterLastEventId()
{
    QFETCH(QString, path);
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings()));
    QByteArray resumeFrom;
    {
        RawClient first(feed.url(path));
        QTRY_VERIFY(first.events.size() >= 3);
        resumeFrom = first.events.at(2).lastEventId;
    }
    // Let the stream move on while nobody listens: the resumed client must get the gap.
    const quint64 resumeId = resumeFrom.toULongLong();
    const DemoFeed::Stream stream
        = path == QLatin1String("/logs") ? DemoFeed::Stream::Logs : DemoFeed::Stream::Metrics;
    QTRY_VERIFY(feed.lastEventId(stream) >= resumeId + 5);

    RawClient second(feed.url(path), "Last-Event-ID: " + resumeFrom + "\r\n");
    QTRY_VERIFY(second.events.size() >= 5);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(second.events.at(i).lastEventId.toULongLong(), resumeId + 1 + quint64(i));
    }

    // Without Last-Event-ID the stream starts live, well past the resume point.
    RawClient fresh(feed.url(path));
    QTRY_VERIFY(!fresh.events.isEmpty());
    QVERIFY(fresh.events.first().lastEventId.toULongLong() > resumeId + 5);
}

void TestDemoFeed::plainResponses_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("bodyContains");
    QTest::newRow("index") << QByteArray("GET") << QStringLiteral("/") << 200
                           << QByteArray("/metrics");
    QTest::newRow("unknown") << QByteArray("GET") << QStringLiteral("/nope") << 404
                             << QByteArray("not found");
    QTest::newRow("prefix of a stream")
        << QByteArray("GET") << QStringLiteral("/metricsx") << 404 << QByteArray("not found");
    QTest::newRow("/ws without upgrade")
        << QByteArray("GET") << QStringLiteral("/ws") << 426 << QByteArray("WebSocket");
    QTest::newRow("POST") << QByteArray("POST") << QStringLiteral("/metrics") << 405
                          << QByteArray("GET");
}

void TestDemoFeed::plainResponses()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(int, status);
    QFETCH(QByteArray, bodyContains);
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings()));
    RawClient client(feed.url(path), {}, method);
    QTRY_COMPARE(client.socket.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(client.status(), status);
    QVERIFY(client.head().contains("Content-Type: text/plain"));
    QVERIFY2(client.body().contains(bodyContains), client.body().constData());
}

void TestDemoFeed::manyClients()
{
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings()));
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 60; ++i) {
        clients.push_back(std::make_unique<RawClient>(
            feed.url(i % 2 == 0 ? QStringLiteral("/metrics") : QStringLiteral("/logs"))));
    }
    QTRY_COMPARE(feed.streamClientCount(), 60);
    for (const auto &client : clients) {
        QTRY_VERIFY(client->events.size() >= 3);
    }
    QCOMPARE(feed.samplesDropped(), 0u);
    clients.clear();
    QTRY_COMPARE(feed.streamClientCount(), 0);
}

void TestDemoFeed::slowClientLosesSamplesNotMemory()
{
    DemoFeed::Settings settings = fastSettings();
    settings.metricsIntervalMs = 5;
    settings.hostCount = 500; // about 12 MB/s
    settings.maxBacklogBytes = 16 * 1024;
    DemoFeed feed;
    QVERIFY(feed.listen(0, settings));
    // Never reads, with small buffers: the kernel's queue fills, then ours, then samples drop.
    RawClient stalled(feed.url(QStringLiteral("/metrics")), {}, "GET", 4096);
    RawClient healthy(feed.url(QStringLiteral("/metrics")));
    QTRY_VERIFY_WITH_TIMEOUT(feed.samplesDropped() > 100, 15000);
    // A reader that keeps up still gets the stream while the stalled one is skipped.
    const qsizetype seen = healthy.events.size();
    QTRY_VERIFY(healthy.events.size() > seen + 1000);
    QVERIFY(healthy.events.last().lastEventId.toULongLong()
        > healthy.events.first().lastEventId.toULongLong());
}

void TestDemoFeed::webSocketBesideSse()
{
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings()));
    QVERIFY(feed.servesWebSocket());
    RawClient sse(feed.url(QStringLiteral("/metrics")));
    QWebSocket socket;
    QStringList messages;
    connect(&socket, &QWebSocket::textMessageReceived, this,
        [&messages](const QString &message) { messages.append(message); });
    socket.open(feed.url(QStringLiteral("/ws"), QStringLiteral("ws")));
    QTRY_VERIFY(messages.size() >= 5);
    QCOMPARE(
        QJsonDocument::fromJson(messages.first().toUtf8()).object().value(QLatin1String("type")),
        QJsonValue(QStringLiteral("hello")));
    const QJsonObject metric = QJsonDocument::fromJson(messages.last().toUtf8()).object();
    QCOMPARE(metric.value(QLatin1String("type")), QJsonValue(QStringLiteral("metric")));
    QVERIFY(metric.contains(QLatin1String("host")));
    // The HTTP side goes on serving while the WebSocket is open.
    QTRY_VERIFY(sse.events.size() >= 5);
    QCOMPARE(feed.streamClientCount(), 1);
    socket.close();
}

QTEST_GUILESS_MAIN(TestDemoFeed)
#include "tst_demofeed.moc"
