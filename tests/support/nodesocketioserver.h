// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QUrl>

namespace streamscope {

// How tests/peers/socketio-server.mjs is started; 0 leaves socket.io's default.
struct NodeSocketIoServerOptions
{
    int pingIntervalMs = 0;
    int pingTimeoutMs = 0;
};

// The npm socket.io server of tests/peers/socketio-server.mjs on 127.0.0.1, port 0 (its
// namespaces and events are listed there): a real Socket.IO v4 peer, WebSocket transport only.
// It counts the namespace connections and refusals it reports. Its stdin stays open while it
// runs; it is killed when this goes.
class NodeSocketIoServer
{
public:
    explicit NodeSocketIoServer(const NodeSocketIoServerOptions &options = {});
    ~NodeSocketIoServer();
    NodeSocketIoServer(const NodeSocketIoServer &) = delete;
    NodeSocketIoServer &operator=(const NodeSocketIoServer &) = delete;

    // Waits for its "listening PORT" line; false with the reason in *error.
    bool waitForListening(QString *error);
    // ws://127.0.0.1:PORT/ (SocketIoClient adds /socket.io/ and the query).
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_port)); }
    quint16 port() const { return m_port; }

    // Counted from its output as it arrives, across restarts: current while the event loop runs.
    int connections(const QByteArray &nameSpace) const;
    int refusals(const QByteArray &nameSpace) const;

    // Gone at once, as a crashed server: its connections drop without a close frame.
    void stop();
    // Stops it if it runs and starts it again on the same port; false with the reason in *error.
    bool restart(QString *error);

private:
    void start();
    void readOutput();

    NodeSocketIoServerOptions m_options;
    QProcess m_process;
    QByteArray m_partialLine;
    QByteArrayList m_lines; // "connection NS" and "refused NS", in order
    quint16 m_port = 0;
    bool m_listening = false;
};

} // namespace streamscope
