// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventsource.h"
#include "eventsourcerecorder.h"
#include "rawtestserver.h"
#include "ssetestserver.h"
#include "tlstestserver.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace streamscope;

using Response = SseTestResponse;
using End = SseTestResponse::End;

class TestEventSource : public QObject
{
    Q_OBJECT
private slots:
    void reconnectsAfterServerCloses();
    void sendsLastEventId();
    void honoursRetry();
    void backoffGrowsAndResets();
    void openLongEnoughIsHealthy_data();
    void openLongEnoughIsHealthy();
    void noContentStops();
    void contentType_data();
    void contentType();
    void fatalStatus_data();
    void fatalStatus();
    void retriedStatus_data();
    void retriedStatus();
    void retryAfterIsFloor_data();
    void retryAfterIsFloor();
    void followsRedirect_data();
    void followsRedirect();
    void dropsCredentialsAcrossOrigins();
    void redirectLoopIsFatal_data();
    void redirectLoopIsFatal();
    void tenRedirectsAreFollowed();
    void sendsHeadersOnEveryRequest();
    void postsBody_data();
    void postsBody();
    void oneShotNeverReconnects_data();
    void oneShotNeverReconnects();
    void idleTimeoutReconnects();
    void dataKeepsIdleTimeoutAway();
    void idleTimeoutNamesConnectionLimit();
    void largeLineArrivesIntact();
    void manyEventsInOrder_data();
    void manyEventsInOrder();
    void oversizedEventIsDropped();
    void connectionRefusedRetries();
    void unreachableHostRetries_data();
    void unreachableHostRetries();
    void silentServerTimesOut();
    void malformedBytesLoseNoEvent_data();
    void malformedBytesLoseNoEvent();
    void hugeEventIsDroppedNextArrives();
    void hugeResponseHeaderIsFatal();
    void http10WithoutChunking();
    void givesUp_data();
    void givesUp();
    void openResetsFailureCount();
    void resetAfterOpenReconnects();
    void closeInsideSlot();
    void deleteInsideSlot();
    void eventLoopInsideSlot();
    void destructorEmitsNothing();
    void reconnectNowSkipsWait();
    void chunking_data();
    void chunking();
    void rejectsBadSettings_data();
    void rejectsBadSettings();
    void streamsOverTls();
    void refusesHttpsToHttpRedirect();
    void untrustedCertificateIsFatal();
    void certificates_data();
    void certificates();
    void ignoredCertificateErrorsWarn();
    void unreadableCaFileIsFatal_data();
    void unreadableCaFileIsFatal();
};

void TestEventSource::reconnectsAfterServerCloses()
{
    SseTestServer server({"data: a\n\n", "data: unterminated\n"});
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    QSignalSpy states(&source, &EventSource::stateChanged);
    source.open(quickSettings(server.url(QStringLiteral("/stream"))));

    QTRY_VERIFY(record.events.size() >= 3);
    // SSE: an event without its blank line is discarded at the end of the stream.
    for (qsizetype i = 0; i < record.events.size(); ++i) {
        QCOMPARE(record.data(i), QByteArray("a"));
    }
    // The end of a stream is a reconnect, not an error.
    QCOMPARE(record.errors.size(), 0);
    QVERIFY(record.reconnects.size() >= 2);
    QCOMPARE(record.reconnects.at(0).at(1).toInt(), 2);
    QCOMPARE(record.connects.at(0).at(0).toInt(), 1);
    QCOMPARE(record.connects.at(1).at(0).toInt(), 2);
    QCOMPARE(record.opens.at(0).at(0).toInt(), 200);
    // The same state names as WebSocketClient: the wait for the backoff is Reconnecting.
    const QList<EventSource::State> expectedStates{EventSource::State::Connecting,
        EventSource::State::Open, EventSource::State::Reconnecting, EventSource::State::Connecting,
        EventSource::State::Open};
    for (qsizetype i = 0; i < expectedStates.size(); ++i) {
        QCOMPARE(states.at(i).at(0).value<EventSource::State>(), expectedStates.at(i));
    }
    QVERIFY(server.requestCount() >= 3);
    const SseTestRequest first = server.requests().at(0);
    QCOMPARE(first.method, QByteArray("GET"));
    QCOMPARE(first.target, QByteArray("/stream"));
    QCOMPARE(first.header("Accept"), QByteArray("text/event-stream"));
    QCOMPARE(first.header("Cache-Control"), QByteArray("no-cache"));
    QVERIFY(!first.hasHeader("Last-Event-ID"));
    // Cleartext HTTP/2 is not attempted by default: nothing to disable.
    QVERIFY(!first.hasHeader("Upgrade"));
}

void TestEventSource::sendsLastEventId()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int index) {
        // Non-ASCII IDs travel as their UTF-8 bytes.
        return index == 0 ? Response::stream({"id: \xD0\xB8\xD0\xB4-7\ndata: a\n\n"})
                          : Response::stream({"data: no id here\n\n"}, End::KeepOpen);
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.lastEventId = "seed-\xC3\xA9";
    source.open(settings);

    QTRY_COMPARE(record.events.size(), 2);
    QCOMPARE(server.requests().at(0).header("Last-Event-ID"), QByteArray("seed-\xC3\xA9"));
    QCOMPARE(server.requests().at(1).header("Last-Event-ID"), QByteArray("\xD0\xB8\xD0\xB4-7"));
    QCOMPARE(
        record.events.at(1).at(0).value<SseEvent>().lastEventId, QByteArray("\xD0\xB8\xD0\xB4-7"));
    QCOMPARE(source.lastEventId(), QByteArray("\xD0\xB8\xD0\xB4-7"));
}

void TestEventSource::honoursRetry()
{
    SseTestServer server({"retry: 40\ndata: a\n\n"});
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.initialDelayMs = 20000; // would be obvious if used
    settings.maxDelayMs = 60000;
    source.open(settings);

    QTRY_VERIFY(record.reconnects.size() >= 2);
    QCOMPARE(record.retries.at(0).at(0).toInt(), 40);
    // A healthy attempt resets the backoff, so each wait is drawn from [retry/2, retry].
    for (qsizetype i = 0; i < record.reconnects.size(); ++i) {
        QVERIFY2(record.delay(i) >= 20 && record.delay(i) <= 40,
            qPrintable(QString::number(record.delay(i))));
    }
}

void TestEventSource::backoffGrowsAndResets()
{
    QNetworkAccessManager network;
    EventSource source(&network);
    SseTestServer server;
    // Attempts 1-4 are dropped at once, 5 delivers an event and ends, later ones drop again.
    server.setHandler([&source](const SseTestRequest &, int) {
        Response response = Response::stream({"data: healthy\n\n"});
        if (source.attempt() != 5) {
            response.status = 0;
        }
        return response;
    });
    QVERIFY(server.listen());
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.initialDelayMs = 8;
    source.open(settings);

    QTRY_VERIFY(record.reconnects.size() >= 6);
    const QList<int> expected{8, 16, 32, 64, 8, 16};
    for (int i = 0; i < expected.size(); ++i) {
        const int d = expected.at(i);
        QVERIFY2(record.delay(i) >= d / 2 && record.delay(i) <= d,
            qPrintable(QStringLiteral("wait %1 was %2, expected [%3, %4]")
                           .arg(i)
                           .arg(record.delay(i))
                           .arg(d / 2)
                           .arg(d)));
    }
    QCOMPARE(record.events.size(), 1);
    QCOMPARE(record.errorStatus(0), 0);
}

