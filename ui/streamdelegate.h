// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

namespace streamscope {

// Draws a sidebar row in two lines: a health light, the name and the transport; below, the
// status (state, events/s, time since the last event or the reconnect countdown). Colours come
// from the view's palette, so the row reads on light and dark themes.
class StreamDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace streamscope
