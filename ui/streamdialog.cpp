// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamdialog.h"

#include "healthcolors.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace streamscope {

namespace {

constexpr int MaxDelayMs = 24 * 3600 * 1000;

QStringList nonEmptyLines(const QString &text)
{
    QStringList lines;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        if (!line.trimmed().isEmpty()) {
            lines.append(line.trimmed());
        }
    }
    return lines;
}

// "headers[2].name" and "headers" both belong under the headers field.
QString baseField(const QString &field)
{
    qsizetype end = field.size();
    for (const QChar stop : {QLatin1Char('['), QLatin1Char('.')}) {
        const qsizetype at = field.indexOf(stop);
        if (at >= 0 && at < end) {
            end = at;
        }
    }
    return field.left(end);
}

QPlainTextEdit *makeLinesEdit(const QString &name, const QString &placeholder)
{
    auto *edit = new QPlainTextEdit;
    edit->setObjectName(name);
    edit->setPlaceholderText(placeholder);
    edit->setTabChangesFocus(true);
    edit->setFixedHeight(edit->fontMetrics().lineSpacing() * 4 + 12);
    return edit;
}

QString http2ModeText(Http2Mode mode)
{
    switch (mode) {
    case Http2Mode::Off:
        return StreamDialog::tr("Off (HTTP/1.1 only)");
    case Http2Mode::PriorKnowledge:
        return StreamDialog::tr("Prior knowledge (h2c on http://)");
    case Http2Mode::Auto:
        break;
    }
    return StreamDialog::tr("Auto (what TLS negotiates)");
}

QLabel *makeErrorLabel(const QPalette &palette)
{
    auto *label = new QLabel;
    label->setWordWrap(true);
    QPalette errorPalette = label->palette();
    errorPalette.setColor(QPalette::WindowText, errorTextColor(palette));
    label->setPalette(errorPalette);
    return label;
}

} // namespace

