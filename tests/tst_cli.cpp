// SPDX-License-Identifier: GPL-3.0-or-later
#include "demofeed.h"
#include "demollm.h"
#include "mosquittobroker.h"
#include "nodesocketioserver.h"
#include "nodewsserver.h"
#include "options.h"
#include "rawtestserver.h"
#include "ssetestserver.h"
#include "tlstestserver.h"
#include "wstestserver.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <csignal>

using namespace streamscope;

namespace {

using Response = SseTestResponse;

// One run of the built streamscope-cli. The test's event loop keeps running while it waits, so
// servers in this process go on answering.
class CliRun
{
public:
    explicit CliRun(const QStringList &arguments)
    {
        process.setProgram(QStringLiteral(STREAMSCOPE_CLI));
        process.setArguments(arguments);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process,
            [this] { out += process.readAllStandardOutput(); });
        QObject::connect(&process, &QProcess::readyReadStandardError, &process,
            [this] { err += process.readAllStandardError(); });
        process.start();
    }
    ~CliRun()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }

    bool finish(int timeoutMs = 15000)
    {
        if (process.state() != QProcess::NotRunning) {
            QSignalSpy spy(&process, &QProcess::finished);
            if (!spy.wait(timeoutMs)) {
                return false;
            }
        }
        out += process.readAllStandardOutput();
        err += process.readAllStandardError();
        return true;
    }
    int exitCode() const
    {
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    }

    // Every stdout line as JSON; a line that is not an object becomes {"kind":"INVALID"}.
    QList<QJsonObject> records() const
    {
        QList<QJsonObject> result;
        for (const QByteArray &line : out.split('\n')) {
            if (line.isEmpty()) {
                continue;
            }
            const QJsonDocument document = QJsonDocument::fromJson(line);
            result.append(document.isObject()
                    ? document.object()
                    : QJsonObject{{QStringLiteral("kind"), QStringLiteral("INVALID")},
                        {QStringLiteral("line"), QString::fromUtf8(line)}});
        }
        return result;
    }
    QStringList kinds() const
    {
        QStringList result;
        for (const QJsonObject &record : records()) {
            result.append(record.value(QLatin1String("kind")).toString());
        }
        return result;
    }
    QList<QJsonObject> recordsOf(const QString &kind) const
    {
        QList<QJsonObject> result;
        for (const QJsonObject &record : records()) {
            if (record.value(QLatin1String("kind")).toString() == kind) {
                result.append(record);
            }
        }
        return result;
    }
    QString closedReason() const
    {
        const QList<QJsonObject> all = records();
        return all.isEmpty() ? QString() : all.last().value(QLatin1String("reason")).toString();
    }

    QProcess process;
    QByteArray out;
    QByteArray err;
};

QString str(const char *text)
{
    return QString::fromUtf8(text);
}

QStringList args(std::initializer_list<const char *> list)
{
    QStringList result;
    for (const char *item : list) {
        result.append(QString::fromUtf8(item));
    }
    return result;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void normalStream();
    void urlPasswordNeverPrinted_data();
    void urlPasswordNeverPrinted();
    void maxEventsStopsMidRead();
    void redirectIsOneAttempt();
    void endings_data();
    void endings();
    void llmAgainstDemo_data();
    void llmAgainstDemo();
    void llmReadable();
    void llmMatchesOfficialSdks_data();
    void llmMatchesOfficialSdks();
    void llmFixtures_data();
    void llmFixtures();
    void llmTimeoutIsAFailure();
    void onceCutShortFails_data();
    void onceCutShortFails();
    void auditSeq_data();
    void auditSeq();
    void maxReconnectsAgainstClosedPort();
    void retryRecord();
    void lastEventId_data();
    void lastEventId();
    void lastEventIdSentAndResumed();
    void requestOptions_data();
    void requestOptions();
    void jsonEscaping();
    void interrupted_data();
    void interrupted();
    void idleTimeoutReconnects();
    void badUsage_data();
    void badUsage();
    void badUsageSaysWhy_data();
    void badUsageSaysWhy();
    void helpAndVersion_data();
    void helpAndVersion();
    void readableOutput();
    void readableRefusalSaysWhatTheServerSaid();
    void demoServeAndFollow();
    void wsEcho();
    void wsBinaryAndHandshake();
    void wsEnds_data();
    void wsEnds();
    void wsMaxReconnects();
    void wsRefusedHandshakeIsFatal();
    void wsCompression_data();
    void wsCompression();
    void demoJson();
    void demoReadable();
    void demoPort();
    void wsAgainstDemo();
    void socketIoEventsEmitsAcks();
    void socketIoRefusedNamespaceIsFatal();
    void socketIoReadable();
    void socketIoDeadLinkReconnects();
    void wsIdleTimeoutDiagnosed();
    void helpListsEveryOption_data();
    void helpListsEveryOption();
    void tls_data();
    void tls();
    void insecureWarnsReadably();
    void mqttMessages_data();
    void mqttMessages();
    void mqttReadable();
    void mqttRefusedIsFatal_data();
    void mqttRefusedIsFatal();
    void mqttPublishOnly();
};

