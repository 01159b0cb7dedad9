// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "options.h"
#include "socketioclient.h"
#include "wscommand.h"

namespace streamscope {

// `streamscope-cli socketio`: one Socket.IO client until max-events, timeout, an interrupt, a
// refused namespace (exit 3) or the client's own end. Lifecycle and endings as for ws.
class SocketIoCommand : public WebSocketCommand
{
    Q_OBJECT
public:
    SocketIoCommand(const SocketIoOptions &options, RecordWriter *out, RecordWriter *err,
        QObject *parent = nullptr);

private:
    void openClient() override;
    void closeClient() override { m_client.close(); }
    void handleJoined(const QString &nameSpace);
    void handleRefused(const QString &nameSpace, const QString &message);
    void handleLeft(const QString &nameSpace);
    void handleEvent(
        const QString &nameSpace, const QByteArray &event, const QByteArray &args, bool binary);
    void handleSent(
        const QString &nameSpace, const QByteArray &event, const QByteArray &args, int ackId);
    void handleAck(int id, const QByteArray &args, int roundTripMs);
    void handleProtocolError(const QString &message);

    SocketIoOptions m_socketIoOptions;
    SocketIoClient m_client;
};

} // namespace streamscope
