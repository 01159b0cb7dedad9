// SPDX-License-Identifier: GPL-3.0-or-later
#include "demofeed.h"
#include "demollm.h"
#include "sseparser.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaEnum>
#include <QProcess>
#include <QSet>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>
#include <random>

using namespace streamscope;

using Format = DemoLlm::Format;
using Ending = DemoLlm::Answer::Ending;

Q_DECLARE_METATYPE(streamscope::DemoLlm::Format)
Q_DECLARE_METATYPE(streamscope::DemoLlm::Answer::Ending)

namespace {

struct TimedEvent
{
    SseEvent event;
    qint64 elapsedMs; // since the request was written
};

// A bare HTTP/1.1 client for one POST: the raw response, its chunked body decoded and parsed as
// SSE as it arrives, each event with the time it came. Bare, to see the framing: whether the
// body ended with its last chunk or broke off.
class LlmClient
{
public:
    LlmClient(const QUrl &url, const QByteArray &body, const QByteArray &method = "POST",
        const QByteArray &headers = "Content-Type: application/json\r\n", bool contentLength = true)
    {
        m_parser.setEventHandler([this](const SseEvent &event) {
            events.append({event, m_clock.elapsed()});
            return true;
        });
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] { read(); });
        socket.connectToHost(url.host(), quint16(url.port()));
        QByteArray request = method + ' ' + url.path().toUtf8() + " HTTP/1.1\r\nHost: "
            + url.host().toUtf8() + ':' + QByteArray::number(url.port()) + "\r\n" + headers;
        if (contentLength) {
            request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        }
        m_clock.start();
        socket.write(request + "\r\n" + body);
    }

    bool headComplete() const { return m_headEnd >= 0; }
    QByteArray head() const { return m_headEnd >= 0 ? raw.left(m_headEnd) : QByteArray(); }
    int status() const { return head().mid(9, 3).toInt(); }
    bool isChunked() const { return head().contains("\r\nTransfer-Encoding: chunked"); }
    bool isClosed() const { return socket.state() == QAbstractSocket::UnconnectedState; }
    // The response is over: its last chunk came (the connection may stay open), or it closed.
    bool isOver() const { return lastChunkSeen || isClosed(); }
    // The body as sent: de-chunked when chunked.
    QByteArray body() const { return isChunked() ? m_decoded : raw.mid(m_headEnd + 4); }
    QJsonObject jsonBody() const { return QJsonDocument::fromJson(body()).object(); }

    QTcpSocket socket;
    QByteArray raw;
    QList<TimedEvent> events;
    bool lastChunkSeen = false; // the chunked body's terminating zero-size chunk

private:
    void read()
    {
        raw += socket.readAll();
        if (m_headEnd < 0) {
            m_headEnd = raw.indexOf("\r\n\r\n");
            if (m_headEnd < 0) {
                return;
            }
            m_pending = raw.mid(m_headEnd + 4);
        } else {
            m_pending = raw.mid(m_headEnd + 4 + m_consumed);
        }
        if (!isChunked()) {
            return;
        }
        // RFC 9112 7.1: size in hex, CRLF, data, CRLF; a zero size ends the body.
        while (!lastChunkSeen) {
            const qsizetype lineEnd = m_pending.indexOf("\r\n");
            if (lineEnd < 0) {
                return;
            }
            bool ok = false;
            const qsizetype size = m_pending.left(lineEnd).toLongLong(&ok, 16);
            if (!ok || m_pending.size() < lineEnd + 2 + size + 2) {
                return;
            }
            const QByteArray data = m_pending.mid(lineEnd + 2, size);
            m_pending.remove(0, lineEnd + 2 + size + 2);
            m_consumed += lineEnd + 2 + size + 2;
            if (size == 0) {
                lastChunkSeen = true;
            } else {
                m_decoded += data;
                m_parser.feed(data);
            }
        }
    }

    SseParser m_parser;
    QElapsedTimer m_clock;
    QByteArray m_pending; // undecoded body bytes
    QByteArray m_decoded;
    qsizetype m_headEnd = -1;
    qsizetype m_consumed = 0; // body bytes decoded so far, framing included
};

// What a client makes of one format's events, as the SDKs read them.
struct Reassembled
{
    QStringList types; // event names, or the chunk kind for Chat Completions
    QString text;
    int deltas = 0; // non-empty text deltas
    int inputTokens = -1;
    int outputTokens = -1;
    QString stopReason;
    QString errorType; // from an error event or chunk
    bool done = false; // the format's clean end: [DONE], message_stop, response.completed
    QString problem; // the first thing that is not as the format has it
};

QJsonObject parse(const QByteArray &data, QString *problem)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(data, &error);
    if ((error.error != QJsonParseError::NoError || !document.isObject()) && problem->isEmpty()) {
        *problem = QStringLiteral("not a JSON object: ") + QString::fromUtf8(data);
    }
    return document.object();
}

