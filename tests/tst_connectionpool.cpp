// SPDX-License-Identifier: GPL-3.0-or-later
// ConnectionPool over HTTP/1.1: one QNetworkAccessManager opens at most six connections to a
// host and port, so a manager carries six streams to one origin and any number of origins.
// First the pool alone (which manager each request gets), then EventSources against local
// servers: none stalls, and the managers are as few as the rule allows.
#include "connectionpool.h"
#include "eventsource.h"
#include "eventsourcerecorder.h"
#include "ssetestserver.h"

#include <QNetworkAccessManager>
#include <QSet>
#include <QTemporaryFile>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

using namespace streamscope;

namespace {

// One acquisition of a table row: "MODE URL [CA-FILE]".
struct Ask
{
    QString key;
    QUrl url;
    Http2Mode mode = Http2Mode::Auto;
};

Ask parseAsk(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char(' '));
    Ask ask;
    ask.mode = parseHttp2Mode(parts.at(0).toUtf8()).value_or(Http2Mode::Auto);
    ask.url = QUrl(parts.at(1));
    ask.key = ConnectionPool::keyFor(ask.url, ask.mode, parts.value(2), false);
    return ask;
}

// n times the same acquisition.
QStringList times(int n, const QString &ask)
{
    QStringList list;
    for (int i = 0; i < n; ++i) {
        list.append(ask);
    }
    return list;
}

// One acquisition to each of n origins (ports from 1000 on).
QStringList origins(int n, const QString &mode = QStringLiteral("auto"))
{
    QStringList list;
    for (int i = 0; i < n; ++i) {
        list.append(QStringLiteral("%1 http://127.0.0.1:%2/").arg(mode).arg(1000 + i));
    }
    return list;
}

std::unique_ptr<EventSource> pooledSource(
    ConnectionPool *pool, const QUrl &url, const QString &caFile = {})
{
    auto source = std::make_unique<EventSource>(nullptr);
    source->setConnectionPool(pool);
    EventSourceSettings settings = quickSettings(url);
    settings.caCertificatesFile = caFile;
    source->open(settings);
    return source;
}

SseTestResponse endlessStream()
{
    return SseTestResponse::stream({"data: hello\n\n"}, SseTestResponse::End::KeepOpen);
}

} // namespace

class TestConnectionPool : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void managersFor_data();
    void managersFor();
    void placeGivenBackIsTakenAgain();
    void hostStaysWithItsKey();
    void noStreamStalls_data();
    void noStreamStalls();
    void endedStreamFreesItsPlace();
    void redirectsGiveBackTheirPlace();
    void poolDeletedFirst();
};

