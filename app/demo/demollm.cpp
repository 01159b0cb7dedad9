// SPDX-License-Identifier: GPL-3.0-or-later
#include "demollm.h"

#include "demollmwire.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace streamscope {

namespace {

// Three answers of a few paragraphs, about the things Streamscope watches. The non-ASCII ones
// ("≈", "é", "—", "…", an emoji beyond the BMP) make a client that splits UTF-8 wrongly show it.
const char *const s_answers[] = {
    "Time to first token is the delay between sending the request and the first non-empty "
    "piece of the answer. Queueing and reading the prompt dominate it, so it grows with the "
    "length of the prompt.\n\n"
    "After that, tokens usually arrive at 30 to 80 per second. A short stall (≈ 0.5 s) now and "
    "then is normal; a long one often means that the server is busy or that a proxy buffers the "
    "stream.\n\n"
    "Measure both: a fast first token at a slow pace feels different from a slow start at full "
    "speed 📈",

    "Server-sent events keep one HTTP response open and send lines such as \"data: …\", each "
    "event ended by a blank line. A browser's EventSource reconnects by itself and sends "
    "Last-Event-ID, so a server that numbers its events can resume where the client left off.\n\n"
    "Token streams are different: the request is a POST with a body, and reconnecting would ask "
    "the question again, billed again. Treat them as one-shot: the answer is complete when the "
    "format says so, and interrupted otherwise.\n\n"
    "Voilà: a stream that ends cleanly is a résumé of the whole answer.",

    "A healthy stream has a steady heartbeat: events or comments every few seconds, so that "
    "proxies and idle timers keep the connection open. Watch three figures: the gap since the "
    "last event, the reconnect count, and the bytes per second.\n\n"
    "When a gap grows past its usual p99, warn before the connection drops. Naïve clients wait "
    "for the socket to fail, which can take minutes behind a load balancer.\n\n"
    "An error can also arrive after 200 OK — in the body, as an event. Count those apart from "
    "HTTP failures: users notice them first.",
};

constexpr int OverloadedAfterTokens = 5;

void appendTexts(QStringList &texts, const QJsonValue &content)
{
    if (content.isString()) {
        texts.append(content.toString());
        return;
    }
    const QJsonArray parts = content.toArray();
    for (const QJsonValue &part : parts) {
        if (part.isString()) {
            texts.append(part.toString());
        } else if (const QJsonValue text = part.toObject().value(QLatin1String("text"));
                   text.isString()) {
            texts.append(text.toString());
        }
    }
}

// The texts of the prompt, in the request's order: what answers and input tokens depend on.
QStringList promptTexts(DemoLlm::Format format, const QJsonObject &body)
{
    QStringList texts;
    const auto appendMessages = [&texts](const QJsonValue &messages) {
        const QJsonArray array = messages.toArray();
        for (const QJsonValue &message : array) {
            appendTexts(texts, message.toObject().value(QLatin1String("content")));
        }
    };
    switch (format) {
    case DemoLlm::Format::OpenAiChat:
        appendMessages(body.value(QLatin1String("messages")));
        break;
    case DemoLlm::Format::OpenAiResponses:
        appendTexts(texts, body.value(QLatin1String("instructions")));
        if (const QJsonValue input = body.value(QLatin1String("input")); input.isString()) {
            texts.append(input.toString());
        } else {
            appendMessages(input);
        }
        break;
    case DemoLlm::Format::Anthropic:
        appendTexts(texts, body.value(QLatin1String("system")));
        appendMessages(body.value(QLatin1String("messages")));
        break;
    }
    return texts;
}

int countWords(const QString &text)
{
    int words = 0;
    bool inWord = false;
    for (const QChar c : text) {
        if (c.isSpace()) {
            inWord = false;
        } else if (!inWord) {
            inWord = true;
            ++words;
        }
    }
    return words;
}

// FNV-1a: stable across runs, platforms and Qt versions, unlike qHash.
quint32 stableHash(const QByteArray &bytes)
{
    quint32 hash = 2166136261u;
    for (const char c : bytes) {
        hash = (hash ^ uchar(c)) * 16777619u;
    }
    return hash;
}

int tokenLimit(DemoLlm::Format format, const QJsonObject &body)
{
    const auto value
        = [&body](const char *name) { return body.value(QLatin1String(name)).toInteger(-1); };
    switch (format) {
    case DemoLlm::Format::OpenAiChat:
        return int(body.contains(QLatin1String("max_completion_tokens"))
                ? value("max_completion_tokens")
                : value("max_tokens"));
    case DemoLlm::Format::OpenAiResponses:
        return int(value("max_output_tokens"));
    case DemoLlm::Format::Anthropic:
        return int(value("max_tokens"));
    }
    return -1;
}

QByteArray chunked(const QByteArray &bytes)
{
    return QByteArray::number(bytes.size(), 16) + "\r\n" + bytes + "\r\n";
}

struct TimerDeleter
{
    // Deferred: the timer may be the one whose timeout is running.
    void operator()(QTimer *timer) const
    {
        timer->stop();
        timer->deleteLater();
    }
};

// One chunk per event, as the real APIs send them.
void sendEvents(QTcpSocket *socket, const QList<DemoLlmWire::Event> &events)
{
    for (const DemoLlmWire::Event &event : events) {
        const QByteArray name = event.name.isEmpty() ? QByteArray() : "event: " + event.name + '\n';
        socket->write(chunked(name + "data: " + event.data + "\n\n"));
    }
}

} // namespace

