// SPDX-License-Identifier: GPL-3.0-or-later
#include "options.h"

#include "httptoken.h"
#include "socketiocodec.h"
#include "streamconfig.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace streamscope {

namespace {

const QString s_program = QStringLiteral("streamscope-cli");

QString topHelp()
{
    return QStringLiteral(R"(Usage: streamscope-cli COMMAND [options]

Watches live SSE and WebSocket streams from a terminal or a script.

Commands:
  sse URL     follow a Server-Sent Events stream (reconnects, Last-Event-ID resume)
  ws URL      follow a WebSocket (reconnects, pings)
  socketio URL
              follow a Socket.IO v4 server over WebSocket (namespaces, events, acks)
  mqtt URL    follow MQTT topics over WebSocket (MQTT 3.1.1 or 5; publish too)
  llm URL     send one request to an LLM answer stream (OpenAI, Anthropic) and follow the
              answer: its text, time to first token, tokens/s, stop reason, usage
  demo        start the built-in demo feed and watch it

Options:
  -h, --help  this help; "streamscope-cli COMMAND --help" documents each command
  --version   print the version

Exit codes: 0 normal end, 2 bad usage, 3 gave up (fatal response or too many reconnects).
)");
}

QString sseHelp()
{
    return QStringLiteral(R"(Usage: streamscope-cli sse URL [options]

Follows the Server-Sent Events stream at URL (http or https), reconnecting with backoff and
resuming with Last-Event-ID. Events go to stdout, one line each; connection lifecycle goes to
stderr. With --json every record is one JSON object per line on stdout.

Options:
  -H, --header "Name: value"  extra request header; repeatable
  --last-event-id ID          Last-Event-ID for the first request (held until the server sends
                              an id)
  --method METHOD             request method (default GET; POST when --data is given)
  --data BODY                 request body; alone, it means POST
  --once                      one request, one answer: the end of the response ends the run
                              (exit 0), a failure ends it (exit 3); never reconnects
  --json                      one JSON object per line on stdout (NDJSON)
  --max-events N              exit 0 after N events
  --timeout SECONDS           exit 0 after this long; fractions allowed
  --max-reconnects N          give up (exit 3) after N consecutive failed reconnects
  --initial-delay MS          first reconnect delay (default 1000; the server's retry overrides)
  --max-delay MS              longest reconnect delay (default 30000)
  --idle-timeout MS           no bytes for this long means a dead link: reconnect (default 0,
                              off)
  --audit-seq FIELD|id        audit resumes: whether reconnects lose, repeat or reorder events,
                              by the event id (id) or a payload field's number (seq, meta.seq)
  --http2 MODE                auto (default): HTTP/2 when TLS negotiates it, HTTP/1.1 on
                              http://; off: HTTP/1.1 only (a proxy or server that mishandles
                              HTTP/2); prior-knowledge: HTTP/2 from the first byte, without
                              asking (h2c on http://, for a server known to speak it)
  --ca-file PATH              https: also trust the PEM certificates in this file (a private CA
                              or a self-signed server)
  --insecure                  https: connect despite certificate errors, each reported as a
                              warning; the server is then not authenticated
  -h, --help                  this help
  --version                   print the version

NDJSON records, each with "kind" and "t" (milliseconds since start):
  {"kind":"connecting","url":U,"attempt":K}
  {"kind":"open","status":200,"protocol":P} P is "HTTP/1.1" or "HTTP/2"
  {"kind":"event","type":T,"data":D,"lastEventId":I}
  {"kind":"retry","ms":N}                    the server's retry field was applied
  {"kind":"warning","message":M}             --insecure let certificate errors through
  {"kind":"error","message":M,"status":S}    status only when there was one
  {"kind":"reconnecting","delayMs":N,"attempt":K}
  {"kind":"behind","message":M,"times":N}    fell behind over HTTP/2 (stdout did not keep
                                             up): the connection was dropped and the stream
                                             resumes as M says; N times so far
  {"kind":"diagnosis","code":C,"message":M,"title":T,"evidence":E,"fix":F,"firstSeen":MS,
   ...figures}                               something wrong on the way, once when found; C is
                                             proxy-buffering, compressed-stream,
                                             proxy-may-buffer, idle-timeout, no-resume, gap,
                                             duplicate or out-of-order; "cleared":true when the
                                             evidence stopped. Readable mode: on stderr
  {"kind":"closed","reason":R}               always last; R is no-content, fatal,
                                             max-reconnects, max-events, timeout, interrupted,
                                             or with --once complete or failed

Exit codes: 0 normal end (max-events, timeout, HTTP 204, SIGINT/SIGTERM, --once complete),
2 bad usage, 3 gave up (fatal status or content type, max reconnects, --once failed).
)");
}

QString llmHelp()
{
    return QStringLiteral(R"(Usage: streamscope-cli llm URL --data BODY [options]

Sends one request to an LLM answer stream (OpenAI Chat Completions, OpenAI Responses or
Anthropic Messages, over SSE) and follows the answer: its text goes to stdout as it arrives,
thinking and tool calls to stderr, and the figures (time to first token, tokens/s, gaps, stop
reason, usage) to stderr at the end. Never sends the request again by itself.

Options:
  --data BODY                 the request body (JSON); required unless --method says GET
  -H, --header "Name: value"  extra request header (Authorization, x-api-key, ...); repeatable.
                              Content-Type: application/json unless given
  --format FORMAT             auto (default: detected from the first events), openai-chat,
                              openai-responses or anthropic
  --method METHOD             request method (default POST)
  --json                      one JSON object per line on stdout (NDJSON)
  --timeout SECONDS           give up after this long (exit 3); fractions allowed
  --idle-timeout MS           no bytes for this long fails the answer (default 0, off)
  --http2 MODE                auto (default), off or prior-knowledge (see sse --help)
  --ca-file PATH              https: also trust the PEM certificates in this file
  --insecure                  https: connect despite certificate errors
  --once, --last-event-id ID, --max-events N, --max-reconnects N, --initial-delay MS,
  --max-delay MS              taken as sse takes them, to no effect: an answer is asked for
                              once, has no ids and never reconnects
  -h, --help                  this help
  --version                   print the version

NDJSON records, each with "kind" and "t" (milliseconds since start):
  {"kind":"connecting","url":U,"attempt":1}
  {"kind":"open","status":200,"protocol":P}
  {"kind":"token","text":S}                  a delta of the answer text; "block":K when the
                                             answer has more than one block, and "part":
                                             "thinking" or "tool" for those
  {"kind":"error","message":M,"status":S}    an HTTP error, a failure or an error event
  {"kind":"answer","format":F,"text":FULL,"outcome":O,"ttftMs":N,"durationMs":N,
   "outputTokens":N,"tokensPerS":X,"estimated":B,"stopReason":R,"usage":{...},...}
                                             last before closed; O is complete or interrupted
  {"kind":"closed","reason":R}               always last; R is complete, interrupted (cut
                                             short), error (an error event), fatal (an HTTP
                                             error) or timeout

Exit codes: 0 the answer completed, 2 bad usage, 3 an HTTP error, an error event, an
interrupted answer or the timeout.
)");
}

QString wsHelp()
{
    return QStringLiteral(R"(Usage: streamscope-cli ws URL [options]

Follows the WebSocket at URL (ws or wss), reconnecting with backoff. Messages go to stdout, one
line each; connection lifecycle goes to stderr. With --json every record is one JSON object
per line on stdout.

Options:
  -H, --header "Name: value"  extra handshake header; repeatable
  --subprotocol NAME          offer this subprotocol; repeatable
  --no-compression            do not offer permessage-deflate (offered by default; the open
                              line and record say when the server agreed)
  --send TEXT                 send this text message after every open; repeatable, in order
  --json                      one JSON object per line on stdout (NDJSON)
  --max-events N              exit 0 after N messages
  --timeout SECONDS           exit 0 after this long; fractions allowed
  --max-reconnects N          give up (exit 3) after N consecutive failed reconnects
  --initial-delay MS          first reconnect delay (default 1000)
  --max-delay MS              longest reconnect delay (default 30000)
  --ping-interval MS          ping this often, report the round trip, and reconnect when no
                              pong comes back within it (default 15000; 0 turns it off)
  --ca-file PATH              wss: also trust the PEM certificates in this file (a private CA
                              or a self-signed server)
  --insecure                  wss: connect despite certificate errors, each reported as a
                              warning; the server is then not authenticated
  -h, --help                  this help
  --version                   print the version

NDJSON records, each with "kind" and "t" (milliseconds since start):
  {"kind":"connecting","url":U,"attempt":K}
  {"kind":"open","subprotocol":P,"extensions":E}
                                             each key only when the server agreed to one; E
                                             is "permessage-deflate" (compressed messages)
  {"kind":"message","data":D,"binary":B}     binary data in base64
  {"kind":"sent","data":D}
  {"kind":"rtt","ms":N}
  {"kind":"warning","message":M}             --insecure let certificate errors through
  {"kind":"error","message":M}
  {"kind":"reconnecting","delayMs":N,"attempt":K}
  {"kind":"closed","reason":R,"code":C}      always last; code when known

Exit codes: 0 normal end (max-events, timeout, SIGINT/SIGTERM), 2 bad usage, 3 gave up.
)");
}

QString socketIoHelp()
{
    return QStringLiteral(R"(Usage: streamscope-cli socketio URL [options]

Follows a Socket.IO v4 server (Engine.IO 4, WebSocket transport only) at URL: ws, wss, http or
https, with or without the server's path (default /socket.io/); a query you add is kept.
Answers the server's pings, reconnects with backoff and joins every namespace again. Events go
to stdout, one line each; connection lifecycle goes to stderr. With --json every record is one
JSON object per line on stdout.

Options:
  --namespace NS              join this namespace ("/" or "/name"); repeatable; default "/"
  --auth JSON                 the auth object sent with every namespace's connect
  --emit EVENT JSON           emit EVENT with the arguments JSON (an array of arguments or one
                              value) on the first namespace after every join, asking for an
                              ack; repeatable, in order
  -H, --header "Name: value"  extra handshake header; repeatable
  --subprotocol NAME          offer this WebSocket subprotocol; repeatable
  --no-compression            do not offer permessage-deflate
  --json                      one JSON object per line on stdout (NDJSON)
  --max-events N              exit 0 after N events
  --timeout SECONDS           exit 0 after this long; fractions allowed
  --max-reconnects N          give up (exit 3) after N consecutive failed reconnects
  --initial-delay MS          first reconnect delay (default 1000)
  --max-delay MS              longest reconnect delay (default 30000)
  --ping-interval MS          WebSocket pings as for ws (default 15000; 0 turns them off); the
                              server's Engine.IO pings are answered and watched either way: none
                              within its pingInterval + pingTimeout means a dead link
  --ca-file PATH              wss: also trust the PEM certificates in this file
  --insecure                  wss: connect despite certificate errors, each reported as a
                              warning; the server is then not authenticated
  -h, --help                  this help
  --version                   print the version

NDJSON records, each with "kind" and "t" (milliseconds since start):
  {"kind":"connecting","url":U,"attempt":K}
  {"kind":"open","subprotocol":P,"extensions":E}
                                             the Engine.IO session opened; keys as for ws
  {"kind":"joined","namespace":NS}
  {"kind":"message","type":EVENT,"data":ARGS,"binary":B,"namespace":NS}
                                             ARGS: the arguments as JSON array text; binary
                                             attachments in it as {"_binary":BASE64,"bytes":N}
  {"kind":"sent","type":EVENT,"data":ARGS,"namespace":NS,"id":N}
  {"kind":"ack","id":N,"data":ARGS,"roundTripMs":N}
  {"kind":"rtt","ms":N}                      the gap between the server's Engine.IO pings
  {"kind":"refused","namespace":NS,"message":M}
                                             the namespace refused the connect: fatal
  {"kind":"left","namespace":NS}             the server disconnected the namespace
  {"kind":"warning","message":M}             a malformed packet (dropped), or --insecure
  {"kind":"error","message":M}
  {"kind":"reconnecting","delayMs":N,"attempt":K}
  {"kind":"closed","reason":R,"code":C}      always last; code when known

Exit codes: 0 normal end (max-events, timeout, SIGINT/SIGTERM), 2 bad usage, 3 gave up
(a refused namespace, a fatal handshake response, max reconnects).
)");
}

QString mqttHelp()
{
    return QStringLiteral(R"(Usage: streamscope-cli mqtt URL --topic FILTER... [options]

Connects to the MQTT broker at URL (ws or wss, subprotocol "mqtt"), subscribes to each topic
filter and follows the messages published to them, reconnecting with backoff and subscribing
again. Messages go to stdout, one line each; connection lifecycle goes to stderr. With --json
every record is one JSON object per line on stdout.

Options:
  --topic FILTER              subscribe to this topic filter ('+' one level, '#' the rest);
                              repeatable
  --qos 0|1                   QoS of the subscriptions and the publishes (default 0)
  --publish TOPIC PAYLOAD     publish this message once connected; repeatable, in order. Without
                              --topic the run ends once every message is sent (QoS 1:
                              acknowledged)
  --retain                    publish with the retain flag
  --username U                user name for CONNECT
  --password P                password for CONNECT (MQTT 3.1.1 wants --username with it)
  --client-id ID              client identifier (default: streamscope- and 8 random hex digits)
  --mqtt-version 3.1.1|5      protocol version (default 3.1.1)
  --keep-alive SECONDS        PINGREQ this often and reconnect when no PINGRESP follows within
                              as long (default 60; 0 turns it off)
  -H, --header "Name: value"  extra handshake header; repeatable
  --subprotocol NAME          offer this subprotocol beside "mqtt"; repeatable
  --no-compression            do not offer permessage-deflate
  --json                      one JSON object per line on stdout (NDJSON)
  --max-events N              exit 0 after N messages
  --timeout SECONDS           exit 0 after this long; fractions allowed
  --max-reconnects N          give up (exit 3) after N consecutive failed reconnects
  --initial-delay MS          first reconnect delay (default 1000)
  --max-delay MS              longest reconnect delay (default 30000)
  --ca-file PATH              wss: also trust the PEM certificates in this file
  --insecure                  wss: connect despite certificate errors, each reported as a
                              warning; the server is then not authenticated
  -h, --help                  this help
  --version                   print the version

NDJSON records, each with "kind" and "t" (milliseconds since start):
  {"kind":"connecting","url":U,"attempt":K}
  {"kind":"open","subprotocol":P,"clientId":C,"sessionPresent":S}
                                             the broker accepted CONNECT
  {"kind":"subscribed","filter":F,"qos":Q}
  {"kind":"message","type":TOPIC,"data":D,"binary":B,"qos":Q,"retained":R}
                                             binary (not UTF-8) data in base64; retained: the
                                             broker kept it from before, not live traffic
  {"kind":"sent","type":TOPIC,"data":D,"qos":Q,"retained":R}
  {"kind":"acknowledged","type":TOPIC}       QoS 1: the broker's PUBACK
  {"kind":"rtt","ms":N}                      PINGREQ to PINGRESP
  {"kind":"warning","message":M}
  {"kind":"error","message":M}               refused CONNECT, failed subscription or publish,
                                             protocol errors, connection failures
  {"kind":"reconnecting","delayMs":N,"attempt":K}
  {"kind":"closed","reason":R,"code":C}      always last; R is published, fatal (CONNECT
                                             refused), max-reconnects, max-events, timeout or
                                             interrupted

Exit codes: 0 normal end, 2 bad usage, 3 gave up (CONNECT refused, max reconnects).
)");
}

QString demoHelp()
{
    return QStringLiteral(R"(Usage: streamscope-cli demo [options]

Starts the built-in demo feed on 127.0.0.1 and watches its /metrics and /logs streams until
Ctrl-C. The feed serves:
  /metrics  SSE: host metrics (cpu, memory, network rates) several times a second
  /logs     SSE: a log stream with event types info, warn and error
  /ws       WebSocket: host metrics as JSON text messages
Both SSE streams send ids and resume after Last-Event-ID.

Options:
  --port N    listen on this port (default: any free port)
  --serve     only serve; print the URLs on stderr and wait for Ctrl-C
  --json      one JSON object per line on stdout (NDJSON), as "sse --json" writes them, each
              with "stream" ("metrics" or "logs")
  -h, --help  this help
  --version   print the version

Exit codes: 0 after Ctrl-C (SIGINT/SIGTERM), 2 bad usage, 3 when the port cannot be used.
)");
}

// Parsing fails with one readable line.
struct UsageError
{
    QString message;
};

QString describeParserError(const QCommandLineParser &parser)
{
    const QStringList unknown = parser.unknownOptionNames();
    if (!unknown.isEmpty()) {
        const QString &name = unknown.first();
        return QStringLiteral("unknown option '%1%2'")
            .arg(name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--"), name);
    }
    QString text = parser.errorText();
    if (text.endsWith(QLatin1Char('.'))) {
        text.chop(1);
    }
    if (!text.isEmpty()) {
        text[0] = text[0].toLower();
    }
    return text;
}

qint64 parseInteger(const QCommandLineParser &parser, const QString &option, qint64 min, qint64 max)
{
    const QString text = parser.value(option);
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < min || value > max) {
        const QString range = max == std::numeric_limits<qint64>::max()
            ? QStringLiteral("%1 or more").arg(min)
            : QStringLiteral("%1 to %2").arg(min).arg(max);
        throw UsageError{
            QStringLiteral("--%1 wants a whole number (%2), not '%3'").arg(option, range, text)};
    }
    return value;
}

qint64 parseSeconds(const QCommandLineParser &parser, const QString &option)
{
    const QString text = parser.value(option);
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    // A month is more than any run wants and keeps the milliseconds far from overflow.
    if (!ok || !std::isfinite(seconds) || seconds < 0 || seconds > 31.0 * 24 * 3600) {
        throw UsageError{
            QStringLiteral("--%1 wants a number of seconds, not '%2'").arg(option, text)};
    }
    return qint64(std::ceil(seconds * 1000));
}

HeaderList parseHeaders(const QStringList &values)
{
    HeaderList headers;
    for (const QString &value : values) {
        QPair<QByteArray, QByteArray> header;
        QString error;
        // The rule the dialog and workspaces follow, with the same words.
        if (!parseHeaderLine(value, &header, &error)) {
            throw UsageError{QStringLiteral("header %1").arg(error)};
        }
        headers.append(header);
    }
    return headers;
}

QUrl parseUrl(const QCommandLineParser &parser, const QStringList &schemes)
{
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        throw UsageError{QStringLiteral("missing URL")};
    }
    if (positional.size() > 1) {
        throw UsageError{QStringLiteral("unexpected argument '%1'").arg(positional.at(1))};
    }
    const QUrl url(positional.first(), QUrl::StrictMode);
    if (!url.isValid() || !schemes.contains(url.scheme()) || url.host().isEmpty()) {
        throw UsageError{QStringLiteral("not a %1 URL: '%2'")
                             .arg(schemes.join(QLatin1String(" or ")), positional.first())};
    }
    return url;
}

void addCommonOptions(QCommandLineParser &parser)
{
    parser.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QString()});
    parser.addOption({QStringLiteral("version"), QString()});
}

