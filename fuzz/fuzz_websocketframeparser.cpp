// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: WebSocketFrameParser must give the same messages, control frames and failure
// however its input is chunked, never crash or hang, and keep within its cap. The first byte
// picks the setup (cap, permessage-deflate and its parameters); chunk sizes come from the input
// itself, so every crash input replays exactly.
#include "permessagedeflate.h"
#include "websocketframe.h"
#include "websocketframeparser.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace streamscope;

namespace {

struct Setup
{
    qint64 cap = 0;
    bool deflate = false;
    DeflateParameters parameters;
};

Setup setupFrom(quint8 byte)
{
    static constexpr qint64 caps[] = {8, 125, 1000, 70000};
    Setup setup;
    setup.cap = caps[byte & 3];
    setup.deflate = (byte & 4) != 0;
    setup.parameters.serverNoContextTakeover = (byte & 8) != 0;
    setup.parameters.serverMaxWindowBits = 8 + ((byte >> 4) & 7);
    return setup;
}

// Everything the parser reported, in order, as comparable text.
struct Trace
{
    QList<QByteArray> items;
    int failureCode = 0;
    QString error;
    bool closed = false;

    bool operator==(const Trace &other) const = default;
};

[[noreturn]] void violated(const char *what, const QByteArray &item)
{
    std::fprintf(stderr, "fuzz_websocketframeparser: %s: %s\n", what,
        item.left(200).toPercentEncoding().constData());
    std::abort();
}

// Checks that do not need a second run: what the parser hands out is what RFC 6455 allows.
void checkMessage(const WebSocketInbound &message, const Setup &setup)
{
    using Kind = WebSocketInbound::Kind;
    if (message.kind == Kind::Text || message.kind == Kind::Close) {
        // An independent UTF-8 check: a round trip through QString changes invalid bytes.
        if (QString::fromUtf8(message.payload).toUtf8() != message.payload) {
            violated("invalid UTF-8 handed out", message.payload);
        }
    }
    if (message.kind == Kind::Text || message.kind == Kind::Binary) {
        if (message.payload.size() > setup.cap) {
            violated("message over the cap", message.payload);
        }
    } else if (message.payload.size() > MaxControlPayload) {
        violated("control payload over 125 bytes", message.payload);
    }
    if (message.kind == Kind::Close && !isValidCloseCode(message.closeCode)
        && message.closeCode != WebSocketCloseCode::NoStatusReceived) {
        violated("invalid close code handed out", QByteArray::number(message.closeCode));
    }
}

Trace parse(QByteArrayView input, const Setup &setup, const QList<qsizetype> &chunkSizes)
{
    Trace trace;
    WebSocketFrameParser parser(setup.cap);
    std::unique_ptr<WebSocketInflater> inflater;
    if (setup.deflate) {
        inflater = std::make_unique<WebSocketInflater>(setup.parameters);
        parser.setInflater(inflater.get());
    }
    QList<WebSocketInbound> out;
    qsizetype at = 0;
    for (qsizetype i = 0; at < input.size(); ++i) {
        const qsizetype size = chunkSizes.isEmpty()
            ? input.size()
            : qMin(chunkSizes.at(i % chunkSizes.size()), input.size() - at);
        const bool ok = parser.feed(input.sliced(at, size), out);
        at += size;
        for (const WebSocketInbound &message : std::as_const(out)) {
            checkMessage(message, setup);
            trace.items.append(QByteArray::number(int(message.kind)) + ' '
                + QByteArray::number(message.closeCode) + ' ' + message.payload);
        }
        out.clear();
        if (ok == parser.hasFailed()) {
            violated("feed() and hasFailed() disagree", QByteArray::number(at));
        }
        if (!ok) {
            break;
        }
    }
    trace.failureCode = parser.failureCloseCode();
    trace.error = parser.errorString();
    trace.closed = parser.hasReceivedClose();
    if (parser.hasFailed() != (trace.failureCode != 0)) {
        violated("failure without a close code", trace.error.toUtf8());
    }
    const int code = trace.failureCode;
    if (code != 0 && code != 1002 && code != 1007 && code != 1009 && code != 1011) {
        violated("unexpected failure code", QByteArray::number(code));
    }
    return trace;
}

void check(const Trace &whole, const Trace &chunked, const char *what)
{
    if (whole == chunked) {
        return;
    }
    std::fprintf(
        stderr, "fuzz_websocketframeparser: %s chunking differs from the whole feed\n", what);
    for (qsizetype i = 0; i < qMax(whole.items.size(), chunked.items.size()); ++i) {
        std::fprintf(stderr, "  #%lld whole:   %s\n  #%lld chunked: %s\n", qlonglong(i),
            whole.items.value(i).left(200).toPercentEncoding().constData(), qlonglong(i),
            chunked.items.value(i).left(200).toPercentEncoding().constData());
    }
    std::fprintf(stderr, "  failure %d \"%s\" / %d \"%s\", closed %d / %d\n", whole.failureCode,
        qPrintable(whole.error), chunked.failureCode, qPrintable(chunked.error), whole.closed,
        chunked.closed);
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    const Setup setup = setupFrom(data[0]);
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const Trace whole = parse(input, setup, {});
    check(whole, parse(input, setup, {1}), "byte-by-byte");
    // Sizes 1..16 taken from the input's own bytes, in order.
    QList<qsizetype> sizes;
    for (qsizetype i = 0; i < qMin<qsizetype>(input.size(), 64); ++i) {
        sizes.append(1 + (uchar(input.at(i)) % 16));
    }
    if (!sizes.isEmpty()) {
        check(whole, parse(input, setup, sizes), "input-derived");
    }
    if (input.size() > 1) {
        check(whole, parse(input, setup, {input.size() / 2 + qsizetype(size & 1)}), "halves");
    }
    return 0;
}
