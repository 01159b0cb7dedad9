// SPDX-License-Identifier: GPL-3.0-or-later
#include "permessagedeflate.h"
#include "websocketframe.h"
#include "websocketframeparser.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTest>

#include <functional>
#include <memory>

using namespace streamscope;

namespace {

constexpr quint8 Rsv1 = 0x40;
constexpr quint8 Rsv2 = 0x20;
constexpr quint8 Rsv3 = 0x10;
constexpr qint64 DefaultCap = WebSocketFrameParser::DefaultMaxMessageBytes;
constexpr qint64 MiB = 1024 * 1024;

enum class LengthForm {
    Shortest,
    Bits16,
    Bits64,
};

// A server frame header: unmasked unless asked, any first byte, any length form.
QByteArray frameHeader(
    quint8 first, quint64 length, LengthForm form = LengthForm::Shortest, bool masked = false)
{
    QByteArray out(1, char(first));
    const quint8 maskBit = masked ? 0x80 : 0;
    if (form == LengthForm::Shortest && length < 126) {
        out.append(char(maskBit | quint8(length)));
    } else if (form == LengthForm::Bits16 || (form == LengthForm::Shortest && length <= 0xFFFF)) {
        out.append(char(maskBit | 126));
        out.append(char(length >> 8)).append(char(length));
    } else {
        out.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.append(char(length >> shift));
        }
    }
    if (masked) {
        out.append("\x01\x02\x03\x04", 4);
    }
    return out;
}

QByteArray frame(int opcode, const QByteArray &payload, bool fin = true, quint8 rsv = 0,
    LengthForm form = LengthForm::Shortest)
{
    return frameHeader(quint8(opcode) | (fin ? 0x80 : 0) | rsv, quint64(payload.size()), form)
        + payload;
}

QByteArray closeFramePayload(int code, const QByteArray &reason = {})
{
    return QByteArray(1, char(code >> 8)) + char(code) + reason;
}

// A message as comparable text; big payloads by size and hash.
QByteArray describe(WebSocketInbound::Kind kind, const QByteArray &payload, int closeCode = 0)
{
    static const char *const names[] = {"text", "binary", "ping", "pong", "close"};
    QByteArray out = names[int(kind)];
    if (kind == WebSocketInbound::Kind::Close) {
        out += ' ' + QByteArray::number(closeCode);
    }
    if (payload.size() <= 80) {
        out += " \"" + payload.toPercentEncoding(" !#$&'()*+,/:;=?@[]{}") + '"';
    } else {
        out += ' ' + QByteArray::number(payload.size()) + " bytes, sha1 "
            + QCryptographicHash::hash(payload, QCryptographicHash::Sha1).toHex().left(16);
    }
    return out;
}

QByteArray describe(const WebSocketInbound &message)
{
    return describe(message.kind, message.payload, message.closeCode);
}

QByteArray msgText(const QByteArray &payload)
{
    return describe(WebSocketInbound::Kind::Text, payload);
}
QByteArray msgBinary(const QByteArray &payload)
{
    return describe(WebSocketInbound::Kind::Binary, payload);
}
QByteArray msgPing(const QByteArray &payload)
{
    return describe(WebSocketInbound::Kind::Ping, payload);
}
QByteArray msgPong(const QByteArray &payload)
{
    return describe(WebSocketInbound::Kind::Pong, payload);
}
QByteArray msgClose(int code, const QByteArray &reason = {})
{
    return describe(WebSocketInbound::Kind::Close, reason, code);
}

// How a server with these parameters compresses: its server_* are a deflater's client_*.
DeflateParameters asSender(const DeflateParameters &server)
{
    DeflateParameters sender;
    sender.clientNoContextTakeover = server.serverNoContextTakeover;
    sender.clientMaxWindowBits = server.serverMaxWindowBits;
    return sender;
}

DeflateParameters negotiated(const QByteArray &extensions)
{
    QString error;
    const std::optional<DeflateParameters> parameters = parseDeflateResponse(extensions, &error);
    if (!parameters) {
        qFatal("bad extensions in a test row: %s", qPrintable(error));
    }
    return *parameters;
}

QByteArray compress(WebSocketDeflater &deflater, const QByteArray &message)
{
    QByteArray out;
    if (!deflater.compressMessage(message, out)) {
        qFatal("deflate failed: %s", qPrintable(deflater.errorString()));
    }
    return out;
}

// Valid UTF-8 of exactly size bytes, mixing 1- to 4-byte sequences.
QByteArray mixedText(qsizetype size)
{
    const QByteArray unit = QByteArray("κόσμε 😀 € ✓ plain ascii, ");
    QByteArray out;
    out.reserve(size);
    while (out.size() + unit.size() <= size) {
        out += unit;
    }
    out += QByteArray(size - out.size(), 'x');
    return out;
}

struct Outcome
{
    QByteArrayList messages;
    int failureCode = 0;
    QString error;
    qint64 failedAt = -1; // stream offset of the last byte fed before feed() returned false
};

// Chunk sizes: a function of the bytes left.
using Chunker = std::function<qsizetype(qsizetype left)>;

Outcome parseWith(
    const QByteArray &input, qint64 cap, const QByteArray &extensions, const Chunker &chunker)
{
    Outcome outcome;
    WebSocketFrameParser parser(cap);
    std::unique_ptr<WebSocketInflater> inflater;
    if (!extensions.isEmpty()) {
        inflater = std::make_unique<WebSocketInflater>(negotiated(extensions));
        parser.setInflater(inflater.get());
    }
    QList<WebSocketInbound> out;
    qsizetype at = 0;
    while (at < input.size()) {
        const qsizetype size = qMin(chunker(input.size() - at), input.size() - at);
        const bool ok = parser.feed(QByteArrayView(input).sliced(at, size), out);
        at += size;
        for (const WebSocketInbound &message : std::as_const(out)) {
            outcome.messages.append(describe(message));
        }
        out.clear();
        if (!ok) {
            outcome.failedAt = at - 1;
            // Once failed, nothing more comes out.
            if (parser.feed("\x81\x01x", out) || !out.isEmpty()) {
                outcome.messages.append("fed after the failure");
            }
            break;
        }
    }
    if (parser.hasFailed()) {
        outcome.failureCode = parser.failureCloseCode();
        outcome.error = parser.errorString();
    }
    return outcome;
}

quint32 testSeed()
{
    bool ok = false;
    const quint32 fixed = qEnvironmentVariable("STREAMSCOPE_TEST_SEED").toUInt(&ok);
    return ok ? fixed : QRandomGenerator::global()->generate();
}

} // namespace