void addStreamOptions(QCommandLineParser &parser)
{
    addCommonOptions(parser);
    const QString value = QStringLiteral("value");
    parser.addOption({{QStringLiteral("H"), QStringLiteral("header")}, QString(), value});
    parser.addOption({QStringLiteral("json"), QString()});
    parser.addOption({QStringLiteral("insecure"), QString()});
    for (const char *name :
        {"max-events", "timeout", "max-reconnects", "initial-delay", "max-delay", "ca-file"}) {
        parser.addOption({QString::fromLatin1(name), QString(), value});
    }
}

// Which of ws's own options a WebSocket command takes beside the shared ones: socketio has no
// --send (its --emit speaks Socket.IO instead), mqtt neither --send nor --ping-interval
// (PINGREQ is its heartbeat: --keep-alive).
struct WsExtras
{
    bool send = false;
    bool pingInterval = false;
};

// The ws options, less the extras not asked for.
void addWsOptions(QCommandLineParser &parser, WsExtras extras)
{
    addStreamOptions(parser);
    const QString value = QStringLiteral("value");
    parser.addOption({QStringLiteral("subprotocol"), QString(), value});
    if (extras.pingInterval) {
        parser.addOption({QStringLiteral("ping-interval"), QString(), value});
    }
    if (extras.send) {
        parser.addOption({QStringLiteral("send"), QString(), value});
    }
    parser.addOption({QStringLiteral("no-compression"), QString()});
}

