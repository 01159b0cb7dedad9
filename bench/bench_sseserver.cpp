// SPDX-License-Identifier: GPL-3.0-or-later
// A fast local SSE server for end-to-end benchmarks: serves N pregenerated events of one shape
// as fast as the client reads, plain or chunked, then closes. Prints "listening PORT" first.
//
//   GET /sse?shape=small|multiline|large&events=N&encoding=plain|chunked
//   GET /page?<same query>   a page whose EventSource reads /sse and POSTs its count to /done
//   POST /done               its body is printed on stdout as "done <body>"
//
// Blocking sockets and one thread per connection keep the server's own cost to a write() per
// block of events, far below any client's; it reports each stream's write time on stderr.

#include "eventshapes.h"

#include <QByteArray>
#include <QList>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

using namespace streamscope::bench;

namespace {

constexpr qsizetype s_blockBytes = 1024 * 1024; // events per write, at least this many bytes
constexpr qsizetype s_chunkBytes = 16 * 1024; // chunked encoding: events per chunk, about
constexpr qsizetype s_maxRequestBytes = 64 * 1024;

std::mutex s_outputMutex;

// Events 0..count-1 of one shape, back to back, with each event's end offset.
struct Block
{
    QByteArray bytes;
    QList<qsizetype> ends;

    qsizetype events() const { return ends.size(); }
    qsizetype endOf(qsizetype events) const { return events == 0 ? 0 : ends[events - 1]; }
};

Block makeBlock(Shape shape)
{
    Block block;
    quint64 n = 0;
    while (block.bytes.size() < s_blockBytes) {
        block.bytes += makeEvent(shape, n++);
        block.ends.append(block.bytes.size());
    }
    return block;
}

const Block &blockFor(Shape shape)
{
    static const Block s_blocks[]
        = {makeBlock(Shape::Small), makeBlock(Shape::MultiLine), makeBlock(Shape::Large)};
    return s_blocks[int(shape)];
}

// The first `events` events of the block, framed for the wire.
QByteArray frame(const Block &block, qsizetype events, bool chunked)
{
    if (!chunked) {
        return block.bytes.first(block.endOf(events));
    }
    QByteArray out;
    qsizetype from = 0;
    qsizetype done = 0;
    while (done < events) {
        qsizetype to = done + 1;
        while (to < events && block.endOf(to + 1) - block.endOf(done) <= s_chunkBytes) {
            ++to;
        }
        const qsizetype size = block.endOf(to) - from;
        out += QByteArray::number(size, 16) + "\r\n";
        out += QByteArrayView(block.bytes).sliced(from, size);
        out += "\r\n";
        from = block.endOf(to);
        done = to;
    }
    return out;
}

bool sendAll(int fd, const char *p, qsizetype size)
{
    while (size > 0) {
        const ssize_t sent = ::send(fd, p, size_t(size), MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false; // the client went away; nothing to report
        }
        p += sent;
        size -= sent;
    }
    return true;
}

bool sendAll(int fd, const QByteArray &bytes)
{
    return sendAll(fd, bytes.constData(), bytes.size());
}

struct Request
{
    QByteArray method;
    QByteArray path;
    QByteArray query;
    QByteArray body;
};

QByteArray queryValue(const QByteArray &query, QByteArrayView key)
{
    for (const QByteArray &pair : query.split('&')) {
        const qsizetype eq = pair.indexOf('=');
        if (eq > 0 && QByteArrayView(pair).first(eq) == key) {
            return pair.mid(eq + 1);
        }
    }
    return {};
}

std::optional<Request> readRequest(int fd)
{
    QByteArray in;
    char buffer[4096];
    qsizetype headEnd = -1;
    while ((headEnd = in.indexOf("\r\n\r\n")) < 0) {
        if (in.size() > s_maxRequestBytes) {
            return std::nullopt;
        }
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) {
            return std::nullopt;
        }
        in.append(buffer, got);
    }
    const QByteArray head = in.first(headEnd);
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() < 2) {
        return std::nullopt;
    }
    Request request;
    request.method = requestLine[0];
    const QByteArray &target = requestLine[1];
    const qsizetype question = target.indexOf('?');
    request.path = question < 0 ? target : target.first(question);
    request.query = question < 0 ? QByteArray() : target.mid(question + 1);
    qsizetype contentLength = 0;
    for (const QByteArray &line : lines) {
        if (line.toLower().startsWith("content-length:")) {
            contentLength = line.mid(15).trimmed().toLongLong();
        }
    }
    if (contentLength < 0 || contentLength > s_maxRequestBytes) {
        return std::nullopt;
    }
    request.body = in.mid(headEnd + 4);
    while (request.body.size() < contentLength) {
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) {
            return std::nullopt;
        }
        request.body.append(buffer, got);
    }
    return request;
}

