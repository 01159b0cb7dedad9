// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: the Socket.IO codec never crashes or hangs on any text, and what it accepts
// survives a round trip: a parsed packet, encoded again, parses to the same packet. Binary
// packets also get their placeholders filled from attachments cut out of the input's tail.
#include "socketiocodec.h"

#include <QByteArray>
#include <QByteArrayView>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace streamscope::socketio;

namespace {

[[noreturn]] void fail(const char *what, QByteArrayView input)
{
    std::fprintf(stderr, "fuzz_socketio: %s for %s\n", what,
        input.toByteArray().toPercentEncoding().constData());
    std::abort();
}

void checkPacket(QByteArrayView text, QByteArrayView tail)
{
    QString error;
    const std::optional<Packet> packet = parsePacket(text, &error);
    if (!packet) {
        if (error.isEmpty()) {
            fail("refused without a message", text);
        }
        return;
    }
    const QByteArray encoded = encodePacket(*packet);
    const std::optional<Packet> again = parsePacket(encoded, &error);
    if (!again || !(*again == *packet)) {
        fail("round trip differs", text);
    }
    if (packet->type == PacketType::Event || packet->type == PacketType::BinaryEvent) {
        // The arguments re-encode to an event with the same name and arguments.
        const std::optional<QByteArray> data = eventData(packet->event, packet->args, &error);
        if (!data) {
            fail("its own name and arguments refused by eventData", text);
        }
        QByteArray event;
        QByteArray args;
        if (!splitEventData(*data, &event, &args, &error) || event != packet->event) {
            fail("eventData output does not split back to the name", text);
        }
    }
    if (packet->type == PacketType::BinaryEvent || packet->type == PacketType::BinaryAck) {
        QByteArrayList attachments;
        for (qsizetype i = 0; i < packet->attachments && i < tail.size(); ++i) {
            attachments.append(tail.sliced(i, qMin<qsizetype>(3, tail.size() - i)).toByteArray());
        }
        const std::optional<QByteArray> filled
            = fillPlaceholders(packet->data, attachments, &error);
        if (!filled && error.isEmpty()) {
            fail("placeholders refused without a message", text);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    // A NUL splits the input: a message before it, attachment bytes after.
    const qsizetype nul = input.indexOf('\0');
    const QByteArrayView message = nul < 0 ? input : input.first(nul);
    const QByteArrayView tail = nul < 0 ? QByteArrayView() : input.sliced(nul + 1);

    QString error;
    const std::optional<EnginePacket> engine = parseEnginePacket(message, &error);
    if (!engine) {
        return 0;
    }
    if (encodeEnginePacket(engine->type, engine->payload) != message) {
        fail("Engine.IO round trip differs", message);
    }
    switch (engine->type) {
    case EngineType::Open:
        parseEngineOpen(engine->payload, &error);
        break;
    case EngineType::Message:
        checkPacket(engine->payload, tail);
        break;
    default:
        break;
    }
    return 0;
}