Reassembled reassemble(Format format, const QList<TimedEvent> &events)
{
    Reassembled out;
    const auto fail = [&out](const QString &problem) {
        if (out.problem.isEmpty()) {
            out.problem = problem;
        }
    };
    int sequenceNumber = 0;
    for (const TimedEvent &timed : events) {
        const SseEvent &event = timed.event;
        if (out.done) {
            fail(QStringLiteral("an event after the end: ") + QString::fromUtf8(event.data));
        }
        if (format == Format::OpenAiChat) {
            if (event.type != "message") {
                fail(QStringLiteral("a named event: ") + QString::fromUtf8(event.type));
            }
            if (event.data == "[DONE]") {
                out.types.append(QStringLiteral("[DONE]"));
                out.done = true;
                continue;
            }
            const QJsonObject chunk = parse(event.data, &out.problem);
            if (chunk.contains(QLatin1String("error"))) {
                out.types.append(QStringLiteral("error"));
                out.errorType = chunk[QLatin1String("error")][QLatin1String("type")].toString();
                continue;
            }
            if (chunk[QLatin1String("object")] != QLatin1String("chat.completion.chunk")) {
                fail(QStringLiteral("not a chat.completion.chunk"));
            }
            const QJsonArray choices = chunk[QLatin1String("choices")].toArray();
            out.types.append(choices.isEmpty() ? QStringLiteral("usage") : QStringLiteral("chunk"));
            for (const QJsonValue &choice : choices) {
                const QString content
                    = choice[QLatin1String("delta")][QLatin1String("content")].toString();
                out.text += content;
                out.deltas += content.isEmpty() ? 0 : 1;
                if (const QJsonValue reason = choice[QLatin1String("finish_reason")];
                    reason.isString()) {
                    out.stopReason = reason.toString();
                }
            }
            if (const QJsonValue usage = chunk[QLatin1String("usage")]; usage.isObject()) {
                out.inputTokens = usage[QLatin1String("prompt_tokens")].toInt(-1);
                out.outputTokens = usage[QLatin1String("completion_tokens")].toInt(-1);
            }
            continue;
        }
        const QJsonObject data = parse(event.data, &out.problem);
        const QString type = QString::fromUtf8(event.type);
        out.types.append(type);
        if (data[QLatin1String("type")].toString() != type) {
            fail(QStringLiteral("event %1 with type %2")
                     .arg(type, data[QLatin1String("type")].toString()));
        }
        if (format == Format::OpenAiResponses) {
            if (data[QLatin1String("sequence_number")].toInt(-1) != sequenceNumber++) {
                fail(QStringLiteral("%1: sequence_number %2, expected %3")
                         .arg(type)
                         .arg(data[QLatin1String("sequence_number")].toInt(-1))
                         .arg(sequenceNumber - 1));
            }
            if (type == QLatin1String("response.output_text.delta")) {
                out.text += data[QLatin1String("delta")].toString();
                ++out.deltas;
            } else if (type == QLatin1String("response.output_text.done")
                && data[QLatin1String("text")].toString() != out.text) {
                fail(QStringLiteral("response.output_text.done differs from the deltas"));
            } else if (type == QLatin1String("response.completed")
                || type == QLatin1String("response.incomplete")) {
                const QJsonObject response = data[QLatin1String("response")].toObject();
                const QJsonObject usage = response[QLatin1String("usage")].toObject();
                out.inputTokens = usage[QLatin1String("input_tokens")].toInt(-1);
                out.outputTokens = usage[QLatin1String("output_tokens")].toInt(-1);
                out.stopReason = type == QLatin1String("response.completed")
                    ? response[QLatin1String("status")].toString()
                    : response[QLatin1String("incomplete_details")][QLatin1String("reason")]
                          .toString();
                const QString output = response[QLatin1String("output")][0]
                                               [QLatin1String("content")][0][QLatin1String("text")]
                                                   .toString();
                if (output != out.text) {
                    fail(type + QStringLiteral(": its output differs from the deltas"));
                }
                out.done = true;
            } else if (type == QLatin1String("response.failed")) {
                out.errorType
                    = data[QLatin1String("response")][QLatin1String("error")][QLatin1String("code")]
                          .toString();
            }
        } else {
            if (type == QLatin1String("message_start")) {
                out.inputTokens = data[QLatin1String("message")][QLatin1String("usage")]
                                      [QLatin1String("input_tokens")]
                                          .toInt(-1);
            } else if (type == QLatin1String("content_block_delta")) {
                const QJsonValue delta = data[QLatin1String("delta")];
                if (delta[QLatin1String("type")] != QLatin1String("text_delta")
                    || data[QLatin1String("index")].toInt(-1) != 0) {
                    fail(QStringLiteral("not a text_delta of block 0"));
                }
                out.text += delta[QLatin1String("text")].toString();
                ++out.deltas;
            } else if (type == QLatin1String("message_delta")) {
                out.stopReason
                    = data[QLatin1String("delta")][QLatin1String("stop_reason")].toString();
                out.outputTokens
                    = data[QLatin1String("usage")][QLatin1String("output_tokens")].toInt(-1);
            } else if (type == QLatin1String("message_stop")) {
                out.done = true;
            } else if (type == QLatin1String("error")) {
                out.errorType = data[QLatin1String("error")][QLatin1String("type")].toString();
            }
        }
    }
    return out;
}

QString pathOf(Format format)
{
    switch (format) {
    case Format::OpenAiChat:
        return QStringLiteral("/v1/chat/completions");
    case Format::OpenAiResponses:
        return QStringLiteral("/v1/responses");
    case Format::Anthropic:
        return QStringLiteral("/v1/messages");
    }
    return {};
}

