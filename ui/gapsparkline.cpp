// SPDX-License-Identifier: GPL-3.0-or-later
#include "gapsparkline.h"

#include "healthcolors.h"
#include "tokenview.h" // TokenView::formatDuration

#include <QPainter>

#include <algorithm>

namespace streamscope {

GapSparkline::GapSparkline(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(tr("The gaps between tokens, once two have arrived"));
}

void GapSparkline::setGaps(const QList<qint64> &gaps)
{
    const QList<qint64> last = gaps.size() > MaxGaps ? gaps.last(MaxGaps) : gaps;
    if (last == m_gaps) {
        return;
    }
    m_gaps = last;
    QList<qint64> sorted = m_gaps;
    std::sort(sorted.begin(), sorted.end());
    m_median = sorted.isEmpty() ? 0 : sorted.at(sorted.size() / 2);
    setToolTip(m_gaps.isEmpty()
            ? tr("The gaps between tokens, once two have arrived")
            : tr("The last %n gap(s) between tokens, newest on the right; tallest %1, median %2",
                nullptr, int(m_gaps.size()))
                  .arg(TokenView::formatDuration(sorted.last()),
                      TokenView::formatDuration(m_median)));
    update();
}

bool GapSparkline::isStall(qint64 gap) const
{
    return gap >= StallMinMs && gap > StallFactor * m_median;
}

QSize GapSparkline::sizeHint() const
{
    return {MaxGaps, 3 * fontMetrics().height() / 2};
}

QSize GapSparkline::minimumSizeHint() const
{
    return {MaxGaps / 4, fontMetrics().height()};
}

void GapSparkline::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QRectF area = QRectF(rect()).adjusted(1, 1, -1, -1);
    const QColor baseline = palette().color(QPalette::Disabled, QPalette::WindowText);
    painter.fillRect(QRectF(area.left(), area.bottom() - 1, area.width(), 1), baseline);
    if (m_gaps.isEmpty()) {
        return;
    }
    const qint64 tallest = std::max<qint64>(1, *std::max_element(m_gaps.cbegin(), m_gaps.cend()));
    const QColor normal = palette().color(QPalette::Highlight);
    const QColor stall = healthColor(HealthState::Stale, palette());
    // A fixed slot per gap, so the pace reads the same however many gaps there are yet.
    const double slot = area.width() / MaxGaps;
    const double width = slot > 2 ? slot - 1 : std::max(slot, 1.0);
    for (qsizetype i = 0; i < m_gaps.size(); ++i) {
        const qint64 gap = m_gaps.at(i);
        const double height = std::max(1.0, area.height() * double(gap) / double(tallest));
        const double x = area.right() - double(m_gaps.size() - i) * slot;
        painter.fillRect(
            QRectF(x, area.bottom() - height, width, height), isStall(gap) ? stall : normal);
    }
}

} // namespace streamscope
