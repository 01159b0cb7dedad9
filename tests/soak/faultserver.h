// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTimer>
#include <QWebSocketServer>

#include <random>

class QTcpSocket;
class QWebSocket;

namespace streamscope {

// What a fault server did, for the soak's report.
using FaultCounts = QMap<QString, quint64>;

// An SSE server on 127.0.0.1 that misbehaves at random: streams a numbered sequence of events
// (id n, data n, published at a steady rate, resumed after Last-Event-ID) and, at random,
// ends a stream cleanly or with a reset (often mid-event), stalls, writes garbage lines,
// answers 500, 503 or 429, answers with bytes that are not HTTP, or accepts and never answers.
class SseFaultServer : public QObject
{
public:
    explicit SseFaultServer(quint32 seed, QObject *parent = nullptr);
    bool listen(quint16 port = 0);
    void stop(); // closes the listener and drops every connection
    quint16 port() const { return m_port; }
    quint64 published() const { return m_published; }
    void setFaultsEnabled(bool enabled) { m_faults = enabled; }
    const FaultCounts &counts() const { return m_counts; }

private:
    struct Connection
    {
        QPointer<QTcpSocket> socket;
        quint64 next = 1; // the next event id to write
        qint64 endAtMs = -1; // -1: streams until the client or a restart ends it
        qint64 stallUntilMs = 0;
        int ending = 0; // 0 close, 1 reset, 2 stall
        bool streaming = false;
    };

    void accept();
    void answer(QTcpSocket *socket, const QByteArray &head);
    void tick();
    void endStream(Connection &connection);
    QByteArray eventBytes(quint64 id) const;
    int roll(int below) { return std::uniform_int_distribution<int>(0, below - 1)(m_random); }

    QTcpServer m_server;
    QTimer m_timer;
    QElapsedTimer m_clock;
    QList<Connection> m_connections;
    std::mt19937 m_random;
    FaultCounts m_counts;
    quint64 m_published = 0;
    quint16 m_port = 0;
    bool m_faults = true;
};

// A WebSocket server on 127.0.0.1 that misbehaves at random: sends numbered messages ("1", "2",
// ... per connection) and, at random, closes with 1001, aborts without a close frame, sends a
// message over the client's cap, or refuses the handshake with 500, 503, 429 or garbage.
class WsFaultServer : public QObject
{
public:
    WsFaultServer(quint32 seed, qint64 oversizedBytes, QObject *parent = nullptr);
    bool listen(quint16 port = 0);
    void stop();
    quint16 port() const { return m_port; }
    void setFaultsEnabled(bool enabled) { m_faults = enabled; }
    const FaultCounts &counts() const { return m_counts; }

private:
    struct Connection
    {
        QPointer<QWebSocket> socket;
        quint64 next = 1;
        qint64 endAtMs = -1;
        int ending = 0; // 0 close 1001, 1 abort, 2 oversized message
    };

    void accept();
    void route(QTcpSocket *socket);
    void adopt();
    void tick();
    int roll(int below) { return std::uniform_int_distribution<int>(0, below - 1)(m_random); }

    QTcpServer m_server; // peeks each request, then hands upgrades to m_webSockets
    QWebSocketServer m_webSockets;
    QTimer m_timer;
    QElapsedTimer m_clock;
    QList<Connection> m_connections;
    std::mt19937 m_random;
    FaultCounts m_counts;
    qint64 m_oversizedBytes;
    quint16 m_port = 0;
    bool m_faults = true;
};

} // namespace streamscope
