// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

namespace streamscope {

// How tests/peers/h2-server.mjs is started.
struct NodeH2ServerOptions
{
    enum class Mode {
        Normal, // the HTTP/2 server with its SSE routes
        Garbage, // offers h2 by ALPN, then sends bytes that are no HTTP/2 frames
        Silent, // offers h2 by ALPN, then never writes (no SETTINGS)
    };

    bool tls = true; // false: h2c, prior knowledge only
    bool allowHttp1 = false; // TLS only: ALPN may pick http/1.1
    int maxConcurrent = 0; // SETTINGS_MAX_CONCURRENT_STREAMS; 0 leaves node's default
    Mode mode = Mode::Normal;
};

// The node http2 server of tests/peers/h2-server.mjs on 127.0.0.1, port 0 (its routes are listed
// there): a real HTTP/2 peer that counts its sessions (connections) and streams (requests). With
// TLS it presents the test certificate for 127.0.0.1; clients trust caFile(). Its stdin stays
// open while it runs; it is killed when this goes.
class NodeH2Server
{
public:
    explicit NodeH2Server(const NodeH2ServerOptions &options = {});
    ~NodeH2Server();
    NodeH2Server(const NodeH2Server &) = delete;
    NodeH2Server &operator=(const NodeH2Server &) = delete;

    // Waits for its "listening PORT" line; false with the reason in *error.
    bool waitForListening(QString *error);
    // https://127.0.0.1:PORT/path (http:// for h2c); path starts with '/' and may hold a query.
    QUrl url(const QString &path) const;
    // The test CA's PEM file, for QSslConfiguration::addCaCertificates; empty without TLS.
    QString caFile() const;

    // Counted from its output as it arrives, across restarts: current while the event loop runs.
    int sessions() const { return m_sessions; }
    int closedSessions() const { return m_closedSessions; }
    int streams() const { return m_streams; }
    // Each stream's path and query, in order.
    QStringList streamTargets() const { return m_streamTargets; }

    // One line to its stdin: "goaway" (GOAWAY(NO_ERROR) on every session, then its streams end
    // and it closes), "close" (every connection dropped at once) or "quit".
    void sendCommand(const QByteArray &command);
    // Gone at once, as a crashed server: its connections drop without GOAWAY.
    void stop();
    // Stops it if it runs and starts it again on the same port; false with the reason in *error.
    bool restart(QString *error);

private:
    void start();
    void readOutput();

    NodeH2ServerOptions m_options;
    QTemporaryDir m_folder; // the certificate and key node reads
    QProcess m_process;
    QByteArray m_partialLine;
    quint16 m_port = 0;
    bool m_listening = false;
    int m_sessions = 0;
    int m_closedSessions = 0;
    int m_streams = 0;
    QStringList m_streamTargets;
};

} // namespace streamscope