void respond(int fd, const char *status, const QByteArray &type, const QByteArray &body)
{
    sendAll(fd,
        QByteArray("HTTP/1.1 ") + status + "\r\nContent-Type: " + type
            + "\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
}

struct StreamSpec
{
    Shape shape = Shape::Small;
    quint64 events = 0;
    bool chunked = false;
};

std::optional<StreamSpec> streamSpec(const QByteArray &query)
{
    StreamSpec spec;
    const std::optional<Shape> shape = shapeFromName(queryValue(query, "shape"));
    bool ok = false;
    spec.events = queryValue(query, "events").toULongLong(&ok);
    const QByteArray encoding = queryValue(query, "encoding");
    if (!shape || !ok || (encoding != "plain" && encoding != "chunked")) {
        return std::nullopt;
    }
    spec.shape = *shape;
    spec.chunked = encoding == "chunked";
    return spec;
}

void serveStream(int fd, const StreamSpec &spec)
{
    QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                      "Cache-Control: no-store\r\nConnection: close\r\n";
    if (spec.chunked) {
        head += "Transfer-Encoding: chunked\r\n";
    }
    head += "\r\n";
    const Block &block = blockFor(spec.shape);
    const QByteArray whole = frame(block, block.events(), spec.chunked);
    const quint64 fullBlocks = spec.events / quint64(block.events());
    const qsizetype rest = qsizetype(spec.events % quint64(block.events()));
    const QByteArray tail = frame(block, rest, spec.chunked) + (spec.chunked ? "0\r\n\r\n" : "");

    const auto start = std::chrono::steady_clock::now();
    bool ok = sendAll(fd, head);
    quint64 bytes = 0;
    for (quint64 i = 0; ok && i < fullBlocks; ++i) {
        ok = sendAll(fd, whole);
        bytes += quint64(whole.size());
    }
    ok = ok && sendAll(fd, tail);
    bytes += quint64(tail.size());
    const double seconds
        = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::lock_guard lock(s_outputMutex);
    std::fprintf(stderr, "served shape=%s encoding=%s events=%llu bytes=%llu seconds=%.3f%s\n",
        shapeName(spec.shape), spec.chunked ? "chunked" : "plain",
        static_cast<unsigned long long>(spec.events), static_cast<unsigned long long>(bytes),
        seconds, ok ? "" : " (client left early)");
}

// The browser's client: counts events of the shape's type and reports once, by a POST.
QByteArray page(const QByteArray &query, Shape shape)
{
    return "<!doctype html><meta charset=utf-8><title>running</title><script>\n"
           "const n = "
        + queryValue(query, "events")
        + ";\n"
          "let count = 0, bytes = 0, start = performance.now(), reported = false;\n"
          "function report(error) {\n"
          "  if (reported) return;\n"
          "  reported = true;\n"
          "  source.close();\n"
          "  const ms = performance.now() - start;\n"
          "  fetch('/done', {method: 'POST', body: JSON.stringify({events: count, bytes, ms, "
          "error})})\n"
          "    .then(() => { document.title = 'done'; });\n"
          "}\n"
          "const source = new EventSource('/sse?"
        + query
        + "');\n"
          "source.onopen = () => { start = performance.now(); };\n"
          "source.addEventListener('"
        + eventType(shape)
        + "', (e) => {\n"
          "  bytes += e.data.length;\n"
          "  if (++count === n) report(false);\n"
          "});\n"
          "source.onerror = () => { if (count < n) report(true); };\n"
          "</script>\n";
}

void serve(int fd)
{
    const std::optional<Request> request = readRequest(fd);
    if (!request) {
        ::close(fd);
        return;
    }
    if (request->method == "POST" && request->path == "/done") {
        respond(fd, "200 OK", "text/plain", "ok\n");
        const std::lock_guard lock(s_outputMutex);
        std::printf("done %s\n", request->body.constData());
        std::fflush(stdout);
    } else if (request->method != "GET") {
        respond(fd, "405 Method Not Allowed", "text/plain", "GET or POST /done\n");
    } else if (const std::optional<StreamSpec> spec = streamSpec(request->query); !spec) {
        respond(fd, "400 Bad Request", "text/plain",
            "need ?shape=small|multiline|large&events=N&encoding=plain|chunked\n");
    } else if (request->path == "/sse") {
        serveStream(fd, *spec);
    } else if (request->path == "/page") {
        respond(fd, "200 OK", "text/html", page(request->query, spec->shape));
    } else {
        respond(fd, "404 Not Found", "text/plain", "no such path\n");
    }
    ::shutdown(fd, SHUT_WR);
    // Drain until the client closes, so our close does not reset data it has not read yet.
    char sink[4096];
    while (::recv(fd, sink, sizeof sink, 0) > 0) { }
    ::close(fd);
}

} // namespace

int main(int argc, char **argv)
{
    int port = 0;
    if (argc == 3 && std::strcmp(argv[1], "--port") == 0) {
        port = std::atoi(argv[2]);
    } else if (argc != 1) {
        std::fprintf(stderr, "usage: %s [--port PORT]\n", argv[0]);
        return 2;
    }
    for (const Shape shape : s_allShapes) {
        blockFor(shape); // generate before the first client times anything
    }
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    const int yes = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(quint16(port));
    socklen_t length = sizeof address;
    if (::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || ::listen(listener, 64) != 0
        || ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        std::perror("bench_sseserver: listen");
        return 1;
    }
    std::printf("listening %d\n", ntohs(address.sin_port));
    std::fflush(stdout);
    for (;;) {
        const int fd = ::accept(listener, nullptr, nullptr);
        if (fd < 0) {
            if (errno == EINTR) {
                continue;
            }
            std::perror("bench_sseserver: accept");
            return 1;
        }
        std::thread(serve, fd).detach();
    }
}
