// SPDX-License-Identifier: GPL-3.0-or-later
#include "nodesocketioserver.h"

#include <QDeadlineTimer>

namespace streamscope {

NodeSocketIoServer::NodeSocketIoServer(const NodeSocketIoServerOptions &options)
    : m_options(options)
{
    m_process.setProgram(QStringLiteral("node"));
    QObject::connect(
        &m_process, &QProcess::readyReadStandardOutput, &m_process, [this] { readOutput(); });
    start();
}

NodeSocketIoServer::~NodeSocketIoServer()
{
    stop();
}

void NodeSocketIoServer::start()
{
    QStringList arguments{QStringLiteral(STREAMSCOPE_TEST_PEERS "/socketio-server.mjs")};
    if (m_options.pingIntervalMs > 0) {
        arguments << QStringLiteral("--ping-interval") << QString::number(m_options.pingIntervalMs);
    }
    if (m_options.pingTimeoutMs > 0) {
        arguments << QStringLiteral("--ping-timeout") << QString::number(m_options.pingTimeoutMs);
    }
    if (m_port != 0) {
        arguments << QStringLiteral("--port") << QString::number(m_port);
    }
    m_partialLine.clear();
    m_listening = false;
    m_process.setArguments(arguments);
    m_process.start();
}

void NodeSocketIoServer::readOutput()
{
    m_partialLine += m_process.readAllStandardOutput();
    qsizetype end;
    while ((end = m_partialLine.indexOf('\n')) >= 0) {
        const QByteArray line = m_partialLine.left(end).trimmed();
        m_partialLine.remove(0, end + 1);
        if (line.startsWith("listening ")) {
            bool ok = false;
            const quint16 port = line.mid(10).toUShort(&ok);
            if (ok && port != 0) {
                m_port = port;
                m_listening = true;
            }
        } else {
            m_lines.append(line);
        }
    }
}

int NodeSocketIoServer::connections(const QByteArray &nameSpace) const
{
    return int(m_lines.count("connection " + nameSpace));
}

int NodeSocketIoServer::refusals(const QByteArray &nameSpace) const
{
    return int(m_lines.count("refused " + nameSpace));
}

bool NodeSocketIoServer::waitForListening(QString *error)
{
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("cannot start node (%1): run scripts/install-deps")
                     .arg(m_process.errorString());
        return false;
    }
    const QDeadlineTimer deadline(20000);
    while (!m_listening) {
        // readOutput runs from readyReadStandardOutput inside the wait.
        if (!m_process.waitForReadyRead(int(deadline.remainingTime()))) {
            *error = QStringLiteral("socketio-server.mjs did not start listening: ")
                + QString::fromUtf8(m_partialLine + m_process.readAllStandardError());
            return false;
        }
    }
    return true;
}

void NodeSocketIoServer::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool NodeSocketIoServer::restart(QString *error)
{
    if (m_port == 0) {
        *error = QStringLiteral("socketio-server.mjs never listened: nothing to restart");
        return false;
    }
    stop();
    start();
    return waitForListening(error);
}

} // namespace streamscope