void TestCli::normalStream()
{
    SseTestServer server(QByteArrayList{"id: 1\ndata: a\n\n", "event: tick\ndata: b\nid: 2\n\n"});
    const QString url = server.url(QStringLiteral("/s")).toString();
    CliRun run({str("sse"), url, str("--json"), str("--max-events"), str("2")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(run.kinds(), args({"connecting", "open", "event", "event", "closed"}));
    const QList<QJsonObject> records = run.records();
    QCOMPARE(records.at(0).value(QLatin1String("url")).toString(), url);
    QCOMPARE(records.at(0).value(QLatin1String("attempt")).toInt(), 1);
    QCOMPARE(records.at(1).value(QLatin1String("status")).toInt(), 200);
    // The test server speaks HTTP/1.1 only.
    QCOMPARE(records.at(1).value(QLatin1String("protocol")).toString(), str("HTTP/1.1"));
    QCOMPARE(records.at(2).value(QLatin1String("type")).toString(), str("message"));
    QCOMPARE(records.at(2).value(QLatin1String("data")).toString(), str("a"));
    QCOMPARE(records.at(2).value(QLatin1String("lastEventId")).toString(), str("1"));
    QCOMPARE(records.at(3).value(QLatin1String("type")).toString(), str("tick"));
    QCOMPARE(records.at(3).value(QLatin1String("lastEventId")).toString(), str("2"));
    QCOMPARE(run.closedReason(), str("max-events"));
    qint64 previous = 0;
    for (const QJsonObject &record : records) {
        const QJsonValue t = record.value(QLatin1String("t"));
        QVERIFY(t.isDouble());
        QCOMPARE(t.toDouble(), double(t.toInteger()));
        QVERIFY(t.toInteger() >= previous);
        previous = t.toInteger();
    }
    QVERIFY(run.err.isEmpty());
}

void TestCli::urlPasswordNeverPrinted_data()
{
    QTest::addColumn<bool>("json");
    QTest::newRow("json") << true;
    QTest::newRow("readable") << false;
}

// Lines and records end up in terminals, logs and files: a password in the URL stays out.
void TestCli::urlPasswordNeverPrinted()
{
    QFETCH(bool, json);
    SseTestServer server(QByteArrayList{"data: a\n\n"});
    QUrl url = server.url(QStringLiteral("/s"));
    url.setUserName(QStringLiteral("ops"));
    url.setPassword(QStringLiteral("hunter2"));
    QStringList arguments{str("sse"), url.toString(), str("--max-events"), str("1")};
    if (json) {
        arguments.append(str("--json"));
    }
    CliRun run(arguments);
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QVERIFY2(!run.out.contains("hunter2") && !run.err.contains("hunter2"), run.out + run.err);
    const QByteArray withoutPassword = url.toString(QUrl::RemovePassword).toUtf8();
    QVERIFY2((json ? run.out : run.err).contains(withoutPassword), run.out + run.err);
}

void TestCli::auditSeq_data()
{
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<bool>("json");
    QTest::addColumn<bool>("found");

    QTest::newRow("event ids, json") << args({"--json", "--audit-seq", "id"}) << true << true;
    QTest::newRow("payload field, readable") << args({"--audit-seq", "seq"}) << false << true;
    QTest::newRow("no audit without the option") << args({"--json"}) << true << false;
}

void TestCli::auditSeq()
{
    QFETCH(QStringList, extra);
    QFETCH(bool, json);
    QFETCH(bool, found);

    // A server that starts over at 1 on every request, whatever Last-Event-ID says; the run ends
    // after the first three are repeated.
    SseTestServer server;
    QVERIFY(server.listen());
    server.setHandler([](const SseTestRequest &, int) {
        QByteArray body = "retry: 50\n\n";
        for (int i = 1; i <= 3; ++i) {
            body += "id: " + QByteArray::number(i) + "\ndata: {\"seq\":" + QByteArray::number(i)
                + "}\n\n";
        }
        return Response::stream({body});
    });
    CliRun run(
        QStringList{str("sse"), server.url().toString(), str("--max-events"), str("6")} + extra);
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    if (!json) {
        QVERIFY2(run.err.contains("diagnosis: The server does not resume: The server did not "
                                  "resume the sequence: 3 events repeated after the reconnect"),
            run.err);
        return;
    }
    const QList<QJsonObject> diagnoses = run.recordsOf(str("diagnosis"));
    if (!found) {
        QCOMPARE(diagnoses.size(), 0);
        return;
    }
    QCOMPARE(diagnoses.size(), 1);
    const QJsonObject diagnosis = diagnoses.first();
    QCOMPARE(diagnosis.value(QLatin1String("code")).toString(), str("no-resume"));
    QVERIFY(diagnosis.value(QLatin1String("message"))
                .toString()
                .startsWith(str("The server ignored Last-Event-ID: 3 events repeated")));
    QVERIFY(diagnosis.value(QLatin1String("fix")).toString().contains(str("Last-Event-ID")));
    QVERIFY(diagnosis.value(QLatin1String("events")).toInteger() >= 3);
    QCOMPARE(run.kinds().last(), str("closed"));
}

void TestCli::maxEventsStopsMidRead()
{
    QByteArray burst;
    for (int i = 1; i <= 50; ++i) {
        burst += "id: " + QByteArray::number(i) + "\ndata: " + QByteArray::number(i) + "\n\n";
    }
    SseTestServer server(QByteArrayList{burst});
    CliRun run({str("sse"), server.url().toString(), str("--json"), str("--max-events"), str("3")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(run.kinds(), args({"connecting", "open", "event", "event", "event", "closed"}));
    QCOMPARE(run.recordsOf(str("event")).last().value(QLatin1String("data")).toString(), str("3"));
}

void TestCli::redirectIsOneAttempt()
{
    SseTestServer server;
    QVERIFY(server.listen());
    server.setHandler([](const SseTestRequest &request, int) {
        return request.target == "/start"
            ? Response::error(302, "Found", {{"Location", "/real"}})
            : Response::stream({"data: here\n\n"}, Response::End::KeepOpen);
    });
    const QString url = server.url(QStringLiteral("/start")).toString();
    CliRun run({str("sse"), url, str("--json"), str("--max-events"), str("1")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(run.kinds(), args({"connecting", "open", "event", "closed"}));
    QCOMPARE(run.records().first().value(QLatin1String("url")).toString(), url);
    QCOMPARE(server.requests().last().target, QByteArray("/real"));
}

void TestCli::endings_data()
{
    QTest::addColumn<Response>("response");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<int>("errorStatus"); // -1: no error record; 0: one without status

    QTest::newRow("timeout") << Response::stream({"data: a\n\n"}, Response::End::KeepOpen)
                             << args({"--timeout", "0.3"}) << 0 << str("timeout") << -1;
    QTest::newRow("204") << Response::error(204, "No Content") << QStringList() << 0
                         << str("no-content") << -1;
    QTest::newRow("404") << Response::error(404, "Not Found") << QStringList() << 3 << str("fatal")
                         << 404;
    Response wrongType = Response::stream({"data: a\n\n"});
    wrongType.headers = {{"Content-Type", "text/plain"}};
    QTest::newRow("wrong content type") << wrongType << QStringList() << 3 << str("fatal") << 200;
    Response answer = Response::stream({"data: a\n\n", "data: b\n\n"});
    answer.chunked = true; // ends with its last chunk, cleanly
    QTest::newRow("--once, answered") << answer << args({"--once"}) << 0 << str("complete") << -1;
    QTest::newRow("--once, 503") << Response::error(503, "Service Unavailable") << args({"--once"})
                                 << 3 << str("failed") << 503;
}

void TestCli::endings()
{
    QFETCH(Response, response);
    QFETCH(QStringList, extra);
    QFETCH(int, exitCode);
    QFETCH(QString, reason);
    QFETCH(int, errorStatus);
    SseTestServer server;
    QVERIFY(server.listen());
    server.setHandler([response](const SseTestRequest &, int) { return response; });
    QElapsedTimer clock;
    clock.start();
    CliRun run(QStringList{str("sse"), server.url().toString(), str("--json"),
                   str("--initial-delay"), str("10")}
        + extra);
    QVERIFY(run.finish());
    // A crash shows as -1: say what the CLI printed, so a rare one can be told apart.
    QVERIFY2(run.exitCode() == exitCode,
        qPrintable(QStringLiteral("exit %1, expected %2; stdout:\n%3\nstderr:\n%4")
                       .arg(run.exitCode())
                       .arg(exitCode)
                       .arg(QString::fromUtf8(run.out), QString::fromUtf8(run.err))));
    QCOMPARE(run.kinds().first(), str("connecting"));
    QCOMPARE(run.kinds().last(), str("closed"));
    QCOMPARE(run.kinds().count(str("closed")), 1);
    QCOMPARE(run.closedReason(), reason);
    const QList<QJsonObject> errors = run.recordsOf(str("error"));
    if (errorStatus < 0) {
        QVERIFY(errors.isEmpty());
    } else {
        QCOMPARE(errors.size(), 1);
        QVERIFY(!errors.first().value(QLatin1String("message")).toString().isEmpty());
        QCOMPARE(errors.first().contains(QLatin1String("status")), errorStatus > 0);
        if (errorStatus > 0) {
            QCOMPARE(errors.first().value(QLatin1String("status")).toInt(), errorStatus);
        }
    }
    if (extra.contains(str("--once"))) {
        QCOMPARE(run.kinds().count(str("connecting")), 1); // asked once, whatever the answer
        QCOMPARE(run.kinds().count(str("reconnecting")), 0);
    }
    if (reason == QLatin1String("timeout")) {
        QVERIFY(run.records().last().value(QLatin1String("t")).toInteger() >= 300);
        QVERIFY(clock.elapsed() >= 300);
    }
}

void TestCli::llmAgainstDemo_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("format");
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("reason");
    const struct
    {
        const char *path;
        DemoLlm::Format format;
        const char *name;
    } endpoints[] = {
        {"/v1/chat/completions", DemoLlm::Format::OpenAiChat, "openai-chat"},
        {"/v1/responses", DemoLlm::Format::OpenAiResponses, "openai-responses"},
        {"/v1/messages", DemoLlm::Format::Anthropic, "anthropic"},
    };
    for (const auto &endpoint : endpoints) {
        const auto row = [&](const char *model, int exitCode, const char *reason) {
            QTest::addRow("%s, %s", endpoint.name, model)
                << str(endpoint.path) << int(endpoint.format) << str(model) << exitCode
                << str(reason);
        };
        row("demo", 0, "complete");
        row("overloaded", 3, "error");
        row("drop", 3, "interrupted");
    }
}

// The answer Streamscope assembles is the one the demo sent (and the official SDKs assemble the
// same: tst_demollm), with its usage; an error event or a cut-off answer exits 3.
void TestCli::llmAgainstDemo()
{
    QFETCH(QString, path);
    QFETCH(int, format);
    QFETCH(QString, model);
    QFETCH(int, exitCode);
    QFETCH(QString, reason);
    DemoFeed::Settings settings;
    settings.llmPaceFactor = 0.02;
    DemoFeed demo;
    QVERIFY(demo.listen(0, settings));
    const QJsonObject body{{QStringLiteral("model"), model}, {QStringLiteral("stream"), true},
        {QStringLiteral("max_tokens"), 4096},
        {QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}}},
        {QStringLiteral("input"), QStringLiteral("What is SSE?")},
        {QStringLiteral("messages"),
            QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                {QStringLiteral("content"), QStringLiteral("What is SSE?")}}}}};
    const QByteArray bodyText = QJsonDocument(body).toJson(QJsonDocument::Compact);
    CliRun run({str("llm"), demo.url(path).toString(), str("--json"), str("--data"),
        QString::fromUtf8(bodyText)});
    QVERIFY(run.finish(30000));
    QVERIFY2(run.exitCode() == exitCode, run.out.constData());
    QCOMPARE(run.closedReason(), reason);
    QCOMPARE(run.kinds().count(str("connecting")), 1);
    const QList<QJsonObject> answers = run.recordsOf(str("answer"));
    QCOMPARE(answers.size(), 1);
    const QJsonObject answer = answers.first();
    const DemoLlm::Answer sent = DemoLlm::answerFor(DemoLlm::Format(format), body);
    QString tokens;
    for (const QJsonObject &token : run.recordsOf(str("token"))) {
        tokens += token.value(QLatin1String("text")).toString();
    }
    QCOMPARE(answer.value(QLatin1String("text")).toString(), tokens);
    if (model == QLatin1String("demo")) {
        QCOMPARE(tokens, sent.text());
        QCOMPARE(answer.value(QLatin1String("outcome")).toString(), str("complete"));
        QCOMPARE(answer.value(QLatin1String("estimated")).toBool(), false);
        QCOMPARE(answer.value(QLatin1String("outputTokens")).toInt(), sent.outputTokens());
        QCOMPARE(answer.value(QLatin1String("inputTokens")).toInt(), sent.inputTokens);
        QVERIFY(answer.value(QLatin1String("ttftMs")).toInteger() >= 0);
        QVERIFY(answer.value(QLatin1String("tokensPerS")).toDouble() > 0);
        QVERIFY(!answer.value(QLatin1String("stopReason")).toString().isEmpty());
    } else {
        QVERIFY(sent.text().startsWith(tokens));
        QCOMPARE(answer.value(QLatin1String("outcome")).toString(), str("interrupted"));
        QVERIFY(!answer.value(QLatin1String("interruption")).toString().isEmpty());
        QCOMPARE(run.recordsOf(str("error")).size(), 1);
    }
}

// Readable: the answer alone on stdout, the figures on stderr.
void TestCli::llmReadable()
{
    DemoFeed::Settings settings;
    settings.llmPaceFactor = 0.02;
    DemoFeed demo;
    QVERIFY(demo.listen(0, settings));
    const QByteArray body = R"({"model":"demo","stream":true,"max_tokens":4096,)"
                            R"("messages":[{"role":"user","content":"What is SSE?"}]})";
    CliRun run({str("llm"), demo.url(str("/v1/messages")).toString(), str("--data"),
        QString::fromUtf8(body)});
    QVERIFY(run.finish(30000));
    QCOMPARE(run.exitCode(), 0);
    const QString expected
        = DemoLlm::answerFor(DemoLlm::Format::Anthropic, QJsonDocument::fromJson(body).object())
              .text();
    QCOMPARE(QString::fromUtf8(run.out),
        expected.endsWith(QLatin1Char('\n')) ? expected : expected + QLatin1Char('\n'));
    QVERIFY2(
        run.err.contains("answer complete (anthropic): time to first token "), run.err.constData());
    QVERIFY2(
        run.err.contains(" tokens/s") && run.err.contains("stop end_turn"), run.err.constData());
    QVERIFY(run.err.contains("closed: complete"));
}

void TestCli::llmMatchesOfficialSdks_data()
{
    QTest::addColumn<QString>("mode"); // llm-sdk.mjs's, and our --format
    QTest::addColumn<QString>("path");
    QTest::newRow("openai chat") << str("openai-chat") << str("/v1/chat/completions");
    QTest::newRow("openai responses") << str("openai-responses") << str("/v1/responses");
    QTest::newRow("anthropic") << str("anthropic") << str("/v1/messages");
}

// The same question through npm openai / @anthropic-ai/sdk (tests/peers/llm-sdk.mjs) and through
// streamscope-cli llm: the same text, the same usage.
void TestCli::llmMatchesOfficialSdks()
{
    QFETCH(QString, mode);
    QFETCH(QString, path);
    DemoFeed::Settings settings;
    settings.llmPaceFactor = 0.02;
    DemoFeed demo;
    QVERIFY(demo.listen(0, settings));

    QProcess node;
    node.start(str("node"),
        {str(STREAMSCOPE_TEST_PEERS "/llm-sdk.mjs"),
            QStringLiteral("http://127.0.0.1:%1").arg(demo.port()), mode});
    QVERIFY2(node.waitForStarted(10000), "cannot start node: run scripts/install-deps");
    QTRY_VERIFY_WITH_TIMEOUT(node.state() == QProcess::NotRunning, 60000); // the feed needs us
    QVERIFY2(node.exitCode() == 0, node.readAllStandardError().constData());
    const QJsonObject sdk
        = QJsonDocument::fromJson(node.readAllStandardOutput().trimmed().split('\n').last())
              .object();

    // The script's question, asked the way each API takes it.
    const QString prompt = str("How do I tell a slow first token from a slow stream?");
    QJsonObject body{{str("model"), str("demo")}, {str("stream"), true}, {str("max_tokens"), 1024},
        {str("stream_options"), QJsonObject{{str("include_usage"), true}}}};
    if (mode == QLatin1String("openai-responses")) {
        body.insert(str("input"), prompt);
    } else {
        body.insert(str("messages"),
            QJsonArray{QJsonObject{{str("role"), str("user")}, {str("content"), prompt}}});
    }
    CliRun run({str("llm"), demo.url(path).toString(), str("--json"), str("--format"), mode,
        str("--data"), QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact))});
    QVERIFY(run.finish(30000));
    QVERIFY2(run.exitCode() == 0, run.out.constData());
    const QJsonObject ours = run.recordsOf(str("answer")).value(0);
    QVERIFY(!sdk.value(QLatin1String("text")).toString().isEmpty());
    QCOMPARE(
        ours.value(QLatin1String("text")).toString(), sdk.value(QLatin1String("text")).toString());
    QCOMPARE(ours.value(QLatin1String("inputTokens")).toInt(-1),
        sdk.value(QLatin1String("inputTokens")).toInt(-2));
    QCOMPARE(ours.value(QLatin1String("outputTokens")).toInt(-1),
        sdk.value(QLatin1String("outputTokens")).toInt(-2));
    QCOMPARE(ours.value(QLatin1String("stopReason")).toString(),
        sdk.value(QLatin1String("stopReason")).toString());
}

