// SPDX-License-Identifier: GPL-3.0-or-later
// TokenView on real one-shot streams against a local SSE server serving OpenAI chat and Anthropic
// answers: the answer as it assembles, the figures, the error in place, the runs, the export.
#include "answerrun.h"
#include "gapsparkline.h"
#include "healthcolors.h"
#include "ssetestserver.h"
#include "stream.h"
#include "tokenview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>

#include <memory>

using namespace streamscope;

Q_DECLARE_METATYPE(streamscope::SseTestResponse::End)

class TestTokenView : public QObject
{
    Q_OBJECT

private slots:
    void hint_data();
    void hint();
    void hintWhenTheStreamIsRemoved();
    void figures_data();
    void figures();
    void unknownAndMalformedCounted();
    void drawnLiveAsDrawnAfresh_data();
    void drawnLiveAsDrawnAfresh();
    void errorShownInPlaceInRed();
    void interruptionSaysWhy_data();
    void interruptionSaysWhy();
    void runsGrowWhenRunAgain();
    void aDroppedRunGivesWayToTheNewest();
    void followsTheEndUnlessScrolledUp();
    void monospaceToggle();
    void exportRun();
    void exportMasksSecrets_data();
    void exportMasksSecrets();
    void sparklineShowsAStall();
};

namespace {

QByteArray sse(const QByteArray &type, const QByteArray &data)
{
    return "event: " + type + "\ndata: " + data + "\n\n";
}

QByteArray data(const QByteArray &data)
{
    return "data: " + data + "\n\n";
}

QByteArray chatChunk(const QByteArray &choices, const QByteArray &usage = "null")
{
    return data(R"j({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,)j"
                R"j("model":"gpt-4o-2024-08-06","choices":[)j"
        + choices + R"j(],"usage":)j" + usage + "}");
}

QByteArray choice(int index, const QByteArray &delta, const QByteArray &reason = "null")
{
    return R"j({"index":)j" + QByteArray::number(index) + R"j(,"delta":)j" + delta
        + R"j(,"logprobs":null,"finish_reason":)j" + reason + "}";
}

QByteArray content(const QByteArray &text, int index = 0)
{
    return chatChunk(choice(index, R"j({"content":")j" + text + R"j("})j"));
}

const QByteArray chatUsage = R"j({"prompt_tokens":9,"completion_tokens":12,"total_tokens":21})j";

// "Hello world!" in three deltas, then stop, usage (unless left out) and [DONE].
QByteArrayList openAiChat(bool usage = true, bool done = true)
{
    QByteArrayList chunks{chatChunk(choice(0, R"j({"role":"assistant","content":""})j")),
        content("Hello"), content(" wor"), content("ld!"),
        chatChunk(choice(0, "{}", R"j("stop")j"))};
    if (usage) {
        chunks.append(chatChunk({}, chatUsage));
    }
    if (done) {
        chunks.append(data("[DONE]"));
    }
    return chunks;
}

// Two choices whose deltas interleave (n = 2).
QByteArrayList twoChoices()
{
    return {chatChunk(choice(0, R"j({"role":"assistant","content":""})j")),
        chatChunk(choice(1, R"j({"role":"assistant","content":""})j")), content("Red", 0),
        content("Blue", 1), content(" sky", 0), content(" sea", 1),
        chatChunk(choice(0, "{}", R"j("stop")j")), chatChunk(choice(1, "{}", R"j("length")j")),
        data("[DONE]")};
}

QByteArray anthropic(const QByteArray &type, const QByteArray &fields = {})
{
    return sse(type, R"j({"type":")j" + type + "\"" + (fields.isEmpty() ? "" : ",") + fields + "}");
}

QByteArray blockStart(int index, const QByteArray &block)
{
    return anthropic("content_block_start",
        R"j("index":)j" + QByteArray::number(index) + R"j(,"content_block":)j" + block);
}

QByteArray blockDelta(int index, const QByteArray &delta)
{
    return anthropic("content_block_delta",
        R"j("index":)j" + QByteArray::number(index) + R"j(,"delta":)j" + delta);
}

QByteArray blockStop(int index)
{
    return anthropic("content_block_stop", R"j("index":)j" + QByteArray::number(index));
}

