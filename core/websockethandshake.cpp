// SPDX-License-Identifier: GPL-3.0-or-later
#include "websockethandshake.h"

#include "httpheaders.h"
#include "httpstatus.h"
#include "httptoken.h"
#include "utf8.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

#include <algorithm>

#include <cstring>

namespace streamscope {

namespace {

constexpr char s_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 1.3
constexpr qsizetype s_maxChunkLine = 1024; // a chunk-size line or trailer line of a refusal

// The names the handshake sets or that would break it; user headers never override them.
constexpr const char *s_handshakeHeaders[] = {
    "host",
    "upgrade",
    "connection",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-protocol",
    "sec-websocket-extensions",
    "sec-websocket-accept",
    "content-length",
    "transfer-encoding",
};

bool isHandshakeHeader(QByteArrayView name)
{
    for (const char *own : s_handshakeHeaders) {
        if (name.compare(QByteArrayView(own), Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return false;
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && (text.front() == ' ' || text.front() == '\t')) {
        text = text.sliced(1);
    }
    while (!text.isEmpty() && (text.back() == ' ' || text.back() == '\t')) {
        text.chop(1);
    }
    return text;
}

// Whether a comma-separated header value has token (any case), as Connection: keep-alive, Upgrade.
bool hasListToken(QByteArrayView value, QByteArrayView token)
{
    while (!value.isEmpty()) {
        const qsizetype comma = value.indexOf(',');
        const QByteArrayView item = trimmed(comma < 0 ? value : value.first(comma));
        if (item.compare(token, Qt::CaseInsensitive) == 0) {
            return true;
        }
        if (comma < 0) {
            break;
        }
        value = value.sliced(comma + 1);
    }
    return false;
}

} // namespace

WebSocketHandshake::WebSocketHandshake(const WebSocketHandshakeRequest &request)
    : m_key(request.key.isEmpty() ? generateKey() : request.key)
    , m_offeredDeflate(request.offerDeflate)
{
    buildRequest(request);
}

QByteArray WebSocketHandshake::generateKey()
{
    quint32 random[4];
    QRandomGenerator::system()->fillRange(random);
    return QByteArray(reinterpret_cast<const char *>(random), sizeof(random)).toBase64();
}

QByteArray WebSocketHandshake::acceptFor(QByteArrayView key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData(QByteArrayView(s_guid));
    return sha1.result().toBase64();
}

void WebSocketHandshake::buildRequest(const WebSocketHandshakeRequest &request)
{
    const QUrl &url = request.url;
    // RFC 6455 3: the resource name is the path and query; the fragment stays here.
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty()) {
        target = "/";
    }
    if (url.hasQuery()) {
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    }
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':')) {
        host = '[' + host + ']'; // an IPv6 literal
    }
    const int defaultPort
        = url.scheme().compare(QLatin1String("wss"), Qt::CaseInsensitive) == 0 ? 443 : 80;
    if (url.port() != -1 && url.port() != defaultPort) {
        host += ':' + QByteArray::number(url.port());
    }

    QByteArray out;
    out.reserve(512);
    out += "GET " + target + " HTTP/1.1\r\n";
    out += "Host: " + host + "\r\n";
    out += "Upgrade: websocket\r\n";
    out += "Connection: Upgrade\r\n";
    out += "Sec-WebSocket-Key: " + m_key + "\r\n";
    out += "Sec-WebSocket-Version: 13\r\n";

    QByteArrayList protocols;
    for (const QString &subprotocol : request.subprotocols) {
        const QByteArray name = subprotocol.toUtf8();
        // RFC 6455 4.1: each is a token, and one may be offered only once.
        if (!http::isToken(name)) {
            m_warnings.append(
                QStringLiteral("subprotocol \"%1\" left out: not an HTTP token").arg(subprotocol));
        } else if (m_offeredSubprotocols.contains(subprotocol)) {
            m_warnings.append(
                QStringLiteral("subprotocol \"%1\" left out: offered twice").arg(subprotocol));
        } else {
            m_offeredSubprotocols.append(subprotocol);
            protocols.append(name);
        }
    }
    if (!protocols.isEmpty()) {
        out += "Sec-WebSocket-Protocol: " + protocols.join(", ") + "\r\n";
    }
    if (m_offeredDeflate) {
        out += "Sec-WebSocket-Extensions: " + deflateOffer() + "\r\n";
    }

