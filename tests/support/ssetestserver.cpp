// SPDX-License-Identifier: GPL-3.0-or-later
#include "ssetestserver.h"

#include <QPointer>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace streamscope {

namespace {

// Bounds on what one request may bring; over them the connection is dropped.
constexpr qsizetype s_maxHeadBytes = 64 * 1024;
constexpr qsizetype s_maxBodyBytes = 64 * 1024 * 1024;
// How long a response of known length waits for the client to close the connection.
constexpr int s_clientCloseWaitMs = 10000;

// A self-signed P-256 certificate for 127.0.0.1 and localhost, valid until 2126, made with
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
//     -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost
// Test use only: the key is public.
const char s_certificatePem[] = "-----BEGIN CERTIFICATE-----\n"
                                "MIIBmTCCAT6gAwIBAgIUAVhGP3YuWTYF+0mtPofiGbMjukMwCgYIKoZIzj0EAwIw\n"
                                "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMjA1MjAzOFoYDzIxMjYxMDI5\n"
                                "MDUyMDM4WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
                                "PQMBBwNCAARXmCPaIwMUiAFXQ0KZTjJX3AQbfK9scUJF17uIqT0eGuuWqlNv1VV8\n"
                                "Nq2id5i0M+4rII6TPFkICXLHXjn8WlGpo2wwajAdBgNVHQ4EFgQUwB066hFZtvkU\n"
                                "AS1jro103ITkUmIwHwYDVR0jBBgwFoAUwB066hFZtvkUAS1jro103ITkUmIwGgYD\n"
                                "VR0RBBMwEYcEfwAAAYIJbG9jYWxob3N0MAwGA1UdEwEB/wQCMAAwCgYIKoZIzj0E\n"
                                "AwIDSQAwRgIhAN1zoqFCCqsifBc2eqAOAGeqEB1ONl5EDnYZW3lRRW2BAiEAxrNM\n"
                                "FICIRmB6bBHrgNF4OHYCa1t/s4e8/c/uVi4kgTo=\n"
                                "-----END CERTIFICATE-----\n";
const char s_privateKeyPem[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1EQQ8UA80XdFR+gk\n"
                               "4L/JulhpOLR68zOBiPXz9vOISaGhRANCAARXmCPaIwMUiAFXQ0KZTjJX3AQbfK9s\n"
                               "cUJF17uIqT0eGuuWqlNv1VV8Nq2id5i0M+4rII6TPFkICXLHXjn8WlGp\n"
                               "-----END PRIVATE KEY-----\n";

// Hands out sockets that start their TLS handshake at once; the request is read from their
// decrypted stream. (Qt 6.4's QSslServer never handed over the connection in our tests.)
class TlsServer : public QTcpServer
{
public:
    explicit TlsServer(const QSslConfiguration &configuration)
        : m_configuration(configuration)
    {
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
        socket->startServerEncryption();
        addPendingConnection(socket);
    }

private:
    QSslConfiguration m_configuration;
};

} // namespace

QByteArray SseTestRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

bool SseTestRequest::hasHeader(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return false;
}

SseTestResponse SseTestResponse::stream(const QByteArrayList &chunks, End end)
{
    SseTestResponse response;
    response.headers = {{"Content-Type", "text/event-stream"}};
    response.chunks = chunks;
    response.end = end;
    return response;
}

SseTestResponse SseTestResponse::error(
    int status, const QByteArray &reason, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    SseTestResponse response;
    response.status = status;
    response.reason = reason;
    response.headers = headers;
    response.lengthKnown = true;
    return response;
}

// One accepted connection: reads one request, then writes the scripted response.
class SseTestServer::Client : public QObject
{
public:
    Client(QTcpSocket *socket, SseTestServer *server)
        : QObject(server)
        , m_socket(socket)
        , m_server(server)
    {
        m_socket->setParent(this);
        m_timer.setSingleShot(false);
        connect(m_socket, &QTcpSocket::readyRead, this, &Client::readRequest);
        connect(m_socket, &QTcpSocket::disconnected, this, [this] { m_server->forget(this); });
        connect(m_socket, &QTcpSocket::bytesWritten, this, &Client::resetWhenFlushed);
        connect(&m_timer, &QTimer::timeout, this, &Client::writeNextChunk);
        // A TLS socket may have decrypted the request before it was handed over.
        QMetaObject::invokeMethod(this, &Client::readRequest, Qt::QueuedConnection);
    }

