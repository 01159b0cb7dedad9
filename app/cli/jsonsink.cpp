// SPDX-License-Identifier: GPL-3.0-or-later
#include "jsonsink.h"

#include "answerrun.h"
#include "diagnosis.h"
#include "recordwriter.h"
#include "sseevent.h"

namespace streamscope {

namespace {

QByteArray partName(TokenBlock::Kind kind)
{
    switch (kind) {
    case TokenBlock::Kind::Text:
        return QByteArray();
    case TokenBlock::Kind::Thinking:
        return QByteArrayLiteral("thinking");
    case TokenBlock::Kind::ToolCall:
        return QByteArrayLiteral("tool");
    }
    return QByteArray();
}

// streamscope-cli --json: every happening one NDJSON record on stdout, as each command's help
// lists them.
class JsonSink : public RecordSink
{
public:
    using RecordSink::RecordSink;

    void connecting(QByteArrayView url, int attempt) override
    {
        record("connecting").string("url", url).number("attempt", attempt);
    }

    void warning(const QString &message) override { record("warning").text("message", message); }

    void error(const QString &message, int status) override
    {
        Record error = record("error");
        error.text("message", message);
        if (status > 0) {
            error.number("status", status);
        }
    }

    void reconnecting(int delayMs, int attempt) override
    {
        record("reconnecting").number("delayMs", delayMs).number("attempt", attempt);
    }

    void diagnosis(const Diagnosis &finding, bool cleared) override
    {
        Record diagnosis = record("diagnosis");
        diagnosis.text("code", diagnosisKindName(finding.kind))
            .text("message", diagnosisMessage(finding, cleared));
        if (cleared) {
            diagnosis.boolean("cleared", true);
            return;
        }
        diagnosis.text("title", finding.title)
            .text("evidence", finding.evidence)
            .text("fix", finding.fix);
        diagnosis.number("firstSeen", finding.firstSeenMs);
        for (const auto &[name, value] : finding.figures) {
            diagnosis.number(name.constData(), value);
        }
    }

    void sseOpened(int status, QByteArrayView protocol) override
    {
        record("open").number("status", status).string("protocol", protocol);
    }

    void event(const SseEvent &event) override
    {
        record("event")
            .string("type", event.type)
            .string("data", event.data)
            .string("lastEventId", event.lastEventId);
    }

    void retry(int ms) override { record("retry").number("ms", ms); }

    void behind(const QString &message, int times) override
    {
        record("behind").text("message", message).number("times", times);
    }

    void webSocketOpened(QByteArrayView subprotocol, QByteArrayView extensions) override
    {
        Record open = record("open");
        if (!subprotocol.isEmpty()) {
            open.string("subprotocol", subprotocol);
        }
        if (!extensions.isEmpty()) {
            open.string("extensions", extensions);
        }
    }

    void roundTrip(int ms) override { record("rtt").number("ms", ms); }

    void message(const QByteArray &data, bool binary) override
    {
        record("message").string("data", binary ? data.toBase64() : data).boolean("binary", binary);
    }

    void sent(const QByteArray &data, bool binary) override
    {
        Record sent = record("sent");
        sent.string("data", binary ? data.toBase64() : data);
        if (binary) {
            sent.boolean("binary", true);
        }
    }

    void joined(const QString &nameSpace) override
    {
        record("joined").text("namespace", nameSpace);
    }

    void refused(const QString &nameSpace, const QString &message) override
    {
        record("refused").text("namespace", nameSpace).text("message", message);
    }

    void left(const QString &nameSpace) override { record("left").text("namespace", nameSpace); }

    void socketIoMessage(const QString &nameSpace, const QByteArray &event, const QByteArray &args,
        bool binary) override
    {
        record("message")
            .string("type", event)
            .string("data", args)
            .boolean("binary", binary)
            .text("namespace", nameSpace);
    }

    void socketIoSent(const QString &nameSpace, const QByteArray &event, const QByteArray &args,
        int ackId) override
    {
        Record sent = record("sent");
        sent.string("type", event).string("data", args).text("namespace", nameSpace);
        if (ackId >= 0) {
            sent.number("id", ackId);
        }
    }

    void ack(int id, const QByteArray &args, int roundTripMs) override
    {
        record("ack").number("id", id).string("data", args).number("roundTripMs", roundTripMs);
    }

    void mqttOpened(QByteArrayView subprotocol, QByteArrayView clientId, bool sessionPresent,
        mqtt::Version) override
    {
        Record open = record("open");
        if (!subprotocol.isEmpty()) {
            open.string("subprotocol", subprotocol);
        }
        open.string("clientId", clientId).boolean("sessionPresent", sessionPresent);
    }

    void mqttMessage(const QString &topic, const QByteArray &payload, bool binary, int qos,
        bool retained) override
    {
        record("message")
            .text("type", topic)
            .string("data", binary ? payload.toBase64() : payload)
            .boolean("binary", binary)
            .number("qos", qos)
            .boolean("retained", retained);
    }

    void mqttSent(const QString &topic, const QByteArray &payload, bool binary, int qos,
        bool retained) override
    {
        Record sent = record("sent");
        sent.text("type", topic).string("data", binary ? payload.toBase64() : payload);
        if (binary) {
            sent.boolean("binary", true);
        }
        sent.number("qos", qos).boolean("retained", retained);
    }

    void acknowledged(const QString &topic) override { record("acknowledged").text("type", topic); }

    void subscribed(const QString &filter, int qos) override
    {
        record("subscribed").text("filter", filter).number("qos", qos);
    }

    void token(const TokenDelta &delta, bool severalBlocks) override
    {
        Record token = record("token");
        token.text("text", delta.text);
        if (severalBlocks) {
            token.number("block", delta.block);
        }
        if (delta.kind != TokenBlock::Kind::Text) {
            token.string("part", partName(delta.kind));
        }
    }

    void answerError(const QString &message, const std::optional<QString> &type) override
    {
        Record error = record("error");
        error.text("message", message);
        if (type) {
            error.text("type", *type);
        }
    }

    void answer(const AnswerRun &run, qint64 nowMs) override
    {
        const TokenStreamDecoder &answer = run.answer();
        Record record = this->record("answer");
        record.text("format", tokenFormatName(answer.format()))
            .text("text", answer.answerText())
            .text("outcome", AnswerRun::outcomeName(run.outcome()));
        if (!run.interruption().isEmpty()) {
            record.text("interruption", run.interruption());
        }
        record.members(run.figuresJson(nowMs));
        record.text("stopReason", answer.stopReason());
        record.value(
            "usage", answer.usage().known() ? QJsonValue(answer.usage().raw) : QJsonValue());
        if (!answer.model().isEmpty()) {
            record.text("model", answer.model());
        }
        if (answer.unknownEvents() > 0) {
            record.number("unknownEvents", answer.unknownEvents());
        }
        if (answer.malformedEvents() > 0) {
            record.number("malformedEvents", answer.malformedEvents());
        }
    }

    // Not a record of the NDJSON contract: the reconnecting record follows.
    void disconnected(int, const QString &) override { }

protected:
    void writeClosed(const QByteArray &reason, int code) override
    {
        Record closed(*out(), "closed");
        closed.string("reason", reason);
        if (code >= 0) {
            closed.number("code", code);
        }
    }

private:
    // A record of this kind, naming the stream when there is one.
    Record record(const char *kind) { return Record(*out(), kind, m_output.stream); }
};

} // namespace

std::unique_ptr<RecordSink> makeJsonSink(const RecordSink::Output &output)
{
    return std::make_unique<JsonSink>(output);
}

} // namespace streamscope