void TestConnectionPool::cleanup()
{
    // The managers go by deleteLater().
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

void TestConnectionPool::managersFor_data()
{
    QTest::addColumn<QStringList>("asks");
    QTest::addColumn<int>("managers");
    const QString one = QStringLiteral("auto http://127.0.0.1:1000/");
    QTest::newRow("6 to one origin") << times(6, one) << 1;
    QTest::newRow("7 to one origin") << times(7, one) << 2;
    QTest::newRow("13 to one origin") << times(13, one) << 3;
    QStringList sixEach;
    for (int i = 0; i < 6; ++i) {
        sixEach += origins(2);
    }
    QTest::newRow("6 to each of 2 origins") << sixEach << 1;
    QTest::newRow("7 to each of 2 origins")
        << times(7, one) + times(7, QStringLiteral("auto http://127.0.0.1:1001/")) << 2;
    QTest::newRow("one to each of 100 origins") << origins(100) << 1;
    QTest::newRow("one to each of 256 origins") << origins(256) << 1;
    QTest::newRow("one to each of 257 origins") << origins(257) << 2;
    QTest::newRow("other hosts, same port")
        << QStringList{QStringLiteral("off http://127.0.0.1:1000/"),
               QStringLiteral("off http://127.0.0.2:1000/"),
               QStringLiteral("off http://127.0.0.3:1000/"),
               QStringLiteral("off http://localhost:1000/")}
        << 1;
    QTest::newRow("one host, two TLS settings")
        << times(3, QStringLiteral("off https://127.0.0.1:1000/ a.pem"))
            + times(3, QStringLiteral("off https://127.0.0.1:1000/ b.pem"))
        << 2;
    QTest::newRow("one host, http2 auto and off")
        << QStringList{one, QStringLiteral("off http://127.0.0.1:1000/")} << 2;
    QTest::newRow("h2c shares apart")
        << times(10, QStringLiteral("prior-knowledge http://127.0.0.1:1000/")) << 0;
}

// Which managers a row of acquisitions gets, none given back.
void TestConnectionPool::managersFor()
{
    QFETCH(QStringList, asks);
    QFETCH(int, managers);
    ConnectionPool pool;
    QHash<const QNetworkAccessManager *, QHash<QString, int>> perHost;
    std::vector<ConnectionPool::Manager> held;
    for (const QString &text : asks) {
        const Ask ask = parseAsk(text);
        const ConnectionPool::Grant grant = pool.acquire(ask.key, ask.url, ask.mode, true);
        QVERIFY(grant.manager);
        QVERIFY(!grant.probe);
        held.push_back(grant.manager);
        if (!grant.seat.isEmpty()) {
            int &count = perHost[grant.manager.get()][grant.seat];
            ++count;
            QVERIFY2(count <= ConnectionPool::SeatsPerHost, qPrintable(text));
        }
    }
    QCOMPARE(pool.http1Managers(), managers);
    QCOMPARE(int(perHost.size()), managers);
}

void TestConnectionPool::placeGivenBackIsTakenAgain()
{
    ConnectionPool pool;
    const Ask ask = parseAsk(QStringLiteral("auto http://127.0.0.1:1000/"));
    std::vector<ConnectionPool::Grant> grants;
    for (int i = 0; i < 7; ++i) {
        grants.push_back(pool.acquire(ask.key, ask.url, ask.mode, true));
    }
    const QNetworkAccessManager *first = grants.front().manager.get();
    QVERIFY(grants.back().manager.get() != first);
    QCOMPARE(pool.seatsTaken(first), 6);
    pool.vacate(grants.front().seat, first);
    QCOMPARE(pool.seatsTaken(first), 5);
    const ConnectionPool::Grant again = pool.acquire(ask.key, ask.url, ask.mode, true);
    QCOMPARE(again.manager.get(), first);
    QCOMPARE(pool.seatsTaken(first), 6);
    QCOMPARE(pool.http1Managers(), 2);

    // The seventh gives back the only place on its manager: the pool forgets it.
    pool.vacate(grants.back().seat, grants.back().manager.get());
    QCOMPARE(pool.http1Managers(), 1);
    QCOMPARE(pool.seatsTaken(grants.back().manager.get()), 0);
}

// A manager's idle connection to a host may be reused by Qt for the next request there: one
// set up with other TLS settings never serves another key, not even once all places are back.
void TestConnectionPool::hostStaysWithItsKey()
{
    ConnectionPool pool;
    const Ask insecure = parseAsk(QStringLiteral("off https://127.0.0.1:1000/ a.pem"));
    const Ask strict = parseAsk(QStringLiteral("off https://127.0.0.1:1000/"));
    const Ask other = parseAsk(QStringLiteral("off https://127.0.0.1:1001/"));
    const ConnectionPool::Grant keep = pool.acquire(other.key, other.url, other.mode, true);
    const ConnectionPool::Grant first
        = pool.acquire(insecure.key, insecure.url, insecure.mode, true);
    QCOMPARE(first.manager, keep.manager);
    pool.vacate(first.seat, first.manager.get());
    const ConnectionPool::Grant second = pool.acquire(strict.key, strict.url, strict.mode, true);
    QVERIFY(second.manager != keep.manager);
    const ConnectionPool::Grant third
        = pool.acquire(insecure.key, insecure.url, insecure.mode, true);
    QCOMPARE(third.manager, keep.manager);
}

void TestConnectionPool::noStreamStalls_data()
{
    QTest::addColumn<int>("streams");
    QTest::addColumn<int>("servers");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<int>("managers");
    QTest::newRow("13 to one server") << 13 << 1 << false << 3;
    QTest::newRow("12 over 4 servers") << 12 << 4 << false << 1;
    QTest::newRow("14 over 2 servers") << 14 << 2 << false << 2;
    // https: the first stream finds out the origin speaks HTTP/1.1, the others wait for it.
    QTest::newRow("13 over https to one server") << 13 << 1 << true << 3;
}

// Every stream delivers although SSE responses never end; each manager carries at most six
// streams to a server.
void TestConnectionPool::noStreamStalls()
{
    QFETCH(int, streams);
    QFETCH(int, servers);
    QFETCH(bool, tls);
    QFETCH(int, managers);
    QTemporaryFile caFile;
    if (tls) {
        QVERIFY(caFile.open());
        caFile.write(SseTestServer::tlsCertificate().toPem());
        caFile.flush();
    }
    std::vector<std::unique_ptr<SseTestServer>> serverList;
    for (int i = 0; i < servers; ++i) {
        serverList.push_back(std::make_unique<SseTestServer>());
        serverList.back()->setTlsEnabled(tls);
        serverList.back()->setHandler([](const SseTestRequest &, int) { return endlessStream(); });
        QVERIFY(serverList.back()->listen());
    }
    ConnectionPool pool;
    std::vector<std::unique_ptr<EventSource>> sources;
    std::vector<std::unique_ptr<EventSourceRecorder>> records;
    for (int i = 0; i < streams; ++i) {
        const SseTestServer &server = *serverList.at(size_t(i % servers));
        sources.push_back(pooledSource(
            &pool, server.url(QStringLiteral("/stream")), tls ? caFile.fileName() : QString()));
        records.push_back(std::make_unique<EventSourceRecorder>(sources.back().get()));
    }
    const auto delivered = [&] {
        return int(std::count_if(records.cbegin(), records.cend(),
            [](const std::unique_ptr<EventSourceRecorder> &r) { return r->events.size() > 0; }));
    };
    QTRY_COMPARE_WITH_TIMEOUT(delivered(), streams, 20000);
    QCOMPARE(pool.http1Managers(), managers);
    int clients = 0;
    for (const auto &server : serverList) {
        clients += server->clientCount();
    }
    QCOMPARE(clients, streams);
    for (const auto &record : records) {
        QVERIFY2(record->errors.isEmpty(), qPrintable(record->allErrors()));
    }
}

// A stream closed, or whose response ended by itself, gives its place to the next one.
void TestConnectionPool::endedStreamFreesItsPlace()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &request, int) {
        if (request.target == "/ends") {
            return SseTestResponse::stream({"data: last\n\n"}, SseTestResponse::End::Close);
        }
        return endlessStream();
    });
    QVERIFY(server.listen());
    ConnectionPool pool;
    std::vector<std::unique_ptr<EventSource>> sources;
    for (int i = 0; i < 6; ++i) {
        sources.push_back(pooledSource(&pool, server.url(QStringLiteral("/stream"))));
        QTRY_COMPARE(sources.back()->state(), EventSource::State::Open);
    }
    QCOMPARE(pool.http1Managers(), 1);
    sources.front()->close();
    sources.erase(sources.begin());
    QCOMPARE(pool.http1Managers(), 1);

    // Its response ends, so it reconnects: between attempts it holds no place.
    auto ending = std::make_unique<EventSource>(nullptr);
    ending->setConnectionPool(&pool);
    EventSourceRecorder endingRecord(ending.get());
    EventSourceSettings settings = quickSettings(server.url(QStringLiteral("/ends")));
    settings.initialDelayMs = 60000; // the reconnect waits: the place is free meanwhile
    settings.maxDelayMs = 60000;
    ending->open(settings);
    QTRY_COMPARE(endingRecord.events.size(), 1);
    QTRY_COMPARE(ending->state(), EventSource::State::Reconnecting);

    auto sixth = pooledSource(&pool, server.url(QStringLiteral("/stream")));
    EventSourceRecorder sixthRecord(sixth.get());
    QTRY_COMPARE(sixthRecord.events.size(), 1);
    QCOMPARE(pool.http1Managers(), 1);

    auto seventh = pooledSource(&pool, server.url(QStringLiteral("/stream")));
    EventSourceRecorder seventhRecord(seventh.get());
    QTRY_COMPARE(seventhRecord.events.size(), 1);
    QCOMPARE(pool.http1Managers(), 2);
}

