// SPDX-License-Identifier: GPL-3.0-or-later
// A local WebSocket server for end-to-end benchmarks. Each client that connects to
//   ws://127.0.0.1:PORT/?messages=N[&size=BYTES]   gets N text messages of BYTES (default 60)
//   ws://127.0.0.1:PORT/?single=BYTES              gets one text message of BYTES in one frame
// as fast as it reads them, then a close frame. Messages are JSON metrics, with rows of records
// when the size allows, padded to exactly BYTES (bench/ws-bench-server.mjs sends the same).
// Prints "listening PORT" first and, per client, its send time on stderr.
// Usage: bench_wsserver [--port PORT] [--warm "SIZE... single:SIZE"]
//   --warm: make these messages before listening (e.g. "60 65536 single:16777216").

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <utility>

namespace {

// Sends are topped up from bytesWritten while fewer than this many bytes wait in the socket, so
// the server never frames the whole run ahead of the client nor lets the pipe run dry.
constexpr qint64 s_highWaterBytes = 4 * 1024 * 1024;
// Distinct messages per size: 1024, or fewer so that they hold at most 16 MiB.
constexpr int s_maxDistinctMessages = 1024;
constexpr qsizetype s_maxDistinctBytes = 16 * 1024 * 1024;

// Message `index` of exactly `size` bytes (at least 43), valid JSON: {"cpu":0.NN,"mem":0.NN,
// "seq":N, then "rows":[...] of records from a fixed pseudo-random sequence while they fit,
// then "pad":"xxx"}. Byte for byte what bench/ws-bench-server.mjs's makeMessage() makes.
QByteArray makeMessage(int index, qsizetype size)
{
    static const char *const regions[] = {"eu-west-1", "us-east-1", "ap-south-1"};
    static const char *const statuses[] = {"ok", "ok", "ok", "degraded"};
    const QByteArray head = "{\"cpu\":0." + QByteArray::number(10 + index % 90) + ",\"mem\":0."
        + QByteArray::number(10 + (index * 7) % 90) + ",\"seq\":" + QByteArray::number(index) + ',';
    const QByteArray rowsOpen = "\"rows\":[";
    const QByteArray rowsClose = "],";
    const QByteArray padOpen = "\"pad\":\"";
    const QByteArray padClose = "\"}";
    quint32 state = quint32(index) + 1;
    const auto next = [&state](quint32 modulus) {
        state = state * 1664525u + 1013904223u;
        return (state >> 8) % modulus;
    };
    const qsizetype fixed
        = head.size() + rowsOpen.size() + rowsClose.size() + padOpen.size() + padClose.size();
    QByteArray rows;
    for (qint64 k = 0;; ++k) {
        // One draw per field, in this order (the operands of + are not sequenced).
        const quint32 host = next(64);
        const quint32 region = next(3);
        const quint32 cpu = next(1000);
        const quint32 mem = next(1000);
        const quint32 latency = next(900) + 1;
        const quint32 status = next(4);
        const QByteArray row = "{\"id\":" + QByteArray::number(qint64(index) * 100000 + k)
            + ",\"host\":\"web-" + QByteArray::number(host).rightJustified(2, '0')
            + "\",\"region\":\"" + regions[region] + "\",\"cpu\":0."
            + QByteArray::number(cpu).rightJustified(3, '0') + ",\"mem\":0."
            + QByteArray::number(mem).rightJustified(3, '0') + ",\"latencyMs\":"
            + QByteArray::number(latency) + ",\"status\":\"" + statuses[status] + "\"}";
        const qsizetype grown = rows.size() + (rows.isEmpty() ? 0 : 1) + row.size();
        if (fixed + grown > size) {
            break;
        }
        if (!rows.isEmpty()) {
            rows += ',';
        }
        rows += row;
    }
    QByteArray text = head;
    if (!rows.isEmpty()) {
        text += rowsOpen + rows + rowsClose;
    }
    text += padOpen;
    text += QByteArray(std::max<qsizetype>(0, size - text.size() - padClose.size()), 'x');
    text += padClose;
    return text;
}

// The distinct messages of one size (one for a single message), made on first use.
const QList<QString> &messagesOf(qsizetype size, bool single)
{
    static std::map<std::pair<qsizetype, bool>, QList<QString>> cache;
    QList<QString> &messages = cache[{size, single}];
    if (messages.isEmpty()) {
        const int count = single
            ? 1
            : int(std::clamp<qsizetype>(s_maxDistinctBytes / size, 1, s_maxDistinctMessages));
        for (int i = 0; i < count; ++i) {
            messages.append(QString::fromLatin1(makeMessage(i, size)));
        }
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
            m_pending += m_socket->sendTextMessage(m_texts[int(m_sent % quint64(m_texts.size()))]);
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
        std::fprintf(stderr, "served messages=%llu size=%lld seconds=%.3f%s\n",
            static_cast<unsigned long long>(m_sent), static_cast<long long>(m_texts.first().size()),
            double(m_timer.nsecsElapsed()) / 1e9, note);
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
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = quint16(std::atoi(argv[++i]));
        } else if (std::strcmp(argv[i], "--warm") == 0 && i + 1 < argc) {
            // Made before listening, so the first client's time does not include them.
            for (const QByteArray &entry : QByteArray(argv[++i]).split(' ')) {
                const bool single = entry.startsWith("single:");
                const qsizetype size = (single ? entry.mid(7) : entry).toLongLong();
                if (size > 0) {
                    messagesOf(size, single);
                }
            }
        } else {
            std::fprintf(
                stderr, "usage: %s [--port PORT] [--warm \"SIZE... single:SIZE\"]\n", argv[0]);
            return 2;
        }
    }
    QWebSocketServer server(QStringLiteral("bench_wsserver"), QWebSocketServer::NonSecureMode);
    if (!server.listen(QHostAddress::LocalHost, port)) {
        std::fprintf(stderr, "bench_wsserver: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&] {
        while (QWebSocket *socket = server.nextPendingConnection()) {
            const QUrlQuery query(socket->requestUrl());
            bool ok = false;
            const qsizetype single = query.queryItemValue(QStringLiteral("single")).toLongLong();
            quint64 messages = 1;
            qsizetype size = single;
            if (single <= 0) {
                messages = query.queryItemValue(QStringLiteral("messages")).toULongLong(&ok);
                size = query.hasQueryItem(QStringLiteral("size"))
                    ? query.queryItemValue(QStringLiteral("size")).toLongLong()
                    : 60;
            }
            if ((single <= 0 && !ok) || size <= 0) {
                socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                    QStringLiteral("need ?messages=N[&size=BYTES] or ?single=BYTES"));
                QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
                continue;
            }
            if (single > 0) {
                // One frame, however large (QWebSocket splits at 512 KiB by default).
                socket->setOutgoingFrameSize(quint64(single));
            }
            new Feeder(socket, messages, messagesOf(size, single > 0));
        }
    });
    std::printf("listening %d\n", server.serverPort());
    std::fflush(stdout);
    return app.exec();
}