// A request body as each API has it, with the prompt and the model; extra members are merged in.
QJsonObject requestBody(Format format, const QString &prompt, const QString &model = QString(),
    const QJsonObject &extra = {})
{
    QJsonObject body{
        {QStringLiteral("model"), model.isEmpty() ? QStringLiteral("demo-model") : model},
        {QStringLiteral("stream"), true},
    };
    const QJsonArray messages{QJsonObject{
        {QStringLiteral("role"), QStringLiteral("user")},
        {QStringLiteral("content"), prompt},
    }};
    switch (format) {
    case Format::OpenAiChat:
        body[QStringLiteral("messages")] = messages;
        break;
    case Format::OpenAiResponses:
        body[QStringLiteral("input")] = prompt;
        break;
    case Format::Anthropic:
        body[QStringLiteral("max_tokens")] = 1024;
        body[QStringLiteral("messages")] = messages;
        break;
    }
    for (auto it = extra.constBegin(); it != extra.constEnd(); ++it) {
        body[it.key()] = it.value();
    }
    return body;
}

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

DemoFeed::Settings fastSettings(double paceFactor = 0.01)
{
    DemoFeed::Settings settings;
    settings.llmPaceFactor = paceFactor;
    settings.seed = 11;
    return settings;
}

const QString s_prompt = QStringLiteral("Why does my token stream stall now and then?");

QStringList strings(std::initializer_list<const char *> utf8)
{
    QStringList list;
    for (const char *string : utf8) {
        list.append(QString::fromUtf8(string));
    }
    return list;
}

} // namespace

class TestDemoLlm : public QObject
{
    Q_OBJECT
private slots:
    void tokenize_data();
    void tokenize();
    void cannedAnswersAreWholeAndNotAscii();
    void answerFor_data();
    void answerFor();
    void answerDependsOnThePromptOnly();
    void pacerBounds_data();
    void pacerBounds();
    void streams_data();
    void streams();
    void errorVariants_data();
    void errorVariants();
    void refusals_data();
    void refusals();
    void firstTokenAtAModelsPace_data();
    void firstTokenAtAModelsPace();
    void keepsTheConnectionForTheNextRequest_data();
    void keepsTheConnectionForTheNextRequest();
    void clientGoneMidAnswerFreesItsTimer_data();
    void clientGoneMidAnswerFreesItsTimer();
    void officialSdk_data();
    void officialSdk();
};

void TestDemoLlm::tokenize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("tokens");
    QTest::newRow("words with their spaces")
        << QStringLiteral("a short answer") << strings({"a", " short", " answer"});
    QTest::newRow("long words in pieces of 5")
        << QStringLiteral("monitoring streams") << strings({"monit", "oring", " streams"});
    QTest::newRow("punctuation apart") << QStringLiteral(
        "Yes, (≈ 0.5 s).") << strings({"Yes", ",", " (", "≈", " 0", ".", "5", " s", ")", "."});
    QTest::newRow("line breaks as one piece")
        << QStringLiteral("one.\n\nTwo") << strings({"one", ".", "\n\n", "Two"});
    QTest::newRow("accents are letters")
        << QStringLiteral("un résumé") << strings({"un", " résumé"});
    QTest::newRow("a surrogate pair stays whole")
        << QStringLiteral("speed 📈!") << strings({"speed", " 📈", "!"});
    QTest::newRow("trailing spaces") << QStringLiteral("end  ") << strings({"end", "  "});
}

void TestDemoLlm::tokenize()
{
    QFETCH(QString, text);
    QFETCH(QStringList, tokens);
    QCOMPARE(DemoLlm::tokenize(text), tokens);
}

void TestDemoLlm::cannedAnswersAreWholeAndNotAscii()
{
    const QStringList answers = DemoLlm::cannedAnswers();
    QVERIFY(answers.size() >= 3);
    for (const QString &answer : answers) {
        const QStringList tokens = DemoLlm::tokenize(answer);
        QCOMPARE(tokens.join(QString()), answer);
        QVERIFY2(tokens.size() > 60, qPrintable(answer));
        QVERIFY2(answer.contains(QLatin1String("\n\n")), qPrintable(answer)); // paragraphs
        QVERIFY2(answer.toUtf8().size() > answer.size(), qPrintable(answer)); // non-ASCII
        for (const QString &token : tokens) {
            QVERIFY(!token.isEmpty());
            QVERIFY2(!token.back().isHighSurrogate(), qPrintable(token));
        }
    }
}

