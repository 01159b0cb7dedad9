// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayList>
#include <QList>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>
#include <QWebSocketProtocol>
#include <QWebSocketServer>

#include <functional>

class QWebSocket;

namespace streamscope {

// A real QWebSocketServer on 127.0.0.1 that records every handshake, message and close code per
// connection, and echoes what it receives unless told not to.
class WsTestServer : public QObject
{
    Q_OBJECT
public:
    explicit WsTestServer(QObject *parent = nullptr);

    // 0: any free port. Returns false when the port cannot be bound.
    bool listen(quint16 port = 0);
    bool isListening() const { return m_server.isListening(); }
    // The port listened on, or last listened on before kill().
    quint16 port() const { return m_port; }
    QUrl url(const QString &path = QStringLiteral("/")) const;
    void setSubprotocols(const QStringList &protocols);
    // Stops listening and drops every connection without a close frame, as a crash would.
    void kill();
    void closeAll(QWebSocketProtocol::CloseCode code);
    // The newest connection; null when none or when it is gone.
    QWebSocket *last() const;

    bool echo = true;
    QList<QNetworkRequest> requests; // each connection's handshake request
    QStringList acceptedSubprotocols; // per connection; empty when none was agreed
    QList<QByteArrayList> received; // per connection, text prefixed "T:", binary "B:"
    QList<int> closeCodes; // the close code of each connection that ended, in order
    std::function<void(QWebSocket *)> onConnection; // after the connection is recorded

private:
    void accept();

    QWebSocketServer m_server;
    QList<QPointer<QWebSocket>> m_sockets;
    quint16 m_port = 0;
};

} // namespace streamscope
