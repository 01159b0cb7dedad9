#pragma once

#include "options.h"
#include "websocketclient.h"

#include <QObject>
#include <QTimer>

namespace streamscope {

class RecordWriter;

// `streamscope-cli ws`: one WebSocket until max-events, timeout, an interrupt or the client's
// own end. Ending ourselves sends a close frame (1000) and waits a bounded time for the reply;
// the closed record is always the last thing written.
class WsCommand : public QObject
{
    Q_OBJECT
public:
    static constexpr int CloseWaitMs = 2000;

    WsCommand(
        const WsOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent = nullptr);

    void start();
    // SIGINT/SIGTERM: a clean end.
    void interrupt();

signals:
    // Emitted once, after the closed record was flushed.
    void finished(int exitCode);

private:
    void handleConnecting(int attempt);
    void handleOpened();
    void handleMessage(const QByteArray &data, bool binary);
    void handleSent(const QByteArray &data, bool binary);
    void handleRoundTrip(int ms);
    void handleCertificateWarning(const QString &message);
    void handleError(const QString &message, int status);
    void handleReconnect(int delayMs, int attempt);
    void handleDisconnected(int code, const QString &reason);
    void handleClosed(WebSocketClient::CloseReason reason, int code);
    // Ends the run from our side: close frame first, the record when the client has closed.
    void endRun(const QByteArray &reason);
    void writeClosedAndFinish(const QByteArray &reason, int exitCode, int code);
    void lifecycle(const QByteArray &line, const char *colour);

    WsOptions m_options;
    RecordWriter *m_out; // not owned
    RecordWriter *m_err; // not owned
    WebSocketClient m_client;
    QTimer m_timeout;
    QTimer m_closeGuard; // the client's close must not hold the exit for ever
    QByteArray m_endReason; // set once we asked the client to close
    qint64 m_events = 0;
    bool m_everOpened = false;
    bool m_finished = false;
};

} // namespace streamscope