void TestDemoLlm::answerFor_data()
{
    QTest::addColumn<Format>("format");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("inputTokens");
    QTest::addColumn<Ending>("ending");
    QTest::addColumn<int>("outputTokens"); // -1: the whole answer; -2: half of it
    const QString prompt = QStringLiteral("How fast  are\ntokens?"); // 4 words
    const QJsonArray twoMessages{
        QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
            {QStringLiteral("content"), QStringLiteral("one two")}},
        QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
            {QStringLiteral("content"),
                QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                    {QStringLiteral("text"), QStringLiteral("three")}}}}},
    };
    for (const Format format : {Format::OpenAiChat, Format::OpenAiResponses, Format::Anthropic}) {
        const QByteArray name = QMetaEnum::fromType<Format>().valueToKey(int(format));
        QTest::addRow("%s", name.constData())
            << format << requestBody(format, prompt) << 4 << Ending::Complete << -1;
        QTest::addRow("%s overloaded", name.constData())
            << format << requestBody(format, prompt, QStringLiteral("overloaded")) << 4
            << Ending::Overloaded << 5;
        QTest::addRow("%s drop", name.constData())
            << format << requestBody(format, prompt, QStringLiteral("drop")) << 4 << Ending::Dropped
            << -2;
    }
    QTest::newRow("chat: max_tokens")
        << Format::OpenAiChat
        << requestBody(Format::OpenAiChat, prompt, {}, {{QStringLiteral("max_tokens"), 7}}) << 4
        << Ending::MaxTokens << 7;
    QTest::newRow("chat: max_completion_tokens wins")
        << Format::OpenAiChat
        << requestBody(Format::OpenAiChat, prompt, {},
               {{QStringLiteral("max_tokens"), 7}, {QStringLiteral("max_completion_tokens"), 9}})
        << 4 << Ending::MaxTokens << 9;
    QTest::newRow("chat: a limit over the answer")
        << Format::OpenAiChat
        << requestBody(Format::OpenAiChat, prompt, {}, {{QStringLiteral("max_tokens"), 100000}})
        << 4 << Ending::Complete << -1;
    QTest::newRow("responses: max_output_tokens")
        << Format::OpenAiResponses
        << requestBody(
               Format::OpenAiResponses, prompt, {}, {{QStringLiteral("max_output_tokens"), 3}})
        << 4 << Ending::MaxTokens << 3;
    QTest::newRow("anthropic: max_tokens")
        << Format::Anthropic
        << requestBody(Format::Anthropic, prompt, {}, {{QStringLiteral("max_tokens"), 12}}) << 4
        << Ending::MaxTokens << 12;
    QTest::newRow("chat: messages, text parts")
        << Format::OpenAiChat
        << requestBody(Format::OpenAiChat, {}, {}, {{QStringLiteral("messages"), twoMessages}}) << 3
        << Ending::Complete << -1;
    QTest::newRow("responses: instructions and input items")
        << Format::OpenAiResponses
        << requestBody(Format::OpenAiResponses, {}, {},
               {{QStringLiteral("instructions"), QStringLiteral("be brief")},
                   {QStringLiteral("input"), twoMessages}})
        << 5 << Ending::Complete << -1;
    QTest::newRow("anthropic: system blocks")
        << Format::Anthropic
        << requestBody(Format::Anthropic, {}, {},
               {{QStringLiteral("system"),
                    QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                        {QStringLiteral("text"), QStringLiteral("be brief")}}}},
                   {QStringLiteral("messages"), twoMessages}})
        << 5 << Ending::Complete << -1;
}

void TestDemoLlm::answerFor()
{
    QFETCH(Format, format);
    QFETCH(QJsonObject, body);
    QFETCH(int, inputTokens);
    QFETCH(Ending, ending);
    QFETCH(int, outputTokens);
    const DemoLlm::Answer answer = DemoLlm::answerFor(format, body);
    QCOMPARE(answer.inputTokens, inputTokens);
    QCOMPARE(answer.ending, ending);
    QCOMPARE(answer.model, body[QLatin1String("model")].toString());
    const QStringList answers = DemoLlm::cannedAnswers();
    const auto whole = std::find_if(answers.cbegin(), answers.cend(),
        [&answer](const QString &text) { return text.startsWith(answer.text()); });
    QVERIFY2(whole != answers.cend(), qPrintable(answer.text()));
    const QStringList allTokens = DemoLlm::tokenize(*whole);
    QCOMPARE(answer.tokens, allTokens.mid(0, answer.outputTokens()));
    if (outputTokens == -1) {
        QCOMPARE(answer.outputTokens(), allTokens.size());
    } else if (outputTokens == -2) {
        QCOMPARE(answer.outputTokens(), allTokens.size() / 2);
    } else {
        QCOMPARE(answer.outputTokens(), outputTokens);
    }
}

void TestDemoLlm::answerDependsOnThePromptOnly()
{
    const auto textFor = [](Format format, const QString &prompt, const QString &model) {
        return DemoLlm::answerFor(format, requestBody(format, prompt, model)).text();
    };
    // The same question gets the same answer, whatever the format or model.
    const QString chat = textFor(Format::OpenAiChat, s_prompt, QStringLiteral("a"));
    QCOMPARE(textFor(Format::OpenAiResponses, s_prompt, QStringLiteral("b")), chat);
    QCOMPARE(textFor(Format::Anthropic, s_prompt, QStringLiteral("c")), chat);
    // Every canned answer is reachable.
    QSet<QString> seen;
    for (int i = 0; i < 100; ++i) {
        seen.insert(textFor(Format::OpenAiChat, QStringLiteral("question %1").arg(i), {}));
    }
    QCOMPARE(seen.size(), DemoLlm::cannedAnswers().size());
}

void TestDemoLlm::pacerBounds_data()
{
    QTest::addColumn<quint32>("seed");
    for (const quint32 seed : {1u, 2u, 7u, 1234u, 99991u}) {
        QTest::addRow("seed %u", seed) << seed;
    }
}

