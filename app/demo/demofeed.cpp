// SPDX-License-Identifier: GPL-3.0-or-later
#include "demofeed.h"

#include "demollm.h"
#include "demowebsocketfeed.h"

#include <QDateTime>
#include <QTcpSocket>

#include <algorithm>
#include <cmath>

namespace streamscope {

namespace {

constexpr qsizetype MaxRequestHeadBytes = 16 * 1024;

QByteArray streamName(DemoFeed::Stream stream)
{
    return stream == DemoFeed::Stream::Metrics ? "metrics" : "logs";
}

// A line of the demo's log: its service, its host (none: one of the web hosts) and its message,
// where each {LOW-HIGH} stands for a random whole number in that range.
struct LogLine
{
    const char *service;
    const char *host;
    const char *message;
};

// Most lines come from the web tier; db and cache lines from their own hosts.
constexpr LogLine s_infoLines[] = {
    {"api", nullptr, "GET /api/orders/{1000-99999} 200 in {3-80} ms"},
    {"api", nullptr, "POST /api/checkout 201 in {40-300} ms"},
    {"auth", nullptr, "user {100-9999} signed in from 10.0.{0-255}.{1-254}"},
    {"cache", "cache-1", "hit ratio {88-99}% over the last minute"},
    {"worker", nullptr, "job sync-inventory finished: {50-4000} items in {200-9000} ms"},
    {"api", nullptr, "GET /api/products?page={1-40} 200 in {5-120} ms"},
};
constexpr LogLine s_warnLines[] = {
    {"db", "db-1", "slow query on orders: {600-4000} ms"},
    {"api", nullptr, "GET /api/search 200 in {500-2500} ms (budget 500 ms)"},
    {"db", "db-1", "connection pool at {80-98}% of capacity"},
    {"worker", nullptr, "retrying payment webhook (attempt {2-5} of 5)"},
    {"api", nullptr, "rate limit near for client {1-60}: {85-99}% of quota"},
};
constexpr LogLine s_errorLines[] = {
    {"api", nullptr, "upstream db-1 timed out after 5000 ms"},
    {"api", nullptr, "POST /api/checkout 502 in {30-900} ms: bad gateway"},
    {"worker", nullptr, "failed to publish to queue orders: connection reset by peer"},
    {"worker", nullptr, "worker {1-16} exited with status 137 (out of memory)"},
};

QByteArray number(double value, int decimals)
{
    return QByteArray::number(value, 'f', decimals);
}

// The value of one header in a request head, or a null array; names match case-insensitively.
QByteArray headerValue(const QList<QByteArray> &lines, QByteArrayView name)
{
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0) {
            return line.mid(colon + 1).trimmed();
        }
    }
    return {};
}

const QByteArray s_index = "Streamscope demo feed\n"
                           "\n"
                           "GET /metrics  text/event-stream: host metrics (event: metrics), JSON\n"
                           "              {host, ts, cpu %, mem %, rxBps, txBps}\n"
                           "GET /logs     text/event-stream: log lines (event: info|warn|error), "
                           "JSON\n"
                           "              {ts, host, service, level, msg}\n"
                           "GET /ws       WebSocket: host metrics as JSON text messages;\n"
                           "              send {\"subscribe\":\"web-1\"} to pick hosts\n"
                           "\n"
                           "Both streams carry ids and resume after Last-Event-ID.\n"
                           "\n"
                           "POST /v1/chat/completions  OpenAI Chat Completions, streamed\n"
                           "POST /v1/responses         OpenAI Responses, streamed\n"
                           "POST /v1/messages          Anthropic Messages, streamed\n"
                           "              a JSON body with \"stream\": true gets a canned answer "
                           "at a model's pace,\n"
                           "              with usage; \"model\": \"overloaded\" ends it with an "
                           "error event,\n"
                           "              \"model\": \"drop\" closes the connection mid-answer\n";

} // namespace

DemoFeed::DemoFeed(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &DemoFeed::acceptConnections);
    connect(&m_metricsTimer, &QTimer::timeout, this, &DemoFeed::tickMetrics);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &DemoFeed::sendHeartbeat);
    m_logTimer.setSingleShot(true);
    connect(&m_logTimer, &QTimer::timeout, this, &DemoFeed::emitLogLine);
}

DemoFeed::~DemoFeed()
{
    // The sockets are the server's children; stop hearing from them before they go.
    for (auto it = m_clients.cbegin(); it != m_clients.cend(); ++it) {
        disconnect(it.key(), nullptr, this, nullptr);
    }
}

