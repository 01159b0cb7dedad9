// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>
#include <optional>
#include <random>

class QTcpSocket;
class QTimer;

namespace streamscope {

// The pace of a model streaming an answer: the first token after 300-800 ms, then one rate per
// answer between 30 and 80 tokens/s, each gap jittered by ±50 %, and about one gap in 40 a stall
// of 400-900 ms. A plain class, so the bounds are tested without an event loop.
class DemoLlmPacer
{
public:
    static constexpr int MinFirstTokenMs = 300;
    static constexpr int MaxFirstTokenMs = 800;
    static constexpr int MinTokensPerSecond = 30;
    static constexpr int MaxTokensPerSecond = 80;
    static constexpr int StallOneIn = 40;
    static constexpr int MinStallMs = 400;
    static constexpr int MaxStallMs = 900;

    // factor scales every delay: 1 is a model's pace, 0.01 a test's. random is not owned; it picks
    // the answer's rate here.
    explicit DemoLlmPacer(std::mt19937 &random, double factor = 1.0);

    // The answer's rate before jitter and stalls.
    double tokensPerSecond() const { return m_tokensPerSecond; }
    // From the request to the first token, scaled; rounded to whole milliseconds.
    int firstTokenDelayMs();
    // Before each later token (and before the clean end), scaled; rounded to whole milliseconds.
    int nextGapMs();

private:
    int scaled(double milliseconds) const;

    std::mt19937 *m_random; // not owned
    double m_factor;
    double m_tokensPerSecond;
};

// One canned answer as the demo streams it for one request.
struct DemoLlmAnswer
{
    enum class Ending {
        Complete, // every token, then the format's clean end
        MaxTokens, // cut at the request's token limit: "length", "max_tokens", response.incomplete
        Overloaded, // a few tokens after 200 OK, then the format's overload error
        Dropped, // about half the tokens, then the connection closes without a clean end
    };

    QString model; // as the request named it ("demo" when it named none)
    QStringList
        tokens; // the deltas sent, in order: for Overloaded and Dropped, those before the end
    int inputTokens = 0;
    Ending ending = Ending::Complete;

    QString text() const { return tokens.join(QString()); }
    int outputTokens() const { return int(tokens.size()); }
};

// How the LLM endpoints pace and bound themselves.
struct DemoLlmSettings
{
    double paceFactor = 1.0; // scales every delay of DemoLlmPacer; 0 streams at once
    qint64 maxBodyBytes = 1024 * 1024; // a larger Content-Length is refused with 413
    int maxConnections = 1000;
    int requestTimeoutMs = 10000; // to send the whole body
    quint32 seed = 0; // 0: a random seed
};

// The demo feed's LLM endpoints: POST /v1/chat/completions (OpenAI Chat Completions),
// POST /v1/responses (OpenAI Responses) and POST /v1/messages (Anthropic Messages) stream a canned
// answer in each API's own SSE events, with usage, at a model's pace, so that the official SDKs
// parse them. The request body (JSON, Content-Length, at most maxBodyBytes) must ask for
// "stream": true. The model named in it picks a variant: "overloaded" sends the format's overload
// error after a few tokens and 200 OK; "drop" closes the connection mid-answer. Errors before the
// stream (405, 400, 411, 413, 503) are JSON in the format's own error shape. It does not listen:
// DemoFeed reads the request head and hands the socket over with the body unread, and takes it
// back after an answer (connectionReleased).
class DemoLlm : public QObject
{
    Q_OBJECT
public:
    using Settings = DemoLlmSettings;
    using Answer = DemoLlmAnswer;

    enum class Format {
        OpenAiChat, // POST /v1/chat/completions
        OpenAiResponses, // POST /v1/responses
        Anthropic, // POST /v1/messages
    };
    Q_ENUM(Format)

    // What DemoFeed read of the request head; header values are empty when absent.
    struct Request
    {
        QByteArray method;
        QByteArray path; // without the query
        QByteArray contentLength;
        QByteArray transferEncoding;
        QByteArray expect;
        QByteArray connection;
    };

    explicit DemoLlm(const Settings &settings = Settings(), QObject *parent = nullptr);
    ~DemoLlm() override;

    // The format served at path, or nothing: not one of ours.
    static std::optional<Format> formatAt(QByteArrayView path);
    // What a request body gets, without randomness: the answer is picked by the text of the
    // prompt (the same question gets the same answer), input tokens are the words of the prompt
    // (messages, system, instructions), and the model picks the variant.
    static Answer answerFor(Format format, const QJsonObject &body);
    // The canned answers, whole.
    static QStringList cannedAnswers();
    // text cut into word pieces, one per delta: a word of up to 7 characters is one piece, a
    // longer one pieces of 5; spaces go with the piece after them; each other character and each
    // run of line breaks is a piece of its own. Never splits a surrogate pair.
    static QStringList tokenize(const QString &text);
    // The format's word for how an answer ended ("stop", "end_turn", "completed", ...); empty
    // where the stream carries none (an overload error, a dropped connection).
    static QString stopReason(Format format, Answer::Ending ending);

    // Takes over a connected socket whose request head was read and skipped, its body unread:
    // reads the body and answers. Disconnect your own slots from it first.
    void handleRequest(QTcpSocket *socket, const Request &request);

    const Settings &settings() const { return m_settings; }
    // Connections whose body is being read or whose answer is being streamed.
    int connectionCount() const { return int(m_connections.size()); }
    // Answers being streamed; each holds one timer until its end or its client's disconnect.
    int answerCount() const;

signals:
    // Emitted once 200 OK and the opening events are written, before the first token.
    void answerStarted(DemoLlm::Format format, const DemoLlm::Answer &answer);
    // An answer ended cleanly on a connection that stays open (HTTP/1.1 keep-alive, as the SDKs
    // expect): the next request on it is the receiver's to read. Our slots are gone from it.
    void connectionReleased(QTcpSocket *socket);

private:
    struct Connection;

    void readBody(QTcpSocket *socket);
    void startAnswer(Connection &connection, const QJsonObject &body);
    void sendNext(QTcpSocket *socket);
    void sendEnd(Connection &connection);
    void sendError(QTcpSocket *socket, Format format, const QByteArray &status,
        const QString &message, const QByteArray &extraHeaders = {});
    void finish(QTcpSocket *socket);
    void removeConnection(QTcpSocket *socket);

    Settings m_settings;
    std::mt19937 m_random;
    std::map<QTcpSocket *, std::unique_ptr<Connection>> m_connections;
};

} // namespace streamscope
