// SPDX-License-Identifier: GPL-3.0-or-later
#include "websocketframeparser.h"

#include "bytesize.h"
#include "permessagedeflate.h"

#include <QtEndian>

#include <cstring>

namespace streamscope {

namespace {

QString protocolError(const char *what)
{
    return QStringLiteral("protocol error: ") + QLatin1String(what);
}

} // namespace

qsizetype IncrementalUtf8Validator::validate(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const qsizetype n = bytes.size();
    qsizetype i = 0;
    while (i < n) {
        if (m_needed > 0) {
            const unsigned char byte = p[i];
            if (byte < m_lower || byte > m_upper) {
                return i;
            }
            m_lower = 0x80;
            m_upper = 0xBF;
            --m_needed;
            ++i;
            continue;
        }
        // Between code points: skip ASCII eight bytes at a time.
        for (; i + 8 <= n; i += 8) {
            quint64 word;
            std::memcpy(&word, p + i, 8);
            if (word & 0x8080808080808080ULL) {
                break;
            }
        }
        while (i < n && p[i] < 0x80) {
            ++i;
        }
        if (i == n) {
            break;
        }
        // Unicode table 3-7: the second byte's range depends on the lead, which rules out
        // overlongs (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
        const unsigned char lead = p[i];
        if (lead >= 0xC2 && lead <= 0xDF) {
            m_needed = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            m_needed = 2;
            m_lower = lead == 0xE0 ? 0xA0 : 0x80;
            m_upper = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            m_needed = 3;
            m_lower = lead == 0xF0 ? 0x90 : 0x80;
            m_upper = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        ++i;
    }
    return -1;
}

WebSocketFrameParser::WebSocketFrameParser(qint64 maxMessageBytes)
    : m_maxMessageBytes(maxMessageBytes)
{
}

void WebSocketFrameParser::reset()
{
    const qint64 cap = m_maxMessageBytes;
    *this = WebSocketFrameParser(cap);
}

bool WebSocketFrameParser::feed(QByteArrayView bytes, QList<WebSocketInbound> &out)
{
    const char *p = bytes.data();
    const char *end = p + bytes.size();
    while (p < end) {
        switch (m_state) {
        case State::Header:
            if (m_headerSize == 0 && parseFast(p, end, out)) {
                break;
            }
            if (!readHeader(p, end, out)) {
                return false;
            }
            break;
        case State::Payload:
            if (!readPayload(p, end, out)) {
                return false;
            }
            break;
        case State::Failed:
            return false;
        case State::Closed:
            return true;
        }
    }
    return m_state != State::Failed;
}

bool WebSocketFrameParser::parseFast(const char *&p, const char *end, QList<WebSocketInbound> &out)
{
    // The common case, a whole small unfragmented data frame already in the input, goes
    // straight into one QByteArray. Anything else, errors included, takes the general path.
    const qsizetype available = end - p;
    if (available < 2 || m_messageKind != MessageKind::None) {
        return false;
    }
    const auto first = static_cast<unsigned char>(p[0]);
    const auto second = static_cast<unsigned char>(p[1]);
    const quint8 opcode = first & 0x0F;
    // FIN set, no reserved bits, Text or Binary; not masked.
    if ((first & 0xF0) != 0x80 || (opcode != 1 && opcode != 2) || (second & 0x80) != 0) {
        return false;
    }
    qsizetype length = second;
    qsizetype headerSize = 2;
    if (length == 126) {
        if (available < 4) {
            return false;
        }
        length = qFromBigEndian<quint16>(p + 2);
        headerSize = 4;
    } else if (length == 127) {
        return false;
    }
    if (available - headerSize < length || length > m_maxMessageBytes) {
        return false;
    }
    const char *payload = p + headerSize;
    const bool text = opcode == quint8(WebSocketOpcode::Text);
    if (text) {
        IncrementalUtf8Validator utf8;
        if (utf8.validate(QByteArrayView(payload, length)) >= 0 || !utf8.isComplete()) {
            return false;
        }
    }
    out.append(
        WebSocketInbound{text ? WebSocketInbound::Kind::Text : WebSocketInbound::Kind::Binary,
            QByteArray(payload, length), 0});
    p += headerSize + length;
    return true;
}

bool WebSocketFrameParser::readHeader(const char *&p, const char *end, QList<WebSocketInbound> &out)
{
    while (p < end) {
        const auto byte = static_cast<unsigned char>(*p++);
        m_header[m_headerSize++] = byte;
        // Each byte is checked as it comes, so an error shows without waiting for more.
        if (m_headerSize == 1) {
            if (!checkFirstByte(byte)) {
                return false;
            }
            continue;
        }
        if (m_headerSize == 2 && !checkSecondByte(byte)) {
            return false;
        }
        if (m_headerSize == m_headerNeeded) {
            return startFrame(out);
        }
    }
    return true;
}

bool WebSocketFrameParser::checkFirstByte(quint8 byte)
{
    m_fin = (byte & 0x80) != 0;
    m_rsv1 = (byte & 0x40) != 0;
    const quint8 opcode = byte & 0x0F;
    // RFC 6455 5.2: a reserved bit that no negotiated extension defines fails the connection.
    // Only permessage-deflate exists here, and it defines RSV1 alone (RFC 7692 6).
    if ((byte & 0x30) != 0 || (m_rsv1 && !m_inflater)) {
        return fail(WebSocketCloseCode::ProtocolError,
            protocolError("reserved bits set without an extension"));
    }
    if (!isKnownOpcode(opcode)) {
        return fail(WebSocketCloseCode::ProtocolError,
            QStringLiteral("protocol error: unknown opcode %1").arg(opcode));
    }
    m_opcode = WebSocketOpcode(opcode);
    if (isControlOpcode(m_opcode)) {
        // RFC 6455 5.5: control frames are never fragmented; RFC 7692 6: never compressed.
        if (!m_fin) {
            return fail(
                WebSocketCloseCode::ProtocolError, protocolError("fragmented control frame"));
        }
        if (m_rsv1) {
            return fail(
                WebSocketCloseCode::ProtocolError, protocolError("RSV1 set on a control frame"));
        }
        return true;
    }
    if (m_opcode == WebSocketOpcode::Continuation) {
        if (m_messageKind == MessageKind::None) {
            return fail(WebSocketCloseCode::ProtocolError,
                protocolError("continuation frame with no message to continue"));
        }
        // RFC 7692 6.1: RSV1 marks the first frame of a compressed message only.
        if (m_rsv1) {
            return fail(WebSocketCloseCode::ProtocolError,
                protocolError("RSV1 set on a continuation frame"));
        }
        return true;
    }
    if (m_messageKind != MessageKind::None) {
        return fail(WebSocketCloseCode::ProtocolError,
            m_opcode == WebSocketOpcode::Text
                ? protocolError("new text message while a fragmented message is in progress")
                : protocolError("new binary message while a fragmented message is in progress"));
    }
    return true;
}

bool WebSocketFrameParser::checkSecondByte(quint8 byte)
{
    // RFC 6455 5.1: a client must close on a masked frame.
    if ((byte & 0x80) != 0) {
        return fail(
            WebSocketCloseCode::ProtocolError, protocolError("masked frame from the server"));
    }
    const quint8 length = byte & 0x7F;
    m_headerNeeded = length == 126 ? 4 : length == 127 ? 10 : 2;
    return true;
}

bool WebSocketFrameParser::startFrame(QList<WebSocketInbound> &out)
{
    const quint8 length7 = m_header[1] & 0x7F;
    quint64 length = length7;
    if (length7 == 126) {
        length = qFromBigEndian<quint16>(m_header + 2);
    } else if (length7 == 127) {
        length = qFromBigEndian<quint64>(m_header + 2);
        if (length >> 63) {
            return fail(WebSocketCloseCode::ProtocolError,
                protocolError("64-bit payload length with the most significant bit set"));
        }
    }
    // Longer length forms than needed are accepted: RFC 6455 5.2 asks the sender for the
    // minimal one but gives the receiver nothing to do about it.
    m_headerSize = 0;
    m_headerNeeded = 2;
    if (isControlOpcode(m_opcode)) {
        if (length > quint64(MaxControlPayload)) {
            return fail(WebSocketCloseCode::ProtocolError,
                QStringLiteral("protocol error: control frame of %1 bytes (at most 125)")
                    .arg(length));
        }
        m_control.clear();
    } else {
        if (m_opcode != WebSocketOpcode::Continuation) {
            m_messageKind
                = m_opcode == WebSocketOpcode::Text ? MessageKind::Text : MessageKind::Binary;
            m_compressed = m_rsv1;
            m_compressedBytes = 0;
            m_utf8.reset();
        }
        // Checked against the declared length, before any of the payload is held.
        if (m_compressed) {
            if (length > quint64(compressedLimit() - m_compressedBytes)) {
                return failTooLarge(true);
            }
        } else if (length > quint64(m_maxMessageBytes - m_message.size())) {
            return failTooLarge(false);
        }
    }
    m_remaining = length;
    m_state = State::Payload;
    if (length == 0) {
        return endFrame(out);
    }
    return true;
}

bool WebSocketFrameParser::readPayload(
    const char *&p, const char *end, QList<WebSocketInbound> &out)
{
    const qsizetype size = qsizetype(qMin(m_remaining, quint64(end - p)));
    const QByteArrayView bytes(p, size);
    p += size;
    m_remaining -= quint64(size);
    if (isControlOpcode(m_opcode)) {
        m_control.append(bytes);
    } else if (!appendMessageBytes(bytes)) {
        return false;
    }
    return m_remaining == 0 ? endFrame(out) : true;
}

bool WebSocketFrameParser::appendMessageBytes(QByteArrayView bytes)
{
    const bool text = m_messageKind == MessageKind::Text;
    if (m_compressed) {
        m_compressedBytes += bytes.size();
        return inflateMessageBytes(bytes, false);
    }
    if (text) {
        const qsizetype invalid = m_utf8.validate(bytes);
        if (invalid >= 0) {
            return failInvalidText(m_message.size() + invalid);
        }
    }
    m_message.append(bytes);
    return true;
}

bool WebSocketFrameParser::inflateMessageBytes(QByteArrayView bytes, bool finish)
{
    const qsizetype from = m_message.size();
    const bool inflated = finish ? m_inflater->finishMessage(m_message, m_maxMessageBytes)
                                 : m_inflater->inflate(bytes, m_message, m_maxMessageBytes);
    // Invalid text in what did come out goes first, as it would have with the input fed in
    // smaller pieces: the outcome must not depend on the chunking.
    if (m_messageKind == MessageKind::Text && !validateText(from)) {
        return false;
    }
    return inflated || failInflating();
}

bool WebSocketFrameParser::validateText(qsizetype from)
{
    const qsizetype invalid = m_utf8.validate(QByteArrayView(m_message).sliced(from));
    return invalid < 0 || failInvalidText(from + invalid);
}

bool WebSocketFrameParser::endFrame(QList<WebSocketInbound> &out)
{
    m_state = State::Header;
    if (isControlOpcode(m_opcode)) {
        return endControlFrame(out);
    }
    if (!m_fin) {
        return true;
    }
    const bool text = m_messageKind == MessageKind::Text;
    if (m_compressed && !inflateMessageBytes({}, true)) {
        return false;
    }
    if (text && !m_utf8.isComplete()) {
        return fail(WebSocketCloseCode::InvalidPayload,
            QStringLiteral("invalid UTF-8: the text message ends inside a code point"));
    }
    out.append(
        WebSocketInbound{text ? WebSocketInbound::Kind::Text : WebSocketInbound::Kind::Binary,
            std::move(m_message), 0});
    m_message = QByteArray();
    m_messageKind = MessageKind::None;
    m_compressed = false;
    return true;
}

bool WebSocketFrameParser::endControlFrame(QList<WebSocketInbound> &out)
{
    switch (m_opcode) {
    case WebSocketOpcode::Ping:
        out.append(WebSocketInbound{WebSocketInbound::Kind::Ping, m_control, 0});
        return true;
    case WebSocketOpcode::Pong:
        out.append(WebSocketInbound{WebSocketInbound::Kind::Pong, m_control, 0});
        return true;
    default:
        break;
    }
    // Close (RFC 6455 5.5.1): nothing, or a code and a UTF-8 reason.
    WebSocketInbound close{WebSocketInbound::Kind::Close, {}, WebSocketCloseCode::NoStatusReceived};
    if (m_control.size() == 1) {
        return fail(
            WebSocketCloseCode::ProtocolError, protocolError("close frame with a 1-byte payload"));
    }
    if (m_control.size() >= 2) {
        close.closeCode = qFromBigEndian<quint16>(m_control.constData());
        if (!isValidCloseCode(close.closeCode)) {
            return fail(WebSocketCloseCode::ProtocolError,
                QStringLiteral("protocol error: invalid close code %1").arg(close.closeCode));
        }
        close.payload = m_control.sliced(2);
        IncrementalUtf8Validator utf8;
        if (utf8.validate(close.payload) >= 0 || !utf8.isComplete()) {
            return fail(WebSocketCloseCode::InvalidPayload,
                QStringLiteral("invalid UTF-8 in the close reason"));
        }
    }
    out.append(std::move(close));
    m_message = QByteArray();
    m_state = State::Closed;
    return true;
}

bool WebSocketFrameParser::fail(int code, const QString &message)
{
    m_state = State::Failed;
    m_failureCode = code;
    m_errorString = message;
    m_message = QByteArray();
    return false;
}

bool WebSocketFrameParser::failInvalidText(qsizetype offset)
{
    return fail(WebSocketCloseCode::InvalidPayload,
        QStringLiteral("invalid UTF-8 at byte %1 of a text message").arg(offset));
}

bool WebSocketFrameParser::failInflating()
{
    // RFC 7692 8 only says to fail the connection on bad compressed data; 1007 is the code for
    // a payload inconsistent with its message, which corrupt DEFLATE data is.
    switch (m_inflater->error()) {
    case WebSocketInflater::Error::TooLarge:
        return fail(WebSocketCloseCode::MessageTooBig, m_inflater->errorString());
    case WebSocketInflater::Error::OutOfMemory:
        return fail(WebSocketCloseCode::InternalError, m_inflater->errorString());
    case WebSocketInflater::Error::None:
    case WebSocketInflater::Error::Corrupt:
        break;
    }
    return fail(WebSocketCloseCode::InvalidPayload, m_inflater->errorString());
}

bool WebSocketFrameParser::failTooLarge(bool compressed)
{
    return fail(WebSocketCloseCode::MessageTooBig,
        compressed
            ? QStringLiteral("compressed message of more than %1")
                  .arg(describeBytes(compressedLimit()))
            : QStringLiteral("message of more than %1").arg(describeBytes(m_maxMessageBytes)));
}

qint64 WebSocketFrameParser::compressedLimit() const
{
    // DEFLATE can grow incompressible data a little (zlib: about 0.03%); a message within
    // the cap once inflated must not fail on its compressed size.
    return m_maxMessageBytes + m_maxMessageBytes / 256 + 1024;
}

} // namespace streamscope
