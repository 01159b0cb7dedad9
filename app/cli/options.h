// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "eventsource.h"
#include "mqttclient.h"
#include "mqttcodec.h"
#include "tokenstream.h"
#include "websocketclient.h"

#include <QByteArrayList>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace streamscope {

// Options shared by the stream commands; -1 means "no limit" for every count and duration.
// What the connection is opened with is parsed straight into each command's settings.
struct StreamOptions
{
    QString urlText; // as given (less any password), for records
    bool json = false;
    qint64 maxEvents = -1;
    qint64 timeoutMs = -1;
};

struct SseOptions : StreamOptions
{
    EventSourceSettings source; // --once is oneShot
    QString auditSequence; // --audit-seq: "id" or a payload field; empty: no resume audit
};

struct WsOptions : StreamOptions
{
    WebSocketSettings socket; // --send is onOpenMessages; --no-compression clears compression
};

// `socketio`: the ws options (less --send), and what Socket.IO adds.
struct SocketIoOptions : WsOptions
{
    struct Emit
    {
        QByteArray event;
        QByteArray args; // JSON: an array of arguments or one value
    };

    QStringList namespaces; // joined in order; empty: "/"
    QByteArray auth; // a JSON object sent with every namespace's CONNECT; empty: none
    QList<Emit> emits; // on the first namespace, after every join, each asking for an ack
};

// `mqtt`: the ws options (less --send and --ping-interval: PINGREQ is its heartbeat), and the
// session's.
struct MqttOptions : WsOptions
{
    MqttSettings session; // the --topic subscriptions, checked; its webSocket is the socket's
    int qos = 0; // of the subscriptions and the publishes
    QList<QPair<QString, QByteArray>> publishes; // --publish TOPIC PAYLOAD, in order
    bool retain = false; // of the publishes
};

// `llm`: one request to an LLM answer stream (SSE), decoded in its format.
struct LlmOptions : SseOptions
{
    TokenFormat format = TokenFormat::Auto; // --format
};

struct DemoOptions
{
    quint16 port = 0;
    bool serve = false;
    bool json = false;
};

enum class Command {
    Sse,
    Ws,
    SocketIo,
    Mqtt,
    Llm,
    Demo,
};

// What the command line asks for. On Usage, error holds one readable line; on Help, text holds
// the help of the command asked about.
struct ParsedCommandLine
{
    enum class Outcome {
        Run,
        Help,
        Version,
        Usage,
    };
    Outcome outcome = Outcome::Usage;
    Command command = Command::Sse;
    QString text;
    QString error;
    QString helpHint; // how to get help for the command that failed
    SseOptions sse;
    WsOptions ws;
    SocketIoOptions socketIo;
    MqttOptions mqtt;
    LlmOptions llm;
    DemoOptions demo;
};

// arguments as QCoreApplication::arguments() gives them, program name first.
ParsedCommandLine parseCommandLine(const QStringList &arguments);
// Every name of every option a command ("sse", "ws", ...) takes, and its help in *help: for the
// test that the help lists every option the parser takes.
QStringList commandOptionNames(const QString &command, QString *help);

} // namespace streamscope
