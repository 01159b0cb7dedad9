// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace streamscope {

// The wire formats of LLM answer streams over SSE.
enum class TokenFormat {
    Auto, // detected from the first recognisable event
    OpenAiChat, // Chat Completions: unnamed chat.completion.chunk events, then data: [DONE]
    OpenAiResponses, // Responses: named response.* events, no [DONE]
    Anthropic, // Messages: message_start, content_block_*, message_delta, message_stop
};

// "auto", "openai-chat", "openai-responses", "anthropic".
QString tokenFormatName(TokenFormat format);
// The format a name says (the names above, any case); nullopt for any other name.
std::optional<TokenFormat> parseTokenFormat(QStringView name);

// One piece of the answer being assembled: a choice's text, a content block, a tool call.
struct TokenBlock
{
    enum class Kind : quint8 {
        Text, // the answer; a refusal (OpenAI chat and Responses) is answer text too
        Thinking, // reasoning_content / reasoning, reasoning summaries and text, thinking blocks
        ToolCall, // the call's arguments (Anthropic: its input) as JSON text
    };

    // OpenAI chat: the choice index; for a tool call choice * 1000 + the tool call's index.
    // Responses: the output index. Anthropic: the content block index.
    int index = 0;
    Kind kind = Kind::Text;
    int choice = 0; // OpenAI chat: the choice index; 0 in the other formats
    // Responses: the content part (content_index) or reasoning summary part (summary_index) of
    // the output item; 0 elsewhere. Reasoning text and summary of one item share a block.
    int part = 0;
    QString name; // ToolCall: the tool's name
    QString id; // ToolCall: the call id (OpenAI tool_calls id, Responses call_id, Anthropic id)
    QString text; // the text, the thinking, or the tool call's JSON arguments as assembled
    bool truncated = false; // text reached a TokenStreamDecoder bound; the rest was dropped

    bool operator==(const TokenBlock &other) const = default;
};

// What one event added to one block.
struct TokenDelta
{
    int block = 0; // position in TokenStreamDecoder::blocks()
    TokenBlock::Kind kind = TokenBlock::Kind::Text;
    QString text; // never empty

    bool operator==(const TokenDelta &other) const = default;
};

// Token counts as the server reported them; -1 when it did not say.
struct TokenUsage
{
    qint64 inputTokens = -1;
    qint64 outputTokens = -1;
    // The usage object as sent (Anthropic: message_start's usage with message_delta's keys over
    // it), cache and reasoning details included.
    QJsonObject raw;

    bool known() const { return inputTokens >= 0 || outputTokens >= 0; }
    bool operator==(const TokenUsage &other) const = default;
};

// An error the server reported inside a stream that had started with 200 OK.
struct TokenStreamError
{
    QString type; // e.g. "overloaded_error", "server_error", a Responses error code
    QString message;

    bool operator==(const TokenStreamError &other) const = default;
};

// Decodes the SSE events of one LLM answer stream into the answer: its blocks (text per choice
// or content block, thinking, tool calls), stop reason, usage and in-stream error. A plain class:
// the caller feeds each dispatched event. No input is fatal: what it does not understand is
// counted as unknown, what is broken as malformed, and decoding goes on. Linear in the bytes fed;
// every collection is bounded.
class TokenStreamDecoder final
{
public:
    // Choice, tool call, output, part and content block indices run 0..MaxIndex; an event with
    // a larger one is malformed. OpenAI chat tool call blocks are indexed choice * 1000 + k.
    static constexpr int MaxIndex = 999;
    static constexpr int MaxBlocks = 256; // an event that would start one more is malformed
    // Text kept per block and over all blocks, in UTF-16 units; past either, the block is
    // truncated.
    static constexpr qsizetype MaxBlockChars = 16 * 1024 * 1024;
    static constexpr qsizetype MaxTotalChars = 64 * 1024 * 1024;