class TestWebSocketFrameParser : public QObject
{
    Q_OBJECT
private slots:
    void parse_data();
    void parse();
    void failureIsFinalUntilReset();
    void fastPathAndGeneralPathAgree();
    void encoder_data();
    void encoder();
    void maskMatchesBytewise();
    void closePayload_data();
    void closePayload();
    void closeCodes();
    void deflateRoundTrip_data();
    void deflateRoundTrip();
    void contextTakeover();
    void windowBits8();
    void inflaterCap();
    void inflaterCorrupt();
    void parseDeflateResponse_data();
    void parseDeflateResponse();
};

namespace {

struct Row
{
    QByteArray input;
    QByteArrayList expected;
    int failureCode = 0;
    QString reason; // a substring of errorString()
    qint64 failAt = -1; // the byte whose arrival fails it; -1: not checked
    qint64 cap = DefaultCap;
    QByteArray extensions; // the server's Sec-WebSocket-Extensions; empty: no inflater
};

void addRow(const QByteArray &name, const Row &row)
{
    QTest::newRow(name.constData()) << row.input << row.expected << row.failureCode << row.reason
                                    << row.failAt << row.cap << row.extensions;
}

void accepted(const QByteArray &name, const QByteArray &input, const QByteArrayList &expected,
    qint64 cap = DefaultCap, const QByteArray &extensions = {})
{
    addRow(name, Row{input, expected, 0, {}, -1, cap, extensions});
}

void failed(const QByteArray &name, const QByteArray &input, int code, const char *reason,
    qint64 failAt, const QByteArrayList &before = {}, qint64 cap = DefaultCap,
    const QByteArray &extensions = {})
{
    addRow(name, Row{input, before, code, QString::fromUtf8(reason), failAt, cap, extensions});
}

} // namespace

