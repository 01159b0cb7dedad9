// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

namespace streamscope {

struct MosquittoBrokerOptions
{
    // A password file with this one user; anonymous clients are refused.
    QString username;
    QString password;
    QStringList extraLines; // appended to mosquitto.conf
};

// Debian's mosquitto (2.0) on 127.0.0.1: an MQTT over WebSocket listener for the client under
// test and a plain MQTT listener for mosquitto_pub and mosquitto_sub. Configuration, password
// file and log stay in a temporary folder; no persistence. Killed when this goes; restart()
// brings it back on the same ports.
class MosquittoBroker
{
public:
    explicit MosquittoBroker(const MosquittoBrokerOptions &options = {});
    ~MosquittoBroker();
    MosquittoBroker(const MosquittoBroker &) = delete;
    MosquittoBroker &operator=(const MosquittoBroker &) = delete;

    // Waits until both ports accept connections; false with the reason (its log, or
    // "mosquitto not found: run scripts/install-deps") in *error.
    bool waitForListening(QString *error);
    // ws://127.0.0.1:PORT/
    QUrl url() const;
    quint16 webSocketPort() const { return m_webSocketPort; }
    quint16 plainPort() const { return m_plainPort; }
    // Gone at once, as a crashed broker: its connections drop.
    void stop();
    // Frozen (SIGSTOP) and thawed (SIGCONT): its connections stay up but nothing answers.
    void pause();
    void resume();
    // Starts it again on the same ports and waits as waitForListening().
    bool restart(QString *error);
    // mosquitto_pub -h 127.0.0.1 -p PLAINPORT -t topic -m message [-r] [-q 1], with the
    // broker's credentials when it has some, and extra arguments ("-V", "5", "-D", ...). False
    // with its output in *error.
    bool publish(const QString &topic, const QByteArray &message, bool retain = false, int qos = 0,
        QString *error = nullptr, const QStringList &extraArguments = {});
    // What it logged so far, for a failing test to print.
    QString log();
    QString configuration() const { return m_configuration; }

private:
    void start();

    MosquittoBrokerOptions m_options;
    QTemporaryDir m_folder;
    QProcess m_process;
    QString m_configuration;
    QString m_startError;
    QByteArray m_log;
    quint16 m_webSocketPort = 0;
    quint16 m_plainPort = 0;
};

} // namespace streamscope