    void respond(const SseTestResponse &response)
    {
        m_response = response;
        if (m_response.status != 0) {
            QByteArray head = "HTTP/1.1 " + QByteArray::number(m_response.status) + ' '
                + m_response.reason + "\r\n";
            for (const auto &[name, value] : m_response.headers) {
                head += name + ": " + value + "\r\n";
            }
            if (m_response.chunked) {
                head += "Transfer-Encoding: chunked\r\n";
            } else if (m_response.lengthKnown) {
                qsizetype length = 0;
                for (const QByteArray &chunk : std::as_const(m_response.chunks)) {
                    length += chunk.size();
                }
                head += "Content-Length: " + QByteArray::number(length) + "\r\n";
            }
            head += "Connection: close\r\n\r\n";
            m_socket->write(head);
            m_socket->flush();
        }
        if (m_response.status == 0 || m_response.intervalMs < 0) {
            while (m_next < m_response.chunks.size()) {
                writeChunk(m_response.chunks.at(m_next++));
            }
            finish();
        } else {
            m_timer.start(m_response.intervalMs);
        }
    }

    // A clean end: a chunked response gets its final chunk first.
    void closeCleanly()
    {
        m_timer.stop();
        m_next = m_response.chunks.size();
        if (m_socket->state() != QAbstractSocket::ConnectedState) {
            return;
        }
        if (m_responding && m_response.chunked) {
            m_socket->write("0\r\n\r\n");
        }
        m_socket->disconnectFromHost();
    }

private:
    void readRequest()
    {
        if (m_responding) {
            m_socket->readAll(); // one request per connection: ignore whatever follows
            return;
        }
        m_input += m_socket->readAll();
        if (m_headEnd < 0) {
            m_headEnd = m_input.indexOf("\r\n\r\n");
            if (m_headEnd < 0) {
                if (m_input.size() > s_maxHeadBytes) {
                    m_socket->abort();
                }
                return;
            }
            if (!parseHead()) {
                m_socket->abort();
                return;
            }
        }
        const qsizetype bodyStart = m_headEnd + 4;
        if (m_input.size() - bodyStart < m_bodyLength) {
            return;
        }
        m_request.body = m_input.mid(bodyStart, m_bodyLength);
        m_input.clear();
        m_responding = true;
        m_server->answer(this, std::move(m_request));
    }

    bool parseHead()
    {
        const QList<QByteArray> lines = m_input.left(m_headEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        if (requestLine.size() != 3) {
            return false;
        }
        m_request.method = requestLine.at(0);
        m_request.target = requestLine.at(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0) {
                return false;
            }
            m_request.headers.append({line.left(colon), line.mid(colon + 1).trimmed()});
        }
        bool ok = true;
        const QByteArray length = m_request.header("Content-Length");
        m_bodyLength = length.isEmpty() ? 0 : length.toLongLong(&ok);
        return ok && m_bodyLength >= 0 && m_bodyLength <= s_maxBodyBytes;
    }

    void writeChunk(const QByteArray &chunk)
    {
        if (chunk.isEmpty()) {
            return; // an empty chunk would end a chunked body
        }
        if (m_response.chunked && m_response.status != 0) {
            m_socket->write(QByteArray::number(chunk.size(), 16) + "\r\n");
            m_socket->write(chunk);
            m_socket->write("\r\n");
        } else {
            m_socket->write(chunk);
        }
    }

    void writeNextChunk()
    {
        if (m_next < m_response.chunks.size()) {
            writeChunk(m_response.chunks.at(m_next++));
            m_socket->flush(); // one write per tick, not one coalesced write
        }
        if (m_next >= m_response.chunks.size()) {
            m_timer.stop();
            finish();
        }
    }