void TestCli::llmFixtures_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("estimated");

    const QByteArray chunk = R"(data: {"object":"chat.completion.chunk","choices":[{"index":0,)"
                             R"("delta":{"content":"caf\u00e9 "},"finish_reason":null}]})"
                             "\n\n";
    const QByteArray end = R"(data: {"object":"chat.completion.chunk","choices":[{"index":0,)"
                           R"("delta":{},"finish_reason":"stop"}],"usage":null})"
                           "\n\ndata: [DONE]\n\n";
    QTest::newRow("whole, no usage: estimated")
        << QByteArrayList{chunk, chunk, end} << QStringList() << 0 << str("complete")
        << str("café café ") << true;
    // "é" as raw UTF-8 split between two writes, and an event split mid-line.
    const QByteArray raw = "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                           "\"delta\":{\"content\":\"caf\xc3\xa9\"}}]}\n\n";
    const qsizetype cut = raw.indexOf('\xc3') + 1;
    QTest::newRow("UTF-8 split across writes")
        << QByteArrayList{raw.left(cut), raw.mid(cut), end} << QStringList() << 0 << str("complete")
        << str("café") << true;
    QTest::newRow("no [DONE]: interrupted") << QByteArrayList{chunk, chunk} << QStringList() << 3
                                            << str("interrupted") << str("café café ") << true;
    const QByteArray usage = R"(data: {"object":"chat.completion.chunk","choices":[],)"
                             R"("usage":{"prompt_tokens":7,"completion_tokens":2}})"
                             "\n\ndata: [DONE]\n\n";
    QTest::newRow("usage in the last chunk: exact")
        << QByteArrayList{chunk, chunk, usage} << QStringList() << 0 << str("complete")
        << str("café café ") << false;
    QTest::newRow("format given") << QByteArrayList{chunk, end} << args({"--format", "openai-chat"})
                                  << 0 << str("complete") << str("café ") << true;
}

// Answers from a fixture server: the figures' basis, the end marker, UTF-8 across writes; each
// asked for once.
void TestCli::llmFixtures()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QStringList, extra);
    QFETCH(int, exitCode);
    QFETCH(QString, reason);
    QFETCH(QString, text);
    QFETCH(bool, estimated);
    SseTestServer server;
    server.setHandler([&](const SseTestRequest &, int) {
        Response response = Response::stream(chunks);
        response.chunked = true;
        response.intervalMs = 20;
        return response;
    });
    QVERIFY(server.listen());
    CliRun run(QStringList{str("llm"), server.url(str("/v1/chat/completions")).toString(),
                   str("--json"), str("--data"), str(R"({"stream":true})")}
        + extra);
    QVERIFY(run.finish());
    QVERIFY2(run.exitCode() == exitCode, run.out.constData());
    QCOMPARE(run.closedReason(), reason);
    QCOMPARE(run.kinds().count(str("connecting")), 1);
    const QJsonObject answer = run.recordsOf(str("answer")).value(0);
    QCOMPARE(answer.value(QLatin1String("text")).toString(), text);
    QCOMPARE(answer.value(QLatin1String("format")).toString(), str("openai-chat"));
    QCOMPARE(answer.value(QLatin1String("estimated")).toBool(), estimated);
    if (!estimated) {
        QCOMPARE(answer.value(QLatin1String("outputTokens")).toInt(), 2);
        QCOMPARE(answer.value(QLatin1String("inputTokens")).toInt(), 7);
    }
    // The request as an LLM API wants it.
    QCOMPARE(server.requests().first().method, QByteArray("POST"));
    QCOMPARE(server.requests().first().header("Content-Type"), QByteArray("application/json"));
}

// An answer that does not finish in --timeout is not complete: exit 3, with the text so far.
void TestCli::llmTimeoutIsAFailure()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) {
        return Response::stream({R"(data: {"object":"chat.completion.chunk","choices":[)"
                                 R"({"index":0,"delta":{"content":"so far"}}]})"
                                 "\n\n"},
            Response::End::KeepOpen);
    });
    QVERIFY(server.listen());
    CliRun run({str("llm"), server.url().toString(), str("--json"), str("--data"), str("{}"),
        str("--timeout"), str("0.5")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 3);
    QCOMPARE(run.closedReason(), str("timeout"));
    const QJsonObject answer = run.recordsOf(str("answer")).value(0);
    QCOMPARE(answer.value(QLatin1String("text")).toString(), str("so far"));
    QCOMPARE(answer.value(QLatin1String("outcome")).toString(), str("interrupted"));
    QCOMPARE(answer.value(QLatin1String("interruption")).toString(),
        str("timeout: no complete answer in time"));
}

void TestCli::onceCutShortFails_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<bool>("reset");
    // Qt 6.4 reports these as complete about half the time; the length tells them apart. A
    // chunked body without its last chunk cannot be told from a whole one: a token stream's
    // end marker can (see the llm command).
    const QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n";
    QTest::newRow("shorter than its length, closed")
        << head + "Content-Length: 100\r\n\r\ndata: a\n\n"
        << false;
    QTest::newRow("shorter than its length, reset")
        << head + "Content-Length: 100\r\n\r\ndata: a\n\n"
        << true;
}

// --once: an answer that ends before its end is a failure, not a complete answer.
void TestCli::onceCutShortFails()
{
    QFETCH(QByteArray, response);
    QFETCH(bool, reset);
    RawTestServer server([&](QTcpSocket *socket, const QByteArray &) {
        socket->write(response);
        socket->flush();
        QTimer::singleShot(50, socket, [socket, reset] {
            if (reset) {
                socket->abort();
            } else {
                socket->disconnectFromHost();
            }
        });
    });
    QVERIFY(server.isListening());
    CliRun run({str("sse"), server.url().toString(), str("--json"), str("--once"), str("--data"),
        str("{\"stream\":true}")});
    QVERIFY(run.finish());
    QVERIFY2(run.exitCode() == 3, run.out.constData());
    QCOMPARE(run.closedReason(), str("failed"));
    QCOMPARE(run.kinds().count(str("connecting")), 1);
    // Qt may open a second connection as the first closes; no request goes over it.
    QCOMPARE(server.heads.size(), 1);
    // "Connection closed" when Qt saw it, else ours: "the response ended after 9 of its 100
    // bytes".
    QCOMPARE(run.recordsOf(str("error")).size(), 1);
}

void TestCli::maxReconnectsAgainstClosedPort()
{
    SseTestServer server;
    QVERIFY(server.listen());
    const QString url = server.url().toString();
    server.stop(); // the port is now closed: every attempt is refused
    CliRun run(QStringList{str("sse"), url, str("--json"), str("--max-reconnects"), str("2"),
        str("--initial-delay"), str("5"), str("--max-delay"), str("20")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 3);
    QCOMPARE(run.kinds(),
        args({"connecting", "error", "reconnecting", "connecting", "error", "reconnecting",
            "connecting", "error", "closed"}));
    QCOMPARE(run.closedReason(), str("max-reconnects"));
    const QList<QJsonObject> connecting = run.recordsOf(str("connecting"));
    const QList<QJsonObject> reconnecting = run.recordsOf(str("reconnecting"));
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(connecting.at(i).value(QLatin1String("attempt")).toInt(), i + 1);
        QCOMPARE(connecting.at(i).value(QLatin1String("url")).toString(), url);
    }
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(reconnecting.at(i).value(QLatin1String("attempt")).toInt(), i + 2);
        QVERIFY(reconnecting.at(i).value(QLatin1String("delayMs")).toInt() <= 20);
    }
    QVERIFY(!run.recordsOf(str("error")).first().contains(QLatin1String("status")));
}