StreamDialog::StreamDialog(QWidget *parent)
    : QDialog(parent)
    , m_url(new QLineEdit)
    , m_transport(new QLabel)
    , m_name(new QLineEdit)
    , m_headers(makeLinesEdit(
          QStringLiteral("headers"), QStringLiteral("Authorization: Bearer ${env:API_TOKEN}")))
    , m_showSecrets(new QCheckBox(tr("Show secrets")))
    , m_sseGroup(new QGroupBox(tr("Server-Sent Events")))
    , m_method(new QComboBox)
    , m_body(makeLinesEdit(QStringLiteral("body"), tr("Request body (optional)")))
    , m_idleTimeout(makeDelayBox(QStringLiteral("idleTimeoutMs")))
    , m_http2(new QComboBox)
    , m_oneShot(new QComboBox)
    , m_tokens(new QComboBox)
    , m_wsGroup(new QGroupBox(tr("WebSocket")))
    , m_subprotocols(makeLinesEdit(QStringLiteral("subprotocols"), tr("One per line")))
    , m_onOpenMessages(makeLinesEdit(
          QStringLiteral("onOpenMessages"), QStringLiteral("{\"subscribe\": \"metrics\"}")))
    , m_pingInterval(makeDelayBox(QStringLiteral("pingIntervalMs")))
    , m_compression(new QCheckBox(tr("Comp&ress messages (permessage-deflate)")))
    , m_protocol(new QComboBox)
    , m_socketIoFields(new QWidget)
    , m_namespaces(makeLinesEdit(QStringLiteral("namespaces"), tr("/ (one per line)")))
    , m_socketIoAuth(new QLineEdit)
    , m_mqttFields(new QWidget)
    , m_topics(makeLinesEdit(QStringLiteral("topics"), QStringLiteral("sensors/+/temperature")))
    , m_mqttQos(new QComboBox)
    , m_mqttUsername(new QLineEdit)
    , m_mqttPassword(new QLineEdit)
    , m_mqttClientId(new QLineEdit)
    , m_mqttVersion5(new QCheckBox(tr("MQTT &5 (else 3.1.1)")))
    , m_tlsGroup(new QGroupBox(tr("TLS")))
    , m_caFile(new QLineEdit)
    , m_browseCaFile(new QPushButton(tr("Bro&wse…")))
    , m_ignoreCertificateErrors(new QCheckBox(tr("I&gnore certificate errors (insecure)")))
    , m_insecureWarning(makeErrorLabel(palette()))
    , m_initialDelay(makeDelayBox(QStringLiteral("initialDelayMs")))
    , m_maxDelay(makeDelayBox(QStringLiteral("maxDelayMs")))
    , m_otherErrors(new QLabel)
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setWindowTitle(tr("Stream"));
    m_url->setObjectName(QStringLiteral("url"));
    m_url->setPlaceholderText(QStringLiteral("https://host/events or wss://host/socket"));
    m_transport->setObjectName(QStringLiteral("transport"));
    m_name->setObjectName(QStringLiteral("name"));
    m_name->setPlaceholderText(tr("Shown in the sidebar and the log"));
    m_sseGroup->setObjectName(QStringLiteral("sseGroup"));
    m_wsGroup->setObjectName(QStringLiteral("wsGroup"));
    m_method->setObjectName(QStringLiteral("method"));
    m_method->setEditable(true);
    m_method->addItems({QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT")});
    m_idleTimeout->setSpecialValueText(tr("off"));
    m_http2->setObjectName(QStringLiteral("http2"));
    for (const Http2Mode mode : {Http2Mode::Auto, Http2Mode::Off, Http2Mode::PriorKnowledge}) {
        m_http2->addItem(http2ModeText(mode), QVariant::fromValue(int(mode)));
    }
    m_http2->setToolTip(
        tr("Auto: HTTP/2 when the https server offers it in the TLS handshake, HTTP/1.1 "
           "otherwise and on http://. Off: HTTP/1.1 only, for a proxy or server that mishandles "
           "HTTP/2. Prior knowledge: HTTP/2 from the first byte without asking, for an http:// "
           "server known to speak cleartext HTTP/2 (h2c); one that does not will fail to "
           "connect."));
    m_oneShot->setObjectName(QStringLiteral("oneShot"));
    m_oneShot->addItem(tr("Automatic: one-shot when it POSTs a body"), -1);
    m_oneShot->addItem(tr("One-shot: one answer, never sent again by itself"), 1);
    m_oneShot->addItem(tr("Stream: reconnect whenever it ends"), 0);
    m_oneShot->setToolTip(
        tr("A one-shot request (an LLM's, say) would be billed again and answered differently "
           "if it were sent again: it ends as complete or interrupted, and Reconnect Now "
           "(Ctrl+R) runs it again."));
    m_tokens->setObjectName(QStringLiteral("tokens"));
    m_tokens->addItem(tr("Automatic: detected on one-shot streams"), -1);
    m_tokens->addItem(tr("Detect the format"), int(TokenFormat::Auto));
    m_tokens->addItem(tr("OpenAI Chat Completions"), int(TokenFormat::OpenAiChat));
    m_tokens->addItem(tr("OpenAI Responses"), int(TokenFormat::OpenAiResponses));
    m_tokens->addItem(tr("Anthropic Messages"), int(TokenFormat::Anthropic));
    m_tokens->setToolTip(tr("LLM answer streams get a token view: the answer as it grows, time "
                            "to first token, tokens/s and the gaps between tokens."));
    m_pingInterval->setSpecialValueText(tr("off"));
    m_protocol->setObjectName(QStringLiteral("protocol"));
    m_protocol->addItems({tr("WebSocket messages"), tr("Socket.IO"), tr("MQTT")});
    m_protocol->setToolTip(tr("What speaks over the WebSocket: rows of Socket.IO streams are "
                              "typed by event name, those of MQTT streams by topic"));
    m_socketIoAuth->setObjectName(QStringLiteral("socketIoAuth"));
    m_socketIoAuth->setPlaceholderText(QStringLiteral("{\"token\": \"${env:SIO_TOKEN}\"}"));
    m_mqttQos->setObjectName(QStringLiteral("mqttQos"));
    m_mqttQos->addItems({tr("0: at most once"), tr("1: at least once")});
    m_mqttUsername->setObjectName(QStringLiteral("mqttUsername"));
    m_mqttPassword->setObjectName(QStringLiteral("mqttPassword"));
    m_mqttPassword->setEchoMode(QLineEdit::Password);
    m_mqttPassword->setPlaceholderText(QStringLiteral("${env:MQTT_PASSWORD}"));
    m_mqttClientId->setObjectName(QStringLiteral("mqttClientId"));
    m_mqttClientId->setPlaceholderText(tr("generated when empty"));
    m_mqttVersion5->setObjectName(QStringLiteral("mqttVersion5"));
    m_compression->setObjectName(QStringLiteral("compression"));
    m_compression->setToolTip(
        tr("Offered to the server, which may decline. Turn off for a server or proxy that "
           "mishandles it."));
    m_showSecrets->setObjectName(QStringLiteral("showSecrets"));
    m_showSecrets->setToolTip(tr("Authorization, Proxy-Authorization and Cookie values"));
    m_tlsGroup->setObjectName(QStringLiteral("tlsGroup"));
    m_caFile->setObjectName(QStringLiteral("caCertificatesFile"));
    m_caFile->setPlaceholderText(tr("PEM file of a private CA or a self-signed server"));
    m_browseCaFile->setObjectName(QStringLiteral("browseCaFile"));
    m_ignoreCertificateErrors->setObjectName(QStringLiteral("ignoreCertificateErrors"));
    m_insecureWarning->setObjectName(QStringLiteral("insecureWarning"));
    m_insecureWarning->setText(
        tr("The server will not be authenticated: anyone on the way can read or change this "
           "stream and its headers. Use a CA file instead where you can."));
    m_insecureWarning->hide();
    m_otherErrors->setObjectName(QStringLiteral("otherErrors"));
    m_otherErrors->setWordWrap(true);
    m_otherErrors->hide();
    QPalette errorPalette = m_otherErrors->palette();
    errorPalette.setColor(QPalette::WindowText, errorTextColor(palette()));
    m_otherErrors->setPalette(errorPalette);

    auto *hintText = new QLabel(
        tr("One \"Name: value\" per line. A value may be ${env:NAME}: read from the environment "
           "when connecting, so secrets stay out of workspace files. Secret values show as "
           "•••: edit them with Show secrets ticked."));
    hintText->setWordWrap(true);
    hintText->setEnabled(false); // the disabled text colour reads as a hint on any palette
    auto *hint = new QWidget;
    auto *hintLayout = new QVBoxLayout(hint);
    hintLayout->setContentsMargins(0, 0, 0, 0);
    hintLayout->addWidget(hintText);
    hintLayout->addWidget(m_showSecrets);

    auto *form = new QFormLayout;
    form->addRow(tr("&URL:"), withError(m_url, QStringLiteral("url"), m_transport));
    form->addRow(tr("&Name:"), withError(m_name, QStringLiteral("name")));
    form->addRow(tr("&Headers:"), withError(m_headers, QStringLiteral("headers"), hint));

    auto *sseForm = new QFormLayout(m_sseGroup);
    sseForm->addRow(tr("&Method:"), withError(m_method, QStringLiteral("method")));
    sseForm->addRow(tr("&Body:"), withError(m_body, QStringLiteral("body")));
    sseForm->addRow(
        tr("&Idle timeout:"), withError(m_idleTimeout, QStringLiteral("idleTimeoutMs")));
    sseForm->addRow(tr("HTTP/&2:"), m_http2);
    sseForm->addRow(tr("Requests:"), m_oneShot);
    sseForm->addRow(tr("Token view:"), m_tokens);

    auto *wsForm = new QFormLayout(m_wsGroup);
    wsForm->addRow(tr("&Subprotocols:"), withError(m_subprotocols, QStringLiteral("subprotocols")));
    wsForm->addRow(
        tr("On-&open messages:"), withError(m_onOpenMessages, QStringLiteral("onOpenMessages")));
    wsForm->addRow(
        tr("&Ping interval:"), withError(m_pingInterval, QStringLiteral("pingIntervalMs")));
    wsForm->addRow(m_compression);
    wsForm->addRow(tr("Protoco&l:"), m_protocol);
    auto *socketIoForm = new QFormLayout(m_socketIoFields);
    socketIoForm->setContentsMargins(0, 0, 0, 0);
    socketIoForm->addRow(tr("Namespac&es:"), withError(m_namespaces, QStringLiteral("namespaces")));
    socketIoForm->addRow(tr("&Auth:"), m_socketIoAuth);
    wsForm->addRow(m_socketIoFields);
    auto *mqttForm = new QFormLayout(m_mqttFields);
    mqttForm->setContentsMargins(0, 0, 0, 0);
    mqttForm->addRow(tr("&Topics:"), withError(m_topics, QStringLiteral("topics")));
    mqttForm->addRow(tr("&QoS:"), withError(m_mqttQos, QStringLiteral("qos")));
    mqttForm->addRow(tr("User name:"), m_mqttUsername);
    mqttForm->addRow(tr("Password:"), m_mqttPassword);
    mqttForm->addRow(tr("Client id:"), m_mqttClientId);
    mqttForm->addRow(m_mqttVersion5);
    wsForm->addRow(m_mqttFields);

    auto *caRow = new QWidget;
    auto *caLayout = new QHBoxLayout(caRow);
    caLayout->setContentsMargins(0, 0, 0, 0);
    caLayout->addWidget(m_caFile, 1);
    caLayout->addWidget(m_browseCaFile);
    auto *tlsForm = new QFormLayout(m_tlsGroup);
    tlsForm->addRow(tr("&CA file:"), withError(caRow, QStringLiteral("caCertificatesFile")));
    tlsForm->addRow(m_ignoreCertificateErrors);
    tlsForm->addRow(m_insecureWarning);

    auto *reconnect = new QGroupBox(tr("Reconnect"));
    auto *reconnectForm = new QFormLayout(reconnect);
    reconnectForm->addRow(
        tr("Initial &delay:"), withError(m_initialDelay, QStringLiteral("initialDelayMs")));
    reconnectForm->addRow(tr("Ma&x delay:"), withError(m_maxDelay, QStringLiteral("maxDelayMs")));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_sseGroup);
    layout->addWidget(m_wsGroup);
    layout->addWidget(m_tlsGroup);
    layout->addWidget(reconnect);
    layout->addWidget(m_otherErrors);
    layout->addStretch();
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &StreamDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &StreamDialog::reject);
    connect(m_url, &QLineEdit::textChanged, this, &StreamDialog::revalidate);
    connect(m_protocol, &QComboBox::activated, this, [this] {
        m_protocolChosen = true;
        revalidate();
    });
    connect(m_name, &QLineEdit::textChanged, this, &StreamDialog::revalidate);
    connect(m_method, &QComboBox::currentTextChanged, this, &StreamDialog::revalidate);
    connect(m_caFile, &QLineEdit::textChanged, this, &StreamDialog::revalidate);
    connect(m_ignoreCertificateErrors, &QCheckBox::toggled, this, &StreamDialog::revalidate);
    connect(m_browseCaFile, &QPushButton::clicked, this, &StreamDialog::browseForCaFile);
    connect(m_showSecrets, &QCheckBox::toggled, this, &StreamDialog::setSecretsShown);
    for (QPlainTextEdit *edit :
        {m_headers, m_body, m_subprotocols, m_onOpenMessages, m_namespaces, m_topics}) {
        connect(edit, &QPlainTextEdit::textChanged, this, &StreamDialog::revalidate);
    }
    for (QSpinBox *box : {m_idleTimeout, m_pingInterval, m_initialDelay, m_maxDelay}) {
        connect(box, &QSpinBox::valueChanged, this, &StreamDialog::revalidate);
    }
    setConfig(StreamConfig());
}

