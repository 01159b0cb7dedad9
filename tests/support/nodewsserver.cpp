// SPDX-License-Identifier: GPL-3.0-or-later
#include "nodewsserver.h"

#include <QDeadlineTimer>

namespace streamscope {

NodeWsServer::NodeWsServer(const QStringList &arguments)
{
    m_process.setProgram(QStringLiteral("node"));
    m_process.setArguments(
        QStringList{QStringLiteral(STREAMSCOPE_TEST_PEERS "/ws-server.mjs")} + arguments);
    m_process.start();
}

NodeWsServer::~NodeWsServer()
{
    stop();
}

bool NodeWsServer::waitForListening(QString *error)
{
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("cannot start node (%1): run scripts/install-deps")
                     .arg(m_process.errorString());
        return false;
    }
    const QDeadlineTimer deadline(20000);
    QByteArray out;
    while (!out.contains('\n')) {
        if (!m_process.waitForReadyRead(int(deadline.remainingTime()))) {
            *error = QStringLiteral("ws-server.mjs did not start listening: ")
                + QString::fromUtf8(out + m_process.readAllStandardError());
            return false;
        }
        out += m_process.readAllStandardOutput();
    }
    const QByteArray line = out.left(out.indexOf('\n')).trimmed();
    bool ok = false;
    m_port = line.startsWith("listening ") ? line.mid(10).toUShort(&ok) : 0;
    if (!ok || m_port == 0) {
        *error = QStringLiteral("ws-server.mjs said: ") + QString::fromUtf8(line);
        return false;
    }
    return true;
}

void NodeWsServer::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

} // namespace streamscope
