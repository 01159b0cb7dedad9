// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "websocketframe.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace streamscope {

class WebSocketInflater;

// Checks UTF-8 as it arrives in pieces (Unicode 15 table 3-7: no overlongs, surrogates or code
// points past U+10FFFF), failing at the first byte that no valid text could contain.
class IncrementalUtf8Validator
{
public:
    // The offset in bytes of the first invalid byte, or -1 when all of them may still be text.
    qsizetype validate(QByteArrayView bytes);
    // Whether the bytes so far end on a code point boundary.
    bool isComplete() const { return m_needed == 0; }
    void reset() { *this = {}; }

private:
    quint8 m_needed = 0; // continuation bytes still to come
    quint8 m_lower = 0x80; // the range allowed for the next one
    quint8 m_upper = 0xBF;
};

// One whole message or control frame from the server.
struct WebSocketInbound
{
    enum class Kind {
        Text,
        Binary,
        Ping,
        Pong,
        Close,
    };

    Kind kind = Kind::Binary;
    QByteArray payload; // Text: valid UTF-8, decompressed; Close: the reason (valid UTF-8)
    int closeCode = 0; // Close only: 1005 (NoStatusReceived) when the frame had no code

    bool operator==(const WebSocketInbound &other) const = default;
};

// Client side of RFC 6455 framing: bytes from the server in any chunking in, whole messages
// and control frames out. Linear in the bytes; holds back at most a frame header (14 bytes):
// payload streams into the message being assembled, which maxMessageBytes bounds.
class WebSocketFrameParser
{
public:
    static constexpr qint64 DefaultMaxMessageBytes = 64 * 1024 * 1024;

    explicit WebSocketFrameParser(qint64 maxMessageBytes = DefaultMaxMessageBytes);

    // The cap on one message's size, decompressed (and on its compressed size, plus deflate's
    // worst-case growth). A frame whose declared length passes it fails at once.
    void setMaxMessageBytes(qint64 bytes) { m_maxMessageBytes = bytes; }
    qint64 maxMessageBytes() const { return m_maxMessageBytes; }

    // permessage-deflate was negotiated: messages with RSV1 on their first frame are inflated.
    // Not owned. Null (the default): RSV1 is a protocol error.
    void setInflater(WebSocketInflater *inflater) { m_inflater = inflater; }
    WebSocketInflater *inflater() const { return m_inflater; }

    // Appends every message and control frame that these bytes complete to out, in order, and
    // returns true; no callbacks, so the caller may do anything with the results. On the first
    // protocol error returns false, having appended what came before it; once failed, or after
    // a Close frame (RFC 6455 5.5.1: the server sends nothing after it), bytes are ignored.
    bool feed(QByteArrayView bytes, QList<WebSocketInbound> &out);

    bool hasFailed() const { return m_state == State::Failed; }
    // The code to close with after a failure: 1002 (protocol error), 1007 (invalid UTF-8 or
    // corrupt compressed data), 1009 (a message over the cap) or 1011 (zlib out of memory).
    int failureCloseCode() const { return m_failureCode; }
    // Readable, e.g. "protocol error: reserved bits set without an extension".
    QString errorString() const { return m_errorString; }
    bool hasReceivedClose() const { return m_state == State::Closed; }
    // Whether a fragmented message is being assembled.
    bool isMessageInProgress() const { return m_messageKind != MessageKind::None; }

    // For a new connection: forgets all state, the error and the inflater (set it again when
    // the new connection negotiated permessage-deflate).
    void reset();

private:
    enum class State : quint8 {
        Header,
        Payload,
        Failed,
        Closed,
    };
    enum class MessageKind : quint8 {
        None,
        Text,
        Binary,
    };

    bool parseFast(const char *&p, const char *end, QList<WebSocketInbound> &out);
    bool readHeader(const char *&p, const char *end, QList<WebSocketInbound> &out);
    bool checkFirstByte(quint8 byte);
    bool checkSecondByte(quint8 byte);
    bool startFrame(QList<WebSocketInbound> &out);
    bool readPayload(const char *&p, const char *end, QList<WebSocketInbound> &out);
    bool appendMessageBytes(QByteArrayView bytes);
    bool inflateMessageBytes(QByteArrayView bytes, bool finish);
    bool validateText(qsizetype from);
    bool endFrame(QList<WebSocketInbound> &out);
    bool endControlFrame(QList<WebSocketInbound> &out);
    bool fail(int code, const QString &message);
    bool failInvalidText(qsizetype offset);
    bool failTooLarge(bool compressed);
    bool failInflating();
    qint64 compressedLimit() const;

    qint64 m_maxMessageBytes;
    WebSocketInflater *m_inflater = nullptr; // not owned

    // The frame being read.
    unsigned char m_header[MaxWebSocketFrameHeader];
    qsizetype m_headerSize = 0; // header bytes held so far
    qsizetype m_headerNeeded = 2; // known once the second byte is in
    quint64 m_remaining = 0; // payload bytes of the frame still to come
    WebSocketOpcode m_opcode = WebSocketOpcode::Continuation;
    bool m_fin = false;
    bool m_rsv1 = false;

    // The data message being assembled, maybe over several frames.
    QByteArray m_message;
    qint64 m_compressedBytes = 0; // wire bytes of a compressed message so far
    IncrementalUtf8Validator m_utf8;
    MessageKind m_messageKind = MessageKind::None;
    bool m_compressed = false;

    QByteArray m_control; // the control frame being read (at most 125 bytes)
    QString m_errorString;
    int m_failureCode = 0;
    State m_state = State::Header;
};

} // namespace streamscope