QWidget *StreamDialog::withError(QWidget *field, const QString &name, QWidget *hint)
{
    auto *error = new QLabel;
    error->setObjectName(name + QStringLiteral("Error"));
    error->setWordWrap(true);
    QPalette errorPalette = error->palette();
    errorPalette.setColor(QPalette::WindowText, errorTextColor(palette()));
    error->setPalette(errorPalette);
    error->hide();
    m_errorLabels.insert(name, error);

    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(field);
    if (hint) {
        layout->addWidget(hint);
    }
    layout->addWidget(error);
    return box;
}

QSpinBox *StreamDialog::makeDelayBox(const QString &name)
{
    auto *box = new QSpinBox;
    box->setObjectName(name);
    box->setRange(0, MaxDelayMs);
    box->setSingleStep(500);
    box->setSuffix(QStringLiteral(" ms"));
    box->setAccelerated(true);
    return box;
}

void StreamDialog::setConfig(const StreamConfig &config)
{
    m_base = config;
    const QSignalBlocker blockUrl(m_url);
    m_url->setText(config.url.toString());
    m_name->setText(config.name);
    showHeaders(config.headers);
    m_method->setCurrentText(QString::fromUtf8(config.method));
    m_body->setPlainText(QString::fromUtf8(config.body));
    m_idleTimeout->setValue(config.idleTimeoutMs);
    m_http2->setCurrentIndex(std::max(0, m_http2->findData(int(config.http2))));
    m_oneShot->setCurrentIndex(
        std::max(0, m_oneShot->findData(config.oneShot ? int(*config.oneShot) : -1)));
    m_tokens->setCurrentIndex(
        std::max(0, m_tokens->findData(config.tokens ? int(*config.tokens) : -1)));
    m_subprotocols->setPlainText(config.subprotocols.join(QLatin1Char('\n')));
    QStringList messages;
    for (const QByteArray &message : config.onOpenMessages) {
        messages.append(QString::fromUtf8(message));
    }
    m_onOpenMessages->setPlainText(messages.join(QLatin1Char('\n')));
    m_pingInterval->setValue(config.pingIntervalMs);
    m_compression->setChecked(config.compression);
    // A stream saved as raw WebSocket may still be guessed afresh while its URL is edited.
    m_protocolChosen = config.protocol != StreamConfig::Protocol::WebSocket;
    m_protocol->setCurrentIndex(int(config.protocol));
    m_namespaces->setPlainText(config.namespaces.join(QLatin1Char('\n')));
    m_socketIoAuth->setText(QString::fromUtf8(config.socketIoAuth));
    m_topics->setPlainText(config.topics.join(QLatin1Char('\n')));
    m_mqttQos->setCurrentIndex(config.mqttQos == 1 ? 1 : 0);
    m_mqttUsername->setText(QString::fromUtf8(config.mqttUsername));
    m_mqttPassword->setText(QString::fromUtf8(config.mqttPassword));
    m_mqttClientId->setText(config.mqttClientId);
    m_mqttVersion5->setChecked(config.mqttVersion5);
    m_caFile->setText(config.caCertificatesFile);
    m_ignoreCertificateErrors->setChecked(config.ignoreCertificateErrors);
    m_initialDelay->setValue(config.initialDelayMs);
    m_maxDelay->setValue(config.maxDelayMs);
    revalidate();
}

