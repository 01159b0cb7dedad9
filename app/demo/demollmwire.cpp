// SPDX-License-Identifier: GPL-3.0-or-later
#include "demollmwire.h"

#include <QDateTime>

namespace streamscope {

namespace {

const QByteArray s_systemFingerprint = "fp_demofeed";

// A JSON string literal; non-ASCII stays UTF-8, as the real APIs send it.
QByteArray jsonString(const QString &text)
{
    QByteArray out = "\"";
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (uchar(c) < 0x20) {
                out += "\\u00" + QByteArray::number(uchar(c), 16).rightJustified(2, '0');
            } else {
                out += c;
            }
            break;
        }
    }
    return out + '"';
}

QByteArray jsonString(const QByteArray &ascii)
{
    return jsonString(QString::fromUtf8(ascii));
}

QByteArray number(qint64 value)
{
    return QByteArray::number(value);
}

QByteArray randomId(std::mt19937 &random, int length, QByteArrayView alphabet)
{
    std::uniform_int_distribution<qsizetype> pick(0, alphabet.size() - 1);
    QByteArray id(length, Qt::Uninitialized);
    for (char &c : id) {
        c = alphabet.at(pick(random));
    }
    return id;
}

// OpenAI Chat Completions: the choices of one chunk.
QByteArray chatChoice(const QByteArray &delta, const QByteArray &finishReason)
{
    return "[{\"index\":0,\"delta\":" + delta
        + ",\"logprobs\":null,\"finish_reason\":" + finishReason + "}]";
}

QByteArray responsesPart(const QString &text)
{
    return "{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":"
        + jsonString(text) + "}";
}

QByteArray responsesItem(const QByteArray &id, QByteArrayView status, const QByteArray &content)
{
    return "{\"id\":" + jsonString(id) + ",\"type\":\"message\",\"status\":\""
        + status.toByteArray() + "\",\"content\":" + content + ",\"role\":\"assistant\"}";
}

} // namespace

DemoLlmWire::DemoLlmWire(DemoLlm::Format format, const DemoLlmAnswer &answer,
    const QJsonObject &body, std::mt19937 &random)
    : m_format(format)
    , m_answer(answer)
    , m_created(QDateTime::currentSecsSinceEpoch())
{
    static constexpr QByteArrayView alphanumeric
        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static constexpr QByteArrayView hex = "0123456789abcdef";
    switch (format) {
    case DemoLlm::Format::OpenAiChat:
        m_id = "chatcmpl-" + randomId(random, 29, alphanumeric);
        m_includeUsage = body.value(QLatin1String("stream_options"))
                             .toObject()
                             .value(QLatin1String("include_usage"))
                             .toBool();
        m_requestIdHeader = "x-request-id: req_" + randomId(random, 32, hex);
        break;
    case DemoLlm::Format::OpenAiResponses: {
        m_id = "resp_" + randomId(random, 48, hex);
        m_itemId = "msg_" + randomId(random, 48, hex);
        const QJsonValue instructions = body.value(QLatin1String("instructions"));
        m_instructions = instructions.isString() ? jsonString(instructions.toString()) : "null";
        const qint64 maxOutputTokens = body.value(QLatin1String("max_output_tokens")).toInteger(-1);
        m_maxOutputTokens = maxOutputTokens > 0 ? number(maxOutputTokens) : "null";
        m_requestIdHeader = "x-request-id: req_" + randomId(random, 32, hex);
        break;
    }
    case DemoLlm::Format::Anthropic:
        m_id = "msg_01" + randomId(random, 22, alphanumeric);
        m_requestIdHeader = "request-id: req_01" + randomId(random, 22, alphanumeric);
        break;
    }
}

// OpenAI Chat Completions: its choices and usage given as JSON; a null usage leaves the member
// out, as the API does unless stream_options.include_usage asked for it.
QByteArray DemoLlmWire::chatChunk(const QByteArray &choices, const QByteArray &usage) const
{
    return "{\"id\":" + jsonString(m_id) + ",\"object\":\"chat.completion.chunk\",\"created\":"
        + number(m_created) + ",\"model\":" + jsonString(m_answer.model)
        + ",\"service_tier\":\"default\",\"system_fingerprint\":" + jsonString(s_systemFingerprint)
        + ",\"choices\":" + choices + (usage.isNull() ? QByteArray() : ",\"usage\":" + usage) + "}";
}