void TestDemoLlm::pacerBounds()
{
    QFETCH(quint32, seed);
    std::mt19937 random(seed);
    constexpr int gaps = 4000;
    for (int answer = 0; answer < 20; ++answer) {
        DemoLlmPacer pacer(random);
        QVERIFY(pacer.tokensPerSecond() >= DemoLlmPacer::MinTokensPerSecond);
        QVERIFY(pacer.tokensPerSecond() <= DemoLlmPacer::MaxTokensPerSecond);
        const int first = pacer.firstTokenDelayMs();
        QVERIFY2(first >= DemoLlmPacer::MinFirstTokenMs && first <= DemoLlmPacer::MaxFirstTokenMs,
            qPrintable(QString::number(first)));
        // Jitter of ±50 % around the answer's rate; a stall is longer than any jittered gap.
        const double mean = 1000.0 / pacer.tokensPerSecond();
        int stalls = 0;
        for (int i = 0; i < gaps / 20; ++i) {
            const int gap = pacer.nextGapMs();
            if (gap >= DemoLlmPacer::MinStallMs) {
                QVERIFY2(gap <= DemoLlmPacer::MaxStallMs, qPrintable(QString::number(gap)));
                ++stalls;
            } else {
                QVERIFY2(gap >= std::floor(mean * 0.5) && gap <= std::ceil(mean * 1.5),
                    qPrintable(QStringLiteral("%1 around %2").arg(gap).arg(mean)));
            }
        }
        QVERIFY(stalls < gaps / 20 / 4);
    }
    // About one gap in 40 is a stall: in 4000, far more than 40 / 2 and far fewer than 40 * 2.
    DemoLlmPacer pacer(random);
    int stalls = 0;
    for (int i = 0; i < gaps; ++i) {
        stalls += pacer.nextGapMs() >= DemoLlmPacer::MinStallMs ? 1 : 0;
    }
    QVERIFY2(stalls > gaps / DemoLlmPacer::StallOneIn / 2, qPrintable(QString::number(stalls)));
    QVERIFY2(stalls < gaps / DemoLlmPacer::StallOneIn * 2, qPrintable(QString::number(stalls)));
    // A factor scales every delay; 0 sends at once.
    DemoLlmPacer fast(random, 0.01);
    QVERIFY(fast.firstTokenDelayMs() <= 8);
    for (int i = 0; i < 100; ++i) {
        QVERIFY(fast.nextGapMs() <= 9);
    }
    DemoLlmPacer instant(random, 0);
    QCOMPARE(instant.firstTokenDelayMs(), 0);
    QCOMPARE(instant.nextGapMs(), 0);
}

void TestDemoLlm::streams_data()
{
    QTest::addColumn<Format>("format");
    QTest::addColumn<QJsonObject>("extra");
    QTest::addColumn<QStringList>("types"); // consecutive duplicates collapsed
    QTest::addColumn<bool>("usage");
    QTest::addColumn<QString>("stopReason");
    const QJsonObject includeUsage{
        {QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}}}};
    QTest::newRow("chat, usage asked for")
        << Format::OpenAiChat << includeUsage << strings({"chunk", "usage", "[DONE]"}) << true
        << QStringLiteral("stop");
    QTest::newRow("chat, no usage")
        << Format::OpenAiChat << QJsonObject() << strings({"chunk", "[DONE]"}) << false
        << QStringLiteral("stop");
    QJsonObject cut = includeUsage;
    cut[QStringLiteral("max_tokens")] = 10;
    QTest::newRow("chat, max_tokens")
        << Format::OpenAiChat << cut << strings({"chunk", "usage", "[DONE]"}) << true
        << QStringLiteral("length");
    const QStringList responses = strings({"response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done"});
    QTest::newRow("responses") << Format::OpenAiResponses << QJsonObject()
                               << (responses + strings({"response.completed"})) << true
                               << QStringLiteral("completed");
    QTest::newRow("responses, max_output_tokens")
        << Format::OpenAiResponses << QJsonObject{{QStringLiteral("max_output_tokens"), 10}}
        << (responses + strings({"response.incomplete"})) << true
        << QStringLiteral("max_output_tokens");
    const QStringList anthropic = strings({"message_start", "content_block_start", "ping",
        "content_block_delta", "content_block_stop", "message_delta", "message_stop"});
    QTest::newRow("anthropic") << Format::Anthropic << QJsonObject() << anthropic << true
                               << QStringLiteral("end_turn");
    QTest::newRow("anthropic, max_tokens")
        << Format::Anthropic << QJsonObject{{QStringLiteral("max_tokens"), 10}} << anthropic << true
        << QStringLiteral("max_tokens");
}

void TestDemoLlm::streams()
{
    QFETCH(Format, format);
    QFETCH(QJsonObject, extra);
    QFETCH(QStringList, types);
    QFETCH(bool, usage);
    QFETCH(QString, stopReason);
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings()));
    const QJsonObject body = requestBody(format, s_prompt, {}, extra);
    const DemoLlm::Answer expected = DemoLlm::answerFor(format, body);
    LlmClient client(feed.url(pathOf(format)), toJson(body));
    QTRY_VERIFY_WITH_TIMEOUT(client.isOver(), 30000);

    QCOMPARE(client.status(), 200);
    QVERIFY(client.head().contains("\r\nContent-Type: text/event-stream"));
    QVERIFY(client.isChunked());
    QVERIFY(client.lastChunkSeen);
    const Reassembled got = reassemble(format, client.events);
    QVERIFY2(got.problem.isEmpty(), qPrintable(got.problem));
    QStringList collapsed;
    for (const QString &type : got.types) {
        if (collapsed.isEmpty() || collapsed.last() != type) {
            collapsed.append(type);
        }
    }
    QCOMPARE(collapsed, types);
    QVERIFY(got.done);
    QCOMPARE(got.text, expected.text());
    QCOMPARE(got.deltas, expected.outputTokens());
    QCOMPARE(got.stopReason, stopReason);
    QCOMPARE(got.stopReason, DemoLlm::stopReason(format, expected.ending));
    QCOMPARE(got.inputTokens, usage ? expected.inputTokens : -1);
    QCOMPARE(got.outputTokens, usage ? expected.outputTokens() : -1);
    QVERIFY(expected.inputTokens > 0);
    QCOMPARE(feed.llm()->connectionCount(), 0);
}