DemoLlmPacer::DemoLlmPacer(std::mt19937 &random, double factor)
    : m_random(&random)
    , m_factor(std::max(0.0, factor))
    , m_tokensPerSecond(
          std::uniform_real_distribution<double>(MinTokensPerSecond, MaxTokensPerSecond)(random))
{
}

int DemoLlmPacer::scaled(double milliseconds) const
{
    return int(std::lround(milliseconds * m_factor));
}

int DemoLlmPacer::firstTokenDelayMs()
{
    return scaled(
        std::uniform_real_distribution<double>(MinFirstTokenMs, MaxFirstTokenMs)(*m_random));
}

int DemoLlmPacer::nextGapMs()
{
    if (std::uniform_int_distribution<int>(1, StallOneIn)(*m_random) == 1) {
        return scaled(std::uniform_real_distribution<double>(MinStallMs, MaxStallMs)(*m_random));
    }
    const double jitter = std::uniform_real_distribution<double>(0.5, 1.5)(*m_random);
    return scaled(1000.0 / m_tokensPerSecond * jitter);
}

struct DemoLlm::Connection
{
    QTcpSocket *socket = nullptr;
    Format format = Format::OpenAiChat;
    qint64 contentLength = 0;
    QByteArray body;
    // While the body is read: the request timeout; then the pace of the answer.
    std::unique_ptr<QTimer, TimerDeleter> timer;
    bool answering = false;
    Answer answer;
    std::optional<DemoLlmPacer> pacer;
    std::optional<DemoLlmWire> wire;
    qsizetype nextToken = 0;
    bool keepAlive = true; // HTTP/1.1: unless the client said Connection: close
};

