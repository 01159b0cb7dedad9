// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "console.h"
#include "recordsink.h"

namespace streamscope {

// streamscope-cli without --json: the data on stdout, one stamped line (or block) each; the
// lifecycle on stderr, coloured on a terminal. A command with its own view of events (demo)
// overrides event().
class ReadableSink : public RecordSink
{
public:
    explicit ReadableSink(const Output &output);

    void connecting(QByteArrayView url, int attempt) override;
    void warning(const QString &message) override;
    void error(const QString &message, int status) override;
    void reconnecting(int delayMs, int attempt) override;
    void diagnosis(const Diagnosis &finding, bool cleared) override;

    void sseOpened(int status, QByteArrayView protocol) override;
    void event(const SseEvent &event) override;
    void retry(int ms) override;
    void behind(const QString &message, int times) override;

    void webSocketOpened(QByteArrayView subprotocol, QByteArrayView extensions) override;
    void roundTrip(int ms) override;
    void disconnected(int code, const QString &reason) override;
    void message(const QByteArray &data, bool binary) override;
    void sent(const QByteArray &data, bool binary) override;

    void joined(const QString &nameSpace) override;
    void refused(const QString &nameSpace, const QString &message) override;
    void left(const QString &nameSpace) override;
    void socketIoMessage(const QString &nameSpace, const QByteArray &event, const QByteArray &args,
        bool binary) override;
    void socketIoSent(const QString &nameSpace, const QByteArray &event, const QByteArray &args,
        int ackId) override;
    void ack(int id, const QByteArray &args, int roundTripMs) override;

    void mqttOpened(QByteArrayView subprotocol, QByteArrayView clientId, bool sessionPresent,
        mqtt::Version version) override;
    void mqttMessage(const QString &topic, const QByteArray &payload, bool binary, int qos,
        bool retained) override;
    void mqttSent(const QString &topic, const QByteArray &payload, bool binary, int qos,
        bool retained) override;
    void acknowledged(const QString &topic) override;
    void subscribed(const QString &filter, int qos) override;

    // The answer's text on stdout as it comes; thinking and tool calls dimmed on stderr.
    void token(const TokenDelta &delta, bool severalBlocks) override;
    void answerError(const QString &message, const std::optional<QString> &type) override;
    // The figures in one line on stderr.
    void answer(const AnswerRun &run, qint64 nowMs) override;

protected:
    void writeClosed(const QByteArray &reason, int code) override;
    const console::Palette &outPalette() const { return m_outPalette; }

private:
    // One stamped line on stderr, in colour (a Palette code, "" for none).
    void lifecycle(const QByteArray &line, const char *colour);

    console::Palette m_outPalette;
    console::Palette m_errPalette;
    bool m_textEndsLine = true; // whether stdout's last answer text ended a line
};

} // namespace streamscope
