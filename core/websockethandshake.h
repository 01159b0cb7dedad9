// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "httpheaders.h"
#include "permessagedeflate.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>
#include <utility>

namespace streamscope {

// What one opening handshake asks for.
struct WebSocketHandshakeRequest
{
    QUrl url; // ws:// or wss:// (checked by the caller); the fragment is never sent
    HeaderList headers; // user headers (Authorization, Origin, ...), minus the handshake's own
    QStringList subprotocols; // offered in this order; only one of them may be accepted
    bool offerDeflate = false; // offer permessage-deflate (RFC 7692)
    QByteArray key; // Sec-WebSocket-Key; empty: 16 random bytes from QRandomGenerator::system()
};

// The client's opening handshake (RFC 6455 4.1): builds the upgrade request and checks the
// server's answer as its bytes arrive, in any chunking. A refusal keeps the status, headers and
// the start of the body for a readable error.
class WebSocketHandshake
{
public:
    enum class Result {
        NeedMore,
        Accepted, // 101 and every check passed: takeLeftover() holds the first frame bytes
        Refused, // any other final status: status(), header(), body(), errorString()
        Failed, // not HTTP, too long, cut short, or a 101 that fails a check: errorString()
    };

    static constexpr qsizetype MaxHeadBytes = 64 * 1024;
    static constexpr qsizetype MaxBodyBytes = 4 * 1024; // of a refusal, kept for its error text

    explicit WebSocketHandshake(const WebSocketHandshakeRequest &request);

    // The request to write once connected.
    QByteArray requestBytes() const { return m_request; }
    QByteArray key() const { return m_key; }
    // User headers and subprotocols left out of the request, each with why.
    QStringList warnings() const { return m_warnings; }

    // Reads more of the answer. Once the result is final, further bytes change nothing, except
    // that after Accepted they are kept with the leftover.
    Result feed(QByteArrayView bytes);
    // The connection ended: a refusal without a length ends here; a head cut short fails.
    Result finish();
    Result result() const { return m_result; }

    // The bytes after an accepted answer's head: frames the server sent at once. Handed over
    // once; the frame parser reads them before anything else from the socket.
    QByteArray takeLeftover() { return std::exchange(m_leftover, QByteArray()); }

    // Of the final answer (interim 1xx answers are skipped); 0 before its status line.
    int status() const { return m_status; }
    QByteArray reasonPhrase() const { return m_reasonPhrase; }
    // The value of the named header (any case), repeats joined with ", "; empty when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    const HeaderList &headers() const { return m_headers; }
    // At most MaxBodyBytes of a refusal's body, de-chunked.
    QByteArray body() const { return m_body; }
    // Why it failed or was refused, e.g. "HTTP 401 Unauthorized: token expired".
    QString errorString() const { return m_errorString; }

    // Once accepted: the subprotocol the server chose (empty when none), and permessage-deflate's
    // parameters when the server accepted it.
    QString subprotocol() const { return m_subprotocol; }
    std::optional<DeflateParameters> deflate() const { return m_deflate; }

    // 16 random bytes, base64 (RFC 6455 4.1).
    static QByteArray generateKey();
    // base64(SHA-1(key + the RFC 6455 GUID)): the Sec-WebSocket-Accept the server must send.
    static QByteArray acceptFor(QByteArrayView key);

private:
    enum class BodyMode {
        None,
        Length, // Content-Length
        Chunked,
        UntilClose,
    };
    enum class ChunkState {
        Size,
        Data,
        DataEnd,
        Trailer,
    };

    void buildRequest(const WebSocketHandshakeRequest &request);
    Result readHead();
    qsizetype findHeadEnd();
    bool parseHead(QByteArrayView head);
    Result checkAccepted();
    Result startRefusal(QByteArray rest);
    Result readBody(QByteArrayView bytes);
    bool readChunked(QByteArrayView bytes);
    Result refuse();
    Result failWith(const QString &message);

    QByteArray m_request;
    QByteArray m_key;
    QStringList m_warnings;
    QStringList m_offeredSubprotocols;
    bool m_offeredDeflate = false;

    QByteArray m_buffer; // the answer's head so far
    qsizetype m_scanned = 0; // m_buffer before this holds no end of head
    bool m_receivedAny = false;
    QByteArray m_leftover;
    int m_status = 0;
    QByteArray m_reasonPhrase;
    HeaderList m_headers;
    QByteArray m_body;
    BodyMode m_bodyMode = BodyMode::None;
    qint64 m_bodyRemaining = 0; // Length: body bytes still to keep
    ChunkState m_chunkState = ChunkState::Size;
    QByteArray m_chunkLine; // Size and Trailer: the line so far
    qint64 m_chunkRemaining = 0;
    QString m_errorString;
    QString m_subprotocol;
    std::optional<DeflateParameters> m_deflate;
    Result m_result = Result::NeedMore;
    bool m_readingBody = false;
};

} // namespace streamscope
