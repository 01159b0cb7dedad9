// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: TokenStreamDecoder never crashes or hangs on any text/event-stream, keeps its
// bounds, and the deltas it returns add up to its blocks. The input is read as an SSE stream and
// every event goes to four decoders: auto-detecting and one per format.
#include "sseparser.h"
#include "tokenstream.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace streamscope;

namespace {

[[noreturn]] void fail(const char *what, TokenFormat format, QByteArrayView input)
{
    std::fprintf(stderr, "fuzz_tokenstream (%s): %s for %s\n", qPrintable(tokenFormatName(format)),
        what, input.toByteArray().toPercentEncoding().constData());
    std::abort();
}

struct Run
{
    explicit Run(TokenFormat format)
        : given(format)
        , decoder(format)
    {
    }

    TokenFormat given;
    TokenStreamDecoder decoder;
    QStringList assembled; // the deltas' text per block
    bool finished = false;
};

void decode(Run &run, const SseEvent &event, QByteArrayView input)
{
    TokenStreamDecoder &decoder = run.decoder;
    const TokenFormat before = decoder.format();
    const int unknown = decoder.unknownEvents();
    const int malformed = decoder.malformedEvents();
    const QList<TokenDelta> deltas = decoder.decode(event.type, event.data);

    if (decoder.unknownEvents() + decoder.malformedEvents() > unknown + malformed + 1) {
        fail("one event counted twice", run.given, input);
    }
    if (run.given != TokenFormat::Auto && decoder.format() != run.given) {
        fail("a given format changed", run.given, input);
    }
    if (before != TokenFormat::Auto && decoder.format() != before) {
        fail("a detected format changed", run.given, input);
    }
    if (run.finished && !decoder.finished()) {
        fail("a finished stream went on", run.given, input);
    }
    run.finished = decoder.finished();
    const QList<TokenBlock> &blocks = decoder.blocks();
    if (blocks.size() > TokenStreamDecoder::MaxBlocks) {
        fail("over the block bound", run.given, input);
    }
    while (run.assembled.size() < blocks.size()) {
        run.assembled.append(QString());
    }
    for (const TokenDelta &delta : deltas) {
        if (delta.text.isEmpty() || delta.block < 0 || delta.block >= blocks.size()
            || blocks.at(delta.block).kind != delta.kind) {
            fail("a delta that names no block of its kind, or is empty", run.given, input);
        }
        run.assembled[delta.block] += delta.text;
    }
    qsizetype total = 0;
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        const TokenBlock &block = blocks.at(i);
        total += block.text.size();
        if (block.text.size() > TokenStreamDecoder::MaxBlockChars || block.index < 0
            || block.index > TokenStreamDecoder::MaxIndex * 1000 + TokenStreamDecoder::MaxIndex
            || block.part < 0 || block.part > TokenStreamDecoder::MaxIndex) {
            fail("a block over its bounds", run.given, input);
        }
        if (run.assembled.at(i) != block.text) {
            fail("the deltas do not add up to the block", run.given, input);
        }
    }
    if (total > TokenStreamDecoder::MaxTotalChars) {
        fail("over the total text bound", run.given, input);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    QList<Run> runs{Run(TokenFormat::Auto), Run(TokenFormat::OpenAiChat),
        Run(TokenFormat::OpenAiResponses), Run(TokenFormat::Anthropic)};
    SseParser parser;
    parser.setEventHandler([&](const SseEvent &event) {
        for (Run &run : runs) {
            decode(run, event, input);
        }
        return true;
    });
    parser.feed(input);
    parser.finish();
    for (const Run &run : std::as_const(runs)) {
        QString answer;
        for (const TokenBlock &block : run.decoder.blocks()) {
            if (block.kind == TokenBlock::Kind::Text && block.choice == 0) {
                answer += block.text;
            }
        }
        if (run.decoder.answerText() != answer) {
            fail("the answer is not choice 0's text", run.given, input);
        }
        if (run.decoder.error() && !run.decoder.finished()) {
            fail("an error that did not finish the stream", run.given, input);
        }
    }
    return 0;
}
