#include "streamdialog.h"

#include "healthcolors.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

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

} // namespace

StreamDialog::StreamDialog(QWidget *parent)
    : QDialog(parent)
    , m_url(new QLineEdit)
    , m_transport(new QLabel)
    , m_name(new QLineEdit)
    , m_headers(makeLinesEdit(
          QStringLiteral("headers"), QStringLiteral("Authorization: Bearer ${env:API_TOKEN}")))
    , m_sseGroup(new QGroupBox(tr("Server-Sent Events")))
    , m_method(new QComboBox)
    , m_body(makeLinesEdit(QStringLiteral("body"), tr("Request body (optional)")))
    , m_idleTimeout(makeDelayBox(QStringLiteral("idleTimeoutMs")))
    , m_wsGroup(new QGroupBox(tr("WebSocket")))
    , m_subprotocols(makeLinesEdit(QStringLiteral("subprotocols"), tr("One per line")))
    , m_onOpenMessages(makeLinesEdit(
          QStringLiteral("onOpenMessages"), QStringLiteral("{\"subscribe\": \"metrics\"}")))
    , m_pingInterval(makeDelayBox(QStringLiteral("pingIntervalMs")))
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
    m_pingInterval->setSpecialValueText(tr("off"));
    m_otherErrors->setObjectName(QStringLiteral("otherErrors"));
    m_otherErrors->setWordWrap(true);
    m_otherErrors->hide();
    QPalette errorPalette = m_otherErrors->palette();
    errorPalette.setColor(QPalette::WindowText, errorTextColor(palette()));
    m_otherErrors->setPalette(errorPalette);

    auto *hint = new QLabel(
        tr("One \"Name: value\" per line. A value may be ${env:NAME}: read from the environment "
           "when connecting, so secrets stay out of workspace files."));
    hint->setWordWrap(true);
    hint->setEnabled(false); // the disabled text colour reads as a hint on any palette

    auto *form = new QFormLayout;
    form->addRow(tr("&URL:"), withError(m_url, QStringLiteral("url"), m_transport));
    form->addRow(tr("&Name:"), withError(m_name, QStringLiteral("name")));
    form->addRow(tr("&Headers:"), withError(m_headers, QStringLiteral("headers"), hint));

    auto *sseForm = new QFormLayout(m_sseGroup);
    sseForm->addRow(tr("&Method:"), withError(m_method, QStringLiteral("method")));
    sseForm->addRow(tr("&Body:"), withError(m_body, QStringLiteral("body")));
    sseForm->addRow(
        tr("&Idle timeout:"), withError(m_idleTimeout, QStringLiteral("idleTimeoutMs")));

    auto *wsForm = new QFormLayout(m_wsGroup);
    wsForm->addRow(tr("&Subprotocols:"), withError(m_subprotocols, QStringLiteral("subprotocols")));
    wsForm->addRow(
        tr("On-&open messages:"), withError(m_onOpenMessages, QStringLiteral("onOpenMessages")));
    wsForm->addRow(
        tr("&Ping interval:"), withError(m_pingInterval, QStringLiteral("pingIntervalMs")));

    auto *reconnect = new QGroupBox(tr("Reconnect"));
    auto *reconnectForm = new QFormLayout(reconnect);
    reconnectForm->addRow(
        tr("Initial &delay:"), withError(m_initialDelay, QStringLiteral("initialDelayMs")));
    reconnectForm->addRow(tr("Ma&x delay:"), withError(m_maxDelay, QStringLiteral("maxDelayMs")));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_sseGroup);
    layout->addWidget(m_wsGroup);
    layout->addWidget(reconnect);
    layout->addWidget(m_otherErrors);
    layout->addStretch();
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &StreamDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &StreamDialog::reject);
    connect(m_url, &QLineEdit::textChanged, this, &StreamDialog::revalidate);
    connect(m_name, &QLineEdit::textChanged, this, &StreamDialog::revalidate);
    connect(m_method, &QComboBox::currentTextChanged, this, &StreamDialog::revalidate);
    for (QPlainTextEdit *edit : {m_headers, m_body, m_subprotocols, m_onOpenMessages}) {
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
    QStringList headerLines;
    for (const auto &header : config.headers) {
        headerLines.append(headerLine(header));
    }
    m_headers->setPlainText(headerLines.join(QLatin1Char('\n')));
    m_method->setCurrentText(QString::fromUtf8(config.method));
    m_body->setPlainText(QString::fromUtf8(config.body));
    m_idleTimeout->setValue(config.idleTimeoutMs);
    m_subprotocols->setPlainText(config.subprotocols.join(QLatin1Char('\n')));
    QStringList messages;
    for (const QByteArray &message : config.onOpenMessages) {
        messages.append(QString::fromUtf8(message));
    }
    m_onOpenMessages->setPlainText(messages.join(QLatin1Char('\n')));
    m_pingInterval->setValue(config.pingIntervalMs);
    m_initialDelay->setValue(config.initialDelayMs);
    m_maxDelay->setValue(config.maxDelayMs);
    revalidate();
}

HeaderList StreamDialog::parseHeaders(QStringList *problems) const
{
    HeaderList headers;
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
        headers.append(header);
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
    config.subprotocols = nonEmptyLines(m_subprotocols->toPlainText());
    config.onOpenMessages.clear();
    for (const QString &message : nonEmptyLines(m_onOpenMessages->toPlainText())) {
        config.onOpenMessages.append(message.toUtf8());
    }
    config.pingIntervalMs = m_pingInterval->value();
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