void TestEventSource::openLongEnoughIsHealthy_data()
{
    QTest::addColumn<int>("healthyAfterMs");
    QTest::addColumn<int>("fourthWaitMs"); // after the attempt that opened and sent no event

    QTest::newRow("healthy") << 30 << 8;
    QTest::newRow("not long enough") << 60000 << 64;
}

void TestEventSource::openLongEnoughIsHealthy()
{
    QFETCH(int, healthyAfterMs);
    QFETCH(int, fourthWaitMs);
    QNetworkAccessManager network;
    EventSource source(&network);
    SseTestServer server;
    // Attempts 1-3 are dropped at once; 4 stays open about 100 ms with comments only.
    server.setHandler([&source](const SseTestRequest &, int) {
        Response response = Response::stream(QByteArrayList(5, ": keep-alive\n"));
        response.intervalMs = 20;
        if (source.attempt() != 4) {
            response.status = 0;
        }
        return response;
    });
    QVERIFY(server.listen());
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.initialDelayMs = 8;
    settings.healthyAfterMs = healthyAfterMs;
    settings.maxReconnects = 3; // the opened attempt does not count: a 5th attempt is made
    source.open(settings);

    QTRY_VERIFY(record.reconnects.size() >= 4);
    QCOMPARE(record.events.size(), 0);
    QCOMPARE(record.opens.size(), 1);
    const int wait = record.delay(3);
    QVERIFY2(wait >= fourthWaitMs / 2 && wait <= fourthWaitMs, qPrintable(QString::number(wait)));
}

void TestEventSource::noContentStops()
{
    SseTestServer server;
    server.setHandler(
        [](const SseTestRequest &, int) { return Response::error(204, "No Content"); });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));

    QTRY_COMPARE(record.closes.size(), 1);
    QCOMPARE(record.closeReason(0), EventSource::CloseReason::NoContent);
    QCOMPARE(source.state(), EventSource::State::Closed);
    QCOMPARE(record.errors.size(), 0);
    QCOMPARE(record.reconnects.size(), 0);
    QCOMPARE(server.requestCount(), 1);
}

void TestEventSource::contentType_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QString>("error"); // empty: the stream opens

    QTest::newRow("html") << QByteArray("text/html")
                          << QStringLiteral("expected text/event-stream, got text/html");
    QTest::newRow("missing") << QByteArray()
                             << QStringLiteral("expected text/event-stream, got nothing");
    QTest::newRow("json") << QByteArray("application/json; charset=utf-8")
                          << QStringLiteral(
                                 "expected text/event-stream, got application/json; charset=utf-8");
    QTest::newRow("prefix only") << QByteArray("text/event-streamx")
                                 << QStringLiteral(
                                        "expected text/event-stream, got text/event-streamx");
    QTest::newRow("charset") << QByteArray("text/event-stream; charset=utf-8") << QString();
    QTest::newRow("case") << QByteArray("Text/Event-Stream;charset=UTF-8") << QString();
}

void TestEventSource::contentType()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QString, error);
    SseTestServer server;
    server.setHandler([contentType](const SseTestRequest &, int) {
        Response response = Response::stream({"data: a\n\n"}, End::KeepOpen);
        response.headers.clear();
        if (!contentType.isEmpty()) {
            response.headers.append({"Content-Type", contentType});
        }
        return response;
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));

    if (error.isEmpty()) {
        QTRY_COMPARE(record.events.size(), 1);
        QCOMPARE(source.state(), EventSource::State::Open);
        return;
    }
    QTRY_COMPARE(record.closes.size(), 1);
    QCOMPARE(record.closeReason(0), EventSource::CloseReason::Fatal);
    QCOMPARE(record.errors.size(), 1);
    QCOMPARE(record.error(0), error);
    QCOMPARE(record.errorStatus(0), 200);
    QCOMPARE(record.events.size(), 0);
    QCOMPARE(record.opens.size(), 0);
    QCOMPARE(record.reconnects.size(), 0);
}

void TestEventSource::fatalStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");

    // A refusal's error text says what its body says: APIs explain themselves there.
    QTest::newRow("401") << 401 << QByteArray("Unauthorized") << QByteArray("not for you")
                         << QStringLiteral("HTTP 401 Unauthorized: not for you");
    QTest::newRow("401 with a JSON error")
        << 401 << QByteArray("Unauthorized")
        << QByteArray(R"({"error":{"message":"invalid token","type":"auth"}})")
        << QStringLiteral("HTTP 401 Unauthorized: invalid token");
    QTest::newRow("403 without a reason phrase, as over HTTP/2")
        << 403 << QByteArray() << QByteArray(R"({"message":"not allowed"})")
        << QStringLiteral("HTTP 403: not allowed");
    QTest::newRow("404") << 404 << QByteArray("Not Found") << QByteArray()
                         << QStringLiteral("HTTP 404 Not Found");
    QTest::newRow("410, long body cut")
        << 410 << QByteArray("Gone") << QByteArray(10000, 'g')
        << QStringLiteral("HTTP 410 Gone: ") + QString(300, QLatin1Char('g')) + QChar(0x2026);
    QTest::newRow("201") << 201 << QByteArray("Created") << QByteArray()
                         << QStringLiteral("HTTP 201 Created: not an event stream");
    QTest::newRow("302 without Location") << 302 << QByteArray("Found") << QByteArray()
                                          << QStringLiteral("HTTP 302 Found without a Location");
    QTest::newRow("304") << 304 << QByteArray("Not Modified") << QByteArray()
                         << QStringLiteral("HTTP 304 Not Modified: not an event stream");
}

void TestEventSource::fatalStatus()
{
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    SseTestServer server;
    server.setHandler([&](const SseTestRequest &, int) {
        Response response = Response::error(status, reason);
        response.headers
            = {{"Content-Type", body.startsWith('{') ? "application/json" : "text/plain"}};
        response.chunks = {body};
        // QNAM reads a 401's whole body before it reports it (it may answer the challenge),
        // so only the other statuses are left open: the body is not waited for beyond a bound.
        response.end = status == 401 ? End::Close : End::KeepOpen;
        return response;
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));

    QTRY_COMPARE(record.closes.size(), 1);
    QCOMPARE(record.closeReason(0), EventSource::CloseReason::Fatal);
    QCOMPARE(record.errors.size(), 1);
    QCOMPARE(record.error(0), error);
    QCOMPARE(record.errorStatus(0), status);
    QCOMPARE(record.events.size(), 0);
    QCOMPARE(record.reconnects.size(), 0);
    QCOMPARE(server.requestCount(), 1);
    // The connection is not left behind.
    QTRY_COMPARE(server.clientCount(), 0);
}

void TestEventSource::retriedStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");

    QTest::newRow("500") << 500 << QByteArray("Internal Server Error");
    QTest::newRow("502") << 502 << QByteArray("Bad Gateway");
    QTest::newRow("503") << 503 << QByteArray("Service Unavailable");
    QTest::newRow("408") << 408 << QByteArray("Request Timeout");
    QTest::newRow("429") << 429 << QByteArray("Too Many Requests");
}

