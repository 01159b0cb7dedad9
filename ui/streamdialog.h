#pragma once

#include "streamconfig.h"

#include <QDialog>
#include <QHash>

class QComboBox;
class QDialogButtonBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QVBoxLayout;

namespace streamscope {

// Adds or edits one StreamConfig. Validates live as the user types: each problem is shown in
// red under its field, and OK stays disabled until there are none. Child widgets carry object
// names (the field's name, and "<field>Error" for its problem label) for tests and style.
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

    StreamConfig m_base; // fields the dialog does not show survive an edit
    QLineEdit *m_url;
    QLabel *m_transport;
    QLineEdit *m_name;
    QPlainTextEdit *m_headers;
    QGroupBox *m_sseGroup;
    QComboBox *m_method;
    QPlainTextEdit *m_body;
    QSpinBox *m_idleTimeout;
    QGroupBox *m_wsGroup;
    QPlainTextEdit *m_subprotocols;
    QPlainTextEdit *m_onOpenMessages;
    QSpinBox *m_pingInterval;
    QSpinBox *m_initialDelay;
    QSpinBox *m_maxDelay;
    QLabel *m_otherErrors; // problems of fields the dialog has no place for
    QDialogButtonBox *m_buttons;
    QHash<QString, QLabel *> m_errorLabels; // by field name
    QStringList m_problems;
};

} // namespace streamscope
