// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "demollm.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <random>

namespace streamscope {

// The SSE events of one answer in its API's own wire format: OpenAI Chat Completions chunks,
// OpenAI Responses events, Anthropic Messages events, with the ids, usage and echoes of the
// request that the official SDKs parse; and the format's JSON error body. A plain class: DemoLlm
// sends what it writes, at the pacer's pace.
class DemoLlmWire
{
public:
    // One SSE event; an empty name sends none (Chat Completions chunks are data only).
    struct Event
    {
        QByteArray name;
        QByteArray data;
    };

    // Picks the ids with random (not owned) and keeps what the request asks to be echoed.
    DemoLlmWire(DemoLlm::Format format, const DemoLlmAnswer &answer, const QJsonObject &body,
        std::mt19937 &random);

    // The response header that names the request ("x-request-id: req_..."), without CRLF.
    const QByteArray &requestIdHeader() const { return m_requestIdHeader; }
    // What comes before the first token.
    QList<Event> start();
    QList<Event> token(const QString &token);
    // After the last token: the format's clean end, or its overload error. A dropped answer has
    // no end to write.
    QList<Event> end();
    // The JSON body of an error status before any stream, in the format's own error shape.
    static QByteArray errorBody(
        DemoLlm::Format format, const QByteArray &status, const QString &message);

private:
    // Responses: every event names its type and carries the next sequence number.
    Event sequenced(QByteArrayView type, const QByteArray &fields);
    // Responses: the response object that response.created and the last event carry.
    QByteArray responseObject(QByteArrayView status, QByteArrayView error,
        QByteArrayView incompleteDetails, const QByteArray &output, const QByteArray &usage) const;
    // Chat Completions: one chat.completion.chunk.
    QByteArray chatChunk(const QByteArray &choices, const QByteArray &usage) const;

    DemoLlm::Format m_format;
    DemoLlmAnswer m_answer;
    qint64 m_created; // seconds since the epoch
    QByteArray m_id; // chatcmpl-..., resp_... or msg_...
    QByteArray m_itemId; // Responses: the message item
    QByteArray m_instructions; // Responses: echoed as JSON ("null" when none)
    QByteArray m_maxOutputTokens; // Responses: echoed as JSON ("null" when none)
    QByteArray m_requestIdHeader;
    bool m_includeUsage = false; // Chat Completions: stream_options.include_usage
    int m_sequenceNumber = 0; // Responses: from 0
};

} // namespace streamscope
