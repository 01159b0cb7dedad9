// SPDX-License-Identifier: GPL-3.0-or-later
#include "nodeh2server.h"

#include "tlstestserver.h"

#include <QDeadlineTimer>
#include <QDir>

namespace streamscope {

NodeH2Server::NodeH2Server(const NodeH2ServerOptions &options)
    : m_options(options)
{
    m_process.setProgram(QStringLiteral("node"));
    QObject::connect(
        &m_process, &QProcess::readyReadStandardOutput, &m_process, [this] { readOutput(); });
    if (m_options.tls) {
        testtls::writePemFiles(m_folder.path());
    }
    start();
}

NodeH2Server::~NodeH2Server()
{
    stop();
}

void NodeH2Server::start()
{
    QStringList arguments{QStringLiteral(STREAMSCOPE_TEST_PEERS "/h2-server.mjs")};
    if (m_options.tls) {
        const QDir folder(m_folder.path());
        arguments << QStringLiteral("--tls") << folder.filePath(QStringLiteral("cert.pem"))
                  << folder.filePath(QStringLiteral("key.pem"));
    }
    if (m_options.allowHttp1) {
        arguments << QStringLiteral("--allow-http1");
    }
    if (m_options.maxConcurrent > 0) {
        arguments << QStringLiteral("--max-concurrent") << QString::number(m_options.maxConcurrent);
    }
    if (m_options.mode == NodeH2ServerOptions::Mode::Garbage) {
        arguments << QStringLiteral("--mode") << QStringLiteral("garbage");
    } else if (m_options.mode == NodeH2ServerOptions::Mode::Silent) {
        arguments << QStringLiteral("--mode") << QStringLiteral("silent");
    }
    if (m_port != 0) {
        arguments << QStringLiteral("--port") << QString::number(m_port);
    }
    m_partialLine.clear();
    m_listening = false;
    m_process.setArguments(arguments);
    m_process.start();
}

void NodeH2Server::readOutput()
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
        } else if (line.startsWith("session ")) {
            ++m_sessions;
        } else if (line == "closed-session") {
            ++m_closedSessions;
        } else if (line.startsWith("stream ")) {
            ++m_streams;
            const QList<QByteArray> words = line.split(' ');
            m_streamTargets.append(QString::fromUtf8(words.value(2)));
        }
    }
}

bool NodeH2Server::waitForListening(QString *error)
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
            *error = QStringLiteral("h2-server.mjs did not start listening: ")
                + QString::fromUtf8(m_partialLine + m_process.readAllStandardError());
            return false;
        }
    }
    return true;
}

QUrl NodeH2Server::url(const QString &path) const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2%3")
                    .arg(m_options.tls ? QStringLiteral("https") : QStringLiteral("http"))
                    .arg(m_port)
                    .arg(path));
}

QString NodeH2Server::caFile() const
{
    return m_options.tls ? QDir(m_folder.path()).filePath(QStringLiteral("ca.pem")) : QString();
}

void NodeH2Server::sendCommand(const QByteArray &command)
{
    m_process.write(command + '\n');
}

void NodeH2Server::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool NodeH2Server::restart(QString *error)
{
    if (m_port == 0) {
        *error = QStringLiteral("h2-server.mjs never listened: nothing to restart");
        return false;
    }
    stop();
    start();
    return waitForListening(error);
}

} // namespace streamscope