const QByteArray overloaded = sse(
    "error", R"j({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})j");

// Thinking, text and a tool call, then an error event (after 200 OK).
QByteArrayList anthropicWithError()
{
    return {anthropic("message_start",
                R"j("message":{"id":"msg_1","type":"message","role":"assistant","content":[],)j"
                R"j("model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,)j"
                R"j("usage":{"input_tokens":25,"output_tokens":1}})j"),
        blockStart(0, R"j({"type":"thinking","thinking":""})j"),
        blockDelta(0, R"j({"type":"thinking_delta","thinking":"The user wants"})j"),
        blockDelta(0, R"j({"type":"thinking_delta","thinking":" the weather."})j"), blockStop(0),
        sse("ping", R"j({"type": "ping"})j"), blockStart(1, R"j({"type":"text","text":""})j"),
        blockDelta(1, R"j({"type":"text_delta","text":"Let me"})j"),
        blockDelta(1, R"j({"type":"text_delta","text":" check."})j"), blockStop(1),
        blockStart(2, R"j({"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}})j"),
        blockDelta(2, R"j({"type":"input_json_delta","partial_json":"{\"city\":"})j"),
        blockDelta(2, R"j({"type":"input_json_delta","partial_json":" \"Paris\"}"})j"), overloaded};
}

QString anthropicShown()
{
    return QStringList{QStringLiteral("Thinking\nThe user wants the weather."),
        QStringLiteral("Let me check."),
        QStringLiteral("Tool call get_weather\n{\"city\": \"Paris\"}"),
        QStringLiteral("Error overloaded_error: Overloaded")}
        .join(QStringLiteral("\n\n"));
}

SseTestResponse paced(const QByteArrayList &chunks, int intervalMs = 15,
    SseTestResponse::End end = SseTestResponse::End::Close)
{
    SseTestResponse response = SseTestResponse::stream(chunks, end);
    response.intervalMs = intervalMs;
    return response;
}

// A POST with a body: one-shot, answers decoded (format detected).
StreamConfig llmConfig(const QUrl &url)
{
    StreamConfig c;
    c.name = QStringLiteral("llm");
    c.url = url;
    c.method = "POST";
    c.body = R"j({"model":"m","stream":true,"messages":[]})j";
    c.headers = {{"Content-Type", "application/json"}};
    c.initialDelayMs = 50;
    c.maxDelayMs = 200;
    return c;
}

bool ended(const Stream &stream, size_t runs = 1)
{
    return stream.answerRuns().size() == runs
        && stream.answerRuns().back().outcome() != AnswerRun::Outcome::Running;
}

template <typename T> T *child(const TokenView &view, const char *name)
{
    return view.findChild<T *>(QString::fromLatin1(name));
}

// The view has drawn the shown run as it ended: its figures are final.
bool drawnEnded(const TokenView &view)
{
    const QString label = child<QComboBox>(view, "tokenRuns")->currentText();
    return !label.isEmpty() && !label.contains(QStringLiteral(" · running · "));
}

} // namespace

void TestTokenView::hint_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<bool>("noStream");
    QTest::addColumn<QString>("hint");
    QTest::newRow("no stream") << QByteArray() << true
                               << QStringLiteral("Select a one-shot or token stream");
    QTest::newRow("GET: not a token stream")
        << QByteArray("GET") << false << QStringLiteral("llm is not a token stream");
    QTest::newRow("POST, not run yet")
        << QByteArray("POST") << false << QStringLiteral("llm has no answer yet");
}

void TestTokenView::hint()
{
    QFETCH(QByteArray, method);
    QFETCH(bool, noStream);
    QFETCH(QString, hint);
    StreamConfig config = llmConfig(QUrl(QStringLiteral("http://127.0.0.1:9/v1/chat")));
    config.method = method;
    Stream stream(1, config);
    TokenView view;
    view.setStream(noStream ? nullptr : &stream);
    view.show();
    QVERIFY2(view.hintText().startsWith(hint), qPrintable(view.hintText()));
    QVERIFY(child<QLabel>(view, "tokenHint")->isVisible());
    QCOMPARE(view.shownRun(), -1);
    QCOMPARE(view.answerText(), QString());
    QCOMPARE(view.figuresText(), QString());
}

