// SPDX-License-Identifier: GPL-3.0-or-later
#include "answerrun.h"

#include <QTest>

using namespace streamscope;

// One request's answer: how it ended decides complete or interrupted, and what it keeps for
// its export is bounded.
class TestAnswerRun : public QObject
{
    Q_OBJECT

private slots:
    void outcome_data();
    void outcome();
    void keptEventsAreBounded();
};

namespace {

using Events = QList<std::pair<QByteArray, QByteArray>>; // type, data

const QByteArray chunk = R"({"object":"chat.completion.chunk","choices":[{"index":0,)"
                         R"("delta":{"content":"hi"}}]})";

} // namespace

void TestAnswerRun::outcome_data()
{
    QTest::addColumn<Events>("events");
    QTest::addColumn<QString>("failure"); // what the connection said at its end; empty: clean
    QTest::addColumn<int>("outcome");
    QTest::addColumn<QString>("interruption");

    QTest::newRow("end marker") << Events{{"message", chunk}, {"message", "[DONE]"}} << QString()
                                << int(AnswerRun::Outcome::Complete) << QString();
    QTest::newRow("end marker, then a failure: still complete")
        << Events{{"message", chunk}, {"message", "[DONE]"}} << QStringLiteral("reset")
        << int(AnswerRun::Outcome::Complete) << QString();
    QTest::newRow("clean end without the marker")
        << Events{{"message", chunk}} << QString() << int(AnswerRun::Outcome::Interrupted)
        << QStringLiteral("the response ended before the answer did (no end marker)");
    QTest::newRow("failure mid-answer")
        << Events{{"message", chunk}} << QStringLiteral("Connection closed")
        << int(AnswerRun::Outcome::Interrupted) << QStringLiteral("Connection closed");
    QTest::newRow("error event after 200")
        << Events{{"message_start",
                      R"({"type":"message_start","message":{"id":"m","model":"x",)"
                      R"("usage":{"input_tokens":3,"output_tokens":1}}})"},
               {"error",
                   R"({"type":"error","error":{"type":"overloaded_error",)"
                   R"("message":"Overloaded"}})"}}
        << QString() << int(AnswerRun::Outcome::Interrupted)
        << QStringLiteral("the server reported overloaded_error: Overloaded");
}

void TestAnswerRun::outcome()
{
    QFETCH(Events, events);
    QFETCH(QString, failure);
    QFETCH(int, outcome);
    QFETCH(QString, interruption);
    AnswerRun run(TokenFormat::Auto, 1000, 0);
    run.headersReceived(10);
    qint64 at = 100;
    for (const auto &[type, data] : events) {
        run.eventArrived(at += 50, type, data);
    }
    run.ended(at + 10, failure);
    QCOMPARE(int(run.outcome()), outcome);
    QCOMPARE(run.interruption(), interruption);
    QCOMPARE(run.events(), int(events.size()));
    QCOMPARE(run.keptEvents().size(), events.size());
    QCOMPARE(run.keptEvents().first().atMs, 150); // after the request, sent at 0
    // Ended is final: nothing after it changes the run.
    run.eventArrived(at + 20, "message", chunk);
    QCOMPARE(run.events(), int(events.size()));
    QCOMPARE(int(run.outcome()), outcome);
}

void TestAnswerRun::keptEventsAreBounded()
{
    AnswerRun byCount(TokenFormat::OpenAiChat, 0, 0);
    for (int i = 0; i < AnswerRun::MaxKeptEvents + 5; ++i) {
        byCount.eventArrived(i, "message", chunk);
    }
    QCOMPARE(byCount.keptEvents().size(), AnswerRun::MaxKeptEvents);
    QCOMPARE(byCount.eventsNotKept(), 5);

    AnswerRun byBytes(TokenFormat::OpenAiChat, 0, 0);
    const QByteArray big(300 * 1024, 'x'); // malformed, counted, kept while there is room
    for (int i = 0; i < 5; ++i) {
        byBytes.eventArrived(i, "message", big);
    }
    QCOMPARE(byBytes.keptEvents().size(), qsizetype(AnswerRun::MaxKeptBytes / (big.size() + 7)));
    QCOMPARE(byBytes.eventsNotKept(), 5 - int(byBytes.keptEvents().size()));
    QCOMPARE(byBytes.answer().malformedEvents(), 5);
}

QTEST_MAIN(TestAnswerRun)
#include "tst_answerrun.moc"
