// SPDX-License-Identifier: GPL-3.0-or-later
#include "demowebsocketfeed.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QWebSocket>

#include <algorithm>
#include <cmath>

namespace streamscope {

namespace {

QByteArray number(double value, int decimals)
{
    return QByteArray::number(value, 'f', decimals);
}

QString json(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

const QString s_usage = QStringLiteral(
    R"(send {"subscribe":"<host>"} to stream only that host (a new name starts a new )"
    R"(simulated host), {"subscribe":"*"} for the default fleet, {"unsubscribe":"<host>"})");

} // namespace

DemoWebSocketFeed::DemoWebSocketFeed(QObject *parent)
    : DemoWebSocketFeed(Settings(), parent)
{
}

DemoWebSocketFeed::DemoWebSocketFeed(const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_server(QStringLiteral("streamscope demo"), QWebSocketServer::NonSecureMode)
    , m_settings(settings)
    , m_random(settings.seed != 0 ? settings.seed : std::random_device()())
{
    m_settings.intervalMs = std::max(10, m_settings.intervalMs);
    connect(
        &m_server, &QWebSocketServer::newConnection, this, &DemoWebSocketFeed::acceptConnections);
    connect(&m_tickTimer, &QTimer::timeout, this, &DemoWebSocketFeed::tick);
    m_defaultHosts = {"web-1", "web-2", "db-1", "cache-1"};
    m_hosts["web-1"] = Host{0.22, 0.48, 2.4e6, 6.1e6};
    m_hosts["web-2"] = Host{0.35, 0.52, 2.1e6, 5.4e6};
    m_hosts["db-1"] = Host{0.41, 0.71, 8.5e6, 3.2e6};
    m_hosts["cache-1"] = Host{0.12, 0.83, 1.2e7, 1.1e7};
}

DemoWebSocketFeed::~DemoWebSocketFeed()
{
    // The sockets are our children (see acceptConnections); stop hearing from them before they go.
    for (auto it = m_clients.cbegin(); it != m_clients.cend(); ++it) {
        disconnect(it.key(), nullptr, this, nullptr);
    }
}

void DemoWebSocketFeed::handleConnection(QTcpSocket *socket)
{
    if (!socket) {
        return;
    }
    // QWebSocketServer answers the handshake; it re-announces bytes already buffered, so a
    // peeked request is not lost.
    m_server.handleConnection(socket);
}

void DemoWebSocketFeed::acceptConnections()
{
    while (QWebSocket *socket = m_server.nextPendingConnection()) {
        // nextPendingConnection() hands ownership to the caller: without a parent, sockets still
        // connected when the feed goes would leak (LeakSanitizer found it).
        socket->setParent(this);
        if (int(m_clients.size()) >= m_settings.maxClients) {
            // 1013: Try Again Later (IANA WebSocket close code registry).
            socket->close(QWebSocketProtocol::CloseCode(1013),
                QStringLiteral("too many clients, try again later"));
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            continue;
        }
        socket->setMaxAllowedIncomingMessageSize(quint64(m_settings.maxIncomingMessageBytes));
        socket->setMaxAllowedIncomingFrameSize(quint64(m_settings.maxIncomingMessageBytes));
        m_clients.insert(socket, Client());
        connect(socket, &QWebSocket::textMessageReceived, this,
            [this, socket](const QString &message) { handleMessage(socket, message); });
        connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this, socket](const QByteArray &message) {
                sendError(socket,
                    QStringLiteral("binary messages are not understood here; send "
                                   "JSON text"),
                    QStringLiteral("%1 bytes of binary").arg(message.size()));
            });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] { removeClient(socket); });

        QJsonArray hosts;
        for (const QByteArray &name : std::as_const(m_defaultHosts)) {
            hosts.append(QString::fromUtf8(name));
        }
        socket->sendTextMessage(json({{QStringLiteral("type"), QStringLiteral("hello")},
            {QStringLiteral("hosts"), hosts}, {QStringLiteral("intervalMs"), m_settings.intervalMs},
            {QStringLiteral("usage"), s_usage}}));
        if (!m_tickTimer.isActive()) {
            m_tickTimer.start(m_settings.intervalMs);
        }
        emit clientCountChanged(clientCount());
    }
}

void DemoWebSocketFeed::removeClient(QWebSocket *socket)
{
    if (!m_clients.remove(socket)) {
        return;
    }
    disconnect(socket, nullptr, this, nullptr);
    socket->deleteLater();
    if (m_clients.isEmpty()) {
        m_tickTimer.stop();
    }
    emit clientCountChanged(clientCount());
}