void TestWebSocketFrameParser::parse_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArrayList>("expected");
    QTest::addColumn<int>("failureCode");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<qint64>("failAt");
    QTest::addColumn<qint64>("cap");
    QTest::addColumn<QByteArray>("extensions");

    // Messages and control frames.
    accepted("text", frame(1, "hello"), {msgText("hello")});
    accepted("binary", frame(2, QByteArray("\x00\xff\x10\x80", 4)),
        {msgBinary(QByteArray("\x00\xff\x10\x80", 4))});
    accepted("binary is not UTF-8 checked", frame(2, "\xc0\xaf\xff"), {msgBinary("\xc0\xaf\xff")});
    accepted("empty text", frame(1, ""), {msgText("")});
    accepted("empty binary", frame(2, ""), {msgBinary("")});
    for (const int size : {125, 126, 65535, 65536, 70000}) {
        const QByteArray payload = mixedText(size);
        accepted("text of " + QByteArray::number(size) + " bytes", frame(1, payload),
            {msgText(payload)});
    }
    accepted("16-bit length form for 5 bytes", frame(1, "hello", true, 0, LengthForm::Bits16),
        {msgText("hello")});
    accepted("64-bit length form for 5 bytes", frame(2, "hello", true, 0, LengthForm::Bits64),
        {msgBinary("hello")});
    accepted("fragmented text", frame(1, "hel", false) + frame(0, "lo"), {msgText("hello")});
    accepted("empty fragments",
        frame(1, "", false) + frame(0, "", false) + frame(0, "ab", false) + frame(0, ""),
        {msgText("ab")});
    accepted("only empty fragments", frame(2, "", false) + frame(0, "", false) + frame(0, ""),
        {msgBinary("")});
    accepted("one byte per frame",
        frame(1, "h", false) + frame(0, "e", false) + frame(0, "l", false) + frame(0, "l", false)
            + frame(0, "o"),
        {msgText("hello")});
    accepted("ping between fragments", frame(1, "hel", false) + frame(9, "p") + frame(0, "lo"),
        {msgPing("p"), msgText("hello")});
    accepted("pong and ping between binary fragments",
        frame(2, "a", false) + frame(10, "") + frame(0, "b", false) + frame(9, "x") + frame(0, "c"),
        {msgPong(""), msgPing("x"), msgBinary("abc")});
    accepted("pong", frame(10, "pong data"), {msgPong("pong data")});
    accepted("empty ping", frame(9, ""), {msgPing("")});
    accepted("ping of 125 bytes", frame(9, QByteArray(125, 'p')), {msgPing(QByteArray(125, 'p'))});
    accepted("ping in the 16-bit form", frame(9, "p", true, 0, LengthForm::Bits16), {msgPing("p")});
    accepted("close with code and reason", frame(8, closeFramePayload(1000, "bye")),
        {msgClose(1000, "bye")});
    accepted("close with a UTF-8 reason", frame(8, closeFramePayload(4001, "κόσμε")),
        {msgClose(4001, "κόσμε")});
    accepted("close with a code only", frame(8, closeFramePayload(1001)), {msgClose(1001)});
    accepted("close without payload", frame(8, ""), {msgClose(1005)});
    accepted("close of 125 bytes", frame(8, closeFramePayload(1000, QByteArray(123, 'r'))),
        {msgClose(1000, QByteArray(123, 'r'))});
    accepted("close during a fragmented message", frame(1, "abc", false) + frame(8, ""),
        {msgClose(1005)});
    accepted("nothing after close", frame(1, "a") + frame(8, "") + frame(1, "b") + "\xff\xff",
        {msgText("a"), msgClose(1005)});
    accepted("several messages", frame(1, "a") + frame(2, "b") + frame(9, "c") + frame(1, "d"),
        {msgText("a"), msgBinary("b"), msgPing("c"), msgText("d")});
    for (const int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
             3000, 3999, 4000, 4999}) {
        accepted("close code " + QByteArray::number(code), frame(8, closeFramePayload(code, "r")),
            {msgClose(code, "r")});
    }

    // UTF-8 split at every byte position, with and without a ping in between.
    const QByteArray sample = "κόσμε 😀 € ✓";
    for (qsizetype at = 1; at < sample.size(); ++at) {
        accepted("split at byte " + QByteArray::number(at),
            frame(1, sample.left(at), false) + frame(0, sample.mid(at)), {msgText(sample)});
        accepted("split at byte " + QByteArray::number(at) + ", ping between",
            frame(1, sample.left(at), false) + frame(9, "") + frame(0, sample.mid(at)),
            {msgPing(""), msgText(sample)});
    }
    QByteArray everyByte = frame(1, sample.left(1), false);
    for (qsizetype at = 1; at < sample.size(); ++at) {
        everyByte += frame(0, sample.mid(at, 1), at + 1 == sample.size());
    }
    accepted("every byte its own frame", everyByte, {msgText(sample)});

    // Invalid UTF-8 fails at the first byte that cannot be text: header 2 + offset.
    const char *invalid = "invalid UTF-8 at byte";
    failed("overlong C0 AF", frame(1, "\xc0\xaf"), 1007, "invalid UTF-8 at byte 0", 2);
    failed("overlong C1 BF", frame(1, "\xc1\xbf"), 1007, invalid, 2);
    failed("overlong E0 80 AF", frame(1, "\xe0\x80\xaf"), 1007, "invalid UTF-8 at byte 1", 3);
    failed("overlong E0 9F BF", frame(1, "\xe0\x9f\xbf"), 1007, invalid, 3);
    failed("overlong F0 80 80 AF", frame(1, "\xf0\x80\x80\xaf"), 1007, invalid, 3);
    failed("overlong F0 8F BF BF", frame(1, "\xf0\x8f\xbf\xbf"), 1007, invalid, 3);
    failed("surrogate ED A0 80", frame(1, "ab\xed\xa0\x80"), 1007, "invalid UTF-8 at byte 3", 5);
    failed("surrogate ED BF BF", frame(1, "\xed\xbf\xbf"), 1007, invalid, 3);
    failed("past U+10FFFF F4 90 80 80", frame(1, "\xf4\x90\x80\x80"), 1007, invalid, 3);
    failed("past U+10FFFF F5", frame(1, "\xf5\x80\x80\x80"), 1007, invalid, 2);
    failed("byte FF", frame(1, "a\xff"), 1007, "invalid UTF-8 at byte 1", 3);
    failed("bad continuation C3 28", frame(1, "\xc3\x28"), 1007, invalid, 3);
    failed("lone continuation 80", frame(1, "\x80"), 1007, invalid, 2);
    failed("E2 82 then ASCII", frame(1, "\xe2\x82("), 1007, invalid, 4);
    failed("truncated at the final fragment", frame(1, "\xe2\x82"), 1007,
        "ends inside a code point", 3);
    failed("truncated 4-byte sequence at the end", frame(1, "ok\xf0\x9f\x98"), 1007,
        "ends inside a code point", 6);
    failed("truncated, then an empty final fragment", frame(1, "\xe2\x82", false) + frame(0, ""),
        1007, "ends inside a code point", 5);
    failed("invalid across a frame boundary", frame(1, "\xe2", false) + frame(0, "("), 1007,
        "invalid UTF-8 at byte 1", 5);
    failed("invalid across a frame boundary, ping between",
        frame(1, "\xed", false) + frame(9, "") + frame(0, "\xa0\x80"), 1007, invalid, 7,
        {msgPing("")});
    failed("invalid after good messages", frame(1, "ok") + frame(1, "abc\xc3\xa9\xff"), 1007,
        "invalid UTF-8 at byte 5", 4 + 2 + 5, {msgText("ok")});
    failed("invalid UTF-8 in a close reason", frame(8, closeFramePayload(1000, "\xc3\x28")), 1007,
        "invalid UTF-8 in the close reason", 5);
    failed("truncated UTF-8 in a close reason", frame(8, closeFramePayload(1000, "\xe2\x82")), 1007,
        "invalid UTF-8 in the close reason", 5);

    // Sizes.
    const QByteArray big = mixedText(16 * MiB);
    accepted("16 MiB text frame", frame(1, big), {msgText(big)});
    const QByteArray atCap(64 * MiB, '\x5a');
    accepted("64 MiB message at the 64 MiB cap", frame(2, atCap), {msgBinary(atCap)});
    failed("64 MiB + 1 at the 64 MiB cap", frameHeader(0x82, 64 * MiB + 1) + "abc", 1009,
        "message of more than 64 MiB", 9);
    failed("2^62 bytes declared", frameHeader(0x82, quint64(1) << 62) + "abc", 1009,
        "message of more than 64 MiB", 9);
    failed("top bit of the 64-bit length", frameHeader(0x82, quint64(1) << 63) + "abc", 1002,
        "most significant bit", 9);
    accepted("fragments exactly at a small cap",
        frame(2, QByteArray(600, 'a'), false) + frame(0, QByteArray(400, 'b')),
        {msgBinary(QByteArray(600, 'a') + QByteArray(400, 'b'))}, 1000);
    failed("fragments over a small cap",
        frame(2, QByteArray(600, 'a'), false) + frame(0, QByteArray(401, 'b')), 1009,
        "message of more than 1000 bytes", 4 + 600 + 4 - 1, {}, 1000);
    failed("one frame over a small cap", frame(1, QByteArray(1025, 'a')), 1009,
        "message of more than 1 KiB", 3, {}, 1024);
    accepted("control frames are not held to the message cap", frame(9, QByteArray(100, 'p')),
        {msgPing(QByteArray(100, 'p'))}, 10);

    // Protocol errors (RFC 6455 5.2, 5.5, 5.1, 5.4, 7.4; RFC 7692 6).
    const char *reserved = "protocol error: reserved bits set without an extension";
    failed("RSV1 without an inflater", frame(1, "x", true, Rsv1), 1002, reserved, 0);
    failed("RSV2", frame(1, "x", true, Rsv2), 1002, reserved, 0);
    failed("RSV3", frame(2, "x", true, Rsv3), 1002, reserved, 0);
    failed("RSV2 with an inflater", frame(1, "x", true, Rsv2), 1002, reserved, 0, {}, DefaultCap,
        "permessage-deflate");
    failed(
        "RSV1 on a control frame without an inflater", frame(9, "", true, Rsv1), 1002, reserved, 0);
    failed("RSV1 on a control frame", frame(9, "", true, Rsv1), 1002,
        "protocol error: RSV1 set on a control frame", 0, {}, DefaultCap, "permessage-deflate");
    for (const int opcode : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
        failed("unknown opcode " + QByteArray::number(opcode), frame(opcode, "x"), 1002,
            qPrintable(QStringLiteral("protocol error: unknown opcode %1").arg(opcode)), 0);
    }
    failed("unknown opcode after a message", frame(1, "a") + frame(3, "x"), 1002,
        "unknown opcode 3", 3, {msgText("a")});
    failed("control frame of 126 bytes", frame(9, QByteArray(126, 'p')), 1002,
        "control frame of 126 bytes (at most 125)", 3);
    failed("close frame of 126 bytes", frame(8, closeFramePayload(1000, QByteArray(124, 'r'))),
        1002, "control frame of 126 bytes", 3);
    failed("fragmented ping", frame(9, "p", false), 1002, "fragmented control frame", 0);
    failed("fragmented close", frame(8, "", false), 1002, "fragmented control frame", 0);
    failed("fragmented pong", frame(10, "", false), 1002, "fragmented control frame", 0);
    failed("masked frame", frameHeader(0x81, 5, LengthForm::Shortest, true) + "abcde", 1002,
        "protocol error: masked frame from the server", 1);
    failed("continuation with nothing to continue", frame(0, "x"), 1002,
        "continuation frame with no message to continue", 0);
    failed("continuation after a whole message", frame(1, "a") + frame(0, "x"), 1002,
        "continuation frame with no message to continue", 3, {msgText("a")});
    failed("new text while fragmented", frame(1, "a", false) + frame(1, "b"), 1002,
        "new text message while a fragmented message is in progress", 3);
    failed("new binary while fragmented", frame(1, "a", false) + frame(2, "b"), 1002,
        "new binary message while a fragmented message is in progress", 3);
    failed(
        "close payload of 1 byte", frame(8, "\x03"), 1002, "close frame with a 1-byte payload", 2);
    for (const int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
        failed("invalid close code " + QByteArray::number(code), frame(8, closeFramePayload(code)),
            1002, qPrintable(QStringLiteral("protocol error: invalid close code %1").arg(code)), 3);
    }

    // permessage-deflate (RFC 7692 7.2.3 examples, then our own deflater as the server).
    const QByteArray deflate = "permessage-deflate";
    accepted("RFC 7692 7.2.3.1 Hello", QByteArray::fromHex("c107f248cdc9c90700"),
        {msgText("Hello")}, DefaultCap, deflate);
    accepted("RFC 7692 7.2.3.2 shared window",
        QByteArray::fromHex("c107f248cdc9c90700") + QByteArray::fromHex("c105f200110000"),
        {msgText("Hello"), msgText("Hello")}, DefaultCap, deflate);
    accepted("RFC 7692 7.2.3.1 fragmented",
        QByteArray::fromHex("4103f248cd") + QByteArray::fromHex("8004c9c90700"), {msgText("Hello")},
        DefaultCap, deflate);
    accepted("RFC 7692 7.2.3.3 stored block", QByteArray::fromHex("c10b000500faff48656c6c6f00"),
        {msgText("Hello")}, DefaultCap, deflate);
    accepted("RFC 7692 7.2.3.4 BFINAL", QByteArray::fromHex("c108f348cdc9c9070000"),
        {msgText("Hello")}, DefaultCap, deflate);
    accepted("BFINAL without the extra byte, twice",
        QByteArray::fromHex("c107f348cdc9c90700") + QByteArray::fromHex("c107f348cdc9c90700"),
        {msgText("Hello"), msgText("Hello")}, DefaultCap, deflate);
    accepted("RFC 7692 7.2.3.5 two blocks", QByteArray::fromHex("c10df24805000000ffffcac9c90700"),
        {msgText("Hello")}, DefaultCap, deflate);
    accepted("compressed empty message", QByteArray::fromHex("c10100"), {msgText("")}, DefaultCap,
        deflate);
    accepted("compressed message with no payload bytes", QByteArray::fromHex("c100c100"),
        {msgText(""), msgText("")}, DefaultCap, deflate);
    accepted("compressed, then plain, then compressed",
        QByteArray::fromHex("c107f248cdc9c90700") + frame(1, "plain")
            + QByteArray::fromHex("c105f200110000"),
        {msgText("Hello"), msgText("plain"), msgText("Hello")}, DefaultCap, deflate);
    {
        const QByteArray json = R"({"symbol":"ABC","price":101.25,"size":300,"note":"κόσμε"})";
        for (const QByteArray &extensions : {QByteArray("permessage-deflate"),
                 QByteArray("permessage-deflate; server_no_context_takeover"),
                 QByteArray("permessage-deflate; server_max_window_bits=8"),
                 QByteArray("permessage-deflate; server_max_window_bits=10; "
                            "server_no_context_takeover"),
                 QByteArray("permessage-deflate; client_max_window_bits=9")}) {
            WebSocketDeflater server(asSender(negotiated(extensions)));
            QByteArray input;
            QByteArrayList expected;
            for (int i = 0; i < 6; ++i) {
                // Repeats and long runs, so later messages refer back into earlier ones.
                const QByteArray message
                    = json + QByteArray::number(i) + QByteArray(300, 'z') + json;
                const QByteArray compressed = compress(server, message);
                if (i == 2) {
                    // Fragmented, with a ping between; RSV1 on the first frame only.
                    input += frame(1, compressed.left(5), false, Rsv1) + frame(9, "x")
                        + frame(0, compressed.mid(5, 7), false) + frame(0, compressed.mid(12));
                    expected += msgPing("x");
                } else {
                    input += frame(i == 4 ? 2 : 1, compressed, true, Rsv1);
                }
                expected += i == 4 ? msgBinary(message) : msgText(message);
            }
            accepted(
                "context over 6 messages: " + extensions, input, expected, DefaultCap, extensions);
        }
        // Matches further back than server_max_window_bits allows still decode, and the same
        // way however the bytes arrive (zlib checks a small window only across calls).
        QByteArray noise(1000, Qt::Uninitialized);
        QRandomGenerator(5).fillRange(reinterpret_cast<quint32 *>(noise.data()), noise.size() / 4);
        WebSocketDeflater wideWindow;
        accepted("a match past the negotiated window",
            frame(2, compress(wideWindow, noise + noise), true, Rsv1), {msgBinary(noise + noise)},
            DefaultCap, "permessage-deflate; server_max_window_bits=8");
        // A 1 MiB message in a 64 KiB-step inflater, and one of exactly the cap.
        WebSocketDeflater server;
        const QByteArray large = mixedText(MiB);
        accepted("compressed 1 MiB text", frame(1, compress(server, large), true, Rsv1),
            {msgText(large)}, DefaultCap, deflate);
        WebSocketDeflater exact;
        accepted("compressed, exactly at the cap",
            frame(2, compress(exact, QByteArray(100000, '\0')), true, Rsv1),
            {msgBinary(QByteArray(100000, '\0'))}, 100000, deflate);
        WebSocketDeflater bomb;
        failed("decompression bomb",
            frame(2, compress(bomb, QByteArray(16 * MiB, '\0')), true, Rsv1), 1009,
            "decompressed message of more than 1 MiB", -1, {}, MiB, deflate);
        WebSocketDeflater overByOne;
        failed("compressed, one byte over the cap",
            frame(2, compress(overByOne, QByteArray(100001, '\0')), true, Rsv1), 1009,
            "decompressed message of more than 100000 bytes", -1, {}, 100000, deflate);
        WebSocketDeflater invalidText;
        failed("compressed invalid UTF-8",
            frame(1, compress(invalidText, "abc\xed\xa0\x80"), true, Rsv1), 1007,
            "invalid UTF-8 at byte 4", -1, {}, DefaultCap, deflate);
        WebSocketDeflater truncatedText;
        failed("compressed text cut inside a code point",
            frame(1, compress(truncatedText, "abc\xe2\x82"), true, Rsv1), 1007,
            "ends inside a code point", -1, {}, DefaultCap, deflate);
    }
    failed("corrupt compressed data", frame(1, "\xff\xff\xff\xff", true, Rsv1), 1007,
        "corrupt compressed message", -1, {}, DefaultCap, deflate);
    // A stored block of 10 bytes with 2 of them: the tail's 4 leave it 4 short.
    failed("compressed data cut inside a block", QByteArray::fromHex("c207000a00f5ff4865"), 1007,
        "compressed message does not end at a DEFLATE block boundary", -1, {}, DefaultCap, deflate);
    failed("compressed data cut inside a Huffman block", QByteArray::fromHex("c104f248cdc9"), 1007,
        "compressed message", -1, {}, DefaultCap, deflate);
    failed("compressed frame over the compressed size cap", frameHeader(0xc2, 2 * MiB) + "abc",
        1009, "compressed message of more than", 9, {}, MiB, deflate);
    failed("RSV1 on a continuation frame",
        frame(1, QByteArray::fromHex("f248"), false, Rsv1)
            + frame(0, QByteArray::fromHex("cdc9c90700"), true, Rsv1),
        1002, "protocol error: RSV1 set on a continuation frame", 4, {}, DefaultCap, deflate);
}

