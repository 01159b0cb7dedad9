// SPDX-License-Identifier: GPL-3.0-or-later
#include "healthpanel.h"

#include "healthcolors.h"
#include "stream.h"

#include <QComboBox>
#include <QDateTime>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QStyle>
#include <QVBoxLayout>

namespace streamscope {

namespace {

QString clockTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss"));
}

QString duration(qint64 ms)
{
    if (ms < 0) {
        ms = 0;
    }
    const qint64 seconds = ms / 1000;
    if (seconds < 60) {
        return HealthPanel::tr("%1 s").arg(seconds);
    }
    if (seconds < 3600) {
        return HealthPanel::tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    }
    return HealthPanel::tr("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
}

QString dataSize(double bytes)
{
    return QLocale().formattedDataSize(qint64(bytes), 1, QLocale::DataSizeTraditionalFormat);
}

} // namespace

HealthPanel::HealthPanel(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel)
    , m_state(new QLabel)
    , m_details(new QWidget)
    , m_diagnosisBox(new QGroupBox(tr("Diagnosis")))
    , m_diagnosis(new QLabel)
    , m_sendBox(new QGroupBox(tr("Send")))
    , m_sendInput(new QComboBox)
    , m_sendMode(new QComboBox)
    , m_sendButton(new QPushButton(tr("Send")))
    , m_sendError(new QLabel)
{
    m_title->setObjectName(QStringLiteral("healthTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_state->setObjectName(QStringLiteral("healthState"));
    m_state->setFont(titleFont);

    // A grid, not a QFormLayout: on Qt 6.4 a form with hidden rows beside word-wrapped labels
    // writes past its height-for-width table (heap corruption, seen with valgrind).
    auto *form = new QGridLayout(m_details);
    form->setContentsMargins(0, 0, 0, 0);
    form->setColumnStretch(1, 1);
    addRow(form, tr("State:"), m_state);
    m_since = addRow(form, tr("Since:"), QStringLiteral("healthSince"));
    m_uptime = addRow(form, tr("Uptime:"), QStringLiteral("healthUptime"));
    m_protocol = addRow(form, tr("Protocol:"), QStringLiteral("healthProtocol"));
    m_reconnects = addRow(form, tr("Reconnects:"), QStringLiteral("healthReconnects"));
    m_fellBehind = addRow(form, tr("Fell behind:"), QStringLiteral("healthFellBehind"));
    m_nextAttempt = addRow(form, tr("Next attempt:"), QStringLiteral("healthNextAttempt"));
    m_lastError = addRow(form, tr("Last error:"), QStringLiteral("healthLastError"));
    m_events = addRow(form, tr("Events:"), QStringLiteral("healthEvents"));
    m_bytes = addRow(form, tr("Received:"), QStringLiteral("healthBytes"));
    m_eventRate = addRow(form, tr("Events/s:"), QStringLiteral("healthEventRate"));
    m_byteRate = addRow(form, tr("Bytes/s:"), QStringLiteral("healthByteRate"));
    m_lastEventId = addRow(form, tr("Last event ID:"), QStringLiteral("healthLastEventId"));
    m_serverRetry = addRow(form, tr("Server retry:"), QStringLiteral("healthServerRetry"));
    m_roundTrip = addRow(form, tr("Round trip:"), QStringLiteral("healthRoundTrip"));
    m_extensions = addRow(form, tr("Extensions:"), QStringLiteral("healthExtensions"));
    m_dropped = addRow(form, tr("Dropped:"), QStringLiteral("healthDropped"));
    m_tlsWarning = addRow(form, tr("TLS:"), QStringLiteral("healthTlsWarning"));
    m_tlsWarning->setWordWrap(true);
    m_tlsWarning->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_lastError->setWordWrap(true);
    m_lastError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fellBehind->setWordWrap(true);
    m_fellBehind->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_responses = addRow(form, tr("Responses:"), QStringLiteral("healthResponses"));
    m_responseHeaders = addRow(form, tr("Headers:"), QStringLiteral("healthResponseHeaders"));
    for (QLabel *evidence : {m_responses, m_responseHeaders}) {
        evidence->setWordWrap(true);
        evidence->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }

    m_diagnosisBox->setObjectName(QStringLiteral("diagnosisBox"));
    m_diagnosis->setObjectName(QStringLiteral("diagnosisText"));
    m_diagnosis->setWordWrap(true);
    m_diagnosis->setTextFormat(Qt::RichText);
    m_diagnosis->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *diagnosisLayout = new QVBoxLayout(m_diagnosisBox);
    diagnosisLayout->addWidget(m_diagnosis);

    m_sendBox->setObjectName(QStringLiteral("sendBox"));
    m_sendInput->setObjectName(QStringLiteral("sendInput"));
    m_sendInput->setEditable(true);
    m_sendInput->setInsertPolicy(QComboBox::NoInsert); // history is ours, newest first
    m_sendInput->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_sendInput->lineEdit()->setPlaceholderText(tr("Message; Enter sends, ▾ lists sent"));
    m_sendMode->setObjectName(QStringLiteral("sendMode"));
    m_sendMode->addItems({tr("Text"), tr("JSON")});
    m_sendMode->setToolTip(tr("JSON: checked and sent compact"));
    m_sendButton->setObjectName(QStringLiteral("sendButton"));
    m_sendError->setObjectName(QStringLiteral("sendError"));
    m_sendError->setWordWrap(true);
    QPalette errorPalette = m_sendError->palette();
    errorPalette.setColor(QPalette::WindowText, errorTextColor(palette()));
    m_sendError->setPalette(errorPalette);
    m_sendError->hide();
    // The message gets the full width; the narrow dock has no room for it beside the buttons.
    auto *sendRow = new QHBoxLayout;
    sendRow->addWidget(m_sendMode);
    sendRow->addStretch();
    sendRow->addWidget(m_sendButton);
    auto *sendLayout = new QVBoxLayout(m_sendBox);
    sendLayout->addWidget(m_sendInput);
    sendLayout->addLayout(sendRow);
    sendLayout->addWidget(m_sendError);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_details);
    layout->addWidget(m_diagnosisBox);
    layout->addWidget(m_sendBox);
    layout->addStretch();

    m_tick.setInterval(RefreshMs);
    connect(&m_tick, &QTimer::timeout, this, &HealthPanel::refresh);
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(100);
    connect(&m_coalesce, &QTimer::timeout, this, &HealthPanel::refresh);
    connect(m_sendButton, &QPushButton::clicked, this, &HealthPanel::send);
    connect(m_sendInput->lineEdit(), &QLineEdit::returnPressed, this, &HealthPanel::send);
    setStream(nullptr);
}

QLabel *HealthPanel::addRow(QGridLayout *form, const QString &label, const QString &name)
{
    auto *value = new QLabel;
    value->setObjectName(name);
    addRow(form, label, value);
    return value;
}

void HealthPanel::addRow(QGridLayout *form, const QString &label, QLabel *value)
{
    auto *name = new QLabel(label);
    // Placed as a form would place it on this style, level with the value's first line.
    name->setAlignment(
        Qt::Alignment(style()->styleHint(QStyle::SH_FormLayoutLabelAlignment)) | Qt::AlignTop);
    value->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    const int row = int(m_rowNames.size());
    form->addWidget(name, row, 0);
    form->addWidget(value, row, 1);
    m_rowNames.insert(value, name);
}

// A grid row whose widgets are all hidden takes no space.
void HealthPanel::showRow(QLabel *value, bool shown)
{
    value->setVisible(shown);
    m_rowNames.value(value)->setVisible(shown);
}

void HealthPanel::setStream(Stream *stream)
{
    if (m_stream) {
        disconnect(m_stream, nullptr, this, nullptr);
    }
    m_stream = stream;
    m_sendError->hide();
    if (stream) {
        connect(stream, &Stream::healthChanged, this, &HealthPanel::scheduleRefresh);
        connect(stream, &Stream::diagnosesChanged, this, &HealthPanel::scheduleRefresh);
        connect(stream, &QObject::destroyed, this, [this] { setStream(nullptr); });
        m_sendInput->clear();
        m_sendInput->addItems(m_history.value(stream->id()));
        m_sendInput->setCurrentText(QString());
    }
    refresh();
}

QString HealthPanel::stateText() const
{
    if (!m_stream) {
        return QString();
    }
    const HealthState state = m_stream->health().state;
    // A one-shot stream that got its whole answer is done, not merely disconnected.
    if (state == HealthState::Disconnected && !m_stream->answerRuns().empty()
        && m_stream->answerRuns().back().outcome() == AnswerRun::Outcome::Complete) {
        return tr("complete");
    }
    return healthStateName(state);
}

void HealthPanel::scheduleRefresh()
{
    if (!m_coalesce.isActive()) {
        m_coalesce.start();
    }
}

void HealthPanel::refresh()
{
    m_details->setVisible(!m_stream.isNull());
    m_diagnosisBox->setVisible(!m_stream.isNull());
    if (!m_stream) {
        m_title->setText(tr("No stream selected"));
        m_sendBox->hide();
        m_tick.stop();
        return;
    }
    const StreamConfig &config = m_stream->config();
    const bool webSocket = config.transport() == StreamConfig::Transport::WebSocket;
    m_title->setText(config.name);
    m_title->setToolTip(config.url.toDisplayString());
    m_sendBox->setVisible(webSocket);

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const StreamHealth health = m_stream->health();
    const bool reconnecting = health.state == HealthState::Reconnecting;
    // The countdown needs a fast tick only while it runs.
    const int interval = reconnecting ? CountdownRefreshMs : RefreshMs;
    if (!m_tick.isActive() || m_tick.interval() != interval) {
        m_tick.start(interval);
    }

    m_state->setText(health.waitingFor.isEmpty()
            ? stateText()
            : tr("%1, %2").arg(stateText(), health.waitingFor));
    QPalette statePalette = m_state->palette();
    statePalette.setColor(QPalette::WindowText, healthColor(health.state, palette()));
    m_state->setPalette(statePalette);
    m_since->setText(health.stateSinceMs > 0
            ? tr("%1 (%2 ago)")
                  .arg(clockTime(health.stateSinceMs), duration(now - health.stateSinceMs))
            : tr("-"));
    m_uptime->setText(health.openSinceMs > 0 ? duration(now - health.openSinceMs) : tr("-"));
    m_protocol->setText(QString::fromLatin1(health.protocol));
    m_reconnects->setText(QString::number(health.reconnects));
    if (health.timesFellBehind > 0) {
        m_fellBehind->setText(
            tr("%1 (last at %2): %3")
                .arg(health.timesFellBehind == 1 ? tr("1 time")
                                                 : tr("%1 times").arg(health.timesFellBehind),
                    clockTime(health.fellBehindAtMs), health.fellBehindMessage));
    } else {
        m_fellBehind->clear();
    }
    if (reconnecting) {
        const double seconds = qMax<qint64>(0, health.nextAttemptAtMs - now) / 1000.0;
        m_nextAttempt->setText(
            tr("attempt %1 in %2 s").arg(health.attempt + 1).arg(seconds, 0, 'f', 1));
    } else {
        m_nextAttempt->setText(tr("-"));
    }
    m_lastError->setText(health.lastError.isEmpty()
            ? tr("none")
            : tr("%1 at %2").arg(health.lastError, clockTime(health.lastErrorAtMs)));
    m_events->setText(QLocale().toString(health.events));
    m_bytes->setText(dataSize(double(health.bytes)));
    m_eventRate->setText(QLocale().toString(health.eventsPerSecond, 'f', 1));
    m_byteRate->setText(dataSize(health.bytesPerSecond) + tr("/s"));
    m_lastEventId->setText(
        health.lastEventId.isEmpty() ? tr("-") : QString::fromUtf8(health.lastEventId));
    m_serverRetry->setText(
        health.serverRetryMs >= 0 ? tr("%1 ms").arg(health.serverRetryMs) : tr("-"));
    m_roundTrip->setText(health.roundTripMs >= 0 ? tr("%1 ms").arg(health.roundTripMs) : tr("-"));
    m_extensions->setText(health.extensions.isEmpty() ? tr("none") : health.extensions);
    m_dropped->setText(QLocale().toString(health.dropped));
    m_tlsWarning->setText(health.tlsWarning);
    // The amber of a stale stream: it works, but something needs looking at.
    QPalette warningPalette = m_tlsWarning->palette();
    warningPalette.setColor(QPalette::WindowText, healthColor(HealthState::Stale, palette()));
    m_tlsWarning->setPalette(warningPalette);
    m_fellBehind->setPalette(warningPalette);

    // Rows that mean nothing for this transport are hidden, not shown as "-".
    showRow(m_lastEventId, !webSocket);
    showRow(m_serverRetry, !webSocket);
    showRow(m_roundTrip, webSocket);
    showRow(m_extensions, webSocket);
    showRow(m_tlsWarning, !health.tlsWarning.isEmpty());
    // SSE only, and only once there is something to say: before the first open no protocol is
    // known, and a stream that never fell behind needs no row for it.
    showRow(m_protocol, !webSocket && !health.protocol.isEmpty());
    showRow(m_fellBehind, !webSocket && health.timesFellBehind > 0);
    refreshDiagnosis();
}

void HealthPanel::refreshDiagnosis()
{
    const StreamDiagnostics *diagnostics = m_stream->diagnostics();
    // The evidence: every attempt's answer, and the latest one's headers in full.
    QStringList statusLines;
    QStringList headerLines;
    if (diagnostics) {
        const std::deque<ResponseHead> &heads = diagnostics->responses();
        for (auto head = heads.crbegin(); head != heads.crend(); ++head) {
            statusLines.append(tr("%1  %2 %3 %4")
                                   .arg(clockTime(head->atMs), QString::fromLatin1(head->protocol))
                                   .arg(head->status)
                                   .arg(QString::fromLatin1(head->reasonPhrase))
                                   .trimmed());
        }
        if (!heads.empty()) {
            for (const auto &[name, value] : heads.back().headers) {
                headerLines.append(QStringLiteral("%1: %2").arg(
                    QString::fromLatin1(name), maskedHeaderValue(name, value)));
            }
        }
    }
    m_responses->setText(statusLines.join(QLatin1Char('\n')));
    m_responseHeaders->setText(headerLines.join(QLatin1Char('\n')));
    showRow(m_responses, !statusLines.isEmpty());
    showRow(m_responseHeaders, !headerLines.isEmpty());

    // Each finding: what it is, since when, the evidence, and what to change. `code` in a fix
    // is a configuration line to copy.
    const auto rich = [](const QString &text) {
        QString html = text.toHtmlEscaped();
        static const QRegularExpression code(QStringLiteral("`([^`]+)`"));
        return html.replace(code, QStringLiteral("<code>\\1</code>"));
    };
    QStringList blocks;
    for (const Diagnosis &finding : m_stream->diagnoses()) {
        const QString seen = finding.firstSeenMs == finding.lastSeenMs
            ? tr("seen at %1").arg(clockTime(finding.firstSeenMs))
            : tr("first seen %1, last %2")
                  .arg(clockTime(finding.firstSeenMs), clockTime(finding.lastSeenMs));
        blocks.append(tr("<p><b>%1</b> <small>(%2)</small><br>%3<br><i>Fix:</i> %4</p>")
                          .arg(finding.title.toHtmlEscaped(), seen, rich(finding.evidence),
                              rich(finding.fix)));
    }
    if (diagnostics && diagnostics->resumeAudit() && diagnostics->resumeAudit()->isActive()) {
        const ResumeAudit &audit = *diagnostics->resumeAudit();
        for (auto connection = audit.connections().crbegin();
             connection != audit.connections().crend(); ++connection) {
            if (connection->reconnect) { // the latest resume, judged
                blocks.append(tr("<p>%1</p>").arg(audit.describe(*connection).toHtmlEscaped()));
                break;
            }
        }
    }
    m_diagnosis->setText(blocks.isEmpty()
            ? tr("Nothing wrong found between the server and this client.")
            : blocks.join(QString()));
}

void HealthPanel::send()
{
    if (!m_stream) {
        return;
    }
    const QString text = m_sendInput->currentText();
    if (text.isEmpty()) {
        return;
    }
    QByteArray payload = text.toUtf8();
    if (m_sendMode->currentIndex() == 1) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(payload, &error);
        if (error.error != QJsonParseError::NoError) {
            m_sendError->setText(
                tr("Not JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset));
            m_sendError->show();
            return;
        }
        payload = document.toJson(QJsonDocument::Compact);
    }
    m_sendError->hide();
    if (!m_stream->send(payload)) {
        m_sendError->setText(tr("Only a WebSocket stream can send."));
        m_sendError->show();
        return;
    }
    QStringList &history = m_history[m_stream->id()];
    history.removeAll(text);
    history.prepend(text);
    while (history.size() > MaxHistory) {
        history.removeLast();
    }
    m_sendInput->clear();
    m_sendInput->addItems(history);
    m_sendInput->setCurrentText(QString());
}

} // namespace streamscope