    explicit TokenStreamDecoder(TokenFormat format = TokenFormat::Auto);

    // One dispatched SSE event: its type ("message" when unnamed) and data. Returns the deltas
    // it added, in order; a delta's text is what its block grew by (nothing once truncated).
    // Unnamed events of Responses and Anthropic (some proxies drop the names) are read by the
    // "type" in their data. An event named ping is a keep-alive in every format, and an error
    // event an error in every format, detected or not.
    QList<TokenDelta> decode(QByteArrayView type, QByteArrayView data);

    // The format given, or the one detected; Auto until the first recognisable event.
    TokenFormat format() const { return m_format; }
    // [DONE], message_stop, response.completed/incomplete/failed, or an error event.
    bool finished() const { return m_finished; }
    // finish_reason (choice 0's; another choice's until choice 0 has one), stop_reason,
    // incomplete_details.reason, else the Responses status ("completed", "incomplete",
    // "failed"); empty until the stream says.
    QString stopReason() const { return m_stopReason; }
    TokenUsage usage() const { return m_usage; }
    // An error event after 200: Anthropic event: error, Responses error or response.failed,
    // OpenAI chat {"error":{...}} chunk. An error before the format is known is kept too.
    std::optional<TokenStreamError> error() const { return m_error; }
    // In the order they started.
    const QList<TokenBlock> &blocks() const { return m_blocks; }
    // The Text blocks of the answer, in order, concatenated: choice 0's for OpenAI chat; every
    // Text block for Responses and Anthropic (one message, whose text may follow a reasoning
    // item or thinking block, so it need not be output or block 0). Built on each call: a live
    // view appends the deltas instead.
    QString answerText() const;
    // Well-formed events not understood: of another format than the one given or detected,
    // before the format is known, or of a kind the format has but the decoder does not read
    // (built-in tool events, tool result blocks). A named event no format in play has is
    // unknown whatever its data.
    int unknownEvents() const { return m_unknownEvents; }
    // Events with bad JSON or the wrong shape, or over a bound; each counted once.
    int malformedEvents() const { return m_malformedEvents; }
    QString model() const { return m_model; }
    QString responseId() const { return m_responseId; }

private:
    enum class Outcome {
        Understood,
        Unknown,
        Malformed,
    };
    struct BlockKey
    {
        TokenBlock::Kind kind;
        int index;
        int part;
        bool operator==(const BlockKey &other) const = default;
    };
    friend size_t qHash(const BlockKey &key, size_t seed)
    {
        return qHashMulti(seed, quint8(key.kind), key.index, key.part);
    }

    Outcome decodeEvent(QByteArrayView type, QByteArrayView data);
    Outcome decodeChat(const QJsonObject &chunk);
    Outcome decodeChatChoice(const QJsonObject &choice, int position);
    Outcome decodeResponses(QStringView type, const QJsonObject &event);
    Outcome decodeAnthropic(QStringView type, const QJsonObject &event);
    Outcome decodeError(const QJsonObject &event);
    void setIdentity(const QJsonObject &object);

    // The block for key, started (with choice, name and id) when new; -1 over MaxBlocks.
    int block(const BlockKey &key, int choice = 0);
    void append(int block, const QString &text);
    void setStopReason(const QString &reason, int choice = 0);

    TokenFormat m_format;
    QList<TokenBlock> m_blocks;
    QHash<BlockKey, int> m_blockByKey;
    QList<TokenDelta> m_deltas; // what the current decode() added
    TokenUsage m_usage;
    std::optional<TokenStreamError> m_error;
    QString m_stopReason;
    QString m_model;
    QString m_responseId;
    qsizetype m_totalChars = 0; // over all blocks' text
    int m_stopReasonChoice = -1; // the choice m_stopReason came from
    int m_unknownEvents = 0;
    int m_malformedEvents = 0;
    bool m_finished = false;
};

} // namespace streamscope
