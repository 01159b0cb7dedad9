// SPDX-License-Identifier: GPL-3.0-or-later
// TokenStreamDecoder on answer streams of the shapes OpenAI Chat Completions, OpenAI Responses
// and Anthropic Messages send, through SseParser as the client reads them: whole, one event per
// read and byte by byte, with the same outcome each time.
#include "sseparser.h"
#include "tokenstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace streamscope;

Q_DECLARE_METATYPE(streamscope::TokenFormat)

namespace {

QByteArray sse(const QByteArray &type, const QByteArray &data)
{
    return "event: " + type + "\ndata: " + data + "\n\n";
}

QByteArray data(const QByteArray &data)
{
    return "data: " + data + "\n\n";
}

// A Chat Completions chunk as OpenAI sends it; usage "" leaves the field out, as some servers do.
QByteArray chatChunk(const QByteArray &choices, const QByteArray &usage = "null")
{
    QByteArray chunk
        = R"j({"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk",)j"
          R"j("created":1741570283,"model":"gpt-4o-2024-08-06",)j"
          R"j("system_fingerprint":"fp_fc9f1d7035","choices":[)j"
        + choices + "]";
    if (!usage.isEmpty()) {
        chunk += R"j(,"usage":)j" + usage;
    }
    return data(chunk + "}");
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

const QByteArray chatDone = data("[DONE]");

QByteArray responses(const QByteArray &type, int sequence, const QByteArray &fields)
{
    return sse(type,
        R"j({"type":")j" + type + R"j(","sequence_number":)j" + QByteArray::number(sequence) + ","
            + fields + "}");
}

QByteArray response(const QByteArray &status, const QByteArray &extra = {})
{
    return R"j("response":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654",)j"
           R"j("object":"response","created_at":1741290958,"status":")j"
        + status
        + R"j(","error":null,"incomplete_details":null,"model":"gpt-4.1-2025-04-14","output":[],)j"
          R"j("parallel_tool_calls":true,"temperature":1.0,"tool_choice":"auto","tools":[])j"
        + extra + "}";
}

const QByteArray responsesUsage
    = R"j(,"usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":0},)j"
      R"j("output_tokens":11,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":48})j";

QByteArray responsesStart()
{
    return responses("response.created", 0, response("in_progress", R"j(,"usage":null)j"))
        + responses("response.in_progress", 1, response("in_progress", R"j(,"usage":null)j"));
}

QByteArray responsesText(int output, const QByteArrayList &deltas, int sequence)
{
    const QByteArray item = R"j("id":"msg_67c9fdcf37fc8190ba82116e33fb28c5","type":"message",)j"
                            R"j("role":"assistant","content":[])j";
    const QByteArray where = R"j("item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c5","output_index":)j"
        + QByteArray::number(output) + R"j(,"content_index":0)j";
    const QByteArray text = deltas.join();
    QByteArray out = responses("response.output_item.added", sequence,
        R"j("output_index":)j" + QByteArray::number(output) + R"j(,"item":{)j" + item
            + R"j(,"status":"in_progress"})j");
    out += responses("response.content_part.added", ++sequence,
        where + R"j(,"part":{"type":"output_text","text":"","annotations":[]})j");
    for (const QByteArray &delta : deltas) {
        out += responses("response.output_text.delta", ++sequence,
            where + R"j(,"delta":")j" + delta + R"j(","logprobs":[])j");
    }
    out += responses("response.output_text.done", ++sequence,
        where + R"j(,"text":")j" + text + R"j(","logprobs":[])j");
    out += responses("response.content_part.done", ++sequence,
        where + R"j(,"part":{"type":"output_text","text":")j" + text + R"j(","annotations":[]})j");
    out += responses("response.output_item.done", ++sequence,
        R"j("output_index":)j" + QByteArray::number(output) + R"j(,"item":{)j" + item
            + R"j(,"status":"completed"})j");
    return out;
}

QByteArray anthropic(const QByteArray &type, const QByteArray &fields = {})
{
    return sse(type, R"j({"type":")j" + type + "\"" + (fields.isEmpty() ? "" : ",") + fields + "}");
}

const QByteArray messageStart = anthropic("message_start",
    R"j("message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message",)j"
    R"j("role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,)j"
    R"j("stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,)j"
    R"j("cache_read_input_tokens":0,"output_tokens":1}})j");

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

QByteArray textDelta(int index, const QByteArray &text)
{
    return blockDelta(index, R"j({"type":"text_delta","text":")j" + text + "\"}");
}

QByteArray blockStop(int index)
{
    return anthropic("content_block_stop", R"j("index":)j" + QByteArray::number(index));
}

QByteArray messageEnd(const QByteArray &reason, int outputTokens)
{
    return anthropic("message_delta",
               R"j("delta":{"stop_reason":")j" + reason
                   + R"j(","stop_sequence":null},"usage":{"output_tokens":)j"
                   + QByteArray::number(outputTokens) + "}")
        + anthropic("message_stop");
}

const QByteArray ping = sse("ping", R"j({"type": "ping"})j");

QString kindName(TokenBlock::Kind kind)
{
    switch (kind) {
    case TokenBlock::Kind::Text:
        return QStringLiteral("text");
    case TokenBlock::Kind::Thinking:
        return QStringLiteral("thinking");
    case TokenBlock::Kind::ToolCall:
        return QStringLiteral("tool");
    }
    return QString();
}

// "text#1: Blue sky", "thinking#0.1: ...", "tool#0 get_weather call_1: {...}".
QStringList describeBlocks(const QList<TokenBlock> &blocks)
{
    QStringList out;
    for (const TokenBlock &block : blocks) {
        QString line = kindName(block.kind) + u'#' + QString::number(block.index);
        if (block.part != 0) {
            line += u'.' + QString::number(block.part);
        }
        if (block.kind == TokenBlock::Kind::ToolCall) {
            line += u' ' + block.name + u' ' + block.id;
        }
        line += QStringLiteral(": ") + block.text;
        if (block.truncated) {
            line += QStringLiteral(" [truncated]");
        }
        out << line;
    }
    return out;
}

