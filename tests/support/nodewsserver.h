// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace streamscope {

// The node `ws` server of tests/peers/ws-server.mjs on 127.0.0.1, port 0: a real, widely used
// peer (permessage-deflate with --deflate). Its stdin stays open while it runs; it is killed
// when this goes. Its npm packages come from scripts/install-deps.
class NodeWsServer
{
public:
    explicit NodeWsServer(const QStringList &arguments = {});
    ~NodeWsServer();

    // Waits for its "listening PORT" line; false with the reason in *error.
    bool waitForListening(QString *error);
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_port)); }
    // Gone at once, as a crashed server: its connections drop without a close frame.
    void stop();

private:
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace streamscope
