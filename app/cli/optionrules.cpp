// SPDX-License-Identifier: GPL-3.0-or-later
#include "optionrules.h"

#include "httpheaders.h"
#include "streamconfig.h"

#include <cmath>

namespace streamscope::cli {

OptionEntry option(const QString &name, const QString &valueName, const QString &text)
{
    if (valueName.isEmpty()) {
        return {{QCommandLineOption(name)}, QStringLiteral("--") + name, text};
    }
    return {{QCommandLineOption(name, QString(), QStringLiteral("value"))},
        QStringLiteral("--%1 %2").arg(name, valueName), text};
}

OptionEntry takenOutOption(const QString &syntax, const QString &text)
{
    return {{}, syntax, text};
}

void addOptions(QCommandLineParser &parser, const QList<OptionEntry> &entries)
{
    for (const OptionEntry &entry : entries) {
        for (const QCommandLineOption &each : entry.options) {
            parser.addOption(each);
        }
    }
}

QString helpText(const CommandSpec &spec)
{
    QString text = spec.synopsis + QStringLiteral("Options:\n");
    const QString indent(spec.column, QLatin1Char(' '));
    for (const OptionEntry &entry : spec.options) {
        QStringList syntax = entry.syntax.split(QLatin1Char('\n'));
        const QString last = syntax.takeLast();
        for (const QString &line : std::as_const(syntax)) {
            text += QStringLiteral("  ") + line + QLatin1Char('\n');
        }
        text += (QStringLiteral("  ") + last).leftJustified(spec.column, QLatin1Char(' '));
        text += entry.text.split(QLatin1Char('\n')).join(QLatin1Char('\n') + indent);
        text += QLatin1Char('\n');
    }
    return text + QLatin1Char('\n') + spec.records;
}

QStringList optionNames(const QList<OptionEntry> &entries)
{
    QStringList names;
    for (const OptionEntry &entry : entries) {
        for (const QCommandLineOption &each : entry.options) {
            names += each.names();
        }
    }
    return names;
}

QStringList valuedOptionArguments(const QList<OptionEntry> &entries)
{
    QStringList arguments;
    for (const OptionEntry &entry : entries) {
        for (const QCommandLineOption &each : entry.options) {
            if (each.valueName().isEmpty()) {
                continue;
            }
            for (const QString &name : each.names()) {
                arguments.append(
                    (name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name);
            }
        }
    }
    return arguments;
}

namespace shared {

OptionEntry header(const QString &text)
{
    return {{QCommandLineOption(QStringList{QStringLiteral("H"), QStringLiteral("header")},
                QString(), QStringLiteral("value"))},
        QStringLiteral("-H, --header \"Name: value\""), text};
}

OptionEntry json()
{
    return option(QStringLiteral("json"), QString(),
        QStringLiteral("one JSON object per line on stdout (NDJSON)"));
}

OptionEntry maxEvents(const QString &what)
{
    return option(QStringLiteral("max-events"), QStringLiteral("N"),
        QStringLiteral("exit 0 after N ") + what);
}

OptionEntry timeout(const QString &text)
{
    return option(QStringLiteral("timeout"), QStringLiteral("SECONDS"), text);
}

OptionEntry maxReconnects()
{
    return option(QStringLiteral("max-reconnects"), QStringLiteral("N"),
        QStringLiteral("give up (exit 3) after N consecutive failed reconnects"));
}

OptionEntry initialDelay(const QString &note)
{
    return option(QStringLiteral("initial-delay"), QStringLiteral("MS"),
        QStringLiteral("first reconnect delay (default 1000%1)").arg(note));
}

OptionEntry maxDelay()
{
    return option(QStringLiteral("max-delay"), QStringLiteral("MS"),
        QStringLiteral("longest reconnect delay (default 30000)"));
}

OptionEntry caFile(const QString &scheme, bool explained)
{
    return option(QStringLiteral("ca-file"), QStringLiteral("PATH"),
        scheme + QStringLiteral(": also trust the PEM certificates in this file")
            + (explained ? QStringLiteral(" (a private CA\nor a self-signed server)") : QString()));
}

OptionEntry insecure(const QString &scheme, bool explained)
{
    return option(QStringLiteral("insecure"), QString(),
        scheme + QStringLiteral(": connect despite certificate errors")
            + (explained ? QStringLiteral(
                   ", each reported as a\nwarning; the server is then not authenticated")
                         : QString()));
}

OptionEntry subprotocol(const QString &text)
{
    return option(QStringLiteral("subprotocol"), QStringLiteral("NAME"), text);
}

OptionEntry noCompression(const QString &text)
{
    return option(QStringLiteral("no-compression"), QString(), text);
}

OptionEntry pingInterval(const QString &text)
{
    return option(QStringLiteral("ping-interval"), QStringLiteral("MS"), text);
}

QList<OptionEntry> helpAndVersion()
{
    return {{{QCommandLineOption(QStringList{QStringLiteral("h"), QStringLiteral("help")})},
                QStringLiteral("-h, --help"), QStringLiteral("this help")},
        option(QStringLiteral("version"), QString(), QStringLiteral("print the version"))};
}

} // namespace shared

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

void checkReadableFile(const QString &option, const QString &path)
{
    // Said now, as bad usage, rather than as a fatal connection error later.
    const QFileInfo file(path);
    if (!file.exists()) {
        throw UsageError{QStringLiteral("--%1: no file at '%2'").arg(option, file.filePath())};
    }
    if (!file.isFile() || !file.isReadable()) {
        throw UsageError{
            QStringLiteral("--%1: '%2' is not a readable file").arg(option, file.filePath())};
    }
}

} // namespace streamscope::cli