bool DemoFeed::listen(quint16 port, const Settings &settings)
{
    m_settings = settings;
    m_random.seed(settings.seed != 0 ? settings.seed : std::random_device()());
    if (!m_server.listen(QHostAddress::LocalHost, port)) {
        return false;
    }
    m_hosts = {
        {"web-1", 22, 48, 2.4e6, 6.1e6},
        {"web-2", 35, 52, 2.1e6, 5.4e6},
        {"db-1", 41, 71, 8.5e6, 3.2e6},
        {"cache-1", 12, 83, 1.2e7, 1.1e7},
    };
    m_hosts.resize(size_t(std::clamp(settings.hostCount, 1, 4)));
    for (int i = int(m_hosts.size()); i < std::min(settings.hostCount, 10000); ++i) {
        m_hosts.push_back({"node-" + QByteArray::number(i + 1), 30, 60, 1e6, 1e6});
    }
    DemoWebSocketFeed::Settings webSocketSettings;
    webSocketSettings.intervalMs = std::max(1, settings.metricsIntervalMs);
    webSocketSettings.maxClients = settings.maxConnections;
    webSocketSettings.maxBacklogBytes = settings.maxBacklogBytes;
    webSocketSettings.seed = settings.seed;
    m_webSocketFeed = std::make_unique<DemoWebSocketFeed>(webSocketSettings);
    DemoLlm::Settings llmSettings;
    llmSettings.paceFactor = settings.llmPaceFactor;
    llmSettings.maxConnections = settings.maxConnections;
    llmSettings.requestTimeoutMs = settings.requestTimeoutMs;
    llmSettings.seed = settings.seed;
    m_llm = std::make_unique<DemoLlm>(llmSettings);
    // After an answer the connection stays open for the next request, as HTTP/1.1 has it.
    connect(m_llm.get(), &DemoLlm::connectionReleased, this, &DemoFeed::adoptConnection);
    m_metricsTimer.start(std::max(1, settings.metricsIntervalMs));
    m_heartbeatTimer.start(std::max(1, settings.heartbeatIntervalMs));
    scheduleLogLine();
    return true;
}

QUrl DemoFeed::url(const QString &path, const QString &scheme) const
{
    QUrl url;
    url.setScheme(scheme);
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(port());
    url.setPath(path.isEmpty() ? QStringLiteral("/") : path);
    return url;
}

int DemoFeed::streamClientCount() const
{
    return int(std::count_if(m_clients.cbegin(), m_clients.cend(),
        [](const Client &client) { return client.streaming; }));
}

quint64 DemoFeed::lastEventId(Stream stream) const
{
    return m_streams[int(stream)].nextId - 1;
}

void DemoFeed::acceptConnections()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        if (m_clients.size() >= m_settings.maxConnections) {
            respond(socket, "503 Service Unavailable", "too many connections\n");
            continue;
        }
        adoptConnection(socket);
    }
}

void DemoFeed::adoptConnection(QTcpSocket *socket)
{
    const quint64 adoption = ++m_adoptions;
    m_clients.insert(socket, Client{socket}).value().adoption = adoption;
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readRequest(socket); });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] { removeClient(socket); });
    // A client that never finishes its request (or keeps an idle connection) does not hold a slot
    // for ever.
    QTimer::singleShot(m_settings.requestTimeoutMs, socket, [this, socket, adoption] {
        const auto it = m_clients.constFind(socket);
        if (it != m_clients.cend() && !it->streaming && it->adoption == adoption) {
            removeClient(socket);
        }
    });
    readRequest(socket);
}

void DemoFeed::removeClient(QTcpSocket *socket)
{
    if (m_clients.remove(socket) == 0) {
        return;
    }
    disconnect(socket, nullptr, this, nullptr);
    socket->abort();
    socket->deleteLater();
}

void DemoFeed::respond(QTcpSocket *socket, const QByteArray &status, const QByteArray &body,
    const QByteArray &extraHeaders)
{
    m_clients.remove(socket);
    disconnect(socket, nullptr, this, nullptr);
    socket->write("HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + "Content-Length: " + QByteArray::number(body.size()) + "\r\n" + extraHeaders
        + "Connection: close\r\n\r\n" + body);
    // Closes once the response is written; the socket then deletes itself.
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->disconnectFromHost();
}

