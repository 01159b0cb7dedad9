// SPDX-License-Identifier: GPL-3.0-or-later
#include "socketiocommand.h"

#include "console.h"
#include "recordwriter.h"

namespace streamscope {

namespace {

// "/admin status" for people; the default namespace goes without saying.
QByteArray describeEvent(const QString &nameSpace, const QByteArray &event)
{
    return nameSpace == QLatin1String("/") ? event : nameSpace.toUtf8() + ' ' + event;
}

} // namespace

SocketIoCommand::SocketIoCommand(
    const SocketIoOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent)
    : WebSocketCommand(options, out, err, parent)
    , m_socketIoOptions(options)
{
    connectLifecycle(&m_client);
    connect(&m_client, &SocketIoClient::opened, this, [this] {
        reportOpened(m_client.webSocket()->subprotocol().toUtf8(),
            m_client.webSocket()->extensions().toUtf8());
    });
    connect(&m_client, &SocketIoClient::namespaceJoined, this, &SocketIoCommand::handleJoined);
    connect(&m_client, &SocketIoClient::namespaceRefused, this, &SocketIoCommand::handleRefused);
    connect(&m_client, &SocketIoClient::namespaceLeft, this, &SocketIoCommand::handleLeft);
    connect(&m_client, &SocketIoClient::eventReceived, this, &SocketIoCommand::handleEvent);
    connect(&m_client, &SocketIoClient::eventSent, this, &SocketIoCommand::handleSent);
    connect(&m_client, &SocketIoClient::ackReceived, this, &SocketIoCommand::handleAck);
    connect(&m_client, &SocketIoClient::protocolError, this, &SocketIoCommand::handleProtocolError);
}

void SocketIoCommand::openClient()
{
    SocketIoSettings settings;
    settings.webSocket = webSocketSettings();
    for (const QString &name : std::as_const(m_socketIoOptions.namespaces)) {
        settings.namespaces.append(SocketIoNamespace{name, m_socketIoOptions.auth});
    }
    if (settings.namespaces.isEmpty()) {
        settings.namespaces.append(SocketIoNamespace{QStringLiteral("/"), m_socketIoOptions.auth});
    }
    m_client.open(settings);
}

void SocketIoCommand::handleJoined(const QString &nameSpace)
{
    if (isOver()) {
        return;
    }
    if (m_options.json) {
        Record(*m_out, "joined").text("namespace", nameSpace);
    } else {
        lifecycle("joined " + nameSpace.toUtf8(), console::Palette(m_err->isTerminal()).green());
    }
    if (nameSpace != m_client.settings().namespaces.first().name) {
        return;
    }
    for (const SocketIoOptions::Emit &each : std::as_const(m_socketIoOptions.emits)) {
        const SocketIoEmit result = m_client.emitEvent(nameSpace, each.event, each.args, true);
        if (!result.accepted) {
            handleError(result.error, 0);
        }
    }
}

void SocketIoCommand::handleRefused(const QString &nameSpace, const QString &message)
{
    if (isOver()) {
        return;
    }
    if (m_options.json) {
        Record(*m_out, "refused").text("namespace", nameSpace).text("message", message);
    } else {
        lifecycle("error: namespace " + nameSpace.toUtf8() + " refused: " + message.toUtf8(),
            console::Palette(m_err->isTerminal()).red());
    }
    // What was asked for cannot be watched, and retrying would be refused again.
    endRun("fatal");
}

void SocketIoCommand::handleLeft(const QString &nameSpace)
{
    if (isOver()) {
        return;
    }
    if (m_options.json) {
        Record(*m_out, "left").text("namespace", nameSpace);
        return;
    }
    lifecycle("the server disconnected namespace " + nameSpace.toUtf8(),
        console::Palette(m_err->isTerminal()).yellow());
}

void SocketIoCommand::handleEvent(
    const QString &nameSpace, const QByteArray &event, const QByteArray &args, bool binary)
{
    if (isOver()) {
        return;
    }
    diagnoseMessage(args);
    if (m_options.json) {
        Record(*m_out, "message")
            .string("type", event)
            .string("data", args)
            .boolean("binary", binary)
            .text("namespace", nameSpace);
    } else {
        console::appendMessageLine(m_out->buffer(), console::Palette(m_out->isTerminal()),
            describeEvent(nameSpace, event), binary ? "(binary)" : "", args);
        m_out->commit();
    }
    countMessage();
}

void SocketIoCommand::handleSent(
    const QString &nameSpace, const QByteArray &event, const QByteArray &args, int ackId)
{
    if (m_finished) {
        return;
    }
    if (m_options.json) {
        Record record(*m_out, "sent");
        record.string("type", event).string("data", args).text("namespace", nameSpace);
        if (ackId >= 0) {
            record.number("id", ackId);
        }
        return;
    }
    lifecycle("sent " + describeEvent(nameSpace, event) + ' ' + args
            + (ackId >= 0 ? " (ack " + QByteArray::number(ackId) + ")" : QByteArray()),
        "");
}

void SocketIoCommand::handleAck(int id, const QByteArray &args, int roundTripMs)
{
    if (m_finished) {
        return;
    }
    if (m_options.json) {
        Record(*m_out, "ack")
            .number("id", id)
            .string("data", args)
            .number("roundTripMs", roundTripMs);
        return;
    }
    lifecycle(
        "ack " + QByteArray::number(id) + " after " + console::duration(roundTripMs) + ": " + args,
        "");
}

void SocketIoCommand::handleProtocolError(const QString &message)
{
    if (m_finished) {
        return;
    }
    if (m_options.json) {
        Record(*m_out, "warning")
            .text("message", QStringLiteral("malformed packet dropped: ") + message);
        return;
    }
    lifecycle("warning: malformed packet dropped: " + message.toUtf8(),
        console::Palette(m_err->isTerminal()).yellow());
}

} // namespace streamscope