DemoLlm::DemoLlm(const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_random(settings.seed != 0 ? settings.seed : std::random_device()())
{
}

DemoLlm::~DemoLlm()
{
    // The sockets belong to DemoFeed's server; stop hearing from them before they go.
    for (const auto &[socket, connection] : m_connections) {
        disconnect(socket, nullptr, this, nullptr);
    }
}

std::optional<DemoLlm::Format> DemoLlm::formatAt(QByteArrayView path)
{
    if (path == "/v1/chat/completions") {
        return Format::OpenAiChat;
    }
    if (path == "/v1/responses") {
        return Format::OpenAiResponses;
    }
    if (path == "/v1/messages") {
        return Format::Anthropic;
    }
    return std::nullopt;
}

QStringList DemoLlm::cannedAnswers()
{
    QStringList answers;
    for (const char *answer : s_answers) {
        answers.append(QString::fromUtf8(answer));
    }
    return answers;
}

QStringList DemoLlm::tokenize(const QString &text)
{
    QStringList tokens;
    QString spaces;
    const qsizetype size = text.size();
    qsizetype i = 0;
    while (i < size) {
        const QChar c = text.at(i);
        if (c == u' ') {
            spaces += c;
            ++i;
        } else if (c == u'\n') {
            qsizetype end = i;
            while (end < size && text.at(end) == u'\n') {
                ++end;
            }
            if (!spaces.isEmpty()) {
                tokens.append(spaces);
                spaces.clear();
            }
            tokens.append(text.mid(i, end - i));
            i = end;
        } else if (c.isLetterOrNumber()) {
            qsizetype end = i;
            while (end < size && text.at(end).isLetterOrNumber()) {
                ++end;
            }
            const QString word = text.mid(i, end - i);
            if (word.size() <= 7) {
                tokens.append(spaces + word);
            } else {
                tokens.append(spaces + word.left(5));
                for (qsizetype at = 5; at < word.size(); at += 5) {
                    tokens.append(word.mid(at, 5));
                }
            }
            spaces.clear();
            i = end;
        } else {
            const qsizetype length
                = c.isHighSurrogate() && i + 1 < size && text.at(i + 1).isLowSurrogate() ? 2 : 1;
            tokens.append(spaces + text.mid(i, length));
            spaces.clear();
            i += length;
        }
    }
    if (!spaces.isEmpty()) {
        tokens.append(spaces);
    }
    return tokens;
}

DemoLlm::Answer DemoLlm::answerFor(Format format, const QJsonObject &body)
{
    const QStringList texts = promptTexts(format, body);
    const QStringList answers = cannedAnswers();
    Answer answer;
    answer.model = body.value(QLatin1String("model")).toString();
    if (answer.model.isEmpty()) {
        answer.model = QStringLiteral("demo");
    }
    answer.tokens
        = tokenize(answers.at(stableHash(texts.join(u'\n').toUtf8()) % quint32(answers.size())));
    for (const QString &text : texts) {
        answer.inputTokens += countWords(text);
    }
    if (const int limit = tokenLimit(format, body); limit > 0 && limit < answer.tokens.size()) {
        answer.tokens = answer.tokens.mid(0, limit);
        answer.ending = Answer::Ending::MaxTokens;
    }
    if (answer.model == QLatin1String("overloaded")) {
        answer.tokens = answer.tokens.mid(0, OverloadedAfterTokens);
        answer.ending = Answer::Ending::Overloaded;
    } else if (answer.model == QLatin1String("drop")) {
        answer.tokens = answer.tokens.mid(0, answer.tokens.size() / 2);
        answer.ending = Answer::Ending::Dropped;
    }
    return answer;
}

QString DemoLlm::stopReason(Format format, Answer::Ending ending)
{
    const bool cut = ending == Answer::Ending::MaxTokens;
    if (ending != Answer::Ending::Complete && !cut) {
        return {};
    }
    switch (format) {
    case Format::OpenAiChat:
        return cut ? QStringLiteral("length") : QStringLiteral("stop");
    case Format::OpenAiResponses:
        // No stop reason here: the status, and for an incomplete one incomplete_details.reason.
        return cut ? QStringLiteral("max_output_tokens") : QStringLiteral("completed");
    case Format::Anthropic:
        return cut ? QStringLiteral("max_tokens") : QStringLiteral("end_turn");
    }
    return {};
}

int DemoLlm::answerCount() const
{
    return int(std::count_if(m_connections.cbegin(), m_connections.cend(),
        [](const auto &entry) { return entry.second->answering; }));
}

void DemoLlm::handleRequest(QTcpSocket *socket, const Request &request)
{
    const std::optional<Format> format = formatAt(request.path);
    if (!format) {
        sendError(socket, Format::OpenAiChat, "404 Not Found",
            QStringLiteral("not an LLM endpoint: %1").arg(QString::fromUtf8(request.path)));
        return;
    }
    const QString path = QString::fromUtf8(request.path);
    if (int(m_connections.size()) >= m_settings.maxConnections) {
        sendError(socket, *format, "503 Service Unavailable",
            QStringLiteral("too many connections; try again later"));
        return;
    }
    if (request.method != "POST") {
        sendError(socket, *format, "405 Method Not Allowed",
            QStringLiteral("%1 is served for POST only, with a JSON body; not for %2")
                .arg(path, QString::fromUtf8(request.method)),
            "Allow: POST\r\n");
        return;
    }
    if (!request.transferEncoding.isEmpty()) {
        sendError(socket, *format, "411 Length Required",
            QStringLiteral("send the body with a Content-Length, not Transfer-Encoding: %1")
                .arg(QString::fromUtf8(request.transferEncoding)));
        return;
    }
    bool ok = false;
    const qint64 contentLength = request.contentLength.toLongLong(&ok);
    if (request.contentLength.isEmpty()) {
        sendError(socket, *format, "411 Length Required",
            QStringLiteral("a JSON body with a Content-Length is required"));
        return;
    }
    if (!ok || contentLength < 0) {
        sendError(socket, *format, "400 Bad Request",
            QStringLiteral("bad Content-Length: %1").arg(QString::fromUtf8(request.contentLength)));
        return;
    }
    if (contentLength > m_settings.maxBodyBytes) {
        sendError(socket, *format, "413 Payload Too Large",
            QStringLiteral("the body of %1 bytes is over the limit of %2 bytes")
                .arg(contentLength)
                .arg(m_settings.maxBodyBytes));
        return;
    }

    auto connection = std::make_unique<Connection>();
    connection->socket = socket;
    connection->format = *format;
    connection->contentLength = contentLength;
    connection->keepAlive = !request.connection.toLower().contains("close");
    connection->timer.reset(new QTimer(this));
    connection->timer->setSingleShot(true);
    // Precise: a coarse timer may fire 5 % early, and the first token must not come before 300 ms.
    connection->timer->setTimerType(Qt::PreciseTimer);
    connect(connection->timer.get(), &QTimer::timeout, this, [this, socket] { sendNext(socket); });
    // A client that never sends its whole body does not hold a connection for ever.
    connection->timer->start(std::max(1, m_settings.requestTimeoutMs));
    m_connections.emplace(socket, std::move(connection));
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readBody(socket); });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] { removeConnection(socket); });
    if (request.expect.compare("100-continue", Qt::CaseInsensitive) == 0) {
        // curl waits a second for this before it sends a larger body.
        socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    readBody(socket);
}

