// SPDX-License-Identifier: GPL-3.0-or-later
#include "socketiocommand.h"

namespace streamscope {

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
    settings.webSocket = m_options.socket;
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
    m_sink->joined(nameSpace);
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
    m_sink->refused(nameSpace, message);
    // What was asked for cannot be watched, and retrying would be refused again.
    endRun("fatal");
}

void SocketIoCommand::handleLeft(const QString &nameSpace)
{
    if (isOver()) {
        return;
    }
    m_sink->left(nameSpace);
}

void SocketIoCommand::handleEvent(
    const QString &nameSpace, const QByteArray &event, const QByteArray &args, bool binary)
{
    if (isOver()) {
        return;
    }
    diagnoseMessage(args);
    m_sink->socketIoMessage(nameSpace, event, args, binary);
    countMessage();
}

void SocketIoCommand::handleSent(
    const QString &nameSpace, const QByteArray &event, const QByteArray &args, int ackId)
{
    if (m_finished) {
        return;
    }
    m_sink->socketIoSent(nameSpace, event, args, ackId);
}

void SocketIoCommand::handleAck(int id, const QByteArray &args, int roundTripMs)
{
    if (m_finished) {
        return;
    }
    m_sink->ack(id, args, roundTripMs);
}

void SocketIoCommand::handleProtocolError(const QString &message)
{
    if (m_finished) {
        return;
    }
    m_sink->warning(QStringLiteral("malformed packet dropped: ") + message);
}

} // namespace streamscope
