// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSslCertificate>
#include <QTcpServer>
#include <QUrl>

#include <functional>
#include <memory>

class QTcpSocket;

namespace streamscope {

// One HTTP/1.1 request as the test server received it.
struct SseTestRequest
{
    QByteArray method;
    QByteArray target; // the request target as sent, e.g. "/stream?x=1"
    QList<QPair<QByteArray, QByteArray>> headers; // in arrival order, names as sent
    QByteArray body; // read by Content-Length
    int index = 0; // counted from 0 over the life of the server

    // The first header of that name (case-insensitive); empty when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
};

// What the test server answers to one request.
struct SseTestResponse
{
    enum class End {
        Close, // close the connection after the last chunk (chunked: after the final 0-chunk)
        KeepOpen, // leave it open: the test ends it with closeAllClients() or stop()
        Reset, // abort with a TCP reset after the last chunk
    };

    int status = 200; // 0: send no response at all, just end the connection as `end` says
    QByteArray reason = "OK";
    QList<QPair<QByteArray, QByteArray>> headers; // Content-Type included: nothing is implied
    QByteArrayList chunks; // body pieces, each written (and flushed) separately
    int intervalMs = -1; // < 0: write every chunk at once; otherwise one chunk per timer tick
    bool chunked = false; // Transfer-Encoding: chunked; otherwise the body ends with the connection
    // Content-Length instead (chunks written at once); with End::Close the server then waits for
    // the client to close first. Why: a server that closes at once races QNAM, whose HTTP/1
    // channel sends a request a second time when it sees the close before it starts reading the
    // response (RemoteHostClosedError while writing or waiting: a legitimate retry, but one more
    // request recorded). A body that ends with the connection cannot avoid the close, so tests
    // of streams count the client's attempts; tests of error responses can count requests.
    bool lengthKnown = false;
    End end = End::Close;

    // A text/event-stream response with the given body chunks.
    static SseTestResponse stream(const QByteArrayList &chunks, End end = End::Close);
    // A status with an optional header, e.g. error(302, "Found", {{"Location", "/x"}}); its body
    // (empty unless chunks are added) has a Content-Length.
    static SseTestResponse error(int status, const QByteArray &reason,
        const QList<QPair<QByteArray, QByteArray>> &headers = {});
};

// A scriptable HTTP/1.1 server on 127.0.0.1 for tests and benchmarks: each request is answered
// by the handler, every request is recorded. Responses always say Connection: close, so one
// connection carries one request.
class SseTestServer : public QObject
{
    Q_OBJECT
public:
    // index (also request.index) counts every request the server has received, from 0.
    using Handler = std::function<SseTestResponse(const SseTestRequest &request, int index)>;

    explicit SseTestServer(QObject *parent = nullptr);
    // Listens at once on a free port and answers every request with the same stream.
    explicit SseTestServer(const QByteArrayList &chunks, QObject *parent = nullptr);
    ~SseTestServer() override;

    // https with a built-in self-signed certificate for 127.0.0.1 and localhost, from the next
    // listen() on. A client trusts it by adding tlsCertificate() to its CA certificates.
    void setTlsEnabled(bool enabled) { m_tls = enabled; }
    static QSslCertificate tlsCertificate();

    // 0: any free port. Returns false when the port cannot be bound.
    bool listen(quint16 port = 0);
    // Stops listening and drops every connection; listen(port()) starts again on the same port.
    void stop();
    bool isListening() const { return m_server && m_server->isListening(); }
    quint16 port() const { return m_port; }
    // http://127.0.0.1:<port><path> (https with TLS)
    QUrl url(const QString &path = QStringLiteral("/")) const;

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    QList<SseTestRequest> requests() const { return m_requests; }
    int requestCount() const { return int(m_requests.size()); }
    // Ends every open connection (a clean close, as a server restart would).
    void closeAllClients();
    int clientCount() const { return int(m_clients.size()); }

signals:
    void requestReceived(const streamscope::SseTestRequest &request);

private:
    class Client;
    void acceptClients();
    void answer(Client *client, SseTestRequest request);
    void forget(Client *client);

    std::unique_ptr<QTcpServer> m_server; // handing out QSslSockets with TLS
    bool m_tls = false;
    quint16 m_port = 0;
    Handler m_handler;
    QList<SseTestRequest> m_requests;
    QList<Client *> m_clients; // children of this server
};

} // namespace streamscope
