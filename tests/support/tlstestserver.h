// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "testcertificates.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryFile>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketServer>

#include <utility>

namespace streamscope::testtls {

// A server side TLS configuration presenting one of the test certificates.
inline QSslConfiguration serverConfiguration(const char *certificatePem)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(QSslCertificate(QByteArray(certificatePem), QSsl::Pem));
    configuration.setPrivateKey(QSslKey(QByteArray(s_leafKeyPem), QSsl::Ec));
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    return configuration;
}

// The test CA, the good (127.0.0.1, localhost) certificate and the key as ca.pem, cert.pem and
// key.pem in folder, for servers that read files (node, nginx). False if one cannot be written.
inline bool writePemFiles(const QString &folder)
{
    const QDir dir(folder);
    const std::pair<const char *, const char *> files[] = {
        {"ca.pem", s_caCertificatePem},
        {"cert.pem", s_goodCertificatePem},
        {"key.pem", s_leafKeyPem},
    };
    for (const auto &[name, pem] : files) {
        QFile file(dir.filePath(QLatin1String(name)));
        if (!file.open(QIODevice::WriteOnly) || file.write(pem) < 0) {
            return false;
        }
    }
    return true;
}

// The test CA in a PEM file, for caCertificatesFile; removed with this object.
class CaFile
{
public:
    explicit CaFile(const QByteArray &pem = QByteArray(s_caCertificatePem))
    {
        m_file.open();
        m_file.write(pem);
        m_file.flush();
    }
    QString fileName() const { return m_file.fileName(); }

private:
    QTemporaryFile m_file;
};

// A wss:// server on 127.0.0.1, port 0, presenting the certificate given; greets every client.
class WssServer
{
public:
    explicit WssServer(const char *certificatePem)
        : m_server(QStringLiteral("tls test"), QWebSocketServer::SecureMode)
    {
        m_server.setSslConfiguration(serverConfiguration(certificatePem));
        QObject::connect(&m_server, &QWebSocketServer::newConnection, &m_server, [this] {
            while (QWebSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(&m_server);
                socket->sendTextMessage(QStringLiteral("hello"));
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    bool isListening() const { return m_server.isListening(); }
    QUrl url() const
    {
        return QUrl(QStringLiteral("wss://127.0.0.1:%1/").arg(m_server.serverPort()));
    }

private:
    QWebSocketServer m_server;
};

// An https server on 127.0.0.1, port 0, presenting the certificate given: every request gets
// one SSE event ("data: hello") and the connection is kept open.
class TlsSseServer : public QTcpServer
{
public:
    explicit TlsSseServer(const char *certificatePem)
        : m_configuration(serverConfiguration(certificatePem))
    {
        listen(QHostAddress::LocalHost, 0);
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("https://127.0.0.1:%1/stream").arg(serverPort()));
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QSslSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        socket->setSslConfiguration(m_configuration);
        QObject::connect(socket, &QSslSocket::readyRead, socket, [socket] {
            QByteArray request = socket->property("request").toByteArray() + socket->readAll();
            socket->setProperty("request", request.right(8));
            if (request.contains("\r\n\r\n")) {
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                              "Cache-Control: no-cache\r\nConnection: close\r\n\r\n"
                              "data: hello\n\n");
            }
        });
        QObject::connect(
            socket, &QSslSocket::disconnected, socket, [socket] { socket->deleteLater(); });
        socket->startServerEncryption();
    }

private:
    QSslConfiguration m_configuration;
};

} // namespace streamscope::testtls