void DemoWebSocketFeed::handleMessage(QWebSocket *socket, const QString &message)
{
    const auto it = m_clients.find(socket);
    if (it == m_clients.end()) {
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(message.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        sendError(socket,
            QStringLiteral("invalid JSON at offset %1: %2")
                .arg(parseError.offset)
                .arg(parseError.errorString()),
            message);
        return;
    }
    const QJsonObject request = document.object();
    const bool subscribe = request.contains(QLatin1String("subscribe"));
    const bool unsubscribe = request.contains(QLatin1String("unsubscribe"));
    if (!document.isObject() || request.size() != 1 || (!subscribe && !unsubscribe)) {
        sendError(socket,
            QStringLiteral(R"(unknown request: expected {"subscribe":"<host>"} or )"
                           R"({"unsubscribe":"<host>"})"),
            message);
        return;
    }
    const QJsonValue value
        = request.value(subscribe ? QLatin1String("subscribe") : QLatin1String("unsubscribe"));
    static const QRegularExpression validName(QStringLiteral("^(\\*|[A-Za-z0-9._-]{1,64})$"));
    const QString topicText = value.toString();
    if (!value.isString() || !validName.match(topicText).hasMatch()) {
        sendError(socket,
            QStringLiteral("a topic is a host name of 1 to 64 letters, digits, '.', '_' "
                           "or '-', or \"*\" for the default fleet"),
            message);
        return;
    }
    const QByteArray topic = topicText.toUtf8();
    Client &client = it.value();
    if (subscribe) {
        if (topic == "*") {
            client.subscribedToAll = true;
            client.topics.clear();
        } else if (!client.topics.contains(topic)) {
            if (client.topics.size() >= m_settings.maxTopicsPerClient) {
                sendError(socket,
                    QStringLiteral("at most %1 topics per client")
                        .arg(m_settings.maxTopicsPerClient),
                    message);
                return;
            }
            if (m_hosts.find(topic) == m_hosts.end()
                && int(m_hosts.size()) >= m_settings.maxHosts) {
                sendError(socket,
                    QStringLiteral("the demo simulates at most %1 hosts").arg(m_settings.maxHosts),
                    message);
                return;
            }
            host(topic); // starts simulating it now
            client.subscribedToAll = false;
            client.topics.append(topic);
        }
    } else {
        if (topic == "*" ? !client.subscribedToAll : !client.topics.removeOne(topic)) {
            sendError(socket, QStringLiteral("not subscribed to \"%1\"").arg(topicText), message);
            return;
        }
        if (topic == "*") {
            client.subscribedToAll = false;
        }
    }
    socket->sendTextMessage(
        json({{QStringLiteral("type"),
                  subscribe ? QStringLiteral("subscribed") : QStringLiteral("unsubscribed")},
            {QStringLiteral("topic"), topicText}}));
}

void DemoWebSocketFeed::sendError(QWebSocket *socket, const QString &error, const QString &received)
{
    QJsonObject object{
        {QStringLiteral("type"), QStringLiteral("error")}, {QStringLiteral("error"), error}};
    if (!received.isEmpty()) {
        // Echo a bounded prefix so the client can tell which message was refused.
        object.insert(QStringLiteral("received"), received.left(200));
    }
    socket->sendTextMessage(json(object));
}

void DemoWebSocketFeed::tick()
{
    for (auto &[name, state] : m_hosts) {
        step(state);
    }
    const QByteArray ts = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    QHash<QByteArray, QString> samples;
    auto sample = [&](const QByteArray &name) -> const QString & {
        auto found = samples.find(name);
        if (found == samples.end()) {
            const Host &h = m_hosts[name];
            const QByteArray text = R"({"type":"metric","host":")" + name + R"(","cpu":)"
                + number(h.cpu, 3) + R"(,"mem":)" + number(h.memory, 3) + R"(,"rx":)"
                + number(h.rxBytesPerSecond, 0) + R"(,"tx":)" + number(h.txBytesPerSecond, 0)
                + R"(,"ts":)" + ts + "}";
            found = samples.insert(name, QString::fromLatin1(text));
        }
        return *found;
    };
    for (auto it = m_clients.begin(); it != m_clients.end(); ++it) {
        QWebSocket *socket = it.key();
        const QList<QByteArray> &names = it->subscribedToAll ? m_defaultHosts : it->topics;
        for (const QByteArray &name : names) {
            if (socket->bytesToWrite() > m_settings.maxBacklogBytes) {
                // A slow reader loses samples rather than growing our memory.
                ++m_samplesDropped;
                continue;
            }
            socket->sendTextMessage(sample(name));
        }
    }
}

DemoWebSocketFeed::Host &DemoWebSocketFeed::host(const QByteArray &name)
{
    auto found = m_hosts.find(name);
    if (found == m_hosts.end()) {
        found = m_hosts.emplace(name, makeHost()).first;
    }
    return found->second;
}

DemoWebSocketFeed::Host DemoWebSocketFeed::makeHost()
{
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    return Host{0.1 + 0.5 * unit(m_random), 0.3 + 0.5 * unit(m_random),
        std::pow(10.0, 5.5 + 2 * unit(m_random)), std::pow(10.0, 5.5 + 2 * unit(m_random))};
}

void DemoWebSocketFeed::step(Host &h)
{
    // Mean-reverting random walks: load wanders and spikes, memory creeps, traffic is
    // log-normal around its level.
    h.cpu += 0.08 * (0.35 - h.cpu) + gaussian(0.04);
    h.cpu = std::clamp(h.cpu, 0.01, 0.99);
    h.memory += 0.01 * (0.6 - h.memory) + gaussian(0.005);
    h.memory = std::clamp(h.memory, 0.05, 0.98);
    h.rxBytesPerSecond = std::clamp(h.rxBytesPerSecond * std::exp(gaussian(0.08)), 1e3, 1e9);
    h.txBytesPerSecond = std::clamp(h.txBytesPerSecond * std::exp(gaussian(0.08)), 1e3, 1e9);
}

double DemoWebSocketFeed::gaussian(double sigma)
{
    std::normal_distribution<double> draw(0.0, sigma);
    return draw(m_random);
}

} // namespace streamscope
