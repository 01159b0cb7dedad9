// SPDX-License-Identifier: GPL-3.0-or-later
#include "websocketframe.h"

#include <QtEndian>

#include <cstring>

namespace streamscope {

void maskPayload(char *dst, const char *src, qsizetype size, quint32 maskKey)
{
    // The key repeated in wire order, so one XOR masks eight payload bytes.
    unsigned char key[8];
    qToBigEndian(maskKey, key);
    std::memcpy(key + 4, key, 4);
    quint64 word;
    std::memcpy(&word, key, 8);
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        quint64 chunk;
        std::memcpy(&chunk, src + i, 8);
        chunk ^= word;
        std::memcpy(dst + i, &chunk, 8);
    }
    // i is a multiple of 8, so the tail starts at key byte 0 again.
    for (qsizetype k = 0; i < size; ++i, ++k) {
        dst[i] = char(src[i] ^ key[k]);
    }
}

void appendClientFrame(QByteArray &out, WebSocketOpcode opcode, QByteArrayView payload, bool fin,
    bool rsv1, quint32 maskKey)
{
    const qsizetype size = payload.size();
    unsigned char header[MaxWebSocketFrameHeader];
    header[0] = quint8(opcode) | (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0);
    qsizetype headerSize = 2;
    if (size < 126) {
        header[1] = 0x80 | quint8(size);
    } else if (size <= 0xFFFF) {
        header[1] = 0x80 | 126;
        qToBigEndian(quint16(size), header + 2);
        headerSize = 4;
    } else {
        header[1] = 0x80 | 127;
        qToBigEndian(quint64(size), header + 2);
        headerSize = 10;
    }
    qToBigEndian(maskKey, header + headerSize);
    headerSize += 4;

    const qsizetype old = out.size();
    // resize() rather than append(): one allocation, and the payload is masked while copied.
    out.resize(old + headerSize + size);
    char *at = out.data() + old;
    std::memcpy(at, header, size_t(headerSize));
    maskPayload(at + headerSize, payload.data(), size, maskKey);
}

QByteArray encodeClientFrame(
    WebSocketOpcode opcode, QByteArrayView payload, bool fin, bool rsv1, quint32 maskKey)
{
    QByteArray out;
    out.reserve(MaxWebSocketFrameHeader + payload.size());
    appendClientFrame(out, opcode, payload, fin, rsv1, maskKey);
    return out;
}

QByteArray encodeClosePayload(int code, QByteArrayView reason)
{
    Q_ASSERT(isValidCloseCode(code) || code == WebSocketCloseCode::NoStatusReceived);
    if (code == WebSocketCloseCode::NoStatusReceived) {
        return {};
    }
    qsizetype size = qMin(reason.size(), MaxControlPayload - 2);
    if (size < reason.size()) {
        // Back up over continuation bytes (10xxxxxx) to the start of the cut code point.
        while (size > 0 && (uchar(reason.at(size)) & 0xC0) == 0x80) {
            --size;
        }
    }
    QByteArray payload(2 + size, Qt::Uninitialized);
    qToBigEndian(quint16(code), payload.data());
    if (size > 0) {
        std::memcpy(payload.data() + 2, reason.data(), size_t(size));
    }
    return payload;
}

} // namespace streamscope
