// SPDX-License-Identifier: GPL-3.0-or-later
#include "permessagedeflate.h"

#include "bytesize.h"
#include "httptoken.h"

#include <QList>

#include <zlib.h>

#include <cstring>

namespace streamscope {

namespace {

constexpr qsizetype s_stepBytes = 64 * 1024; // output produced per zlib call at most
constexpr uInt s_maxInputSlice = 1u << 30; // zlib counts input in uInt
constexpr char s_tail[] = {'\x00', '\x00', '\xff', '\xff'}; // RFC 7692 7.2.1 and 7.2.2

struct ExtensionParam
{
    QByteArray name;
    std::optional<QByteArray> value;
};

struct Extension
{
    QByteArray name;
    QList<ExtensionParam> params;
};

// RFC 6455 9.1's grammar for Sec-WebSocket-Extensions, with RFC 7230's list and quoting rules.
class ExtensionListReader
{
public:
    explicit ExtensionListReader(QByteArrayView text)
        : m_text(text)
    {
    }

    bool read(QList<Extension> &extensions, QString *error)
    {
        while (true) {
            skipSpace();
            if (atEnd()) {
                return true;
            }
            if (peek() == ',') {
                // RFC 7230 7: empty list elements are to be ignored.
                ++m_at;
                continue;
            }
            Extension extension;
            extension.name = readToken();
            if (extension.name.isEmpty()) {
                return failAt(error, "an extension name");
            }
            while (true) {
                skipSpace();
                if (atEnd() || peek() == ',') {
                    break;
                }
                if (peek() != ';') {
                    return failAt(error, "';' or ','");
                }
                ++m_at;
                skipSpace();
                ExtensionParam param;
                param.name = readToken();
                if (param.name.isEmpty()) {
                    return failAt(error, "a parameter name");
                }
                skipSpace();
                if (!atEnd() && peek() == '=') {
                    ++m_at;
                    skipSpace();
                    std::optional<QByteArray> value = readValue(error);
                    if (!value) {
                        return false;
                    }
                    param.value = std::move(value);
                }
                extension.params.append(std::move(param));
            }
            extensions.append(std::move(extension));
        }
    }

private:
    bool atEnd() const { return m_at >= m_text.size(); }
    char peek() const { return m_text.at(m_at); }

    void skipSpace()
    {
        while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
            ++m_at;
        }
    }

    QByteArray readToken()
    {
        const qsizetype start = m_at;
        while (!atEnd() && http::isTokenChar(peek())) {
            ++m_at;
        }
        return m_text.sliced(start, m_at - start).toByteArray();
    }

    // token / quoted-string; RFC 6455 9.1: a quoted value must still be a token once unquoted.
    std::optional<QByteArray> readValue(QString *error)
    {
        if (atEnd() || peek() != '"') {
            QByteArray token = readToken();
            if (token.isEmpty()) {
                failAt(error, "a parameter value");
                return std::nullopt;
            }
            return token;
        }
        ++m_at;
        QByteArray value;
        while (!atEnd() && peek() != '"') {
            if (peek() == '\\') {
                ++m_at;
                if (atEnd()) {
                    break;
                }
            }
            value.append(peek());
            ++m_at;
        }
        if (atEnd()) {
            setError(error, QStringLiteral("unterminated quoted string"));
            return std::nullopt;
        }
        ++m_at;
        if (!http::isToken(value)) {
            setError(error,
                QStringLiteral("quoted value \"%1\" is not a token").arg(QString::fromUtf8(value)));
            return std::nullopt;
        }
        return value;
    }

    bool failAt(QString *error, const char *expected)
    {
        setError(error,
            QStringLiteral("expected %1 at offset %2").arg(QLatin1String(expected)).arg(m_at));
        return false;
    }

    static void setError(QString *error, const QString &message)
    {
        if (error) {
            *error = QStringLiteral("Sec-WebSocket-Extensions: ") + message;
        }
    }