// The options every stream command shares: the run's into options, the connection's into
// settings (EventSourceSettings or WebSocketSettings, which name them alike).
template <typename Settings>
void parseStream(const QCommandLineParser &parser, StreamOptions &options, Settings &settings,
    const QStringList &schemes)
{
    settings.url = parseUrl(parser, schemes);
    // As typed, except a password: records and lines go to terminals, logs and files.
    options.urlText = settings.url.password().isEmpty()
        ? parser.positionalArguments().first()
        : settings.url.toString(QUrl::RemovePassword);
    settings.headers = parseHeaders(parser.values(QStringLiteral("header")));
    options.json = parser.isSet(QStringLiteral("json"));
    const qint64 intMax = std::numeric_limits<int>::max();
    if (parser.isSet(QStringLiteral("max-events"))) {
        options.maxEvents = parseInteger(
            parser, QStringLiteral("max-events"), 0, std::numeric_limits<qint64>::max());
    }
    if (parser.isSet(QStringLiteral("timeout"))) {
        options.timeoutMs = parseSeconds(parser, QStringLiteral("timeout"));
    }
    if (parser.isSet(QStringLiteral("max-reconnects"))) {
        settings.maxReconnects
            = int(parseInteger(parser, QStringLiteral("max-reconnects"), 0, intMax));
    }
    if (parser.isSet(QStringLiteral("initial-delay"))) {
        settings.initialDelayMs
            = int(parseInteger(parser, QStringLiteral("initial-delay"), 0, intMax));
    }
    if (parser.isSet(QStringLiteral("max-delay"))) {
        settings.maxDelayMs = int(parseInteger(parser, QStringLiteral("max-delay"), 0, intMax));
    }
    if (settings.maxDelayMs < settings.initialDelayMs) {
        settings.maxDelayMs = settings.initialDelayMs;
    }
    if (parser.isSet(QStringLiteral("ca-file"))) {
        settings.caCertificatesFile = parser.value(QStringLiteral("ca-file"));
        // Said now, as bad usage, rather than as a fatal connection error later.
        const QFileInfo file(settings.caCertificatesFile);
        if (!file.exists()) {
            throw UsageError{QStringLiteral("--ca-file: no file at '%1'").arg(file.filePath())};
        }
        if (!file.isFile() || !file.isReadable()) {
            throw UsageError{
                QStringLiteral("--ca-file: '%1' is not a readable file").arg(file.filePath())};
        }
    }
    settings.ignoreCertificateErrors = parser.isSet(QStringLiteral("insecure"));
}

