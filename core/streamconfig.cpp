// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamconfig.h"

#include "httptoken.h"
#include "jsonreader.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonValue>

#include <cmath>
#include <limits>

namespace streamscope {

namespace {

// Why an MQTT topic filter is invalid (MQTT 3.1.1 4.7.1): empty when it is fine.
QString topicFilterProblem(const QString &filter)
{
    if (filter.isEmpty()) {
        return QStringLiteral("empty");
    }
    const QStringList levels = filter.split(QLatin1Char('/'));
    for (qsizetype i = 0; i < levels.size(); ++i) {
        const QString &level = levels.at(i);
        if (level.contains(QLatin1Char('#'))
            && (level != QLatin1String("#") || i + 1 < levels.size())) {
            return QStringLiteral("# stands alone as the last level, as in sensors/#");
        }
        if (level.contains(QLatin1Char('+')) && level != QLatin1String("+")) {
            return QStringLiteral("+ stands alone as a level, as in sensors/+/temp");
        }
    }
    return {};
}

HeaderList resolveHeaders(const HeaderList &headers, QStringList *missing)
{
    HeaderList resolved;
    resolved.reserve(headers.size());
    for (const auto &header : headers) {
        resolved.append({header.first, resolveEnvironmentReferences(header.second, missing)});
    }
    return resolved;
}

// POSIX sh: safe characters go bare, the rest in single quotes ('\'' for a quote).
QString shellQuote(const QString &text)
{
    static const QString safe = QStringLiteral("-_./:=@,%+");
    bool bare = !text.isEmpty();
    for (const QChar c : text) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && !safe.contains(c)) {
            bare = false;
            break;
        }
    }
    if (bare) {
        return text;
    }
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

// A value with ${env:NAME} references: double quotes, so the shell expands "$NAME" and nothing
// else.
QString shellQuoteWithReferences(const QByteArray &value)
{
    const QList<EnvironmentPiece> pieces = splitEnvironmentReferences(value);
    bool hasReference = false;
    for (const EnvironmentPiece &piece : pieces) {
        hasReference = hasReference || !piece.name.isEmpty();
    }
    if (!hasReference) {
        return shellQuote(QString::fromUtf8(value));
    }
    QString out = QStringLiteral("\"");
    for (qsizetype i = 0; i < pieces.size(); ++i) {
        const EnvironmentPiece &piece = pieces.at(i);
        if (piece.name.isEmpty()) {
            for (const QChar c : QString::fromUtf8(piece.text)) {
                if (c == QLatin1Char('$') || c == QLatin1Char('`') || c == QLatin1Char('"')
                    || c == QLatin1Char('\\')) {
                    out += QLatin1Char('\\');
                }
                out += c;
            }
            continue;
        }
        // $NAME would swallow a following name character: braces then.
        const bool braces = i + 1 < pieces.size() && !pieces.at(i + 1).text.isEmpty()
            && isEnvironmentNameChar(pieces.at(i + 1).text.at(0));
        out += braces ? QStringLiteral("${%1}").arg(QString::fromLatin1(piece.name))
                      : QStringLiteral("$%1").arg(QString::fromLatin1(piece.name));
    }
    out += QLatin1Char('"');
    return out;
}

// An empty word, which stands for the default where a file has one.
bool isEmptyString(const QJsonValue &value)
{
    return value.isString() && value.toString().isEmpty();
}

QJsonArray toArray(const QStringList &list)
{
    QJsonArray array;
    for (const QString &item : list) {
        array.append(item);
    }
    return array;
}

} // namespace

StreamConfig::Transport StreamConfig::transport() const
{
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("http") || scheme == QLatin1String("https")) {
        return Transport::Sse;
    }
    if (scheme == QLatin1String("ws") || scheme == QLatin1String("wss")) {
        return Transport::WebSocket;
    }
    return Transport::Invalid;
}

bool StreamConfig::isOneShot() const
{
    if (transport() != Transport::Sse) {
        return false;
    }
    return oneShot.value_or(method == "POST" && !body.isEmpty());
}