void TestTokenView::hintWhenTheStreamIsRemoved()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return paced(openAiChat()); });
    QVERIFY(server.listen());
    auto stream = std::make_unique<Stream>(1, llmConfig(server.url(QStringLiteral("/v1/chat"))));
    TokenView view;
    view.setStream(stream.get());
    view.show();
    stream->connectToServer();
    QTRY_VERIFY(ended(*stream));
    QTRY_COMPARE(view.answerText(), QStringLiteral("Hello world!"));
    stream.reset();
    QCOMPARE(view.stream(), nullptr);
    QVERIFY(view.hintText().startsWith(QStringLiteral("Select a one-shot or token stream")));
    QCOMPARE(view.shownRun(), -1);
}

void TestTokenView::figures_data()
{
    QTest::addColumn<bool>("usage");
    QTest::addColumn<QString>("outputTokens");
    QTest::addColumn<bool>("estimated");
    QTest::newRow("usage sent") << true << QStringLiteral("Output tokens: 12") << false;
    // "Hello world!" is 12 characters: 3 tokens by the rule.
    QTest::newRow("no usage: estimated") << false << QStringLiteral("Output tokens: ≈ 3") << true;
}

void TestTokenView::figures()
{
    QFETCH(bool, usage);
    QFETCH(QString, outputTokens);
    QFETCH(bool, estimated);
    SseTestServer server;
    server.setHandler([usage](const SseTestRequest &, int) { return paced(openAiChat(usage)); });
    QVERIFY(server.listen());
    Stream stream(1, llmConfig(server.url(QStringLiteral("/v1/chat/completions"))));
    TokenView view;
    view.setStream(&stream);
    view.show();
    stream.connectToServer();
    QTRY_VERIFY(ended(stream));
    QCOMPARE(stream.answerRuns().back().outcome(), AnswerRun::Outcome::Complete);
    // The last redraw is due up to RefreshMs after the end.
    QTRY_VERIFY(drawnEnded(view));

    const QString text = view.figuresText();
    QCOMPARE(view.answerText(), QStringLiteral("Hello world!"));
    QCOMPARE(view.shownText(), QStringLiteral("Hello world!"));
    // Times vary: the figures are the run's own, as they came out. Three deltas 15 ms apart
    // give every one of them, unless all three were read at once (then tokens/s reads "-").
    const TokenTimer::Figures f = stream.answerRuns().back().figures(stream.answerClockMs());
    QVERIFY(f.timeToHeadersMs >= 0);
    QVERIFY(f.timeToFirstTokenMs >= f.timeToHeadersMs);
    QVERIFY(f.gapMaxMs >= 0);
    QCOMPARE(f.estimated, estimated);
    const QString approx = estimated ? QStringLiteral("≈ ") : QString();
    const QStringList expected{
        QStringLiteral("Headers: ") + TokenView::formatDuration(f.timeToHeadersMs),
        QStringLiteral("TTFT: ") + TokenView::formatDuration(f.timeToFirstTokenMs),
        QStringLiteral("Total: ") + TokenView::formatDuration(f.durationMs),
        outputTokens,
        QStringLiteral("Tokens/s: ")
            + (f.tokensPerSecond >= 0 ? approx + QString::number(f.tokensPerSecond, 'f', 1)
                                      : QStringLiteral("-")),
        QStringLiteral("Gaps: p50 %1 · p99 %2 · max %3")
            .arg(TokenView::formatDuration(f.gapP50Ms), TokenView::formatDuration(f.gapP99Ms),
                TokenView::formatDuration(f.gapMaxMs)),
        QStringLiteral("Stop reason: stop"),
        usage ? QStringLiteral("Input tokens: 9") : QStringLiteral("Input tokens: -"),
        QStringLiteral("Format: openai-chat"),
        QStringLiteral("Model: gpt-4o-2024-08-06"),
    };
    QCOMPARE(text, expected.join(u'\n'));
    QVERIFY2(QRegularExpression(
                 QStringLiteral("^TTFT: \\d+(\\.\\d+)? m?s$"), QRegularExpression::MultilineOption)
                 .match(text)
                 .hasMatch(),
        qPrintable(text));
    QCOMPARE(text.contains(QStringLiteral("≈")), estimated);
    const QString tip = child<QLabel>(view, "tokenOutput")->toolTip();
    QCOMPARE(tip.contains(TokenTimer::estimateRule()), estimated);
    QCOMPARE(
        child<QLabel>(view, "tokenTokensPerSecond")->toolTip().contains(TokenTimer::estimateRule()),
        estimated);
    QCOMPARE(
        child<GapSparkline>(view, "tokenSparkline")->gaps(), stream.answerRuns().back().gaps());
}

