// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "eventsource.h" // HeaderList
#include "streamevent.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace streamscope {

// The selected log row in full: JSON pretty-printed, text as is, binary as a hex dump; with its
// stream, kind, type, id, time and size, and the connection's request headers (secrets masked).
class DetailPane : public QWidget
{
    Q_OBJECT
public:
    // Longer payloads are shown cut, with a note; Copy copies what is shown.
    static constexpr qsizetype MaxShownBytes = 1024 * 1024;

    explicit DetailPane(QWidget *parent = nullptr);

    void setEvent(const StreamEvent &event, const QString &streamName, const HeaderList &headers);
    void clear();
    // The payload as shown.
    QString text() const;

    // Pure formatting, for the pane and its tests.
    static QString formatPayload(const StreamEvent &event);
    static QString hexDump(const QByteArray &data);

private:
    void copy();

    QLabel *m_summary;
    QLabel *m_details; // what the row's columns do not show, such as MQTT user properties
    QLabel *m_headers;
    QPlainTextEdit *m_payload;
    QPushButton *m_copy;
};

} // namespace streamscope
