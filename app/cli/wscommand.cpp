// SPDX-License-Identifier: GPL-3.0-or-later
#include "wscommand.h"

#include <QDateTime>

namespace streamscope {

WebSocketCommand::WebSocketCommand(
    const WsOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_sink(RecordSink::create(options.json, {out, err, {}, true}))
    , m_timeout(this, [this] { endRun("timeout"); })
{
    m_options.socket.closeTimeoutMs = CloseWaitMs;
    m_closeGuard.setSingleShot(true);
    connect(&m_closeGuard, &QTimer::timeout, this,
        [this] { writeClosedAndFinish(m_endReason, m_endReason == "fatal" ? 3 : 0, -1); });
    // An idle timeout on the way is what a WebSocket without pings meets.
    StreamDiagnostics::Settings diagnosis;
    diagnosis.transport = IdleTimeoutDetector::Transport::WebSocket;
    diagnosis.heartbeat = options.socket.pingIntervalMs > 0;
    diagnosis.sequence = StreamDiagnostics::Settings::Sequence::None;
    diagnosis.ownDeadLinkCheckMs = options.socket.pingIntervalMs;
    m_diagnosis = std::make_unique<DiagnosisReporter>(diagnosis, m_sink.get());
}

void WebSocketCommand::markOpened()
{
    m_everOpened = true;
    m_diagnosis->diagnostics().opened(QDateTime::currentMSecsSinceEpoch());
}

void WebSocketCommand::diagnoseMessage(const QByteArray &payload)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_diagnosis->diagnostics().dataArrived(now);
    m_diagnosis->diagnostics().eventArrived(now, {}, payload);
}

WsCommand::WsCommand(
    const WsOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent)
    : WebSocketCommand(options, out, err, parent)
{
    connectLifecycle(&m_client);
    connect(&m_client, &WebSocketClient::opened, this,
        [this] { reportOpened(m_client.subprotocol().toUtf8(), m_client.extensions().toUtf8()); });
    connect(&m_client, &WebSocketClient::textMessageReceived, this,
        [this](const QByteArray &utf8) { handleMessage(utf8, false); });
    connect(&m_client, &WebSocketClient::binaryMessageReceived, this,
        [this](const QByteArray &message) { handleMessage(message, true); });
    connect(&m_client, &WebSocketClient::messageSent, this, &WsCommand::handleSent);
}

void WebSocketCommand::start()
{
    if (m_options.maxEvents == 0) {
        writeClosedAndFinish("max-events", 0, -1);
        return;
    }
    m_timeout.start(m_options.timeoutMs);
    openClient();
}

void WsCommand::openClient()
{
    m_client.open(m_options.socket);
}

void WebSocketCommand::interrupt()
{
    endRun("interrupted");
}

void WebSocketCommand::endRun(const QByteArray &reason)
{
    if (m_finished) {
        return;
    }
    if (!m_endReason.isEmpty()) {
        // A second Ctrl-C does not wait for the peer's close frame.
        if (reason == "interrupted") {
            writeClosedAndFinish(m_endReason, m_endReason == "fatal" ? 3 : 0, -1);
        }
        return;
    }
    m_endReason = reason;
    m_timeout.stop();
    m_closeGuard.start(CloseWaitMs + 1000);
    closeClient();
}

void WebSocketCommand::handleConnecting(int attempt)
{
    if (m_finished) {
        return;
    }
    m_sink->connecting(m_options.urlText.toUtf8(), attempt);
}

void WebSocketCommand::reportOpened(const QByteArray &subprotocol, const QByteArray &extensions)
{
    if (m_finished) {
        return;
    }
    markOpened();
    m_sink->webSocketOpened(subprotocol, extensions);
}

void WsCommand::handleMessage(const QByteArray &data, bool binary)
{
    if (isOver()) {
        return;
    }
    diagnoseMessage(data);
    m_sink->message(data, binary);
    countMessage();
}

void WebSocketCommand::countMessage()
{
    ++m_events;
    if (m_options.maxEvents >= 0 && m_events >= m_options.maxEvents) {
        endRun("max-events");
    }
}

void WsCommand::handleSent(const QByteArray &data, bool binary)
{
    if (m_finished) {
        return;
    }
    m_sink->sent(data, binary);
}

void WebSocketCommand::handleRoundTrip(int ms)
{
    if (m_finished) {
        return;
    }
    m_diagnosis->diagnostics().dataArrived(QDateTime::currentMSecsSinceEpoch()); // the pong
    m_sink->roundTrip(ms);
}

void WebSocketCommand::handleCertificateWarning(const QString &message)
{
    if (m_finished) {
        return;
    }
    m_sink->warning(message);
}

void WebSocketCommand::handleError(const QString &message, int status)
{
    if (m_finished) {
        return;
    }
    m_sink->error(message, status);
}

void WebSocketCommand::handleReconnect(int delayMs, int attempt)
{
    if (m_finished) {
        return;
    }
    m_sink->reconnecting(delayMs, attempt);
}

void WebSocketCommand::handleDisconnected(int code, const QString &reason)
{
    m_diagnosis->diagnostics().closed(QDateTime::currentMSecsSinceEpoch());
    if (m_finished) {
        return;
    }
    m_sink->disconnected(code, reason);
}

void WebSocketCommand::handleClosed(WebSocketClient::CloseReason reason, int code)
{
    // A close frame or a close on our side is a known code; without any connection there is none.
    const int knownCode = m_everOpened ? code : -1;
    switch (reason) {
    case WebSocketClient::CloseReason::Requested:
        writeClosedAndFinish(m_endReason.isEmpty() ? QByteArray("interrupted") : m_endReason,
            m_endReason == "fatal" ? 3 : 0, knownCode);
        break;
    case WebSocketClient::CloseReason::Fatal:
        writeClosedAndFinish("fatal", 3, knownCode);
        break;
    case WebSocketClient::CloseReason::GaveUp:
        writeClosedAndFinish("max-reconnects", 3, knownCode);
        break;
    }
}

void WebSocketCommand::writeClosedAndFinish(const QByteArray &reason, int exitCode, int code)
{
    if (m_finished) {
        return;
    }
    m_diagnosis->check(); // what the run showed last, before the closed record
    m_finished = true;
    m_timeout.stop();
    m_closeGuard.stop();
    m_sink->closed(reason, code);
    emit finished(exitCode);
}

} // namespace streamscope
