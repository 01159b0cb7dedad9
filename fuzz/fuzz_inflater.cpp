// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: WebSocketInflater must decode the same bytes, or fail the same way, however
// the compressed input is chunked, never produce more than its cap, and invert
// WebSocketDeflater. The first byte picks the window, context takeover and cap; the rest is
// split into messages at each 0xff 0x00 pair, so context takeover is exercised too.
#include "permessagedeflate.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace streamscope;

namespace {

struct Outcome
{
    QList<QByteArray> messages;
    WebSocketInflater::Error error = WebSocketInflater::Error::None;
    QString errorString;

    bool operator==(const Outcome &other) const = default;
};

[[noreturn]] void violated(const char *what)
{
    std::fprintf(stderr, "fuzz_inflater: %s\n", what);
    std::abort();
}

Outcome inflateAll(const QList<QByteArrayView> &messages, const DeflateParameters &parameters,
    qint64 cap, qsizetype chunk)
{
    Outcome outcome;
    WebSocketInflater inflater(parameters);
    for (const QByteArrayView message : messages) {
        QByteArray out;
        bool ok = true;
        for (qsizetype at = 0; ok && at < message.size(); at += chunk) {
            ok = inflater.inflate(message.sliced(at, qMin(chunk, message.size() - at)), out, cap);
            if (out.size() > cap) {
                violated("output past the cap");
            }
        }
        ok = ok && inflater.finishMessage(out, cap);
        if (out.size() > cap) {
            violated("output past the cap");
        }
        // What came out before a failure is part of the outcome too.
        outcome.messages.append(out);
        if (!ok) {
            if (!inflater.hasFailed() || inflater.errorString().isEmpty()) {
                violated("failed without an error");
            }
            outcome.error = inflater.error();
            outcome.errorString = inflater.errorString();
            break;
        }
    }
    return outcome;
}

void check(const Outcome &whole, const Outcome &chunked, const char *what)
{
    if (whole == chunked) {
        return;
    }
    std::fprintf(stderr, "fuzz_inflater: %s differs from the whole input\n", what);
    for (qsizetype i = 0; i < qMax(whole.messages.size(), chunked.messages.size()); ++i) {
        std::fprintf(stderr, "  #%lld whole:   %lld bytes %s\n  #%lld chunked: %lld bytes %s\n",
            qlonglong(i), qlonglong(whole.messages.value(i).size()),
            whole.messages.value(i).left(64).toHex().constData(), qlonglong(i),
            qlonglong(chunked.messages.value(i).size()),
            chunked.messages.value(i).left(64).toHex().constData());
    }
    std::fprintf(stderr, "  error %d \"%s\" / %d \"%s\"\n", int(whole.error),
        qPrintable(whole.errorString), int(chunked.error), qPrintable(chunked.errorString));
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    const quint8 setup = data[0];
    DeflateParameters parameters;
    parameters.serverMaxWindowBits = 8 + (setup & 7);
    parameters.serverNoContextTakeover = (setup & 8) != 0;
    parameters.clientMaxWindowBits = parameters.serverMaxWindowBits;
    parameters.clientNoContextTakeover = parameters.serverNoContextTakeover;
    static constexpr qint64 caps[] = {0, 100, 4096, 300000};
    const qint64 cap = caps[(setup >> 4) & 3];
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));

    QList<QByteArrayView> messages;
    qsizetype start = 0;
    for (qsizetype i = 0; i + 1 < input.size(); ++i) {
        if (input.at(i) == '\xff' && input.at(i + 1) == '\x00') {
            messages.append(input.sliced(start, i - start));
            start = i + 2;
            ++i;
        }
    }
    messages.append(input.sliced(start));

    const Outcome whole = inflateAll(messages, parameters, cap, qMax<qsizetype>(input.size(), 1));
    check(whole, inflateAll(messages, parameters, cap, 1), "byte by byte");
    check(whole, inflateAll(messages, parameters, cap, 1 + (setup >> 6) * 7), "small chunks");

    // The fuzz input as plain messages: what we compress, a server with the same parameters
    // decodes back.
    WebSocketDeflater deflater(parameters, (setup >> 6) * 3);
    WebSocketInflater inflater(parameters);
    for (const QByteArrayView message : std::as_const(messages)) {
        QByteArray compressed;
        if (!deflater.compressMessage(message, compressed)) {
            violated("deflate failed");
        }
        QByteArray out;
        if (!inflater.inflate(compressed, out, message.size())
            || !inflater.finishMessage(out, message.size())) {
            std::fprintf(stderr, "fuzz_inflater: round trip failed: %s\n",
                qPrintable(inflater.errorString()));
            std::abort();
        }
        if (out != message) {
            violated("round trip changed the message");
        }
    }
    return 0;
}
