// SPDX-License-Identifier: GPL-3.0-or-later
#include "detailpane.h"

#include "streamconfig.h" // maskedHeaderValue

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace streamscope {

DetailPane::DetailPane(QWidget *parent)
    : QWidget(parent)
    , m_summary(new QLabel)
    , m_details(new QLabel)
    , m_headers(new QLabel)
    , m_payload(new QPlainTextEdit)
    , m_copy(new QPushButton(tr("&Copy")))
{
    m_summary->setObjectName(QStringLiteral("detailSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setObjectName(QStringLiteral("detailDetails"));
    m_details->setTextFormat(Qt::PlainText);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_headers->setObjectName(QStringLiteral("detailHeaders"));
    m_headers->setTextFormat(Qt::PlainText);
    m_headers->setWordWrap(true);
    m_headers->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_payload->setObjectName(QStringLiteral("detailPayload"));
    m_payload->setReadOnly(true);
    m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_payload->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_copy->setObjectName(QStringLiteral("detailCopy"));
    m_copy->setToolTip(tr("Copy the payload"));

    auto *top = new QHBoxLayout;
    top->addWidget(m_summary, 1);
    top->addWidget(m_copy, 0, Qt::AlignTop);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_details);
    layout->addWidget(m_headers);
    layout->addWidget(m_payload, 1);

    connect(m_copy, &QPushButton::clicked, this, &DetailPane::copy);
    clear();
}

void DetailPane::setEvent(
    const StreamEvent &event, const QString &streamName, const HeaderList &headers)
{
    QStringList parts{streamName, streamEventKindName(event.kind)};
    if (!event.type.isEmpty()) {
        parts.append(tr("type %1").arg(QString::fromUtf8(event.type)));
    }
    if (!event.id.isEmpty()) {
        parts.append(tr("id %1").arg(QString::fromUtf8(event.id)));
    }
    parts.append(QDateTime::fromMSecsSinceEpoch(event.arrivalMs)
                     .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
    parts.append(tr("%n byte(s)", nullptr, int(qMin<qsizetype>(event.data.size(), INT_MAX))));
    if (event.binary) {
        parts.append(tr("binary"));
    }
    m_summary->setText(parts.join(QStringLiteral(" · ")));
    m_details->setText(QString::fromUtf8(event.details));
    m_details->setVisible(!event.details.isEmpty());

    QStringList headerLines;
    for (const auto &[name, value] : headers) {
        headerLines.append(
            QString::fromUtf8(name) + QStringLiteral(": ") + maskedHeaderValue(name, value));
    }
    m_headers->setText(headerLines.isEmpty()
            ? tr("Request headers: none")
            : tr("Request headers:\n") + headerLines.join(QLatin1Char('\n')));
    m_payload->setPlainText(formatPayload(event));
    m_copy->setEnabled(true);
}

void DetailPane::clear()
{
    m_summary->setText(tr("Select a row in the log to see it in full."));
    m_details->clear();
    m_details->hide();
    m_headers->clear();
    m_payload->clear();
    m_copy->setEnabled(false);
}

QString DetailPane::text() const
{
    return m_payload->toPlainText();
}

QString DetailPane::formatPayload(const StreamEvent &event)
{
    const bool cut = event.data.size() > MaxShownBytes;
    const QByteArray data = cut ? event.data.left(MaxShownBytes) : event.data;
    QString text;
    if (event.binary) {
        text = hexDump(data);
    } else {
        QJsonParseError error;
        const QJsonDocument document
            = cut ? QJsonDocument() : QJsonDocument::fromJson(data, &error);
        if (!cut && error.error == QJsonParseError::NoError && !document.isNull()) {
            text = QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
        } else {
            text = QString::fromUtf8(data);
        }
    }
    if (cut) {
        text += tr("\n… shown %1 of %2 bytes").arg(MaxShownBytes).arg(event.data.size());
    }
    return text;
}

QString DetailPane::hexDump(const QByteArray &data)
{
    QString out;
    for (qsizetype offset = 0; offset < data.size(); offset += 16) {
        const QByteArray line = data.mid(offset, 16);
        QString hex;
        QString ascii;
        for (qsizetype i = 0; i < 16; ++i) {
            if (i < line.size()) {
                const auto byte = static_cast<unsigned char>(line.at(i));
                hex += QStringLiteral("%1 ").arg(byte, 2, 16, QLatin1Char('0'));
                ascii += (byte >= 0x20 && byte < 0x7f) ? QChar(QLatin1Char(char(byte)))
                                                       : QLatin1Char('.');
            } else {
                hex += QStringLiteral("   ");
            }
            if (i == 7) {
                hex += QLatin1Char(' ');
            }
        }
        out += QStringLiteral("%1  %2 %3\n").arg(offset, 8, 16, QLatin1Char('0')).arg(hex, ascii);
    }
    return out;
}

void DetailPane::copy()
{
    QApplication::clipboard()->setText(m_payload->toPlainText());
}

} // namespace streamscope