// A redirect drops the reply and asks the pool again: the hop's place is given back first.
void TestConnectionPool::redirectsGiveBackTheirPlace()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &request, int) {
        if (request.target == "/old") {
            return SseTestResponse::error(302, "Found", {{"Location", "/stream"}});
        }
        return endlessStream();
    });
    QVERIFY(server.listen());
    ConnectionPool pool;
    std::vector<std::unique_ptr<EventSource>> sources;
    for (int i = 0; i < 6; ++i) {
        sources.push_back(pooledSource(&pool, server.url(QStringLiteral("/old"))));
    }
    QTRY_VERIFY(std::all_of(sources.cbegin(), sources.cend(),
        [](const auto &s) { return s->state() == EventSource::State::Open; }));
    QCOMPARE(pool.http1Managers(), 1);
}

// StreamSet owns the pool before its streams, but a stream handed elsewhere may outlive it.
void TestConnectionPool::poolDeletedFirst()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return endlessStream(); });
    QVERIFY(server.listen());
    auto pool = std::make_unique<ConnectionPool>();
    auto source = pooledSource(pool.get(), server.url(QStringLiteral("/stream")));
    EventSourceRecorder record(source.get());
    QTRY_COMPARE(record.events.size(), 1);
    pool.reset();
    source.reset(); // gives back its place to no pool
    QCOMPARE(server.requestCount(), 1);
}

QTEST_MAIN(TestConnectionPool)
#include "tst_connectionpool.moc"
