// A local WebSocket server for end-to-end benchmarks: each client that connects to
// ws://127.0.0.1:PORT/?messages=N gets N small (~60 B) text messages as fast as it reads them,
// then a close frame. Prints "listening PORT" first and, per client, its send time on stderr.
// Usage: bench_wsserver [--port PORT]

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cstdio>
#include <cstring>

namespace {

// Sends are topped up from bytesWritten while fewer than this many bytes wait in the socket, so
// the server never frames the whole run ahead of the client nor lets the pipe run dry.
constexpr qint64 s_highWaterBytes = 4 * 1024 * 1024;
constexpr int s_distinctMessages = 1024;

QList<QString> makeMessages()
{
    QList<QString> messages;
    for (int i = 0; i < s_distinctMessages; ++i) {
        // Padded to 60 characters: {"cpu":0.NN,"mem":0.NN,"seq":NNNN,"pad":"..."}
        QString text = QStringLiteral("{\"cpu\":0.%1,\"mem\":0.%2,\"seq\":%3,\"pad\":\"")
                           .arg(10 + i % 90)
                           .arg(10 + (i * 7) % 90)
                           .arg(i, 4, 10, QLatin1Char('0'));
        text += QString(58 - text.size(), QLatin1Char('x'));
        text += QStringLiteral("\"}");
        messages.append(text);
    }
    return messages;
}

// Feeds one client its N messages, then closes.
class Feeder : public QObject
{
public:
    Feeder(QWebSocket *socket, quint64 messages, const QList<QString> &texts)
        : QObject(socket)
        , m_socket(socket)
        , m_texts(texts)
        , m_total(messages)
    {
        connect(socket, &QWebSocket::bytesWritten, this, [this](qint64 bytes) {
            m_pending -= bytes;
            topUp();
        });
        connect(socket, &QWebSocket::disconnected, this, [this] {
            if (!m_reported) {
                report(" (client left early)");
            }
            m_socket->deleteLater();
        });
        m_timer.start();
        topUp();
    }

private:
    void topUp()
    {
        while (m_sent < m_total && m_pending < s_highWaterBytes) {
            m_pending += m_socket->sendTextMessage(m_texts[int(m_sent % s_distinctMessages)]);
            ++m_sent;
        }
        if (m_sent == m_total && m_pending <= 0 && !m_closing) {
            m_closing = true;
            report("");
            m_socket->close();
        }
    }

    void report(const char *note)
    {
        m_reported = true;
        std::fprintf(stderr, "served messages=%llu seconds=%.3f%s\n",
            static_cast<unsigned long long>(m_sent), double(m_timer.nsecsElapsed()) / 1e9, note);
    }

    QWebSocket *m_socket; // our parent
    const QList<QString> &m_texts;
    QElapsedTimer m_timer;
    quint64 m_total;
    quint64 m_sent = 0;
    qint64 m_pending = 0; // framed but not yet written to the kernel
    bool m_closing = false;
    bool m_reported = false;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    quint16 port = 0;
    if (argc == 3 && std::strcmp(argv[1], "--port") == 0) {
        port = quint16(std::atoi(argv[2]));
    } else if (argc != 1) {
        std::fprintf(stderr, "usage: %s [--port PORT]\n", argv[0]);
        return 2;
    }
    const QList<QString> texts = makeMessages();
    QWebSocketServer server(QStringLiteral("bench_wsserver"), QWebSocketServer::NonSecureMode);
    if (!server.listen(QHostAddress::LocalHost, port)) {
        std::fprintf(stderr, "bench_wsserver: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&] {
        while (QWebSocket *socket = server.nextPendingConnection()) {
            bool ok = false;
            const quint64 messages = QUrlQuery(socket->requestUrl())
                                         .queryItemValue(QStringLiteral("messages"))
                                         .toULongLong(&ok);
            if (!ok) {
                socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                    QStringLiteral("need ?messages=N"));
                QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
                continue;
            }
            new Feeder(socket, messages, texts);
        }
    });
    std::printf("listening %d\n", server.serverPort());
    std::fflush(stdout);
    return app.exec();
}