// Everything but the blocks, as short lines; defaults are left out.
QStringList describeState(const TokenStreamDecoder &decoder)
{
    QStringList out{QStringLiteral("format ") + tokenFormatName(decoder.format())};
    if (decoder.finished()) {
        out << QStringLiteral("finished");
    }
    if (!decoder.stopReason().isEmpty()) {
        out << QStringLiteral("stop ") + decoder.stopReason();
    }
    if (decoder.usage().known()) {
        out << QStringLiteral("usage %1/%2")
                   .arg(decoder.usage().inputTokens)
                   .arg(decoder.usage().outputTokens);
    }
    if (decoder.error()) {
        out << QStringLiteral("error %1: %2").arg(decoder.error()->type, decoder.error()->message);
    }
    if (decoder.unknownEvents() > 0) {
        out << QStringLiteral("unknown %1").arg(decoder.unknownEvents());
    }
    if (decoder.malformedEvents() > 0) {
        out << QStringLiteral("malformed %1").arg(decoder.malformedEvents());
    }
    return out;
}

struct Decoded
{
    TokenStreamDecoder decoder;
    QList<TokenDelta> deltas;
};

enum class Feed {
    Whole,
    EventByEvent,
    ByteByByte,
};

// The stream read by SseParser as given by feed, each event decoded as it is dispatched.
Decoded decodeStream(const QByteArray &stream, TokenFormat format, Feed feed)
{
    Decoded result{TokenStreamDecoder(format), {}};
    SseParser parser;
    parser.setEventHandler([&result](const SseEvent &sse) {
        result.deltas += result.decoder.decode(sse.type, sse.data);
        return true;
    });
    switch (feed) {
    case Feed::Whole:
        parser.feed(stream);
        break;
    case Feed::EventByEvent:
        for (qsizetype at = 0; at < stream.size();) {
            const qsizetype end = stream.indexOf("\n\n", at);
            const qsizetype next = end < 0 ? stream.size() : end + 2;
            parser.feed(QByteArrayView(stream).sliced(at, next - at));
            at = next;
        }
        break;
    case Feed::ByteByByte:
        for (qsizetype at = 0; at < stream.size(); ++at) {
            parser.feed(QByteArrayView(stream).sliced(at, 1));
        }
        break;
    }
    parser.finish();
    return result;
}

// Appends 300 chat chunks, each starting one more tool call of choice 0.
QByteArray manyToolCalls()
{
    QByteArray stream;
    for (int k = 0; k < 300; ++k) {
        stream += chatChunk(choice(0,
            R"j({"tool_calls":[{"index":)j" + QByteArray::number(k) + R"j(,"id":"call_)j"
                + QByteArray::number(k)
                + R"j(","type":"function","function":{"name":"f","arguments":"{}"}}]})j"));
    }
    return stream;
}

} // namespace

class TestTokenStream : public QObject
{
    Q_OBJECT
private slots:
    void formatNames_data();
    void formatNames();
    void decode_data();
    void decode();
    void deltasOfOneEvent();
    void identity_data();
    void identity();
    void usageRaw();
    void blockBound();
    void textBound();
    void totalTextBound();
};

void TestTokenStream::formatNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<TokenFormat>("format");
    QTest::newRow("auto") << QStringLiteral("auto") << true << TokenFormat::Auto;
    QTest::newRow("openai-chat") << QStringLiteral("openai-chat") << true
                                 << TokenFormat::OpenAiChat;
    QTest::newRow("openai-responses")
        << QStringLiteral("openai-responses") << true << TokenFormat::OpenAiResponses;
    QTest::newRow("anthropic") << QStringLiteral("anthropic") << true << TokenFormat::Anthropic;
    QTest::newRow("any case") << QStringLiteral("OpenAI-Chat") << true << TokenFormat::OpenAiChat;
    QTest::newRow("empty") << QString() << false << TokenFormat::Auto;
    QTest::newRow("other") << QStringLiteral("gemini") << false << TokenFormat::Auto;
    QTest::newRow("prefix") << QStringLiteral("openai") << false << TokenFormat::Auto;
}

void TestTokenStream::formatNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QFETCH(TokenFormat, format);
    const std::optional<TokenFormat> parsed = parseTokenFormat(name);
    QCOMPARE(parsed.has_value(), valid);
    if (valid) {
        QCOMPARE(*parsed, format);
        QCOMPARE(tokenFormatName(format), name.toLower());
    }
}

