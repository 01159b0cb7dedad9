// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mqttcodec.h" // mqtt::Version

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <optional>

namespace streamscope {

class AnswerRun;
class RecordWriter;
struct Diagnosis;
struct SseEvent;
struct TokenDelta;

// How streamscope-cli's output looks, chosen once from --json: the commands say what happened,
// a sink writes it: NDJSON records on stdout (JsonSink), or readable lines (ReadableSink: the
// data on stdout, the lifecycle on stderr).
class RecordSink
{
public:
    struct Output
    {
        RecordWriter *out = nullptr; // not owned
        RecordWriter *err = nullptr; // not owned
        QByteArray stream; // when set, each record names its stream, each lifecycle line too
        bool showRetry = true; // readable: a line for each retry the server applies
    };

    static std::unique_ptr<RecordSink> create(bool json, const Output &output);
    explicit RecordSink(const Output &output);
    virtual ~RecordSink();
    RecordSink(const RecordSink &) = delete;
    RecordSink &operator=(const RecordSink &) = delete;

    RecordWriter *out() const { return m_output.out; }
    RecordWriter *err() const { return m_output.err; }

    // Every stream.
    virtual void connecting(QByteArrayView url, int attempt) = 0;
    virtual void warning(const QString &message) = 0;
    // status 0: none.
    virtual void error(const QString &message, int status) = 0;
    virtual void reconnecting(int delayMs, int attempt) = 0;
    virtual void diagnosis(const Diagnosis &finding, bool cleared) = 0;
    // The end of the run, always the last thing written; flushes both writers. code -1: none.
    void closed(const QByteArray &reason, int code = -1);

    // SSE (sse, llm, demo).
    virtual void sseOpened(int status, QByteArrayView protocol) = 0;
    virtual void event(const SseEvent &event) = 0;
    virtual void retry(int ms) = 0;
    virtual void behind(const QString &message, int times) = 0;

    // WebSocket (ws, socketio, mqtt).
    virtual void webSocketOpened(QByteArrayView subprotocol, QByteArrayView extensions) = 0;
    virtual void roundTrip(int ms) = 0;
    virtual void disconnected(int code, const QString &reason) = 0;
    virtual void message(const QByteArray &data, bool binary) = 0;
    virtual void sent(const QByteArray &data, bool binary) = 0;

    // Socket.IO.
    virtual void joined(const QString &nameSpace) = 0;
    virtual void refused(const QString &nameSpace, const QString &message) = 0;
    virtual void left(const QString &nameSpace) = 0;
    virtual void socketIoMessage(
        const QString &nameSpace, const QByteArray &event, const QByteArray &args, bool binary)
        = 0;
    // ackId -1: no ack asked for.
    virtual void socketIoSent(
        const QString &nameSpace, const QByteArray &event, const QByteArray &args, int ackId)
        = 0;
    virtual void ack(int id, const QByteArray &args, int roundTripMs) = 0;

    // MQTT.
    virtual void mqttOpened(QByteArrayView subprotocol, QByteArrayView clientId,
        bool sessionPresent, mqtt::Version version)
        = 0;
    // binary: not UTF-8 text.
    virtual void mqttMessage(
        const QString &topic, const QByteArray &payload, bool binary, int qos, bool retained)
        = 0;
    virtual void mqttSent(
        const QString &topic, const QByteArray &payload, bool binary, int qos, bool retained)
        = 0;
    virtual void acknowledged(const QString &topic) = 0;
    virtual void subscribed(const QString &filter, int qos) = 0;

    // LLM answers.
    virtual void token(const TokenDelta &delta, bool severalBlocks) = 0;
    // The answer failed; type is the error event's, when one said so.
    virtual void answerError(const QString &message, const std::optional<QString> &type) = 0;
    // The answer as it ended, and its figures at nowMs.
    virtual void answer(const AnswerRun &run, qint64 nowMs) = 0;

protected:
    // A finding in a sentence, or that it cleared.
    static QString diagnosisMessage(const Diagnosis &finding, bool cleared);
    virtual void writeClosed(const QByteArray &reason, int code) = 0;

    Output m_output;
};

} // namespace streamscope