void TestWebSocketFrameParser::parse()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArrayList, expected);
    QFETCH(int, failureCode);
    QFETCH(QString, reason);
    QFETCH(qint64, failAt);
    QFETCH(qint64, cap);
    QFETCH(QByteArray, extensions);

    const quint32 seed = testSeed();
    QRandomGenerator random(seed);
    const Chunker randomChunks = [&random](qsizetype) -> qsizetype {
        // Mostly tiny chunks, some socket-sized ones.
        const quint32 kind = random.bounded(10);
        return kind < 5 ? 1 + random.bounded(16)
            : kind < 8  ? 1 + random.bounded(1500)
                        : 1 + random.bounded(200000);
    };
    const struct
    {
        const char *name;
        Chunker chunker;
    } feeds[] = {
        {"whole", [](qsizetype left) { return left; }},
        {"byte by byte", [](qsizetype) { return qsizetype(1); }},
        {"random chunks", randomChunks},
        {"64 KiB chunks", [](qsizetype) { return qsizetype(64 * 1024); }},
    };
    for (const auto &feed : feeds) {
        const Outcome outcome = parseWith(input, cap, extensions, feed.chunker);
        const QByteArray where
            = QByteArray(feed.name) + " (STREAMSCOPE_TEST_SEED=" + QByteArray::number(seed) + ')';
        if (outcome.messages != expected) {
            QByteArray text = where + ": messages differ";
            for (qsizetype i = 0; i < qMax(outcome.messages.size(), expected.size()); ++i) {
                text += "\n  #" + QByteArray::number(i) + " got:      " + outcome.messages.value(i)
                    + "\n  #" + QByteArray::number(i) + " expected: " + expected.value(i);
            }
            QFAIL(text.constData());
        }
        QVERIFY2(outcome.failureCode == failureCode,
            (where + ": close code " + QByteArray::number(outcome.failureCode) + ", "
                + outcome.error.toUtf8())
                .constData());
        QVERIFY2(outcome.error.contains(reason),
            (where + ": error \"" + outcome.error.toUtf8() + "\"").constData());
        if (failureCode != 0 && failAt >= 0 && QByteArrayView(feed.name) == "byte by byte") {
            QVERIFY2(outcome.failedAt == failAt,
                (where + ": failed at byte " + QByteArray::number(outcome.failedAt)).constData());
        }
    }
}

