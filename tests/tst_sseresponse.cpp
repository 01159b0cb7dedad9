// SPDX-License-Identifier: GPL-3.0-or-later
// The rules EventSource applies to a response's head and end, as plain functions: what each
// status and content type calls for, when a body was cut short, and Retry-After.
#include "sseresponse.h"

#include <QDateTime>
#include <QLocale>
#include <QTest>

using namespace streamscope;
using Action = SseResponseVerdict::Action;

class TestSseResponse : public QObject
{
    Q_OBJECT

private slots:
    void verdict_data();
    void verdict();
    void bodyComplete_data();
    void bodyComplete();
    void retryAfter_data();
    void retryAfter();
    void retryAfterDate();
};

void TestSseResponse::verdict_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("retryAfter");
    QTest::addColumn<bool>("anyHeader");
    QTest::addColumn<Action>("action");
    QTest::addColumn<bool>("fatal");
    QTest::addColumn<int>("retryAfterMs");
    QTest::addColumn<QString>("error"); // a part of it; empty: none

    QTest::newRow("200 event stream") << 200 << QByteArray("text/event-stream") << QByteArray()
                                      << true << Action::Open << false << 0 << QString();
    QTest::newRow("200 with charset and spaces")
        << 200 << QByteArray(" text/event-stream; charset=utf-8 ") << QByteArray() << true
        << Action::Open << false << 0 << QString();
    QTest::newRow("200 html") << 200 << QByteArray("text/html") << QByteArray() << true
                              << Action::Fail << false << 0
                              << QStringLiteral("expected text/event-stream, got text/html");
    QTest::newRow("200 no content type")
        << 200 << QByteArray() << QByteArray() << true << Action::Fail << false << 0
        << QStringLiteral("got nothing");
    QTest::newRow("200 without any header")
        << 200 << QByteArray() << QByteArray() << false << Action::Fail << false << 0
        << QStringLiteral("without any header");
    QTest::newRow("204 stops") << 204 << QByteArray() << QByteArray() << true << Action::Stop
                               << false << 0 << QString();
    for (const int status : {301, 302, 303, 307, 308}) {
        QTest::addRow("%d redirects", status) << status << QByteArray() << QByteArray() << true
                                              << Action::Redirect << false << 0 << QString();
    }
    QTest::newRow("404 is fatal") << 404 << QByteArray("text/plain") << QByteArray() << true
                                  << Action::Refuse << true << 0 << QString();
    QTest::newRow("408 is retried")
        << 408 << QByteArray() << QByteArray() << true << Action::Refuse << false << 0 << QString();
    QTest::newRow("429 says when") << 429 << QByteArray() << QByteArray("5") << true
                                   << Action::Refuse << false << 5000 << QString();
    QTest::newRow("503 says when") << 503 << QByteArray() << QByteArray("120") << true
                                   << Action::Refuse << false << 120000 << QString();
    QTest::newRow("500 Retry-After not read") << 500 << QByteArray() << QByteArray("5") << true
                                              << Action::Refuse << false << 0 << QString();
    QTest::newRow("201 is not a stream")
        << 201 << QByteArray("text/event-stream") << QByteArray() << true << Action::Fail << false
        << 0 << QStringLiteral("not an event stream");
}

void TestSseResponse::verdict()
{
    QFETCH(int, status);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, retryAfter);
    QFETCH(bool, anyHeader);
    QFETCH(Action, action);
    QFETCH(bool, fatal);
    QFETCH(int, retryAfterMs);
    QFETCH(QString, error);

    const SseResponseVerdict verdict
        = judgeSseResponse(status, "Reason", contentType, retryAfter, anyHeader);
    QCOMPARE(verdict.action, action);
    QCOMPARE(verdict.fatal, fatal);
    QCOMPARE(verdict.retryAfterMs, retryAfterMs);
    if (error.isEmpty()) {
        QVERIFY2(verdict.error.isEmpty(), qPrintable(verdict.error));
    } else {
        QVERIFY2(verdict.error.contains(error), qPrintable(verdict.error));
    }
}

void TestSseResponse::bodyComplete_data()
{
    QTest::addColumn<qint64>("received");
    QTest::addColumn<qint64>("contentLength"); // -1: none sent
    QTest::addColumn<bool>("encoded");
    QTest::addColumn<QString>("error");

    QTest::newRow("whole") << qint64(100) << qint64(100) << false << QString();
    QTest::newRow("no length") << qint64(3) << qint64(-1) << false << QString();
    QTest::newRow("short") << qint64(40) << qint64(100) << false
                           << QStringLiteral("the response ended after 40 of its 100 bytes");
    QTest::newRow("short but encoded: cannot tell")
        << qint64(40) << qint64(100) << true << QString();
    QTest::newRow("empty of zero") << qint64(0) << qint64(0) << false << QString();
}

void TestSseResponse::bodyComplete()
{
    QFETCH(qint64, received);
    QFETCH(qint64, contentLength);
    QFETCH(bool, encoded);
    QFETCH(QString, error);
    const std::optional<qint64> length
        = contentLength < 0 ? std::nullopt : std::optional<qint64>(contentLength);
    QCOMPARE(checkBodyComplete(received, length, encoded), error);
}

void TestSseResponse::retryAfter_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("ms");

    QTest::newRow("absent") << QByteArray() << 0;
    QTest::newRow("seconds") << QByteArray("30") << 30000;
    QTest::newRow("padded") << QByteArray(" 2 ") << 2000;
    QTest::newRow("zero") << QByteArray("0") << 0;
    QTest::newRow("a day at most") << QByteArray("999999") << 86400000;
    QTest::newRow("absurdly many digits") << QByteArray("99999999999999999999") << 86400000;
    QTest::newRow("negative") << QByteArray("-5") << 0;
    QTest::newRow("fraction") << QByteArray("1.5") << 0;
    QTest::newRow("words") << QByteArray("soon") << 0;
    QTest::newRow("a date in the past") << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << 0;
}

void TestSseResponse::retryAfter()
{
    QFETCH(QByteArray, header);
    QFETCH(int, ms);
    QCOMPARE(parseRetryAfter(header), ms);
}

void TestSseResponse::retryAfterDate()
{
    // An IMF-fixdate a minute ahead reads as about a minute; the clock moves while we look.
    const QDateTime ahead = QDateTime::currentDateTimeUtc().addSecs(60);
    const QByteArray header
        = QLocale::c()
              .toString(ahead, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
              .toLatin1();
    const int ms = parseRetryAfter(header);
    QVERIFY2(ms > 50000 && ms <= 60000, qPrintable(QString::number(ms)));
}

QTEST_APPLESS_MAIN(TestSseResponse)
#include "tst_sseresponse.moc"