void parseSse(const QCommandLineParser &parser, SseOptions &options)
{
    EventSourceSettings &source = options.source;
    parseStream(parser, options, source, {QStringLiteral("http"), QStringLiteral("https")});
    source.lastEventId = parser.value(QStringLiteral("last-event-id")).toUtf8();
    if (source.lastEventId.contains('\n') || source.lastEventId.contains('\r')
        || source.lastEventId.contains('\0')) {
        throw UsageError{QStringLiteral("--last-event-id cannot contain line breaks or NUL")};
    }
    if (parser.isSet(QStringLiteral("data"))) {
        source.body = parser.value(QStringLiteral("data")).toUtf8();
        source.method = "POST";
    }
    if (parser.isSet(QStringLiteral("method"))) {
        source.method = parser.value(QStringLiteral("method")).toUtf8();
        if (!http::isToken(source.method)) {
            throw UsageError{QStringLiteral("--method wants an HTTP method, not '%1'")
                                 .arg(parser.value(QStringLiteral("method")))};
        }
    }
    if (parser.isSet(QStringLiteral("idle-timeout"))) {
        source.idleTimeoutMs = int(parseInteger(
            parser, QStringLiteral("idle-timeout"), 0, std::numeric_limits<int>::max()));
    }
    if (parser.isSet(QStringLiteral("http2"))) {
        const QString text = parser.value(QStringLiteral("http2"));
        const std::optional<Http2Mode> mode = parseHttp2Mode(text.toUtf8());
        if (!mode) {
            throw UsageError{
                QStringLiteral("--http2 wants auto, off or prior-knowledge, not '%1'").arg(text)};
        }
        source.http2 = *mode;
    }
    source.oneShot = parser.isSet(QStringLiteral("once"));
}