void TestCli::retryRecord()
{
    SseTestServer server(QByteArrayList{"retry: 1234\ndata: x\n\nretry: bogus\ndata: y\n\n"});
    CliRun run({str("sse"), server.url().toString(), str("--json"), str("--max-events"), str("2")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(run.kinds(), args({"connecting", "open", "retry", "event", "event", "closed"}));
    QCOMPARE(run.recordsOf(str("retry")).first().value(QLatin1String("ms")).toInt(), 1234);
}

void TestCli::lastEventId_data()
{
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QStringList>("ids");
    QTest::newRow("none") << QStringList() << args({"", "7", "7", ""});
    QTest::newRow("--last-event-id holds until the server sends one")
        << args({"--last-event-id", "5"}) << args({"5", "7", "7", ""});
    QTest::newRow("non-ASCII") << args({"--last-event-id", "\xc3\xa9t\xc3\xa9"})
                               << args({"\xc3\xa9t\xc3\xa9", "7", "7", ""});
}

void TestCli::lastEventId()
{
    QFETCH(QStringList, extra);
    QFETCH(QStringList, ids);
    // The last event resets the id with an empty id field.
    SseTestServer server(QByteArrayList{"data: a\n\nid: 7\ndata: b\n\ndata: c\n\nid\ndata: d\n\n"});
    CliRun run(QStringList{str("sse"), server.url().toString(), str("--json"), str("--max-events"),
                   str("4")}
        + extra);
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QStringList seen;
    for (const QJsonObject &event : run.recordsOf(str("event"))) {
        seen.append(event.value(QLatin1String("lastEventId")).toString());
    }
    QCOMPARE(seen, ids);
}

void TestCli::lastEventIdSentAndResumed()
{
    SseTestServer server;
    QVERIFY(server.listen());
    // First connection: ids up to a non-ASCII one, then the stream ends; the second resumes.
    server.setHandler([](const SseTestRequest &, int index) {
        return index == 0 ? Response::stream({"id: 3\ndata: a\n\nid: \xc3\xa9\ndata: b\n\n"})
                          : Response::stream({"data: c\n\n"}, Response::End::KeepOpen);
    });
    CliRun run({str("sse"), server.url().toString(), str("--json"), str("--max-events"), str("3"),
        str("--last-event-id"), str("1"), str("--initial-delay"), str("10")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    // The test server sometimes sees a closed connection's request twice (a transport resend);
    // what matters is what each attempt sent.
    QVERIFY(server.requestCount() >= 2);
    QCOMPARE(server.requests().first().header("Last-Event-ID"), QByteArray("1"));
    QCOMPARE(server.requests().last().header("Last-Event-ID"), QByteArray("\xc3\xa9"));
    // Non-ASCII ids go out as raw UTF-8 in the JSON, not as \u escapes.
    QVERIFY(run.out.contains("\"lastEventId\":\"\xc3\xa9\""));
    QCOMPARE(run.recordsOf(str("connecting")).size(), 2);
    QCOMPARE(run.recordsOf(str("connecting")).last().value(QLatin1String("attempt")).toInt(), 2);
    QCOMPARE(run.recordsOf(str("reconnecting")).size(), 1);
    QCOMPARE(run.recordsOf(str("event")).size(), 3);
}

void TestCli::requestOptions_data()
{
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerValue");
    QTest::newRow("-H") << args({"-H", "X-Token: abc 123"}) << QByteArray("GET") << QByteArray()
                        << QByteArray("X-Token") << QByteArray("abc 123");
    QTest::newRow("--header, two")
        << args({"--header", "A: 1", "--header", "B:2"}) << QByteArray("GET") << QByteArray()
        << QByteArray("B") << QByteArray("2");
    QTest::newRow("--data means POST")
        << args({"--data", "{\"q\":1}"}) << QByteArray("POST") << QByteArray("{\"q\":1}")
        << QByteArray("Accept") << QByteArray("text/event-stream");
    QTest::newRow("--method PUT --data")
        << args({"--method", "PUT", "--data", "x=1"}) << QByteArray("PUT") << QByteArray("x=1")
        << QByteArray("Accept") << QByteArray("text/event-stream");
    // Accepted, and the request is the plain HTTP/1.1 one it always was on http://.
    QTest::newRow("--http2 off") << args({"--http2", "off"}) << QByteArray("GET") << QByteArray()
                                 << QByteArray("Accept") << QByteArray("text/event-stream");
    QTest::newRow("--http2 auto") << args({"--http2", "auto"}) << QByteArray("GET") << QByteArray()
                                  << QByteArray("Accept") << QByteArray("text/event-stream");
}

void TestCli::requestOptions()
{
    QFETCH(QStringList, extra);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);
    SseTestServer server;
    QVERIFY(server.listen());
    server.setHandler([](const SseTestRequest &, int) {
        return Response::stream({"data: a\n\n"}, Response::End::KeepOpen);
    });
    CliRun run(QStringList{str("sse"), server.url().toString(), str("--json"), str("--max-events"),
                   str("1")}
        + extra);
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(server.requestCount(), 1);
    const SseTestRequest request = server.requests().first();
    QCOMPARE(request.method, method);
    QCOMPARE(request.body, body);
    QCOMPARE(request.header(headerName), headerValue);
    if (extra.contains(str("A: 1"))) {
        QCOMPARE(request.header("A"), QByteArray("1"));
    }
}

void TestCli::jsonEscaping()
{
    SseTestServer server(QByteArrayList{"event: t\"q\ndata: q\"b\\s\tt\x01\x1f\x7f\ndata: "
                                        "second \xe2\x82\xac\n\n"});
    CliRun run({str("sse"), server.url().toString(), str("--json"), str("--max-events"), str("1")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    const QList<QJsonObject> events = run.recordsOf(str("event"));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().value(QLatin1String("type")).toString(), str("t\"q"));
    QCOMPARE(events.first().value(QLatin1String("data")).toString(),
        QString::fromUtf8("q\"b\\s\tt\x01\x1f\x7f\nsecond \xe2\x82\xac"));
    QVERIFY(run.out.contains("\\u0001\\u001f"));
    QVERIFY(run.out.contains("\\t"));
}

void TestCli::interrupted_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::newRow("SIGTERM") << SIGTERM;
    QTest::newRow("SIGINT") << SIGINT;
}

void TestCli::interrupted()
{
    QFETCH(int, signalNumber);
    SseTestServer server(QByteArrayList{"data: a\n\n"});
    server.setHandler([](const SseTestRequest &, int) {
        return Response::stream({"data: a\n\n"}, Response::End::KeepOpen);
    });
    CliRun run({str("sse"), server.url().toString(), str("--json")});
    QTRY_VERIFY(run.out.contains("\"kind\":\"event\""));
    ::kill(pid_t(run.process.processId()), signalNumber);
    QVERIFY(run.finish());
    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(run.kinds(), args({"connecting", "open", "event", "closed"}));
    QCOMPARE(run.closedReason(), str("interrupted"));
}

void TestCli::idleTimeoutReconnects()
{
    SseTestServer server;
    QVERIFY(server.listen());
    server.setHandler([](const SseTestRequest &, int) {
        return Response::stream({"data: a\n\n"}, Response::End::KeepOpen);
    });
    CliRun run({str("sse"), server.url().toString(), str("--json"), str("--idle-timeout"),
        str("150"), str("--initial-delay"), str("10"), str("--max-events"), str("3")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(server.requestCount(), 3);
    QCOMPARE(run.recordsOf(str("connecting")).size(), 3);
    QCOMPARE(run.recordsOf(str("error")).size(), 2);
    QCOMPARE(run.recordsOf(str("reconnecting")).size(), 2);
    QCOMPARE(run.closedReason(), str("max-events"));
}

void TestCli::badUsage_data()
{
    QTest::addColumn<QStringList>("arguments");
    const char *url = "http://127.0.0.1:9/x";
    QTest::newRow("no command") << QStringList();
    QTest::newRow("unknown command") << args({"nope"});
    QTest::newRow("unknown top option") << args({"--foo"});
    QTest::newRow("unknown option") << args({"sse", url, "--foo"});
    QTest::newRow("unknown short option") << args({"sse", url, "-x"});
    QTest::newRow("missing URL") << args({"sse"});
    QTest::newRow("llm without a body") << args({"llm", url});
    QTest::newRow("llm, unknown format") << args({"llm", url, "--data", "{}", "--format", "gpt"});
    QTest::newRow("extra URL") << args({"sse", url, url});
    QTest::newRow("ftp URL") << args({"sse", "ftp://127.0.0.1/x"});
    QTest::newRow("ws URL for sse") << args({"sse", "ws://127.0.0.1/x"});
    QTest::newRow("not a URL") << args({"sse", "::::"});
    QTest::newRow("relative URL") << args({"sse", "/just/a/path"});
    QTest::newRow("max-events word") << args({"sse", url, "--max-events", "ten"});
    QTest::newRow("max-events negative") << args({"sse", url, "--max-events", "-1"});
    QTest::newRow("max-events missing value") << args({"sse", url, "--max-events"});
    QTest::newRow("timeout word") << args({"sse", url, "--timeout", "soon"});
    QTest::newRow("timeout negative") << args({"sse", url, "--timeout", "-1"});
    QTest::newRow("timeout nan") << args({"sse", url, "--timeout", "nan"});
    QTest::newRow("max-reconnects fraction") << args({"sse", url, "--max-reconnects", "1.5"});
    QTest::newRow("initial-delay word") << args({"sse", url, "--initial-delay", "x"});
    QTest::newRow("max-delay huge") << args({"sse", url, "--max-delay", "99999999999999"});
    QTest::newRow("idle-timeout word") << args({"sse", url, "--idle-timeout", "x"});
    QTest::newRow("header without colon") << args({"sse", url, "-H", "NoColon"});
    QTest::newRow("header without name") << args({"sse", url, "-H", ": value"});
    QTest::newRow("bad method") << args({"sse", url, "--method", "GE T"});
    QTest::newRow("http2 bogus") << args({"sse", url, "--http2", "bogus"});
    QTest::newRow("http2 upper case") << args({"sse", url, "--http2", "OFF"});
    QTest::newRow("http2 without value") << args({"sse", url, "--http2"});
    QTest::newRow("ws: --http2") << args({"ws", "ws://127.0.0.1:9/", "--http2", "off"});
    QTest::newRow("json with value") << args({"sse", url, "--json=yes"});
    QTest::newRow("ws: http URL") << args({"ws", url});
    QTest::newRow("ws: unknown option") << args({"ws", "ws://127.0.0.1:9/", "--data", "x"});
    QTest::newRow("sse: --no-compression") << args({"sse", url, "--no-compression"});
    QTest::newRow("ws: --no-compression with value")
        << args({"ws", "ws://127.0.0.1:9/", "--no-compression=yes"});
    QTest::newRow("ca-file missing") << args({"sse", url, "--ca-file", "/nonexistent/ca.pem"});
    QTest::newRow("ca-file a folder")
        << QStringList{str("ws"), str("ws://127.0.0.1:9/"), str("--ca-file"), QDir::tempPath()};
    QTest::newRow("ca-file without value") << args({"sse", url, "--ca-file"});
    QTest::newRow("insecure with value") << args({"sse", url, "--insecure=yes"});
    const char *io = "ws://127.0.0.1:9/";
    QTest::newRow("socketio: ftp URL") << args({"socketio", "ftp://127.0.0.1/"});
    QTest::newRow("socketio: --send") << args({"socketio", io, "--send", "x"});
    QTest::newRow("socketio: --emit without JSON") << args({"socketio", io, "--emit", "x"});
    QTest::newRow("socketio: --emit bad JSON") << args({"socketio", io, "--emit", "x", "{oops"});
    QTest::newRow("socketio: --emit reserved") << args({"socketio", io, "--emit", "connect", "[]"});
    QTest::newRow("socketio: --auth array") << args({"socketio", io, "--auth", "[1]"});
    QTest::newRow("socketio: namespace without slash")
        << args({"socketio", io, "--namespace", "admin"});
    QTest::newRow("socketio: namespace twice")
        << args({"socketio", io, "--namespace", "/a", "--namespace", "/a"});
    QTest::newRow("demo: bad port") << args({"demo", "--port", "70000"});
    QTest::newRow("demo: argument") << args({"demo", "extra"});
}

void TestCli::badUsage()
{
    QFETCH(QStringList, arguments);
    CliRun run(arguments);
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 2);
    QVERIFY2(run.out.isEmpty(), run.out.constData());
    QVERIFY2(run.err.startsWith("streamscope-cli: "), run.err.constData());
    QVERIFY2(run.err.endsWith('\n') && run.err.count('\n') == 1, run.err.constData());
    QVERIFY2(run.err.contains("--help"), run.err.constData());
}

void TestCli::badUsageSaysWhy_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message"); // expected on stderr
    QTest::newRow("no URL") << args({"sse"}) << str("missing URL");
    QTest::newRow("unknown scheme") << args({"sse", "gopher://127.0.0.1/"})
                                    << str("not a http or https URL: 'gopher://127.0.0.1/'");
    QTest::newRow("ws URL to sse")
        << args({"sse", "ws://127.0.0.1/"}) << str("not a http or https URL: 'ws://127.0.0.1/'");
    QTest::newRow("http URL to ws")
        << args({"ws", "http://127.0.0.1/"}) << str("not a ws or wss URL: 'http://127.0.0.1/'");
    QTest::newRow("no host") << args({"sse", "http:///path"})
                             << str("not a http or https URL: 'http:///path'");
    QTest::newRow("garbage") << args({"sse", "::::"}) << str("not a http or https URL: '::::'");
    QTest::newRow("bad port") << args({"sse", "http://127.0.0.1:99999/"})
                              << str("not a http or https URL");
    QTest::newRow("unknown option")
        << args({"sse", "http://127.0.0.1/", "--bogus"}) << str("unknown option '--bogus'");
    QTest::newRow("bad number") << args({"sse", "http://127.0.0.1/", "--max-events", "many"})
                                << str("--max-events wants a whole number");
    QTest::newRow("header with line break")
        << args({"sse", "http://127.0.0.1/", "-H", "X: a\nb"}) << str("contains a line break");
    QTest::newRow("http2 bogus") << args({"sse", "http://127.0.0.1/", "--http2", "bogus"})
                                 << str("--http2 wants auto, off or prior-knowledge, not 'bogus'");
    QTest::newRow("ws-only option to sse") << args({"sse", "http://127.0.0.1/", "--no-compression"})
                                           << str("unknown option '--no-compression'");
    QTest::newRow("socketio: bad --emit JSON")
        << args({"socketio", "ws://127.0.0.1/", "--emit", "hello", "{oops"})
        << str("--emit hello: arguments are invalid JSON");
    QTest::newRow("socketio: --auth not an object")
        << args({"socketio", "ws://127.0.0.1/", "--auth", "\"secret\""})
        << str("--auth wants a JSON object");
    QTest::newRow("socketio: --emit short")
        << args({"socketio", "ws://127.0.0.1/", "--emit", "hello"})
        << str("--emit wants an event name and its JSON arguments");
    QTest::newRow("unknown command") << args({"tail"}) << str("tail");
    const char *mqttUrl = "ws://127.0.0.1:9/";
    QTest::newRow("mqtt without topic or publish")
        << args({"mqtt", mqttUrl}) << str("mqtt wants --topic FILTER or --publish TOPIC PAYLOAD");
    QTest::newRow("mqtt bad filter") << args({"mqtt", mqttUrl, "--topic", "a/#/b"})
                                     << str("--topic: topic filter \"a/#/b\": '#' must be the "
                                            "whole last level");
    QTest::newRow("mqtt QoS 2") << args({"mqtt", mqttUrl, "--topic", "a", "--qos", "2"})
                                << str("--qos wants a whole number (0 to 1), not '2'");
    QTest::newRow("mqtt version") << args({"mqtt", mqttUrl, "--topic", "a", "--mqtt-version", "4"})
                                  << str("--mqtt-version wants 3.1.1 or 5, not '4'");
    QTest::newRow("mqtt publish one argument")
        << args({"mqtt", mqttUrl, "--publish", "a"})
        << str("--publish wants two arguments: --publish TOPIC PAYLOAD");
    QTest::newRow("mqtt publish wildcard")
        << args({"mqtt", mqttUrl, "--publish", "a/+", "x"})
        << str("--publish: topic name \"a/+\" contains a wildcard");
    QTest::newRow("mqtt password alone")
        << args({"mqtt", mqttUrl, "--topic", "a", "--password", "p"})
        << str("--password wants --username with MQTT 3.1.1");
    QTest::newRow("ws-only option to mqtt")
        << args({"mqtt", mqttUrl, "--topic", "a", "--send", "x"}) << str("unknown option '--send'");
    QTest::newRow("ping-interval to mqtt")
        << args({"mqtt", mqttUrl, "--topic", "a", "--ping-interval", "5"})
        << str("unknown option '--ping-interval'");
    QTest::newRow("http URL to mqtt")
        << args({"mqtt", "http://127.0.0.1/", "--topic", "a"}) << str("not a ws or wss URL");
}

void TestCli::badUsageSaysWhy()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    CliRun run(arguments);
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 2);
    const QString err = QString::fromUtf8(run.err);
    QVERIFY2(err.startsWith(QStringLiteral("streamscope-cli: ")) && err.contains(message),
        qPrintable(err));
    QVERIFY(run.out.isEmpty());
}

void TestCli::helpAndVersion_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArrayList>("mentions");
    QTest::newRow("--help") << args({"--help"}) << QByteArrayList{"sse", "ws", "demo", "--version"};
    QTest::newRow("-h") << args({"-h"}) << QByteArrayList{"sse URL"};
    QTest::newRow("--version") << args({"--version"}) << QByteArrayList{"streamscope-cli 0."};
    QTest::newRow("sse --help") << args({"sse", "--help"})
                                << QByteArrayList{"--header", "--last-event-id", "--method",
                                       "--data", "--json", "--max-events", "--timeout",
                                       "--max-reconnects", "--initial-delay", "--max-delay",
                                       "--idle-timeout", "--http2", "prior-knowledge",
                                       "\"protocol\":P", "\"kind\":\"behind\"",
                                       "\"kind\":\"closed\"", "interrupted", "Exit codes"};
    QTest::newRow("ws --help") << args({"ws", "--help"})
                               << QByteArrayList{"--subprotocol", "--no-compression", "--send",
                                      "--ping-interval", "\"kind\":\"rtt\"", "\"extensions\":E",
                                      "permessage-deflate"};
    QTest::newRow("socketio --help")
        << args({"socketio", "--help"})
        << QByteArrayList{"--namespace", "--auth", "--emit", "--ping-interval", "\"kind\":\"ack\"",
               "\"roundTripMs\":N", "\"namespace\":NS", "_binary", "Exit codes"};
    QTest::newRow("mqtt --help") << args({"mqtt", "--help"})
                                 << QByteArrayList{"--topic", "--publish", "--retain",
                                        "--keep-alive", "--mqtt-version", "\"clientId\":C",
                                        "\"kind\":\"acknowledged\"", "published", "Exit codes"};
    QTest::newRow("demo --help") << args({"demo", "--help"})
                                 << QByteArrayList{"--port", "--serve", "--json", "/metrics"};
    QTest::newRow("sse --version") << args({"sse", "--version"}) << QByteArrayList{"0."};
}