    for (const auto &[name, value] : request.headers) {
        const QString nameText = QString::fromUtf8(utf8::sanitized(name));
        if (!http::isToken(name)) {
            m_warnings.append(
                QStringLiteral("header \"%1\" left out: not a valid name").arg(nameText));
        } else if (isHandshakeHeader(name)) {
            m_warnings.append(
                QStringLiteral("header %1 left out: the handshake sets it").arg(nameText));
        } else if (hasLineBreakOrNul(value)) {
            m_warnings.append(
                QStringLiteral("header %1 left out: its value has a line break or NUL")
                    .arg(nameText));
        } else {
            out += name + ": " + trimmed(value).toByteArray() + "\r\n";
        }
    }
    out += "\r\n";
    m_request = out;
}

QByteArray WebSocketHandshake::header(QByteArrayView name) const
{
    QByteArray value;
    bool found = false;
    for (const auto &[key, headerValue] : m_headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0) {
            if (found) {
                value += ", ";
            }
            value += headerValue;
            found = true;
        }
    }
    return value;
}

bool WebSocketHandshake::hasHeader(QByteArrayView name) const
{
    for (const auto &entry : m_headers) {
        if (QByteArrayView(entry.first).compare(name, Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return false;
}

WebSocketHandshake::Result WebSocketHandshake::feed(QByteArrayView bytes)
{
    switch (m_result) {
    case Result::Accepted:
        m_leftover.append(bytes);
        return m_result;
    case Result::Refused:
    case Result::Failed:
        return m_result;
    case Result::NeedMore:
        break;
    }
    if (bytes.isEmpty()) {
        return m_result;
    }
    m_receivedAny = true;
    if (m_readingBody) {
        return readBody(bytes);
    }
    m_buffer.append(bytes);
    return readHead();
}

WebSocketHandshake::Result WebSocketHandshake::finish()
{
    if (m_result != Result::NeedMore) {
        return m_result;
    }
    if (m_readingBody) {
        return refuse();
    }
    return failWith(m_receivedAny
            ? QStringLiteral("the connection ended inside the server's handshake answer")
            : QStringLiteral("the server closed the connection without answering the handshake"));
}

WebSocketHandshake::Result WebSocketHandshake::readHead()
{
    // A loop, since an interim 1xx answer may be followed by the real one in the same bytes.
    while (true) {
        const qsizetype end = findHeadEnd();
        if (end < 0) {
            if (m_buffer.size() > MaxHeadBytes) {
                return failWith(QStringLiteral("the server's handshake answer has a head of more "
                                               "than %1 KiB")
                                    .arg(MaxHeadBytes / 1024));
            }
            return Result::NeedMore;
        }
        if (end > MaxHeadBytes) {
            return failWith(
                QStringLiteral("the server's handshake answer has a head of more than %1 KiB")
                    .arg(MaxHeadBytes / 1024));
        }
        if (!parseHead(QByteArrayView(m_buffer).first(end))) {
            return Result::Failed;
        }
        QByteArray rest = m_buffer.sliced(end);
        m_buffer.clear();
        m_scanned = 0;
        if (m_status == 101) {
            m_leftover = std::move(rest);
            return checkAccepted();
        }
        if (m_status >= 200) {
            return startRefusal(std::move(rest));
        }
        // RFC 9110 15.2: interim answers come before the final one; none is of use here.
        m_headers.clear();
        m_status = 0;
        m_reasonPhrase.clear();
        m_buffer = std::move(rest);
        if (m_buffer.isEmpty()) {
            return Result::NeedMore;
        }
    }
}

qsizetype WebSocketHandshake::findHeadEnd()
{
    // The head ends with an empty line: LF then CR LF, or LF LF (RFC 9112 2.2 lets a
    // recipient take a bare LF as a line end).
    const char *data = m_buffer.constData();
    const qsizetype size = m_buffer.size();
    qsizetype at = m_scanned;
    while (at < size) {
        const void *found = std::memchr(data + at, '\n', size_t(size - at));
        if (!found) {
            m_scanned = size;
            return -1;
        }
        const qsizetype lf = static_cast<const char *>(found) - data;
        if (lf + 1 < size && data[lf + 1] == '\n') {
            return lf + 2;
        }
        if (lf + 2 < size && data[lf + 1] == '\r' && data[lf + 2] == '\n') {
            return lf + 3;
        }
        if (lf + 1 == size || (lf + 2 == size && data[lf + 1] == '\r')) {
            // Too soon to tell: look at this LF again when more arrives.
            m_scanned = lf;
            return -1;
        }
        at = lf + 1;
    }
    m_scanned = size;
    return -1;
}

bool WebSocketHandshake::parseHead(QByteArrayView head)
{
    bool firstLine = true;
    while (!head.isEmpty()) {
        const qsizetype lf = head.indexOf('\n');
        QByteArrayView line = lf < 0 ? head : head.first(lf);
        head = lf < 0 ? QByteArrayView() : head.sliced(lf + 1);
        if (line.endsWith('\r')) {
            line.chop(1);
        }
        if (firstLine) {
            firstLine = false;
            // RFC 9112 4: HTTP-version SP 3DIGIT SP [reason-phrase].
            const bool valid = line.size() >= 12 && line.startsWith("HTTP/1.") && line.at(8) == ' '
                && std::all_of(line.begin() + 9, line.begin() + 12,
                    [](char c) { return c >= '0' && c <= '9'; })
                && (line.size() == 12 || line.at(12) == ' ');
            if (!valid) {
                failWith(QStringLiteral("the server did not answer with HTTP: \"%1\"")
                             .arg(http::readableText(line, 80)));
                return false;
            }
            m_status = line.sliced(9, 3).toByteArray().toInt();
            m_reasonPhrase
                = line.size() > 13 ? trimmed(line.sliced(13)).toByteArray() : QByteArray();
            continue;
        }
        if (line.isEmpty()) {
            break;
        }
        if (line.front() == ' ' || line.front() == '\t') {
            // RFC 9112 5.2: obsolete line folding, replaced by a space.
            if (m_headers.isEmpty()) {
                failWith(QStringLiteral("the server's handshake answer starts with a folded line"));
                return false;
            }
            QByteArray &value = m_headers.last().second;
            value += ' ' + trimmed(line).toByteArray();
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !http::isToken(line.first(colon))) {
            failWith(
                QStringLiteral("malformed header line in the server's handshake answer: \"%1\"")
                    .arg(http::readableText(line, 80)));
            return false;
        }
        m_headers.append(
            {line.first(colon).toByteArray(), trimmed(line.sliced(colon + 1)).toByteArray()});
    }
    return true;
}

WebSocketHandshake::Result WebSocketHandshake::checkAccepted()
{
    // RFC 6455 4.1, the client's checks of the server's answer, in its order.
    if (!hasHeader("Upgrade")) {
        return failWith(QStringLiteral("the server's 101 answer has no Upgrade header"));
    }
    const QByteArray upgrade = header("Upgrade");
    if (trimmed(upgrade).compare("websocket", Qt::CaseInsensitive) != 0) {
        return failWith(QStringLiteral("the server's 101 answer upgrades to \"%1\", not websocket")
                            .arg(http::readableText(upgrade, 80)));
    }
    if (!hasListToken(header("Connection"), "upgrade")) {
        return failWith(QStringLiteral("the server's 101 answer has no Connection: Upgrade"));
    }
    if (!hasHeader("Sec-WebSocket-Accept")) {
        return failWith(QStringLiteral("the server's 101 answer has no Sec-WebSocket-Accept"));
    }
    const QByteArray accept = header("Sec-WebSocket-Accept");
    if (accept != acceptFor(m_key)) {
        return failWith(
            QStringLiteral("the server's Sec-WebSocket-Accept \"%1\" does not match "
                           "our key (expected \"%2\")")
                .arg(http::readableText(accept, 80), QString::fromLatin1(acceptFor(m_key))));
    }
    const QByteArray extensions = trimmed(header("Sec-WebSocket-Extensions")).toByteArray();
    if (!extensions.isEmpty()) {
        if (!m_offeredDeflate) {
            return failWith(QStringLiteral("the server accepted extensions we did not offer: %1")
                                .arg(http::readableText(extensions, 120)));
        }
        QString error;
        m_deflate = parseDeflateResponse(extensions, &error);
        if (!error.isEmpty()) {
            return failWith(error);
        }
    }
    const QByteArray protocol = trimmed(header("Sec-WebSocket-Protocol")).toByteArray();
    if (!protocol.isEmpty()) {
        const QString chosen = QString::fromUtf8(protocol);
        if (!m_offeredSubprotocols.contains(chosen)) {
            return failWith(QStringLiteral("the server chose subprotocol \"%1\", which we did not "
                                           "offer")
                                .arg(http::readableText(protocol, 80)));
        }
        m_subprotocol = chosen;
    }
    m_result = Result::Accepted;
    return m_result;
}

WebSocketHandshake::Result WebSocketHandshake::startRefusal(QByteArray rest)
{
    m_readingBody = true;
    const QByteArray transferEncoding = header("Transfer-Encoding");
    const QByteArray contentLength = trimmed(header("Content-Length")).toByteArray();
    bool lengthValid = false;
    const qint64 length = contentLength.toLongLong(&lengthValid);
    // RFC 9112 6.3, the order that decides a response's body length.
    if (m_status == 204 || m_status == 304) {
        m_bodyMode = BodyMode::None;
    } else if (!transferEncoding.isEmpty()) {
        m_bodyMode
            = hasListToken(transferEncoding, "chunked") ? BodyMode::Chunked : BodyMode::UntilClose;
    } else if (lengthValid && length >= 0) {
        m_bodyMode = BodyMode::Length;
        m_bodyRemaining = qMin<qint64>(length, MaxBodyBytes);
    } else {
        m_bodyMode = BodyMode::UntilClose;
    }
    if (m_bodyMode == BodyMode::None || (m_bodyMode == BodyMode::Length && m_bodyRemaining == 0)) {
        return refuse();
    }
    if (rest.isEmpty()) {
        return Result::NeedMore;
    }
    return readBody(rest);
}

WebSocketHandshake::Result WebSocketHandshake::readBody(QByteArrayView bytes)
{
    switch (m_bodyMode) {
    case BodyMode::None:
        return refuse();
    case BodyMode::Length: {
        const qsizetype take = qsizetype(qMin<qint64>(m_bodyRemaining, bytes.size()));
        m_body.append(bytes.first(take));
        m_bodyRemaining -= take;
        return m_bodyRemaining == 0 ? refuse() : Result::NeedMore;
    }
    case BodyMode::Chunked:
        return readChunked(bytes) ? refuse() : Result::NeedMore;
    case BodyMode::UntilClose: {
        m_body.append(bytes.first(qMin(bytes.size(), MaxBodyBytes - m_body.size())));
        return m_body.size() >= MaxBodyBytes ? refuse() : Result::NeedMore;
    }
    }
    return Result::NeedMore;
}

bool WebSocketHandshake::readChunked(QByteArrayView bytes)
{
    // RFC 9112 7.1, leniently: the body only feeds an error message, so a malformed chunk
    // ends it with what came before.
    while (!bytes.isEmpty()) {
        switch (m_chunkState) {
        case ChunkState::Size:
        case ChunkState::DataEnd:
        case ChunkState::Trailer: {
            const qsizetype lf = bytes.indexOf('\n');
            const QByteArrayView part = lf < 0 ? bytes : bytes.first(lf);
            if (m_chunkLine.size() + part.size() > s_maxChunkLine) {
                return true;
            }
            m_chunkLine.append(part);
            if (lf < 0) {
                return false;
            }
            bytes = bytes.sliced(lf + 1);
            QByteArrayView line = m_chunkLine;
            if (line.endsWith('\r')) {
                line.chop(1);
            }
            if (m_chunkState == ChunkState::DataEnd) {
                if (!line.isEmpty()) {
                    return true;
                }
                m_chunkState = ChunkState::Size;
            } else if (m_chunkState == ChunkState::Trailer) {
                if (line.isEmpty()) {
                    return true;
                }
            } else {
                const qsizetype semicolon = line.indexOf(';');
                bool valid = false;
                const qint64 size = trimmed(semicolon < 0 ? line : line.first(semicolon))
                                        .toByteArray()
                                        .toLongLong(&valid, 16);
                if (!valid || size < 0) {
                    return true;
                }
                m_chunkRemaining = size;
                m_chunkState = size == 0 ? ChunkState::Trailer : ChunkState::Data;
            }
            m_chunkLine.clear();
            break;
        }
        case ChunkState::Data: {
            const qsizetype take = qsizetype(qMin<qint64>(m_chunkRemaining, bytes.size()));
            m_body.append(bytes.first(qMin(take, MaxBodyBytes - m_body.size())));
            if (m_body.size() >= MaxBodyBytes) {
                return true;
            }
            m_chunkRemaining -= take;
            bytes = bytes.sliced(take);
            if (m_chunkRemaining == 0) {
                m_chunkState = ChunkState::DataEnd;
            }
            break;
        }
        }
    }
    return false;
}

WebSocketHandshake::Result WebSocketHandshake::refuse()
{
    m_readingBody = false;
    m_errorString = http::statusText(m_status, m_reasonPhrase, m_body);
    m_result = Result::Refused;
    return m_result;
}

WebSocketHandshake::Result WebSocketHandshake::failWith(const QString &message)
{
    m_errorString = message;
    m_result = Result::Failed;
    m_readingBody = false;
    m_buffer.clear();
    m_leftover.clear();
    m_deflate.reset();
    m_subprotocol.clear();
    return m_result;
}

} // namespace streamscope