void DemoLlm::readBody(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end()) {
        return;
    }
    Connection &connection = *it->second;
    if (connection.answering) {
        // Nothing more is expected; what the client sends is read and ignored.
        socket->skip(socket->bytesAvailable());
        return;
    }
    if (const qint64 missing = connection.contentLength - connection.body.size(); missing > 0) {
        connection.body += socket->read(missing);
    }
    if (connection.body.size() < connection.contentLength) {
        return;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(connection.body, &error);
    if (error.error != QJsonParseError::NoError) {
        sendError(socket, connection.format, "400 Bad Request",
            QStringLiteral("could not parse the JSON body of the request: %1 at offset %2")
                .arg(error.errorString())
                .arg(error.offset));
        return;
    }
    if (!document.isObject()) {
        sendError(socket, connection.format, "400 Bad Request",
            QStringLiteral("the body must be a JSON object"));
        return;
    }
    const QJsonObject body = document.object();
    if (body.value(QLatin1String("stream")) != QJsonValue(true)) {
        sendError(socket, connection.format, "400 Bad Request",
            QStringLiteral("the demo feed only streams: set \"stream\": true in the body"));
        return;
    }
    startAnswer(connection, body);
}

void DemoLlm::startAnswer(Connection &connection, const QJsonObject &body)
{
    connection.answering = true;
    connection.answer = answerFor(connection.format, body);
    connection.pacer.emplace(m_random, m_settings.paceFactor);
    connection.wire.emplace(connection.format, connection.answer, body, m_random);
    // Chunked and kept alive, as the real APIs send it: a body that breaks off is then an error
    // to every client, not a short answer (node's fetch takes a close after Connection: close as
    // the end of even a chunked body).
    connection.socket->write("HTTP/1.1 200 OK\r\n"
                             "Content-Type: text/event-stream; charset=utf-8\r\n"
                             "Cache-Control: no-cache\r\n"
                             "Transfer-Encoding: chunked\r\n"
                             "Access-Control-Allow-Origin: *\r\n"
        + connection.wire->requestIdHeader() + "\r\n"
        + (connection.keepAlive ? "" : "Connection: close\r\n") + "\r\n");
    sendEvents(connection.socket, connection.wire->start());
    connection.timer->start(connection.pacer->firstTokenDelayMs());
    const Format format = connection.format;
    const Answer answer = connection.answer;
    emit answerStarted(format, answer);
}