void TestEventSource::retriedStatus()
{
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    SseTestServer server;
    server.setHandler([&](const SseTestRequest &, int index) {
        return index == 0 ? Response::error(status, reason)
                          : Response::stream({"data: back\n\n"}, End::KeepOpen);
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));

    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(record.errors.size(), 1);
    QCOMPARE(record.error(0), QStringLiteral("HTTP %1 %2").arg(status).arg(QLatin1String(reason)));
    QCOMPARE(record.errorStatus(0), status);
    QCOMPARE(record.reconnects.size(), 1);
    QCOMPARE(record.closes.size(), 0);
    QCOMPARE(source.state(), EventSource::State::Open);
}

void TestEventSource::retryAfterIsFloor_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("httpDate");
    QTest::addColumn<int>("minimumMs");
    QTest::addColumn<int>("maximumMs");

    QTest::newRow("429 seconds") << 429 << false << 3000 << 3000;
    // The date has whole seconds and the clock moves on: anything in (1 s, 4 s] is right.
    QTest::newRow("503 HTTP-date") << 503 << true << 1000 << 4000;
    QTest::newRow("500 ignores it") << 500 << false << 2 << 5;
}

void TestEventSource::retryAfterIsFloor()
{
    QFETCH(int, status);
    QFETCH(bool, httpDate);
    QFETCH(int, minimumMs);
    QFETCH(int, maximumMs);
    SseTestServer server;
    server.setHandler([&](const SseTestRequest &, int index) {
        const QByteArray retryAfter = httpDate
            ? QLocale::c()
                  .toString(QDateTime::currentDateTimeUtc().addSecs(3),
                      QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                  .toLatin1()
            : QByteArray("3");
        return index == 0 ? Response::error(status, "Busy", {{"Retry-After", retryAfter}})
                          : Response::stream({"data: back\n\n"}, End::KeepOpen);
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));

    QTRY_COMPARE(record.reconnects.size(), 1);
    QVERIFY2(record.delay(0) >= minimumMs && record.delay(0) <= maximumMs,
        qPrintable(QString::number(record.delay(0))));
    // No need to sit out the wait.
    source.reconnectNow();
    QTRY_COMPARE(record.events.size(), 1);
}

void TestEventSource::followsRedirect_data()
{
    QTest::addColumn<int>("status");
    QTest::newRow("301") << 301;
    QTest::newRow("302") << 302;
    QTest::newRow("307") << 307;
    QTest::newRow("308") << 308;
}

void TestEventSource::followsRedirect()
{
    QFETCH(int, status);
    SseTestServer server;
    server.setHandler([&](const SseTestRequest &request, int) {
        if (request.target == "/old/stream") {
            // Relative to the current URL.
            return Response::error(status, "Moved", {{"Location", "../new/stream?x=1"}});
        }
        return Response::stream({"data: moved\n\n"}, End::KeepOpen);
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url(QStringLiteral("/old/stream")));
    settings.headers = {{"Authorization", "Bearer same-origin"}};
    source.open(settings);

    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(record.connects.size(), 1);
    QCOMPARE(record.opens.size(), 1);
    QCOMPARE(record.errors.size(), 0);
    QCOMPARE(server.requestCount(), 2);
    QCOMPARE(server.requests().at(1).target, QByteArray("/new/stream?x=1"));
    QCOMPARE(server.requests().at(1).header("Authorization"), QByteArray("Bearer same-origin"));
}

void TestEventSource::dropsCredentialsAcrossOrigins()
{
    // Another port is another origin.
    SseTestServer target;
    target.setHandler([](const SseTestRequest &, int) {
        return Response::stream({"data: there\n\n"}, End::KeepOpen);
    });
    QVERIFY(target.listen());
    SseTestServer origin;
    origin.setHandler([&](const SseTestRequest &, int) {
        return Response::error(
            302, "Found", {{"Location", target.url(QStringLiteral("/s")).toEncoded()}});
    });
    QVERIFY(origin.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(origin.url());
    settings.headers = {{"Authorization", "Bearer secret"}, {"cookie", "a=b"}, {"X-Trace", "t1"}};
    source.open(settings);

    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(record.connects.size(), 1);
    QCOMPARE(origin.requests().at(0).header("Authorization"), QByteArray("Bearer secret"));
    QCOMPARE(origin.requests().at(0).header("Cookie"), QByteArray("a=b"));
    const SseTestRequest moved = target.requests().at(0);
    QVERIFY(!moved.hasHeader("Authorization"));
    QVERIFY(!moved.hasHeader("Cookie"));
    QCOMPARE(moved.header("X-Trace"), QByteArray("t1"));
}

void TestEventSource::redirectLoopIsFatal_data()
{
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second"); // where the first redirects to, and back
    QTest::newRow("to itself") << QByteArray("/loop") << QByteArray("/loop");
    QTest::newRow("between two") << QByteArray("/a") << QByteArray("/b");
}

void TestEventSource::redirectLoopIsFatal()
{
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    SseTestServer server;
    server.setHandler([&](const SseTestRequest &request, int) {
        return Response::error(
            302, "Found", {{"Location", request.target == first ? second : first}});
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url(QString::fromLatin1(first))));

    QTRY_COMPARE(record.closes.size(), 1);
    QCOMPARE(record.closeReason(0), EventSource::CloseReason::Fatal);
    QCOMPARE(record.errors.size(), 1);
    QVERIFY2(
        record.error(0).startsWith(QStringLiteral("too many redirects (more than 10), last to ")),
        qPrintable(record.error(0)));
    QCOMPARE(record.connects.size(), 1);
    QCOMPARE(record.reconnects.size(), 0);
    // The first request and ten redirects followed, alternating between the two targets.
    QCOMPARE(server.requestCount(), 11);
    for (int i = 0; i < 11; ++i) {
        QCOMPARE(server.requests().at(i).target, i % 2 == 0 ? first : second);
    }
}

void TestEventSource::tenRedirectsAreFollowed()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &request, int index) {
        if (index < 10) {
            return Response::error(
                307, "Temporary Redirect", {{"Location", "/hop" + QByteArray::number(index + 1)}});
        }
        return Response::stream({"data: arrived at " + request.target + "\n\n"}, End::KeepOpen);
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url(QStringLiteral("/hop0"))));

    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(record.data(0), QByteArray("arrived at /hop10"));
    QCOMPARE(record.connects.size(), 1);
    QCOMPARE(record.errors.size(), 0);
}

void TestEventSource::sendsHeadersOnEveryRequest()
{
    SseTestServer server({"data: a\n\n"});
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.headers = {{"X-Api-Key", "k1"}, {"Authorization", "Bearer t"}};
    source.open(settings);

    QTRY_VERIFY(server.requestCount() >= 3);
    source.close();
    for (const SseTestRequest &request : server.requests()) {
        QCOMPARE(request.header("X-Api-Key"), QByteArray("k1"));
        QCOMPARE(request.header("Authorization"), QByteArray("Bearer t"));
        QCOMPARE(request.header("Accept"), QByteArray("text/event-stream"));
    }
}

