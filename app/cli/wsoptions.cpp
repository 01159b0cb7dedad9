// SPDX-License-Identifier: GPL-3.0-or-later
// The options of the WebSocket commands: `ws`, `socketio` and `mqtt`.
#include "optionrules.h"

#include "httptoken.h"
#include "socketiocodec.h"

#include <QJsonDocument>

namespace streamscope::cli {

namespace {

// Which of ws's own options a WebSocket command takes beside the shared ones: socketio has no
// --send (its --emit speaks Socket.IO instead), mqtt neither --send nor --ping-interval
// (PINGREQ is its heartbeat: --keep-alive).
struct WsExtras
{
    bool send = false;
    bool pingInterval = false;
};

// The ws options, those of extras too.
void parseWebSocket(const QCommandLineParser &parser, WsOptions &options,
    const QStringList &schemes, WsExtras extras)
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

// After the command's own options: the connection's, then what every WebSocket command offers.
QList<OptionEntry> connectionOptions(const QString &header, const QString &subprotocol,
    const QString &compression, const QList<OptionEntry> &beforeJson, const QString &what)
{
    using namespace shared;
    QList<OptionEntry> options{
        shared::header(header), shared::subprotocol(subprotocol), noCompression(compression)};
    options += beforeJson;
    options += {json(), maxEvents(what), timeout(), maxReconnects(), initialDelay(), maxDelay()};
    return options;
}

} // namespace

CommandSpec wsSpec()
{
    using namespace shared;
    QList<OptionEntry> options
        = connectionOptions(QStringLiteral("extra handshake header; repeatable"),
            QStringLiteral("offer this subprotocol; repeatable"),
            QStringLiteral("do not offer permessage-deflate (offered by default; the open\n"
                           "line and record say when the server agreed)"),
            {option(QStringLiteral("send"), QStringLiteral("TEXT"),
                QStringLiteral("send this text message after every open; repeatable, in order"))},
            QStringLiteral("messages"));
    options += {pingInterval(
                    QStringLiteral("ping this often, report the round trip, and reconnect when no\n"
                                   "pong comes back within it (default 15000; 0 turns it off)")),
        caFile(QStringLiteral("wss"), true), insecure(QStringLiteral("wss"), true)};
    options += helpAndVersion();
    return {Command::Ws, QStringLiteral(R"(Usage: streamscope-cli ws URL [options]

Follows the WebSocket at URL (ws or wss), reconnecting with backoff. Messages go to stdout, one
line each; connection lifecycle goes to stderr. With --json every record is one JSON object
per line on stdout.

)"),
        options,
        QStringLiteral(R"(NDJSON records, each with "kind" and "t" (milliseconds since start):
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
)")};
}

CommandSpec socketIoSpec()
{
    using namespace shared;
    QList<OptionEntry> options{
        option(QStringLiteral("namespace"), QStringLiteral("NS"),
            QStringLiteral("join this namespace (\"/\" or \"/name\"); repeatable; default \"/\"")),
        option(QStringLiteral("auth"), QStringLiteral("JSON"),
            QStringLiteral("the auth object sent with every namespace's connect")),
        takenOutOption(QStringLiteral("--emit EVENT JSON"),
            QStringLiteral("emit EVENT with the arguments JSON (an array of arguments or one\n"
                           "value) on the first namespace after every join, asking for an\n"
                           "ack; repeatable, in order")),
    };
    options += connectionOptions(QStringLiteral("extra handshake header; repeatable"),
        QStringLiteral("offer this WebSocket subprotocol; repeatable"),
        QStringLiteral("do not offer permessage-deflate"), {}, QStringLiteral("events"));
    options += {pingInterval(QStringLiteral(
                    "WebSocket pings as for ws (default 15000; 0 turns them off); the\n"
                    "server's Engine.IO pings are answered and watched either way: none\n"
                    "within its pingInterval + pingTimeout means a dead link")),
        caFile(QStringLiteral("wss"), false), insecure(QStringLiteral("wss"), true)};
    options += helpAndVersion();
    return {Command::SocketIo, QStringLiteral(R"(Usage: streamscope-cli socketio URL [options]

Follows a Socket.IO v4 server (Engine.IO 4, WebSocket transport only) at URL: ws, wss, http or
https, with or without the server's path (default /socket.io/); a query you add is kept.
Answers the server's pings, reconnects with backoff and joins every namespace again. Events go
to stdout, one line each; connection lifecycle goes to stderr. With --json every record is one
JSON object per line on stdout.

)"),
        options,
        QStringLiteral(R"(NDJSON records, each with "kind" and "t" (milliseconds since start):
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
)")};
}

CommandSpec mqttSpec()
{
    using namespace shared;
    QList<OptionEntry> options{
        option(QStringLiteral("topic"), QStringLiteral("FILTER"),
            QStringLiteral(
                "subscribe to this topic filter ('+' one level, '#' the rest);\nrepeatable")),
        option(QStringLiteral("qos"), QStringLiteral("0|1"),
            QStringLiteral("QoS of the subscriptions and the publishes (default 0)")),
        takenOutOption(QStringLiteral("--publish TOPIC PAYLOAD"),
            QStringLiteral("publish this message once connected; repeatable, in order. Without\n"
                           "--topic the run ends once every message is sent (QoS 1:\n"
                           "acknowledged)")),
        option(QStringLiteral("retain"), QString(), QStringLiteral("publish with the retain flag")),
        option(QStringLiteral("username"), QStringLiteral("U"),
            QStringLiteral("user name for CONNECT")),
        option(QStringLiteral("password"), QStringLiteral("P"),
            QStringLiteral("password for CONNECT (MQTT 3.1.1 wants --username with it)")),
        option(QStringLiteral("client-id"), QStringLiteral("ID"),
            QStringLiteral("client identifier (default: streamscope- and 8 random hex digits)")),
        option(QStringLiteral("mqtt-version"), QStringLiteral("3.1.1|5"),
            QStringLiteral("protocol version (default 3.1.1)")),
        option(QStringLiteral("keep-alive"), QStringLiteral("SECONDS"),
            QStringLiteral("PINGREQ this often and reconnect when no PINGRESP follows within\n"
                           "as long (default 60; 0 turns it off)")),
    };
    options += connectionOptions(QStringLiteral("extra handshake header; repeatable"),
        QStringLiteral("offer this subprotocol beside \"mqtt\"; repeatable"),
        QStringLiteral("do not offer permessage-deflate"), {}, QStringLiteral("messages"));
    options += {caFile(QStringLiteral("wss"), false), insecure(QStringLiteral("wss"), true)};
    options += helpAndVersion();
    return {Command::Mqtt,
        QStringLiteral(R"(Usage: streamscope-cli mqtt URL --topic FILTER... [options]

Connects to the MQTT broker at URL (ws or wss, subprotocol "mqtt"), subscribes to each topic
filter and follows the messages published to them, reconnecting with backoff and subscribing
again. Messages go to stdout, one line each; connection lifecycle goes to stderr. With --json
every record is one JSON object per line on stdout.

)"),
        options,
        QStringLiteral(R"(NDJSON records, each with "kind" and "t" (milliseconds since start):
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
)")};
}

void parseWs(const QCommandLineParser &parser, WsOptions &options)
{
    parseWebSocket(parser, options, {QStringLiteral("ws"), QStringLiteral("wss")},
        {.send = true, .pingInterval = true});
}

void parseSocketIo(const QCommandLineParser &parser, const QList<SocketIoOptions::Emit> &emits,
    SocketIoOptions &options)
{
    parseWebSocket(parser, options,
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

QStringList takeEmits(const QStringList &arguments, QList<SocketIoOptions::Emit> *emits)
{
    // The options with a value, whose value may look like an option.
    const QStringList valued = valuedOptionArguments(socketIoSpec().options);
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
    parseWebSocket(parser, options, {QStringLiteral("ws"), QStringLiteral("wss")}, {});
    MqttSettings &session = options.session;
    const QStringList topics = parser.values(QStringLiteral("topic"));
    for (const QString &filter : topics) {
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
    if (topics.isEmpty() && options.publishes.isEmpty()) {
        throw UsageError{QStringLiteral("mqtt wants --topic FILTER or --publish TOPIC PAYLOAD")};
    }
    if (parser.isSet(QStringLiteral("qos"))) {
        options.qos = int(parseInteger(parser, QStringLiteral("qos"), 0, 1));
    }
    for (const QString &filter : topics) {
        session.subscriptions.append({filter, options.qos});
    }
    if (parser.isSet(QStringLiteral("keep-alive"))) {
        session.keepAliveSeconds
            = int(parseInteger(parser, QStringLiteral("keep-alive"), 0, 65535));
    }
    if (parser.isSet(QStringLiteral("mqtt-version"))) {
        const QString text = parser.value(QStringLiteral("mqtt-version"));
        if (text == QLatin1String("3.1.1")) {
            session.version = mqtt::Version::V311;
        } else if (text == QLatin1String("5") || text == QLatin1String("5.0")) {
            session.version = mqtt::Version::V5;
        } else {
            throw UsageError{QStringLiteral("--mqtt-version wants 3.1.1 or 5, not '%1'").arg(text)};
        }
    }
    if (parser.isSet(QStringLiteral("username"))) {
        session.username = parser.value(QStringLiteral("username"));
    }
    if (parser.isSet(QStringLiteral("password"))) {
        session.password = parser.value(QStringLiteral("password")).toUtf8();
    }
    if (session.password && !session.username && session.version == mqtt::Version::V311) {
        throw UsageError{QStringLiteral("--password wants --username with MQTT 3.1.1")};
    }
    session.clientId = parser.value(QStringLiteral("client-id"));
    options.retain = parser.isSet(QStringLiteral("retain"));
}

} // namespace streamscope::cli
