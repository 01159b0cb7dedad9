// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QWidget>

namespace streamscope {

// The gaps between an answer's tokens as bars, newest on the right, scaled to the tallest: a
// stall stands out at a glance, and one far above the typical gap is drawn in the warning colour.
class GapSparkline final : public QWidget
{
    Q_OBJECT
public:
    static constexpr int MaxGaps = 200; // the last ones drawn

    explicit GapSparkline(QWidget *parent = nullptr);

    // Keeps the last MaxGaps.
    void setGaps(const QList<qint64> &gaps);
    QList<qint64> gaps() const { return m_gaps; }
    // A gap drawn as a stall: over StallFactor times the median and at least StallMinMs.
    bool isStall(qint64 gap) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    static constexpr int StallFactor = 5;
    static constexpr qint64 StallMinMs = 250;

    QList<qint64> m_gaps;
    qint64 m_median = 0;
};

} // namespace streamscope
