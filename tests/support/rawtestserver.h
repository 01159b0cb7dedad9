// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>

#include <functional>

class QTcpSocket;

namespace streamscope {

// A bare TCP server on 127.0.0.1, port 0, for peers that break the protocol on purpose: each
// connection goes to the handler once its request head has arrived, with the head.
class RawTestServer : public QObject
{
    Q_OBJECT
public:
    // A null handler makes a silent server: it accepts and reads, never answers.
    using Handler = std::function<void(QTcpSocket *socket, const QByteArray &head)>;

    explicit RawTestServer(Handler handler = {}, QObject *parent = nullptr);

    bool isListening() const { return m_server.isListening(); }
    // scheme://127.0.0.1:<port><path>
    QUrl url(const char *scheme = "http", const QString &path = QStringLiteral("/stream")) const;

    int connections = 0;
    QByteArrayList heads; // each connection's request head, "\r\n\r\n" included
    QByteArrayList afterHead; // per connection: the bytes the client sent after its head

private:
    void accept();

    QTcpServer m_server;
    Handler m_handler;
};

// A port on 127.0.0.1 that nothing listens on, released just now (a test may listen on it).
quint16 unusedLocalPort();

// WebSocket by hand, for RawTestServer handlers that play a server.
namespace rawws {

// Answers the client's upgrade request as a correct server would.
void acceptHandshake(QTcpSocket *socket, const QByteArray &head);
// An unmasked server frame; rsv goes into bits 4-6 of the first byte.
QByteArray serverFrame(quint8 opcode, const QByteArray &payload, quint8 rsv = 0, bool fin = true);
// The code of the first close frame among the client's (masked) frames; 0 when there is none.
int clientCloseCode(const QByteArray &bytes);

} // namespace rawws

} // namespace streamscope
