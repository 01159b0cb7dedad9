// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtGlobal>

namespace streamscope {

// RFC 6455 5.2: the frame opcodes defined so far; 3-7 and 0xB-0xF are reserved.
enum class WebSocketOpcode : quint8 {
    Continuation = 0,
    Text = 1,
    Binary = 2,
    Close = 8,
    Ping = 9,
    Pong = 10,
};

// RFC 6455 7.4.1 and the IANA registry: the close codes this layer sends or reports by name.
namespace WebSocketCloseCode {
constexpr int Normal = 1000;
constexpr int GoingAway = 1001;
constexpr int ProtocolError = 1002;
constexpr int UnsupportedData = 1003;
constexpr int NoStatusReceived = 1005; // reported for a close frame without a code; never sent
constexpr int AbnormalClosure = 1006; // reported when no close frame came; never sent
constexpr int InvalidPayload = 1007; // invalid UTF-8 in a text message, corrupt deflate data
constexpr int PolicyViolation = 1008;
constexpr int MessageTooBig = 1009;
constexpr int MandatoryExtension = 1010;
constexpr int InternalError = 1011;
} // namespace WebSocketCloseCode

// RFC 6455 5.5: opcodes 8 and up are control frames.
constexpr bool isControlOpcode(WebSocketOpcode opcode)
{
    return quint8(opcode) >= 8;
}

// Whether an opcode value (the frame's low four bits) is one RFC 6455 defines.
constexpr bool isKnownOpcode(quint8 opcode)
{
    return opcode <= 2 || (opcode >= 8 && opcode <= 10);
}

// Whether code may appear in a close frame (RFC 6455 7.4): 1000-1003, 1007-1014 (1012-1014 are
// IANA registered since) and 3000-4999 for libraries and applications. 1004 is reserved, and
// 1005, 1006 and 1015 only stand for "no code", "no close frame" and "TLS failed" locally.
constexpr bool isValidCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
}

// The largest header a frame can have: 2 bytes, a 64-bit length and a masking key.
constexpr qsizetype MaxWebSocketFrameHeader = 14;
// RFC 6455 5.5: a control frame's payload is at most 125 bytes.
constexpr qsizetype MaxControlPayload = 125;

// XORs size bytes from src with the masking key into dst (which may be src), as if the key's
// first byte applied at payload offset 0 (RFC 6455 5.3). Eight bytes at a time.
void maskPayload(char *dst, const char *src, qsizetype size, quint32 maskKey);

// Appends one client frame: masked with maskKey (its high byte is the first key byte on the
// wire), with the shortest of the 7-, 16- and 64-bit length forms. rsv1 marks a message that
// permessage-deflate compressed (on its first frame only). The caller draws maskKey from a strong
// random source per frame (RFC 6455 10.3).
void appendClientFrame(QByteArray &out, WebSocketOpcode opcode, QByteArrayView payload, bool fin,
    bool rsv1, quint32 maskKey);
QByteArray encodeClientFrame(
    WebSocketOpcode opcode, QByteArrayView payload, bool fin, bool rsv1, quint32 maskKey);

// A close frame's payload: the code in network order and the UTF-8 reason, cut to fit 123 bytes
// (RFC 6455 5.5) at a code point boundary. code must be isValidCloseCode(), or NoStatusReceived
// for a close frame without a payload.
QByteArray encodeClosePayload(int code, QByteArrayView reason = {});

} // namespace streamscope
