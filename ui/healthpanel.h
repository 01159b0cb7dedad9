// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QGridLayout;
class QGroupBox;
class QLabel;
class QPushButton;

namespace streamscope {

class Stream;

// The selected stream's connection health in words, colour and figures, kept live; and for a
// WebSocket stream a send box with a history of what was sent.
class HealthPanel : public QWidget
{
    Q_OBJECT
public:
    static constexpr int RefreshMs = 1000;
    static constexpr int CountdownRefreshMs = 200; // while a reconnect is being counted down
    static constexpr int MaxHistory = 50;

    explicit HealthPanel(QWidget *parent = nullptr);

    // nullptr shows nothing. The stream is not owned; its removal is noticed.
    void setStream(Stream *stream);
    Stream *stream() const { return m_stream; }

    // The state as shown: "open", "reconnecting", ...
    QString stateText() const;

private:
    void scheduleRefresh();
    void refresh();
    void send();
    QLabel *addRow(QGridLayout *form, const QString &label, const QString &name);
    void addRow(QGridLayout *form, const QString &label, QLabel *value);
    void showRow(QLabel *value, bool shown);
    void refreshDiagnosis();

    QPointer<Stream> m_stream;
    QTimer m_tick; // uptime, rates and the countdown move without new facts
    QTimer m_coalesce; // one refresh for a burst of healthChanged
    QLabel *m_title;
    QLabel *m_state;
    QLabel *m_since;
    QLabel *m_uptime;
    QLabel *m_protocol;
    QLabel *m_reconnects;
    QLabel *m_fellBehind;
    QLabel *m_nextAttempt;
    QLabel *m_lastError;
    QLabel *m_events;
    QLabel *m_bytes;
    QLabel *m_eventRate;
    QLabel *m_byteRate;
    QLabel *m_lastEventId;
    QLabel *m_serverRetry;
    QLabel *m_roundTrip;
    QLabel *m_extensions;
    QLabel *m_dropped;
    QLabel *m_tlsWarning;
    QLabel *m_responses; // the latest attempts' status lines, newest first
    QLabel *m_responseHeaders; // of the latest response
    QWidget *m_details;
    QGroupBox *m_diagnosisBox;
    QLabel *m_diagnosis;
    QGroupBox *m_sendBox;
    QComboBox *m_sendInput;
    QComboBox *m_sendMode;
    QPushButton *m_sendButton;
    QLabel *m_sendError;
    QHash<int, QStringList> m_history; // sent messages by stream id, newest first
    QHash<QLabel *, QLabel *> m_rowNames; // the label beside each value
};

} // namespace streamscope