std::optional<TokenFormat> StreamConfig::tokenFormat() const
{
    if (transport() != Transport::Sse) {
        return std::nullopt;
    }
    if (tokens) {
        return tokens;
    }
    return isOneShot() ? std::optional<TokenFormat>(TokenFormat::Auto) : std::nullopt;
}

QList<StreamConfig::Problem> StreamConfig::validate() const
{
    QList<Problem> problems;
    const auto add = [&problems](const char *field, const QString &message) {
        problems.append({QString::fromLatin1(field), message});
    };

    if (url.isEmpty()) {
        add("url", QStringLiteral("enter a URL (http, https, ws or wss)"));
    } else if (!url.isValid()) {
        add("url", QStringLiteral("not a valid URL: %1").arg(url.errorString()));
    } else if (transport() == Transport::Invalid) {
        add("url",
            url.scheme().isEmpty()
                ? QStringLiteral("no scheme: start with http://, https://, ws:// or wss://")
                : QStringLiteral("not http, https, ws or wss (the scheme is \"%1\")")
                      .arg(url.scheme()));
    } else if (url.host().isEmpty()) {
        add("url",
            QStringLiteral("no host: the URL needs one, as in %1://host/path")
                .arg(url.scheme().toLower()));
    }
    if (name.trimmed().isEmpty()) {
        add("name", QStringLiteral("give the stream a name"));
    }
    for (qsizetype i = 0; i < headers.size(); ++i) {
        const auto &[headerName, value] = headers.at(i);
        if (headerName.isEmpty()) {
            add("headers", QStringLiteral("header %1 has no name").arg(i + 1));
        } else if (!http::isToken(headerName)) {
            add("headers",
                QStringLiteral(
                    "header name \"%1\" may hold only letters, digits and !#$%&'*+-.^_`|~")
                    .arg(QString::fromUtf8(headerName)));
        } else if (hasLineBreakOrNul(value)) {
            add("headers",
                QStringLiteral("header \"%1\": the value holds a line break")
                    .arg(QString::fromUtf8(headerName)));
        }
    }
    if (initialDelayMs < 0) {
        add("initialDelayMs", QStringLiteral("the first reconnect delay cannot be negative"));
    }
    if (maxDelayMs < 0) {
        add("maxDelayMs", QStringLiteral("the longest reconnect delay cannot be negative"));
    } else if (initialDelayMs > maxDelayMs) {
        add("maxDelayMs",
            QStringLiteral("the longest reconnect delay (%1 ms) is shorter than the first (%2 ms)")
                .arg(maxDelayMs)
                .arg(initialDelayMs));
    }
    const Transport kind = transport();
    if (kind != Transport::WebSocket) {
        if (!http::isToken(method)) {
            add("method",
                method.isEmpty() ? QStringLiteral("enter an HTTP method, such as GET or POST")
                                 : QStringLiteral("\"%1\" is not an HTTP method")
                                       .arg(QString::fromUtf8(method)));
        } else if ((method == "GET" || method == "HEAD") && !body.isEmpty()) {
            add("body",
                QStringLiteral("a %1 request has no body: use POST, or leave the body empty")
                    .arg(QString::fromUtf8(method)));
        }
        if (idleTimeoutMs < 0) {
            add("idleTimeoutMs", QStringLiteral("the idle timeout cannot be negative (0: off)"));
        }
    }
    if (kind != Transport::Sse) {
        for (const QString &protocol : subprotocols) {
            if (!http::isToken(protocol.toUtf8())) {
                add("subprotocols",
                    QStringLiteral("\"%1\" is not a valid subprotocol name (a token: no spaces "
                                   "or separators)")
                        .arg(protocol));
            }
        }
        if (pingIntervalMs < 0) {
            add("pingIntervalMs", QStringLiteral("the ping interval cannot be negative (0: off)"));
        }
        if (protocol == Protocol::SocketIo) {
            for (const QString &ns : namespaces) {
                if (!ns.startsWith(QLatin1Char('/'))) {
                    add("namespaces",
                        QStringLiteral("namespace \"%1\" must start with /, as in /admin").arg(ns));
                }
            }
        }
        if (protocol == Protocol::Mqtt) {
            if (topics.isEmpty()) {
                add("topics", QStringLiteral("subscribe to at least one topic filter (# for all)"));
            }
            for (const QString &topic : topics) {
                const QString why = topicFilterProblem(topic);
                if (!why.isEmpty()) {
                    add("topics", QStringLiteral("topic filter \"%1\": %2").arg(topic, why));
                }
            }
            if (mqttQos != 0 && mqttQos != 1) {
                add("qos", QStringLiteral("QoS is 0 or 1"));
            }
        }
    }
    if (!caCertificatesFile.isEmpty()) {
        // Checked here as well as when connecting, so the dialog and a loaded workspace say it
        // before the first attempt fails on it.
        const QFileInfo file(caCertificatesFile);
        if (!file.exists()) {
            add("caCertificatesFile",
                QStringLiteral("no CA certificates file at \"%1\"").arg(caCertificatesFile));
        } else if (!file.isFile() || !file.isReadable()) {
            add("caCertificatesFile",
                QStringLiteral("\"%1\" is not a readable file").arg(caCertificatesFile));
        }
    }
    return problems;
}