DemoLlmWire::Event DemoLlmWire::sequenced(QByteArrayView type, const QByteArray &fields)
{
    return {type.toByteArray(),
        "{\"type\":\"" + type.toByteArray() + "\",\"sequence_number\":" + number(m_sequenceNumber++)
            + "," + fields + "}"};
}

QByteArray DemoLlmWire::responseObject(QByteArrayView status, QByteArrayView error,
    QByteArrayView incompleteDetails, const QByteArray &output, const QByteArray &usage) const
{
    return "{\"id\":" + jsonString(m_id)
        + ",\"object\":\"response\",\"created_at\":" + number(m_created) + ",\"status\":\""
        + status.toByteArray() + "\",\"background\":false,\"error\":" + error.toByteArray()
        + ",\"incomplete_details\":" + incompleteDetails.toByteArray()
        + ",\"instructions\":" + m_instructions + ",\"max_output_tokens\":" + m_maxOutputTokens
        + ",\"model\":" + jsonString(m_answer.model) + ",\"output\":[" + output
        + "],\"parallel_tool_calls\":true,\"previous_response_id\":null,"
          "\"reasoning\":{\"effort\":null,\"summary\":null},\"store\":true,"
          "\"temperature\":1.0,\"text\":{\"format\":{\"type\":\"text\"}},"
          "\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1.0,\"truncation\":\"disabled\","
          "\"usage\":"
        + usage + ",\"user\":null,\"metadata\":{}}";
}

QList<DemoLlmWire::Event> DemoLlmWire::start()
{
    QList<Event> events;
    switch (m_format) {
    case DemoLlm::Format::OpenAiChat:
        // The role comes first, with empty content: not yet a token.
        events.append(Event{{},
            chatChunk(
                chatChoice("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", "null"),
                m_includeUsage ? "null" : QByteArray())});
        break;
    case DemoLlm::Format::OpenAiResponses: {
        const QByteArray response = responseObject("in_progress", "null", "null", {}, "null");
        events.append(sequenced("response.created", "\"response\":" + response));
        events.append(sequenced("response.in_progress", "\"response\":" + response));
        events.append(sequenced("response.output_item.added",
            "\"output_index\":0,\"item\":" + responsesItem(m_itemId, "in_progress", "[]")));
        events.append(sequenced("response.content_part.added",
            "\"item_id\":" + jsonString(m_itemId)
                + ",\"output_index\":0,\"content_index\":0,\"part\":" + responsesPart({})));
        break;
    }
    case DemoLlm::Format::Anthropic:
        // The real API counts one output token already here; message_delta then gives the total.
        events.append(Event{"message_start",
            "{\"type\":\"message_start\",\"message\":{\"id\":" + jsonString(m_id)
                + ",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                + jsonString(m_answer.model)
                + ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                  "\"usage\":{\"input_tokens\":"
                + number(m_answer.inputTokens)
                + ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
                  "\"output_tokens\":1}}}"});
        events.append(Event{"content_block_start",
            "{\"type\":\"content_block_start\",\"index\":0,"
            "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"});
        events.append(Event{"ping", "{\"type\":\"ping\"}"});
        break;
    }
    return events;
}

QList<DemoLlmWire::Event> DemoLlmWire::token(const QString &token)
{
    switch (m_format) {
    case DemoLlm::Format::OpenAiChat:
        return {{{},
            chatChunk(chatChoice("{\"content\":" + jsonString(token) + "}", "null"),
                m_includeUsage ? "null" : QByteArray())}};
    case DemoLlm::Format::OpenAiResponses:
        return {sequenced("response.output_text.delta",
            "\"item_id\":" + jsonString(m_itemId)
                + ",\"output_index\":0,\"content_index\":0,\"delta\":" + jsonString(token)
                + ",\"logprobs\":[]")};
    case DemoLlm::Format::Anthropic:
        return {{"content_block_delta",
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
            "\"text\":"
                + jsonString(token) + "}}"}};
    }
    return {};
}