void TestDemoLlm::errorVariants_data()
{
    QTest::addColumn<Format>("format");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("lastType"); // the last event or chunk kind; empty for none
    QTest::addColumn<QString>("errorType");
    QTest::addColumn<bool>("lastChunk"); // whether the chunked body ends properly
    QTest::newRow("chat overloaded")
        << Format::OpenAiChat << QStringLiteral("overloaded") << QStringLiteral("error")
        << QStringLiteral("server_error") << true;
    QTest::newRow("responses overloaded")
        << Format::OpenAiResponses << QStringLiteral("overloaded")
        << QStringLiteral("response.failed") << QStringLiteral("server_error") << true;
    QTest::newRow("anthropic overloaded")
        << Format::Anthropic << QStringLiteral("overloaded") << QStringLiteral("error")
        << QStringLiteral("overloaded_error") << true;
    QTest::newRow("chat drop") << Format::OpenAiChat << QStringLiteral("drop")
                               << QStringLiteral("chunk") << QString() << false;
    QTest::newRow("responses drop")
        << Format::OpenAiResponses << QStringLiteral("drop")
        << QStringLiteral("response.output_text.delta") << QString() << false;
    QTest::newRow("anthropic drop") << Format::Anthropic << QStringLiteral("drop")
                                    << QStringLiteral("content_block_delta") << QString() << false;
}

void TestDemoLlm::errorVariants()
{
    QFETCH(Format, format);
    QFETCH(QString, model);
    QFETCH(QString, lastType);
    QFETCH(QString, errorType);
    QFETCH(bool, lastChunk);
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings()));
    const QJsonObject body = requestBody(format, s_prompt, model);
    const DemoLlm::Answer expected = DemoLlm::answerFor(format, body);
    LlmClient client(feed.url(pathOf(format)), toJson(body));
    QTRY_VERIFY_WITH_TIMEOUT(client.isOver(), 30000);

    // The trouble comes after 200 OK and a few tokens, as it does from the real APIs.
    QCOMPARE(client.status(), 200);
    QCOMPARE(client.lastChunkSeen, lastChunk);
    const Reassembled got = reassemble(format, client.events);
    QVERIFY2(got.problem.isEmpty(), qPrintable(got.problem));
    QVERIFY(!got.done);
    QCOMPARE(got.types.last(), lastType);
    QCOMPARE(got.errorType, errorType);
    QCOMPARE(got.text, expected.text());
    QVERIFY(got.deltas > 0);
    QVERIFY(got.deltas < DemoLlm::answerFor(format, requestBody(format, s_prompt)).outputTokens());
    QCOMPARE(got.stopReason, QString());
    QCOMPARE(got.outputTokens, -1);
    if (format == Format::Anthropic && model == QLatin1String("overloaded")) {
        // Exactly the real API's error event.
        QCOMPARE(client.events.last().event.data,
            QByteArray(
                R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
    }
    QCOMPARE(feed.llm()->connectionCount(), 0);
}

void TestDemoLlm::refusals_data()
{
    QTest::addColumn<Format>("format");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("contentLength");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type"); // the error's type in the format's own error shape
    QTest::addColumn<QString>("messageContains");
    const QByteArray json = "Content-Type: application/json\r\n";
    const QByteArray valid = R"({"model":"m","stream":true,"messages":[]})";
    for (const Format format : {Format::OpenAiChat, Format::OpenAiResponses, Format::Anthropic}) {
        const char *name = QMetaEnum::fromType<Format>().valueToKey(int(format));
        QTest::addRow("%s: GET", name) << format << QByteArray("GET") << QByteArray()
                                       << QByteArray() << false << 405 << "invalid_request_error"
                                       << "POST only";
        QTest::addRow("%s: malformed JSON", name)
            << format << QByteArray("POST") << json << QByteArray(R"({"model": "m", "stream": tru)")
            << true << 400 << "invalid_request_error"
            << "could not parse the JSON body";
        QTest::addRow("%s: a JSON array", name)
            << format << QByteArray("POST") << json << QByteArray("[1,2]") << true << 400
            << "invalid_request_error"
            << "JSON object";
        QTest::addRow("%s: empty body", name)
            << format << QByteArray("POST") << json << QByteArray() << true << 400
            << "invalid_request_error"
            << "could not parse";
        QTest::addRow("%s: not streamed", name)
            << format << QByteArray("POST") << json << QByteArray(R"({"model":"m"})") << true << 400
            << "invalid_request_error"
            << "\"stream\": true";
        QTest::addRow("%s: no Content-Length", name)
            << format << QByteArray("POST") << json << QByteArray() << false << 411
            << "invalid_request_error"
            << "Content-Length";
        QTest::addRow("%s: a chunked body", name)
            << format << QByteArray("POST") << json + "Transfer-Encoding: chunked\r\n"
            << QByteArray("5\r\nhello\r\n0\r\n\r\n") << false << 411 << "invalid_request_error"
            << "Content-Length";
        QTest::addRow("%s: over 1 MiB", name)
            << format << QByteArray("POST") << json + "Content-Length: 1048577\r\n"
            << QByteArray() << false << 413
            << (format == Format::Anthropic ? "request_too_large" : "invalid_request_error")
            << "over the limit";
        QTest::addRow("%s: 1 MiB is fine", name) << format << QByteArray("POST") << json
                                                 << valid.left(valid.size() - 1) + ",\"pad\":\""
                + QByteArray(1024 * 1024 - valid.size() - 9, 'x') + "\"}"
                                                 << true << 200 << QString() << QString();
    }
}

void TestDemoLlm::refusals()
{
    QFETCH(Format, format);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, headers);
    QFETCH(QByteArray, body);
    QFETCH(bool, contentLength);
    QFETCH(int, status);
    QFETCH(QString, type);
    QFETCH(QString, messageContains);
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings(0)));
    LlmClient client(feed.url(pathOf(format)), body, method, headers, contentLength);
    QTRY_VERIFY_WITH_TIMEOUT(client.isOver(), 30000);
    QCOMPARE(client.status(), status);
    if (status == 200) {
        QVERIFY(reassemble(format, client.events).done);
        return;
    }
    QVERIFY(client.head().contains("\r\nContent-Type: application/json"));
    if (status == 405) {
        QVERIFY(client.head().contains("\r\nAllow: POST"));
    }
    const QJsonObject error = client.jsonBody();
    QString message;
    if (format == Format::Anthropic) {
        // {"type":"error","error":{"type":...,"message":...}}
        QCOMPARE(error[QLatin1String("type")].toString(), QStringLiteral("error"));
        QCOMPARE(error[QLatin1String("error")][QLatin1String("type")].toString(), type);
        message = error[QLatin1String("error")][QLatin1String("message")].toString();
    } else {
        // {"error":{"message":...,"type":...,"param":null,"code":null}}
        QCOMPARE(error[QLatin1String("error")][QLatin1String("type")].toString(), type);
        QVERIFY(error[QLatin1String("error")].toObject().contains(QLatin1String("param")));
        message = error[QLatin1String("error")][QLatin1String("message")].toString();
    }
    QVERIFY2(message.contains(messageContains), qPrintable(message));
    QCOMPARE(feed.llm()->connectionCount(), 0);
}