void StreamDialog::showHeaders(const HeaderList &headers)
{
    m_secretValues = headers;
    QStringList lines;
    for (const auto &[name, value] : headers) {
        lines.append(m_secretsShown
                ? headerLine({name, value})
                : QString::fromUtf8(name) + QStringLiteral(": ") + maskedHeaderValue(name, value));
    }
    m_headers->setPlainText(lines.join(QLatin1Char('\n')));
}

void StreamDialog::setSecretsShown(bool shown)
{
    if (shown == m_secretsShown) {
        return;
    }
    // What each line means now, before it is shown the other way. A line that does not parse
    // stays as typed, so its problem stays in view.
    const QStringList lines = m_headers->toPlainText().split(QLatin1Char('\n'));
    QList<bool> used(m_secretValues.size(), false);
    HeaderList values;
    QStringList shownLines;
    for (const QString &line : lines) {
        QPair<QByteArray, QByteArray> header;
        if (!parseHeaderLine(line.trimmed(), &header, nullptr)) {
            shownLines.append(line);
            continue;
        }
        header = unmasked(header, &used);
        values.append(header);
        shownLines.append(shown ? headerLine(header)
                                : QString::fromUtf8(header.first) + QStringLiteral(": ")
                    + maskedHeaderValue(header.first, header.second));
    }
    m_secretValues = values;
    m_secretsShown = shown;
    m_headers->setPlainText(shownLines.join(QLatin1Char('\n')));
}

