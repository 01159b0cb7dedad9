// SPDX-License-Identifier: GPL-3.0-or-later
#include "faultserver.h"

#include <QTcpSocket>
#include <QWebSocket>

namespace streamscope {

namespace {

constexpr int s_tickMs = 10;
constexpr int s_eventsPerTick = 5; // 500 events/s
constexpr qint64 s_maxQueuedBytes = 256 * 1024; // per connection: a slow client is not buffered
constexpr qsizetype s_maxHeadBytes = 64 * 1024;

QByteArray lastEventId(const QByteArray &head)
{
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "last-event-id") {
            return line.mid(colon + 1).trimmed();
        }
    }
    return {};
}

// Calls handler with the request head once it has arrived; drops a client that sends too much.
template <typename Handler>
void whenHeadArrives(QTcpSocket *socket, QObject *context, Handler handler)
{
    QObject::connect(socket, &QTcpSocket::readyRead, context, [socket, handler] {
        if (socket->property("routed").toBool()) {
            socket->readAll(); // an SSE client says nothing after its request
            return;
        }
        const QByteArray head = socket->peek(s_maxHeadBytes);
        if (!head.contains("\r\n\r\n")) {
            if (head.size() >= s_maxHeadBytes) {
                socket->abort();
            }
            return;
        }
        socket->setProperty("routed", true);
        handler(socket, head);
    });
}

} // namespace

SseFaultServer::SseFaultServer(quint32 seed, QObject *parent)
    : QObject(parent)
    , m_random(seed)
{
    m_clock.start();
    connect(&m_server, &QTcpServer::newConnection, this, &SseFaultServer::accept);
    connect(&m_timer, &QTimer::timeout, this, &SseFaultServer::tick);
    m_timer.start(s_tickMs);
}

bool SseFaultServer::listen(quint16 port)
{
    if (!m_server.listen(QHostAddress::LocalHost, port)) {
        return false;
    }
    m_port = m_server.serverPort();
    return true;
}

void SseFaultServer::stop()
{
    m_server.close();
    for (Connection &connection : m_connections) {
        if (connection.socket) {
            connection.socket->abort();
            connection.socket->deleteLater();
        }
    }
    m_connections.clear();
}

void SseFaultServer::accept()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        whenHeadArrives(socket, this,
            [this](QTcpSocket *client, const QByteArray &head) { answer(client, head); });
    }
}

