// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: mqtt::PacketReader must give the same packets and failure however its input
// is chunked, never crash or hang, keep within its bound, and hand out only what the spec allows;
// a PUBLISH it decoded encodes and decodes back to itself. The first byte picks the setup
// (MQTT version, packet bound); chunk sizes come from the input itself, so every crash input
// replays exactly.
#include "mqttcodec.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace streamscope;
using namespace streamscope::mqtt;

namespace {

struct Setup
{
    Version version = Version::V311;
    qint64 maxPacketBytes = 0;
};

Setup setupFrom(quint8 byte)
{
    static constexpr qint64 bounds[] = {2, 16, 300, 1 << 20};
    Setup setup;
    setup.version = (byte & 1) != 0 ? Version::V5 : Version::V311;
    setup.maxPacketBytes = bounds[(byte >> 1) & 3];
    return setup;
}

struct Trace
{
    QList<QByteArray> items;
    QString error;

    bool operator==(const Trace &other) const = default;
};

[[noreturn]] void violated(const char *what, const QByteArray &item)
{
    std::fprintf(
        stderr, "fuzz_mqtt: %s: %s\n", what, item.left(200).toPercentEncoding().constData());
    std::abort();
}

QByteArray describe(const Packet &p)
{
    QByteArray out = QByteArray::number(int(p.type)) + ' ' + QByteArray::number(p.flags) + ' '
        + QByteArray::number(p.reasonCode) + ' ' + QByteArray::number(p.packetId) + ' '
        + p.topic.toUtf8() + ' ' + QByteArray::number(p.payload.size()) + ' ' + p.payload;
    for (const quint8 code : p.reasonCodes) {
        out += ' ' + QByteArray::number(code);
    }
    for (const auto &[name, value] : p.properties.userProperties) {
        out += ' ' + name.toUtf8() + '=' + value.toUtf8();
    }
    out += ' ' + p.properties.reasonString.toUtf8();
    return out;
}

void checkPacket(const Packet &p, const Setup &setup)
{
    if (p.type == PacketType::Connect || p.type == PacketType::Subscribe
        || p.type == PacketType::Unsubscribe || p.type == PacketType::Pingreq) {
        violated("a client's packet handed out", describe(p));
    }
    if (p.type != PacketType::Publish) {
        return;
    }
    if (p.qos < 0 || p.qos > 2 || (p.qos > 0) != (p.packetId != 0)) {
        violated("PUBLISH with an impossible QoS or identifier", describe(p));
    }
    if (p.topic.contains(QLatin1Char('+')) || p.topic.contains(QLatin1Char('#'))
        || p.topic.contains(QChar(0))) {
        violated("PUBLISH topic with a wildcard or U+0000", describe(p));
    }
    if (p.topic.isEmpty() && !p.properties.topicAlias) {
        violated("PUBLISH without topic or alias", describe(p));
    }
    // Round trip: what was decoded encodes to a packet that decodes the same.
    const QByteArray again = encodePublish(setup.version,
        Message{p.topic, p.payload, p.qos, p.retain}, p.packetId, p.dup, p.properties);
    PacketReader reader(setup.version, qint64(again.size()));
    QList<Packet> out;
    if (!reader.feed(again, out) || out.size() != 1) {
        violated("re-encoded PUBLISH does not decode", reader.errorString().toUtf8());
    }
    if (describe(out.first()) != describe(p)) {
        violated("re-encoded PUBLISH decodes differently", describe(out.first()));
    }
}

Trace parse(QByteArrayView input, const Setup &setup, const QList<qsizetype> &chunkSizes)
{
    Trace trace;
    PacketReader reader(setup.version, setup.maxPacketBytes);
    QList<Packet> out;
    qsizetype at = 0;
    for (qsizetype i = 0; at < input.size(); ++i) {
        const qsizetype size = chunkSizes.isEmpty()
            ? input.size()
            : qMin(chunkSizes.at(i % chunkSizes.size()), input.size() - at);
        const bool ok = reader.feed(input.sliced(at, size), out);
        at += size;
        for (const Packet &packet : std::as_const(out)) {
            checkPacket(packet, setup);
            trace.items.append(describe(packet));
        }
        out.clear();
        if (ok == reader.hasFailed()) {
            violated("feed() and hasFailed() disagree", QByteArray::number(at));
        }
        // A packet not yet whole is held only up to the bound.
        if (reader.bufferedBytes() > qMax<qint64>(setup.maxPacketBytes, 5)) {
            violated("buffered past the bound", QByteArray::number(reader.bufferedBytes()));
        }
        if (!ok) {
            break;
        }
    }
    trace.error = reader.errorString();
    return trace;
}

void check(const Trace &whole, const Trace &chunked, const char *what)
{
    if (whole == chunked) {
        return;
    }
    std::fprintf(stderr, "fuzz_mqtt: %s chunking differs from the whole feed\n", what);
    for (qsizetype i = 0; i < qMax(whole.items.size(), chunked.items.size()); ++i) {
        std::fprintf(stderr, "  #%lld whole:   %s\n  #%lld chunked: %s\n", qlonglong(i),
            whole.items.value(i).left(200).toPercentEncoding().constData(), qlonglong(i),
            chunked.items.value(i).left(200).toPercentEncoding().constData());
    }
    std::fprintf(
        stderr, "  error \"%s\" / \"%s\"\n", qPrintable(whole.error), qPrintable(chunked.error));
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
