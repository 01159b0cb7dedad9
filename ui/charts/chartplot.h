// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QList>
#include <QPalette>
#include <QRectF>
#include <QStringList>

#include <utility>
#include <vector>

class QCategoryAxis;
class QChart;
class QDateTimeAxis;
class QGraphicsLineItem;
class QLineSeries;
class QPen;

namespace streamscope {

struct ChartFrame;

// The Qt Charts side of one chart: the QChart with its time and value axes, the pooled line
// series of each line's runs and of the reconnect markers, and the hover line. It draws
// ChartFrames and knows nothing of where their data came from.
class ChartPlot final
{
    Q_DISABLE_COPY_MOVE(ChartPlot)
public:
    explicit ChartPlot(const QPalette &palette);

    // Owned by whoever shows it (QChartView takes it); its series and axes go with it.
    QChart *chart() const { return m_chart; }

    // Lines are drawn in the order added, each from the frame's runs of the same index.
    void addLine(const QColor &color);
    void removeLine(int line);

    // Only the series and axes that changed are touched: each change recomputes series.
    void draw(const ChartFrame &frame);

    QRectF plotArea() const;
    // The points, runs (separate lines) and reconnect markers drawn now, over all lines.
    qsizetype pointCount() const;
    int runCount() const;
    int markerCount() const { return m_markersShown; }
    // Antialiased wide lines cost most of a paint once many points are drawn; where lines
    // crowd every pixel column they look the same thin and aliased, at a third of the cost.
    // Dense, the lines are thin; the view should then paint without antialiasing.
    bool isDense() const { return m_dense; }
    // The value axis as shown, read from the chart: tick labels bottom first, and its range;
    // empty and NaN unless the chart has one vertical axis, labelled per tick.
    QStringList valueAxisLabels() const;
    std::pair<double, double> valueAxisRange() const;

    // The time range last drawn; {0, 0} before the first frame.
    std::pair<double, double> drawnRange() const { return {m_drawnFromMs, m_drawnToMs}; }
    // At the time, if it is inside what was last drawn; false when it is not.
    bool showHoverLine(double timeMs);
    void hideHoverLine();

private:
    struct Line
    {
        QColor color;
        std::vector<QLineSeries *> runs; // pooled; grow to ChartFrame::MaxRunsPerSeries
        int runsShown = 0;
        qsizetype points = 0;
    };

    QCategoryAxis *shownValueAxis() const;
    void drawTimeAxis(const ChartFrame &frame);
    void drawValueAxis(const ChartFrame &frame);
    void drawMarkers(const ChartFrame &frame);
    QLineSeries *addSeries(const QPen &pen);
    void setDense(bool dense);

    QChart *m_chart;
    QDateTimeAxis *m_timeAxis;
    // Labels are set per tick (chartaxes::valueAxisLabel): QValueAxis has only printf formats,
    // which write 2.5e+07 where a person reads 25M.
    QCategoryAxis *m_valueAxis;
    QGraphicsLineItem *m_hoverLine;
    QColor m_markerColor;
    std::vector<Line> m_lines;
    std::vector<QLineSeries *> m_markers; // pooled dashed lines
    int m_markersShown = 0;
    double m_drawnFromMs = 0;
    double m_drawnToMs = 0;
    bool m_dense = false;
};

} // namespace streamscope
