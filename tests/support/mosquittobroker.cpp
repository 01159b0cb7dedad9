// SPDX-License-Identifier: GPL-3.0-or-later
#include "mosquittobroker.h"

#include "rawtestserver.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTcpSocket>

#include <csignal>
#include <sys/types.h>
#include <unistd.h>

namespace streamscope {

namespace {

// Debian puts mosquitto in /usr/sbin, which is not on every user's PATH.
QString findProgram(const QString &name)
{
    QString program = QStandardPaths::findExecutable(name);
    if (program.isEmpty()) {
        program = QStandardPaths::findExecutable(
            name, QStringList{QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin")});
    }
    return program;
}

bool accepts(quint16 port)
{
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, port);
    return probe.waitForConnected(1000);
}

} // namespace

MosquittoBroker::MosquittoBroker(const MosquittoBrokerOptions &options)
    : m_options(options)
    , m_webSocketPort(unusedLocalPort())
    , m_plainPort(unusedLocalPort())
{
    if (m_plainPort == m_webSocketPort) {
        m_plainPort = unusedLocalPort();
    }
    const QDir folder(m_folder.path());
    QStringList lines{
        QStringLiteral("listener %1 127.0.0.1").arg(m_webSocketPort),
        QStringLiteral("protocol websockets"),
        QStringLiteral("listener %1 127.0.0.1").arg(m_plainPort),
        QStringLiteral("persistence false"),
        QStringLiteral("log_dest stderr"), // unbuffered, unlike stdout into a pipe
        QStringLiteral("log_type all"),
        QStringLiteral("per_listener_settings false"),
    };
    // As root, mosquitto switches to the user "mosquitto", which cannot read our 0700 folder
    // (the password file); staying root needs saying so.
    if (::geteuid() == 0) {
        lines << QStringLiteral("user root");
    }
    if (m_options.username.isEmpty()) {
        lines << QStringLiteral("allow_anonymous true");
    } else {
        const QString passwordFile = folder.filePath(QStringLiteral("passwords"));
        const QString tool = findProgram(QStringLiteral("mosquitto_passwd"));
        QProcess passwd;
        passwd.setProcessChannelMode(QProcess::MergedChannels);
        if (tool.isEmpty()) {
            m_startError = QStringLiteral("mosquitto_passwd not found: run scripts/install-deps");
            return;
        }
        passwd.start(tool,
            QStringList{QStringLiteral("-b"), QStringLiteral("-c"), passwordFile,
                m_options.username, m_options.password});
        if (!passwd.waitForFinished(20000) || passwd.exitCode() != 0) {
            m_startError
                = QStringLiteral("mosquitto_passwd failed: ") + QString::fromUtf8(passwd.readAll());
            return;
        }
        lines << QStringLiteral("allow_anonymous false")
              << QStringLiteral("password_file %1").arg(passwordFile);
    }
    lines << m_options.extraLines;
    m_configuration = lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
    QFile file(folder.filePath(QStringLiteral("mosquitto.conf")));
    if (!file.open(QIODevice::WriteOnly) || file.write(m_configuration.toUtf8()) < 0) {
        m_startError = QStringLiteral("cannot write %1").arg(file.fileName());
        return;
    }
    file.close();
    const QString program = findProgram(QStringLiteral("mosquitto"));
    if (program.isEmpty()) {
        m_startError = QStringLiteral("mosquitto not found: run scripts/install-deps");
        return;
    }
    m_process.setProgram(program);
    m_process.setArguments(QStringList{QStringLiteral("-c"), file.fileName()});
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    start();
}

MosquittoBroker::~MosquittoBroker()
{
    resume();
    stop();
}

void MosquittoBroker::start()
{
    m_process.start();
}

bool MosquittoBroker::waitForListening(QString *error)
{
    if (!m_startError.isEmpty()) {
        *error = m_startError;
        return false;
    }
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("cannot start mosquitto (%1)").arg(m_process.errorString());
        return false;
    }
    const QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        if (accepts(m_webSocketPort) && accepts(m_plainPort)) {
            return true;
        }
        if (m_process.state() == QProcess::NotRunning || m_process.waitForFinished(50)) {
            *error
                = QStringLiteral("mosquitto exited (%1): %2").arg(m_process.exitCode()).arg(log());
            return false;
        }
    }
    *error = QStringLiteral("mosquitto did not listen on ports %1 and %2: %3")
                 .arg(m_webSocketPort)
                 .arg(m_plainPort)
                 .arg(log());
    return false;
}

QUrl MosquittoBroker::url() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_webSocketPort));
}

void MosquittoBroker::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_log += m_process.readAll();
        m_process.kill();
        m_process.waitForFinished(5000);
        m_log += m_process.readAll();
    }
}

void MosquittoBroker::pause()
{
    if (m_process.state() == QProcess::Running) {
        ::kill(pid_t(m_process.processId()), SIGSTOP);
    }
}

void MosquittoBroker::resume()
{
    if (m_process.state() == QProcess::Running) {
        ::kill(pid_t(m_process.processId()), SIGCONT);
    }
}

bool MosquittoBroker::restart(QString *error)
{
    stop();
    start();
    return waitForListening(error);
}

bool MosquittoBroker::publish(const QString &topic, const QByteArray &message, bool retain, int qos,
    QString *error, const QStringList &extraArguments)
{
    QStringList arguments{QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
        QString::number(m_plainPort), QStringLiteral("-t"), topic, QStringLiteral("-m"),
        QString::fromUtf8(message)};
    if (retain) {
        arguments << QStringLiteral("-r");
    }
    if (qos > 0) {
        arguments << QStringLiteral("-q") << QString::number(qos);
    }
    if (!m_options.username.isEmpty()) {
        arguments << QStringLiteral("-u") << m_options.username << QStringLiteral("-P")
                  << m_options.password;
    }
    arguments << extraArguments;
    QProcess pub;
    pub.setProcessChannelMode(QProcess::MergedChannels);
    pub.start(findProgram(QStringLiteral("mosquitto_pub")), arguments);
    const bool ok = pub.waitForFinished(20000) && pub.exitStatus() == QProcess::NormalExit
        && pub.exitCode() == 0;
    if (!ok && error) {
        *error = QStringLiteral("mosquitto_pub failed (%1): %2")
                     .arg(pub.exitCode())
                     .arg(QString::fromUtf8(pub.readAll()));
    }
    return ok;
}

QString MosquittoBroker::log()
{
    m_log += m_process.readAll();
    return QString::fromUtf8(m_log);
}

} // namespace streamscope
