// SPDX-License-Identifier: GPL-3.0-or-later
#include "options.h"

#include "optionrules.h"

#include <optional>

namespace streamscope {

using namespace cli;

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

CommandSpec demoSpec()
{
    QList<OptionEntry> options{
        option(QStringLiteral("port"), QStringLiteral("N"),
            QStringLiteral("listen on this port (default: any free port)")),
        option(QStringLiteral("serve"), QString(),
            QStringLiteral("only serve; print the URLs on stderr and wait for Ctrl-C")),
        option(QStringLiteral("json"), QString(),
            QStringLiteral(
                "one JSON object per line on stdout (NDJSON), as \"sse --json\" writes them, each\n"
                "with \"stream\" (\"metrics\" or \"logs\")")),
    };
    options += shared::helpAndVersion();
    return {Command::Demo, QStringLiteral(R"(Usage: streamscope-cli demo [options]

Starts the built-in demo feed on 127.0.0.1 and watches its /metrics and /logs streams until
Ctrl-C. The feed serves:
  /metrics  SSE: host metrics (cpu, memory, network rates) several times a second
  /logs     SSE: a log stream with event types info, warn and error
  /ws       WebSocket: host metrics as JSON text messages
Both SSE streams send ids and resume after Last-Event-ID.

)"),
        options,
        QStringLiteral(
            R"(Exit codes: 0 after Ctrl-C (SIGINT/SIGTERM), 2 bad usage, 3 when the port cannot be used.
)"),
        14};
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

std::optional<CommandSpec> commandSpec(const QString &name)
{
    static const std::pair<QLatin1String, CommandSpec (*)()> s_commands[] = {
        {QLatin1String("sse"), sseSpec},
        {QLatin1String("ws"), wsSpec},
        {QLatin1String("socketio"), socketIoSpec},
        {QLatin1String("mqtt"), mqttSpec},
        {QLatin1String("llm"), llmSpec},
        {QLatin1String("demo"), demoSpec},
    };
    for (const auto &[command, spec] : s_commands) {
        if (name == command) {
            return spec();
        }
    }
    return std::nullopt;
}

} // namespace

ParsedCommandLine parseCommandLine(const QStringList &arguments)
{
    using Outcome = ParsedCommandLine::Outcome;
    ParsedCommandLine result;
    result.helpHint = QStringLiteral("try '%1 --help'").arg(s_program);

    QCommandLineParser top;
    addOptions(top, shared::helpAndVersion());
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
    const std::optional<CommandSpec> spec = commandSpec(name);
    if (!spec) {
        result.error = QStringLiteral("unknown command '%1' (sse, ws, socketio, mqtt, llm or demo)")
                           .arg(name);
        return result;
    }
    result.command = spec->command;
    result.helpHint = QStringLiteral("try '%1 %2 --help'").arg(s_program, name);
    QCommandLineParser parser;
    addOptions(parser, spec->options);

    QStringList commandArguments = rest;
    commandArguments.first() = s_program + QLatin1Char(' ') + name;
    QList<SocketIoOptions::Emit> emits;
    try {
        if (result.command == Command::SocketIo) {
            commandArguments = takeEmits(commandArguments, &emits);
        }
        if (result.command == Command::Mqtt) {
            result.mqtt.publishes = takePublishes(commandArguments);
        }
    } catch (const UsageError &error) {
        result.error = error.message;
        return result;
    }
    if (!parser.parse(commandArguments)) {
        result.error = describeParserError(parser);
        return result;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        result.outcome = Outcome::Help;
        result.text = helpText(*spec);
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
            break;
        case Command::Ws:
            parseWs(parser, result.ws);
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
    const std::optional<CommandSpec> spec = commandSpec(command);
    if (!spec) {
        return {};
    }
    if (help) {
        *help = helpText(*spec);
    }
    return optionNames(spec->options);
}

} // namespace streamscope
