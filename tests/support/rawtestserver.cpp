// SPDX-License-Identifier: GPL-3.0-or-later
#include "rawtestserver.h"

#include <QCryptographicHash>
#include <QTcpSocket>

#include <memory>

namespace streamscope {

RawTestServer::RawTestServer(Handler handler, QObject *parent)
    : QObject(parent)
    , m_handler(std::move(handler))
{
    connect(&m_server, &QTcpServer::newConnection, this, &RawTestServer::accept);
    m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl RawTestServer::url(const char *scheme, const QString &path) const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2%3")
                    .arg(QLatin1String(scheme))
                    .arg(m_server.serverPort())
                    .arg(path));
}

void RawTestServer::accept()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        socket->setParent(this); // kept until the server goes: handlers may hold on to it
        ++connections;
        const qsizetype index = afterHead.size();
        afterHead.append(QByteArray());
        auto head = std::make_shared<QByteArray>();
        auto answered = std::make_shared<bool>(false);
        connect(socket, &QTcpSocket::readyRead, this, [=, this] {
            const QByteArray bytes = socket->readAll();
            if (*answered) {
                afterHead[index].append(bytes);
                return;
            }
            head->append(bytes);
            const qsizetype end = head->indexOf("\r\n\r\n");
            if (end < 0) {
                return;
            }
            *answered = true;
            afterHead[index].append(head->mid(end + 4));
            head->truncate(end + 4);
            heads.append(*head);
            if (m_handler) {
                m_handler(socket, *head);
            }
        });
    }
}

quint16 unusedLocalPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0)) {
        return 0;
    }
    return probe.serverPort();
}

namespace rawws {

void acceptHandshake(QTcpSocket *socket, const QByteArray &head)
{
    QByteArray key;
    for (const QByteArray &line : head.split('\n')) {
        if (line.toLower().startsWith("sec-websocket-key:")) {
            key = line.mid(line.indexOf(':') + 1).trimmed();
        }
    }
    const QByteArray accept = QCryptographicHash::hash(
        key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1)
                                  .toBase64();
    socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Accept: "
        + accept + "\r\n\r\n");
}

QByteArray serverFrame(quint8 opcode, const QByteArray &payload, quint8 rsv, bool fin)
{
    QByteArray out;
    out.append(char((fin ? 0x80 : 0) | (rsv << 4) | opcode));
    const quint64 size = quint64(payload.size());
    if (size < 126) {
        out.append(char(size));
    } else if (size <= 0xffff) {
        out.append(char(126));
        out.append(char((size >> 8) & 0xff));
        out.append(char(size & 0xff));
    } else {
        out.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.append(char((size >> shift) & 0xff));
        }
    }
    return out + payload;
}

int clientCloseCode(const QByteArray &bytes)
{
    // Client frames are masked: 2 header bytes, 4 key bytes, then the payload.
    qsizetype at = 0;
    while (at + 6 <= bytes.size()) {
        const quint8 opcode = quint8(bytes.at(at)) & 0x0f;
        const int length = quint8(bytes.at(at + 1)) & 0x7f;
        if (length >= 126 || at + 6 + length > bytes.size()) {
            return 0;
        }
        if (opcode == 0x8 && length >= 2) {
            const QByteArray key = bytes.mid(at + 2, 4);
            const quint8 high = quint8(bytes.at(at + 6)) ^ quint8(key.at(0));
            const quint8 low = quint8(bytes.at(at + 7)) ^ quint8(key.at(1));
            return high << 8 | low;
        }
        at += 6 + length;
    }
    return 0;
}

} // namespace rawws

} // namespace streamscope