void TestEventSource::postsBody_data()
{
    QTest::addColumn<int>("redirect"); // 0: none
    QTest::addColumn<QByteArray>("finalMethod");
    QTest::addColumn<bool>("keepsBody");

    QTest::newRow("direct") << 0 << QByteArray("POST") << true;
    QTest::newRow("307 keeps it") << 307 << QByteArray("POST") << true;
    QTest::newRow("308 keeps it") << 308 << QByteArray("POST") << true;
    QTest::newRow("303 makes a GET") << 303 << QByteArray("GET") << false;
    QTest::newRow("301 makes a GET") << 301 << QByteArray("GET") << false;
}

void TestEventSource::postsBody()
{
    QFETCH(int, redirect);
    QFETCH(QByteArray, finalMethod);
    QFETCH(bool, keepsBody);
    const QByteArray body = R"({"prompt":"hi","stream":true})";
    SseTestServer server;
    server.setHandler([&](const SseTestRequest &request, int) {
        if (redirect != 0 && request.target == "/v1/chat") {
            return Response::error(redirect, "Redirect", {{"Location", "/v2/chat"}});
        }
        return Response::stream({"data: token\n\n"}, End::KeepOpen);
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url(QStringLiteral("/v1/chat")));
    settings.method = "POST";
    settings.body = body;
    settings.headers = {{"Content-Type", "application/json"}};
    source.open(settings);

    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(server.requests().first().method, QByteArray("POST"));
    QCOMPARE(server.requests().first().body, body);
    const SseTestRequest last = server.requests().last();
    QCOMPARE(last.method, finalMethod);
    QCOMPARE(last.body, keepsBody ? body : QByteArray());
    QCOMPARE(last.hasHeader("Content-Type"), keepsBody);
}

void TestEventSource::oneShotNeverReconnects_data()
{
    QTest::addColumn<QString>("answer");
    QTest::addColumn<int>("events");
    QTest::addColumn<int>("reason");
    QTest::addColumn<QString>("error");

    QTest::newRow("clean end") << QStringLiteral("complete") << 2
                               << int(EventSource::CloseReason::Complete) << QString();
    // A body cut short: tst_cli's onceCutShortFails (Qt 6.4 tells it only now and then).
    QTest::newRow("503") << QStringLiteral("503") << 0 << int(EventSource::CloseReason::Interrupted)
                         << QStringLiteral("503");
    QTest::newRow("idle") << QStringLiteral("silent") << 1
                          << int(EventSource::CloseReason::Interrupted)
                          << QStringLiteral("no data");
}

// An answer is asked for once: whatever ends it, the request is not sent again.
void TestEventSource::oneShotNeverReconnects()
{
    QFETCH(QString, answer);
    QFETCH(int, events);
    QFETCH(int, reason);
    QFETCH(QString, error);
    SseTestServer server;
    server.setHandler([&](const SseTestRequest &, int) {
        if (answer == QLatin1String("503")) {
            return Response::error(503, "Service Unavailable");
        }
        Response response = Response::stream({"data: one\n\n", "data: two\n\n"});
        if (answer == QLatin1String("silent")) {
            response.chunks = {"data: one\n\n", "data: tw"};
            response.end = End::KeepOpen;
        }
        response.chunked = true; // a clean end is the last chunk, not the connection's close
        return response;
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url(QStringLiteral("/v1/chat")));
    settings.method = "POST";
    settings.body = R"({"stream":true})";
    settings.oneShot = true;
    settings.idleTimeoutMs = answer == QLatin1String("silent") ? 300 : 0;
    source.open(settings);

    QTRY_COMPARE_WITH_TIMEOUT(record.closes.size(), 1, 10000);
    QCOMPARE(int(record.closeReason()), reason);
    QCOMPARE(record.events.size(), events);
    QCOMPARE(record.connects.size(), 1);
    QCOMPARE(record.reconnects.size(), 0);
    if (error.isEmpty()) {
        QCOMPARE(record.errors.size(), 0);
    } else {
        QCOMPARE(record.errors.size(), 1);
        QVERIFY2(record.error(0).contains(error, Qt::CaseInsensitive), qPrintable(record.error(0)));
    }
    // With a 5 ms reconnect delay a second request would be here by now.
    QTest::qWait(200);
    QCOMPARE(record.connects.size(), 1);
    QCOMPARE(source.state(), EventSource::State::Closed);
}

void TestEventSource::idleTimeoutReconnects()
{
    SseTestServer server;
    server.setHandler(
        [](const SseTestRequest &, int) { return Response::stream({}, End::KeepOpen); });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.idleTimeoutMs = 60;
    settings.initialDelayMs = 60000; // the test moves on with reconnectNow()
    settings.maxDelayMs = 60000;
    source.open(settings);

    QTRY_COMPARE(record.reconnects.size(), 1);
    QCOMPARE(record.opens.size(), 1);
    QCOMPARE(record.errors.size(), 1);
    QCOMPARE(record.error(0), QStringLiteral("no data for 60 ms: connection considered dead"));
    QCOMPARE(record.errorStatus(0), 0);
    // The dead connection was dropped.
    QTRY_COMPARE(server.clientCount(), 0);
    source.reconnectNow();
    QTRY_COMPARE(record.errors.size(), 2);
    QCOMPARE(record.opens.size(), 2);
    QCOMPARE(server.requestCount(), 2);
}

void TestEventSource::dataKeepsIdleTimeoutAway()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) {
        Response response = Response::stream(QByteArrayList(12, ": ping\n"), End::KeepOpen);
        response.chunks.append("data: done\n\n");
        response.intervalMs = 20;
        return response;
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.idleTimeoutMs = 100; // far less than the 260 ms the stream takes
    source.open(settings);

    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(record.errors.size(), 0);
    QCOMPARE(record.reconnects.size(), 0);
}

void TestEventSource::idleTimeoutNamesConnectionLimit()
{
    SseTestServer server;
    server.setHandler(
        [](const SseTestRequest &, int) { return Response::stream({": hello\n"}, End::KeepOpen); });
    QVERIFY(server.listen());
    // One manager opens at most 6 connections per host: a 7th stream waits for a free one.
    QNetworkAccessManager network;
    std::vector<std::unique_ptr<EventSource>> holders;
    for (int i = 0; i < 6; ++i) {
        holders.push_back(std::make_unique<EventSource>(&network));
        holders.back()->open(quickSettings(server.url()));
    }
    QTRY_COMPARE(server.requestCount(), 6);
    EventSource seventh(&network);
    EventSourceRecorder record(&seventh);
    EventSourceSettings settings = quickSettings(server.url());
    settings.idleTimeoutMs = 100;
    seventh.open(settings);

    QTRY_COMPARE(record.errors.size(), 1);
    QVERIFY2(record.error(0).startsWith(
                 QStringLiteral("no data for 100 ms: the request was never sent")),
        qPrintable(record.error(0)));
    QCOMPARE(server.requestCount(), 6);
    holders.front()->close();
    QTRY_VERIFY(record.opens.size() >= 1);
}

void TestEventSource::largeLineArrivesIntact()
{
    constexpr int kib = 1024;
    QByteArray payload;
    payload.reserve(8 * 1024 * kib);
    for (int i = 0; payload.size() < 8 * 1024 * kib; ++i) {
        payload += QByteArray::number(i % 10) + QByteArray(kib - 1, char('a' + i % 26));
    }
    QByteArrayList chunks{"data: "};
    for (qsizetype at = 0; at < payload.size(); at += kib) {
        chunks.append(payload.mid(at, kib));
    }
    chunks.append("\n\n");
    SseTestServer server;
    server.setHandler([&](const SseTestRequest &, int) {
        Response response = Response::stream(chunks, End::KeepOpen);
        response.intervalMs = 0; // one 1 KiB write per event-loop turn
        return response;
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));

    QVERIFY(record.events.wait(20000));
    QCOMPARE(record.events.size(), 1);
    QCOMPARE(record.data(0).size(), payload.size());
    QVERIFY(record.data(0) == payload);
    QCOMPARE(record.errors.size(), 0);
}

void TestEventSource::manyEventsInOrder_data()
{
    QTest::addColumn<bool>("chunked");
    QTest::newRow("plain") << false;
    QTest::newRow("chunked") << true;
}

void TestEventSource::manyEventsInOrder()
{
    QFETCH(bool, chunked);
    constexpr int count = 100000;
    QByteArrayList chunks;
    QByteArray chunk;
    for (int i = 0; i < count; ++i) {
        chunk += "id: " + QByteArray::number(i) + "\ndata: event " + QByteArray::number(i) + "\n\n";
        if (chunk.size() > 4000) {
            chunks.append(chunk);
            chunk.clear();
        }
    }
    chunks.append(chunk);
    SseTestServer server;
    server.setHandler([&](const SseTestRequest &, int) {
        Response response = Response::stream(chunks, End::KeepOpen);
        response.chunked = chunked;
        return response;
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    int received = 0;
    int outOfOrder = 0;
    qint64 bytes = 0;
    connect(&source, &EventSource::bytesReceived, this, [&](qint64 n) { bytes += n; });
    connect(&source, &EventSource::eventReceived, this, [&](const SseEvent &event) {
        if (event.data != "event " + QByteArray::number(received)) {
            ++outOfOrder;
        }
        ++received;
    });
    EventSourceSettings settings = quickSettings(server.url());
    settings.readBufferBytes = 64 * 1024; // backpressure is exercised, not just configured
    source.open(settings);

    QTRY_COMPARE_WITH_TIMEOUT(received, count, 20000);
    QCOMPARE(outOfOrder, 0);
    qint64 sent = 0;
    for (const QByteArray &piece : std::as_const(chunks)) {
        sent += piece.size();
    }
    QCOMPARE(bytes, sent); // the body as sent, without the chunked framing
    QCOMPARE(source.lastEventId(), QByteArray::number(count - 1));
}

void TestEventSource::oversizedEventIsDropped()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) {
        return Response::stream(
            {"data: " + QByteArray(2000, 'x') + "\n\n", "data: next\n\n"}, End::KeepOpen);
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.maxEventBytes = 1024;
    source.open(settings);

    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(record.data(0), QByteArray("next"));
    QCOMPARE(record.errors.size(), 1);
    QCOMPARE(record.errorStatus(0), 0);
    QVERIFY2(record.error(0).contains(QStringLiteral("1 KiB")), qPrintable(record.error(0)));
    QCOMPARE(source.eventsDropped(), quint64(1));
    // Dropping an event does not end the stream.
    QCOMPARE(record.reconnects.size(), 0);
    QCOMPARE(source.state(), EventSource::State::Open);
}

void TestEventSource::connectionRefusedRetries()
{
    SseTestServer server({"data: up\n\n"});
    const quint16 port = server.port();
    server.stop();
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));

    QTRY_VERIFY(record.reconnects.size() >= 2);
    QCOMPARE(record.errorStatus(0), 0);
    QVERIFY2(record.error(0).contains(QStringLiteral("refused"), Qt::CaseInsensitive),
        qPrintable(record.error(0)));
    QCOMPARE(record.opens.size(), 0);
    QVERIFY(server.listen(port));
    QTRY_VERIFY(record.events.size() >= 1);
    QCOMPARE(record.closes.size(), 0);
}