void TestTokenView::unknownAndMalformedCounted()
{
    QByteArrayList chunks = openAiChat();
    chunks.insert(2, sse("surprise", "{}"));
    chunks.insert(3, data("{\"object\":"));
    SseTestServer server;
    server.setHandler([chunks](const SseTestRequest &, int) { return paced(chunks); });
    QVERIFY(server.listen());
    Stream stream(1, llmConfig(server.url(QStringLiteral("/v1/chat/completions"))));
    TokenView view;
    view.setStream(&stream);
    view.show();
    stream.connectToServer();
    QTRY_VERIFY(ended(stream));
    QTRY_VERIFY(drawnEnded(view));
    QCOMPARE(stream.answerRuns().back().outcome(), AnswerRun::Outcome::Complete);
    QCOMPARE(view.shownText(), QStringLiteral("Hello world!")); // neither stops the answer
    QVERIFY2(view.figuresText().endsWith(QStringLiteral("Unknown events: 1\nMalformed events: 1")),
        qPrintable(view.figuresText()));
}

void TestTokenView::drawnLiveAsDrawnAfresh_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QString>("shown");
    QTest::newRow("openai chat") << openAiChat() << QStringLiteral("Hello world!");
    QTest::newRow("two choices, interleaved")
        << twoChoices() << QStringLiteral("Choice 0\nRed sky\n\nChoice 1\nBlue sea");
    QTest::newRow("anthropic: thinking, text, tool call, error")
        << anthropicWithError() << anthropicShown();
}

// Appending as the answer grows draws what a full redraw of the ended run draws.
void TestTokenView::drawnLiveAsDrawnAfresh()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QString, shown);
    SseTestServer server;
    server.setHandler([chunks](const SseTestRequest &, int) { return paced(chunks); });
    QVERIFY(server.listen());
    Stream stream(1, llmConfig(server.url(QStringLiteral("/v1/answer"))));
    TokenView live;
    live.setStream(&stream);
    live.show();
    stream.connectToServer();
    QTRY_VERIFY(ended(stream));
    QTRY_COMPARE(live.shownText(), shown);

    TokenView afresh;
    afresh.setStream(&stream);
    QCOMPARE(afresh.shownText(), shown);
    QCOMPARE(afresh.answerText(), live.answerText());
    QCOMPARE(live.answerText(), stream.answerRuns().back().answer().answerText());
}

void TestTokenView::errorShownInPlaceInRed()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return paced(anthropicWithError()); });
    QVERIFY(server.listen());
    Stream stream(1, llmConfig(server.url(QStringLiteral("/v1/messages"))));
    TokenView view;
    view.setStream(&stream);
    view.show();
    stream.connectToServer();
    QTRY_VERIFY(ended(stream));
    QTRY_COMPARE(view.shownText(), anthropicShown());
    QCOMPARE(view.answerText(), QStringLiteral("Let me check."));
    QCOMPARE(stream.answerRuns().back().outcome(), AnswerRun::Outcome::Interrupted);
    // The interruption says the same as the error: shown once.
    QVERIFY(!view.shownText().contains(QStringLiteral("Interrupted")));
    QVERIFY(view.figuresText().contains(QStringLiteral("Format: anthropic")));
    QVERIFY(view.figuresText().contains(QStringLiteral("Input tokens: 25")));

    const QTextDocument *document = child<QPlainTextEdit>(view, "tokenAnswer")->document();
    bool found = false;
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            if (fragment.text().contains(QStringLiteral("overloaded_error"))) {
                QCOMPARE(
                    fragment.charFormat().foreground().color(), errorTextColor(view.palette()));
                found = true;
            } else {
                QVERIFY(
                    fragment.charFormat().foreground().color() != errorTextColor(view.palette()));
            }
        }
    }
    QVERIFY(found);
    QVERIFY(child<QComboBox>(view, "tokenRuns")
                ->itemText(0)
                .contains(QStringLiteral(" · interrupted · ")));
}