void TestTokenStream::decode_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<TokenFormat>("given");
    QTest::addColumn<QString>("answer");
    QTest::addColumn<QStringList>("blocks");
    QTest::addColumn<QStringList>("state");

    const auto newRow
        = [](const char *name, const QByteArray &stream, TokenFormat given, const QString &answer,
              const QStringList &blocks, const QStringList &state) {
              QTest::newRow(name) << stream << given << answer << blocks << state;
          };
    const TokenFormat autoFormat = TokenFormat::Auto;

    // OpenAI Chat Completions.
    const QByteArray chatText
        = chatChunk(choice(0, R"j({"role":"assistant","content":"","refusal":null})j"))
        + content("Hello") + content(" world") + content("!")
        + chatChunk(choice(0, "{}", R"j("stop")j"))
        + chatChunk("",
            R"j({"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,)j"
            R"j("prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},)j"
            R"j("completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,)j"
            R"j("accepted_prediction_tokens":0,"rejected_prediction_tokens":0}})j")
        + chatDone;
    const QStringList chatTextState{QStringLiteral("format openai-chat"),
        QStringLiteral("finished"), QStringLiteral("stop stop"), QStringLiteral("usage 9/3")};
    newRow("chat: text, usage in a last chunk, [DONE]", chatText, autoFormat,
        QStringLiteral("Hello world!"), {QStringLiteral("text#0: Hello world!")}, chatTextState);
    newRow("chat: the same, format given", chatText, TokenFormat::OpenAiChat,
        QStringLiteral("Hello world!"), {QStringLiteral("text#0: Hello world!")}, chatTextState);

    const QByteArray chatNullUsage = chatChunk(choice(0, R"j({"role":"assistant","content":""})j"))
        + content("Hi") + chatChunk(choice(0, "{}", R"j("length")j")) + chatDone;
    newRow("chat: usage null throughout", chatNullUsage, autoFormat, QStringLiteral("Hi"),
        {QStringLiteral("text#0: Hi")},
        {QStringLiteral("format openai-chat"), QStringLiteral("finished"),
            QStringLiteral("stop length")});

    newRow("chat: no usage field, no [DONE] yet",
        chatChunk(choice(0, R"j({"role":"assistant","content":"Hi"})j"), "")
            + chatChunk(choice(0, R"j({"content":" you"})j"), ""),
        autoFormat, QStringLiteral("Hi you"), {QStringLiteral("text#0: Hi you")},
        {QStringLiteral("format openai-chat")});

    newRow("chat: two choices (n=2), interleaved",
        chatChunk(choice(0, R"j({"role":"assistant","content":""})j") + ","
            + choice(1, R"j({"role":"assistant","content":""})j"))
            + content("Red", 0) + content("Blue", 1) + content(" sky", 1) + content(" apple", 0)
            + chatChunk(choice(1, "{}", R"j("length")j"))
            + chatChunk(choice(0, "{}", R"j("stop")j"))
            + chatChunk("", R"j({"prompt_tokens":8,"completion_tokens":6,"total_tokens":14})j")
            + chatDone,
        autoFormat, QStringLiteral("Red apple"),
        {QStringLiteral("text#0: Red apple"), QStringLiteral("text#1: Blue sky")},
        {QStringLiteral("format openai-chat"), QStringLiteral("finished"),
            QStringLiteral("stop stop"), QStringLiteral("usage 8/6")});

    newRow("chat: only choice 1 has said why it stopped",
        content("a", 0) + content("b", 1) + chatChunk(choice(1, "{}", R"j("content_filter")j")),
        autoFormat, QStringLiteral("a"), {QStringLiteral("text#0: a"), QStringLiteral("text#1: b")},
        {QStringLiteral("format openai-chat"), QStringLiteral("stop content_filter")});

    newRow("chat: two tool calls, arguments in fragments",
        chatChunk(choice(0,
            R"j({"role":"assistant","content":null,"tool_calls":[{"index":0,)j"
            R"j("id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function",)j"
            R"j("function":{"name":"get_weather","arguments":""}}],"refusal":null})j"))
            + chatChunk(
                choice(0, R"j({"tool_calls":[{"index":0,"function":{"arguments":"{\""}}]})j"))
            + chatChunk(
                choice(0, R"j({"tool_calls":[{"index":0,"function":{"arguments":"location"}}]})j"))
            + chatChunk(
                choice(0, R"j({"tool_calls":[{"index":0,"function":{"arguments":"\":\""}}]})j"))
            + chatChunk(choice(
                0, R"j({"tool_calls":[{"index":0,"function":{"arguments":"Paris, France"}}]})j"))
            + chatChunk(
                choice(0, R"j({"tool_calls":[{"index":0,"function":{"arguments":"\"}"}}]})j"))
            + chatChunk(choice(0,
                R"j({"tool_calls":[{"index":1,"id":"call_2","type":"function",)j"
                R"j("function":{"name":"get_time","arguments":"{\"tz\":"}}]})j"))
            + chatChunk(
                choice(0, R"j({"tool_calls":[{"index":1,"function":{"arguments":"\"CET\"}"}}]})j"))
            + chatChunk(choice(0, "{}", R"j("tool_calls")j")) + chatDone,
        autoFormat, QString(),
        {QStringLiteral(
             R"(tool#0 get_weather call_DdmO9pD3xa9XTPNJ32zg2hcA: {"location":"Paris, France"})"),
            QStringLiteral(R"(tool#1 get_time call_2: {"tz":"CET"})")},
        {QStringLiteral("format openai-chat"), QStringLiteral("finished"),
            QStringLiteral("stop tool_calls")});

    newRow("chat: a tool call of choice 1, legacy function_call of choice 0",
        chatChunk(choice(1,
            R"j({"tool_calls":[{"index":0,"id":"call_9",)j"
            R"j("function":{"name":"f","arguments":"{}"}}]})j"))
            + chatChunk(choice(0, R"j({"function_call":{"name":"g","arguments":"[1]"}})j"))
            + chatChunk(choice(0, "{}", R"j("function_call")j")),
        autoFormat, QString(),
        {QStringLiteral("tool#1000 f call_9: {}"), QStringLiteral("tool#0 g : [1]")},
        {QStringLiteral("format openai-chat"), QStringLiteral("stop function_call")});

    newRow("chat: reasoning_content (DeepSeek) before the answer, usage with the last choice",
        chatChunk(choice(0, R"j({"role":"assistant","content":null,"reasoning_content":""})j"))
            + chatChunk(choice(0, R"j({"content":null,"reasoning_content":"The user"})j"))
            + chatChunk(choice(0, R"j({"content":null,"reasoning_content":" greets me."})j"))
            + chatChunk(choice(0, R"j({"content":"Hi","reasoning_content":null})j"))
            + chatChunk(choice(0, R"j({"content":" there","reasoning_content":null})j"))
            + chatChunk(choice(0, R"j({"content":"","reasoning_content":null})j", R"j("stop")j"),
                R"j({"prompt_tokens":10,"completion_tokens":12,"total_tokens":22,)j"
                R"j("completion_tokens_details":{"reasoning_tokens":8}})j")
            + chatDone,
        autoFormat, QStringLiteral("Hi there"),
        {QStringLiteral("thinking#0: The user greets me."), QStringLiteral("text#0: Hi there")},
        {QStringLiteral("format openai-chat"), QStringLiteral("finished"),
            QStringLiteral("stop stop"), QStringLiteral("usage 10/12")});

    newRow("chat: reasoning (OpenRouter), then a refusal",
        chatChunk(choice(0, R"j({"role":"assistant","content":"","reasoning":"Hmm."})j"))
            + chatChunk(choice(0, R"j({"refusal":"I can't help with that."})j"))
            + chatChunk(choice(0, "{}", R"j("stop")j")) + chatDone,
        autoFormat, QStringLiteral("I can't help with that."),
        {QStringLiteral("thinking#0: Hmm."), QStringLiteral("text#0: I can't help with that.")},
        {QStringLiteral("format openai-chat"), QStringLiteral("finished"),
            QStringLiteral("stop stop")});

    newRow("chat: error chunk after content",
        content("Once upon")
            + data(
                R"j({"error":{"message":"The server had an error while processing your request.",)j"
                R"j("type":"server_error","param":null,"code":null}})j"),
        autoFormat, QStringLiteral("Once upon"), {QStringLiteral("text#0: Once upon")},
        {QStringLiteral("format openai-chat"), QStringLiteral("finished"),
            QStringLiteral("error server_error: The server had an error while processing your "
                           "request.")});

    newRow("chat: non-ASCII split across deltas and reads, a surrogate pair across deltas",
        content("Grüße") + content(", 世界 ") + content(R"(\ud83d)") + content(R"(\ude42!)")
            + content(R"(caf\u00e9)") + chatDone,
        autoFormat, QStringLiteral("Grüße, 世界 🙂!café"),
        {QStringLiteral("text#0: Grüße, 世界 🙂!café")},
        {QStringLiteral("format openai-chat"), QStringLiteral("finished")});

    newRow("chat: bad JSON counted, decoding goes on",
        content("A")
            + data(R"j({"id":"x","object":"chat.completion.chunk",)j"
                   R"j("choices":[{"index":0,"delta":{"content":"B)j")
            + content("C") + data("not json") + chatDone,
        autoFormat, QStringLiteral("AC"), {QStringLiteral("text#0: AC")},
        {QStringLiteral("format openai-chat"), QStringLiteral("finished"),
            QStringLiteral("malformed 2")});

    newRow("chat: wrong shapes counted",
        content("ok") + chatChunk(choice(0, R"j({"content":42})j"))
            + data(R"j({"object":"chat.completion.chunk","choices":{"index":0}})j")
            + chatChunk(R"j({"index":-1,"delta":{"content":"x"}})j")
            + chatChunk(R"j({"index":1000,"delta":{"content":"x"}})j")
            + chatChunk(R"j({"index":0.5,"delta":{"content":"x"}})j")
            + chatChunk(R"j({"index":0,"delta":"text"})j")
            + chatChunk(R"j({"index":0,"delta":{"tool_calls":[{"index":1000,)j"
                        R"j("function":{"arguments":"x"}}]}})j")
            + chatChunk(R"j({"index":0,"delta":{"tool_calls":{"index":0}}})j")
            + chatChunk(R"j({"index":0,"delta":{},"finish_reason":7})j") + chatChunk(R"j(1)j")
            + chatChunk("", R"j("lots")j") + data("[1,2]") + content("!"),
        autoFormat, QStringLiteral("ok!"), {QStringLiteral("text#0: ok!")},
        {QStringLiteral("format openai-chat"), QStringLiteral("malformed 12")});

    newRow("chat: unknown events counted, ping known",
        data(R"j({"hello":"world"})j") + content("Hi") + sse("keepalive", "{}")
            + data(R"j({"object":"something"})j") + ping + chatDone,
        autoFormat, QStringLiteral("Hi"), {QStringLiteral("text#0: Hi")},
        {QStringLiteral("format openai-chat"), QStringLiteral("finished"),
            QStringLiteral("unknown 3")});

    newRow("chat stream read as Anthropic: unknown", chatText, TokenFormat::Anthropic, QString(),
        {}, {QStringLiteral("format anthropic"), QStringLiteral("unknown 7")});
    newRow("chat stream read as Responses: unknown", chatText, TokenFormat::OpenAiResponses,
        QString(), {}, {QStringLiteral("format openai-responses"), QStringLiteral("unknown 7")});

    // OpenAI Responses.
    const QByteArray responsesHello = responsesStart() + responsesText(0, {"Hi", " there", "!"}, 2)
        + responses("response.completed", 10, response("completed", responsesUsage));
    const QStringList responsesHelloState{QStringLiteral("format openai-responses"),
        QStringLiteral("finished"), QStringLiteral("stop completed"),
        QStringLiteral("usage 37/11")};
    newRow("responses: text, completed with usage", responsesHello, autoFormat,
        QStringLiteral("Hi there!"), {QStringLiteral("text#0: Hi there!")}, responsesHelloState);
    newRow("responses: the same, format given", responsesHello, TokenFormat::OpenAiResponses,
        QStringLiteral("Hi there!"), {QStringLiteral("text#0: Hi there!")}, responsesHelloState);

    newRow("responses: reasoning summary in two parts, then the answer in output 1",
        responsesStart()
            + responses("response.output_item.added", 2,
                R"j("output_index":0,"item":{"id":"rs_6820f383d7c08191846711c5df8233bc",)j"
                R"j("type":"reasoning","summary":[]})j")
            + responses("response.reasoning_summary_part.added", 3,
                R"j("item_id":"rs_6820f383d7c08191846711c5df8233bc","output_index":0,)j"
                R"j("summary_index":0,"part":{"type":"summary_text","text":""})j")
            + responses("response.reasoning_summary_text.delta", 4,
                R"j("item_id":"rs_6820f383d7c08191846711c5df8233bc","output_index":0,)j"
                R"j("summary_index":0,"delta":"**Answering**\n\nThe user")j")
            + responses("response.reasoning_summary_text.delta", 5,
                R"j("item_id":"rs_6820f383d7c08191846711c5df8233bc","output_index":0,)j"
                R"j("summary_index":0,"delta":" asks for 6*7.")j")
            + responses("response.reasoning_summary_text.done", 6,
                R"j("item_id":"rs_6820f383d7c08191846711c5df8233bc","output_index":0,)j"
                R"j("summary_index":0,"text":"**Answering**\n\nThe user asks for 6*7.")j")
            + responses("response.reasoning_summary_part.done", 7,
                R"j("item_id":"rs_6820f383d7c08191846711c5df8233bc","output_index":0,)j"
                R"j("summary_index":0,"part":{"type":"summary_text","text":""})j")
            + responses("response.reasoning_summary_text.delta", 8,
                R"j("item_id":"rs_6820f383d7c08191846711c5df8233bc","output_index":0,)j"
                R"j("summary_index":1,"delta":"Easy.")j")
            + responses("response.output_item.done", 9,
                R"j("output_index":0,"item":{"id":"rs_6820f383d7c08191846711c5df8233bc",)j"
                R"j("type":"reasoning","summary":[]})j")
            + responsesText(1, {"4", "2"}, 10)
            + responses("response.completed", 20, response("completed", responsesUsage)),
        autoFormat, QStringLiteral("42"),
        {QStringLiteral("thinking#0: **Answering**\n\nThe user asks for 6*7."),
            QStringLiteral("thinking#0.1: Easy."), QStringLiteral("text#1: 42")},
        responsesHelloState);

    newRow("responses: reasoning text (gpt-oss servers)",
        responses("response.output_item.added", 0,
            R"j("output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[]})j")
            + responses("response.reasoning_text.delta", 1,
                R"j("item_id":"rs_1","output_index":0,"content_index":0,"delta":"Think")j")
            + responsesText(1, {"Done"}, 2),
        autoFormat, QStringLiteral("Done"),
        {QStringLiteral("thinking#0: Think"), QStringLiteral("text#1: Done")},
        {QStringLiteral("format openai-responses")});

    newRow("responses: function call with argument deltas",
        responsesStart()
            + responses("response.output_item.added", 2,
                R"j("output_index":0,"item":{"type":"function_call","id":"fc_12345xyz",)j"
                R"j("call_id":"call_12345xyz","name":"get_weather","arguments":"",)j"
                R"j("status":"in_progress"})j")
            + responses("response.function_call_arguments.delta", 3,
                R"j("item_id":"fc_12345xyz","output_index":0,"delta":"{\"location\":")j")
            + responses("response.function_call_arguments.delta", 4,
                R"j("item_id":"fc_12345xyz","output_index":0,"delta":"\"Paris, France\"}")j")
            + responses("response.function_call_arguments.done", 5,
                R"j("item_id":"fc_12345xyz","output_index":0,)j"
                R"j("arguments":"{\"location\":\"Paris, France\"}")j")
            + responses("response.output_item.done", 6,
                R"j("output_index":0,"item":{"type":"function_call","id":"fc_12345xyz",)j"
                R"j("call_id":"call_12345xyz","name":"get_weather",)j"
                R"j("arguments":"{\"location\":\"Paris, France\"}","status":"completed"})j")
            + responses("response.completed", 7, response("completed", responsesUsage)),
        autoFormat, QString(),
        {QStringLiteral(R"(tool#0 get_weather call_12345xyz: {"location":"Paris, France"})")},
        responsesHelloState);

    newRow("responses: incomplete, max_output_tokens",
        responsesStart() + responsesText(0, {"The answer", " is"}, 2)
            + responses("response.incomplete", 9,
                R"j("response":{"id":"resp_1","object":"response","status":"incomplete",)j"
                R"j("incomplete_details":{"reason":"max_output_tokens"},)j"
                R"j("usage":{"input_tokens":20,"output_tokens":16,"total_tokens":36}})j"),
        autoFormat, QStringLiteral("The answer is"), {QStringLiteral("text#0: The answer is")},
        {QStringLiteral("format openai-responses"), QStringLiteral("finished"),
            QStringLiteral("stop max_output_tokens"), QStringLiteral("usage 20/16")});

    newRow("responses: failed",
        responsesStart()
            + responses("response.output_text.delta", 2,
                R"j("item_id":"msg_1","output_index":0,"content_index":0,"delta":"Partial")j")
            + responses("response.failed", 3,
                R"j("response":{"id":"resp_1","object":"response","status":"failed",)j"
                R"j("error":{"code":"server_error","message":"An error occurred while processing )j"
                R"j(your request."},"incomplete_details":null,"usage":null})j"),
        autoFormat, QStringLiteral("Partial"), {QStringLiteral("text#0: Partial")},
        {QStringLiteral("format openai-responses"), QStringLiteral("finished"),
            QStringLiteral("stop failed"),
            QStringLiteral(
                "error server_error: An error occurred while processing your request.")});

    newRow("responses: error event",
        responsesStart()
            + responses("response.output_text.delta", 2,
                R"j("item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi")j")
            + sse("error",
                R"j({"type":"error","sequence_number":3,"code":"rate_limit_exceeded",)j"
                R"j("message":"Rate limit reached for gpt-4.1","param":null})j"),
        autoFormat, QStringLiteral("Hi"), {QStringLiteral("text#0: Hi")},
        {QStringLiteral("format openai-responses"), QStringLiteral("finished"),
            QStringLiteral("error rate_limit_exceeded: Rate limit reached for gpt-4.1")});

    newRow("responses: built-in tool events unknown",
        responsesStart()
            + responses("response.output_item.added", 2,
                R"j("output_index":0,"item":{"type":"web_search_call","id":"ws_1",)j"
                R"j("status":"in_progress"})j")
            + responses(
                "response.web_search_call.in_progress", 3, R"j("output_index":0,"item_id":"ws_1")j")
            + responses(
                "response.web_search_call.searching", 4, R"j("output_index":0,"item_id":"ws_1")j")
            + responses(
                "response.web_search_call.completed", 5, R"j("output_index":0,"item_id":"ws_1")j")
            + responsesText(1, {"Sunny."}, 6)
            + responses("response.completed", 20, response("completed", responsesUsage)),
        autoFormat, QStringLiteral("Sunny."), {QStringLiteral("text#1: Sunny.")},
        responsesHelloState + QStringList{QStringLiteral("unknown 4")});

    newRow("responses: wrong shapes counted",
        responsesStart()
            + responses("response.output_text.delta", 2,
                R"j("output_index":0,"content_index":0,"delta":5)j")
            + responses("response.output_text.delta", 3,
                R"j("output_index":"0","content_index":0,"delta":"x")j")
            + responses("response.output_text.delta", 4,
                R"j("output_index":1000,"content_index":0,"delta":"x")j")
            + responses("response.output_item.added", 5, R"j("output_index":0,"item":[])j")
            + responses("response.completed", 6, R"j("response":"done")j")
            + sse("response.output_text.delta", "{")
            + responses("response.output_text.delta", 7,
                R"j("output_index":0,"content_index":0,"delta":"ok")j"),
        autoFormat, QStringLiteral("ok"), {QStringLiteral("text#0: ok")},
        {QStringLiteral("format openai-responses"), QStringLiteral("malformed 6")});

    newRow("responses: unnamed events, the type in the data",
        data(R"j({"type":"response.output_text.delta","output_index":0,"content_index":0,)j"
             R"j("delta":"Hey"})j")
            + data(R"j({"type":"response.completed","response":{"status":"completed"}})j"),
        autoFormat, QStringLiteral("Hey"), {QStringLiteral("text#0: Hey")},
        {QStringLiteral("format openai-responses"), QStringLiteral("finished"),
            QStringLiteral("stop completed")});

    // Anthropic Messages.
    const QByteArray anthropicHello = messageStart + blockStart(0, R"j({"type":"text","text":""})j")
        + ping + textDelta(0, "Hello") + textDelta(0, "!") + blockStop(0)
        + messageEnd("end_turn", 15);
    const QStringList anthropicHelloState{QStringLiteral("format anthropic"),
        QStringLiteral("finished"), QStringLiteral("stop end_turn"), QStringLiteral("usage 25/15")};
    newRow("anthropic: text with a ping", anthropicHello, autoFormat, QStringLiteral("Hello!"),
        {QStringLiteral("text#0: Hello!")}, anthropicHelloState);
    newRow("anthropic: the same, format given", anthropicHello, TokenFormat::Anthropic,
        QStringLiteral("Hello!"), {QStringLiteral("text#0: Hello!")}, anthropicHelloState);
    newRow("anthropic stream read as OpenAI chat: unknown, pings known", anthropicHello,
        TokenFormat::OpenAiChat, QString(), {},
        {QStringLiteral("format openai-chat"), QStringLiteral("unknown 7")});

    newRow("anthropic: thinking with a signature, then text",
        ping + messageStart + blockStart(0, R"j({"type":"thinking","thinking":"","signature":""})j")
            + blockDelta(0,
                R"j({"type":"thinking_delta","thinking":"Let me solve this step by step:\n\n1. )j"
                R"j(First break down 27 * 453"})j")
            + blockDelta(0, R"j({"type":"thinking_delta","thinking":"\n2. 453 = 400 + 50 + 3"})j")
            + blockDelta(0,
                R"j({"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkz)j"
                R"j(Loky3dl1pkiMOYds..."})j")
            + blockStop(0) + blockStart(1, R"j({"type":"text","text":""})j")
            + textDelta(1, "27 * 453 = 12,231") + blockStop(1) + ping + messageEnd("end_turn", 217),
        autoFormat, QStringLiteral("27 * 453 = 12,231"),
        {QStringLiteral("thinking#0: Let me solve this step by step:\n\n1. First break down 27 * "
                        "453\n2. 453 = 400 + 50 + 3"),
            QStringLiteral("text#1: 27 * 453 = 12,231")},
        {QStringLiteral("format anthropic"), QStringLiteral("finished"),
            QStringLiteral("stop end_turn"), QStringLiteral("usage 25/217")});

    newRow("anthropic: text, then tool_use with input_json_delta fragments",
        messageStart + blockStart(0, R"j({"type":"text","text":""})j")
            + textDelta(0, "Okay, let's check the weather for San Francisco, CA:") + blockStop(0)
            + blockStart(1,
                R"j({"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6",)j"
                R"j("name":"get_weather","input":{}})j")
            + blockDelta(1, R"j({"type":"input_json_delta","partial_json":""})j")
            + blockDelta(1, R"j({"type":"input_json_delta","partial_json":"{\"location\":"})j")
            + blockDelta(1, R"j({"type":"input_json_delta","partial_json":" \"San Fra"})j")
            + blockDelta(1, R"j({"type":"input_json_delta","partial_json":"ncisco, CA\"}"})j")
            + blockStop(1) + messageEnd("tool_use", 89),
        autoFormat, QStringLiteral("Okay, let's check the weather for San Francisco, CA:"),
        {QStringLiteral("text#0: Okay, let's check the weather for San Francisco, CA:"),
            QStringLiteral(R"(tool#1 get_weather toolu_01T1x1fJ34qAmk2tNTrN7Up6: )"
                           R"({"location": "San Francisco, CA"})")},
        {QStringLiteral("format anthropic"), QStringLiteral("finished"),
            QStringLiteral("stop tool_use"), QStringLiteral("usage 25/89")});

    newRow("anthropic: redacted thinking, a server tool and its result",
        messageStart + blockStart(0, R"j({"type":"redacted_thinking","data":"EmwKAhgBEgy3va3p"})j")
            + blockStop(0)
            + blockStart(1,
                R"j({"type":"server_tool_use","id":"srvtoolu_014hJH82Qum7Td6UV8gDXThB",)j"
                R"j("name":"web_search","input":{}})j")
            + blockDelta(
                1, R"j({"type":"input_json_delta","partial_json":"{\"query\": \"weather\"}"})j")
            + blockStop(1)
            + blockStart(2,
                R"j({"type":"web_search_tool_result",)j"
                R"j("tool_use_id":"srvtoolu_014hJH82Qum7Td6UV8gDXThB",)j"
                R"j("content":[]})j")
            + blockStop(2) + blockStart(3, R"j({"type":"text","text":""})j") + textDelta(3, "Sunny")
            + blockStop(3) + messageEnd("end_turn", 40),
        autoFormat, QStringLiteral("Sunny"),
        {QStringLiteral("thinking#0: "),
            QStringLiteral(
                R"(tool#1 web_search srvtoolu_014hJH82Qum7Td6UV8gDXThB: {"query": "weather"})"),
            QStringLiteral("text#3: Sunny")},
        {QStringLiteral("format anthropic"), QStringLiteral("finished"),
            QStringLiteral("stop end_turn"), QStringLiteral("usage 25/40"),
            QStringLiteral("unknown 1")});

    newRow("anthropic: overloaded error after content",
        messageStart + blockStart(0, R"j({"type":"text","text":""})j")
            + textDelta(0, "Once upon a time")
            + sse("error",
                R"j({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})j"),
        autoFormat, QStringLiteral("Once upon a time"),
        {QStringLiteral("text#0: Once upon a time")},
        {QStringLiteral("format anthropic"), QStringLiteral("finished"),
            QStringLiteral("usage 25/-1"), QStringLiteral("error overloaded_error: Overloaded")});

    newRow("error before any content: kept, format still unknown",
        ping
            + sse("error",
                R"j({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})j"),
        autoFormat, QString(), {},
        {QStringLiteral("format auto"), QStringLiteral("finished"),
            QStringLiteral("error overloaded_error: Overloaded")});

    newRow("anthropic: non-ASCII split across deltas and reads",
        messageStart + blockStart(0, R"j({"type":"text","text":"Voil"})j") + textDelta(0, "à, ")
            + textDelta(0, "日本") + textDelta(0, "語 ✓") + messageEnd("max_tokens", 9),
        autoFormat, QStringLiteral("Voilà, 日本語 ✓"), {QStringLiteral("text#0: Voilà, 日本語 ✓")},
        {QStringLiteral("format anthropic"), QStringLiteral("finished"),
            QStringLiteral("stop max_tokens"), QStringLiteral("usage 25/9")});

    newRow("anthropic: unknown blocks, deltas and events counted",
        messageStart
            + blockStart(
                0, R"j({"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]})j")
            + blockStop(0) + blockStart(1, R"j({"type":"text","text":""})j")
            + blockDelta(1, R"j({"type":"citations_delta","citation":{"type":"char_location"}})j")
            + blockDelta(1, R"j({"type":"future_delta","x":1})j") + textDelta(1, "Yes")
            + anthropic("message_extra") + messageEnd("end_turn", 3),
        autoFormat, QStringLiteral("Yes"), {QStringLiteral("text#1: Yes")},
        {QStringLiteral("format anthropic"), QStringLiteral("finished"),
            QStringLiteral("stop end_turn"), QStringLiteral("usage 25/3"),
            QStringLiteral("unknown 3")});

    newRow("anthropic: wrong shapes counted",
        messageStart + textDelta(1000, "x")
            + anthropic(
                "content_block_delta", R"j("index":"0","delta":{"type":"text_delta","text":"x"})j")
            + anthropic("content_block_delta", R"j("index":0)j")
            + blockDelta(0, R"j({"type":"text_delta","text":null})j") + blockStart(0, R"j("text")j")
            + anthropic("message_start", R"j("message":"m")j")
            + anthropic("message_delta", R"j("delta":{"stop_reason":1})j")
            + sse("content_block_delta", "{]") + textDelta(0, "fine"),
        autoFormat, QStringLiteral("fine"), {QStringLiteral("text#0: fine")},
        {QStringLiteral("format anthropic"), QStringLiteral("usage 25/-1"),
            QStringLiteral("malformed 8")});

    newRow("anthropic: unnamed events, the type in the data",
        data(R"j({"type":"message_start","message":{"usage":{"input_tokens":3}}})j")
            + data(R"j({"type":"content_block_delta","index":0,)j"
                   R"j("delta":{"type":"text_delta","text":"Hey"}})j")
            + data(R"j({"type":"message_stop"})j"),
        autoFormat, QStringLiteral("Hey"), {QStringLiteral("text#0: Hey")},
        {QStringLiteral("format anthropic"), QStringLiteral("finished"),
            QStringLiteral("usage 3/-1")});

    newRow("nothing recognisable: unknown, not detected",
        data(R"j({"temperature":21.5})j") + sse("tick", "1") + data("[]"), autoFormat, QString(),
        {},
        {QStringLiteral("format auto"), QStringLiteral("unknown 2"),
            QStringLiteral("malformed 1")});
}