// sse's own, beside what llm shares with it.
void parseAudit(const QCommandLineParser &parser, SseOptions &options)
{
    if (parser.isSet(QStringLiteral("audit-seq"))) {
        options.auditSequence = parser.value(QStringLiteral("audit-seq")).trimmed();
        if (options.auditSequence.isEmpty()) {
            throw UsageError{QStringLiteral("--audit-seq wants id or a payload field (seq)")};
        }
    }
}

void parseLlm(const QCommandLineParser &parser, LlmOptions &options)
{
    parseSse(parser, options);
    if (!parser.isSet(QStringLiteral("method"))) {
        options.source.method = "POST";
    }
    if (options.source.body.isEmpty() && options.source.method != "GET") {
        throw UsageError{QStringLiteral("llm needs --data BODY: the request, as JSON")};
    }
    const bool typed = std::any_of(
        options.source.headers.cbegin(), options.source.headers.cend(), [](const auto &header) {
            return header.first.compare("Content-Type", Qt::CaseInsensitive) == 0;
        });
    if (!typed && !options.source.body.isEmpty()) {
        options.source.headers.append(
            qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    }
    if (parser.isSet(QStringLiteral("format"))) {
        const QString text = parser.value(QStringLiteral("format"));
        const std::optional<TokenFormat> format = parseTokenFormat(text);
        if (!format) {
            throw UsageError{QStringLiteral("--format wants auto, openai-chat, openai-responses or "
                                            "anthropic, not '%1'")
                                 .arg(text)};
        }
        options.format = *format;
    }
    options.source.oneShot = true;
}

// The ws options, as addWsOptions added them.
void parseWs(const QCommandLineParser &parser, WsOptions &options, const QStringList &schemes,
    WsExtras extras)
{
    WebSocketSettings &socket = options.socket;
    parseStream(parser, options, socket, schemes);
    socket.subprotocols = parser.values(QStringLiteral("subprotocol"));
    for (const QString &name : std::as_const(socket.subprotocols)) {
        if (!http::isToken(name.toUtf8())) {
            throw UsageError{QStringLiteral("--subprotocol wants a token, not '%1'").arg(name)};
        }
    }
    if (extras.send) {
        for (const QString &text : parser.values(QStringLiteral("send"))) {
            socket.onOpenMessages.append(text.toUtf8());
        }
    }
    socket.compression = !parser.isSet(QStringLiteral("no-compression"));
    if (extras.pingInterval && parser.isSet(QStringLiteral("ping-interval"))) {
        socket.pingIntervalMs = int(parseInteger(
            parser, QStringLiteral("ping-interval"), 0, std::numeric_limits<int>::max()));
    }
}

void parseSocketIo(const QCommandLineParser &parser, const QList<SocketIoOptions::Emit> &emits,
    SocketIoOptions &options)
{
    parseWs(parser, options,
        {QStringLiteral("ws"), QStringLiteral("wss"), QStringLiteral("http"),
            QStringLiteral("https")},
        {.pingInterval = true});
    options.namespaces = parser.values(QStringLiteral("namespace"));
    for (const QString &name : std::as_const(options.namespaces)) {
        if (!name.startsWith(QLatin1Char('/')) || name.contains(QLatin1Char(','))) {
            throw UsageError{QStringLiteral("--namespace wants \"/\" or \"/name\" without commas, "
                                            "not '%1'")
                                 .arg(name)};
        }
        if (options.namespaces.count(name) > 1) {
            throw UsageError{QStringLiteral("--namespace '%1' given twice").arg(name)};
        }
    }
    if (parser.isSet(QStringLiteral("auth"))) {
        options.auth = parser.value(QStringLiteral("auth")).toUtf8();
        if (!QJsonDocument::fromJson(options.auth).isObject()) {
            throw UsageError{QStringLiteral("--auth wants a JSON object, not '%1'")
                                 .arg(parser.value(QStringLiteral("auth")))};
        }
    }
    for (const SocketIoOptions::Emit &each : emits) {
        QString problem;
        if (!socketio::eventData(each.event, each.args, &problem)) {
            throw UsageError{
                QStringLiteral("--emit %1: %2").arg(QString::fromUtf8(each.event), problem)};
        }
    }
    options.emits = emits;
}

// --emit takes two values, which QCommandLineParser cannot: taken out before it parses.
QStringList takeEmits(const QStringList &arguments, QList<SocketIoOptions::Emit> *emits)
{
    // The options with a value, whose value may look like an option.
    const QStringList valued{QStringLiteral("-H"), QStringLiteral("--header"),
        QStringLiteral("--namespace"), QStringLiteral("--auth"), QStringLiteral("--subprotocol"),
        QStringLiteral("--max-events"), QStringLiteral("--timeout"),
        QStringLiteral("--max-reconnects"), QStringLiteral("--initial-delay"),
        QStringLiteral("--max-delay"), QStringLiteral("--ping-interval"),
        QStringLiteral("--ca-file")};
    QStringList rest;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == QLatin1String("--")) {
            rest.append(arguments.mid(i));
            break;
        }
        if (argument == QLatin1String("--emit")) {
            if (i + 2 >= arguments.size()) {
                throw UsageError{
                    QStringLiteral("--emit wants an event name and its JSON arguments")};
            }
            emits->append({arguments.at(i + 1).toUtf8(), arguments.at(i + 2).toUtf8()});
            i += 2;
            continue;
        }
        rest.append(argument);
        if (valued.contains(argument) && i + 1 < arguments.size()) {
            rest.append(arguments.at(++i));
        }
    }
    return rest;
}

