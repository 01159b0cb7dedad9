// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <optional>

struct z_stream_s;

namespace streamscope {

// What the server agreed to in its permessage-deflate answer (RFC 7692 7.1). server_*: how the
// server compresses what we inflate; client_*: how we must compress what we send.
struct DeflateParameters
{
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    int serverMaxWindowBits = 15;
    int clientMaxWindowBits = 15;

    bool operator==(const DeflateParameters &other) const = default;
};

// The Sec-WebSocket-Extensions value we offer: permessage-deflate, letting the server also
// limit our window (client_max_window_bits without a value, RFC 7692 7.1.2.2).
QByteArray deflateOffer();

// Checks the server's Sec-WebSocket-Extensions value against deflateOffer() (RFC 7692 7 and
// 7.1): exactly one permessage-deflate, known parameters once each, window bits 8..15 without
// leading zeros, nothing we did not offer. On failure returns nullopt and sets *error to a
// readable reason; an empty value (no extension accepted) returns nullopt and leaves *error empty.
std::optional<DeflateParameters> parseDeflateResponse(
    QByteArrayView extensionsHeader, QString *error);

// Decompresses the server's messages (RFC 7692 7.2.2), each fed as its compressed bytes arrive,
// never holding more than the caller's cap: a decompression bomb fails as soon as its output
// would pass it. Keeps the LZ77 window between messages unless server_no_context_takeover;
// accepts matches up to 32 KiB back even when server_max_window_bits was smaller.
class WebSocketInflater
{
public:
    enum class Error {
        None,
        TooLarge, // the output would have passed maxTotalOut: close with 1009
        Corrupt, // not valid DEFLATE data: close with 1007 (the payload is invalid, RFC 7692 8)
        OutOfMemory, // zlib could not allocate its state: close with 1011
    };

    explicit WebSocketInflater(const DeflateParameters &parameters = {});
    ~WebSocketInflater();
    WebSocketInflater(const WebSocketInflater &) = delete;
    WebSocketInflater &operator=(const WebSocketInflater &) = delete;

    // Appends what these compressed bytes of the current message decode to, keeping out.size()
    // at most maxTotalOut. Returns false on the first error, having appended what was decoded
    // before it (up to the cap); every later call fails too, until reset(). Output goes in
    // steps of at most 64 KiB, so memory stays bounded by the cap.
    bool inflate(QByteArrayView compressed, QByteArray &out, qint64 maxTotalOut);
    // Ends the current message: feeds the 00 00 ff ff that the sender removed (RFC 7692 7.2.2),
    // checks that the message ended on a DEFLATE block boundary, and drops the window when
    // server_no_context_takeover.
    bool finishMessage(QByteArray &out, qint64 maxTotalOut);
    // Forgets the current message, the window and any error.
    void reset();

    Error error() const { return m_error; }
    bool hasFailed() const { return m_error != Error::None; }
    QString errorString() const { return m_errorString; }
    const DeflateParameters &parameters() const { return m_parameters; }

private:
    bool run(const char *data, qsizetype size, QByteArray &out, qint64 maxTotalOut);
    bool fail(Error error, const QString &message);
    bool restartAfterFinalBlock();

    DeflateParameters m_parameters;
    std::unique_ptr<z_stream_s> m_stream;
    std::unique_ptr<char[]> m_scratch; // zlib writes here, then the bytes that fit are appended
    QString m_errorString;
    Error m_error = Error::None;
    bool m_initialized = false;
    // A BFINAL block ended the DEFLATE stream and nothing came after it: the message's end is
    // a block boundary already, and the 00 00 ff ff tail would start a truncated block.
    bool m_streamEnded = false;
    bool m_messageHasData = false; // the current message had compressed bytes
};

// Compresses our messages (RFC 7692 7.2.1) within the window the server allowed, keeping it
// between messages unless client_no_context_takeover.
class WebSocketDeflater
{
public:
    // level: zlib's 0..9, or -1 for its default (6).
    explicit WebSocketDeflater(const DeflateParameters &parameters = {}, int level = -1);
    ~WebSocketDeflater();
    WebSocketDeflater(const WebSocketDeflater &) = delete;
    WebSocketDeflater &operator=(const WebSocketDeflater &) = delete;

    // Appends the payload of one whole message (sent with RSV1 on its first frame), without the
    // trailing 00 00 ff ff. False only when zlib fails (out of memory); see errorString().
    bool compressMessage(QByteArrayView message, QByteArray &out);
    // Drops the window: a new connection.
    void reset();

    QString errorString() const { return m_errorString; }
    // zlib's raw deflate cannot use a 256-byte window: 9 when the server allowed only 8.
    int windowBits() const { return m_windowBits; }
    const DeflateParameters &parameters() const { return m_parameters; }

private:
    DeflateParameters m_parameters;
    std::unique_ptr<z_stream_s> m_stream;
    QString m_errorString;
    int m_windowBits = 15;
    bool m_initialized = false;
};

} // namespace streamscope