void TestWebSocketFrameParser::failureIsFinalUntilReset()
{
    WebSocketFrameParser parser;
    QList<WebSocketInbound> out;
    QVERIFY(!parser.feed(frame(1, "a") + frame(3, "x") + frame(1, "b"), out));
    QCOMPARE(out.size(), 1);
    QVERIFY(parser.hasFailed());
    QCOMPARE(parser.failureCloseCode(), 1002);
    QVERIFY(!parser.feed(frame(1, "c"), out));
    QCOMPARE(out.size(), 1);

    WebSocketInflater inflater;
    parser.setInflater(&inflater);
    parser.reset();
    QVERIFY(!parser.hasFailed());
    QCOMPARE(parser.inflater(), nullptr);
    QCOMPARE(parser.failureCloseCode(), 0);
    QVERIFY(parser.errorString().isEmpty());
    out.clear();
    QVERIFY(parser.feed(frame(1, "c", false), out));
    QVERIFY(parser.isMessageInProgress());
    QVERIFY(parser.feed(frame(0, "d") + frame(8, ""), out));
    QCOMPARE(out.size(), 2);
    QVERIFY(parser.hasReceivedClose());
    QCOMPARE(out.at(0).payload, QByteArray("cd"));
}

void TestWebSocketFrameParser::fastPathAndGeneralPathAgree()
{
    // Many small frames in one buffer take the fast path; split right after each header, the
    // same frames take the general one.
    QByteArray input;
    QByteArrayList expected;
    for (int i = 0; i < 300; ++i) {
        const QByteArray payload = mixedText(i);
        input += frame(i % 3 == 0 ? 2 : 1, payload);
        expected += i % 3 == 0 ? msgBinary(payload) : msgText(payload);
    }
    WebSocketFrameParser parser;
    QList<WebSocketInbound> out;
    QVERIFY(parser.feed(input, out));
    QByteArrayList got;
    for (const WebSocketInbound &message : std::as_const(out)) {
        got += describe(message);
    }
    QCOMPARE(got, expected);
}

void TestWebSocketFrameParser::encoder_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("opcode");
    QTest::addColumn<bool>("fin");
    QTest::addColumn<bool>("rsv1");
    QTest::addColumn<quint32>("maskKey");
    QTest::addColumn<int>("headerSize");
    for (const int size : {0, 1, 7, 8, 9, 125, 126, 127, 65535, 65536, 70001}) {
        const int headerSize = size < 126 ? 6 : size <= 65535 ? 8 : 14;
        QTest::addRow("text %d", size) << size << 1 << true << false << 0x12345678u << headerSize;
        QTest::addRow("binary %d, rsv1, not fin", size)
            << size << 2 << false << true << 0xdeadbeefu << headerSize;
    }
    QTest::newRow("zero key") << 50 << 2 << true << false << 0u << 6;
    QTest::newRow("all-ones key") << 50 << 10 << true << false << 0xffffffffu << 6;
    QTest::newRow("close") << 20 << 8 << true << false << 0x01020304u << 6;
}