    QByteArrayView m_text;
    qsizetype m_at = 0;
};

// RFC 7692 7.1.2: a decimal integer from 8 to 15 without leading zeros.
int parseWindowBits(QByteArrayView value)
{
    if (value.size() == 1 && (value.at(0) == '8' || value.at(0) == '9')) {
        return value.at(0) - '0';
    }
    if (value.size() == 2 && value.at(0) == '1' && value.at(1) >= '0' && value.at(1) <= '5') {
        return 10 + (value.at(1) - '0');
    }
    return 0;
}

QString zlibMessage(const z_stream &stream, int code)
{
    if (stream.msg) {
        return QString::fromLatin1(stream.msg);
    }
    return QStringLiteral("zlib error %1").arg(code);
}

} // namespace

QByteArray deflateOffer()
{
    return QByteArrayLiteral("permessage-deflate; client_max_window_bits");
}

std::optional<DeflateParameters> parseDeflateResponse(
    QByteArrayView extensionsHeader, QString *error)
{
    QString scratch;
    QString *message = error ? error : &scratch;
    message->clear();
    QList<Extension> extensions;
    if (!ExtensionListReader(extensionsHeader).read(extensions, message)) {
        return std::nullopt;
    }
    if (extensions.isEmpty()) {
        return std::nullopt;
    }
    const auto fail = [message](const QString &text) {
        *message = QStringLiteral("Sec-WebSocket-Extensions: ") + text;
        return std::nullopt;
    };
    for (const Extension &extension : std::as_const(extensions)) {
        if (extension.name.compare("permessage-deflate", Qt::CaseInsensitive) != 0) {
            return fail(QStringLiteral("the server accepted extension \"%1\", which we did not "
                                       "offer")
                            .arg(QString::fromUtf8(extension.name)));
        }
    }
    // RFC 7692 7: the server accepts at most one of the offers, and we made one.
    if (extensions.size() > 1) {
        return fail(QStringLiteral("permessage-deflate accepted %1 times").arg(extensions.size()));
    }

    DeflateParameters parameters;
    QList<QByteArray> seen;
    for (const ExtensionParam &param : std::as_const(extensions.first().params)) {
        const QByteArray name = param.name.toLower();
        const QString nameText = QString::fromUtf8(param.name);
        if (seen.contains(name)) {
            return fail(QStringLiteral("duplicate parameter %1").arg(nameText));
        }
        seen.append(name);
        if (name == "server_no_context_takeover" || name == "client_no_context_takeover") {
            if (param.value) {
                return fail(QStringLiteral("%1 takes no value").arg(nameText));
            }
            (name.startsWith("server") ? parameters.serverNoContextTakeover
                                       : parameters.clientNoContextTakeover)
                = true;
        } else if (name == "server_max_window_bits" || name == "client_max_window_bits") {
            // Both need a value in an answer; client_max_window_bits is allowed because we
            // offered it (RFC 7692 7.1.2.2).
            if (!param.value) {
                return fail(QStringLiteral("%1 needs a value").arg(nameText));
            }
            const int bits = parseWindowBits(*param.value);
            if (bits == 0) {
                return fail(QStringLiteral("%1=%2 is not in 8..15")
                                .arg(nameText, QString::fromUtf8(*param.value)));
            }
            (name.startsWith("server") ? parameters.serverMaxWindowBits
                                       : parameters.clientMaxWindowBits)
                = bits;
        } else {
            return fail(QStringLiteral("unknown permessage-deflate parameter %1").arg(nameText));
        }
    }
    return parameters;
}

WebSocketInflater::WebSocketInflater(const DeflateParameters &parameters)
    : m_parameters(parameters)
    , m_stream(std::make_unique<z_stream>())
    , m_scratch(std::make_unique<char[]>(s_stepBytes))
{
    // Always a 32 KiB window, whatever server_max_window_bits said: zlib checks a smaller
    // window only against output from earlier inflate() calls, so a too-far match would pass
    // or fail depending on how the bytes were split. The largest window decodes every stream
    // a smaller one does, the same way however it arrives.
    const int code = inflateInit2(m_stream.get(), -15);
    if (code != Z_OK) {
        fail(Error::OutOfMemory,
            QStringLiteral("cannot start inflating: %1").arg(zlibMessage(*m_stream, code)));
        return;
    }
    m_initialized = true;
}