// QCommandLineParser's options take one value: "--publish TOPIC PAYLOAD" is taken out first.
QList<QPair<QString, QByteArray>> takePublishes(QStringList &arguments)
{
    QList<QPair<QString, QByteArray>> publishes;
    for (qsizetype i = 1; i < arguments.size();) {
        const QString &argument = arguments.at(i);
        if (argument == QLatin1String("--")) {
            break;
        }
        if (argument.startsWith(QLatin1String("--publish="))) {
            throw UsageError{
                QStringLiteral("--publish wants two arguments: --publish TOPIC PAYLOAD")};
        }
        if (argument != QLatin1String("--publish")) {
            ++i;
            continue;
        }
        if (i + 2 >= arguments.size()) {
            throw UsageError{
                QStringLiteral("--publish wants two arguments: --publish TOPIC PAYLOAD")};
        }
        publishes.append({arguments.at(i + 1), arguments.at(i + 2).toUtf8()});
        arguments.remove(i, 3);
    }
    return publishes;
}

void parseMqtt(const QCommandLineParser &parser, MqttOptions &options)
{
    parseWs(parser, options, {QStringLiteral("ws"), QStringLiteral("wss")}, {});
    options.topics = parser.values(QStringLiteral("topic"));
    for (const QString &filter : std::as_const(options.topics)) {
        QString why;
        if (!mqtt::isValidTopicFilter(filter, &why)) {
            throw UsageError{QStringLiteral("--topic: %1").arg(why)};
        }
    }
    for (const auto &[topic, payload] : std::as_const(options.publishes)) {
        QString why;
        if (!mqtt::isValidTopicName(topic, &why)) {
            throw UsageError{QStringLiteral("--publish: %1").arg(why)};
        }
    }
    if (options.topics.isEmpty() && options.publishes.isEmpty()) {
        throw UsageError{QStringLiteral("mqtt wants --topic FILTER or --publish TOPIC PAYLOAD")};
    }
    if (parser.isSet(QStringLiteral("qos"))) {
        options.qos = int(parseInteger(parser, QStringLiteral("qos"), 0, 1));
    }
    if (parser.isSet(QStringLiteral("keep-alive"))) {
        options.keepAliveSeconds
            = int(parseInteger(parser, QStringLiteral("keep-alive"), 0, 65535));
    }
    if (parser.isSet(QStringLiteral("mqtt-version"))) {
        const QString text = parser.value(QStringLiteral("mqtt-version"));
        if (text == QLatin1String("3.1.1")) {
            options.version = mqtt::Version::V311;
        } else if (text == QLatin1String("5") || text == QLatin1String("5.0")) {
            options.version = mqtt::Version::V5;
        } else {
            throw UsageError{QStringLiteral("--mqtt-version wants 3.1.1 or 5, not '%1'").arg(text)};
        }
    }
    if (parser.isSet(QStringLiteral("username"))) {
        options.username = parser.value(QStringLiteral("username"));
    }
    if (parser.isSet(QStringLiteral("password"))) {
        options.password = parser.value(QStringLiteral("password"));
    }
    if (options.password && !options.username && options.version == mqtt::Version::V311) {
        throw UsageError{QStringLiteral("--password wants --username with MQTT 3.1.1")};
    }
    options.clientId = parser.value(QStringLiteral("client-id"));
    options.retain = parser.isSet(QStringLiteral("retain"));
}