void TestWebSocketFrameParser::encoder()
{
    QFETCH(int, size);
    QFETCH(int, opcode);
    QFETCH(bool, fin);
    QFETCH(bool, rsv1);
    QFETCH(quint32, maskKey);
    QFETCH(int, headerSize);
    QByteArray payload(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i) {
        payload[i] = char(i * 7 + 3);
    }
    const QByteArray encoded
        = encodeClientFrame(WebSocketOpcode(opcode), payload, fin, rsv1, maskKey);
    QCOMPARE(encoded.size(), headerSize + size);
    QCOMPARE(quint8(encoded.at(0)), quint8(opcode | (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0)));
    QVERIFY(quint8(encoded.at(1)) & 0x80);
    const quint8 length7 = encoded.at(1) & 0x7F;
    quint64 length = length7;
    if (length7 == 126) {
        QCOMPARE(headerSize, 8);
        length = (quint8(encoded.at(2)) << 8) | quint8(encoded.at(3));
    } else if (length7 == 127) {
        QCOMPARE(headerSize, 14);
        length = 0;
        for (int i = 2; i < 10; ++i) {
            length = (length << 8) | quint8(encoded.at(i));
        }
    }
    QCOMPARE(length, quint64(size));
    const QByteArray key = encoded.mid(headerSize - 4, 4);
    QCOMPARE(key, QByteArray::fromHex(QByteArray::number(maskKey, 16).rightJustified(8, '0')));
    QByteArray unmasked = encoded.mid(headerSize);
    for (int i = 0; i < unmasked.size(); ++i) {
        unmasked[i] = char(unmasked.at(i) ^ key.at(i % 4));
    }
    QCOMPARE(unmasked, payload);

    // Appending keeps what was there, and the server's view of it parses back.
    QByteArray out = "prefix";
    appendClientFrame(out, WebSocketOpcode(opcode), payload, fin, rsv1, maskKey);
    QCOMPARE(out, "prefix" + encoded);
    if (fin && !rsv1 && (opcode == 2 || opcode == 10)) {
        QByteArray asServer = encoded.left(headerSize - 4) + unmasked;
        asServer[1] = char(asServer.at(1) & 0x7F);
        WebSocketFrameParser parser;
        QList<WebSocketInbound> messages;
        QVERIFY2(parser.feed(asServer, messages), qPrintable(parser.errorString()));
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.at(0).payload, payload);
    }
}

void TestWebSocketFrameParser::maskMatchesBytewise()
{
    // Every length and alignment around the word size against a plain byte loop.
    QByteArray source(100, Qt::Uninitialized);
    for (int i = 0; i < source.size(); ++i) {
        source[i] = char(i * 31 + 1);
    }
    const quint32 key = 0xa1b2c3d4;
    const char keyBytes[] = {'\xa1', '\xb2', '\xc3', '\xd4'};
    for (int offset = 0; offset < 8; ++offset) {
        for (int size = 0; size <= 40; ++size) {
            QByteArray masked(size, '\0');
            maskPayload(masked.data(), source.constData() + offset, size, key);
            for (int i = 0; i < size; ++i) {
                QCOMPARE(masked.at(i), char(source.at(offset + i) ^ keyBytes[i % 4]));
            }
            QByteArray inPlace = source.mid(offset, size);
            maskPayload(inPlace.data(), inPlace.constData(), size, key);
            QCOMPARE(inPlace, masked);
        }
    }
}

void TestWebSocketFrameParser::closePayload_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("code only") << 1000 << QByteArray() << QByteArray("\x03\xe8", 2);
    QTest::newRow("code and reason") << 4001 << QByteArray("bye")
                                     << QByteArray("\x0f\xa1"
                                                   "bye",
                                            5);
    QTest::newRow("no status: empty payload") << 1005 << QByteArray("ignored") << QByteArray();
    QTest::newRow("123 bytes fit")
        << 1000 << QByteArray(123, 'a') << QByteArray("\x03\xe8", 2) + QByteArray(123, 'a');
    QTest::newRow("124 bytes cut")
        << 1000 << QByteArray(124, 'a') << QByteArray("\x03\xe8", 2) + QByteArray(123, 'a');
    QByteArray euros;
    for (int i = 0; i < 60; ++i) {
        euros += "€";
    }
    QTest::newRow("3-byte sequences cut at 123")
        << 1000 << euros << QByteArray("\x03\xe8", 2) + euros.left(123);
    QTest::newRow("a sequence across 123 is left out")
        << 1001 << QByteArray(122, 'a') + "€" << QByteArray("\x03\xe9", 2) + QByteArray(122, 'a');
    QTest::newRow("a 4-byte sequence across 123 is left out")
        << 1001 << QByteArray(121, 'a') + "😀" << QByteArray("\x03\xe9", 2) + QByteArray(121, 'a');
}

void TestWebSocketFrameParser::closePayload()
{
    QFETCH(int, code);
    QFETCH(QByteArray, reason);
    QFETCH(QByteArray, expected);
    const QByteArray payload = encodeClosePayload(code, reason);
    QCOMPARE(payload, expected);
    QVERIFY(payload.size() <= 125);
    if (!payload.isEmpty()) {
        // The server's parser would take it: a valid code and UTF-8.
        WebSocketFrameParser parser;
        QList<WebSocketInbound> out;
        QVERIFY2(parser.feed(frame(8, payload), out), qPrintable(parser.errorString()));
        QCOMPARE(out.at(0).closeCode, code);
    }
}

void TestWebSocketFrameParser::closeCodes()
{
    for (int code = -1; code <= 70000; ++code) {
        const bool expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
            || (code >= 3000 && code <= 4999);
        QVERIFY2(isValidCloseCode(code) == expected, qPrintable(QString::number(code)));
    }
    QVERIFY(isControlOpcode(WebSocketOpcode::Close));
    QVERIFY(isControlOpcode(WebSocketOpcode::Ping));
    QVERIFY(!isControlOpcode(WebSocketOpcode::Binary));
    QVERIFY(!isControlOpcode(WebSocketOpcode::Continuation));
    for (int opcode = 0; opcode < 16; ++opcode) {
        QCOMPARE(isKnownOpcode(quint8(opcode)), opcode <= 2 || (opcode >= 8 && opcode <= 10));
    }
}

void TestWebSocketFrameParser::deflateRoundTrip_data()
{
    QTest::addColumn<int>("windowBits");
    QTest::addColumn<bool>("noContextTakeover");
    QTest::addColumn<int>("level");
    for (int bits = 8; bits <= 15; ++bits) {
        QTest::addRow("window %d", bits) << bits << false << -1;
        QTest::addRow("window %d, no context takeover", bits) << bits << true << -1;
    }
    QTest::newRow("level 0 (stored)") << 15 << false << 0;
    QTest::newRow("level 1") << 15 << false << 1;
    QTest::newRow("level 9") << 15 << true << 9;
}