void TestTokenStream::decode()
{
    QFETCH(QByteArray, stream);
    QFETCH(TokenFormat, given);
    QFETCH(QString, answer);
    QFETCH(QStringList, blocks);
    QFETCH(QStringList, state);

    const Decoded whole = decodeStream(stream, given, Feed::Whole);
    QCOMPARE(describeBlocks(whole.decoder.blocks()), blocks);
    QCOMPARE(describeState(whole.decoder), state);
    QCOMPARE(whole.decoder.answerText(), answer);

    // The deltas returned add up to the blocks, none of them empty.
    QStringList assembled(whole.decoder.blocks().size());
    for (const TokenDelta &delta : whole.deltas) {
        QVERIFY(!delta.text.isEmpty());
        QVERIFY(delta.block >= 0 && delta.block < assembled.size());
        QCOMPARE(delta.kind, whole.decoder.blocks().at(delta.block).kind);
        assembled[delta.block] += delta.text;
    }
    for (qsizetype i = 0; i < assembled.size(); ++i) {
        QCOMPARE(assembled.at(i), whole.decoder.blocks().at(i).text);
    }

    // One event per read, and byte by byte: the same decoder state and deltas, whole.
    for (Feed feed : {Feed::EventByEvent, Feed::ByteByByte}) {
        const Decoded other = decodeStream(stream, given, feed);
        QCOMPARE(other.deltas, whole.deltas);
        QCOMPARE(other.decoder.blocks(), whole.decoder.blocks());
        QCOMPARE(describeState(other.decoder), state);
        QCOMPARE(other.decoder.usage(), whole.decoder.usage());
        QCOMPARE(other.decoder.error(), whole.decoder.error());
        QCOMPARE(other.decoder.model(), whole.decoder.model());
        QCOMPARE(other.decoder.responseId(), whole.decoder.responseId());
        QCOMPARE(other.decoder.answerText(), answer);
    }
}

