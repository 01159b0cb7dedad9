// SPDX-License-Identifier: GPL-3.0-or-later
// SseParser throughput: MB/s and events/s per event shape and chunking, best of several runs.
// Prints figures only; never asserts a timing.
// Usage: bench_sseparser [--runs N] [--mib MIB] [--shape small|multiline|large]
//                        [--feed floor|whole|65536|1500|1-byte]

#include "eventshapes.h"
#include "sseparser.h"

#include <QByteArray>
#include <QByteArrayView>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

using namespace streamscope;
using namespace streamscope::bench;

namespace {

using Clock = std::chrono::steady_clock;

// Every run's checksum lands here, so no run's work is dead code to the optimiser.
volatile unsigned s_sink = 0;

struct Options
{
    int runs = 10;
    double maxSecondsPerCase = 1.5; // stop repeating a case after this, whatever runs says
    qsizetype streamBytes = 32 * 1024 * 1024; // fed whole or in large chunks
    qsizetype byteWiseBytes = 2 * 1024 * 1024; // fed one byte at a time: far slower
    std::optional<Shape> only; // --shape: one shape alone, e.g. under callgrind
    QByteArray feed; // --feed: one feed alone (floor, whole, 65536, 1500, 1-byte)
};

struct Run
{
    double seconds = 0;
    quint64 events = 0;
    quint64 dataBytes = 0;
    unsigned checksum = 0;
};

// The handler counts and reads every event's data, so the work cannot be optimised away.
Run feedOnce(const QByteArray &stream, qsizetype chunk)
{
    Run run;
    SseParser parser;
    parser.setEventHandler([&run](const SseEvent &event) {
        ++run.events;
        run.dataBytes += quint64(event.data.size());
        run.checksum += unsigned(uchar(event.data.back())) + unsigned(event.type.size())
            + unsigned(event.lastEventId.size());
        return true;
    });
    const char *p = stream.constData();
    const qsizetype size = stream.size();
    const auto start = Clock::now();
    if (chunk <= 0) {
        parser.feed(QByteArrayView(p, size));
    } else {
        for (qsizetype at = 0; at < size; at += chunk) {
            parser.feed(QByteArrayView(p + at, std::min(chunk, size - at)));
        }
    }
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    s_sink = s_sink + run.checksum;
    return run;
}

// The floor for any line-based parser: one memchr pass counting line feeds.
Run scanOnce(const QByteArray &stream)
{
    Run run;
    const char *p = stream.constData();
    const char *end = p + stream.size();
    const auto start = Clock::now();
    while (p < end) {
        const void *lf = std::memchr(p, '\n', size_t(end - p));
        if (!lf) {
            break;
        }
        ++run.checksum;
        p = static_cast<const char *>(lf) + 1;
    }
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    s_sink = s_sink + run.checksum;
    return run;
}

QByteArray makeStream(Shape shape, qsizetype bytes, quint64 *events)
{
    QByteArray stream;
    stream.reserve(bytes + 128 * 1024);
    quint64 n = 0;
    while (stream.size() < bytes) {
        stream += makeEvent(shape, n++);
    }
    *events = n;
    return stream;
}

void printRow(Shape shape, const char *feed, const QByteArray &stream, quint64 events,
    const Run &best, int runs)
{
    const double mbps = double(stream.size()) / best.seconds / 1e6;
    const double eps = double(events) / best.seconds;
    std::printf("| %-9s | %-12s | %7.1f | %8llu | %4d | %8.4f | %7.0f | %11.0f |\n",
        shapeName(shape), feed, double(stream.size()) / 1e6,
        static_cast<unsigned long long>(events), runs, best.seconds, mbps, eps);
    std::fflush(stdout);
}

template <typename RunFn>
void measure(Shape shape, const char *feed, const QByteArray &stream, quint64 events,
    const Options &options, RunFn runOnce)
{
    if (!options.feed.isEmpty() && !QByteArrayView(feed).startsWith(options.feed)) {
        return;
    }
    Run best;
    double spent = 0;
    int runs = 0;
    while (runs < options.runs && (runs == 0 || spent < options.maxSecondsPerCase)) {
        const Run run = runOnce();
        if (run.events != 0 && run.events != events) {
            std::fprintf(stderr, "error: %s/%s parsed %llu events, expected %llu\n",
                shapeName(shape), feed, static_cast<unsigned long long>(run.events),
                static_cast<unsigned long long>(events));
            std::exit(1);
        }
        if (runs == 0 || run.seconds < best.seconds) {
            best = run;
        }
        spent += run.seconds;
        ++runs;
    }
    printRow(shape, feed, stream, events, best, runs);
}

int usage(const char *program)
{
    std::fprintf(stderr,
        "usage: %s [--runs N] [--mib MIB] [--shape small|multiline|large]\n"
        "       [--feed floor|whole|65536|1500|1-byte]\n",
        program);
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
        if (arg == "--feed") {
            options.feed = argv[++i];
            continue;
        }
        if (arg == "--shape") {
            options.only = shapeFromName(argv[++i]);
            if (!options.only) {
                return usage(argv[0]);
            }
            continue;
        }
        const int value = std::atoi(argv[++i]);
        if (value <= 0) {
            return usage(argv[0]);
        }
        if (arg == "--runs") {
            options.runs = value;
        } else if (arg == "--mib") {
            options.streamBytes = qsizetype(value) * 1024 * 1024;
        } else {
            return usage(argv[0]);
        }
    }

    std::printf("SseParser throughput, best of up to %d runs (MB = 10^6 bytes; 1-byte feeds use "
                "a %lld MiB stream, the others %lld MiB)\n\n",
        options.runs, static_cast<long long>(options.byteWiseBytes >> 20),
        static_cast<long long>(options.streamBytes >> 20));
    std::printf("| shape     | feed         |   MB in |   events | runs |   best s |    MB/s |    "
                "events/s |\n");
    std::printf("|-----------|--------------|---------|----------|------|----------|---------|-----"
                "--------|\n");
    for (const Shape shape : s_allShapes) {
        if (options.only && shape != *options.only) {
            continue;
        }
        quint64 events = 0;
        const QByteArray stream = makeStream(shape, options.streamBytes, &events);
        measure(shape, "floor memchr", stream, events, options, [&] { return scanOnce(stream); });
        measure(shape, "whole", stream, events, options, [&] { return feedOnce(stream, 0); });
        // 64 KiB: what EventSource reads from QNAM at a time. 1500: one Ethernet frame.
        measure(shape, "65536-byte", stream, events, options,
            [&] { return feedOnce(stream, 64 * 1024); });
        measure(
            shape, "1500-byte", stream, events, options, [&] { return feedOnce(stream, 1500); });
        quint64 byteWiseEvents = 0;
        const QByteArray small = makeStream(shape, options.byteWiseBytes, &byteWiseEvents);
        measure(
            shape, "1-byte", small, byteWiseEvents, options, [&] { return feedOnce(small, 1); });
    }
    return 0;
}
