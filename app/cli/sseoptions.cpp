// SPDX-License-Identifier: GPL-3.0-or-later
// The options of `sse` and `llm`, which asks for one answer over SSE.
#include "optionrules.h"

#include "httptoken.h"

namespace streamscope::cli {

namespace {

// What sse and llm both read: the request.
void parseRequest(const QCommandLineParser &parser, SseOptions &options)
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

} // namespace

CommandSpec sseSpec()
{
    using namespace shared;
    QList<OptionEntry> options{
        header(QStringLiteral("extra request header; repeatable")),
        option(QStringLiteral("last-event-id"), QStringLiteral("ID"),
            QStringLiteral(
                "Last-Event-ID for the first request (held until the server sends\nan id)")),
        option(QStringLiteral("method"), QStringLiteral("METHOD"),
            QStringLiteral("request method (default GET; POST when --data is given)")),
        option(QStringLiteral("data"), QStringLiteral("BODY"),
            QStringLiteral("request body; alone, it means POST")),
        option(QStringLiteral("once"), QString(),
            QStringLiteral("one request, one answer: the end of the response ends the run\n"
                           "(exit 0), a failure ends it (exit 3); never reconnects")),
        json(),
        maxEvents(QStringLiteral("events")),
        timeout(),
        maxReconnects(),
        initialDelay(QStringLiteral("; the server's retry overrides")),
        maxDelay(),
        option(QStringLiteral("idle-timeout"), QStringLiteral("MS"),
            QStringLiteral(
                "no bytes for this long means a dead link: reconnect (default 0,\noff)")),
        option(QStringLiteral("audit-seq"), QStringLiteral("FIELD|id"),
            QStringLiteral("audit resumes: whether reconnects lose, repeat or reorder events,\n"
                           "by the event id (id) or a payload field's number (seq, meta.seq)")),
        option(QStringLiteral("http2"), QStringLiteral("MODE"),
            QStringLiteral("auto (default): HTTP/2 when TLS negotiates it, HTTP/1.1 on\n"
                           "http://; off: HTTP/1.1 only (a proxy or server that mishandles\n"
                           "HTTP/2); prior-knowledge: HTTP/2 from the first byte, without\n"
                           "asking (h2c on http://, for a server known to speak it)")),
        caFile(QStringLiteral("https"), true),
        insecure(QStringLiteral("https"), true),
    };
    options += helpAndVersion();
    return {Command::Sse, QStringLiteral(R"(Usage: streamscope-cli sse URL [options]

Follows the Server-Sent Events stream at URL (http or https), reconnecting with backoff and
resuming with Last-Event-ID. Events go to stdout, one line each; connection lifecycle goes to
stderr. With --json every record is one JSON object per line on stdout.

)"),
        options,
        QStringLiteral(R"(NDJSON records, each with "kind" and "t" (milliseconds since start):
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
)")};
}

CommandSpec llmSpec()
{
    using namespace shared;
    const QString value = QStringLiteral("value");
    // As sse reads them: an answer has no ids, is asked for once and never reconnects.
    const OptionEntry asSse{
        {QCommandLineOption(QStringLiteral("once")),
            QCommandLineOption(QStringLiteral("last-event-id"), QString(), value),
            QCommandLineOption(QStringLiteral("max-events"), QString(), value),
            QCommandLineOption(QStringLiteral("max-reconnects"), QString(), value),
            QCommandLineOption(QStringLiteral("initial-delay"), QString(), value),
            QCommandLineOption(QStringLiteral("max-delay"), QString(), value)},
        QStringLiteral("--once, --last-event-id ID, --max-events N, --max-reconnects N, "
                       "--initial-delay MS,\n--max-delay MS"),
        QStringLiteral("taken as sse takes them, to no effect: an answer is asked for\n"
                       "once, has no ids and never reconnects")};
    QList<OptionEntry> options{
        option(QStringLiteral("data"), QStringLiteral("BODY"),
            QStringLiteral("the request body (JSON); required unless --method says GET")),
        header(QStringLiteral("extra request header (Authorization, x-api-key, ...); repeatable.\n"
                              "Content-Type: application/json unless given")),
        option(QStringLiteral("format"), QStringLiteral("FORMAT"),
            QStringLiteral("auto (default: detected from the first events), openai-chat,\n"
                           "openai-responses or anthropic")),
        option(QStringLiteral("method"), QStringLiteral("METHOD"),
            QStringLiteral("request method (default POST)")),
        json(),
        timeout(QStringLiteral("give up after this long (exit 3); fractions allowed")),
        option(QStringLiteral("idle-timeout"), QStringLiteral("MS"),
            QStringLiteral("no bytes for this long fails the answer (default 0, off)")),
        option(QStringLiteral("http2"), QStringLiteral("MODE"),
            QStringLiteral("auto (default), off or prior-knowledge (see sse --help)")),
        caFile(QStringLiteral("https"), false),
        insecure(QStringLiteral("https"), false),
        asSse,
    };
    options += helpAndVersion();
    return {Command::Llm, QStringLiteral(R"(Usage: streamscope-cli llm URL --data BODY [options]

Sends one request to an LLM answer stream (OpenAI Chat Completions, OpenAI Responses or
Anthropic Messages, over SSE) and follows the answer: its text goes to stdout as it arrives,
thinking and tool calls to stderr, and the figures (time to first token, tokens/s, gaps, stop
reason, usage) to stderr at the end. Never sends the request again by itself.

)"),
        options,
        QStringLiteral(R"(NDJSON records, each with "kind" and "t" (milliseconds since start):
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
)")};
}

void parseSse(const QCommandLineParser &parser, SseOptions &options)
{
    parseRequest(parser, options);
    if (parser.isSet(QStringLiteral("audit-seq"))) {
        options.auditSequence = parser.value(QStringLiteral("audit-seq")).trimmed();
        if (options.auditSequence.isEmpty()) {
            throw UsageError{QStringLiteral("--audit-seq wants id or a payload field (seq)")};
        }
    }
}

void parseLlm(const QCommandLineParser &parser, LlmOptions &options)
{
    parseRequest(parser, options);
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

} // namespace streamscope::cli