void TestWebSocketFrameParser::deflateRoundTrip()
{
    QFETCH(int, windowBits);
    QFETCH(bool, noContextTakeover);
    QFETCH(int, level);
    DeflateParameters parameters;
    parameters.clientMaxWindowBits = windowBits;
    parameters.clientNoContextTakeover = noContextTakeover;
    WebSocketDeflater deflater(parameters, level);
    // The server inflates what we send with our client_* parameters as its sender's.
    DeflateParameters serverView;
    serverView.serverMaxWindowBits = windowBits;
    serverView.serverNoContextTakeover = noContextTakeover;
    WebSocketInflater whole(serverView);
    WebSocketInflater bytewise(serverView);

    QRandomGenerator random(quint32(windowBits * 100 + level));
    QList<QByteArray> messages = {"", "a", "Hello", mixedText(1000), QByteArray(70000, 'x'), ""};
    QByteArray noise(200000, Qt::Uninitialized);
    random.fillRange(reinterpret_cast<quint32 *>(noise.data()), noise.size() / 4);
    messages += noise; // incompressible: stored blocks
    messages += mixedText(300000) + noise.left(5000) + mixedText(300000);
    for (int i = 0; i < 5; ++i) {
        messages += mixedText(400 + i); // repeats: back references into earlier messages
    }
    for (const QByteArray &message : std::as_const(messages)) {
        QByteArray compressed;
        QVERIFY(deflater.compressMessage(message, compressed));
        QVERIFY(!compressed.endsWith(QByteArray::fromHex("0000ffff")) || message.isEmpty());
        QByteArray out;
        QVERIFY2(whole.inflate(compressed, out, 1 << 30), qPrintable(whole.errorString()));
        QVERIFY2(whole.finishMessage(out, 1 << 30), qPrintable(whole.errorString()));
        QCOMPARE(out.size(), message.size());
        QCOMPARE(out, message);
        QByteArray outBytewise;
        for (const char c : std::as_const(compressed)) {
            QVERIFY2(bytewise.inflate(QByteArrayView(&c, 1), outBytewise, 1 << 30),
                qPrintable(bytewise.errorString()));
        }
        QVERIFY(bytewise.finishMessage(outBytewise, 1 << 30));
        QCOMPARE(outBytewise, message);
    }
}

void TestWebSocketFrameParser::contextTakeover()
{
    // Varied enough that only the previous copy of itself compresses it well.
    QRandomGenerator random(7);
    QByteArray message;
    while (message.size() < 2000) {
        message += "{\"id\":" + QByteArray::number(random.generate())
            + ",\"v\":" + QByteArray::number(random.bounded(1e6)) + "} ";
    }
    WebSocketDeflater keeping;
    const QByteArray first = compress(keeping, message);
    const QByteArray second = compress(keeping, message);
    QVERIFY2(second.size() * 4 < first.size(),
        qPrintable(QStringLiteral("%1 then %2 bytes").arg(first.size()).arg(second.size())));

    DeflateParameters reset;
    reset.clientNoContextTakeover = true;
    WebSocketDeflater resetting(reset);
    QCOMPARE(compress(resetting, message), first);
    QCOMPARE(compress(resetting, message), first);

    // An inflater that drops its window cannot read a message that refers back into it.
    DeflateParameters noTakeover;
    noTakeover.serverNoContextTakeover = true;
    WebSocketInflater inflater(noTakeover);
    QByteArray out;
    QVERIFY(inflater.inflate(first, out, 1 << 20));
    QVERIFY(inflater.finishMessage(out, 1 << 20));
    QCOMPARE(out, message);
    out.clear();
    QVERIFY(!inflater.inflate(second, out, 1 << 20) || !inflater.finishMessage(out, 1 << 20));
    QCOMPARE(inflater.error(), WebSocketInflater::Error::Corrupt);
    QVERIFY2(inflater.errorString().contains(QLatin1String("corrupt compressed message")),
        qPrintable(inflater.errorString()));
    inflater.reset();
    QVERIFY(!inflater.hasFailed());
    out.clear();
    QVERIFY(inflater.inflate(first, out, 1 << 20));
    QVERIFY(inflater.finishMessage(out, 1 << 20));
    QCOMPARE(out, message);

    // deflater.reset() (a new connection) drops the window too.
    keeping.reset();
    QCOMPARE(compress(keeping, message), first);
}

void TestWebSocketFrameParser::windowBits8()
{
    // zlib has no raw 256-byte window: a deflater allowed 8 bits uses 9, and its matches
    // still fit the 256 bytes that an 8-bit inflater keeps.
    DeflateParameters parameters;
    parameters.clientMaxWindowBits = 8;
    WebSocketDeflater deflater(parameters);
    QCOMPARE(deflater.windowBits(), 9);
    QVERIFY(deflater.errorString().isEmpty());
    DeflateParameters server;
    server.serverMaxWindowBits = 8;
    WebSocketInflater inflater(server);
    QRandomGenerator random(8);
    for (int i = 0; i < 20; ++i) {
        // Repeats at distances of 200 to 600 bytes.
        QByteArray message;
        for (int j = 0; j < 50; ++j) {
            message += mixedText(200 + random.bounded(400));
        }
        const QByteArray compressed = compress(deflater, message);
        QByteArray out;
        QVERIFY2(inflater.inflate(compressed, out, 1 << 20), qPrintable(inflater.errorString()));
        QVERIFY2(inflater.finishMessage(out, 1 << 20), qPrintable(inflater.errorString()));
        QCOMPARE(out, message);
    }
    parameters.clientMaxWindowBits = 12;
    QCOMPARE(WebSocketDeflater(parameters).windowBits(), 12);
}

void TestWebSocketFrameParser::inflaterCap()
{
    WebSocketDeflater deflater;
    const QByteArray message(300000, 'q');
    const QByteArray compressed = compress(deflater, message);
    QVERIFY(compressed.size() < 2000);
    {
        WebSocketInflater inflater;
        QByteArray out;
        QVERIFY(inflater.inflate(compressed, out, message.size()));
        QVERIFY(inflater.finishMessage(out, message.size()));
        QCOMPARE(out, message);
    }
    {
        WebSocketInflater inflater;
        QByteArray out;
        QVERIFY(!inflater.inflate(compressed, out, message.size() - 1));
        QCOMPARE(inflater.error(), WebSocketInflater::Error::TooLarge);
        QCOMPARE(inflater.errorString(),
            QStringLiteral("decompressed message of more than 299999 bytes"));
        QVERIFY(out.size() <= message.size() - 1);
        QVERIFY(!inflater.inflate("x", out, 1 << 20));
        QVERIFY(!inflater.finishMessage(out, 1 << 20));
    }
    {
        // The cap counts what out already held: the message's earlier frames.
        WebSocketInflater inflater;
        QByteArray out(10, 'p');
        QVERIFY(!inflater.inflate(compressed, out, message.size() + 9));
        QCOMPARE(inflater.error(), WebSocketInflater::Error::TooLarge);
    }
    {
        // A bomb stops at the cap, without producing more than it.
        WebSocketDeflater bombMaker(DeflateParameters{}, 9);
        const QByteArray bomb = compress(bombMaker, QByteArray(64 * MiB, '\0'));
        QVERIFY(bomb.size() < 100 * 1024);
        WebSocketInflater inflater;
        QByteArray out;
        QVERIFY(!inflater.inflate(bomb, out, MiB));
        QVERIFY(out.size() <= MiB);
        QVERIFY(out.capacity() <= 2 * MiB);
        QCOMPARE(inflater.errorString(), QStringLiteral("decompressed message of more than 1 MiB"));
    }
}