void DemoFeed::readRequest(QTcpSocket *socket)
{
    const auto it = m_clients.find(socket);
    if (it == m_clients.end() || it->streaming) {
        // A streaming client has nothing more to say; what it sends is read and ignored.
        socket->skip(socket->bytesAvailable());
        return;
    }
    // Peek rather than read: a WebSocket upgrade is handed on with the handshake unread.
    const QByteArray head = socket->peek(MaxRequestHeadBytes);
    qsizetype end = head.indexOf("\r\n\r\n");
    qsizetype terminator = 4;
    if (end < 0) {
        end = head.indexOf("\n\n");
        terminator = 2;
    }
    if (end < 0) {
        if (head.size() >= MaxRequestHeadBytes) {
            respond(socket, "431 Request Header Fields Too Large", "request head too large\n");
        }
        return;
    }
    QList<QByteArray> lines = head.left(end).split('\n');
    for (QByteArray &line : lines) {
        if (line.endsWith('\r')) {
            line.chop(1);
        }
    }
    const QList<QByteArray> requestLine = lines.first().split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")) {
        respond(socket, "400 Bad Request", "bad request line\n");
        return;
    }
    const QByteArray &method = requestLine.at(0);
    QByteArray path = requestLine.at(1);
    if (const qsizetype query = path.indexOf('?'); query >= 0) {
        path.truncate(query);
    }
    if (path == "/ws") {
        if (!headerValue(lines, "upgrade").toLower().contains("websocket") || !m_webSocketFeed) {
            respond(socket, "426 Upgrade Required", "/ws speaks WebSocket only\n",
                "Upgrade: websocket\r\n");
            return;
        }
        // The handshake bytes stay unread: the WebSocket feed answers them itself.
        m_clients.remove(socket);
        disconnect(socket, nullptr, this, nullptr);
        m_webSocketFeed->handleConnection(socket);
        return;
    }
    socket->skip(end + terminator);
    if (m_llm && DemoLlm::formatAt(path)) {
        // POST endpoints: DemoLlm reads the body itself and answers in the path's own format.
        m_clients.remove(socket);
        disconnect(socket, nullptr, this, nullptr);
        m_llm->handleRequest(socket,
            {method, path, headerValue(lines, "content-length"),
                headerValue(lines, "transfer-encoding"), headerValue(lines, "expect"),
                headerValue(lines, "connection")});
        return;
    }

    if (method != "GET") {
        respond(socket, "405 Method Not Allowed", "only GET is served here\n", "Allow: GET\r\n");
        return;
    }
    if (path == "/") {
        respond(socket, "200 OK", s_index);
    } else if (path == "/metrics") {
        startStream(socket, Stream::Metrics, headerValue(lines, "last-event-id"));
    } else if (path == "/logs") {
        startStream(socket, Stream::Logs, headerValue(lines, "last-event-id"));
    } else {
        respond(socket, "404 Not Found", "not found: " + path + "\ntry / for the endpoints\n");
    }
}

void DemoFeed::startStream(QTcpSocket *socket, Stream stream, const QByteArray &lastEventId)
{
    Client &client = m_clients[socket];
    client.stream = stream;
    client.streaming = true;
    QByteArray head = "HTTP/1.1 200 OK\r\n"
                      "Content-Type: text/event-stream; charset=utf-8\r\n"
                      "Cache-Control: no-cache\r\n"
                      "Access-Control-Allow-Origin: *\r\n"
                      "Connection: close\r\n\r\n"
                      ": streamscope demo feed, "
        + streamName(stream) + "\nretry: " + QByteArray::number(m_settings.retryMs) + "\n\n";
    socket->write(head);

    // Resume: replay what the client missed, if we still have it.
    const StreamState &state = m_streams[int(stream)];
    bool ok = false;
    const quint64 resumeAfter = lastEventId.toULongLong(&ok);
    if (!ok || state.history.empty() || resumeAfter >= state.nextId) {
        return;
    }
    if (resumeAfter + 1 < state.history.front().first) {
        socket->write(": resuming with a gap: events up to "
            + QByteArray::number(state.history.front().first - 1) + " are gone\n\n");
    }
    for (const auto &[id, bytes] : state.history) {
        if (id > resumeAfter) {
            sendToClient(client, bytes, true);
        }
    }
}

void DemoFeed::publish(Stream stream, const QByteArray &type, const QByteArray &data)
{
    StreamState &state = m_streams[int(stream)];
    const quint64 id = state.nextId++;
    QByteArray bytes
        = "id: " + QByteArray::number(id) + "\nevent: " + type + "\ndata: " + data + "\n\n";
    state.history.emplace_back(id, bytes);
    while (state.history.size() > size_t(std::max(1, m_settings.historyEvents))) {
        state.history.pop_front();
    }
    broadcast(stream, bytes);
}

void DemoFeed::broadcast(Stream stream, const QByteArray &bytes)
{
    for (Client &client : m_clients) {
        if (client.streaming && client.stream == stream) {
            sendToClient(client, bytes, true);
        }
    }
}

