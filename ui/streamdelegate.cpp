// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamdelegate.h"

#include "healthcolors.h"
#include "streamlistmodel.h"

#include <QApplication>
#include <QPainter>

namespace streamscope {

namespace {

constexpr int Padding = 6;
constexpr int LightSize = 10;

} // namespace

void StreamDelegate::paint(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    // The selection and hover background as the style draws it, without the default text.
    opt.text.clear();
    opt.icon = QIcon();
    opt.features &= ~QStyleOptionViewItem::HasDecoration;
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const bool selected = option.state & QStyle::State_Selected;
    const QPalette &palette = option.palette;
    const auto state = HealthState(index.data(StreamListModel::HealthStateRole).toInt());
    const QRect rect = option.rect.adjusted(Padding, Padding / 2, -Padding, -Padding / 2);
    const int lineHeight = option.fontMetrics.height();

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect light(rect.left(), rect.top() + (lineHeight - LightSize) / 2, LightSize, LightSize);
    painter->setPen(Qt::NoPen);
    painter->setBrush(healthColor(state, palette));
    painter->drawEllipse(light);

    QFont bold = option.font;
    bold.setBold(true);
    const QColor text = palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QString transport = index.data(StreamListModel::TransportRole).toString();
    const int transportWidth = option.fontMetrics.horizontalAdvance(transport) + Padding;
    // A finding gets a badge on the name line: a warning sign and how many (the tooltip and the
    // health panel say what).
    const int findings
        = int(index.data(StreamListModel::DiagnosisTitlesRole).toStringList().size());
    const QString badge = findings == 0 ? QString()
        : findings == 1                 ? QStringLiteral("⚠")
                                        : QStringLiteral("⚠ %1").arg(findings);
    const int badgeWidth
        = badge.isEmpty() ? 0 : option.fontMetrics.horizontalAdvance(badge) + Padding;
    QRect nameRect(light.right() + Padding, rect.top(), 0, lineHeight);
    nameRect.setRight(rect.right() - transportWidth - badgeWidth);
    painter->setFont(bold);
    painter->setPen(text);
    painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(bold).elidedText(
            index.data(Qt::DisplayRole).toString(), Qt::ElideRight, nameRect.width()));
    painter->setFont(option.font);
    QColor dim = text;
    dim.setAlphaF(0.65);
    painter->setPen(dim);
    painter->drawText(QRect(rect.right() - transportWidth, rect.top(), transportWidth, lineHeight),
        Qt::AlignRight | Qt::AlignVCenter, transport);
    if (!badge.isEmpty()) {
        painter->setPen(selected ? text : healthColor(HealthState::Stale, palette));
        painter->drawText(QRect(nameRect.right() + Padding / 2, rect.top(), badgeWidth, lineHeight),
            Qt::AlignLeft | Qt::AlignVCenter, badge);
    }

    QRect statusRect(nameRect.left(), rect.top() + lineHeight + 2, 0, lineHeight);
    statusRect.setRight(rect.right());
    // The state word in its health colour, unless the selection colours the row.
    painter->setPen(selected ? text : healthColor(state, palette));
    painter->drawText(statusRect, Qt::AlignLeft | Qt::AlignVCenter,
        option.fontMetrics.elidedText(index.data(StreamListModel::StatusTextRole).toString(),
            Qt::ElideRight, statusRect.width()));
    painter->restore();
}

QSize StreamDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    return QSize(200, option.fontMetrics.height() * 2 + 2 + Padding);
}

} // namespace streamscope