void TestTokenStream::deltasOfOneEvent()
{
    TokenStreamDecoder decoder;
    using Kind = TokenBlock::Kind;
    // The role chunk adds nothing.
    QCOMPARE(decoder.decode("message",
                 R"j({"object":"chat.completion.chunk","choices":[{"index":0,)j"
                 R"j("delta":{"role":"assistant","content":""}}]})j"),
        QList<TokenDelta>{});
    QCOMPARE(decoder.format(), TokenFormat::OpenAiChat);
    QVERIFY(decoder.blocks().isEmpty());
    // Thinking, text and a tool call in one chunk, for two choices: in that order.
    const QList<TokenDelta> deltas = decoder.decode("message",
        R"j({"object":"chat.completion.chunk","choices":[{"index":0,"delta":{)j"
        R"j("reasoning_content":"r","content":"c","tool_calls":[{"index":0,"id":"call_1",)j"
        R"j("function":{"name":"f","arguments":"{"}}]}},{"index":1,"delta":{"content":"d"}}]})j");
    const QList<TokenDelta> expected{{0, Kind::Thinking, QStringLiteral("r")},
        {1, Kind::Text, QStringLiteral("c")}, {2, Kind::ToolCall, QStringLiteral("{")},
        {3, Kind::Text, QStringLiteral("d")}};
    QCOMPARE(deltas, expected);
    QCOMPARE(decoder.blocks().at(2).name, QStringLiteral("f"));
    QCOMPARE(decoder.blocks().at(2).id, QStringLiteral("call_1"));
    QCOMPARE(decoder.blocks().at(3).choice, 1);
    // Later fragments go to the blocks already started.
    QCOMPARE(decoder.decode("message",
                 R"j({"choices":[{"index":0,"delta":{"content":"e","tool_calls":[{"index":0,)j"
                 R"j("function":{"arguments":"}"}}]}}]})j"),
        (QList<TokenDelta>{
            {1, Kind::Text, QStringLiteral("e")}, {2, Kind::ToolCall, QStringLiteral("}")}}));
    QCOMPARE(decoder.answerText(), QStringLiteral("ce"));
    QCOMPARE(decoder.decode("message", "[DONE]"), QList<TokenDelta>{});
    QVERIFY(decoder.finished());
}