QList<DemoLlmWire::Event> DemoLlmWire::end()
{
    using Ending = DemoLlmAnswer::Ending;
    const bool overloaded = m_answer.ending == Ending::Overloaded;
    const bool cut = m_answer.ending == Ending::MaxTokens;
    const QString text = m_answer.text();
    const int input = m_answer.inputTokens;
    const int output = m_answer.outputTokens();
    QList<Event> events;
    switch (m_format) {
    case DemoLlm::Format::OpenAiChat:
        if (overloaded) {
            // The SDKs raise an error for any chunk with an "error" member; no [DONE] follows.
            events.append(Event{{},
                "{\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\","
                "\"param\":null,\"code\":null}}"});
            break;
        }
        events.append(Event{{},
            chatChunk(chatChoice("{}", jsonString(DemoLlm::stopReason(m_format, m_answer.ending))),
                m_includeUsage ? "null" : QByteArray())});
        if (m_includeUsage) {
            // OpenAI: a last chunk with empty choices, before [DONE], only when asked for.
            events.append(Event{{},
                chatChunk("[]",
                    "{\"prompt_tokens\":" + number(input) + ",\"completion_tokens\":"
                        + number(output) + ",\"total_tokens\":" + number(input + output)
                        + ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                          "\"completion_tokens_details\":{\"reasoning_tokens\":0,"
                          "\"audio_tokens\":0,\"accepted_prediction_tokens\":0,"
                          "\"rejected_prediction_tokens\":0}}")});
        }
        events.append(Event{{}, "[DONE]"});
        break;
    case DemoLlm::Format::OpenAiResponses: {
        const QByteArray itemId = jsonString(m_itemId);
        const QByteArray item = responsesItem(m_itemId,
            cut || overloaded ? "incomplete" : "completed", "[" + responsesPart(text) + "]");
        if (!overloaded) {
            events.append(sequenced("response.output_text.done",
                "\"item_id\":" + itemId + ",\"output_index\":0,\"content_index\":0,\"text\":"
                    + jsonString(text) + ",\"logprobs\":[]"));
            events.append(sequenced("response.content_part.done",
                "\"item_id\":" + itemId
                    + ",\"output_index\":0,\"content_index\":0,\"part\":" + responsesPart(text)));
            events.append(
                sequenced("response.output_item.done", "\"output_index\":0,\"item\":" + item));
        }
        const QByteArray usage = overloaded ? QByteArray("null")
                                            : "{\"input_tokens\":" + number(input)
                + ",\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":"
                + number(output)
                + ",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":"
                + number(input + output) + "}";
        const QByteArray response = responseObject(overloaded ? "failed"
                : cut                                         ? "incomplete"
                                                              : "completed",
            overloaded ? "{\"code\":\"server_error\",\"message\":\"The server is overloaded\"}"
                       : "null",
            cut ? "{\"reason\":\"max_output_tokens\"}" : "null", overloaded ? QByteArray() : item,
            usage);
        events.append(sequenced(overloaded ? "response.failed"
                : cut                      ? "response.incomplete"
                                           : "response.completed",
            "\"response\":" + response));
        break;
    }
    case DemoLlm::Format::Anthropic:
        if (overloaded) {
            events.append(Event{"error",
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                "\"message\":\"Overloaded\"}}"});
            break;
        }
        events.append(Event{"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"});
        events.append(Event{"message_delta",
            "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                + jsonString(DemoLlm::stopReason(m_format, m_answer.ending))
                + ",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + number(output)
                + "}}"});
        events.append(Event{"message_stop", "{\"type\":\"message_stop\"}"});
        break;
    }
    return events;
}

QByteArray DemoLlmWire::errorBody(
    DemoLlm::Format format, const QByteArray &status, const QString &message)
{
    const bool overloaded = status.startsWith("503");
    if (format == DemoLlm::Format::Anthropic) {
        const QByteArray type = overloaded ? "overloaded_error"
            : status.startsWith("413")     ? "request_too_large"
            : status.startsWith("404")     ? "not_found_error"
                                           : "invalid_request_error";
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type
            + "\",\"message\":" + jsonString(message) + "}}";
    }
    return "{\"error\":{\"message\":" + jsonString(message) + ",\"type\":\""
        + (overloaded ? "server_error" : "invalid_request_error")
        + "\",\"param\":null,\"code\":null}}";
}

} // namespace streamscope