void TestTokenView::interruptionSaysWhy_data()
{
    QTest::addColumn<SseTestResponse::End>("end");
    QTest::newRow("closed before [DONE]") << SseTestResponse::End::Close;
    QTest::newRow("reset") << SseTestResponse::End::Reset;
}

void TestTokenView::interruptionSaysWhy()
{
    QFETCH(SseTestResponse::End, end);
    SseTestServer server;
    server.setHandler(
        [end](const SseTestRequest &, int) { return paced(openAiChat(false, false), 15, end); });
    QVERIFY(server.listen());
    Stream stream(1, llmConfig(server.url(QStringLiteral("/v1/chat/completions"))));
    TokenView view;
    view.setStream(&stream);
    view.show();
    stream.connectToServer();
    QTRY_VERIFY(ended(stream));
    const AnswerRun &run = stream.answerRuns().back();
    QCOMPARE(run.outcome(), AnswerRun::Outcome::Interrupted);
    QVERIFY(!run.interruption().isEmpty());
    QTRY_COMPARE(
        view.shownText(), QStringLiteral("Hello world!\n\nInterrupted: ") + run.interruption());
    QCOMPARE(server.requestCount(), 1); // one-shot: not sent again
}

void TestTokenView::runsGrowWhenRunAgain()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return paced(openAiChat()); });
    QVERIFY(server.listen());
    Stream stream(1, llmConfig(server.url(QStringLiteral("/v1/chat/completions"))));
    TokenView view;
    view.setStream(&stream);
    view.show();
    auto *runs = child<QComboBox>(view, "tokenRuns");
    auto *table = child<QTableWidget>(view, "tokenComparison");
    stream.connectToServer();
    QTRY_VERIFY(ended(stream));
    QTRY_COMPARE(view.shownText(), QStringLiteral("Hello world!"));
    QCOMPARE(runs->count(), 1);
    QCOMPARE(view.shownRun(), 0);

    stream.reconnectNow(); // a closed one-shot stream runs again
    QTRY_VERIFY(ended(stream, 2));
    QTRY_COMPARE(runs->count(), 2);
    QTRY_COMPARE(view.shownText(), QStringLiteral("Hello world!"));
    QCOMPARE(view.shownRun(), 1); // the newest, followed
    QVERIFY(view.isFollowing());
    QCOMPARE(runs->currentIndex(), 1);
    const QRegularExpression label(
        QStringLiteral("^#2 \\d\\d:\\d\\d:\\d\\d · complete · \\d+(\\.\\d+)? m?s · 12 tok$"));
    QTRY_VERIFY2(label.match(runs->itemText(1)).hasMatch(), qPrintable(runs->itemText(1)));

    // An older run picked stays shown through the next run.
    view.showRun(0);
    QVERIFY(!view.isFollowing());
    QCOMPARE(view.shownRun(), 0);
    stream.reconnectNow();
    QTRY_VERIFY(ended(stream, 3));
    QTRY_COMPARE(runs->count(), 3);
    QTRY_COMPARE(table->rowCount(), 3);
    QCOMPARE(view.shownRun(), 0);
    QCOMPARE(runs->currentIndex(), 0);
    QCOMPARE(server.requestCount(), 3);
    for (int row = 0; row < 3; ++row) {
        QTRY_COMPARE(table->item(row, 5)->text(), QStringLiteral("complete"));
        QVERIFY(table->item(row, 0)->text().startsWith(QStringLiteral("#%1 ").arg(row + 1)));
        QVERIFY(table->item(row, 1)->text().contains(QRegularExpression(QStringLiteral("\\d"))));
        QCOMPARE(table->item(row, 4)->text(), QStringLiteral("12"));
    }
    // Picking the newest follows again.
    view.showRun(2);
    QVERIFY(view.isFollowing());
    QCOMPARE(view.shownRun(), 2);
}