WebSocketInflater::~WebSocketInflater()
{
    if (m_initialized) {
        inflateEnd(m_stream.get());
    }
}

bool WebSocketInflater::inflate(QByteArrayView compressed, QByteArray &out, qint64 maxTotalOut)
{
    if (m_error != Error::None) {
        return false;
    }
    if (compressed.isEmpty()) {
        return true;
    }
    m_messageHasData = true;
    return run(compressed.data(), compressed.size(), out, maxTotalOut);
}

bool WebSocketInflater::finishMessage(QByteArray &out, qint64 maxTotalOut)
{
    if (m_error != Error::None) {
        return false;
    }
    // No bytes at all: an empty message (zlib emits nothing for a flush right after another,
    // and some senders pass that on). The tail alone would be a truncated stored block.
    if (m_messageHasData && !m_streamEnded) {
        if (!run(s_tail, sizeof(s_tail), out, maxTotalOut)) {
            return false;
        }
        // zlib sets 128 in data_type when it stopped just before a block header. Anything
        // else means the message was cut inside a block, and the next one would be misread.
        if (!m_streamEnded && (m_stream->data_type & 128) == 0) {
            return fail(Error::Corrupt,
                QStringLiteral("compressed message does not end at a DEFLATE block boundary"));
        }
    }
    m_streamEnded = false;
    m_messageHasData = false;
    if (m_parameters.serverNoContextTakeover) {
        inflateReset(m_stream.get());
    }
    return true;
}

void WebSocketInflater::reset()
{
    if (!m_initialized) {
        return;
    }
    inflateReset(m_stream.get());
    m_error = Error::None;
    m_errorString.clear();
    m_streamEnded = false;
    m_messageHasData = false;
}

bool WebSocketInflater::run(const char *data, qsizetype size, QByteArray &out, qint64 maxTotalOut)
{
    z_stream &stream = *m_stream;
    while (size > 0) {
        const uInt slice = uInt(qMin<qsizetype>(size, s_maxInputSlice));
        stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
        stream.avail_in = slice;
        do {
            // One byte of room past the cap, so reaching it is told apart from passing it.
            const qint64 room = qMax<qint64>(maxTotalOut - out.size(), 0) + 1;
            const uInt step = uInt(qMin<qint64>(room, s_stepBytes));
            stream.next_out = reinterpret_cast<Bytef *>(m_scratch.get());
            stream.avail_out = step;
            const uInt before = stream.avail_in;
            const int code = ::inflate(&stream, Z_SYNC_FLUSH);
            // What came out is kept up to the cap even on failure, and passing the cap wins
            // over corrupt data after it: the outcome is then the same however the input was
            // split, since zlib stops at a full output buffer.
            const qint64 produced = step - stream.avail_out;
            const qint64 fits = qMin(produced, maxTotalOut - out.size());
            out.append(m_scratch.get(), qsizetype(fits));
            if (produced > fits) {
                return fail(Error::TooLarge,
                    QStringLiteral("decompressed message of more than %1")
                        .arg(describeBytes(maxTotalOut)));
            }
            if (code != Z_OK && code != Z_STREAM_END && code != Z_BUF_ERROR) {
                return fail(code == Z_MEM_ERROR ? Error::OutOfMemory : Error::Corrupt,
                    QStringLiteral("corrupt compressed message: %1")
                        .arg(zlibMessage(stream, code)));
            }
            if (code == Z_STREAM_END) {
                if (!restartAfterFinalBlock()) {
                    return false;
                }
            } else if (stream.avail_in != before) {
                m_streamEnded = false;
            }
            // A full output step may hide more output; otherwise the slice is used up.
        } while (stream.avail_in > 0 || stream.avail_out == 0);
        data += slice;
        size -= slice;
    }
    return true;
}