QPair<QByteArray, QByteArray> StreamDialog::unmasked(
    const QPair<QByteArray, QByteArray> &header, QList<bool> *used) const
{
    if (m_secretsShown || !isSecretHeader(header.first)) {
        return header;
    }
    for (qsizetype i = 0; i < m_secretValues.size(); ++i) {
        const auto &[name, value] = m_secretValues.at(i);
        if (!used->at(i) && name.compare(header.first, Qt::CaseInsensitive) == 0
            && maskedHeaderValue(name, value).toUtf8() == header.second) {
            (*used)[i] = true;
            return {header.first, value};
        }
    }
    return header; // typed while masked: taken as typed
}

void StreamDialog::browseForCaFile()
{
    const QString current = m_caFile->text().trimmed();
    auto *dialog = new QFileDialog(this, tr("CA Certificates File"),
        current.isEmpty() ? QDir::homePath() : current,
        tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"));
    dialog->setObjectName(QStringLiteral("caFileDialog"));
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this,
        [this](const QString &file) { m_caFile->setText(QDir::toNativeSeparators(file)); });
    dialog->open();
}

HeaderList StreamDialog::parseHeaders(QStringList *problems) const
{
    HeaderList headers;
    QList<bool> used(m_secretValues.size(), false);
    const QStringList lines = m_headers->toPlainText().split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty()) {
            continue;
        }
        QPair<QByteArray, QByteArray> header;
        QString error;
        if (!parseHeaderLine(line, &header, &error)) {
            problems->append(tr("line %1: %2").arg(i + 1).arg(error));
            continue;
        }
        headers.append(unmasked(header, &used));
    }
    return headers;
}