void TestTokenStream::identity_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("id");
    QTest::newRow("chat") << content("x") << QStringLiteral("gpt-4o-2024-08-06")
                          << QStringLiteral("chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG");
    QTest::newRow("responses") << responsesStart() << QStringLiteral("gpt-4.1-2025-04-14")
                               << QStringLiteral(
                                      "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654");
    QTest::newRow("anthropic") << messageStart << QStringLiteral("claude-sonnet-4-5-20250929")
                               << QStringLiteral("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY");
    QTest::newRow("not said") << textDelta(0, "x") << QString() << QString();
}

void TestTokenStream::identity()
{
    QFETCH(QByteArray, stream);
    const Decoded decoded = decodeStream(stream, TokenFormat::Auto, Feed::Whole);
    QTEST(decoded.decoder.model(), "model");
    QTEST(decoded.decoder.responseId(), "id");
}

void TestTokenStream::usageRaw()
{
    // Chat: the usage object as sent, details included.
    const Decoded chat
        = decodeStream(chatChunk("",
                           R"j({"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,)j"
                           R"j("completion_tokens_details":{"reasoning_tokens":1}})j"),
            TokenFormat::Auto, Feed::Whole);
    QCOMPARE(chat.decoder.usage().raw.value(u"total_tokens").toInteger(), 12);
    QCOMPARE(chat.decoder.usage()
                 .raw.value(u"completion_tokens_details")
                 .toObject()
                 .value(u"reasoning_tokens")
                 .toInteger(),
        1);

    // Anthropic: message_delta's counts over message_start's; the placeholder output count of
    // message_start is not taken.
    TokenStreamDecoder anthropicDecoder;
    const QByteArray start = R"j({"type":"message_start","message":{"usage":{"input_tokens":25,)j"
                             R"j("cache_read_input_tokens":7,"output_tokens":1}}})j";
    anthropicDecoder.decode("message_start", start);
    QCOMPARE(anthropicDecoder.usage().inputTokens, 25);
    QCOMPARE(anthropicDecoder.usage().outputTokens, -1);
    QVERIFY(anthropicDecoder.usage().known());
    anthropicDecoder.decode("message_delta",
        R"j({"type":"message_delta","delta":{"stop_reason":"end_turn"},)j"
        R"j("usage":{"input_tokens":26,"output_tokens":15}})j");
    const TokenUsage usage = anthropicDecoder.usage();
    QCOMPARE(usage.inputTokens, 26);
    QCOMPARE(usage.outputTokens, 15);
    QCOMPARE(usage.raw.value(u"cache_read_input_tokens").toInteger(), 7);
    QCOMPARE(usage.raw.value(u"output_tokens").toInteger(), 15);

    QVERIFY(!TokenStreamDecoder().usage().known());
}

