// SPDX-License-Identifier: GPL-3.0-or-later
#include "wstestserver.h"

#include <QWebSocket>

namespace streamscope {

WsTestServer::WsTestServer(QObject *parent)
    : QObject(parent)
    , m_server(QStringLiteral("test"), QWebSocketServer::NonSecureMode)
{
    connect(&m_server, &QWebSocketServer::newConnection, this, &WsTestServer::accept);
}

bool WsTestServer::listen(quint16 port)
{
    if (!m_server.listen(QHostAddress::LocalHost, port)) {
        return false;
    }
    m_port = m_server.serverPort();
    return true;
}

QUrl WsTestServer::url(const QString &path) const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(m_port).arg(path));
}

void WsTestServer::setSubprotocols(const QStringList &protocols)
{
    m_server.setSupportedSubprotocols(protocols);
}

void WsTestServer::kill()
{
    m_server.close();
    for (QWebSocket *socket : std::as_const(m_sockets)) {
        if (socket) {
            socket->abort();
        }
    }
}

void WsTestServer::closeAll(QWebSocketProtocol::CloseCode code)
{
    for (QWebSocket *socket : std::as_const(m_sockets)) {
        if (socket) {
            socket->close(code);
        }
    }
}

QWebSocket *WsTestServer::last() const
{
    return m_sockets.isEmpty() ? nullptr : m_sockets.last().data();
}

void WsTestServer::accept()
{
    while (QWebSocket *socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        const qsizetype index = received.size();
        m_sockets.append(socket);
        requests.append(socket->request());
        acceptedSubprotocols.append(socket->subprotocol());
        received.append(QByteArrayList());
        connect(socket, &QWebSocket::textMessageReceived, this,
            [this, socket, index](const QString &message) {
                received[index].append("T:" + message.toUtf8());
                if (echo) {
                    socket->sendTextMessage(message);
                }
            });
        connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this, socket, index](const QByteArray &message) {
                received[index].append("B:" + message);
                if (echo) {
                    socket->sendBinaryMessage(message);
                }
            });
        connect(socket, &QWebSocket::disconnected, this,
            [this, socket] { closeCodes.append(int(socket->closeCode())); });
        if (onConnection) {
            onConnection(socket);
        }
    }
}

} // namespace streamscope