StreamConfig StreamDialog::config() const
{
    StreamConfig config = m_base;
    config.url = QUrl(m_url->text().trimmed());
    config.name = m_name->text().trimmed();
    QStringList ignored;
    config.headers = parseHeaders(&ignored);
    config.method = m_method->currentText().trimmed().toUtf8();
    config.body = m_body->toPlainText().toUtf8();
    config.idleTimeoutMs = m_idleTimeout->value();
    config.http2 = Http2Mode(m_http2->currentData().toInt());
    const int oneShot = m_oneShot->currentData().toInt();
    config.oneShot = oneShot < 0 ? std::nullopt : std::optional<bool>(oneShot == 1);
    const int tokens = m_tokens->currentData().toInt();
    config.tokens = tokens < 0 ? std::nullopt : std::optional<TokenFormat>(TokenFormat(tokens));
    config.subprotocols = nonEmptyLines(m_subprotocols->toPlainText());
    config.onOpenMessages.clear();
    for (const QString &message : nonEmptyLines(m_onOpenMessages->toPlainText())) {
        config.onOpenMessages.append(message.toUtf8());
    }
    config.pingIntervalMs = m_pingInterval->value();
    config.compression = m_compression->isChecked();
    config.protocol = m_protocolChosen
        ? StreamConfig::Protocol(m_protocol->currentIndex())
        : StreamConfig::guessProtocol(config.url, config.subprotocols);
    config.namespaces = nonEmptyLines(m_namespaces->toPlainText());
    config.socketIoAuth = m_socketIoAuth->text().trimmed().toUtf8();
    config.topics = nonEmptyLines(m_topics->toPlainText());
    config.mqttQos = m_mqttQos->currentIndex();
    config.mqttUsername = m_mqttUsername->text().toUtf8();
    config.mqttPassword = m_mqttPassword->text().toUtf8();
    config.mqttClientId = m_mqttClientId->text().trimmed();
    config.mqttVersion5 = m_mqttVersion5->isChecked();
    config.caCertificatesFile = m_caFile->text().trimmed();
    config.ignoreCertificateErrors = m_ignoreCertificateErrors->isChecked();
    config.initialDelayMs = m_initialDelay->value();
    config.maxDelayMs = m_maxDelay->value();
    return config;
}