    void finish()
    {
        switch (m_response.end) {
        case SseTestResponse::End::KeepOpen:
            break;
        case SseTestResponse::End::Close:
            if (m_response.chunked && m_response.status != 0) {
                m_socket->write("0\r\n\r\n");
            }
            if (m_response.lengthKnown && m_response.status != 0) {
                // The client closes once it has read the response (Connection: close); a client
                // that never does is dropped after a while.
                QTimer::singleShot(s_clientCloseWaitMs, m_socket, &QTcpSocket::disconnectFromHost);
            } else {
                m_socket->disconnectFromHost();
            }
            break;
        case SseTestResponse::End::Reset:
            m_resetPending = true;
            resetWhenFlushed();
            break;
        }
    }

    void resetWhenFlushed()
    {
        if (!m_resetPending || m_socket->bytesToWrite() > 0) {
            return;
        }
        m_resetPending = false;
#ifdef Q_OS_UNIX
        // Linger 0: closing sends RST instead of FIN, as a crashed peer or a middlebox would.
        const struct linger lingerOff = {1, 0};
        ::setsockopt(
            int(m_socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &lingerOff, sizeof lingerOff);
#endif
        m_socket->abort();
        m_server->forget(this);
    }

    QTcpSocket *m_socket;
    SseTestServer *m_server;
    QTimer m_timer;
    QByteArray m_input;
    qsizetype m_headEnd = -1;
    qint64 m_bodyLength = 0;
    SseTestRequest m_request;
    SseTestResponse m_response;
    qsizetype m_next = 0;
    bool m_responding = false;
    bool m_resetPending = false;
};

SseTestServer::SseTestServer(QObject *parent)
    : QObject(parent)
{
}

SseTestServer::SseTestServer(const QByteArrayList &chunks, QObject *parent)
    : SseTestServer(parent)
{
    setHandler([chunks](const SseTestRequest &, int) { return SseTestResponse::stream(chunks); });
    listen();
}

SseTestServer::~SseTestServer()
{
    // Clients call back into this server: delete them while its members still exist.
    for (Client *client : std::as_const(m_clients)) {
        delete client;
    }
}

QSslCertificate SseTestServer::tlsCertificate()
{
    return QSslCertificate(QByteArray(s_certificatePem), QSsl::Pem);
}

bool SseTestServer::listen(quint16 port)
{
    if (isListening()) {
        return false;
    }
    if (m_tls) {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificate(tlsCertificate());
        configuration.setPrivateKey(QSslKey(QByteArray(s_privateKeyPem), QSsl::Ec));
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server = std::make_unique<TlsServer>(configuration);
    } else {
        m_server = std::make_unique<QTcpServer>();
    }
    connect(m_server.get(), &QTcpServer::newConnection, this, &SseTestServer::acceptClients);
    if (!m_server->listen(QHostAddress::LocalHost, port)) {
        m_server.reset();
        return false;
    }
    m_port = m_server->serverPort();
    return true;
}

void SseTestServer::stop()
{
    if (m_server) {
        m_server->close();
    }
    const QList<Client *> clients = m_clients;
    m_clients.clear();
    for (Client *client : clients) {
        client->closeCleanly();
        client->deleteLater();
    }
}

QUrl SseTestServer::url(const QString &path) const
{
    QUrl url;
    url.setScheme(m_tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    return url.resolved(QUrl(path));
}

void SseTestServer::closeAllClients()
{
    const QList<Client *> clients = m_clients;
    for (Client *client : clients) {
        client->closeCleanly();
    }
}

void SseTestServer::acceptClients()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        m_clients.append(new Client(socket, this));
    }
}

void SseTestServer::answer(Client *client, SseTestRequest request)
{
    request.index = int(m_requests.size());
    m_requests.append(request);
    QPointer<Client> alive(client);
    emit requestReceived(request);
    if (!alive) {
        return;
    }
    const SseTestResponse response
        = m_handler ? m_handler(request, request.index) : SseTestResponse::error(404, "Not Found");
    if (alive) {
        client->respond(response);
    }
}

void SseTestServer::forget(Client *client)
{
    if (m_clients.removeOne(client)) {
        client->deleteLater();
    }
}

} // namespace streamscope
