// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamconfig.h"

#include <QDialog>
#include <QHash>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QVBoxLayout;

namespace streamscope {

// Adds or edits one StreamConfig. Validates live as the user types: each problem is shown in
// red under its field, and OK stays disabled until there are none. Secret header values
// (maskedHeaderValue) show masked until "Show secrets" is ticked, so opening the dialog on a
// shared screen gives nothing away. Child widgets carry object names (the field's name, and
// "<field>Error" for its problem label) for tests and style.
class StreamDialog : public QDialog
{
    Q_OBJECT
public:
    explicit StreamDialog(QWidget *parent = nullptr);

    void setConfig(const StreamConfig &config);
    // What the fields say now, valid or not.
    StreamConfig config() const;
    // The problems shown now, as "field: message".
    QStringList problems() const;

    void accept() override;

private:
    QWidget *withError(QWidget *field, const QString &name, QWidget *hint = nullptr);
    QSpinBox *makeDelayBox(const QString &name);
    void revalidate();
    HeaderList parseHeaders(QStringList *problems) const;
    // A masked line still standing for a value it was given: that value; *used marks the
    // values taken, so two equal masks stand for two values in order.
    QPair<QByteArray, QByteArray> unmasked(
        const QPair<QByteArray, QByteArray> &header, QList<bool> *used) const;
    void setSecretsShown(bool shown);
    void showHeaders(const HeaderList &headers);
    void browseForCaFile();

    StreamConfig m_base; // fields the dialog does not show survive an edit
    QLineEdit *m_url;
    QLabel *m_transport;
    QLineEdit *m_name;
    QPlainTextEdit *m_headers;
    QCheckBox *m_showSecrets;
    HeaderList m_secretValues; // what the masked lines stand for
    bool m_secretsShown = false; // as the header text shows them now
    QGroupBox *m_sseGroup;
    QComboBox *m_method;
    QPlainTextEdit *m_body;
    QSpinBox *m_idleTimeout;
    QComboBox *m_http2; // the items in Http2Mode's order
    QComboBox *m_oneShot; // data: -1 automatic, 1 one-shot, 0 reconnecting
    QComboBox *m_tokens; // data: -1 automatic, else a TokenFormat
    QGroupBox *m_wsGroup;
    QPlainTextEdit *m_subprotocols;
    QPlainTextEdit *m_onOpenMessages;
    QSpinBox *m_pingInterval;
    QCheckBox *m_compression;
    QComboBox *m_protocol; // the items in StreamConfig::Protocol's order
    bool m_protocolChosen = false; // by the user or the config: no longer guessed from the URL
    QWidget *m_socketIoFields;
    QPlainTextEdit *m_namespaces;
    QLineEdit *m_socketIoAuth;
    QWidget *m_mqttFields;
    QPlainTextEdit *m_topics;
    QComboBox *m_mqttQos;
    QLineEdit *m_mqttUsername;
    QLineEdit *m_mqttPassword;
    QLineEdit *m_mqttClientId;
    QCheckBox *m_mqttVersion5;
    QGroupBox *m_tlsGroup;
    QLineEdit *m_caFile;
    QPushButton *m_browseCaFile;
    QCheckBox *m_ignoreCertificateErrors;
    QLabel *m_insecureWarning;
    QSpinBox *m_initialDelay;
    QSpinBox *m_maxDelay;
    QLabel *m_otherErrors; // problems of fields the dialog has no place for
    QDialogButtonBox *m_buttons;
    QHash<QString, QLabel *> m_errorLabels; // by field name
    QStringList m_problems;
};

} // namespace streamscope