QStringList StreamDialog::problems() const
{
    return m_problems;
}

void StreamDialog::revalidate()
{
    const StreamConfig current = config();
    const StreamConfig::Transport transport = current.transport();
    m_sseGroup->setVisible(transport == StreamConfig::Transport::Sse);
    m_wsGroup->setVisible(transport == StreamConfig::Transport::WebSocket);
    if (!m_protocolChosen) {
        m_protocol->setCurrentIndex(int(current.protocol)); // the guess, shown
    }
    m_socketIoFields->setVisible(current.protocol == StreamConfig::Protocol::SocketIo);
    m_mqttFields->setVisible(current.protocol == StreamConfig::Protocol::Mqtt);
    m_tlsGroup->setVisible(current.usesTls());
    m_insecureWarning->setVisible(m_ignoreCertificateErrors->isChecked());
    switch (transport) {
    case StreamConfig::Transport::Sse:
        m_transport->setText(tr("Server-Sent Events"));
        break;
    case StreamConfig::Transport::WebSocket:
        m_transport->setText(tr("WebSocket"));
        break;
    case StreamConfig::Transport::Invalid:
        m_transport->setText(tr("http://, https:// (SSE) or ws://, wss:// (WebSocket)"));
        break;
    }

    QHash<QString, QStringList> byField;
    QStringList headerProblems;
    parseHeaders(&headerProblems);
    if (!headerProblems.isEmpty()) {
        byField[QStringLiteral("headers")] = headerProblems;
    }
    for (const StreamConfig::Problem &problem : current.validate()) {
        byField[baseField(problem.field)].append(problem.message);
    }

    m_problems.clear();
    QStringList other;
    for (auto it = byField.cbegin(); it != byField.cend(); ++it) {
        for (const QString &message : it.value()) {
            m_problems.append(it.key() + QStringLiteral(": ") + message);
        }
        if (!m_errorLabels.contains(it.key())) {
            for (const QString &message : it.value()) {
                other.append(it.key() + QStringLiteral(": ") + message);
            }
        }
    }
    m_problems.sort();
    for (auto it = m_errorLabels.cbegin(); it != m_errorLabels.cend(); ++it) {
        const QStringList messages = byField.value(it.key());
        it.value()->setText(messages.join(QLatin1Char('\n')));
        it.value()->setVisible(!messages.isEmpty());
    }
    m_otherErrors->setText(other.join(QLatin1Char('\n')));
    m_otherErrors->setVisible(!other.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_problems.isEmpty());
}

void StreamDialog::accept()
{
    revalidate();
    if (!m_problems.isEmpty()) {
        return;
    }
    QDialog::accept();
}

} // namespace streamscope
