// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: SseParser must give the same events, retries and errors however its input
// is chunked, and never crash or hang. Chunk sizes come from the input itself, so every crash
// input replays exactly.
#include "sseparser.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using streamscope::SseEvent;
using streamscope::SseParser;

namespace {

// Everything the parser reported, in order, as comparable text.
struct Trace
{
    QList<QByteArray> items;
    QByteArray lastEventId;
    quint64 dropped = 0;

    bool operator==(const Trace &other) const = default;
};

Trace parse(QByteArrayView input, qsizetype maxEventBytes, const QList<qsizetype> &chunkSizes)
{
    Trace trace;
    SseParser parser(maxEventBytes);
    parser.setEventHandler([&](const SseEvent &event) {
        trace.items.append("event " + event.type + '\n' + event.data + '\n' + event.lastEventId);
        return true;
    });
    parser.setRetryHandler([&](int ms) {
        trace.items.append("retry " + QByteArray::number(ms));
        return true;
    });
    parser.setErrorHandler([&](const QString &message) {
        trace.items.append("error " + message.toUtf8());
        return true;
    });
    parser.reset(QByteArrayLiteral("start"));
    qsizetype at = 0;
    for (qsizetype i = 0; at < input.size(); ++i) {
        const qsizetype size = chunkSizes.isEmpty()
            ? input.size()
            : qMin(chunkSizes.at(i % chunkSizes.size()), input.size() - at);
        parser.feed(input.sliced(at, size));
        at += size;
    }
    trace.lastEventId = parser.lastEventId();
    trace.dropped = parser.eventsDropped();
    parser.finish();
    return trace;
}

void check(const Trace &whole, const Trace &chunked, const char *what)
{
    if (whole == chunked) {
        return;
    }
    std::fprintf(stderr, "fuzz_sseparser: %s chunking differs from the whole feed\n", what);
    for (qsizetype i = 0; i < qMax(whole.items.size(), chunked.items.size()); ++i) {
        std::fprintf(stderr, "  #%lld whole:   %s\n  #%lld chunked: %s\n", qlonglong(i),
            whole.items.value(i).toPercentEncoding().constData(), qlonglong(i),
            chunked.items.value(i).toPercentEncoding().constData());
    }
    std::fprintf(stderr, "  last id %s / %s, dropped %llu / %llu\n",
        whole.lastEventId.toPercentEncoding().constData(),
        chunked.lastEventId.toPercentEncoding().constData(), qulonglong(whole.dropped),
        qulonglong(chunked.dropped));
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    // A small cap, so dropping over-long events is exercised too, and the default one.
    for (const qsizetype cap : {qsizetype(40), SseParser::DefaultMaxEventBytes}) {
        const Trace whole = parse(input, cap, {});
        check(whole, parse(input, cap, {1}), "byte-by-byte");
        // Sizes 1..16 taken from the input's own bytes, in order.
        QList<qsizetype> sizes;
        for (qsizetype i = 0; i < qMin<qsizetype>(input.size(), 64); ++i) {
            sizes.append(1 + (uchar(input.at(i)) % 16));
        }
        if (!sizes.isEmpty()) {
            check(whole, parse(input, cap, sizes), "input-derived");
        }
        // Two halves: splits every CR LF, BOM or field at one place at least once.
        if (input.size() > 1) {
            check(whole, parse(input, cap, {input.size() / 2 + qsizetype(size & 1)}), "halves");
        }
    }
    return 0;
}