void SseFaultServer::answer(QTcpSocket *socket, const QByteArray &head)
{
    socket->readAll();
    const int r = m_faults ? roll(100) : 99;
    auto refuse = [&](const char *name, const QByteArray &response) {
        ++m_counts[QString::fromLatin1(name)];
        socket->write(response);
        socket->disconnectFromHost();
    };
    if (r < 4) {
        refuse("http 500",
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
        return;
    }
    if (r < 7) {
        refuse("http 503",
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    if (r < 9) {
        refuse("http 429",
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    if (r < 11) {
        refuse("not http", "\x16\x03\x01garbage\xff\xfe instead of HTTP\r\n\r\n");
        return;
    }
    if (r < 13) {
        ++m_counts[QStringLiteral("never answered")];
        return; // the client's idle timeout ends it
    }
    Connection connection;
    connection.socket = socket;
    bool ok = false;
    const quint64 last = lastEventId(head).toULongLong(&ok);
    connection.next = ok ? last + 1 : 1;
    connection.streaming = true;
    if (m_faults) {
        connection.endAtMs = m_clock.elapsed() + 100 + roll(3000);
        const int e = roll(10);
        connection.ending = e < 5 ? 0 : e < 8 ? 1 : 2;
    }
    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                  "Cache-Control: no-cache\r\nConnection: close\r\n\r\n");
    m_connections.append(connection);
}

QByteArray SseFaultServer::eventBytes(quint64 id) const
{
    const QByteArray n = QByteArray::number(id);
    return "id: " + n + "\ndata: " + n + "\n\n";
}

void SseFaultServer::tick()
{
    m_published += s_eventsPerTick;
    const qint64 now = m_clock.elapsed();
    m_connections.removeIf([](const Connection &c) {
        return !c.socket || c.socket->state() != QAbstractSocket::ConnectedState;
    });
    for (Connection &connection : m_connections) {
        QTcpSocket *socket = connection.socket;
        if (now < connection.stallUntilMs) {
            continue;
        }
        if (connection.endAtMs >= 0 && now >= connection.endAtMs) {
            endStream(connection);
            continue;
        }
        QByteArray out;
        while (connection.next <= m_published
            && socket->bytesToWrite() + out.size() < s_maxQueuedBytes) {
            out += eventBytes(connection.next++);
        }
        if (m_faults && roll(200) == 0) {
            // Garbage no SSE field matches: an unknown field of random bytes, one line.
            ++m_counts[QStringLiteral("garbage line")];
            QByteArray junk = "x-junk: ";
            for (int i = 0, n = 1 + roll(200); i < n; ++i) {
                const char c = char(roll(256));
                junk += (c == '\r' || c == '\n') ? '?' : c;
            }
            out += junk + '\n';
        }
        socket->write(out);
    }
}

void SseFaultServer::endStream(Connection &connection)
{
    QTcpSocket *socket = connection.socket;
    connection.endAtMs = -1;
    // Part of the next event first: the client must drop an event cut short, id and all.
    const QByteArray next = eventBytes(connection.next);
    socket->write(next.left(roll(int(next.size()))));
    switch (connection.ending) {
    case 0:
        ++m_counts[QStringLiteral("stream closed")];
        socket->disconnectFromHost();
        break;
    case 1:
        ++m_counts[QStringLiteral("connection reset")];
        socket->flush();
        socket->abort();
        break;
    default:
        ++m_counts[QStringLiteral("stall")];
        connection.stallUntilMs = m_clock.elapsed() + 1500 + roll(1000); // over the idle timeout
        break;
    }
}

WsFaultServer::WsFaultServer(quint32 seed, qint64 oversizedBytes, QObject *parent)
    : QObject(parent)
    , m_webSockets(QStringLiteral("soak"), QWebSocketServer::NonSecureMode)
    , m_random(seed)
    , m_oversizedBytes(oversizedBytes)
{
    m_clock.start();
    connect(&m_server, &QTcpServer::newConnection, this, &WsFaultServer::accept);
    connect(&m_webSockets, &QWebSocketServer::newConnection, this, &WsFaultServer::adopt);
    connect(&m_timer, &QTimer::timeout, this, &WsFaultServer::tick);
    m_timer.start(s_tickMs);
}

bool WsFaultServer::listen(quint16 port)
{
    if (!m_server.listen(QHostAddress::LocalHost, port)) {
        return false;
    }
    m_port = m_server.serverPort();
    return true;
}

void WsFaultServer::stop()
{
    m_server.close();
    for (Connection &connection : m_connections) {
        if (connection.socket) {
            connection.socket->abort();
            connection.socket->deleteLater();
        }
    }
    m_connections.clear();
}

void WsFaultServer::accept()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        whenHeadArrives(
            socket, this, [this](QTcpSocket *client, const QByteArray &) { route(client); });
    }
}

void WsFaultServer::route(QTcpSocket *socket)
{
    const int r = m_faults ? roll(100) : 99;
    auto refuse = [&](const char *name, const QByteArray &response) {
        socket->readAll();
        ++m_counts[QString::fromLatin1(name)];
        socket->write(response);
        socket->disconnectFromHost();
    };
    if (r < 3) {
        refuse("handshake 500",
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
        return;
    }
    if (r < 6) {
        refuse("handshake 503",
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
        return;
    }
    if (r < 8) {
        refuse("handshake 429",
            "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
        return;
    }
    if (r < 10) {
        refuse("handshake garbage", "\x16\x03\x01 not a handshake \xff\xfe\r\n\r\n");
        return;
    }
    // The handshake is still unread: QWebSocketServer takes the socket from here. It stays our
    // child, so one whose handshake never finished (a restart, the end) is freed with us.
    disconnect(socket, nullptr, this, nullptr);
    disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    m_webSockets.handleConnection(socket);
}

void WsFaultServer::adopt()
{
    while (QWebSocket *socket = m_webSockets.nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
        Connection connection;
        connection.socket = socket;
        if (m_faults) {
            connection.endAtMs = m_clock.elapsed() + 100 + roll(3000);
            const int e = roll(10);
            connection.ending = e < 4 ? 0 : e < 8 ? 1 : 2;
        }
        m_connections.append(connection);
    }
}

void WsFaultServer::tick()
{
    const qint64 now = m_clock.elapsed();
    m_connections.removeIf([](const Connection &c) {
        return !c.socket || c.socket->state() != QAbstractSocket::ConnectedState;
    });
    for (Connection &connection : m_connections) {
        QWebSocket *socket = connection.socket;
        if (connection.endAtMs >= 0 && now >= connection.endAtMs) {
            connection.endAtMs = -1;
            if (connection.ending == 0) {
                ++m_counts[QStringLiteral("ws close 1001")];
                socket->close(QWebSocketProtocol::CloseCodeGoingAway);
            } else if (connection.ending == 1) {
                ++m_counts[QStringLiteral("ws abort")];
                socket->abort();
            } else {
                ++m_counts[QStringLiteral("ws oversized message")];
                socket->sendBinaryMessage(QByteArray(m_oversizedBytes, 'o'));
            }
            continue;
        }
        if (socket->bytesToWrite() < s_maxQueuedBytes) {
            socket->sendTextMessage(QString::number(connection.next++));
        }
    }
}

} // namespace streamscope