void TestCli::helpAndVersion()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArrayList, mentions);
    CliRun run(arguments);
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QVERIFY(run.err.isEmpty());
    for (const QByteArray &mention : mentions) {
        QVERIFY2(run.out.contains(mention), mention.constData());
    }
}

void TestCli::readableOutput()
{
    SseTestServer server(
        QByteArrayList{"retry: 2500\nid: 41\nevent: update\ndata: line one\ndata: line two\n\n"
                       "data: plain\n\n"});
    CliRun run({str("sse"), server.url().toString(), str("--max-events"), str("2")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    const QStringList lines = QString::fromUtf8(run.out).split(QLatin1Char('\n'));
    // One event is one block: its first line has time, type, id and data; the next line of data
    // is indented under it.
    const QRegularExpression first(
        QStringLiteral(R"(^\d\d:\d\d:\d\d\.\d\d\d update id=41 line one$)"));
    QVERIFY2(first.match(lines.at(0)).hasMatch(), qPrintable(lines.at(0)));
    QVERIFY2(lines.at(1).startsWith(QLatin1Char(' ')) && lines.at(1).trimmed() == str("line two"),
        qPrintable(lines.at(1)));
    QVERIFY2(lines.at(2).endsWith(str(" message id=41 plain")), qPrintable(lines.at(2)));
    QVERIFY(!run.out.contains("connecting"));
    const QByteArray err = run.err;
    QVERIFY2(err.contains("connecting to " + server.url().toString().toUtf8() + " (attempt 1)"),
        err.constData());
    QVERIFY2(err.contains("open 200 (HTTP/1.1)"), err.constData());
    QVERIFY2(err.contains("retry 2.5 s"), err.constData());
    QVERIFY2(err.trimmed().endsWith("closed: max-events"), err.constData());
}

// The error line gives the status once, and what the refusal's body says.
void TestCli::readableRefusalSaysWhatTheServerSaid()
{
    SseTestServer server;
    server.setHandler([](const SseTestRequest &, int) {
        Response response = Response::error(401, "Unauthorized");
        response.headers = {{"Content-Type", "application/json"}};
        response.chunks = {R"({"error":{"message":"token expired"}})"};
        return response;
    });
    QVERIFY(server.listen());
    CliRun run({str("sse"), server.url().toString()});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 3);
    QVERIFY2(run.err.contains("error: HTTP 401 Unauthorized: token expired\n")
            || run.err.contains("error: HTTP 401 Unauthorized: token expired\x1b"),
        run.err.constData());
    QVERIFY2(!run.err.contains("(HTTP 401)"), run.err.constData());
}

void TestCli::demoServeAndFollow()
{
    CliRun demo({str("demo"), str("--serve")});
    QTRY_VERIFY(demo.err.contains("/logs"));
    const QRegularExpressionMatch match
        = QRegularExpression(QStringLiteral(R"((http://127\.0\.0\.1:\d+)/)"))
              .match(QString::fromUtf8(demo.err));
    QVERIFY(match.hasMatch());
    const QString base = match.captured(1);

    CliRun follow(
        {str("sse"), base + str("/metrics"), str("--json"), str("--max-events"), str("4")});
    QVERIFY(follow.finish());
    QCOMPARE(follow.exitCode(), 0);
    const QList<QJsonObject> events = follow.recordsOf(str("event"));
    QCOMPARE(events.size(), 4);
    for (const QJsonObject &event : events) {
        QCOMPARE(event.value(QLatin1String("type")).toString(), str("metrics"));
        QVERIFY(!event.value(QLatin1String("lastEventId")).toString().isEmpty());
        const QJsonObject sample
            = QJsonDocument::fromJson(event.value(QLatin1String("data")).toString().toUtf8())
                  .object();
        QVERIFY(sample.contains(QLatin1String("cpu")));
    }

    demo.process.terminate();
    QVERIFY(demo.finish());
    QCOMPARE(demo.exitCode(), 0);
}

void TestCli::demoJson()
{
    CliRun demo({str("demo"), str("--json")});
    QTRY_VERIFY_WITH_TIMEOUT(demo.out.contains("\"stream\":\"logs\",\"type\":")
            && demo.out.contains("\"stream\":\"metrics\",\"type\":"),
        15000);
    demo.process.terminate();
    QVERIFY(demo.finish());
    QCOMPARE(demo.exitCode(), 0);
    QCOMPARE(demo.kinds().last(), str("closed"));
    QCOMPARE(demo.closedReason(), str("interrupted"));
    QVERIFY(!demo.kinds().contains(str("INVALID")));
}

void TestCli::demoReadable()
{
    CliRun demo({str("demo")});
    const QRegularExpression metrics(
        QStringLiteral(R"(\d\d:\d\d:\d\d\.\d\d\d  web-1 +cpu .* \d+\.\d%)"));
    const QRegularExpression log(
        QStringLiteral(R"(\d\d:\d\d:\d\d\.\d\d\d  (INFO|WARN|ERROR) +\S+ +\S+ +\S)"));
    QTRY_VERIFY_WITH_TIMEOUT(metrics.match(QString::fromUtf8(demo.out)).hasMatch()
            && log.match(QString::fromUtf8(demo.out)).hasMatch(),
        15000);
    QVERIFY(demo.err.contains("Ctrl-C"));
    QVERIFY(!demo.out.contains('\033')); // no colours into a pipe
    demo.process.terminate();
    QVERIFY(demo.finish());
    QCOMPARE(demo.exitCode(), 0);
    QVERIFY2(demo.err.trimmed().endsWith("closed: interrupted"), demo.err.constData());
}

void TestCli::demoPort()
{
    const quint16 port = unusedLocalPort();
    QVERIFY(port != 0);
    CliRun demo({str("demo"), str("--serve"), str("--port"), QString::number(port)});
    QTRY_VERIFY(demo.err.contains("Ctrl-C"));
    QVERIFY2(demo.err.contains(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port).toUtf8()),
        demo.err.constData());

    // A second feed on the same port cannot listen: a readable error, exit 3.
    CliRun clash({str("demo"), str("--serve"), str("--port"), QString::number(port)});
    QVERIFY(clash.finish());
    QCOMPARE(clash.exitCode(), 3);
    QVERIFY2(clash.err.startsWith("streamscope-cli: cannot listen"), clash.err.constData());

    demo.process.terminate();
    QVERIFY(demo.finish());
    QCOMPARE(demo.exitCode(), 0);
}