void parseDemo(const QCommandLineParser &parser, DemoOptions &options)
{
    if (!parser.positionalArguments().isEmpty()) {
        throw UsageError{
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first())};
    }
    if (parser.isSet(QStringLiteral("port"))) {
        options.port = quint16(parseInteger(parser, QStringLiteral("port"), 0, 65535));
    }
    options.serve = parser.isSet(QStringLiteral("serve"));
    options.json = parser.isSet(QStringLiteral("json"));
}

// A command's options (into parser) and help text; false for an unknown command.
bool setUpCommand(const QString &name, QCommandLineParser *parser, QString *help, Command *command)
{
    if (name == QLatin1String("sse")) {
        *command = Command::Sse;
        *help = sseHelp();
        addStreamOptions(*parser);
        const QString value = QStringLiteral("value");
        for (const char *option :
            {"last-event-id", "method", "data", "idle-timeout", "http2", "audit-seq"}) {
            parser->addOption({QString::fromLatin1(option), QString(), value});
        }
        parser->addOption({QStringLiteral("once"), QString()});
    } else if (name == QLatin1String("ws")) {
        *command = Command::Ws;
        *help = wsHelp();
        addWsOptions(*parser, {.send = true, .pingInterval = true});
    } else if (name == QLatin1String("socketio")) {
        *command = Command::SocketIo;
        *help = socketIoHelp();
        addWsOptions(*parser, {.pingInterval = true});
        for (const char *option : {"namespace", "auth"}) {
            parser->addOption({QString::fromLatin1(option), QString(), QStringLiteral("value")});
        }
    } else if (name == QLatin1String("mqtt")) {
        *command = Command::Mqtt;
        *help = mqttHelp();
        addWsOptions(*parser, {});
        const QString value = QStringLiteral("value");
        for (const char *option :
            {"topic", "qos", "username", "password", "client-id", "mqtt-version", "keep-alive"}) {
            parser->addOption({QString::fromLatin1(option), QString(), value});
        }
        parser->addOption({QStringLiteral("retain"), QString()});
    } else if (name == QLatin1String("llm")) {
        *command = Command::Llm;
        *help = llmHelp();
        addStreamOptions(*parser);
        const QString value = QStringLiteral("value");
        // last-event-id and once as sse reads them: an answer has no ids and is always once.
        for (const char *option :
            {"method", "data", "idle-timeout", "http2", "format", "last-event-id"}) {
            parser->addOption({QString::fromLatin1(option), QString(), value});
        }
        parser->addOption({QStringLiteral("once"), QString()});
    } else if (name == QLatin1String("demo")) {
        *command = Command::Demo;
        *help = demoHelp();
        addCommonOptions(*parser);
        parser->addOption({QStringLiteral("port"), QString(), QStringLiteral("value")});
        parser->addOption({QStringLiteral("serve"), QString()});
        parser->addOption({QStringLiteral("json"), QString()});
    } else {
        return false;
    }
    return true;
}

} // namespace