void DemoLlm::sendNext(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end()) {
        return;
    }
    Connection &connection = *it->second;
    if (!connection.answering) {
        sendError(socket, connection.format, "408 Request Timeout",
            QStringLiteral("the body did not arrive within %1 ms")
                .arg(m_settings.requestTimeoutMs));
        return;
    }
    if (connection.nextToken < connection.answer.tokens.size()) {
        sendEvents(
            socket, connection.wire->token(connection.answer.tokens.at(connection.nextToken++)));
        connection.timer->start(connection.pacer->nextGapMs());
        return;
    }
    sendEnd(connection);
}

void DemoLlm::sendEnd(Connection &connection)
{
    QTcpSocket *socket = connection.socket;
    if (connection.answer.ending == Answer::Ending::Dropped) {
        // No terminating chunk: to the client the body breaks off.
        finish(socket);
        return;
    }
    sendEvents(socket, connection.wire->end());
    socket->write(chunked({}));
    if (!connection.keepAlive) {
        finish(socket);
        return;
    }
    m_connections.erase(socket);
    disconnect(socket, nullptr, this, nullptr);
    emit connectionReleased(socket);
}

void DemoLlm::sendError(QTcpSocket *socket, Format format, const QByteArray &status,
    const QString &message, const QByteArray &extraHeaders)
{
    const QByteArray body = DemoLlmWire::errorBody(format, status, message);
    // What the client sent and we did not read is dropped, so that closing does not reset the
    // connection before it reads the answer.
    socket->skip(socket->bytesAvailable());
    socket->write("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size() + 1) + "\r\n" + extraHeaders + "Connection: close\r\n\r\n"
        + body + "\n");
    finish(socket);
}

void DemoLlm::finish(QTcpSocket *socket)
{
    m_connections.erase(socket);
    disconnect(socket, nullptr, this, nullptr);
    // Closes once the response is written; the socket then deletes itself.
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->disconnectFromHost();
    if (socket->state() == QAbstractSocket::UnconnectedState) {
        socket->deleteLater(); // already closed: no disconnected() to come
    }
}

void DemoLlm::removeConnection(QTcpSocket *socket)
{
    if (m_connections.erase(socket) == 0) {
        return;
    }
    disconnect(socket, nullptr, this, nullptr);
    socket->abort();
    socket->deleteLater();
}

} // namespace streamscope