void TestEventSource::givesUp_data()
{
    QTest::addColumn<int>("maxReconnects");
    QTest::newRow("0") << 0;
    QTest::newRow("1") << 1;
    QTest::newRow("3") << 3;
}

void TestEventSource::givesUp()
{
    QFETCH(int, maxReconnects);
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return Response::error(500, "Down"); });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    QList<QByteArray> order;
    connect(&source, &EventSource::errorOccurred, this, [&] { order.append("error"); });
    connect(&source, &EventSource::closed, this, [&] { order.append("closed"); });
    EventSourceSettings settings = quickSettings(server.url());
    settings.maxReconnects = maxReconnects;
    source.open(settings);

    QTRY_COMPARE(record.closes.size(), 1);
    QCOMPARE(record.closeReason(0), EventSource::CloseReason::GaveUp);
    QCOMPARE(record.errors.size(), maxReconnects + 1);
    QCOMPARE(record.reconnects.size(), maxReconnects);
    QCOMPARE(record.connects.size(), maxReconnects + 1);
    QCOMPARE(order.last(), QByteArray("closed"));
    QCOMPARE(order.at(order.size() - 2), QByteArray("error"));
    QCOMPARE(source.state(), EventSource::State::Closed);
}

void TestEventSource::openResetsFailureCount()
{
    QNetworkAccessManager network;
    EventSource source(&network);
    SseTestServer server;
    // Attempt 2 opens and ends; every other attempt fails.
    server.setHandler([&source](const SseTestRequest &, int) {
        return source.attempt() == 2 ? Response::stream({"data: a\n\n"})
                                     : Response::error(500, "Down");
    });
    QVERIFY(server.listen());
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.maxReconnects = 1;
    source.open(settings);

    QTRY_COMPARE(record.closes.size(), 1);
    QCOMPARE(record.closeReason(0), EventSource::CloseReason::GaveUp);
    // 1 fails, 2 opens (count back to 0), 3 fails (1 allowed), 4 fails: give up.
    QCOMPARE(record.connects.size(), 4);
    QCOMPARE(record.errors.size(), 3);
    QCOMPARE(record.events.size(), 1);
}

void TestEventSource::resetAfterOpenReconnects()
{
    SseTestServer server({"data: a\n\n"});
    server.setHandler([](const SseTestRequest &, int) {
        Response response = Response::stream({"data: a\n\n", "data: unterminated"}, End::Reset);
        response.intervalMs = 10;
        // A reset ends a connection-delimited body as a close would; a chunked one fails.
        response.chunked = true;
        return response;
    });
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.maxReconnects = 0; // an attempt that opened is not a failure
    source.open(settings);

    QTRY_VERIFY(record.reconnects.size() >= 2);
    QVERIFY(record.errors.size() >= 2);
    QCOMPARE(record.errorStatus(0), 0);
    QCOMPARE(record.closes.size(), 0);
    // The unterminated event is discarded at the end of each stream.
    for (qsizetype i = 0; i < record.events.size(); ++i) {
        QCOMPARE(record.data(i), QByteArray("a"));
    }
}