ParsedCommandLine parseCommandLine(const QStringList &arguments)
{
    using Outcome = ParsedCommandLine::Outcome;
    ParsedCommandLine result;
    result.helpHint = QStringLiteral("try '%1 --help'").arg(s_program);

    QCommandLineParser top;
    addCommonOptions(top);
    top.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    if (!top.parse(arguments)) {
        result.error = describeParserError(top);
        return result;
    }
    const QStringList rest = top.positionalArguments();
    if (rest.isEmpty() || rest.first() == QLatin1String("help")) {
        if (top.isSet(QStringLiteral("version"))) {
            result.outcome = Outcome::Version;
            return result;
        }
        if (top.isSet(QStringLiteral("help")) || !rest.isEmpty()) {
            result.outcome = Outcome::Help;
            result.text = topHelp();
            return result;
        }
        result.error = QStringLiteral("missing command (sse, ws, socketio, mqtt, llm or demo)");
        return result;
    }

    const QString name = rest.first();
    QCommandLineParser parser;
    QString help;
    if (!setUpCommand(name, &parser, &help, &result.command)) {
        result.error = QStringLiteral("unknown command '%1' (sse, ws, socketio, mqtt, llm or demo)")
                           .arg(name);
        return result;
    }
    result.helpHint = QStringLiteral("try '%1 %2 --help'").arg(s_program, name);

    QStringList commandArguments = rest;
    commandArguments.first() = s_program + QLatin1Char(' ') + name;
    QList<SocketIoOptions::Emit> emits;
    if (result.command == Command::SocketIo) {
        try {
            commandArguments = takeEmits(commandArguments, &emits);
        } catch (const UsageError &error) {
            result.error = error.message;
            return result;
        }
    }
    if (result.command == Command::Mqtt) {
        try {
            result.mqtt.publishes = takePublishes(commandArguments);
        } catch (const UsageError &error) {
            result.error = error.message;
            return result;
        }
    }
    if (!parser.parse(commandArguments)) {
        result.error = describeParserError(parser);
        return result;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        result.outcome = Outcome::Help;
        result.text = help;
        return result;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        result.outcome = Outcome::Version;
        return result;
    }
    try {
        switch (result.command) {
        case Command::Sse:
            parseSse(parser, result.sse);
            parseAudit(parser, result.sse);
            break;
        case Command::Ws:
            parseWs(parser, result.ws, {QStringLiteral("ws"), QStringLiteral("wss")},
                {.send = true, .pingInterval = true});
            break;
        case Command::SocketIo:
            parseSocketIo(parser, emits, result.socketIo);
            break;
        case Command::Mqtt:
            parseMqtt(parser, result.mqtt);
            break;
        case Command::Llm:
            parseLlm(parser, result.llm);
            break;
        case Command::Demo:
            parseDemo(parser, result.demo);
            break;
        }
    } catch (const UsageError &error) {
        result.error = error.message;
        return result;
    }
    result.outcome = Outcome::Run;
    return result;
}

QStringList commandOptionNames(const QString &command, QString *help)
{
    QCommandLineParser parser;
    QString text;
    Command kind = Command::Sse;
    QStringList names;
    if (!setUpCommand(command, &parser, &text, &kind)) {
        return names;
    }
    // Qt 6.4 lists a parser's options only in its own help text: "  -H, --header <value>".
    static const QRegularExpression optionName(
        QStringLiteral("(?:^\\s+|, )--?([A-Za-z0-9][A-Za-z0-9-]*)"),
        QRegularExpression::MultilineOption);
    for (const QRegularExpressionMatch &match : optionName.globalMatch(parser.helpText())) {
        names.append(match.captured(1));
    }
    if (help) {
        *help = text;
    }
    return names;
}

} // namespace streamscope