void TestTokenStream::blockBound()
{
    const Decoded decoded = decodeStream(manyToolCalls(), TokenFormat::Auto, Feed::Whole);
    QCOMPARE(decoded.decoder.blocks().size(), TokenStreamDecoder::MaxBlocks);
    QCOMPARE(decoded.decoder.malformedEvents(), 300 - TokenStreamDecoder::MaxBlocks);
    QCOMPARE(decoded.decoder.blocks().last().id, QStringLiteral("call_255"));
    // The blocks already started still grow.
    TokenStreamDecoder decoder = decoded.decoder;
    QCOMPARE(decoder
                 .decode("message",
                     R"j({"choices":[{"index":0,"delta":{"tool_calls":[{"index":3,)j"
                     R"j("function":{"arguments":"x"}}]}}]})j")
                 .size(),
        1);
    QCOMPARE(decoder.blocks().at(3).text, QStringLiteral("{}x"));
}

void TestTokenStream::textBound()
{
    TokenStreamDecoder decoder(TokenFormat::Anthropic);
    const auto delta = [&decoder](const QString &text) {
        QJsonObject object{{QStringLiteral("type"), QStringLiteral("content_block_delta")},
            {QStringLiteral("index"), 0},
            {QStringLiteral("delta"),
                QJsonObject{{QStringLiteral("type"), QStringLiteral("text_delta")},
                    {QStringLiteral("text"), text}}}};
        return decoder.decode("content_block_delta", QJsonDocument(object).toJson());
    };
    const QList<TokenDelta> first = delta(QString(TokenStreamDecoder::MaxBlockChars - 1, u'a'));
    QCOMPARE(first.size(), 1);
    // One unit of room left: half a surrogate pair is not kept.
    QCOMPARE(delta(QStringLiteral("🙂b")), QList<TokenDelta>{});
    const TokenBlock &block = decoder.blocks().at(0);
    QVERIFY(block.truncated);
    QCOMPARE(block.text.size(), TokenStreamDecoder::MaxBlockChars - 1);
    QCOMPARE(delta(QStringLiteral("c")), QList<TokenDelta>{});
    QCOMPARE(decoder.malformedEvents(), 0);
    QCOMPARE(decoder.unknownEvents(), 0);
}

void TestTokenStream::totalTextBound()
{
    TokenStreamDecoder decoder(TokenFormat::Anthropic);
    const int blocks = int(TokenStreamDecoder::MaxTotalChars / TokenStreamDecoder::MaxBlockChars);
    const QByteArray full = QByteArray(TokenStreamDecoder::MaxBlockChars, 'a');
    for (int i = 0; i <= blocks; ++i) {
        const QByteArray event = R"j({"type":"content_block_start","index":)j"
            + QByteArray::number(i) + R"j(,"content_block":{"type":"text","text":")j" + full
            + "\"}}";
        QCOMPARE(decoder.decode("content_block_start", event).size(), i < blocks ? 1 : 0);
    }
    QCOMPARE(decoder.blocks().size(), blocks + 1);
    QVERIFY(!decoder.blocks().at(blocks - 1).truncated);
    QVERIFY(decoder.blocks().at(blocks).truncated);
    QVERIFY(decoder.blocks().at(blocks).text.isEmpty());
}

QTEST_APPLESS_MAIN(TestTokenStream)
#include "tst_tokenstream.moc"