void TestDemoLlm::firstTokenAtAModelsPace_data()
{
    QTest::addColumn<Format>("format");
    QTest::newRow("chat") << Format::OpenAiChat;
    QTest::newRow("responses") << Format::OpenAiResponses;
    QTest::newRow("anthropic") << Format::Anthropic;
}

void TestDemoLlm::firstTokenAtAModelsPace()
{
    QFETCH(Format, format);
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings(1)));
    // 20 tokens: about half a second of answer after the first token.
    const QJsonObject body = requestBody(format, s_prompt, {},
        {{format == Format::OpenAiResponses ? QStringLiteral("max_output_tokens")
                                            : QStringLiteral("max_tokens"),
            20}});
    LlmClient client(feed.url(pathOf(format)), toJson(body));
    QTRY_VERIFY_WITH_TIMEOUT(client.isOver(), 60000);
    QVERIFY(reassemble(format, client.events).done);

    // Lower bounds only: a slow machine makes everything later, never earlier.
    qint64 headersAt = -1;
    qint64 firstTokenAt = -1;
    qint64 lastTokenAt = -1;
    int tokens = 0;
    for (const TimedEvent &timed : std::as_const(client.events)) {
        if (headersAt < 0) {
            headersAt = timed.elapsedMs;
        }
        const Reassembled one = reassemble(format, {timed});
        if (!one.text.isEmpty()) {
            firstTokenAt = firstTokenAt < 0 ? timed.elapsedMs : firstTokenAt;
            lastTokenAt = timed.elapsedMs;
            ++tokens;
        }
    }
    QCOMPARE(tokens, 20);
    qInfo("opening events after %lld ms, first token after %lld ms, 20 tokens in %lld ms",
        headersAt, firstTokenAt, lastTokenAt - firstTokenAt);
    QVERIFY2(
        firstTokenAt >= DemoLlmPacer::MinFirstTokenMs, qPrintable(QString::number(firstTokenAt)));
    // 19 gaps of at least half the fastest rate's gap.
    QVERIFY(lastTokenAt - firstTokenAt >= 19 * 1000 / DemoLlmPacer::MaxTokensPerSecond / 2);
}

void TestDemoLlm::keepsTheConnectionForTheNextRequest_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<bool>("keptAlive");
    QTest::newRow("keep-alive") << QByteArray("Content-Type: application/json\r\n") << true;
    QTest::newRow("Connection: close")
        << QByteArray("Content-Type: application/json\r\nConnection: close\r\n") << false;
}

void TestDemoLlm::keepsTheConnectionForTheNextRequest()
{
    QFETCH(QByteArray, headers);
    QFETCH(bool, keptAlive);
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings()));
    LlmClient client(feed.url(pathOf(Format::OpenAiChat)),
        toJson(requestBody(Format::OpenAiChat, s_prompt)), "POST", headers);
    QTRY_VERIFY_WITH_TIMEOUT(client.lastChunkSeen, 30000);
    QVERIFY(reassemble(Format::OpenAiChat, client.events).done);
    QCOMPARE(client.head().contains("\r\nConnection: close"), !keptAlive);
    if (!keptAlive) {
        QTRY_VERIFY(client.isClosed());
        return;
    }
    // As the SDKs do: the next request on the same connection, here for the index. Had the server
    // closed it, nothing would answer.
    const qsizetype answered = client.raw.size();
    client.socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(client.isClosed(), 30000);
    const QByteArray next = client.raw.mid(answered);
    QVERIFY2(next.startsWith("HTTP/1.1 200 OK\r\n"), next.constData());
    QVERIFY(next.contains("POST /v1/messages"));
}