bool WebSocketInflater::restartAfterFinalBlock()
{
    // RFC 7692 7.2.3.4: a sender may end its data with a BFINAL block, and more may follow
    // (the next message, or an empty stored block). zlib stops at BFINAL, so start a new raw
    // stream, carrying the window over: later data may still refer back into it.
    z_stream &stream = *m_stream;
    uInt windowSize = 0;
    Bytef *window = reinterpret_cast<Bytef *>(m_scratch.get());
    inflateGetDictionary(&stream, window, &windowSize);
    const Bytef *nextIn = stream.next_in;
    const uInt availIn = stream.avail_in;
    int code = inflateReset(&stream);
    if (code == Z_OK && windowSize > 0) {
        code = inflateSetDictionary(&stream, window, windowSize);
    }
    if (code != Z_OK) {
        return fail(Error::Corrupt,
            QStringLiteral("cannot restart inflating: %1").arg(zlibMessage(stream, code)));
    }
    stream.next_in = const_cast<Bytef *>(nextIn);
    stream.avail_in = availIn;
    m_streamEnded = true;
    return true;
}

bool WebSocketInflater::fail(Error error, const QString &message)
{
    m_error = error;
    m_errorString = message;
    return false;
}

WebSocketDeflater::WebSocketDeflater(const DeflateParameters &parameters, int level)
    : m_parameters(parameters)
    , m_stream(std::make_unique<z_stream>())
{
    // zlib refuses windowBits 8 for raw deflate (it has no 256-byte window). 9 is safe for a
    // server that allowed only 8: zlib never matches further back than its window less 262
    // bytes of lookahead, 250 bytes here, within the 256 the server keeps.
    m_windowBits = qBound(9, m_parameters.clientMaxWindowBits, 15);
    const int code
        = deflateInit2(m_stream.get(), level, Z_DEFLATED, -m_windowBits, 8, Z_DEFAULT_STRATEGY);
    if (code != Z_OK) {
        m_errorString
            = QStringLiteral("cannot start deflating: %1").arg(zlibMessage(*m_stream, code));
        return;
    }
    m_initialized = true;
}

WebSocketDeflater::~WebSocketDeflater()
{
    if (m_initialized) {
        deflateEnd(m_stream.get());
    }
}

bool WebSocketDeflater::compressMessage(QByteArrayView message, QByteArray &out)
{
    if (!m_initialized) {
        return false;
    }
    if (message.isEmpty()) {
        // An empty stored block's header byte, whose 00 00 ff ff the receiver appends: zlib
        // would emit nothing for a second flush in a row.
        out.append('\0');
        return true;
    }
    z_stream &stream = *m_stream;
    const qsizetype start = out.size();
    const char *data = message.data();
    qsizetype left = message.size();
    while (left > 0) {
        const uInt slice = uInt(qMin<qsizetype>(left, s_maxInputSlice));
        const bool last = slice == left;
        stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
        stream.avail_in = slice;
        bool first = true;
        do {
            // deflateBound() covers the slice in one go, with 64 bytes for the flush; should
            // zlib still have more, it gets 64 KiB steps.
            const qsizetype room
                = first ? qsizetype(deflateBound(&stream, stream.avail_in)) + 64 : s_stepBytes;
            first = false;
            const qsizetype old = out.size();
            out.resize(old + room);
            stream.next_out = reinterpret_cast<Bytef *>(out.data() + old);
            stream.avail_out = uInt(qMin<qsizetype>(room, s_maxInputSlice));
            const uInt availOut = stream.avail_out;
            const int code = ::deflate(&stream, last ? Z_SYNC_FLUSH : Z_NO_FLUSH);
            out.resize(old + qsizetype(availOut - stream.avail_out));
            if (code != Z_OK && code != Z_BUF_ERROR) {
                out.resize(start);
                m_errorString = QStringLiteral("deflate failed: %1").arg(zlibMessage(stream, code));
                return false;
            }
        } while (stream.avail_in > 0 || stream.avail_out == 0);
        data += slice;
        left -= slice;
    }
    // Z_SYNC_FLUSH ends the data with an empty stored block, whose 00 00 ff ff goes unsent.
    const QByteArrayView produced = QByteArrayView(out).sliced(start);
    if (produced.endsWith(QByteArrayView(s_tail, sizeof(s_tail)))) {
        out.chop(sizeof(s_tail));
    }
    if (m_parameters.clientNoContextTakeover) {
        deflateReset(&stream);
    }
    return true;
}

void WebSocketDeflater::reset()
{
    if (m_initialized) {
        deflateReset(m_stream.get());
    }
}

} // namespace streamscope
