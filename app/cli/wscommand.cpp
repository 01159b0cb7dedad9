// SPDX-License-Identifier: GPL-3.0-or-later
#include "wscommand.h"

#include "console.h"
#include "recordwriter.h"
#include "ssecommand.h"

#include <QByteArrayList>
#include <QDateTime>

namespace streamscope {

WebSocketCommand::WebSocketCommand(
    const WsOptions &options, RecordWriter *out, RecordWriter *err, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_out(out)
    , m_err(err)
{
    m_timeout.setSingleShot(true);
    // A coarse timer may fire 5% early; --timeout promises at least that long.
    m_timeout.setTimerType(Qt::PreciseTimer);
    connect(&m_timeout, &QTimer::timeout, this, [this] { endRun("timeout"); });
    m_closeGuard.setSingleShot(true);
    connect(&m_closeGuard, &QTimer::timeout, this,
        [this] { writeClosedAndFinish(m_endReason, m_endReason == "fatal" ? 3 : 0, -1); });
    // An idle timeout on the way is what a WebSocket without pings meets.
    StreamDiagnostics::Settings diagnosis;
    diagnosis.transport = IdleTimeoutDetector::Transport::WebSocket;
    diagnosis.heartbeat = options.pingIntervalMs > 0;
    diagnosis.sequence = StreamDiagnostics::Settings::Sequence::None;
    diagnosis.ownDeadLinkCheckMs = options.pingIntervalMs;
    DiagnosisReporter::Output output;
    output.out = out;
    output.json = options.json;
    output.readable = [this](const QByteArray &line) {
        lifecycle(line, console::Palette(m_err->isTerminal()).yellow());
    };
    m_diagnosis = std::make_unique<DiagnosisReporter>(diagnosis, output);
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
    if (m_options.timeoutMs >= 0) {
        m_timeout.start(int(qMin<qint64>(m_options.timeoutMs, std::numeric_limits<int>::max())));
    }
    openClient();
}

WebSocketSettings WebSocketCommand::webSocketSettings() const
{
    WebSocketSettings settings;
    settings.url = m_options.url;
    settings.headers = m_options.headers;
    settings.subprotocols = m_options.subprotocols;
    settings.initialDelayMs = m_options.initialDelayMs;
    settings.maxDelayMs = m_options.maxDelayMs;
    settings.pingIntervalMs = m_options.pingIntervalMs;
    settings.compression = m_options.compression;
    settings.maxReconnects = m_options.maxReconnects;
    settings.closeTimeoutMs = CloseWaitMs;
    settings.caCertificatesFile = m_options.caCertificatesFile;
    settings.ignoreCertificateErrors = m_options.ignoreCertificateErrors;
    return settings;
}

void WsCommand::openClient()
{
    WebSocketSettings settings = webSocketSettings();
    for (const QString &text : std::as_const(m_options.sends)) {
        settings.onOpenMessages.append(text.toUtf8());
    }
    m_client.open(settings);
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

void WebSocketCommand::lifecycle(const QByteArray &line, const char *colour)
{
    const console::Palette palette(m_err->isTerminal());
    QByteArray &out = m_err->buffer();
    console::appendStamp(out, palette);
    out.append(' ');
    out.append(colour);
    console::appendIndented(out, line, 13);
    out.append(palette.reset());
    out.append('\n');
    m_err->commit();
}

void WebSocketCommand::handleConnecting(int attempt)
{
    if (m_finished) {
        return;
    }
    if (m_options.json) {
        Record(*m_out, "connecting")
            .string("url", m_options.urlText.toUtf8())
            .number("attempt", attempt);
        return;
    }
    lifecycle("connecting to " + m_options.urlText.toUtf8() + " (attempt "
            + QByteArray::number(attempt) + ")",
        "");
}

void WebSocketCommand::reportOpened(const QByteArray &subprotocol, const QByteArray &extensions)
{
    if (m_finished) {
        return;
    }
    markOpened();
    if (m_options.json) {
        Record record(*m_out, "open");
        if (!subprotocol.isEmpty()) {
            record.string("subprotocol", subprotocol);
        }
        if (!extensions.isEmpty()) {
            record.string("extensions", extensions);
        }
        return;
    }
    // What the server agreed to, as the dashboard's open row says it.
    QByteArrayList agreed;
    if (!subprotocol.isEmpty()) {
        agreed.append("subprotocol " + subprotocol);
    }
    if (!extensions.isEmpty()) {
        agreed.append(extensions);
    }
    lifecycle(agreed.isEmpty() ? QByteArray("open") : "open (" + agreed.join(", ") + ")",
        console::Palette(m_err->isTerminal()).green());
}

void WsCommand::handleMessage(const QByteArray &data, bool binary)
{
    if (isOver()) {
        return;
    }
    diagnoseMessage(data);
    if (m_options.json) {
        Record(*m_out, "message")
            .string("data", binary ? data.toBase64() : data)
            .boolean("binary", binary);
    } else {
        const QByteArray label
            = binary ? "binary " + QByteArray::number(data.size()) + " B" : QByteArray("text");
        console::appendMessageLine(m_out->buffer(), console::Palette(m_out->isTerminal()), label,
            {}, binary ? data.toBase64() : data);
        m_out->commit();
    }
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
    if (m_options.json) {
        Record record(*m_out, "sent");
        record.string("data", binary ? data.toBase64() : data);
        if (binary) {
            record.boolean("binary", true);
        }
        return;
    }
    lifecycle("sent " + data, "");
}

void WebSocketCommand::handleRoundTrip(int ms)
{
    if (m_finished) {
        return;
    }
    m_diagnosis->diagnostics().dataArrived(QDateTime::currentMSecsSinceEpoch()); // the pong
    if (m_options.json) {
        Record(*m_out, "rtt").number("ms", ms);
        return;
    }
    lifecycle("rtt " + QByteArray::number(ms) + " ms", "");
}

void WebSocketCommand::handleCertificateWarning(const QString &message)
{
    if (m_finished) {
        return;
    }
    if (m_options.json) {
        Record(*m_out, "warning").text("message", message);
        return;
    }
    lifecycle("warning: " + message.toUtf8(), console::Palette(m_err->isTerminal()).yellow());
}

void WebSocketCommand::handleError(const QString &message, int status)
{
    if (m_finished) {
        return;
    }
    if (m_options.json) {
        Record record(*m_out, "error");
        record.text("message", message);
        if (status > 0) {
            record.number("status", status);
        }
        return;
    }
    lifecycle(console::errorLine(message, status), console::Palette(m_err->isTerminal()).red());
}

void WebSocketCommand::handleReconnect(int delayMs, int attempt)
{
    if (m_finished) {
        return;
    }
    if (m_options.json) {
        Record(*m_out, "reconnecting").number("delayMs", delayMs).number("attempt", attempt);
        return;
    }
    lifecycle("reconnecting in " + console::duration(delayMs) + " (attempt "
            + QByteArray::number(attempt) + ")",
        console::Palette(m_err->isTerminal()).yellow());
}

void WebSocketCommand::handleDisconnected(int code, const QString &reason)
{
    m_diagnosis->diagnostics().closed(QDateTime::currentMSecsSinceEpoch());
    // Not a record of the NDJSON contract; people watching a terminal want to see it.
    if (m_finished || m_options.json) {
        return;
    }
    QByteArray line = "disconnected (code " + QByteArray::number(code);
    if (!reason.isEmpty()) {
        line += ": " + reason.toUtf8();
    }
    lifecycle(line + ")", "");
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
    writeClosed(m_out, m_err, m_options.json, reason, code);
    emit finished(exitCode);
}

} // namespace streamscope