void DemoFeed::sendToClient(Client &client, const QByteArray &bytes, bool droppable)
{
    if (droppable && client.socket->bytesToWrite() > m_settings.maxBacklogBytes) {
        ++client.dropped;
        ++m_samplesDropped;
        return;
    }
    if (client.dropped > 0) {
        client.socket->write(": dropped " + QByteArray::number(client.dropped)
            + " events while this client fell behind\n");
        client.dropped = 0;
    }
    client.socket->write(bytes);
}

double DemoFeed::gaussian(double sigma)
{
    return std::normal_distribution<double>(0, sigma)(m_random);
}

int DemoFeed::uniform(int low, int high)
{
    return std::uniform_int_distribution<int>(low, high)(m_random);
}

void DemoFeed::tickMetrics()
{
    const QByteArray now = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    for (Host &host : m_hosts) {
        // Random walks pulled gently towards a typical level, with rare spikes.
        host.cpu += gaussian(4) + (35 - host.cpu) * 0.05;
        if (uniform(0, 199) == 0) {
            host.cpu += 40;
        }
        host.cpu = std::clamp(host.cpu, 0.5, 99.5);
        host.memory = std::clamp(host.memory + gaussian(0.6), 5.0, 97.0);
        host.rxBytesPerSecond
            = std::clamp(host.rxBytesPerSecond * std::exp(gaussian(0.12)), 2e4, 9e7);
        host.txBytesPerSecond
            = std::clamp(host.txBytesPerSecond * std::exp(gaussian(0.12)), 2e4, 9e7);
        publish(Stream::Metrics, "metrics",
            "{\"host\":\"" + host.name + "\",\"ts\":" + now + ",\"cpu\":" + number(host.cpu, 1)
                + ",\"mem\":" + number(host.memory, 1)
                + ",\"rxBps\":" + number(host.rxBytesPerSecond, 0)
                + ",\"txBps\":" + number(host.txBytesPerSecond, 0) + "}");
    }
}

void DemoFeed::scheduleLogLine()
{
    // Exponential gaps: bursts and lulls, like a real log.
    const double mean = std::max(1, m_settings.logMeanIntervalMs);
    const double gap = std::exponential_distribution<double>(1.0 / mean)(m_random);
    m_logTimer.start(int(std::clamp(gap, 1.0, mean * 6)));
}

void DemoFeed::emitLogLine()
{
    QByteArray level;
    const QByteArray line = makeLogLine(level);
    publish(Stream::Logs, level, line);
    scheduleLogLine();
}

QByteArray DemoFeed::makeLogLine(QByteArray &level)
{
    QByteArray hostName = uniform(0, 1) == 0 ? "web-1" : "web-2";
    const int roll = uniform(0, 99);
    const auto pick
        = [this](const auto &lines) { return lines[uniform(0, int(std::size(lines)) - 1)]; };
    level = roll < 76 ? "info" : roll < 94 ? "warn" : "error";
    const LogLine line = roll < 76 ? pick(s_infoLines)
        : roll < 94                ? pick(s_warnLines)
                                   : pick(s_errorLines);
    if (line.host) {
        hostName = line.host;
    }
    const QByteArray pattern(line.message);
    QByteArray message;
    for (qsizetype i = 0; i < pattern.size();) {
        const qsizetype open = pattern.indexOf('{', i);
        if (open < 0) {
            message += pattern.mid(i);
            break;
        }
        const qsizetype dash = pattern.indexOf('-', open);
        const qsizetype close = pattern.indexOf('}', dash);
        message += pattern.mid(i, open - i);
        message += QByteArray::number(uniform(pattern.mid(open + 1, dash - open - 1).toInt(),
            pattern.mid(dash + 1, close - dash - 1).toInt()));
        i = close + 1;
    }
    return "{\"ts\":" + QByteArray::number(QDateTime::currentMSecsSinceEpoch()) + ",\"host\":\""
        + hostName + "\",\"service\":\"" + line.service + "\",\"level\":\"" + level
        + "\",\"msg\":\"" + message + "\"}";
}

void DemoFeed::sendHeartbeat()
{
    // Now and then the server restates its retry, as real feeds do after a config change.
    const bool withRetry = ++m_heartbeats % 6 == 0;
    const QByteArray bytes = withRetry
        ? ": heartbeat\nretry: " + QByteArray::number(m_settings.retryMs) + "\n"
        : QByteArray(": heartbeat\n");
    for (Client &client : m_clients) {
        if (client.streaming) {
            sendToClient(client, bytes, true);
        }
    }
}

} // namespace streamscope