void TestEventSource::closeInsideSlot()
{
    SseTestServer server({"data: 1\n\ndata: 2\n\ndata: 3\n\n"});
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    connect(&source, &EventSource::eventReceived, this, [&] { source.close(); });
    source.open(quickSettings(server.url()));

    QTRY_COMPARE(record.closes.size(), 1);
    QCOMPARE(record.closeReason(0), EventSource::CloseReason::Requested);
    QCOMPARE(source.state(), EventSource::State::Closed);
    QTRY_COMPARE(server.clientCount(), 0);
    QCOMPARE(record.events.size(), 1);
    QCOMPARE(record.reconnects.size(), 0);
    source.close();
    QCOMPARE(record.closes.size(), 1);
}

void TestEventSource::deleteInsideSlot()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) {
        return Response::stream({"data: 1\n\ndata: 2\n\n"}, End::KeepOpen);
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    QPointer<EventSource> source = new EventSource(&network);
    int events = 0;
    connect(source, &EventSource::eventReceived, this, [&] {
        ++events;
        delete source.data();
    });
    source->open(quickSettings(server.url()));

    QTRY_VERIFY(source.isNull());
    QCOMPARE(events, 1);
    // Its connection went with it.
    QTRY_COMPARE(server.clientCount(), 0);
}

void TestEventSource::eventLoopInsideSlot()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int index) {
        Response response = Response::stream({"data: 1\n\n", "data: 2\n\n", "data: 3\n\n"});
        response.intervalMs = 5;
        response.end = index == 0 ? End::Close : End::KeepOpen;
        return response;
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    bool waited = false;
    bool replyFinished = false;
    bool finishedInside = false;
    connect(&network, &QNetworkAccessManager::finished, this, [&] { replyFinished = true; });
    // As a modal dialog would: the rest of the stream and its end arrive inside the slot.
    connect(&source, &EventSource::eventReceived, this, [&] {
        if (!waited) {
            waited = true;
            finishedInside = QTest::qWaitFor([&] { return replyFinished; });
        }
    });
    source.open(quickSettings(server.url()));

    QTRY_COMPARE(record.events.size(), 6);
    QVERIFY(finishedInside);
    for (qsizetype i = 0; i < record.events.size(); ++i) {
        QCOMPARE(record.data(i), QByteArray::number(i % 3 + 1));
    }
    QCOMPARE(record.errors.size(), 0);
    QCOMPARE(record.reconnects.size(), 1);
}

void TestEventSource::destructorEmitsNothing()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) {
        return Response::stream({"data: 1\n\n"}, End::KeepOpen);
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    auto *source = new EventSource(&network);
    int emitted = 0;
    connect(source, &EventSource::closed, this, [&] { ++emitted; });
    connect(source, &EventSource::errorOccurred, this, [&] { ++emitted; });
    connect(source, &EventSource::stateChanged, this, [&] { ++emitted; });
    QSignalSpy events(source, &EventSource::eventReceived);
    source->open(quickSettings(server.url()));
    QVERIFY(events.wait());
    emitted = 0;
    delete source;
    QCOMPARE(emitted, 0);
    QTRY_COMPARE(server.clientCount(), 0);
}

void TestEventSource::reconnectNowSkipsWait()
{
    SseTestServer server({"data: a\n\n"});
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.initialDelayMs = 60000;
    settings.maxDelayMs = 60000;
    source.open(settings);

    QTRY_COMPARE(record.reconnects.size(), 1);
    QCOMPARE(record.connects.size(), 1);
    source.reconnectNow();
    QTRY_COMPARE(record.events.size(), 2);
    QCOMPARE(record.connects.size(), 2);
    QCOMPARE(record.connects.at(1).at(0).toInt(), 2);
}

void TestEventSource::chunking_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QByteArrayList>("data");

    QTest::newRow("whole") << QByteArrayList{"data: a\n\n"} << QByteArrayList{"a"};
    QTest::newRow("CR|LF split") << QByteArrayList{"data: a\r", "\n\r", "\ndata: b\r", "\n\r\n"}
                                 << QByteArrayList{"a", "b"};
    QTest::newRow("lone CRs") << QByteArrayList{"data: a\r", "\r", "data: b\r\r"}
                              << QByteArrayList{"a", "b"};
    QTest::newRow("bytewise") << QByteArrayList{"d", "a", "t", "a", ":", " ", "x", "\r", "\n", "\n"}
                              << QByteArrayList{"x"};
    QTest::newRow("BOM split") << QByteArrayList{"\xEF",
        "\xBB\xBF"
        "data: bom\n\n"} << QByteArrayList{"bom"};
}

void TestEventSource::chunking()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QByteArrayList, data);
    SseTestServer server;
    server.setHandler([&](const SseTestRequest &, int) {
        Response response = Response::stream(chunks, End::KeepOpen);
        response.intervalMs = 5; // separate TCP segments
        return response;
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));

    QTRY_COMPARE(record.events.size(), data.size());
    for (qsizetype i = 0; i < data.size(); ++i) {
        QCOMPARE(record.data(i), data.at(i));
    }
}

void TestEventSource::rejectsBadSettings_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<QString>("error");

    const QUrl good(QStringLiteral("http://127.0.0.1:1/"));
    QTest::newRow("ftp") << QUrl(QStringLiteral("ftp://127.0.0.1/x")) << QByteArray("GET")
                         << HeaderList{}
                         << QStringLiteral("not an http or https URL: \"ftp://127.0.0.1/x\"");
    QTest::newRow("relative") << QUrl(QStringLiteral("/stream")) << QByteArray("GET")
                              << HeaderList{}
                              << QStringLiteral("not an http or https URL: \"/stream\"");
    QTest::newRow("CRLF in value")
        << good << QByteArray("GET") << HeaderList{{"X-A", "1\r\nX-Injected: 2"}}
        << QStringLiteral("header X-A: value contains CR, LF or NUL");
    QTest::newRow("space in name") << good << QByteArray("GET") << HeaderList{{"X A", "1"}}
                                   << QStringLiteral("invalid header name \"X A\"");
    QTest::newRow("method") << good << QByteArray("GET /x") << HeaderList{}
                            << QStringLiteral("invalid HTTP method \"GET /x\"");
}

void TestEventSource::rejectsBadSettings()
{
    QFETCH(QUrl, url);
    QFETCH(QByteArray, method);
    QFETCH(HeaderList, headers);
    QFETCH(QString, error);
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(url);
    settings.method = method;
    settings.headers = headers;
    source.open(settings);

    QCOMPARE(record.errors.size(), 1);
    QCOMPARE(record.error(0), error);
    QCOMPARE(record.closes.size(), 1);
    QCOMPARE(record.closeReason(0), EventSource::CloseReason::Fatal);
    QCOMPARE(record.connects.size(), 0);
    QCOMPARE(source.state(), EventSource::State::Closed);
}

namespace {

// Trusts the test server's certificate for as long as it lives.
class TrustTestCertificate
{
public:
    TrustTestCertificate()
        : m_saved(QSslConfiguration::defaultConfiguration())
    {
        QSslConfiguration configuration = m_saved;
        configuration.addCaCertificate(SseTestServer::tlsCertificate());
        QSslConfiguration::setDefaultConfiguration(configuration);
    }
    ~TrustTestCertificate() { QSslConfiguration::setDefaultConfiguration(m_saved); }

private:
    QSslConfiguration m_saved;
};

} // namespace