// The stream keeps its last MaxAnswerRuns: a run picked and then dropped gives way to the newest;
// the numbers count on.
void TestTokenView::aDroppedRunGivesWayToTheNewest()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return paced(openAiChat(), 1); });
    QVERIFY(server.listen());
    Stream stream(1, llmConfig(server.url(QStringLiteral("/v1/chat/completions"))));
    TokenView view;
    view.setStream(&stream);
    view.show();
    auto *runs = child<QComboBox>(view, "tokenRuns");
    stream.connectToServer();
    QTRY_VERIFY(ended(stream, 1));
    stream.reconnectNow();
    QTRY_VERIFY(ended(stream, 2));
    QTRY_COMPARE(runs->count(), 2);
    view.showRun(0); // not the newest: stays shown
    const int kept = Stream::MaxAnswerRuns;
    for (int run = 3; run <= kept + 1; ++run) {
        stream.reconnectNow();
        QTRY_VERIFY(server.requestCount() == run && ended(stream, size_t(qMin(run, kept))));
        if (run == kept) {
            QTRY_COMPARE(runs->count(), kept);
            QCOMPARE(view.shownRun(), 0);
            QVERIFY(!view.isFollowing());
            QVERIFY(runs->currentText().startsWith(QStringLiteral("#1 ")));
        }
    }
    QTRY_VERIFY(view.isFollowing());
    QCOMPARE(view.shownRun(), kept - 1);
    QCOMPARE(runs->count(), kept);
    QVERIFY2(runs->itemText(0).startsWith(QStringLiteral("#2 ")), qPrintable(runs->itemText(0)));
    QTRY_VERIFY2(runs->currentText().startsWith(QStringLiteral("#%1 ").arg(kept + 1)),
        qPrintable(runs->currentText()));
    QCOMPARE(child<QTableWidget>(view, "tokenComparison")->rowCount(), kept);
}

void TestTokenView::followsTheEndUnlessScrolledUp()
{
    QByteArrayList chunks{chatChunk(choice(0, R"j({"role":"assistant","content":""})j"))};
    QString expected;
    for (int i = 1; i <= 150; ++i) {
        const QByteArray line = "line " + QByteArray::number(i) + "\\n";
        chunks.append(content(line));
        expected += QStringLiteral("line %1\n").arg(i);
    }
    chunks.append(chatChunk(choice(0, "{}", R"j("stop")j")));
    chunks.append(data("[DONE]"));
    SseTestServer server;
    server.setHandler([chunks](const SseTestRequest &, int) { return paced(chunks, 5); });
    QVERIFY(server.listen());
    Stream stream(1, llmConfig(server.url(QStringLiteral("/v1/chat/completions"))));
    TokenView following;
    TokenView scrolled;
    for (TokenView *view : {&following, &scrolled}) {
        view->resize(400, 400);
        view->setStream(&stream);
        view->show();
    }
    QScrollBar *followingBar = child<QPlainTextEdit>(following, "tokenAnswer")->verticalScrollBar();
    QScrollBar *scrolledBar = child<QPlainTextEdit>(scrolled, "tokenAnswer")->verticalScrollBar();
    stream.connectToServer();
    QTRY_VERIFY(scrolledBar->maximum() > 0);
    scrolledBar->setValue(0); // as the user would, mid-answer
    QTRY_VERIFY(ended(stream));
    QTRY_COMPARE(following.shownText(), expected);
    QTRY_COMPARE(scrolled.shownText(), expected);
    QTRY_COMPARE(followingBar->value(), followingBar->maximum());
    QVERIFY(followingBar->maximum() > 0);
    QCOMPARE(scrolledBar->value(), 0);
}

void TestTokenView::monospaceToggle()
{
    TokenView view;
    auto *answer = child<QPlainTextEdit>(view, "tokenAnswer");
    auto *monospace = view.findChild<QCheckBox *>(QStringLiteral("tokenMonospace"));
    QVERIFY(monospace);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    QVERIFY(!monospace->isChecked());
    QCOMPARE(answer->font(), view.font());
    monospace->setChecked(true);
    QCOMPARE(answer->font().family(), fixed.family());
    monospace->setChecked(false);
    QCOMPARE(answer->font(), view.font());
}

