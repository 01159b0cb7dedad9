// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "options.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QList>
#include <QString>
#include <QStringList>

#include <limits>

namespace streamscope::cli {

// Parsing fails with one readable line.
struct UsageError
{
    QString message;
};

// One entry of a command's options: what the parser takes and what the help says of it, from one
// place, so that the help lists exactly what is parsed.
struct OptionEntry
{
    QList<QCommandLineOption> options; // none: taken out before the parser (two values)
    QString syntax; // as the help shows it: -H, --header "Name: value"; "\n" breaks it
    QString text; // "\n" goes on under the first line
};

// A command as the parser and its help know it.
struct CommandSpec
{
    Command command;
    QString synopsis; // the help before "Options:"
    QList<OptionEntry> options;
    QString records; // the help after the options: records, exit codes
    int column = 30; // where the options' texts start
};

// --NAME, or --NAME VALUE when valueName is set.
OptionEntry option(const QString &name, const QString &valueName, const QString &text);
// An option of two values, which QCommandLineParser cannot take: the command takes it out of the
// arguments before the parser sees them; the help lists it all the same.
OptionEntry takenOutOption(const QString &syntax, const QString &text);
void addOptions(QCommandLineParser &parser, const QList<OptionEntry> &entries);
// The help: synopsis, the options in two columns, records.
QString helpText(const CommandSpec &spec);
// Every name the parser takes, long and short.
QStringList optionNames(const QList<OptionEntry> &entries);
// Those that take a value, as typed: "-H", "--header".
QStringList valuedOptionArguments(const QList<OptionEntry> &entries);

// The entries the commands share; what differs between commands is a parameter.
namespace shared {
OptionEntry header(const QString &text);
OptionEntry json();
OptionEntry maxEvents(const QString &what); // "events", "messages"
OptionEntry timeout(
    const QString &text = QStringLiteral("exit 0 after this long; fractions allowed"));
OptionEntry maxReconnects();
OptionEntry initialDelay(const QString &note = QString()); // after "default 1000"
OptionEntry maxDelay();
// scheme is https or wss; the long text says why one would.
OptionEntry caFile(const QString &scheme, bool explained);
OptionEntry insecure(const QString &scheme, bool explained);
OptionEntry subprotocol(const QString &text);
OptionEntry noCompression(const QString &text);
OptionEntry pingInterval(const QString &text);
// -h, --help and --version, which every command takes.
QList<OptionEntry> helpAndVersion();
} // namespace shared

// The readers of values; each throws UsageError naming the option.
QString describeParserError(const QCommandLineParser &parser);
qint64 parseInteger(
    const QCommandLineParser &parser, const QString &option, qint64 min, qint64 max);
qint64 parseSeconds(const QCommandLineParser &parser, const QString &option);
HeaderList parseHeaders(const QStringList &values);
QUrl parseUrl(const QCommandLineParser &parser, const QStringList &schemes);
void checkReadableFile(const QString &option, const QString &path);

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
        checkReadableFile(QStringLiteral("ca-file"), settings.caCertificatesFile);
    }
    settings.ignoreCertificateErrors = parser.isSet(QStringLiteral("insecure"));
}

// The commands, each in its own file: its spec, and what it reads from a parser set up with it.
CommandSpec sseSpec();
CommandSpec llmSpec();
CommandSpec wsSpec();
CommandSpec socketIoSpec();
CommandSpec mqttSpec();
void parseSse(const QCommandLineParser &parser, SseOptions &options);
void parseLlm(const QCommandLineParser &parser, LlmOptions &options);
void parseWs(const QCommandLineParser &parser, WsOptions &options);
// emits were taken out of the arguments before the parser saw them (takeEmits).
void parseSocketIo(const QCommandLineParser &parser, const QList<SocketIoOptions::Emit> &emits,
    SocketIoOptions &options);
void parseMqtt(const QCommandLineParser &parser, MqttOptions &options);
// --emit EVENT JSON takes two values, which QCommandLineParser cannot: taken out first.
QStringList takeEmits(const QStringList &arguments, QList<SocketIoOptions::Emit> *emits);
// --publish TOPIC PAYLOAD likewise.
QList<QPair<QString, QByteArray>> takePublishes(QStringList &arguments);

} // namespace streamscope::cli