void TestEventSource::streamsOverTls()
{
    const TrustTestCertificate trust;
    SseTestServer server;
    server.setTlsEnabled(true);
    server.setHandler([](const SseTestRequest &, int) {
        return Response::stream({"data: secret\n\n"}, End::KeepOpen);
    });
    QVERIFY(server.listen());
    QCOMPARE(server.url().scheme(), QStringLiteral("https"));
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));

    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(record.data(0), QByteArray("secret"));
    QCOMPARE(record.errors.size(), 0);
}

void TestEventSource::refusesHttpsToHttpRedirect()
{
    const TrustTestCertificate trust;
    SseTestServer plain;
    plain.setHandler([](const SseTestRequest &, int) {
        return Response::stream({"data: downgraded\n\n"}, End::KeepOpen);
    });
    QVERIFY(plain.listen());
    SseTestServer secure;
    secure.setTlsEnabled(true);
    secure.setHandler([&](const SseTestRequest &, int) {
        return Response::error(
            307, "Temporary Redirect", {{"Location", plain.url(QStringLiteral("/s")).toEncoded()}});
    });
    QVERIFY(secure.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(secure.url()));

    QTRY_COMPARE(record.closes.size(), 1);
    QCOMPARE(record.closeReason(0), EventSource::CloseReason::Fatal);
    QCOMPARE(record.errors.size(), 1);
    QVERIFY2(record.error(0).startsWith(
                 QStringLiteral("refusing to follow a redirect from https to http")),
        qPrintable(record.error(0)));
    QCOMPARE(secure.requestCount(), 1);
    QCOMPARE(plain.requestCount(), 0);
}

void TestEventSource::untrustedCertificateIsFatal()
{
    SseTestServer server;
    server.setTlsEnabled(true);
    server.setHandler([](const SseTestRequest &, int) {
        return Response::stream({"data: secret\n\n"}, End::KeepOpen);
    });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));

    QTRY_COMPARE(record.closes.size(), 1);
    QCOMPARE(record.closeReason(0), EventSource::CloseReason::Fatal);
    QCOMPARE(record.errors.size(), 1);
    // The reason is in the message.
    QVERIFY2(record.error(0).contains(QStringLiteral("handshake"))
            && record.error(0).contains(QStringLiteral("self-signed")),
        qPrintable(record.error(0)));
    QCOMPARE(record.errorStatus(0), 0);
    QCOMPARE(record.reconnects.size(), 0);
    QCOMPARE(record.events.size(), 0);
}

void TestEventSource::certificates_data()
{
    QTest::addColumn<QByteArray>("certificate"); // the server's; empty: SseTestServer's own
    QTest::addColumn<QByteArray>("caFile"); // PEM written to the CA file; empty: none
    QTest::addColumn<QString>("error"); // expected in the refusal; empty: the stream opens
    const QByteArray testCa(s_caCertificatePem);
    QTest::newRow("trusted via CA file") << QByteArray(s_goodCertificatePem) << testCa << QString();
    QTest::newRow("self-signed trusted via CA file")
        << QByteArray() << SseTestServer::tlsCertificate().toPem() << QString();
    QTest::newRow("untrusted") << QByteArray(s_goodCertificatePem) << QByteArray()
                               << QStringLiteral("TLS handshake failed: certificate for 127.0.0.1 "
                                                 "is not trusted (subject: 127.0.0.1; issuer: "
                                                 "Streamscope Test CA)");
    QTest::newRow("self-signed untrusted")
        << QByteArray() << QByteArray()
        << QStringLiteral("certificate for 127.0.0.1 is not trusted (subject: 127.0.0.1; issuer: "
                          "127.0.0.1)");
    QTest::newRow("wrong host") << QByteArray(s_wronghostCertificatePem) << testCa
                                << QStringLiteral("host name mismatch: certificate is for "
                                                  "wrong.example, not 127.0.0.1 (subject: "
                                                  "wrong.example; issuer: Streamscope Test CA)");
    QTest::newRow("expired") << QByteArray(s_expiredCertificatePem) << testCa
                             << QStringLiteral("certificate for 127.0.0.1 expired on "
                                               "2020-01-01T00:00:00Z");
}

void TestEventSource::certificates()
{
    QFETCH(QByteArray, certificate);
    QFETCH(QByteArray, caFile);
    QFETCH(QString, error);
    std::unique_ptr<testtls::TlsSseServer> custom;
    SseTestServer builtIn;
    QUrl url;
    if (certificate.isEmpty()) {
        builtIn.setTlsEnabled(true);
        builtIn.setHandler([](const SseTestRequest &, int) {
            return Response::stream({"data: hello\n\n"}, End::KeepOpen);
        });
        QVERIFY(builtIn.listen());
        url = builtIn.url();
    } else {
        custom = std::make_unique<testtls::TlsSseServer>(certificate.constData());
        QVERIFY(custom->isListening());
        url = custom->url();
    }
    const testtls::CaFile ca(caFile);
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    QSignalSpy warnings(&source, &EventSource::certificateWarning);
    EventSourceSettings settings = quickSettings(url);
    if (!caFile.isEmpty()) {
        settings.caCertificatesFile = ca.fileName();
    }
    source.open(settings);

    if (error.isEmpty()) {
        QTRY_COMPARE(record.events.size(), 1);
        QCOMPARE(record.data(0), QByteArray("hello"));
        QCOMPARE(record.errors.size(), 0);
    } else {
        // Fatal: retrying cannot make a certificate trusted.
        QTRY_COMPARE(record.closes.size(), 1);
        QCOMPARE(record.closeReason(0), EventSource::CloseReason::Fatal);
        QCOMPARE(record.errors.size(), 1);
        QVERIFY2(record.error(0).contains(error), qPrintable(record.error(0)));
        QCOMPARE(record.reconnects.size(), 0);
        QCOMPARE(record.events.size(), 0);
    }
    QCOMPARE(warnings.size(), 0);
}

void TestEventSource::ignoredCertificateErrorsWarn()
{
    testtls::TlsSseServer server(s_wronghostCertificatePem); // untrusted and for another host
    QVERIFY(server.isListening());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    QSignalSpy warnings(&source, &EventSource::certificateWarning);
    EventSourceSettings settings = quickSettings(server.url());
    settings.ignoreCertificateErrors = true;
    source.open(settings);

    QTRY_COMPARE(record.events.size(), 1);
    QCOMPARE(record.errors.size(), 0);
    QCOMPARE(warnings.size(), 1);
    const QString warning = warnings.at(0).at(0).toString();
    QVERIFY2(warning.contains(QStringLiteral("certificate for 127.0.0.1 is not trusted"))
            && warning.contains(QStringLiteral("host name mismatch"))
            && warning.endsWith(QStringLiteral("proceeding, since certificate errors are "
                                               "ignored for this stream")),
        qPrintable(warning));
}

void TestEventSource::unreadableCaFileIsFatal_data()
{
    QTest::addColumn<bool>("exists");
    QTest::addColumn<QString>("error");
    QTest::newRow("missing") << false << QStringLiteral("No such file or directory");
    QTest::newRow("no PEM inside") << true << QStringLiteral("holds no PEM certificate");
}