QJsonObject StreamConfig::toJson() const
{
    QJsonObject object;
    object.insert(QLatin1String("name"), name);
    object.insert(QLatin1String("url"), url.toString());
    QStringList lines;
    for (const auto &header : headers) {
        lines.append(headerLine(header));
    }
    object.insert(QLatin1String("headers"), toArray(lines));
    object.insert(QLatin1String("initialDelayMs"), initialDelayMs);
    object.insert(QLatin1String("maxDelayMs"), maxDelayMs);
    if (!auditSequence.isEmpty()) { // the default audits SSE ids by itself
        object.insert(QLatin1String("auditSequence"), auditSequence);
    }
    // Only the keys that apply to the transport, so a file reads as what it does.
    const Transport kind = transport();
    if (kind != Transport::WebSocket) {
        object.insert(QLatin1String("method"), QString::fromUtf8(method));
        object.insert(QLatin1String("body"), QString::fromUtf8(body));
        object.insert(QLatin1String("idleTimeoutMs"), idleTimeoutMs);
        // Written only when not auto, as compression only when off: the exception stands out.
        if (http2 != Http2Mode::Auto) {
            object.insert(QLatin1String("http2"), QString::fromLatin1(http2ModeName(http2)));
        }
        if (oneShot) { // unset follows the method and body
            object.insert(QLatin1String("oneShot"), *oneShot);
        }
        if (tokens) {
            object.insert(QLatin1String("tokens"), tokenFormatName(*tokens));
        }
    }
    if (kind != Transport::Sse) {
        object.insert(QLatin1String("subprotocols"), toArray(subprotocols));
        QStringList messages;
        for (const QByteArray &message : onOpenMessages) {
            messages.append(QString::fromUtf8(message));
        }
        object.insert(QLatin1String("onOpenMessages"), toArray(messages));
        object.insert(QLatin1String("pingIntervalMs"), pingIntervalMs);
        // Written only when off: on is the default, and the exception should stand out.
        if (!compression) {
            object.insert(QLatin1String("compression"), false);
        }
        if (protocol != Protocol::WebSocket) {
            object.insert(QLatin1String("protocol"), protocolName(protocol));
        }
        if (protocol == Protocol::SocketIo) {
            object.insert(QLatin1String("namespaces"), toArray(namespaces));
            if (!socketIoAuth.isEmpty()) {
                object.insert(QLatin1String("auth"), QString::fromUtf8(socketIoAuth));
            }
        }
        if (protocol == Protocol::Mqtt) {
            object.insert(QLatin1String("topics"), toArray(topics));
            object.insert(QLatin1String("qos"), mqttQos);
            if (!mqttUsername.isEmpty()) {
                object.insert(QLatin1String("username"), QString::fromUtf8(mqttUsername));
            }
            if (!mqttPassword.isEmpty()) {
                object.insert(QLatin1String("password"), QString::fromUtf8(mqttPassword));
            }
            if (!mqttClientId.isEmpty()) {
                object.insert(QLatin1String("clientId"), mqttClientId);
            }
            if (mqttVersion5) {
                object.insert(QLatin1String("mqttVersion"), QStringLiteral("5"));
            }
        }
    }
    // Written only when set: most streams have neither, and an insecure one should stand out.
    if (!caCertificatesFile.isEmpty()) {
        object.insert(QLatin1String("caCertificatesFile"), caCertificatesFile);
    }
    if (ignoreCertificateErrors) {
        object.insert(QLatin1String("ignoreCertificateErrors"), true);
    }
    return object;
}

