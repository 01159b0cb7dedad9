// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "environmentreferences.h"
#include "eventsource.h"
#include "http2mode.h"
#include "httpheaders.h"
#include "tokenstream.h"
#include "websocketclient.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace streamscope {

// What the user set up for one stream, as saved in a workspace. Header values may hold
// ${env:NAME} references, resolved only when connecting, so secrets stay out of files.
struct StreamConfig
{
    enum class Transport {
        Invalid, // neither http(s) nor ws(s)
        Sse,
        WebSocket,
    };

    // A field the user must fix, with the reason shown next to it.
    struct Problem
    {
        QString field; // "url", "name", "headers", "method", "body", "initialDelayMs", ...
        QString message;
    };

    QString name;
    QUrl url; // the scheme picks the transport
    HeaderList headers;
    int initialDelayMs = 1000;
    int maxDelayMs = 30000;
    // SSE
    QByteArray method = "GET";
    QByteArray body;
    int idleTimeoutMs = 0; // 0: off
    // Whether HTTP/2 may be used (see Http2Mode); written to files only when not Auto.
    Http2Mode http2 = Http2Mode::Auto;
    // One request, one answer, no reconnecting by itself (EventSourceSettings::oneShot). Unset:
    // one-shot when the stream POSTs a body (an LLM request, billed per answer).
    std::optional<bool> oneShot;
    // The LLM answer format its events carry, for the token view. Unset: detected on one-shot
    // streams, none on the others.
    std::optional<TokenFormat> tokens;
    // The number the resume audit follows across reconnects: empty or "id", the SSE event id
    // (audited only while ids are numbers); else a payload field's dotted path ("seq"). A
    // WebSocket stream has no event ids: only a payload field audits it ("id" is that field).
    QString auditSequence;
    // WebSocket
    QStringList subprotocols;
    QList<QByteArray> onOpenMessages;
    int pingIntervalMs = 15000; // 0: off
    // Offer permessage-deflate (RFC 7692). Off for a server or proxy that mishandles it, or to
    // see the bytes as they are on the wire.
    bool compression = true;
    // What speaks over the WebSocket; guessProtocol() proposes one from the URL.
    enum class Protocol {
        WebSocket, // raw messages
        SocketIo, // Socket.IO v4 (Engine.IO 4): rows typed by event name
        Mqtt, // MQTT over WebSocket: rows typed by topic
    };
    Protocol protocol = Protocol::WebSocket;
    // Socket.IO: the namespaces joined ("/" when none) and the auth payload sent with each
    // (JSON text; may hold ${env:NAME}).
    QStringList namespaces;
    QByteArray socketIoAuth;
    // MQTT: the topic filters subscribed and their QoS (0 or 1), credentials (may hold
    // ${env:NAME}), client id (generated when empty) and version 5 rather than 3.1.1.
    QStringList topics;
    int mqttQos = 0;
    QByteArray mqttUsername;
    QByteArray mqttPassword;
    QString mqttClientId;
    bool mqttVersion5 = false;
    // https and wss: PEM certificates trusted beside the system's (an absolute path; empty:
    // none), and the explicit, insecure choice to connect despite certificate errors.
    QString caCertificatesFile;
    bool ignoreCertificateErrors = false;

    Transport transport() const;
    // What the dashboard calls it: the name, or the URL when it has none.
    QString displayName() const { return name.isEmpty() ? url.toDisplayString() : name; }
    bool isOneShot() const;
    // The format to decode answers in; nullopt: this stream carries no answers.
    std::optional<TokenFormat> tokenFormat() const;
    QList<Problem> validate() const;

    QJsonObject toJson() const;
    // Reads what it can; each field it could not use is named in *problems.
    static StreamConfig fromJson(
        const QJsonObject &object, QStringList *problems, const QString &path = QString());

    // Settings with ${env:NAME} resolved now; each unset variable is named in *missing.
    EventSourceSettings sseSettings(QStringList *missing) const;
    WebSocketSettings webSocketSettings(QStringList *missing) const;

    // Whether the URL asks for TLS (https, wss): only then do the TLS settings apply.
    bool usesTls() const;

    // "websocket", "socket.io", "mqtt": the words of the workspace file.
    static QString protocolName(Protocol protocol);
    static std::optional<Protocol> parseProtocolName(const QString &name);
    // What a ws(s) URL most likely speaks: Socket.IO for a /socket.io/ path, MQTT for the mqtt
    // subprotocol or an /mqtt path, else raw WebSocket.
    static Protocol guessProtocol(const QUrl &url, const QStringList &subprotocols);

    // The equivalent streamscope-cli line, shell-quoted; ${env:NAME} becomes "$NAME". Secret
    // header values are masked (maskedHeaderValue) unless revealed, so a copied line can be
    // pasted into a chat or a ticket without leaking credentials.
    enum class Secrets {
        Masked,
        Revealed,
    };
    QString cliCommand(Secrets secrets = Secrets::Masked) const;
};

} // namespace streamscope
