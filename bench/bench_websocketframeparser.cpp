// SPDX-License-Identifier: GPL-3.0-or-later
// WebSocketFrameParser throughput: messages/s and MB/s for small and large text messages, plain
// and permessage-deflate compressed, fed whole and in 64 KiB chunks; best of several runs.
// Prints figures only; never asserts a timing.
// Usage: bench_websocketframeparser [--runs N] [--mib MIB]

#include "permessagedeflate.h"
#include "websocketframeparser.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace streamscope;

namespace {

using Clock = std::chrono::steady_clock;

// Every run's checksum lands here, so no run's work is dead code to the optimiser.
volatile unsigned s_sink = 0;

struct Options
{
    int runs = 10;
    double maxSecondsPerCase = 1.5; // stop repeating a case after this, whatever runs says
    qsizetype payloadBytes = 32 * 1024 * 1024; // decompressed message bytes per stream
};

struct Stream
{
    QByteArray bytes; // server frames, as read from the socket
    quint64 messages = 0;
    quint64 payloadBytes = 0;
};

struct Run
{
    double seconds = 0;
    quint64 messages = 0;
    unsigned checksum = 0;
};

// JSON text like a market feed: mostly ASCII, numbers that differ, one non-ASCII field.
QByteArray makeMessage(qsizetype size, quint64 n)
{
    QByteArray out;
    out.reserve(size + 64);
    quint64 x = n * 2654435761u + 1;
    while (out.size() < size) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        out += "{\"seq\":" + QByteArray::number(n) + ",\"px\":" + QByteArray::number(x % 100000)
            + ",\"qty\":" + QByteArray::number((x >> 20) % 1000) + ",\"venue\":\"Zürich\"},";
    }
    // Cut to size at a code point boundary, then pad: the parser checks UTF-8.
    qsizetype cut = size;
    while (cut > 0 && (uchar(out.at(cut)) & 0xC0) == 0x80) {
        --cut;
    }
    out.truncate(cut);
    out.append(size - cut, ' ');
    return out;
}

void appendServerFrame(QByteArray &out, QByteArrayView payload, bool compressed)
{
    out.append(char(0x81 | (compressed ? 0x40 : 0)));
    const qsizetype size = payload.size();
    if (size < 126) {
        out.append(char(size));
    } else if (size <= 0xFFFF) {
        out.append(char(126)).append(char(size >> 8)).append(char(size));
    } else {
        out.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.append(char(quint64(size) >> shift));
        }
    }
    out.append(payload);
}

Stream makeStream(qsizetype messageBytes, bool compressed, qsizetype totalPayload)
{
    Stream stream;
    // The server's deflater: its client_* are our server_*, context takeover on.
    WebSocketDeflater deflater;
    QByteArray scratch;
    while (stream.payloadBytes < quint64(totalPayload)) {
        const QByteArray message = makeMessage(messageBytes, stream.messages);
        if (compressed) {
            scratch.clear();
            deflater.compressMessage(message, scratch);
            appendServerFrame(stream.bytes, scratch, true);
        } else {
            appendServerFrame(stream.bytes, message, false);
        }
        ++stream.messages;
        stream.payloadBytes += quint64(message.size());
    }
    return stream;
}

// The caller's loop as a connection would run it: feed, take the batch, reuse the list.
Run feedOnce(const Stream &stream, bool compressed, qsizetype chunk)
{
    Run run;
    WebSocketFrameParser parser;
    WebSocketInflater inflater;
    if (compressed) {
        parser.setInflater(&inflater);
    }
    QList<WebSocketInbound> out;
    const char *p = stream.bytes.constData();
    const qsizetype size = stream.bytes.size();
    const qsizetype step = chunk <= 0 ? size : chunk;
    const auto start = Clock::now();
    for (qsizetype at = 0; at < size; at += step) {
        if (!parser.feed(QByteArrayView(p + at, std::min(step, size - at)), out)) {
            std::fprintf(stderr, "error: %s\n", qPrintable(parser.errorString()));
            std::exit(1);
        }
        for (const WebSocketInbound &message : std::as_const(out)) {
            run.checksum
                += unsigned(uchar(message.payload.back())) + unsigned(message.payload.size());
        }
        run.messages += quint64(out.size());
        out.clear();
    }
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    s_sink = s_sink + run.checksum;
    return run;
}

void measure(const char *name, bool compressed, const char *feed, const Stream &stream,
    qsizetype chunk, const Options &options)
{
    Run best;
    double spent = 0;
    int runs = 0;
    while (runs < options.runs && (runs == 0 || spent < options.maxSecondsPerCase)) {
        const Run run = feedOnce(stream, compressed, chunk);
        if (run.messages != stream.messages) {
            std::fprintf(stderr, "error: %s parsed %llu messages, expected %llu\n", name,
                static_cast<unsigned long long>(run.messages),
                static_cast<unsigned long long>(stream.messages));
            std::exit(1);
        }
        if (runs == 0 || run.seconds < best.seconds) {
            best = run;
        }
        spent += run.seconds;
        ++runs;
    }
    std::printf("| %-8s | %-7s | %-9s | %7.1f | %7.1f | %8llu | %4d | %8.4f | %9.0f | %9.0f | "
                "%11.0f |\n",
        name, compressed ? "deflate" : "plain", feed, double(stream.bytes.size()) / 1e6,
        double(stream.payloadBytes) / 1e6, static_cast<unsigned long long>(stream.messages), runs,
        best.seconds, double(stream.bytes.size()) / best.seconds / 1e6,
        double(stream.payloadBytes) / best.seconds / 1e6, double(stream.messages) / best.seconds);
    std::fflush(stdout);
}

int usage(const char *program)
{
    std::fprintf(stderr, "usage: %s [--runs N] [--mib MIB]\n", program);
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    Options options;
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView arg(argv[i]);
        if (i + 1 >= argc) {
            return usage(argv[0]);
        }
        const int value = std::atoi(argv[++i]);
        if (value <= 0) {
            return usage(argv[0]);
        }
        if (arg == "--runs") {
            options.runs = value;
        } else if (arg == "--mib") {
            options.payloadBytes = qsizetype(value) * 1024 * 1024;
        } else {
            return usage(argv[0]);
        }
    }

    std::printf("WebSocketFrameParser throughput, best of up to %d runs (MB = 10^6 bytes; %lld MiB "
                "of text payload per case; wire MB/s counts frame bytes in, payload MB/s the "
                "text out, UTF-8 checked)\n\n",
        options.runs, static_cast<long long>(options.payloadBytes >> 20));
    std::printf("| message  | payload | feed      | wire MB | text MB | messages | runs |   best s "
                "| wire MB/s | text MB/s |  messages/s |\n");
    std::printf("|----------|---------|-----------|---------|---------|----------|------|---------"
                "-|-----------|-----------|-------------|\n");
    const struct
    {
        const char *name;
        qsizetype bytes;
    } sizes[] = {{"60 B", 60}, {"64 KiB", 64 * 1024}};
    for (const auto &size : sizes) {
        for (const bool compressed : {false, true}) {
            const Stream stream = makeStream(size.bytes, compressed, options.payloadBytes);
            measure(size.name, compressed, "whole", stream, 0, options);
            // 64 KiB: about what a QTcpSocket read hands over at a time.
            measure(size.name, compressed, "64 KiB", stream, 64 * 1024, options);
        }
    }
    return 0;
}