void TestCli::wsAgainstDemo()
{
    DemoFeed::Settings settings;
    settings.metricsIntervalMs = 20;
    DemoFeed feed;
    QVERIFY(feed.listen(0, settings));
    CliRun run(
        {str("ws"), feed.url(QStringLiteral("/ws"), QStringLiteral("ws")).toString(), str("--json"),
            str("--send"), str("{\"subscribe\":\"db-1\"}"), str("--max-events"), str("4")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(run.recordsOf(str("sent")).size(), 1);
    const QList<QJsonObject> messages = run.recordsOf(str("message"));
    QCOMPARE(messages.size(), 4);
    const auto type = [](const QJsonObject &message) {
        return QJsonDocument::fromJson(message.value(QLatin1String("data")).toString().toUtf8())
            .object()
            .value(QLatin1String("type"))
            .toString();
    };
    QCOMPARE(type(messages.first()), str("hello"));
    QCOMPARE(type(messages.last()), str("metric"));
    QCOMPARE(run.closedReason(), str("max-events"));
}

void TestCli::socketIoEventsEmitsAcks()
{
    NodeSocketIoServer server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    // An http URL with the path: both are taken.
    const QString url = QStringLiteral("http://127.0.0.1:%1/socket.io/").arg(server.port());
    CliRun run({str("socketio"), url, str("--json"), str("--namespace"), str("/"),
        str("--namespace"), str("/admin"), str("--auth"), str(R"({"token":"secret"})"),
        str("--emit"), str("echo"), str(R"([1,{"two":2}])"), str("--emit"), str("want-blob"),
        str("[]"), str("--max-events"), str("20")});
    QVERIFY(run.finish(30000));
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(run.closedReason(), str("max-events"));
    const QStringList kinds = run.kinds();
    QCOMPARE(kinds.mid(0, 2), args({"connecting", "open"}));
    QCOMPARE(kinds.count(str("joined")), 2);
    QCOMPARE(run.recordsOf(str("message")).size(), 20);

    const QList<QJsonObject> sent = run.recordsOf(str("sent"));
    QCOMPARE(sent.size(), 2);
    QCOMPARE(sent.at(0).value(QLatin1String("type")).toString(), str("echo"));
    QCOMPARE(sent.at(0).value(QLatin1String("data")).toString(), str(R"([1,{"two":2}])"));
    QCOMPARE(sent.at(0).value(QLatin1String("namespace")).toString(), str("/"));
    QCOMPARE(sent.at(0).value(QLatin1String("id")).toInt(), 0);
    QCOMPARE(sent.at(1).value(QLatin1String("id")).toInt(), 1);

    const QList<QJsonObject> acks = run.recordsOf(str("ack"));
    QVERIFY(!acks.isEmpty());
    QCOMPARE(acks.first().value(QLatin1String("id")).toInt(), 0);
    QCOMPARE(acks.first().value(QLatin1String("data")).toString(), str(R"([1,{"two":2}])"));
    QVERIFY(acks.first().value(QLatin1String("roundTripMs")).toInt(-1) >= 0);

    bool blob = false;
    QSet<QString> namespaces;
    for (const QJsonObject &message : run.recordsOf(str("message"))) {
        namespaces.insert(message.value(QLatin1String("namespace")).toString());
        const QString type = message.value(QLatin1String("type")).toString();
        if (type == str("blob")) {
            blob = true;
            QCOMPARE(message.value(QLatin1String("binary")), QJsonValue(true));
            QCOMPARE(message.value(QLatin1String("data")).toString(),
                str(R"([{"_binary":"AQID","bytes":3},{"name":"x"}])"));
        } else {
            QVERIFY2(type == str("metrics") || type == str("status"), qPrintable(type));
            QCOMPARE(message.value(QLatin1String("binary")), QJsonValue(false));
            const QJsonDocument args
                = QJsonDocument::fromJson(message.value(QLatin1String("data")).toString().toUtf8());
            QVERIFY(args.isArray());
            QVERIFY(args.array().first().toObject().contains(QLatin1String("seq")));
        }
    }
    QVERIFY(blob);
    QVERIFY(namespaces.contains(str("/")));
}

void TestCli::socketIoRefusedNamespaceIsFatal()
{
    NodeSocketIoServer server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    // A refusal of one namespace among several ends the run too.
    CliRun run({str("socketio"), server.url().toString(), str("--json"), str("--namespace"),
        str("/"), str("--namespace"), str("/admin"), str("--auth"), str(R"({"token":"guess"})"),
        str("--initial-delay"), str("5")});
    QVERIFY(run.finish(30000));
    QCOMPARE(run.exitCode(), 3);
    const QList<QJsonObject> refused = run.recordsOf(str("refused"));
    QCOMPARE(refused.size(), 1);
    QCOMPARE(refused.first().value(QLatin1String("namespace")).toString(), str("/admin"));
    QCOMPARE(refused.first().value(QLatin1String("message")).toString(), str("not authorized"));
    QCOMPARE(run.closedReason(), str("fatal"));
    QCOMPARE(run.recordsOf(str("connecting")).size(), 1);
    QCOMPARE(server.refusals("/admin"), 1);
}

void TestCli::socketIoReadable()
{
    NodeSocketIoServer server;
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    CliRun run({str("socketio"), server.url().toString(), str("--namespace"), str("/admin"),
        str("--auth"), str(R"({"token":"secret"})"), str("--max-events"), str("2")});
    QVERIFY(run.finish(30000));
    QCOMPARE(run.exitCode(), 0);
    const QStringList lines = QString::fromUtf8(run.out).split(QLatin1Char('\n'));
    const QRegularExpression event(
        QStringLiteral(R"(^\d\d:\d\d:\d\d\.\d\d\d /admin status \[\{"seq":1\}\]$)"));
    QVERIFY2(event.match(lines.at(0)).hasMatch(), qPrintable(lines.at(0)));
    QVERIFY2(run.err.contains("joined /admin"), run.err.constData());
    QVERIFY2(run.err.trimmed().endsWith("closed: max-events (code 1000)"), run.err.constData());
}

void TestCli::socketIoDeadLinkReconnects()
{
    WsTestServer server;
    server.echo = false;
    server.onConnection = [](QWebSocket *socket) {
        socket->sendTextMessage(
            str(R"(0{"sid":"s","upgrades":[],"pingInterval":100,"pingTimeout":100})"));
    };
    QVERIFY(server.listen());
    CliRun run({str("socketio"), server.url().toString(), str("--json"), str("--initial-delay"),
        str("5")});
    QTRY_VERIFY_WITH_TIMEOUT(server.requests.size() >= 2, 20000);
    ::kill(pid_t(run.process.processId()), SIGTERM);
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    const QList<QJsonObject> errors = run.recordsOf(str("error"));
    QVERIFY(!errors.isEmpty());
    QVERIFY2(errors.first()
                 .value(QLatin1String("message"))
                 .toString()
                 .contains(str("no Engine.IO ping within 200 ms")),
        qPrintable(errors.first().value(QLatin1String("message")).toString()));
    QVERIFY(run.recordsOf(str("connecting")).size() >= 2);
}

void TestCli::helpListsEveryOption_data()
{
    QTest::addColumn<QString>("command");
    for (const char *command : {"sse", "ws", "socketio", "mqtt", "llm", "demo"}) {
        QTest::newRow(command) << str(command);
    }
}

void TestCli::helpListsEveryOption()
{
    // The help is written by hand for people; what the parser takes must all be in it.
    QFETCH(QString, command);
    QString help;
    const QStringList names = commandOptionNames(command, &help);
    QVERIFY(!names.isEmpty());
    for (const QString &name : names) {
        const QString shown
            = name.size() == 1 ? QStringLiteral("-%1").arg(name) : QStringLiteral("--%1").arg(name);
        QVERIFY2(help.contains(shown), qPrintable(command + QLatin1Char(' ') + shown));
    }
}

void TestCli::wsIdleTimeoutDiagnosed()
{
    // Something on the way that cuts a WebSocket after 5.3 s without data: one message, then
    // silence, then the connection drops, every time. No heartbeat on our side.
    WsTestServer server;
    server.echo = false;
    server.onConnection = [](QWebSocket *socket) {
        socket->sendTextMessage(str("hello"));
        QTimer::singleShot(5300, socket, [socket] { socket->abort(); });
    };
    QVERIFY(server.listen());
    CliRun run({str("ws"), server.url().toString(), str("--json"), str("--ping-interval"), str("0"),
        str("--initial-delay"), str("50")});
    QTRY_VERIFY_WITH_TIMEOUT(run.out.contains("\"kind\":\"diagnosis\""), 30000);
    ::kill(pid_t(run.process.processId()), SIGTERM);
    QVERIFY(run.finish());
    const QList<QJsonObject> diagnoses = run.recordsOf(str("diagnosis"));
    QCOMPARE(diagnoses.size(), 1);
    const QJsonObject idle = diagnoses.first();
    QCOMPARE(idle.value(QLatin1String("code")).toString(), str("idle-timeout"));
    const qint64 timeoutMs = idle.value(QLatin1String("timeoutMs")).toInteger();
    QVERIFY2(timeoutMs >= 5000 && timeoutMs < 8000, qPrintable(QString::number(timeoutMs)));
    QVERIFY2(idle.value(QLatin1String("fix")).toString().startsWith(str("Turn the heartbeat on")),
        qPrintable(idle.value(QLatin1String("fix")).toString()));
    QCOMPARE(run.kinds().last(), str("closed"));
}

void TestCli::wsEcho()
{
    WsTestServer server;
    QVERIFY(server.listen());
    CliRun run(
        {str("ws"), server.url(QStringLiteral("/feed")).toString(), str("--json"), str("--send"),
            str("hello \"you\""), str("--send"), str("second"), str("--max-events"), str("2")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(
        run.kinds(), args({"connecting", "open", "sent", "sent", "message", "message", "closed"}));
    const QList<QJsonObject> records = run.records();
    QCOMPARE(records.at(0).value(QLatin1String("url")).toString(),
        server.url(QStringLiteral("/feed")).toString());
    QCOMPARE(records.at(0).value(QLatin1String("attempt")).toInt(), 1);
    QCOMPARE(records.at(2).value(QLatin1String("data")).toString(), str("hello \"you\""));
    QCOMPARE(records.at(4).value(QLatin1String("data")).toString(), str("hello \"you\""));
    QCOMPARE(records.at(4).value(QLatin1String("binary")), QJsonValue(false));
    QCOMPARE(records.at(5).value(QLatin1String("data")).toString(), str("second"));
    QCOMPARE(run.closedReason(), str("max-events"));
    QCOMPARE(records.last().value(QLatin1String("code")).toInt(), 1000);
    // The client ended the session with a close frame, 1000.
    QTRY_COMPARE(server.closeCodes, QList<int>{1000});
}

void TestCli::wsBinaryAndHandshake()
{
    WsTestServer server;
    server.setSubprotocols({str("chat.v2")});
    const QByteArray greeting("\x00\x01\xfe\xff", 4);
    server.onConnection = [&](QWebSocket *socket) { socket->sendBinaryMessage(greeting); };
    QVERIFY(server.listen());
    CliRun run({str("ws"), server.url(QStringLiteral("/feed")).toString(), str("--json"), str("-H"),
        str("X-Token: abc"), str("--subprotocol"), str("chat.v1"), str("--subprotocol"),
        str("chat.v2"), str("--max-events"), str("1")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    const QList<QJsonObject> messages = run.recordsOf(str("message"));
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.first().value(QLatin1String("binary")), QJsonValue(true));
    QCOMPARE(messages.first().value(QLatin1String("data")).toString(),
        QString::fromLatin1(greeting.toBase64()));
    QCOMPARE(server.requests.size(), 1);
    QCOMPARE(server.requests.first().rawHeader("X-Token"), QByteArray("abc"));
    QCOMPARE(server.acceptedSubprotocols, QStringList{str("chat.v2")});
}

void TestCli::wsEnds_data()
{
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<int>("signalNumber");
    QTest::addColumn<QString>("reason");
    QTest::newRow("timeout") << args({"--timeout", "0.3"}) << 0 << str("timeout");
    QTest::newRow("SIGTERM") << QStringList() << int(SIGTERM) << str("interrupted");
    QTest::newRow("SIGINT") << QStringList() << int(SIGINT) << str("interrupted");
}

void TestCli::wsEnds()
{
    QFETCH(QStringList, extra);
    QFETCH(int, signalNumber);
    QFETCH(QString, reason);
    WsTestServer server;
    QVERIFY(server.listen());
    CliRun run(QStringList{str("ws"), server.url(QStringLiteral("/feed")).toString(), str("--json")}
        + extra);
    if (signalNumber != 0) {
        QTRY_VERIFY(run.out.contains("\"kind\":\"open\""));
        ::kill(pid_t(run.process.processId()), signalNumber);
    }
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(run.kinds(), args({"connecting", "open", "closed"}));
    QCOMPARE(run.closedReason(), reason);
    QCOMPARE(run.records().last().value(QLatin1String("code")).toInt(), 1000);
    QTRY_COMPARE(server.closeCodes, QList<int>{1000});
}

void TestCli::wsMaxReconnects()
{
    const quint16 port = unusedLocalPort();
    QVERIFY(port != 0);
    const QString url = QStringLiteral("ws://127.0.0.1:%1/").arg(port);
    CliRun run({str("ws"), url, str("--json"), str("--max-reconnects"), str("2"),
        str("--initial-delay"), str("5"), str("--max-delay"), str("20")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 3);
    QCOMPARE(run.kinds(),
        args({"connecting", "error", "reconnecting", "connecting", "error", "reconnecting",
            "connecting", "error", "closed"}));
    const QList<QJsonObject> connecting = run.recordsOf(str("connecting"));
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(connecting.at(i).value(QLatin1String("attempt")).toInt(), i + 1);
    }
    QCOMPARE(run.recordsOf(str("reconnecting")).last().value(QLatin1String("attempt")).toInt(), 3);
    QCOMPARE(run.closedReason(), str("max-reconnects"));
}

void TestCli::wsRefusedHandshakeIsFatal()
{
    SseTestServer server;
    QVERIFY(server.listen());
    server.setHandler(
        [](const SseTestRequest &, int) { return Response::error(404, "Not Found"); });
    const QString url = QStringLiteral("ws://127.0.0.1:%1/nope").arg(server.port());
    CliRun run({str("ws"), url, str("--json"), str("--initial-delay"), str("5")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 3);
    QCOMPARE(run.kinds(), args({"connecting", "error", "closed"}));
    QCOMPARE(run.recordsOf(str("error")).first().value(QLatin1String("status")).toInt(), 404);
    QCOMPARE(run.closedReason(), str("fatal"));
    QVERIFY(!run.records().last().contains(QLatin1String("code")));
}

void TestCli::wsCompression_data()
{
    QTest::addColumn<QStringList>("serverArguments");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<bool>("offered"); // permessage-deflate in the upgrade request
    QTest::addColumn<QString>("extensions"); // in the open record; empty: no such key
    QTest::addColumn<QByteArray>("openLine"); // on stderr without --json
    const QStringList deflate{str("--deflate")};
    QTest::newRow("agreed") << deflate << QStringList() << true << str("permessage-deflate")
                            << QByteArray("open (permessage-deflate)");
    QTest::newRow("agreed, with a subprotocol")
        << deflate << args({"--subprotocol", "chat.v2"}) << true << str("permessage-deflate")
        << QByteArray("open (subprotocol chat.v2, permessage-deflate)");
    QTest::newRow("declined by the server")
        << QStringList() << QStringList() << true << QString() << QByteArray("open");
    QTest::newRow("--no-compression")
        << deflate << args({"--no-compression"}) << false << QString() << QByteArray("open");
    QTest::newRow("--no-compression, with a subprotocol")
        << deflate << args({"--no-compression", "--subprotocol", "chat.v2"}) << false << QString()
        << QByteArray("open (subprotocol chat.v2)");
}

// Against node's ws, the most used server library: what was offered, agreed and reported.
void TestCli::wsCompression()
{
    QFETCH(QStringList, serverArguments);
    QFETCH(QStringList, extra);
    QFETCH(bool, offered);
    QFETCH(QString, extensions);
    QFETCH(QByteArray, openLine);
    NodeWsServer server(serverArguments);
    QString error;
    QVERIFY2(server.waitForListening(&error), qPrintable(error));
    const QStringList common{str("ws"), server.url().toString(), str("--max-events"), str("2"),
        str("--send"), str("hi")};

    CliRun json(common + extra + args({"--json"}));
    QVERIFY(json.finish());
    QCOMPARE(json.exitCode(), 0);
    QCOMPARE(json.kinds(), args({"connecting", "open", "sent", "message", "message", "closed"}));
    const QJsonObject open = json.recordsOf(str("open")).first();
    QCOMPARE(open.contains(QLatin1String("extensions")), !extensions.isEmpty());
    QCOMPARE(open.value(QLatin1String("extensions")).toString(), extensions);
    // The server's greeting: the request's Sec-WebSocket-Extensions and what ws agreed to.
    const QList<QJsonObject> messages = json.recordsOf(str("message"));
    const QJsonObject hello
        = QJsonDocument::fromJson(messages.at(0).value(QLatin1String("data")).toString().toUtf8())
              .object();
    QCOMPARE(hello.value(QLatin1String("extensions"))
                 .toString()
                 .startsWith(QLatin1String("permessage-deflate")),
        offered);
    QCOMPARE(hello.value(QLatin1String("negotiated")).toString().isEmpty(), extensions.isEmpty());
    QCOMPARE(messages.at(1).value(QLatin1String("data")).toString(), str("hi")); // the echo

    CliRun readable(common + extra);
    QVERIFY(readable.finish());
    QCOMPARE(readable.exitCode(), 0);
    // The whole line after the time: "open" alone must not match "open (...)".
    QVERIFY2(readable.err.contains(' ' + openLine + '\n'), readable.err.constData());
}

void TestCli::tls_data()
{
    QTest::addColumn<QString>("command"); // sse or ws
    QTest::addColumn<bool>("caFile"); // --ca-file with the test CA
    QTest::addColumn<bool>("insecure");
    QTest::addColumn<QStringList>("kinds");
    QTest::addColumn<int>("exitCode");
    for (const char *command : {"sse", "ws"}) {
        QTest::addRow("%s trusted via --ca-file", command)
            << str(command) << true << false
            << args({"connecting", "open", command == QByteArray("sse") ? "event" : "message",
                   "closed"})
            << 0;
        QTest::addRow("%s untrusted", command)
            << str(command) << false << false << args({"connecting", "error", "closed"}) << 3;
        QTest::addRow("%s --insecure", command)
            << str(command) << false << true
            << args({"connecting", "warning", "open",
                   command == QByteArray("sse") ? "event" : "message", "closed"})
            << 0;
    }
}

void TestCli::tls()
{
    QFETCH(QString, command);
    QFETCH(bool, caFile);
    QFETCH(bool, insecure);
    QFETCH(QStringList, kinds);
    QFETCH(int, exitCode);
    testtls::TlsSseServer sseServer(s_goodCertificatePem);
    testtls::WssServer wssServer(s_goodCertificatePem);
    const testtls::CaFile ca;
    QStringList arguments{command,
        (command == QLatin1String("ws") ? wssServer.url() : sseServer.url()).toString(),
        str("--json"), str("--max-events"), str("1"), str("--max-reconnects"), str("0")};
    if (caFile) {
        arguments << str("--ca-file") << ca.fileName();
    }
    if (insecure) {
        arguments << str("--insecure");
    }
    CliRun run(arguments);
    QVERIFY(run.finish());
    QCOMPARE(run.kinds(), kinds);
    QCOMPARE(run.exitCode(), exitCode);
    const QString notTrusted = str("certificate for 127.0.0.1 is not trusted (subject: "
                                   "127.0.0.1; issuer: Streamscope Test CA)");
    if (exitCode != 0) {
        // Refused with the reason, not retried: a certificate does not become trusted.
        const QString message
            = run.recordsOf(str("error")).first().value(QLatin1String("message")).toString();
        QVERIFY2(message.contains(str("TLS handshake failed: ") + notTrusted), qPrintable(message));
        QCOMPARE(run.closedReason(), str("fatal"));
    }
    if (insecure) {
        const QString message
            = run.recordsOf(str("warning")).first().value(QLatin1String("message")).toString();
        QVERIFY2(message.contains(notTrusted)
                && message.endsWith(str("proceeding, since certificate errors are ignored for "
                                        "this stream")),
            qPrintable(message));
    }
}

void TestCli::insecureWarnsReadably()
{
    testtls::TlsSseServer server(s_goodCertificatePem);
    CliRun run(
        {str("sse"), server.url().toString(), str("--insecure"), str("--max-events"), str("1")});
    QVERIFY(run.finish());
    QCOMPARE(run.exitCode(), 0);
    QVERIFY2(run.err.contains(" warning: certificate for 127.0.0.1 is not trusted"),
        run.err.constData());
    QVERIFY2(run.out.contains("hello"), run.out.constData());
}

void TestCli::mqttMessages_data()
{
    QTest::addColumn<QString>("version");
    QTest::newRow("3.1.1") << str("3.1.1");
    QTest::newRow("5") << str("5");
}

void TestCli::mqttMessages()
{
    QFETCH(QString, version);
    MosquittoBroker broker;
    QString error;
    QVERIFY2(broker.waitForListening(&error), qPrintable(error));
    QVERIFY(broker.publish(str("a/kept"), "from before", true));
    CliRun run({str("mqtt"), broker.url().toString(), str("--json"), str("--topic"), str("a/#"),
        str("--topic"), str("b/+"), str("--qos"), str("1"), str("--mqtt-version"), version,
        str("--client-id"), str("cli-test"), str("--publish"), str("a/self"), str("mine"),
        str("--max-events"), str("3")});
    QTRY_COMPARE_WITH_TIMEOUT(run.out.count("\"kind\":\"message\""), 2, 20000);
    QVERIFY(broker.publish(str("b/live"), "now"));
    QVERIFY(run.finish(20000));
    QCOMPARE(run.exitCode(), 0);
    const QStringList kinds = run.kinds();
    QCOMPARE(kinds.first(), str("connecting"));
    QCOMPARE(kinds.at(1), str("open"));
    QCOMPARE(kinds.count(str("subscribed")), 2);
    QCOMPARE(kinds.count(str("sent")), 1);
    QCOMPARE(kinds.count(str("acknowledged")), 1);
    QCOMPARE(kinds.last(), str("closed"));
    QCOMPARE(run.closedReason(), str("max-events"));
    const QJsonObject open = run.recordsOf(str("open")).first();
    QCOMPARE(open.value(QLatin1String("subprotocol")).toString(), str("mqtt"));
    QCOMPARE(open.value(QLatin1String("clientId")).toString(), str("cli-test"));
    const QList<QJsonObject> messages = run.recordsOf(str("message"));
    QCOMPARE(messages.size(), 3);
    const auto describe = [](const QJsonObject &record) {
        return QStringLiteral("%1 %2 binary=%3 qos=%4 retained=%5")
            .arg(record.value(QLatin1String("type")).toString(),
                record.value(QLatin1String("data")).toString())
            .arg(record.value(QLatin1String("binary")).toBool())
            .arg(record.value(QLatin1String("qos")).toInt())
            .arg(record.value(QLatin1String("retained")).toBool());
    };
    QCOMPARE(describe(messages.at(0)), str("a/kept from before binary=0 qos=0 retained=1"));
    QCOMPARE(describe(messages.at(1)), str("a/self mine binary=0 qos=1 retained=0"));
    QCOMPARE(describe(messages.at(2)), str("b/live now binary=0 qos=0 retained=0"));
    const QJsonObject sent = run.recordsOf(str("sent")).first();
    QCOMPARE(sent.value(QLatin1String("type")).toString(), str("a/self"));
    QCOMPARE(sent.value(QLatin1String("data")).toString(), str("mine"));
    QCOMPARE(sent.value(QLatin1String("qos")).toInt(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(
        broker.log().contains(QLatin1String("Received DISCONNECT from cli-test")), 20000);
}

void TestCli::mqttReadable()
{
    MosquittoBroker broker;
    QString error;
    QVERIFY2(broker.waitForListening(&error), qPrintable(error));
    QVERIFY(broker.publish(str("room/1"), "kept", true));
    CliRun run({str("mqtt"), broker.url().toString(), str("--topic"), str("room/#"),
        str("--max-events"), str("2")});
    QTRY_VERIFY_WITH_TIMEOUT(run.out.contains("kept"), 20000);
    QVERIFY(broker.publish(str("room/2"), "live"));
    QVERIFY(run.finish(20000));
    QCOMPARE(run.exitCode(), 0);
    const QList<QByteArray> lines = run.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    const QRegularExpression clock(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} "));
    QVERIFY2(clock.match(QString::fromUtf8(lines.at(0))).hasMatch(), lines.at(0).constData());
    QVERIFY2(lines.at(0).endsWith(" room/1 (retained) kept"), lines.at(0).constData());
    QVERIFY2(lines.at(1).endsWith(" room/2 live"), lines.at(1).constData());
    QVERIFY2(run.err.contains("subscribed to room/# (QoS 0)"), run.err.constData());
}

void TestCli::mqttRefusedIsFatal_data()
{
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("refusal");
    QTest::newRow("3.1.1") << str("3.1.1") << str("connection refused: not authorized");
    QTest::newRow("5") << str("5") << str("connection refused: not authorized");
}

void TestCli::mqttRefusedIsFatal()
{
    QFETCH(QString, version);
    QFETCH(QString, refusal);
    MosquittoBroker broker(MosquittoBrokerOptions{str("user"), str("right"), {}});
    QString error;
    QVERIFY2(broker.waitForListening(&error), qPrintable(error));
    CliRun run({str("mqtt"), broker.url().toString(), str("--json"), str("--topic"), str("t"),
        str("--username"), str("user"), str("--password"), str("wrong"), str("--mqtt-version"),
        version, str("--initial-delay"), str("5")});
    QVERIFY(run.finish(20000));
    QCOMPARE(run.exitCode(), 3);
    QCOMPARE(run.kinds(), args({"connecting", "error", "closed"}));
    QCOMPARE(
        run.recordsOf(str("error")).first().value(QLatin1String("message")).toString(), refusal);
    QCOMPARE(run.closedReason(), str("fatal"));
}

void TestCli::mqttPublishOnly()
{
    MosquittoBroker broker;
    QString error;
    QVERIFY2(broker.waitForListening(&error), qPrintable(error));
    CliRun run({str("mqtt"), broker.url().toString(), str("--json"), str("--publish"), str("x/1"),
        str("one"), str("--publish"), str("x/2"), str("two"), str("--qos"), str("1"),
        str("--retain")});
    QVERIFY(run.finish(20000));
    QCOMPARE(run.exitCode(), 0);
    QCOMPARE(run.kinds(),
        args({"connecting", "open", "sent", "sent", "acknowledged", "acknowledged", "closed"}));
    QCOMPARE(run.closedReason(), str("published"));
    QCOMPARE(run.recordsOf(str("sent")).first().value(QLatin1String("retained")), QJsonValue(true));
    // Retained by the broker: a later run gets both at once.
    CliRun later({str("mqtt"), broker.url().toString(), str("--json"), str("--topic"), str("x/#"),
        str("--max-events"), str("2")});
    QVERIFY(later.finish(20000));
    QCOMPARE(later.recordsOf(str("message")).size(), 2);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
