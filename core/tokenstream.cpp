// SPDX-License-Identifier: GPL-3.0-or-later
// About 700 lines, kept whole: the three wire formats' decoders (OpenAI chat, OpenAI responses,
// Anthropic) share one set of JSON readers and one answer model, and read best side by side.
#include "tokenstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

#include <cmath>
#include <utility>

namespace streamscope {

namespace {

using Kind = TokenBlock::Kind;

// A JSON index in 0..MaxIndex into *out; an absent one is fallback (when fallback >= 0).
bool readIndex(const QJsonValue &value, int fallback, int *out)
{
    if (value.isUndefined() && fallback >= 0) {
        *out = fallback;
        return true;
    }
    if (!value.isDouble()) {
        return false;
    }
    const double number = value.toDouble();
    if (!(number >= 0 && number <= TokenStreamDecoder::MaxIndex) || number != std::floor(number)) {
        return false;
    }
    *out = int(number);
    return true;
}

// A string field into *out: absent and null read as empty; false for any other JSON type.
bool readString(const QJsonValue &value, QString *out)
{
    if (value.isString()) {
        *out = value.toString();
        return true;
    }
    out->clear();
    return value.isUndefined() || value.isNull();
}

// A token count; -1 when it is no non-negative integer.
qint64 readCount(const QJsonValue &value)
{
    const qint64 count = value.isDouble() ? value.toInteger(-1) : -1;
    return count >= 0 ? count : -1;
}

bool isAnthropicEvent(QStringView type)
{
    return type == u"message_start" || type == u"message_delta" || type == u"message_stop"
        || type == u"content_block_start" || type == u"content_block_delta"
        || type == u"content_block_stop";
}

bool isResponsesEvent(QStringView type)
{
    return type.startsWith(u"response.");
}

// Whether a named event may be one of format's (of any format, while detecting).
bool mayBelongTo(TokenFormat format, QStringView name)
{
    switch (format) {
    case TokenFormat::Auto:
        return isAnthropicEvent(name) || isResponsesEvent(name);
    case TokenFormat::OpenAiChat:
        return false; // its chunks are unnamed
    case TokenFormat::OpenAiResponses:
        return isResponsesEvent(name);
    case TokenFormat::Anthropic:
        return isAnthropicEvent(name);
    }
    return false;
}

// Responses events that say nothing the decoder keeps: the done events repeat what the deltas
// assembled, the rest announce parts and items whose text comes in deltas.
bool isQuietResponsesEvent(QStringView type)
{
    static constexpr QStringView quiet[] = {
        u"response.output_item.done",
        u"response.content_part.added",
        u"response.content_part.done",
        u"response.output_text.done",
        u"response.output_text.annotation.added",
        u"response.refusal.done",
        u"response.function_call_arguments.done",
        u"response.custom_tool_call_input.done",
        u"response.reasoning_summary_part.added",
        u"response.reasoning_summary_part.done",
        u"response.reasoning_summary_text.done",
        u"response.reasoning_text.done",
    };
    for (QStringView name : quiet) {
        if (type == name) {
            return true;
        }
    }
    return false;
}

} // namespace

QString tokenFormatName(TokenFormat format)
{
    switch (format) {
    case TokenFormat::Auto:
        break;
    case TokenFormat::OpenAiChat:
        return QStringLiteral("openai-chat");
    case TokenFormat::OpenAiResponses:
        return QStringLiteral("openai-responses");
    case TokenFormat::Anthropic:
        return QStringLiteral("anthropic");
    }
    return QStringLiteral("auto");
}

std::optional<TokenFormat> parseTokenFormat(QStringView name)
{
    for (TokenFormat format : {TokenFormat::Auto, TokenFormat::OpenAiChat,
             TokenFormat::OpenAiResponses, TokenFormat::Anthropic}) {
        if (name.compare(tokenFormatName(format), Qt::CaseInsensitive) == 0) {
            return format;
        }
    }
    return std::nullopt;
}

TokenStreamDecoder::TokenStreamDecoder(TokenFormat format)
    : m_format(format)
{
}

QList<TokenDelta> TokenStreamDecoder::decode(QByteArrayView type, QByteArrayView data)
{
    m_deltas.clear();
    switch (decodeEvent(type, data)) {
    case Outcome::Understood:
        break;
    case Outcome::Unknown:
        ++m_unknownEvents;
        break;
    case Outcome::Malformed:
        ++m_malformedEvents;
        break;
    }
    return std::exchange(m_deltas, {});
}

QString TokenStreamDecoder::answerText() const
{
    QString text;
    for (const TokenBlock &block : m_blocks) {
        if (block.kind == Kind::Text && block.choice == 0) {
            text += block.text;
        }
    }
    return text;
}

TokenStreamDecoder::Outcome TokenStreamDecoder::decodeEvent(
    QByteArrayView type, QByteArrayView data)
{
    // Chat Completions streams are unnamed; some proxies leave the name off the other formats
    // too, whose data always carries it as "type".
    const bool unnamed = type.isEmpty() || type == "message";
    if (unnamed && data.trimmed() == "[DONE]") {
        if (m_format == TokenFormat::Auto) {
            m_format = TokenFormat::OpenAiChat;
        }
        if (m_format != TokenFormat::OpenAiChat) {
            return Outcome::Unknown;
        }
        m_finished = true;
        return Outcome::Understood;
    }

    QString name = unnamed ? QString() : QString::fromUtf8(type);
    if (!unnamed && name != u"error" && name != u"ping" && !mayBelongTo(m_format, name)) {
        return Outcome::Unknown; // the name says enough: the data is not looked at
    }
    // Anthropic's keep-alive; harmless in any stream.
    if (name == u"ping") {
        return Outcome::Understood;
    }

    QJsonParseError parseError;
    const QJsonDocument document
        = QJsonDocument::fromJson(QByteArray::fromRawData(data.data(), data.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        return Outcome::Malformed;
    }
    const QJsonObject object = document.object();
    if (unnamed && !readString(object.value(u"type"), &name)) {
        return Outcome::Malformed;
    }

    // Errors end the stream whatever the format, known or not yet.
    const QJsonValue error = object.value(u"error");
    if (name == u"error" || (name.isEmpty() && (error.isObject() || error.isString()))) {
        return decodeError(object);
    }
    if (name == u"ping") {
        return Outcome::Understood;
    }

    const bool chatChunk = name.isEmpty()
        && (object.value(u"object").toString() == u"chat.completion.chunk"
            || object.value(u"choices").isArray());
    if (m_format == TokenFormat::Auto) {
        if (isAnthropicEvent(name)) {
            m_format = TokenFormat::Anthropic;
        } else if (isResponsesEvent(name)) {
            m_format = TokenFormat::OpenAiResponses;
        } else if (chatChunk) {
            m_format = TokenFormat::OpenAiChat;
        } else {
            return Outcome::Unknown;
        }
    }
    switch (m_format) {
    case TokenFormat::Auto:
        break;
    case TokenFormat::OpenAiChat:
        if (name.isEmpty()) {
            return decodeChat(object);
        }
        break;
    case TokenFormat::OpenAiResponses:
        return decodeResponses(name, object);
    case TokenFormat::Anthropic:
        return decodeAnthropic(name, object);
    }
    return Outcome::Unknown;
}

// {"id","object":"chat.completion.chunk","model","choices":[{"index","delta":{...},
// "finish_reason"}],"usage":null|{...}}; usage comes in a last chunk with empty choices when the
// request asked for it (stream_options.include_usage).
TokenStreamDecoder::Outcome TokenStreamDecoder::decodeChat(const QJsonObject &chunk)
{
    const QJsonValue choices = chunk.value(u"choices");
    const QJsonValue usage = chunk.value(u"usage");
    if (!choices.isArray() && !usage.isObject()) {
        const bool absent = (choices.isUndefined() || choices.isNull())
            && (usage.isUndefined() || usage.isNull());
        return absent ? Outcome::Unknown : Outcome::Malformed;
    }
    setIdentity(chunk);
    bool malformed = !choices.isArray() && !choices.isUndefined() && !choices.isNull();
    const QJsonArray choiceArray = choices.toArray();
    for (qsizetype i = 0; i < choiceArray.size(); ++i) {
        const QJsonValue choice = choiceArray.at(i);
        if (!choice.isObject()
            || decodeChatChoice(choice.toObject(), int(qMin<qsizetype>(i, MaxIndex + 1)))
                == Outcome::Malformed) {
            malformed = true;
        }
    }
    if (usage.isObject()) {
        const QJsonObject counts = usage.toObject();
        m_usage.inputTokens = readCount(counts.value(u"prompt_tokens"));
        m_usage.outputTokens = readCount(counts.value(u"completion_tokens"));
        m_usage.raw = counts;
    } else if (!usage.isUndefined() && !usage.isNull()) {
        malformed = true;
    }
    return malformed ? Outcome::Malformed : Outcome::Understood;
}

TokenStreamDecoder::Outcome TokenStreamDecoder::decodeChatChoice(
    const QJsonObject &choice, int position)
{
    int index = 0;
    if (!readIndex(choice.value(u"index"), position <= MaxIndex ? position : -1, &index)) {
        return Outcome::Malformed;
    }
    bool malformed = false;
    const QJsonValue deltaValue = choice.value(u"delta");
    if (deltaValue.isObject()) {
        const QJsonObject delta = deltaValue.toObject();
        QString text;
        // Thinking as DeepSeek, vLLM (reasoning_content) and OpenRouter, Ollama (reasoning)
        // send it.
        if (!readString(delta.value(u"reasoning_content"), &text)) {
            malformed = true;
        }
        if (text.isEmpty() && !readString(delta.value(u"reasoning"), &text)) {
            malformed = true;
        }
        if (!text.isEmpty()) {
            const int thinking = block({Kind::Thinking, index, 0}, index);
            if (thinking < 0) {
                return Outcome::Malformed;
            }
            append(thinking, text);
        }
        // A refusal is what the model answered instead: it is the answer's text.
        for (QStringView key : {QStringView(u"content"), QStringView(u"refusal")}) {
            if (!readString(delta.value(key), &text)) {
                malformed = true;
            } else if (!text.isEmpty()) {
                const int answer = block({Kind::Text, index, 0}, index);
                if (answer < 0) {
                    return Outcome::Malformed;
                }
                append(answer, text);
            }
        }

        // tool_calls[k]: {"index","id","type":"function","function":{"name","arguments"}}; the
        // first fragment names the call, the others carry argument fragments. The legacy
        // function_call ({"name","arguments"}) stands for tool call 0.
        QJsonArray calls = delta.value(u"tool_calls").toArray();
        const QJsonValue legacy = delta.value(u"function_call");
        if (!delta.value(u"tool_calls").isArray() && !delta.value(u"tool_calls").isUndefined()
            && !delta.value(u"tool_calls").isNull()) {
            malformed = true;
        }
        if (legacy.isObject()) {
            calls.append(
                QJsonObject{{QStringLiteral("index"), 0}, {QStringLiteral("function"), legacy}});
        }
        for (qsizetype k = 0; k < calls.size(); ++k) {
            const QJsonObject call = calls.at(k).toObject();
            int callIndex = 0;
            if (!calls.at(k).isObject()
                || !readIndex(call.value(u"index"), k <= MaxIndex ? int(k) : -1, &callIndex)) {
                malformed = true;
                continue;
            }
            const QJsonValue functionValue = call.value(u"function");
            const QJsonObject function = functionValue.toObject();
            QString id;
            QString name;
            QString arguments;
            if ((!functionValue.isObject() && !functionValue.isUndefined())
                || !readString(call.value(u"id"), &id)
                || !readString(function.value(u"name"), &name)
                || !readString(function.value(u"arguments"), &arguments)) {
                malformed = true;
                continue;
            }
            const int tool = block({Kind::ToolCall, index * 1000 + callIndex, 0}, index);
            if (tool < 0) {
                return Outcome::Malformed;
            }
            TokenBlock &toolBlock = m_blocks[tool];
            if (toolBlock.id.isEmpty()) {
                toolBlock.id = id;
            }
            if (toolBlock.name.isEmpty()) {
                toolBlock.name = name;
            }
            append(tool, arguments);
        }
    } else if (!deltaValue.isUndefined() && !deltaValue.isNull()) {
        malformed = true;
    }

    QString reason;
    if (!readString(choice.value(u"finish_reason"), &reason)) {
        malformed = true;
    }
    setStopReason(reason, index);
    return malformed ? Outcome::Malformed : Outcome::Understood;
}

TokenStreamDecoder::Outcome TokenStreamDecoder::decodeResponses(
    QStringView type, const QJsonObject &event)
{
    if (type == u"response.created" || type == u"response.in_progress"
        || type == u"response.queued") {
        const QJsonValue response = event.value(u"response");
        if (!response.isObject()) {
            return Outcome::Malformed;
        }
        setIdentity(response.toObject());
        return Outcome::Understood;
    }
    if (type == u"response.completed" || type == u"response.incomplete"
        || type == u"response.failed") {
        const QJsonValue responseValue = event.value(u"response");
        if (!responseValue.isObject()) {
            return Outcome::Malformed;
        }
        const QJsonObject response = responseValue.toObject();
        setIdentity(response);
        m_finished = true;
        const QJsonValue usage = response.value(u"usage");
        if (usage.isObject()) {
            const QJsonObject counts = usage.toObject();
            m_usage.inputTokens = readCount(counts.value(u"input_tokens"));
            m_usage.outputTokens = readCount(counts.value(u"output_tokens"));
            m_usage.raw = counts;
        }
        QString status;
        readString(response.value(u"status"), &status);
        if (status.isEmpty()) {
            status = type.sliced(QStringView(u"response.").size()).toString();
        }
        QString reason;
        readString(response.value(u"incomplete_details").toObject().value(u"reason"), &reason);
        setStopReason(reason.isEmpty() ? status : reason);
        if (type == u"response.failed" && !m_error) {
            const QJsonObject error = response.value(u"error").toObject();
            TokenStreamError failure;
            readString(error.value(u"code"), &failure.type);
            readString(error.value(u"message"), &failure.message);
            if (failure.type.isEmpty()) {
                failure.type = status;
            }
            m_error = failure;
        }
        return Outcome::Understood;
    }
    if (type == u"response.output_item.added") {
        int output = 0;
        const QJsonValue itemValue = event.value(u"item");
        if (!readIndex(event.value(u"output_index"), 0, &output) || !itemValue.isObject()) {
            return Outcome::Malformed;
        }
        const QJsonObject item = itemValue.toObject();
        const QString itemType = item.value(u"type").toString();
        if (itemType == u"message" || itemType == u"reasoning") {
            return Outcome::Understood; // their text comes in deltas
        }
        if (itemType != u"function_call" && itemType != u"custom_tool_call") {
            return Outcome::Unknown; // built-in tools (web search, file search, ...)
        }
        QString name;
        QString callId;
        QString itemId;
        QString arguments;
        if (!readString(item.value(u"name"), &name) || !readString(item.value(u"call_id"), &callId)
            || !readString(item.value(u"id"), &itemId)
            || !readString(
                item.value(itemType == u"function_call" ? u"arguments" : u"input"), &arguments)) {
            return Outcome::Malformed;
        }
        const int tool = block({Kind::ToolCall, output, 0});
        if (tool < 0) {
            return Outcome::Malformed;
        }
        m_blocks[tool].name = name;
        m_blocks[tool].id = callId.isEmpty() ? itemId : callId;
        append(tool, arguments);
        return Outcome::Understood;
    }

    Kind kind = Kind::Text;
    QStringView partKey = u"content_index";
    if (type == u"response.output_text.delta" || type == u"response.refusal.delta") {
        kind = Kind::Text;
    } else if (type == u"response.reasoning_summary_text.delta") {
        kind = Kind::Thinking;
        partKey = u"summary_index";
    } else if (type == u"response.reasoning_text.delta") {
        kind = Kind::Thinking;
    } else if (type == u"response.function_call_arguments.delta"
        || type == u"response.custom_tool_call_input.delta") {
        kind = Kind::ToolCall;
        partKey = {};
    } else {
        return isQuietResponsesEvent(type) ? Outcome::Understood : Outcome::Unknown;
    }
    int output = 0;
    int part = 0;
    if (!readIndex(event.value(u"output_index"), 0, &output)
        || (!partKey.isEmpty() && !readIndex(event.value(partKey), 0, &part))
        || !event.value(u"delta").isString()) {
        return Outcome::Malformed;
    }
    const int target = block({kind, output, part});
    if (target < 0) {
        return Outcome::Malformed;
    }
    append(target, event.value(u"delta").toString());
    return Outcome::Understood;
}

TokenStreamDecoder::Outcome TokenStreamDecoder::decodeAnthropic(
    QStringView type, const QJsonObject &event)
{
    if (type == u"message_start") {
        const QJsonValue messageValue = event.value(u"message");
        if (!messageValue.isObject()) {
            return Outcome::Malformed;
        }
        const QJsonObject message = messageValue.toObject();
        setIdentity(message);
        // Its output_tokens is a placeholder (1 or so); message_delta says the real count.
        const QJsonObject usage = message.value(u"usage").toObject();
        m_usage.inputTokens = readCount(usage.value(u"input_tokens"));
        m_usage.raw = usage;
        return Outcome::Understood;
    }
    if (type == u"message_delta") {
        const QJsonValue delta = event.value(u"delta");
        const QJsonValue usage = event.value(u"usage");
        if ((!delta.isObject() && !delta.isUndefined())
            || (!usage.isObject() && !usage.isUndefined())) {
            return Outcome::Malformed;
        }
        QString reason;
        if (!readString(delta.toObject().value(u"stop_reason"), &reason)) {
            return Outcome::Malformed;
        }
        setStopReason(reason);
        // Cumulative counts; newer servers repeat input_tokens here.
        const QJsonObject counts = usage.toObject();
        for (auto it = counts.begin(); it != counts.end(); ++it) {
            m_usage.raw.insert(it.key(), it.value());
        }
        if (counts.contains(u"output_tokens")) {
            m_usage.outputTokens = readCount(counts.value(u"output_tokens"));
        }
        if (counts.contains(u"input_tokens")) {
            m_usage.inputTokens = readCount(counts.value(u"input_tokens"));
        }
        return Outcome::Understood;
    }
    if (type == u"message_stop") {
        m_finished = true;
        return Outcome::Understood;
    }

    if (!type.startsWith(u"content_block_")) {
        return Outcome::Unknown;
    }
    int index = 0;
    if (!readIndex(event.value(u"index"), -1, &index)) {
        return Outcome::Malformed;
    }
    if (type == u"content_block_stop") {
        return Outcome::Understood;
    }
    if (type == u"content_block_start") {
        const QJsonValue blockValue = event.value(u"content_block");
        if (!blockValue.isObject()) {
            return Outcome::Malformed;
        }
        const QJsonObject content = blockValue.toObject();
        const QString blockType = content.value(u"type").toString();
        Kind kind = Kind::Text;
        QStringView textKey;
        if (blockType == u"text") {
            textKey = u"text";
        } else if (blockType == u"thinking") {
            kind = Kind::Thinking;
            textKey = u"thinking";
        } else if (blockType == u"redacted_thinking") {
            kind = Kind::Thinking; // encrypted: nothing to show
        } else if (blockType == u"tool_use" || blockType == u"server_tool_use"
            || blockType == u"mcp_tool_use") {
            kind = Kind::ToolCall; // its input comes as input_json_delta fragments
        } else {
            return Outcome::Unknown; // tool results and other blocks that stream no text
        }
        QString text;
        QString name;
        QString id;
        if ((!textKey.isEmpty() && !readString(content.value(textKey), &text))
            || !readString(content.value(u"name"), &name)
            || !readString(content.value(u"id"), &id)) {
            return Outcome::Malformed;
        }
        const int target = block({kind, index, 0});
        if (target < 0) {
            return Outcome::Malformed;
        }
        if (kind == Kind::ToolCall) {
            m_blocks[target].name = name;
            m_blocks[target].id = id;
        }
        append(target, text);
        return Outcome::Understood;
    }
    if (type == u"content_block_delta") {
        const QJsonValue deltaValue = event.value(u"delta");
        if (!deltaValue.isObject()) {
            return Outcome::Malformed;
        }
        const QJsonObject delta = deltaValue.toObject();
        const QString deltaType = delta.value(u"type").toString();
        Kind kind = Kind::Text;
        QStringView textKey;
        if (deltaType == u"text_delta") {
            textKey = u"text";
        } else if (deltaType == u"thinking_delta") {
            kind = Kind::Thinking;
            textKey = u"thinking";
        } else if (deltaType == u"input_json_delta") {
            kind = Kind::ToolCall;
            textKey = u"partial_json";
        } else if (deltaType == u"signature_delta" || deltaType == u"citations_delta") {
            return Outcome::Understood; // a thinking block's signature; a text's citation
        } else {
            return Outcome::Unknown;
        }
        const QJsonValue text = delta.value(textKey);
        if (!text.isString()) {
            return Outcome::Malformed;
        }
        // A block whose start was lost starts with its first delta.
        const int target = block({kind, index, 0});
        if (target < 0) {
            return Outcome::Malformed;
        }
        append(target, text.toString());
        return Outcome::Understood;
    }
    return Outcome::Unknown;
}

// Anthropic: {"type":"error","error":{"type","message"}}. OpenAI chat: {"error":{"message",
// "type","code"}}. Responses: {"type":"error","code","message","param"}. The first error is kept.
TokenStreamDecoder::Outcome TokenStreamDecoder::decodeError(const QJsonObject &event)
{
    TokenStreamError error;
    const QJsonValue nested = event.value(u"error");
    if (nested.isObject()) {
        const QJsonObject details = nested.toObject();
        readString(details.value(u"type"), &error.type);
        if (error.type.isEmpty()) {
            readString(details.value(u"code"), &error.type);
        }
        readString(details.value(u"message"), &error.message);
    } else if (nested.isString()) {
        error.message = nested.toString();
    } else {
        readString(event.value(u"code"), &error.type);
        readString(event.value(u"message"), &error.message);
    }
    if (error.type.isEmpty()) {
        error.type = QStringLiteral("error");
    }
    if (!m_error) {
        m_error = error;
    }
    m_finished = true;
    return Outcome::Understood;
}

void TokenStreamDecoder::setIdentity(const QJsonObject &object)
{
    QString text;
    if (readString(object.value(u"model"), &text) && !text.isEmpty()) {
        m_model = text;
    }
    if (readString(object.value(u"id"), &text) && !text.isEmpty()) {
        m_responseId = text;
    }
}

int TokenStreamDecoder::block(const BlockKey &key, int choice)
{
    const auto found = m_blockByKey.constFind(key);
    if (found != m_blockByKey.constEnd()) {
        return found.value();
    }
    if (m_blocks.size() >= MaxBlocks) {
        return -1;
    }
    TokenBlock started;
    started.index = key.index;
    started.kind = key.kind;
    started.choice = choice;
    started.part = key.part;
    m_blocks.append(started);
    m_blockByKey.insert(key, int(m_blocks.size() - 1));
    return int(m_blocks.size() - 1);
}

void TokenStreamDecoder::append(int block, const QString &text)
{
    TokenBlock &target = m_blocks[block];
    if (text.isEmpty() || target.truncated) {
        return;
    }
    qsizetype room = qMin(MaxBlockChars - target.text.size(), MaxTotalChars - m_totalChars);
    QString piece = text;
    if (piece.size() > room) {
        // Never keep half of a surrogate pair.
        if (room > 0 && piece.at(room - 1).isHighSurrogate()) {
            --room;
        }
        piece.truncate(room);
        target.truncated = true;
    }
    if (piece.isEmpty()) {
        return;
    }
    target.text += piece;
    m_totalChars += piece.size();
    m_deltas.append({block, target.kind, piece});
}

void TokenStreamDecoder::setStopReason(const QString &reason, int choice)
{
    if (reason.isEmpty()) {
        return;
    }
    if (choice == 0 || m_stopReasonChoice < 0) {
        m_stopReason = reason;
        m_stopReasonChoice = choice;
    }
}

} // namespace streamscope