StreamConfig StreamConfig::fromJson(
    const QJsonObject &object, QStringList *problems, const QString &path)
{
    JsonReader reader(object, path, problems);
    StreamConfig config;
    reader.string(QLatin1StringView("name"), &config.name);
    QString urlText;
    reader.string(QLatin1StringView("url"), &urlText);
    config.url = QUrl(urlText.trimmed()); // tolerant: a hand-edited space is not fatal
    QStringList lines;
    reader.strings(QLatin1StringView("headers"), &lines);
    for (const QString &line : std::as_const(lines)) {
        QPair<QByteArray, QByteArray> header;
        QString error;
        if (parseHeaderLine(line, &header, &error)) {
            config.headers.append(header);
        } else {
            reader.problem(
                reader.where(QLatin1StringView("headers")), error + QStringLiteral("; left out"));
        }
    }
    reader.integer(QLatin1StringView("initialDelayMs"), &config.initialDelayMs);
    reader.integer(QLatin1StringView("maxDelayMs"), &config.maxDelayMs);
    reader.string(QLatin1StringView("auditSequence"), &config.auditSequence);
    reader.bytes(QLatin1StringView("method"), &config.method);
    reader.bytes(QLatin1StringView("body"), &config.body);
    reader.integer(QLatin1StringView("idleTimeoutMs"), &config.idleTimeoutMs);
    reader.word(
        QLatin1StringView("http2"),
        {QStringLiteral("auto"), QStringLiteral("off"), QStringLiteral("prior-knowledge")},
        [](const QString &name) { return parseHttp2Mode(name.toUtf8()); }, &config.http2);
    reader.boolean(QLatin1StringView("oneShot"), &config.oneShot);
    if (!isEmptyString(reader.value(QLatin1StringView("tokens")))) {
        TokenFormat tokens = TokenFormat::Auto;
        reader.word(
            QLatin1StringView("tokens"),
            {QStringLiteral("auto"), QStringLiteral("openai-chat"),
                QStringLiteral("openai-responses"), QStringLiteral("anthropic")},
            [](const QString &name) { return parseTokenFormat(name); }, &tokens,
            QStringLiteral("detected instead"));
        if (reader.contains(QLatin1StringView("tokens"))) {
            config.tokens = tokens;
        }
    }
    reader.strings(QLatin1StringView("subprotocols"), &config.subprotocols);
    QStringList messages;
    reader.strings(QLatin1StringView("onOpenMessages"), &messages);
    for (const QString &message : std::as_const(messages)) {
        config.onOpenMessages.append(message.toUtf8());
    }
    reader.integer(QLatin1StringView("pingIntervalMs"), &config.pingIntervalMs);
    reader.boolean(QLatin1StringView("compression"), &config.compression);
    if (!isEmptyString(reader.value(QLatin1StringView("protocol")))) {
        reader.word(
            QLatin1StringView("protocol"),
            {QStringLiteral("websocket"), QStringLiteral("socket.io"), QStringLiteral("mqtt")},
            [](const QString &name) { return parseProtocolName(name); }, &config.protocol);
    }
    reader.strings(QLatin1StringView("namespaces"), &config.namespaces);
    reader.bytes(QLatin1StringView("auth"), &config.socketIoAuth);
    reader.strings(QLatin1StringView("topics"), &config.topics);
    reader.integer(QLatin1StringView("qos"), &config.mqttQos);
    reader.bytes(QLatin1StringView("username"), &config.mqttUsername);
    reader.bytes(QLatin1StringView("password"), &config.mqttPassword);
    reader.string(QLatin1StringView("clientId"), &config.mqttClientId);
    if (!isEmptyString(reader.value(QLatin1StringView("mqttVersion")))) {
        reader.word(
            QLatin1StringView("mqttVersion"), {QStringLiteral("3.1.1"), QStringLiteral("5")},
            [](const QString &name) -> std::optional<bool> {
                if (name == QLatin1String("5") || name == QLatin1String("3.1.1")) {
                    return name == QLatin1String("5");
                }
                return std::nullopt;
            },
            &config.mqttVersion5, QStringLiteral("3.1.1 is used"));
    }
    reader.string(QLatin1StringView("caCertificatesFile"), &config.caCertificatesFile);
    reader.boolean(QLatin1StringView("ignoreCertificateErrors"), &config.ignoreCertificateErrors);
    return config;
}

