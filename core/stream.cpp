// SPDX-License-Identifier: GPL-3.0-or-later
#include "stream.h"

#include "clientsettings.h"
#include "eventsource.h"
#include "mqttclient.h"
#include "socketioclient.h"
#include "websocketclient.h"

#include <QDateTime>
#include <QNetworkAccessManager>

#include <variant>

namespace streamscope {

namespace {

// As streamscope-cli writes durations: "850 ms", "1.2 s".
QString duration(qint64 ms)
{
    if (ms < 1000) {
        return QStringLiteral("%1 ms").arg(ms);
    }
    return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
}

// A URL as the log shows it: a password in it is a secret like an Authorization value.
QString shownUrl(const QUrl &url)
{
    return url.toString(QUrl::RemovePassword);
}

QString missingVariables(const QStringList &names)
{
    return names.size() == 1
        ? QStringLiteral("not connecting: environment variable %1 is not set").arg(names.first())
        : QStringLiteral("not connecting: environment variables %1 are not set")
              .arg(names.join(QLatin1String(", ")));
}

} // namespace

qint64 Stream::now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString Stream::withStatus(const QString &message, int httpStatus)
{
    if (httpStatus <= 0 || message.contains(QString::number(httpStatus))) {
        return message;
    }
    return QStringLiteral("%1 (HTTP %2)").arg(message).arg(httpStatus);
}

Stream::Stream(int id, const StreamConfig &config, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_config(config)
{
    m_health.setIdleTimeout(config.idleTimeoutMs);
    m_answerClock.start();
}

Stream::~Stream()
{
    HealthClock::forThisThread().leave(this);
    // Clients emit nothing from their destructors; drop them before the network they use.
    for (const QPointer<QObject> &client : std::as_const(m_retired)) {
        delete client.data();
    }
    m_eventSource.reset();
    m_webSocket.reset();
    m_socketIo.reset();
    m_mqtt.reset();
}

void Stream::setConfig(const StreamConfig &config)
{
    StreamConfig renamed = m_config;
    renamed.name = config.name;
    const bool onlyRenamed = renamed.toJson() == config.toJson();
    const bool wasConnected = isConnected();
    m_config = config;
    m_health.setIdleTimeout(config.idleTimeoutMs);
    if (!config.usesTls() || !config.ignoreCertificateErrors) {
        m_health.tlsWarned(QString()); // checked again from now on, connected or not
    }
    if (onlyRenamed || !wasConnected) {
        return;
    }
    retireClients();
    m_health.disconnected(now());
    if (!emitLifecycle("closed", QStringLiteral("closed: settings changed, reconnecting"))) {
        return;
    }
    connectToServer();
}

void Stream::connectToServer()
{
    if (isConnected()) {
        return;
    }
    retireClients();
    const qint64 at = now();
    m_diagnostics = std::make_unique<StreamDiagnostics>(diagnosticsSettings());
    m_pendingHead.reset();
    // Until the handshake says what it let through, the setting alone is worth a warning.
    m_health.tlsWarned(m_config.usesTls() && m_config.ignoreCertificateErrors
            ? QStringLiteral("certificate errors are ignored for this stream: the server is not "
                             "authenticated")
            : QString());
    if (m_config.transport() == StreamConfig::Transport::Invalid) {
        failToStart(at,
            QStringLiteral("cannot connect to \"%1\": not an http, https, ws or wss URL")
                .arg(shownUrl(m_config.url)));
        return;
    }
    QStringList missing;
    const ClientSettings settings = clientSettings(m_config, &missing);
    if (!missing.isEmpty()) {
        failToStart(at, missingVariables(missing));
        return;
    }
    std::visit([this](const auto &each) { startClient(each); }, settings);
}

void Stream::startClient(const EventSourceSettings &settings)
{
    if (!m_network && !m_pool) {
        m_network = std::make_unique<QNetworkAccessManager>();
    }
    m_eventSource = std::make_unique<EventSource>(m_network.get());
    m_eventSource->setConnectionPool(m_pool);
    wireEventSource();
    openClient(*m_eventSource, settings);
}

void Stream::startClient(const WebSocketSettings &settings)
{
    m_webSocket = std::make_unique<WebSocketClient>();
    wireWebSocket();
    openClient(*m_webSocket, settings);
}

void Stream::startClient(const SocketIoSettings &settings)
{
    m_socketIo = std::make_unique<SocketIoClient>();
    wireSocketIo();
    openClient(*m_socketIo, settings);
}

void Stream::startClient(const MqttSettings &settings)
{
    m_mqtt = std::make_unique<MqttClient>();
    wireMqtt();
    openClient(*m_mqtt, settings);
}

template <typename Client, typename Settings>
void Stream::openClient(Client &client, const Settings &settings)
{
    client.setReconnectSpread(m_spread, m_id);
    HealthClock::forThisThread().join(this, [this] { checkHealth(); });
    client.open(settings);
}

void Stream::failToStart(qint64 nowMs, const QString &message)
{
    m_health.stoppedFatally(nowMs, message);
    HealthClock::forThisThread().leave(this);
    if (!emitLifecycle("error", message)) {
        return;
    }
    notifyHealth();
}

void Stream::disconnectFromServer()
{
    const bool wasConnected = isConnected();
    retireClients();
    HealthClock::forThisThread().leave(this);
    if (!endAnswer(QStringLiteral("disconnected by the user"))) {
        return;
    }
    if (!wasConnected && m_health.snapshot(now()).state == HealthState::Disconnected) {
        return;
    }
    m_health.disconnected(now());
    if (wasConnected && !emitLifecycle("closed", QStringLiteral("closed: disconnected"))) {
        return;
    }
    notifyHealth();
}

void Stream::reconnectNow()
{
    if (m_eventSource && m_eventSource->state() != EventSource::State::Closed) {
        m_eventSource->reconnectNow();
        return;
    }
    if (m_mqtt && webSocketState() != WebSocketClient::State::Closed) {
        // The session starts over on a new connection: as a reconnect would.
        retireClients();
        connectToServer();
        return;
    }
    if (webSocketState() != WebSocketClient::State::Closed) {
        if (m_socketIo) {
            m_socketIo->reconnectNow();
        } else {
            m_webSocket->reconnectNow();
        }
        return;
    }
    connectToServer();
}

bool Stream::isConnected() const
{
    if (m_eventSource) {
        return m_eventSource->state() != EventSource::State::Closed;
    }
    return webSocketState() != WebSocketClient::State::Closed;
}

void Stream::setPaused(bool paused)
{
    m_paused = paused;
}

StreamHealth Stream::health() const
{
    StreamHealth health = m_health.snapshot(now());
    if (m_diagnostics) {
        const ResumeAudit *audit = m_diagnostics->resumeAudit();
        if (audit && audit->isActive() && audit->countsGaps()) {
            health.eventsMissing = qint64(audit->totals().counts.missing);
        }
        health.deliveryDelayMs = m_diagnostics->deliveryDelayMs();
    }
    return health;
}

template <typename Client>
void Stream::retireWebSocket(std::unique_ptr<Client> &owned, const WebSocketClient *socket)
{
    if (!owned) {
        return;
    }
    Client *client = owned.release();
    QObject::disconnect(client, nullptr, this, nullptr);
    m_retired.append(client);
    client->close();
    if (socket->state() == WebSocketClient::State::Closed) {
        client->deleteLater();
    } else {
        // A clean close waits for the server's close frame (bounded by closeTimeoutMs).
        connect(client, &Client::closed, client, &QObject::deleteLater);
    }
}

void Stream::retireClients()
{
    if (m_eventSource) {
        EventSource *source = m_eventSource.release();
        QObject::disconnect(source, nullptr, this, nullptr);
        source->close(); // synchronous: nothing is under way afterwards
        m_retired.append(source);
        source->deleteLater();
    }
    retireWebSocket(m_mqtt, m_mqtt ? m_mqtt->webSocket() : nullptr);
    retireWebSocket(m_socketIo, m_socketIo ? m_socketIo->webSocket() : nullptr);
    retireWebSocket(m_webSocket, m_webSocket.get());
    m_retired.removeAll(QPointer<QObject>());
}

void Stream::stopped(qint64 nowMs, bool fatal, const QString &message)
{
    if (fatal) {
        m_health.stoppedFatally(nowMs, m_health.snapshot(nowMs).lastError);
    } else {
        m_health.disconnected(nowMs);
    }
    HealthClock::forThisThread().leave(this);
    if (!refreshDiagnoses() || !emitLifecycle("closed", message)) {
        return;
    }
    notifyHealth();
}

void Stream::notifyHealth()
{
    m_lastState = m_health.snapshot(now()).state;
    m_healthDirty = false;
    emit healthChanged();
}

void Stream::checkHealth()
{
    if (m_eventSource) {
        m_health.droppedTotal(m_eventSource->eventsDropped());
    }
    if (now() - m_lastDiagnosisCheckMs >= DiagnosisIntervalMs && !refreshDiagnoses()) {
        return;
    }
    const HealthState state = m_health.snapshot(now()).state;
    if (m_healthDirty || state != m_lastState || state == HealthState::Reconnecting) {
        notifyHealth();
    }
}

StreamDiagnostics::Settings Stream::diagnosticsSettings() const
{
    using Sequence = StreamDiagnostics::Settings::Sequence;
    StreamDiagnostics::Settings settings;
    const bool sse = m_config.transport() == StreamConfig::Transport::Sse;
    settings.transport
        = sse ? IdleTimeoutDetector::Transport::Sse : IdleTimeoutDetector::Transport::WebSocket;
    settings.heartbeat = !sse && m_config.pingIntervalMs > 0;
    const QString &field = m_config.auditSequence;
    if (sse && (field.isEmpty() || field == QLatin1String("id"))) {
        settings.sequence = Sequence::EventId;
    } else if (!field.isEmpty()) {
        settings.sequence = Sequence::PayloadField;
        settings.sequenceField = field;
    } else {
        settings.sequence = Sequence::None;
    }
    settings.timeField = m_payloadTimeField;
    settings.timeUnit = m_payloadTimeUnit;
    settings.minIdleSilenceMs = m_minIdleSilenceMs;
    settings.ownDeadLinkCheckMs = sse ? m_config.idleTimeoutMs : m_config.pingIntervalMs;
    return settings;
}

void Stream::setPayloadClock(const QString &timeField, TimeUnit unit)
{
    if (timeField == m_payloadTimeField && unit == m_payloadTimeUnit) {
        return;
    }
    m_payloadTimeField = timeField;
    m_payloadTimeUnit = unit;
    if (m_diagnostics) {
        m_diagnostics->setPayloadClock(timeField, unit);
    }
}

void Stream::stormSeen(const Diagnosis &storm)
{
    if (!m_diagnostics) {
        return;
    }
    m_diagnostics->stormSeen(storm);
    if (refreshDiagnoses()) {
        notifyHealth();
    }
}

bool Stream::refreshDiagnoses()
{
    const qint64 at = now();
    m_lastDiagnosisCheckMs = at;
    if (!m_diagnostics) {
        return true;
    }
    const StreamDiagnostics::Changes changes = m_diagnostics->update(at);
    // A reconnect storm is written once for all its streams, by the StreamSet.
    const auto ownRow
        = [](const Diagnosis &finding) { return finding.kind != Diagnosis::Kind::ReconnectStorm; };
    for (const Diagnosis &finding : changes.appeared) {
        if (ownRow(finding)
            && !emitLifecycle("diagnosis",
                QStringLiteral("%1: %2 %3").arg(finding.title, finding.evidence, finding.fix))) {
            return false;
        }
    }
    for (const Diagnosis &finding : changes.cleared) {
        if (ownRow(finding)
            && !emitLifecycle("diagnosis",
                QStringLiteral("cleared: %1 (the evidence stopped)").arg(finding.title))) {
            return false;
        }
    }
    if (changes.changed) {
        m_healthDirty = true; // the list's badge and the health panel read them with the health
        const QPointer<Stream> self(this);
        emit diagnosesChanged();
        return !self.isNull();
    }
    return true;
}

void Stream::stoppedAfterFailure(bool gaveUp)
{
    const QString lastError = m_health.snapshot(now()).lastError;
    stopped(now(), true,
        gaveUp ? QStringLiteral("closed: gave up reconnecting (%1)").arg(lastError)
               : QStringLiteral("closed: %1").arg(lastError));
}

void Stream::reportConnecting(int attempt)
{
    m_health.connecting(now(), attempt);
    if (!emitLifecycle("connecting",
            QStringLiteral("connecting to %1 (attempt %2)")
                .arg(shownUrl(m_config.url))
                .arg(attempt))) {
        return;
    }
    notifyHealth();
}

void Stream::reportResponse(const ResponseHead &head)
{
    m_diagnostics->responseReceived(head);
    m_pendingHead = head;
    m_healthDirty = true;
}

void Stream::reportError(const QString &text)
{
    m_health.failed(now(), text);
    m_healthDirty = true;
    emitLifecycle("error", text);
}

void Stream::reportReconnect(int delayMs, int nextAttempt)
{
    m_health.reconnectScheduled(now(), delayMs);
    if (!emitLifecycle("reconnecting",
            QStringLiteral("reconnecting in %1 (attempt %2)")
                .arg(duration(delayMs))
                .arg(nextAttempt))) {
        return;
    }
    notifyHealth();
}

void Stream::warnAboutCertificate(const QString &message)
{
    m_health.tlsWarned(message);
    if (!emitLifecycle("warning", message)) {
        return;
    }
    notifyHealth();
}

bool Stream::emitLifecycle(const QByteArray &kind, const QString &message)
{
    // The response an attempt got goes with the row that tells what came of it: the open, or
    // the error of a refusal. The detail pane shows it.
    QByteArray details;
    if (m_pendingHead && (kind == "open" || kind == "error")) {
        details = responseText(*m_pendingHead);
        m_pendingHead.reset();
    }
    return emitRow(StreamEvent::Kind::Lifecycle, kind, {}, message.toUtf8(), false, details);
}

QByteArray Stream::responseText(const ResponseHead &head)
{
    QByteArray text = head.protocol + ' ' + QByteArray::number(head.status);
    if (!head.reasonPhrase.isEmpty()) {
        text += ' ' + head.reasonPhrase;
    }
    for (const auto &[name, value] : head.headers) {
        text += '\n' + name + ": " + maskedHeaderValue(name, value).toUtf8();
    }
    return text;
}

bool Stream::emitRow(StreamEvent::Kind kind, const QByteArray &type, const QByteArray &id,
    const QByteArray &data, bool binary, const QByteArray &details)
{
    if (m_paused) {
        return true;
    }
    StreamEvent event;
    event.arrivalMs = now();
    event.streamId = m_id;
    event.kind = kind;
    event.binary = binary;
    event.type = type;
    event.id = id;
    event.data = data;
    event.details = details;
    const QPointer<Stream> self(this);
    emit eventArrived(event);
    return !self.isNull();
}

} // namespace streamscope