void TestWebSocketFrameParser::inflaterCorrupt()
{
    const QList<QByteArray> corrupt = {
        QByteArray::fromHex("ffffffff"), // reserved block type 3
        QByteArray::fromHex("000a00f5ff48"), // stored block cut short, then the tail
        QByteArray::fromHex("010100ffff"), // stored length and its complement disagree
        QByteArray::fromHex("f248cd"), // cut inside a Huffman block
    };
    for (const QByteArray &data : corrupt) {
        WebSocketInflater inflater;
        QByteArray out;
        const bool ok
            = inflater.inflate(data, out, 1 << 20) && inflater.finishMessage(out, 1 << 20);
        QVERIFY2(!ok, data.toHex().constData());
        QCOMPARE(inflater.error(), WebSocketInflater::Error::Corrupt);
        QVERIFY(!inflater.errorString().isEmpty());
    }
}

void TestWebSocketFrameParser::parseDeflateResponse_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("serverNoContextTakeover");
    QTest::addColumn<bool>("clientNoContextTakeover");
    QTest::addColumn<int>("serverMaxWindowBits");
    QTest::addColumn<int>("clientMaxWindowBits");
    QTest::addColumn<QString>("error");

    const auto ok = [](const char *name, const QByteArray &header, bool serverNoContext,
                        bool clientNoContext, int serverBits, int clientBits) {
        QTest::newRow(name) << header << true << serverNoContext << clientNoContext << serverBits
                            << clientBits << QString();
    };
    const auto bad = [](const char *name, const QByteArray &header, const char *error) {
        QTest::newRow(name) << header << false << false << false << 15 << 15
                            << QString::fromUtf8(error);
    };
    ok("plain", "permessage-deflate", false, false, 15, 15);
    ok("any case", "PerMessage-Deflate", false, false, 15, 15);
    ok("all parameters",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
        "server_max_window_bits=10; client_max_window_bits=9",
        true, true, 10, 9);
    ok("no spaces", "permessage-deflate;server_max_window_bits=8;client_max_window_bits=15", false,
        false, 8, 15);
    ok("tabs and spaces", " permessage-deflate \t;\t server_no_context_takeover ", true, false, 15,
        15);
    ok("quoted value", "permessage-deflate; server_max_window_bits=\"12\"", false, false, 12, 15);
    ok("empty list elements", ", permessage-deflate ,", false, false, 15, 15);
    ok("parameter names in any case", "permessage-deflate; Server_No_Context_Takeover", true, false,
        15, 15);

    bad("another extension", "x-webkit-deflate-frame",
        "the server accepted extension \"x-webkit-deflate-frame\", which we did not offer");
    bad("another extension beside", "permessage-deflate, foo", "extension \"foo\"");
    bad("accepted twice", "permessage-deflate, permessage-deflate", "accepted 2 times");
    bad("unknown parameter", "permessage-deflate; foo", "unknown permessage-deflate parameter foo");
    bad("duplicate parameter",
        "permessage-deflate; server_no_context_takeover; "
        "server_no_context_takeover",
        "duplicate parameter server_no_context_takeover");
    bad("duplicate window bits",
        "permessage-deflate; server_max_window_bits=10; "
        "server_max_window_bits=11",
        "duplicate parameter server_max_window_bits");
    bad("no_context_takeover with a value", "permessage-deflate; client_no_context_takeover=1",
        "client_no_context_takeover takes no value");
    bad("window bits 7", "permessage-deflate; server_max_window_bits=7",
        "server_max_window_bits=7 is not in 8..15");
    bad("window bits 16", "permessage-deflate; client_max_window_bits=16",
        "client_max_window_bits=16 is not in 8..15");
    bad("window bits with a leading zero", "permessage-deflate; server_max_window_bits=09",
        "is not in 8..15");
    bad("window bits not a number", "permessage-deflate; server_max_window_bits=ten",
        "is not in 8..15");
    bad("window bits without a value", "permessage-deflate; server_max_window_bits",
        "server_max_window_bits needs a value");
    bad("client window bits without a value", "permessage-deflate; client_max_window_bits",
        "client_max_window_bits needs a value");
    bad("quoted value not a token", "permessage-deflate; server_max_window_bits=\"1 0\"",
        "is not a token");
    bad("unterminated quote", "permessage-deflate; server_max_window_bits=\"10",
        "unterminated quoted string");
    bad("empty parameter", "permessage-deflate; ", "expected a parameter name");
    bad("missing value",
        "permessage-deflate; server_max_window_bits=", "expected a parameter value");
    bad("junk", "permessage-deflate garbage", "expected ';' or ','");
    bad("starts with a parameter", "; server_no_context_takeover", "expected an extension name");
}

void TestWebSocketFrameParser::parseDeflateResponse()
{
    QFETCH(QByteArray, header);
    QFETCH(bool, valid);
    QFETCH(bool, serverNoContextTakeover);
    QFETCH(bool, clientNoContextTakeover);
    QFETCH(int, serverMaxWindowBits);
    QFETCH(int, clientMaxWindowBits);
    QFETCH(QString, error);
    QString message = QStringLiteral("not cleared");
    const std::optional<DeflateParameters> parameters
        = streamscope::parseDeflateResponse(header, &message);
    QCOMPARE(parameters.has_value(), valid);
    if (!valid) {
        QVERIFY2(message.contains(error), qPrintable(message));
        QVERIFY(message.startsWith(QLatin1String("Sec-WebSocket-Extensions: ")));
        QVERIFY(!streamscope::parseDeflateResponse(header, nullptr));
        return;
    }
    QVERIFY(message.isEmpty());
    QCOMPARE(parameters->serverNoContextTakeover, serverNoContextTakeover);
    QCOMPARE(parameters->clientNoContextTakeover, clientNoContextTakeover);
    QCOMPARE(parameters->serverMaxWindowBits, serverMaxWindowBits);
    QCOMPARE(parameters->clientMaxWindowBits, clientMaxWindowBits);
    QCOMPARE(deflateOffer(), QByteArray("permessage-deflate; client_max_window_bits"));
    QVERIFY(streamscope::parseDeflateResponse(deflateOffer(), nullptr) == std::nullopt);
    // Empty: nothing accepted, and no error.
    QVERIFY(!streamscope::parseDeflateResponse("", &message));
    QVERIFY(message.isEmpty());
}

QTEST_GUILESS_MAIN(TestWebSocketFrameParser)
#include "tst_websocketframeparser.moc"