EventSourceSettings StreamConfig::sseSettings(QStringList *missing) const
{
    EventSourceSettings settings;
    settings.url = url;
    settings.method = method;
    settings.body = body;
    settings.headers = resolveHeaders(headers, missing);
    settings.initialDelayMs = initialDelayMs;
    settings.maxDelayMs = maxDelayMs;
    settings.idleTimeoutMs = idleTimeoutMs;
    settings.http2 = http2;
    settings.oneShot = isOneShot();
    settings.caCertificatesFile = caCertificatesFile;
    settings.ignoreCertificateErrors = ignoreCertificateErrors;
    return settings;
}

WebSocketSettings StreamConfig::webSocketSettings(QStringList *missing) const
{
    WebSocketSettings settings;
    settings.url = url;
    settings.headers = resolveHeaders(headers, missing);
    settings.subprotocols = subprotocols;
    settings.onOpenMessages = onOpenMessages;
    settings.initialDelayMs = initialDelayMs;
    settings.maxDelayMs = maxDelayMs;
    settings.pingIntervalMs = pingIntervalMs;
    settings.compression = compression;
    settings.caCertificatesFile = caCertificatesFile;
    settings.ignoreCertificateErrors = ignoreCertificateErrors;
    return settings;
}

QString StreamConfig::protocolName(Protocol protocol)
{
    switch (protocol) {
    case Protocol::SocketIo:
        return QStringLiteral("socket.io");
    case Protocol::Mqtt:
        return QStringLiteral("mqtt");
    case Protocol::WebSocket:
        break;
    }
    return QStringLiteral("websocket");
}

std::optional<StreamConfig::Protocol> StreamConfig::parseProtocolName(const QString &name)
{
    for (const Protocol protocol : {Protocol::WebSocket, Protocol::SocketIo, Protocol::Mqtt}) {
        if (name == protocolName(protocol)) {
            return protocol;
        }
    }
    return std::nullopt;
}

StreamConfig::Protocol StreamConfig::guessProtocol(const QUrl &url, const QStringList &subprotocols)
{
    const QString path = url.path();
    if (path.contains(QLatin1String("/socket.io/")) || path.endsWith(QLatin1String("/socket.io"))) {
        return Protocol::SocketIo;
    }
    if (subprotocols.contains(QLatin1String("mqtt"), Qt::CaseInsensitive)
        || path.endsWith(QLatin1String("/mqtt"))) {
        return Protocol::Mqtt;
    }
    return Protocol::WebSocket;
}

bool StreamConfig::usesTls() const
{
    const QString scheme = url.scheme().toLower();
    return scheme == QLatin1String("https") || scheme == QLatin1String("wss");
}

