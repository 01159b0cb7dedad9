// SPDX-License-Identifier: GPL-3.0-or-later
#include "stream.h"

#include "eventsource.h"
#include "mqttclient.h"
#include "socketioclient.h"
#include "utf8.h"
#include "websocketclient.h"

#include <QDateTime>
#include <QNetworkAccessManager>

#include <algorithm>

namespace streamscope {

namespace {

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// As streamscope-cli writes durations: "850 ms", "1.2 s".
QString duration(qint64 ms)
{
    if (ms < 1000) {
        return QStringLiteral("%1 ms").arg(ms);
    }
    return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
}

// The status, unless the message already says it ("HTTP 401 Unauthorized").
QString withStatus(const QString &message, int httpStatus)
{
    if (httpStatus <= 0 || message.contains(QString::number(httpStatus))) {
        return message;
    }
    return QStringLiteral("%1 (HTTP %2)").arg(message).arg(httpStatus);
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

Stream::Stream(int id, const StreamConfig &config, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_config(config)
{
    m_health.setIdleTimeout(config.idleTimeoutMs);
    m_healthTimer.setInterval(HealthIntervalMs);
    connect(&m_healthTimer, &QTimer::timeout, this, &Stream::checkHealth);
    m_answerClock.start();
}

Stream::~Stream()
{
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
    switch (m_config.transport()) {
    case StreamConfig::Transport::Sse:
        connectSse(at);
        break;
    case StreamConfig::Transport::WebSocket:
        connectWebSocket(at);
        break;
    case StreamConfig::Transport::Invalid:
        failToStart(at,
            QStringLiteral("cannot connect to \"%1\": not an http, https, ws or wss URL")
                .arg(shownUrl(m_config.url)));
        break;
    }
}

void Stream::connectSse(qint64 nowMs)
{
    QStringList missing;
    const EventSourceSettings settings = m_config.sseSettings(&missing);
    if (!missing.isEmpty()) {
        failToStart(nowMs, missingVariables(missing));
        return;
    }
    if (!m_network && !m_pool) {
        m_network = std::make_unique<QNetworkAccessManager>();
    }
    m_eventSource = std::make_unique<EventSource>(m_network.get());
    m_eventSource->setConnectionPool(m_pool);
    m_eventSource->setReconnectSpread(m_spread, m_id);
    wireEventSource();
    m_healthTimer.start();
    m_eventSource->open(settings);
}

void Stream::connectWebSocket(qint64 nowMs)
{
    QStringList missing;
    const WebSocketSettings settings = m_config.webSocketSettings(&missing);
    if (!missing.isEmpty()) {
        failToStart(nowMs, missingVariables(missing));
        return;
    }
    m_healthTimer.start();
    if (m_config.protocol == StreamConfig::Protocol::SocketIo) {
        SocketIoSettings socketIo;
        socketIo.webSocket = settings;
        socketIo.webSocket.onOpenMessages.clear(); // Engine.IO speaks first
        const QByteArray auth = resolveEnvironmentReferences(m_config.socketIoAuth, &missing);
        for (const QString &name : m_config.namespaces) {
            socketIo.namespaces.append({name, auth});
        }
        if (socketIo.namespaces.isEmpty()) {
            socketIo.namespaces.append({QStringLiteral("/"), auth});
        }
        if (!missing.isEmpty()) {
            failToStart(nowMs, missingVariables(missing));
            return;
        }
        m_socketIo = std::make_unique<SocketIoClient>();
        m_socketIo->setReconnectSpread(m_spread, m_id);
        wireSocketIo();
        m_socketIo->open(socketIo);
        return;
    }
    if (m_config.protocol == StreamConfig::Protocol::Mqtt) {
        MqttSettings mqtt;
        mqtt.webSocket = settings;
        mqtt.webSocket.onOpenMessages.clear(); // MQTT speaks first: CONNECT
        mqtt.version = m_config.mqttVersion5 ? mqtt::Version::V5 : mqtt::Version::V311;
        mqtt.clientId = m_config.mqttClientId;
        if (!m_config.mqttUsername.isEmpty()) {
            mqtt.username
                = QString::fromUtf8(resolveEnvironmentReferences(m_config.mqttUsername, &missing));
        }
        if (!m_config.mqttPassword.isEmpty()) {
            mqtt.password = resolveEnvironmentReferences(m_config.mqttPassword, &missing);
        }
        for (const QString &topic : m_config.topics) {
            mqtt.subscriptions.append({topic, m_config.mqttQos});
        }
        if (!missing.isEmpty()) {
            failToStart(nowMs, missingVariables(missing));
            return;
        }
        m_mqtt = std::make_unique<MqttClient>();
        m_mqtt->setReconnectSpread(m_spread, m_id);
        wireMqtt();
        m_mqtt->open(mqtt);
        return;
    }
    m_webSocket = std::make_unique<WebSocketClient>();
    m_webSocket->setReconnectSpread(m_spread, m_id);
    wireWebSocket();
    m_webSocket->open(settings);
}

WebSocketClient::State Stream::webSocketState() const
{
    if (m_socketIo) {
        return m_socketIo->state();
    }
    if (m_mqtt) {
        return m_mqtt->webSocket()->state();
    }
    return m_webSocket ? m_webSocket->state() : WebSocketClient::State::Closed;
}

void Stream::failToStart(qint64 nowMs, const QString &message)
{
    m_health.stoppedFatally(nowMs, message);
    m_healthTimer.stop();
    if (!emitLifecycle("error", message)) {
        return;
    }
    notifyHealth();
}

void Stream::disconnectFromServer()
{
    const bool wasConnected = isConnected();
    retireClients();
    m_healthTimer.stop();
    if (AnswerRun *run = runningAnswer()) {
        run->ended(m_answerClock.elapsed(), QStringLiteral("disconnected by the user"));
        const QPointer<Stream> self(this);
        emit answerChanged();
        if (!self) {
            return;
        }
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

bool Stream::send(const QByteArray &text)
{
    if (webSocketState() == WebSocketClient::State::Closed) {
        return false;
    }
    if (m_socketIo) {
        const QByteArray trimmed = text.trimmed();
        const qsizetype space = trimmed.indexOf(' ');
        const QByteArray event = space < 0 ? trimmed : trimmed.left(space);
        const QByteArray args = space < 0 ? QByteArray("[]") : trimmed.mid(space + 1).trimmed();
        const QString nameSpace = m_socketIo->settings().namespaces.value(0).name;
        const SocketIoEmit sent = m_socketIo->emitEvent(nameSpace, event, args, true);
        if (!sent.accepted) {
            emitLifecycle("error", QStringLiteral("not sent: %1").arg(sent.error));
        }
        return sent.accepted;
    }
    if (m_mqtt) {
        const QByteArray trimmed = text.trimmed();
        const qsizetype space = trimmed.indexOf(' ');
        mqtt::Message message;
        message.topic = QString::fromUtf8(space < 0 ? trimmed : trimmed.left(space));
        message.payload = space < 0 ? QByteArray() : trimmed.mid(space + 1);
        message.qos = m_config.mqttQos;
        m_mqtt->publish(message);
        return true;
    }
    m_webSocket->sendText(text);
    return true;
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
    m_healthTimer.stop();
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

AnswerRun *Stream::runningAnswer()
{
    if (m_answerRuns.empty() || m_answerRuns.back().outcome() != AnswerRun::Outcome::Running) {
        return nullptr;
    }
    return &m_answerRuns.back();
}

void Stream::wireEventSource()
{
    EventSource *source = m_eventSource.get();
    connect(source, &EventSource::connecting, this, [this](int attempt) {
        if (const std::optional<TokenFormat> format = m_config.tokenFormat()) {
            if (AnswerRun *run = runningAnswer()) {
                run->ended(m_answerClock.elapsed(), QStringLiteral("asked again"));
            }
            m_answerRuns.emplace_back(*format, now(), m_answerClock.elapsed());
            while (m_answerRuns.size() > size_t(MaxAnswerRuns)) {
                m_answerRuns.pop_front();
            }
            const QPointer<Stream> self(this);
            emit answerChanged();
            if (!self) {
                return;
            }
        }
        m_health.connecting(now(), attempt);
        if (!emitLifecycle("connecting",
                QStringLiteral("connecting to %1 (attempt %2)")
                    .arg(shownUrl(m_config.url))
                    .arg(attempt))) {
            return;
        }
        notifyHealth();
    });
    connect(source, &EventSource::responseReceived, this, [this](const ResponseHead &head) {
        m_diagnostics->responseReceived(head);
        m_pendingHead = head;
        m_healthDirty = true;
    });
    connect(source, &EventSource::opened, this, [this](int status) {
        m_diagnostics->opened(now());
        if (AnswerRun *run = runningAnswer()) {
            run->headersReceived(m_answerClock.elapsed());
        }
        const QByteArray protocol = m_eventSource ? m_eventSource->protocol() : QByteArray();
        m_health.opened(now(), {}, protocol);
        // As streamscope-cli's open line says it: "open 200 (HTTP/2)".
        if (!emitLifecycle("open",
                protocol.isEmpty() ? QStringLiteral("open %1").arg(status)
                                   : QStringLiteral("open %1 (%2)")
                                         .arg(status)
                                         .arg(QString::fromLatin1(protocol)))) {
            return;
        }
        notifyHealth();
    });
    connect(source, &EventSource::bytesReceived, this, [this](qint64 bytes) {
        const qint64 at = now();
        m_diagnostics->dataArrived(at);
        m_health.received(at, bytes);
        m_healthDirty = true;
    });
    connect(source, &EventSource::eventReceived, this, [this](const SseEvent &event) {
        const qint64 at = now();
        m_diagnostics->eventArrived(at, event.lastEventId, event.data);
        m_health.eventArrived(at, event.lastEventId);
        m_healthDirty = true;
        if (!emitRow(StreamEvent::Kind::Event, event.type, event.lastEventId, event.data, false)) {
            return;
        }
        if (AnswerRun *run = runningAnswer()) {
            run->eventArrived(m_answerClock.elapsed(), event.type, event.data);
            emit answerChanged();
        }
    });
    connect(source, &EventSource::retryApplied, this, [this](int ms) {
        m_health.retryApplied(ms);
        m_healthDirty = true;
    });
    connect(source, &EventSource::certificateWarning, this, &Stream::warnAboutCertificate);
    connect(source, &EventSource::errorOccurred, this, [this](const QString &message, int status) {
        const QString text = withStatus(message, status);
        if (AnswerRun *run = runningAnswer()) {
            run->ended(m_answerClock.elapsed(), text);
            const QPointer<Stream> self(this);
            emit answerChanged();
            if (!self) {
                return;
            }
        }
        m_health.failed(now(), text);
        m_healthDirty = true;
        emitLifecycle("error", text);
    });
    // Not an error: the message says how the stream resumes, and the reconnect row follows.
    connect(source, &EventSource::fellBehind, this, [this](const QString &message) {
        m_health.fellBehind(now(), message);
        m_healthDirty = true;
        emitLifecycle("behind", message);
    });
    connect(source, &EventSource::waiting, this, [this](const QString &message) {
        m_health.waiting(message);
        notifyHealth();
        if (!message.isEmpty()) {
            emitLifecycle("waiting", message);
        }
    });
    connect(source, &EventSource::reconnectScheduled, this, [this](int delayMs, int nextAttempt) {
        m_diagnostics->closed(now());
        m_health.reconnectScheduled(now(), delayMs);
        if (!emitLifecycle("reconnecting",
                QStringLiteral("reconnecting in %1 (attempt %2)")
                    .arg(duration(delayMs))
                    .arg(nextAttempt))) {
            return;
        }
        notifyHealth();
    });
    connect(source, &EventSource::closed, this, [this](EventSource::CloseReason reason) {
        if (reason != EventSource::CloseReason::Requested) {
            m_diagnostics->closed(now());
        }
        const QString lastError = m_health.snapshot(now()).lastError;
        switch (reason) {
        case EventSource::CloseReason::Requested:
            stopped(now(), false, QStringLiteral("closed"));
            break;
        case EventSource::CloseReason::NoContent:
            stopped(now(), false, QStringLiteral("closed: the server answered 204 No Content"));
            break;
        case EventSource::CloseReason::Fatal:
            stopped(now(), true, QStringLiteral("closed: %1").arg(lastError));
            break;
        case EventSource::CloseReason::GaveUp:
            stopped(
                now(), true, QStringLiteral("closed: gave up reconnecting (%1)").arg(lastError));
            break;
        case EventSource::CloseReason::Complete: {
            // The response ended; whether the answer did is the format's to say.
            if (AnswerRun *run = runningAnswer()) {
                run->ended(m_answerClock.elapsed());
                const QPointer<Stream> self(this);
                emit answerChanged();
                if (!self) {
                    return;
                }
            }
            const AnswerRun *last = m_answerRuns.empty() ? nullptr : &m_answerRuns.back();
            if (last && last->outcome() == AnswerRun::Outcome::Interrupted) {
                m_health.failed(now(), last->interruption());
                stopped(now(), true,
                    QStringLiteral("closed: interrupted (%1)").arg(last->interruption()));
            } else {
                stopped(now(), false, QStringLiteral("closed: complete"));
            }
            break;
        }
        case EventSource::CloseReason::Interrupted:
            stopped(now(), true,
                QStringLiteral("closed: interrupted (%1); one-shot, so not sent again: run it "
                               "again to retry")
                    .arg(lastError));
            break;
        }
    });
}

// The upgrade is the stream's open: what the server agreed to, as streamscope-cli says it.
template <typename Client>
void Stream::wireWebSocketOpened(Client *client, const WebSocketClient *socket)
{
    connect(client, &Client::opened, this, [this, socket] {
        m_diagnostics->opened(now());
        const QString subprotocol = socket->subprotocol();
        const QString extensions = socket->extensions();
        m_health.opened(now(), extensions);
        // What the server agreed to, as streamscope-cli's open line says it.
        QStringList agreed;
        if (!subprotocol.isEmpty()) {
            agreed.append(QStringLiteral("subprotocol %1").arg(subprotocol));
        }
        if (!extensions.isEmpty()) {
            agreed.append(extensions);
        }
        if (!emitLifecycle("open",
                agreed.isEmpty()
                    ? QStringLiteral("open")
                    : QStringLiteral("open (%1)").arg(agreed.join(QLatin1String(", "))))) {
            return;
        }
        notifyHealth();
    });
}

template <typename Client>
void Stream::wireWebSocketLifecycle(Client *client, const WebSocketClient *socket)
{
    connect(client, &Client::connecting, this, [this](int attempt) {
        m_health.connecting(now(), attempt);
        if (!emitLifecycle("connecting",
                QStringLiteral("connecting to %1 (attempt %2)")
                    .arg(shownUrl(m_config.url))
                    .arg(attempt))) {
            return;
        }
        notifyHealth();
    });
    connect(client, &Client::certificateWarning, this, &Stream::warnAboutCertificate);
    connect(socket, &WebSocketClient::responseReceived, this, [this](const ResponseHead &head) {
        m_diagnostics->responseReceived(head);
        m_pendingHead = head;
        m_healthDirty = true;
    });
    connect(client, &Client::errorOccurred, this, [this](const QString &message, int status) {
        const QString text = withStatus(message, status);
        m_health.failed(now(), text);
        m_healthDirty = true;
        emitLifecycle("error", text);
    });
    connect(client, &Client::disconnected, this, [this](int code, const QString &reason) {
        m_diagnostics->closed(now());
        emitLifecycle("disconnected",
            reason.isEmpty() ? QStringLiteral("disconnected (code %1)").arg(code)
                             : QStringLiteral("disconnected (code %1: %2)").arg(code).arg(reason));
    });
    connect(client, &Client::reconnectScheduled, this, [this](int delayMs, int nextAttempt) {
        m_health.reconnectScheduled(now(), delayMs);
        if (!emitLifecycle("reconnecting",
                QStringLiteral("reconnecting in %1 (attempt %2)")
                    .arg(duration(delayMs))
                    .arg(nextAttempt))) {
            return;
        }
        notifyHealth();
    });
    connect(client, &Client::roundTripMeasured, this, [this](int ms) {
        m_diagnostics->dataArrived(now()); // a pong: bytes from the other end
        m_health.roundTripMeasured(ms);
        m_healthDirty = true;
    });
    connect(socket, &WebSocketClient::messagesDropped, this, [this](quint64 total) {
        m_health.droppedTotal(total);
        m_healthDirty = true;
    });
    connect(client, &Client::closed, this, [this](WebSocketClient::CloseReason reason, int code) {
        const QString lastError = m_health.snapshot(now()).lastError;
        switch (reason) {
        case WebSocketClient::CloseReason::Requested:
            stopped(now(), false, QStringLiteral("closed (code %1)").arg(code));
            break;
        case WebSocketClient::CloseReason::Fatal:
            stopped(now(), true, QStringLiteral("closed: %1").arg(lastError));
            break;
        case WebSocketClient::CloseReason::GaveUp:
            stopped(
                now(), true, QStringLiteral("closed: gave up reconnecting (%1)").arg(lastError));
            break;
        }
    });
}

void Stream::wireWebSocket()
{
    WebSocketClient *client = m_webSocket.get();
    wireWebSocketLifecycle(client, client);
    wireWebSocketOpened(client, client);
    auto received = [this](const QByteArray &data, bool binary) {
        const qint64 at = now();
        messageArrived(at, data);
        m_health.received(at, data.size());
        m_health.eventArrived(at);
        m_healthDirty = true;
        emitRow(StreamEvent::Kind::Message, {}, {}, data, binary);
    };
    connect(client, &WebSocketClient::textMessageReceived, this,
        [received](const QByteArray &utf8) { received(utf8, false); });
    connect(client, &WebSocketClient::binaryMessageReceived, this,
        [received](const QByteArray &data) { received(data, true); });
    connect(
        client, &WebSocketClient::messageSent, this, [this](const QByteArray &data, bool binary) {
            emitRow(StreamEvent::Kind::Sent, {}, {}, data, binary);
        });
}

void Stream::wireSocketIo()
{
    SocketIoClient *client = m_socketIo.get();
    wireWebSocketLifecycle(client, client->webSocket());
    wireWebSocketOpened(client, client->webSocket());
    // The row's type is the event, with its namespace unless that is the default one.
    const auto typeOf = [](const QString &nameSpace, const QByteArray &event) {
        return nameSpace == QLatin1String("/") ? event : nameSpace.toUtf8() + ':' + event;
    };
    connect(client, &SocketIoClient::eventReceived, this,
        [this, typeOf](const QString &nameSpace, const QByteArray &event,
            const QByteArray &argsJson, bool binary) {
            const qint64 at = now();
            messageArrived(at, argsJson);
            m_health.received(at, argsJson.size());
            m_health.eventArrived(at);
            m_healthDirty = true;
            // Binary attachments are in the JSON already ({"_binary": base64}).
            Q_UNUSED(binary);
            emitRow(StreamEvent::Kind::Message, typeOf(nameSpace, event), {}, argsJson, false);
        });
    connect(client, &SocketIoClient::eventSent, this,
        [this, typeOf](
            const QString &nameSpace, const QByteArray &event, const QByteArray &argsJson, int) {
            emitRow(StreamEvent::Kind::Sent, typeOf(nameSpace, event), {}, argsJson, false);
        });
    connect(client, &SocketIoClient::ackReceived, this,
        [this](int id, const QByteArray &argsJson, int roundTripMs) {
            emitLifecycle("ack",
                QStringLiteral("ack %1 after %2 ms: %3")
                    .arg(id)
                    .arg(roundTripMs)
                    .arg(QString::fromUtf8(argsJson)));
        });
    connect(client, &SocketIoClient::namespaceJoined, this, [this](const QString &nameSpace) {
        emitLifecycle("joined", QStringLiteral("joined namespace %1").arg(nameSpace));
    });
    connect(client, &SocketIoClient::namespaceRefused, this,
        [this](const QString &nameSpace, const QString &message) {
            const QString text = QStringLiteral("namespace %1 refused: %2").arg(nameSpace, message);
            m_health.failed(now(), text);
            m_healthDirty = true;
            emitLifecycle("error", text);
        });
    connect(client, &SocketIoClient::protocolError, this, [this](const QString &message) {
        emitLifecycle(
            "error", QStringLiteral("Socket.IO: %1 (dropped; the stream goes on)").arg(message));
    });
}

void Stream::wireMqtt()
{
    MqttClient *client = m_mqtt.get();
    wireWebSocketLifecycle(client, client->webSocket());
    // "open" is the broker's CONNACK, not the upgrade.
    connect(client, &MqttClient::connected, this, [this](bool sessionPresent) {
        m_health.opened(now(), m_mqtt ? m_mqtt->webSocket()->extensions() : QString());
        if (emitLifecycle("open",
                QStringLiteral("open (MQTT %1, client id %2%3)")
                    .arg(m_config.mqttVersion5 ? QStringLiteral("5") : QStringLiteral("3.1.1"),
                        m_mqtt ? m_mqtt->clientId() : QString(),
                        sessionPresent ? QStringLiteral(", session present") : QString()))) {
            notifyHealth();
        }
    });
    connect(client, &MqttClient::messageReceived, this,
        [this](const QString &topic, const QByteArray &payload, int qos, bool retained,
            const QList<QPair<QString, QString>> &userProperties) {
            const qint64 at = now();
            if (!retained) {
                messageArrived(at, payload);
            }
            m_health.received(at, payload.size());
            if (!retained) {
                m_health.eventArrived(at); // a retained message is old news, not live traffic
            }
            m_healthDirty = true;
            const bool text = utf8::sanitized(payload) == payload;
            QByteArray details = "QoS: " + QByteArray::number(qos);
            for (const auto &[name, value] : userProperties) {
                details += "\nUser property: " + name.toUtf8() + " = " + value.toUtf8();
            }
            // The id column says what a topic's row cannot: kept from before.
            emitRow(StreamEvent::Kind::Message, topic.toUtf8(),
                retained ? QByteArrayLiteral("retained") : QByteArray(), payload, !text, details);
        });
    connect(client, &MqttClient::messageSent, this,
        [this](const QString &topic, const QByteArray &payload, int, bool) {
            emitRow(StreamEvent::Kind::Sent, topic.toUtf8(), {}, payload, false);
        });
    connect(client, &MqttClient::subscribed, this, [this](const QString &filter, int qos) {
        emitLifecycle(
            "subscribed", QStringLiteral("subscribed to %1 (QoS %2)").arg(filter).arg(qos));
    });
    const auto failure = [this](const QString &text) {
        m_health.failed(now(), text);
        m_healthDirty = true;
        emitLifecycle("error", text);
    };
    connect(client, &MqttClient::subscribeFailed, this,
        [failure](const QString &filter, const QString &reason) {
            failure(QStringLiteral("subscribing to %1 failed: %2").arg(filter, reason));
        });
    connect(client, &MqttClient::publishFailed, this,
        [failure](const QString &topic, const QString &reason) {
            failure(QStringLiteral("publishing to %1 failed: %2").arg(topic, reason));
        });
    connect(client, &MqttClient::refused, this, failure);
    connect(client, &MqttClient::protocolError, this, failure);
}

void Stream::messageArrived(qint64 nowMs, const QByteArray &payload)
{
    m_diagnostics->dataArrived(nowMs);
    m_diagnostics->eventArrived(nowMs, {}, payload);
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