void TestEventSource::unreadableCaFileIsFatal()
{
    QFETCH(bool, exists);
    QFETCH(QString, error);
    const testtls::CaFile notPem("not a certificate\n");
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(QUrl(QStringLiteral("https://127.0.0.1:1/")));
    settings.caCertificatesFile
        = exists ? notPem.fileName() : QStringLiteral("/nonexistent/streamscope-ca.pem");
    source.open(settings);

    QTRY_COMPARE(record.closes.size(), 1);
    QCOMPARE(record.closeReason(0), EventSource::CloseReason::Fatal);
    QVERIFY2(record.error(0).startsWith(QStringLiteral("CA certificates file \""))
            && record.error(0).contains(error),
        qPrintable(record.error(0)));
    QCOMPARE(record.connects.size(), 0);
}

void TestEventSource::unreachableHostRetries_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QString>("error");
    // RFC 6761: .invalid names never resolve, on any resolver.
    QTest::newRow("DNS failure") << QUrl(QStringLiteral("http://streamscope-test.invalid/stream"))
                                 << QStringLiteral("streamscope-test.invalid");
    QTest::newRow("connection refused")
        << QUrl(QStringLiteral("http://127.0.0.1:%1/stream").arg(unusedLocalPort()))
        << QStringLiteral("Connection refused");
}

void TestEventSource::unreachableHostRetries()
{
    QFETCH(QUrl, url);
    QFETCH(QString, error);
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(url);
    settings.maxDelayMs = 50;
    source.open(settings);
    // An error each time, and the source keeps trying: the network may come back.
    QTRY_VERIFY_WITH_TIMEOUT(record.connects.size() >= 3, 20000);
    QVERIFY(record.errors.size() >= 2);
    QVERIFY2(record.error(0).contains(error, Qt::CaseInsensitive), qPrintable(record.error(0)));
    QVERIFY(record.reconnects.size() >= 2);
    QCOMPARE(record.closes.size(), 0);
}

void TestEventSource::silentServerTimesOut()
{
    RawTestServer server; // accepts, reads, never answers: not even a status line
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.idleTimeoutMs = 200;
    settings.maxDelayMs = 50;
    source.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(record.errors.size() >= 2, 10000);
    QCOMPARE(record.error(0), QStringLiteral("no data for 200 ms: connection considered dead"));
    QVERIFY(record.reconnects.size() >= 1);
    QVERIFY(server.connections >= 2);
    QCOMPARE(record.closes.size(), 0);
}

void TestEventSource::malformedBytesLoseNoEvent_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QByteArrayList>("data"); // of the events, in order
    QTest::addColumn<QByteArrayList>("ids"); // each event's last event ID
    QTest::newRow("invalid UTF-8 is replaced") << QByteArrayList{"data: a\xff", "b\xc3\x28 c\n\n"}
                                               << QByteArrayList{"a\xEF\xBF\xBD"
                                                                 "b\xEF\xBF\xBD( c"}
                                               << QByteArrayList{""};
    QTest::newRow("NUL in an id is ignored")
        << QByteArrayList{"id: 1\ndata: x\n\n", QByteArray("id: 2\0two\ndata: y\n\n", 20)}
        << QByteArrayList{"x", "y"} << QByteArrayList{"1", "1"};
    QTest::newRow("binary garbage between events")
        << QByteArrayList{"data: a\n\n", QByteArray("\0\x01\x02\xfe\r\r\n", 7), "data: b\n\n"}
        << QByteArrayList{"a", "b"} << QByteArrayList{"", ""};
}

void TestEventSource::malformedBytesLoseNoEvent()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QByteArrayList, data);
    QFETCH(QByteArrayList, ids);
    SseTestServer server;
    server.setHandler(
        [chunks](const SseTestRequest &, int) { return Response::stream(chunks, End::KeepOpen); });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));
    QTRY_COMPARE(record.events.size(), data.size());
    for (qsizetype i = 0; i < data.size(); ++i) {
        QCOMPARE(record.event(i).data, data.at(i));
        QCOMPARE(record.event(i).lastEventId, ids.at(i));
    }
    QCOMPARE(record.errors.size(), 0);
}

void TestEventSource::hugeEventIsDroppedNextArrives()
{
    // 50 MiB in one event, over the 16 MiB default cap, in 1 MiB writes.
    QByteArrayList chunks{"data: before\n\ndata: "};
    const QByteArray mebibyte(1024 * 1024, 'x');
    for (int i = 0; i < 50; ++i) {
        chunks.append(mebibyte);
    }
    chunks.append("\n\ndata: after\n\n");
    SseTestServer server;
    server.setHandler(
        [&](const SseTestRequest &, int) { return Response::stream(chunks, End::KeepOpen); });
    QVERIFY(server.listen());
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    source.open(quickSettings(server.url()));
    QTRY_VERIFY_WITH_TIMEOUT(record.events.size() == 2, 20000);
    QCOMPARE(record.data(0), QByteArray("before"));
    QCOMPARE(record.data(1), QByteArray("after"));
    QCOMPARE(record.errors.size(), 1);
    QCOMPARE(
        record.error(0), QStringLiteral("event dropped: larger than the 16 MiB cap on one event"));
    QCOMPARE(source.eventsDropped(), quint64(1));
    QCOMPARE(record.reconnects.size(), 0); // the stream itself was fine
}

void TestEventSource::hugeResponseHeaderIsFatal()
{
    RawTestServer server([](QTcpSocket *socket, const QByteArray &) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Huge: ");
        socket->write(QByteArray(200 * 1024, 'h'));
        socket->write("\r\n\r\ndata: after the header\n\n");
    });
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.idleTimeoutMs = 120000; // Qt is busy with the head, not silent
    source.open(settings);
    // Qt 6.4 drops every header when the head passes 100 KiB: the source says so and stops.
    // Qt's work on a long head grows faster than its length (1 MiB took 2 s on an idle machine,
    // 34 s on a busy one), so the head is only twice the limit and the wait is generous.
    QTRY_VERIFY2_WITH_TIMEOUT(record.closes.size() == 1, qPrintable(record.allErrors()), 60000);
    QCOMPARE(record.closeReason(), EventSource::CloseReason::Fatal);
    QCOMPARE(record.errors.size(), 1);
    QCOMPARE(record.error(0),
        QStringLiteral("expected text/event-stream, got a response without any header (none "
                       "sent, or too large to read)"));
    QCOMPARE(record.events.size(), 0);
}

void TestEventSource::http10WithoutChunking()
{
    RawTestServer server([](QTcpSocket *socket, const QByteArray &) {
        // HTTP/1.0: no Transfer-Encoding, no Content-Length; the body ends with the connection.
        socket->write("HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
                      "id: 7\ndata: old server\n\n");
        socket->disconnectFromHost();
    });
    QNetworkAccessManager network;
    EventSource source(&network);
    EventSourceRecorder record(&source);
    EventSourceSettings settings = quickSettings(server.url());
    settings.maxDelayMs = 50;
    source.open(settings);
    QTRY_VERIFY_WITH_TIMEOUT(record.events.size() >= 2, 10000);
    QCOMPARE(record.data(0), QByteArray("old server"));
    QCOMPARE(record.data(1), QByteArray("old server"));
    QVERIFY(record.connects.size() >= 2); // the close is a reconnect, not an error
    QCOMPARE(record.errors.size(), 0);
    QCOMPARE(source.lastEventId(), QByteArray("7"));
}

QTEST_GUILESS_MAIN(TestEventSource)
#include "tst_eventsource.moc"