QString StreamConfig::cliCommand(Secrets secrets) const
{
    const bool webSocket = transport() == Transport::WebSocket;
    const QString command = !webSocket   ? QStringLiteral("sse")
        : protocol == Protocol::SocketIo ? QStringLiteral("socketio")
        : protocol == Protocol::Mqtt     ? QStringLiteral("mqtt")
                                         : QStringLiteral("ws");
    QStringList words{
        QStringLiteral("streamscope-cli"), command, shellQuote(url.toString(QUrl::FullyEncoded))};
    for (const auto &header : headers) {
        const QByteArray value = secrets == Secrets::Revealed
            ? header.second
            : maskedHeaderValue(header.first, header.second).toUtf8();
        words << QStringLiteral("-H") << shellQuoteWithReferences(header.first + ": " + value);
    }
    if (usesTls()) {
        if (!caCertificatesFile.isEmpty()) {
            words << QStringLiteral("--ca-file") << shellQuote(caCertificatesFile);
        }
        if (ignoreCertificateErrors) {
            words << QStringLiteral("--insecure");
        }
    }
    if (webSocket) {
        for (const QString &protocol : subprotocols) {
            words << QStringLiteral("--subprotocol") << shellQuote(protocol);
        }
        for (const QByteArray &message : onOpenMessages) {
            words << QStringLiteral("--send") << shellQuote(QString::fromUtf8(message));
        }
        if (pingIntervalMs != WebSocketSettings().pingIntervalMs) {
            words << QStringLiteral("--ping-interval") << QString::number(pingIntervalMs);
        }
        if (!compression) {
            words << QStringLiteral("--no-compression");
        }
        if (protocol == Protocol::SocketIo) {
            for (const QString &ns : namespaces) {
                words << QStringLiteral("--namespace") << shellQuote(ns);
            }
            if (!socketIoAuth.isEmpty()) {
                words << QStringLiteral("--auth") << shellQuoteWithReferences(socketIoAuth);
            }
        }
        if (protocol == Protocol::Mqtt) {
            for (const QString &topic : topics) {
                words << QStringLiteral("--topic") << shellQuote(topic);
            }
            if (mqttQos != 0) {
                words << QStringLiteral("--qos") << QString::number(mqttQos);
            }
            if (!mqttUsername.isEmpty()) {
                words << QStringLiteral("--username") << shellQuoteWithReferences(mqttUsername);
            }
            if (!mqttPassword.isEmpty()) {
                // As a secret header's value: masked unless revealed; a reference stays.
                const QByteArray shown = secrets == Secrets::Revealed
                    ? mqttPassword
                    : maskedHeaderValue("Authorization", mqttPassword).toUtf8();
                words << QStringLiteral("--password") << shellQuoteWithReferences(shown);
            }
            if (!mqttClientId.isEmpty()) {
                words << QStringLiteral("--client-id") << shellQuote(mqttClientId);
            }
            if (mqttVersion5) {
                words << QStringLiteral("--mqtt-version") << QStringLiteral("5");
            }
        }
    } else {
        // The CLI's --data alone means POST; --method says anything else.
        const QByteArray impliedMethod = body.isEmpty() ? "GET" : "POST";
        if (method != impliedMethod) {
            words << QStringLiteral("--method") << shellQuote(QString::fromUtf8(method));
        }
        if (!body.isEmpty()) {
            words << QStringLiteral("--data") << shellQuote(QString::fromUtf8(body));
        }
        if (idleTimeoutMs > 0) {
            words << QStringLiteral("--idle-timeout") << QString::number(idleTimeoutMs);
        }
        if (http2 != Http2Mode::Auto) {
            words << QStringLiteral("--http2") << QString::fromLatin1(http2ModeName(http2));
        }
        if (isOneShot()) {
            words << QStringLiteral("--once");
        }
    }
    const StreamConfig defaults;
    if (initialDelayMs != defaults.initialDelayMs) {
        words << QStringLiteral("--initial-delay") << QString::number(initialDelayMs);
    }
    if (maxDelayMs != defaults.maxDelayMs) {
        words << QStringLiteral("--max-delay") << QString::number(maxDelayMs);
    }
    return words.join(QLatin1Char(' '));
}

} // namespace streamscope