void TestDemoLlm::clientGoneMidAnswerFreesItsTimer_data()
{
    firstTokenAtAModelsPace_data();
}

void TestDemoLlm::clientGoneMidAnswerFreesItsTimer()
{
    QFETCH(Format, format);
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings(1)));
    DemoLlm *llm = feed.llm();
    const qsizetype timersBefore = llm->findChildren<QTimer *>().size();
    auto client = std::make_unique<LlmClient>(
        feed.url(pathOf(format)), toJson(requestBody(format, s_prompt)));
    // Mid-answer: a few tokens in, the rest seconds away at a model's pace.
    QTRY_VERIFY_WITH_TIMEOUT(reassemble(format, client->events).deltas >= 3, 30000);
    QCOMPARE(llm->answerCount(), 1);
    QCOMPARE(llm->findChildren<QTimer *>().size(), timersBefore + 1);
    client.reset();
    QTRY_COMPARE(llm->answerCount(), 0);
    QCOMPARE(llm->connectionCount(), 0);
    QTRY_COMPARE(llm->findChildren<QTimer *>().size(), timersBefore);
}

void TestDemoLlm::officialSdk_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<Format>("format");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("errorType"); // empty: a complete answer
    const QList<std::pair<QString, Format>> modes{
        {QStringLiteral("openai-chat"), Format::OpenAiChat},
        {QStringLiteral("openai-responses"), Format::OpenAiResponses},
        {QStringLiteral("anthropic"), Format::Anthropic},
    };
    for (const auto &[mode, format] : modes) {
        QTest::addRow("%s", qPrintable(mode)) << mode << format << QString() << QString();
        QTest::addRow("%s overloaded", qPrintable(mode))
            << mode << format << QStringLiteral("overloaded")
            << (format == Format::Anthropic ? QStringLiteral("overloaded_error")
                                            : QStringLiteral("server_error"));
        // undici's "terminated": the chunked body broke off.
        QTest::addRow("%s drop", qPrintable(mode))
            << mode << format << QStringLiteral("drop") << QStringLiteral("UND_ERR_SOCKET");
    }
}

void TestDemoLlm::officialSdk()
{
    QFETCH(QString, mode);
    QFETCH(Format, format);
    QFETCH(QString, model);
    QFETCH(QString, errorType);
    DemoFeed feed;
    QVERIFY(feed.listen(0, fastSettings(0.02)));
    QList<std::pair<Format, DemoLlm::Answer>> served;
    connect(feed.llm(), &DemoLlm::answerStarted, this,
        [&served](Format format, const DemoLlm::Answer &answer) {
            served.append({format, answer});
        });

    QProcess node;
    QStringList arguments{QStringLiteral(STREAMSCOPE_TEST_PEERS "/llm-sdk.mjs"),
        QStringLiteral("http://127.0.0.1:%1").arg(feed.port()), mode};
    if (!model.isEmpty()) {
        arguments.append(model);
    }
    node.start(QStringLiteral("node"), arguments);
    QVERIFY2(node.waitForStarted(10000),
        qPrintable(QStringLiteral("cannot start node (%1): run scripts/install-deps")
                       .arg(node.errorString())));
    // The feed answers from this event loop: wait with it running, not in waitForFinished().
    QTRY_VERIFY_WITH_TIMEOUT(node.state() == QProcess::NotRunning, 60000);
    const QByteArray errors = node.readAllStandardError();
    QVERIFY2(node.exitStatus() == QProcess::NormalExit && node.exitCode() == 0, errors.constData());
    const QList<QByteArray> lines = node.readAllStandardOutput().trimmed().split('\n');
    QJsonParseError parseError;
    const QJsonObject result = QJsonDocument::fromJson(lines.last(), &parseError).object();
    QVERIFY2(parseError.error == QJsonParseError::NoError, lines.last().constData());

    // One request, one answer: the SDK did not retry.
    QVERIFY2(served.size() == 1, lines.last().constData());
    QCOMPARE(served.first().first, format);
    const DemoLlm::Answer &answer = served.first().second;
    QCOMPARE(result[QLatin1String("text")].toString(), answer.text());
    if (errorType.isEmpty()) {
        QVERIFY2(!result.contains(QLatin1String("error")), lines.last().constData());
        QCOMPARE(result[QLatin1String("inputTokens")].toInt(-1), answer.inputTokens);
        QCOMPARE(result[QLatin1String("outputTokens")].toInt(-1), answer.outputTokens());
        QCOMPARE(result[QLatin1String("stopReason")].toString(),
            DemoLlm::stopReason(format, answer.ending));
        QCOMPARE(answer.ending, Ending::Complete);
    } else {
        QCOMPARE(result[QLatin1String("error")][QLatin1String("type")].toString(), errorType);
    }
    QTRY_COMPARE(feed.llm()->connectionCount(), 0);
}

QTEST_GUILESS_MAIN(TestDemoLlm)
#include "tst_demollm.moc"
