// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "diagnosisreporter.h"
#include "options.h"
#include "recordsink.h"
#include "runtimeout.h"
#include "websocketclient.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace streamscope {

class RecordWriter;

// What `ws`, `socketio` and `mqtt` share: the lifecycle of a WebSocketClient (or of an adapter
// that forwards its signals) told to the sink, the end of a run and its exit code. Ending
// ourselves sends a close frame (1000) and waits a bounded time for the reply; the closed record is
// always the last thing written.
class WebSocketCommand : public QObject
{
    Q_OBJECT
public:
    static constexpr int CloseWaitMs = 2000;

    void start();
    // SIGINT/SIGTERM: a clean end.
    void interrupt();

signals:
    // Emitted once, after the closed record was flushed.
    void finished(int exitCode);

protected:
    WebSocketCommand(
        const WsOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent);

    // Connects the signals every client has, WebSocketClient's names and arguments.
    template <typename Client> void connectLifecycle(Client *client)
    {
        connect(client, &Client::connecting, this, &WebSocketCommand::handleConnecting);
        connect(client, &Client::roundTripMeasured, this, &WebSocketCommand::handleRoundTrip);
        connect(
            client, &Client::certificateWarning, this, &WebSocketCommand::handleCertificateWarning);
        connect(client, &Client::errorOccurred, this, &WebSocketCommand::handleError);
        connect(client, &Client::reconnectScheduled, this, &WebSocketCommand::handleReconnect);
        connect(client, &Client::disconnected, this, &WebSocketCommand::handleDisconnected);
        connect(client, &Client::closed, this, &WebSocketCommand::handleClosed);
    }
    virtual void openClient() = 0;
    // Emits closed(Requested, code) once the close handshake is over or timed out.
    virtual void closeClient() = 0;

    bool isOver() const { return m_finished || !m_endReason.isEmpty(); }
    // After each message written: ends the run at --max-events.
    void countMessage();
    // Ends the run from our side: close frame first, the record when the client has closed.
    // "fatal" ends with exit code 3.
    void endRun(const QByteArray &reason);
    // The open line or record: what the server agreed to.
    void reportOpened(const QByteArray &subprotocol, const QByteArray &extensions);
    // For a client whose open says more (mqtt's client id and session): as reportOpened() for the
    // closed record, which knows the close code from now on.
    void markOpened();
    void handleError(const QString &message, int status);
    // A message arrived: data and an event for the diagnoses.
    void diagnoseMessage(const QByteArray &payload);

    WsOptions m_options; // the socket's close waits CloseWaitMs
    std::unique_ptr<RecordSink> m_sink;
    bool m_finished = false;

private:
    void handleConnecting(int attempt);
    void handleRoundTrip(int ms);
    void handleCertificateWarning(const QString &message);
    void handleReconnect(int delayMs, int attempt);
    void handleDisconnected(int code, const QString &reason);
    void handleClosed(WebSocketClient::CloseReason reason, int code);
    void writeClosedAndFinish(const QByteArray &reason, int exitCode, int code);

    RunTimeout m_timeout;
    QTimer m_closeGuard; // the client's close must not hold the exit for ever
    QByteArray m_endReason; // set once we asked the client to close
    qint64 m_events = 0;
    bool m_everOpened = false;
    std::unique_ptr<DiagnosisReporter> m_diagnosis;
};

// `streamscope-cli ws`: one WebSocket until max-events, timeout, an interrupt or the client's
// own end.
class WsCommand : public WebSocketCommand
{
    Q_OBJECT
public:
    WsCommand(
        const WsOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent = nullptr);

private:
    void openClient() override;
    void closeClient() override { m_client.close(); }
    void handleMessage(const QByteArray &data, bool binary);
    void handleSent(const QByteArray &data, bool binary);

    WebSocketClient m_client;
};

} // namespace streamscope