void TestTokenView::exportRun()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) { return paced(openAiChat()); });
    QVERIFY(server.listen());
    StreamConfig config = llmConfig(server.url(QStringLiteral("/v1/chat/completions")));
    config.headers += HeaderList{{"Authorization", "Bearer sk-secret-1"},
        {"x-api-key", "sk-secret-2"}, {"X-Trace", "trace-7"}};
    Stream stream(1, config);
    TokenView view;
    view.setStream(&stream);
    stream.connectToServer();
    QTRY_VERIFY(ended(stream));
    QTRY_COMPARE(view.answerText(), QStringLiteral("Hello world!"));
    // The server got the secrets; the export must not have them.
    QCOMPARE(server.requests().first().header("x-api-key"), QByteArray("sk-secret-2"));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("run.json"));
    QString error;
    QVERIFY2(view.exportRun(0, path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(!bytes.contains("sk-secret"));
    const QJsonObject run = QJsonDocument::fromJson(bytes).object();
    const QJsonObject request = run.value(QStringLiteral("request")).toObject();
    QCOMPARE(request.value(QStringLiteral("url")).toString(), config.url.toString());
    QCOMPARE(request.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
    QCOMPARE(request.value(QStringLiteral("body")).toString(), QString::fromUtf8(config.body));
    const QString mask(3, QChar(0x2022));
    QCOMPARE(request.value(QStringLiteral("headers")).toArray(),
        (QJsonArray{QStringLiteral("Content-Type: application/json"),
            QStringLiteral("Authorization: Bearer ") + mask, QStringLiteral("x-api-key: ") + mask,
            QStringLiteral("X-Trace: trace-7")}));
    QCOMPARE(run.value(QStringLiteral("text")).toString(), QStringLiteral("Hello world!"));
    QCOMPARE(run.value(QStringLiteral("format")).toString(), QStringLiteral("openai-chat"));
    QCOMPARE(run.value(QStringLiteral("outcome")).toString(), QStringLiteral("complete"));
    QVERIFY(run.value(QStringLiteral("interruption")).isNull());
    QCOMPARE(run.value(QStringLiteral("stopReason")).toString(), QStringLiteral("stop"));
    QCOMPARE(run.value(QStringLiteral("model")).toString(), QStringLiteral("gpt-4o-2024-08-06"));
    QCOMPARE(
        run.value(QStringLiteral("usage")).toObject(), QJsonDocument::fromJson(chatUsage).object());
    QCOMPARE(run.value(QStringLiteral("eventCount")).toInt(), int(openAiChat().size()));
    const QJsonArray events = run.value(QStringLiteral("events")).toArray();
    QCOMPARE(events.size(), int(openAiChat().size()));
    QCOMPARE(events.last().toObject().value(QStringLiteral("data")).toString(),
        QStringLiteral("[DONE]"));
    QCOMPARE(run.value(QStringLiteral("eventsNotKept")).toInt(), 0);
    QVERIFY(run.value(QStringLiteral("error")).isNull());
    const QDateTime started = QDateTime::fromString(
        run.value(QStringLiteral("startedAt")).toString(), Qt::ISODateWithMs);
    QCOMPARE(started.toMSecsSinceEpoch(), stream.answerRuns().front().startedAtMs());
    const QJsonArray blocks = run.value(QStringLiteral("blocks")).toArray();
    QCOMPARE(blocks.size(), 1);
    QCOMPARE(
        blocks.at(0).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("text"));
    QCOMPARE(blocks.at(0).toObject().value(QStringLiteral("text")).toString(),
        QStringLiteral("Hello world!"));
    const QJsonObject figures = run.value(QStringLiteral("figures")).toObject();
    QVERIFY(figures.value(QStringLiteral("ttftMs")).toInteger(-1) >= 0);
    QCOMPARE(figures.value(QStringLiteral("outputTokens")).toInteger(), qint64(12));
    QCOMPARE(figures.value(QStringLiteral("estimated")).toBool(), false);

    QVERIFY(!view.exportRun(1, path, &error)); // no such run
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(!view.exportRun(0, dir.filePath(QStringLiteral("missing/run.json")), &error));
    QVERIFY(!error.isEmpty());
}

void TestTokenView::exportMasksSecrets_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("shown");
    const QString mask(3, QChar(0x2022));
    QTest::newRow("Authorization") << QByteArray("Authorization") << QByteArray("Bearer sk-abc")
                                   << QStringLiteral("Authorization: Bearer ") + mask;
    QTest::newRow("x-api-key") << QByteArray("x-api-key") << QByteArray("sk-ant-abc")
                               << QStringLiteral("x-api-key: ") + mask;
    QTest::newRow("X-API-KEY") << QByteArray("X-API-KEY") << QByteArray("key sk-abc")
                               << QStringLiteral("X-API-KEY: ") + mask;
    QTest::newRow("anthropic-api-key") << QByteArray("Anthropic-Api-Key") << QByteArray("sk-abc")
                                       << QStringLiteral("Anthropic-Api-Key: ") + mask;
    QTest::newRow("Proxy-Authorization")
        << QByteArray("Proxy-Authorization") << QByteArray("Basic sk-abc")
        << QStringLiteral("Proxy-Authorization: Basic ") + mask;
    QTest::newRow("Cookie") << QByteArray("Cookie") << QByteArray("session=sk-abc")
                            << QStringLiteral("Cookie: ") + mask;
    QTest::newRow("env reference")
        << QByteArray("x-api-key") << QByteArray("${env:ANTHROPIC_API_KEY}")
        << QStringLiteral("x-api-key: ${env:ANTHROPIC_API_KEY}");
}

void TestTokenView::exportMasksSecrets()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);
    QFETCH(QString, shown);
    StreamConfig config = llmConfig(QUrl(QStringLiteral("http://user:sk-pass@127.0.0.1:9/v1")));
    config.headers = {{name, value}};
    AnswerRun run(TokenFormat::Auto, 0, 0);
    run.eventArrived(10, "message", "data");
    const QJsonObject json = TokenView::runJson(config, run, 20);
    const QByteArray bytes = QJsonDocument(json).toJson();
    QVERIFY2(!bytes.contains("sk-"), bytes.constData());
    const QJsonObject request = json.value(QStringLiteral("request")).toObject();
    QCOMPARE(request.value(QStringLiteral("headers")).toArray(), QJsonArray{shown});
    QCOMPARE(request.value(QStringLiteral("url")).toString(),
        QStringLiteral("http://user@127.0.0.1:9/v1"));
}

void TestTokenView::sparklineShowsAStall()
{
    GapSparkline sparkline;
    QList<qint64> gaps(30, 20);
    gaps.append(900);
    sparkline.setGaps(gaps);
    QVERIFY(sparkline.isStall(900));
    QVERIFY(!sparkline.isStall(20));
    QVERIFY(!sparkline.isStall(60)); // three times the median: no stall
    QCOMPARE(sparkline.gaps(), gaps);

    // The newest stands at the right, as tall as the widget.
    sparkline.resize(GapSparkline::MaxGaps + 2, 30);
    const QImage image = sparkline.grab().toImage();
    const QColor stall = healthColor(HealthState::Stale, sparkline.palette());
    bool tall = false;
    for (int x = image.width() - 4; x < image.width(); ++x) {
        tall = tall || image.pixelColor(x, image.height() / 2) == stall;
    }
    QVERIFY(tall);
    QVERIFY(image.pixelColor(image.width() / 2, image.height() / 2) != stall);

    // Only the last MaxGaps are kept.
    QList<qint64> many;
    for (int i = 0; i < 300; ++i) {
        many.append(i);
    }
    sparkline.setGaps(many);
    QCOMPARE(sparkline.gaps().size(), GapSparkline::MaxGaps);
    QCOMPARE(sparkline.gaps().first(), 100);
    QCOMPARE(sparkline.gaps().last(), 299);
}

QTEST_MAIN(TestTokenView)
#include "tst_tokenview.moc"
