// SPDX-License-Identifier: GPL-3.0-or-later
#include "chartplot.h"

#include "chartframe.h"

#include <QCategoryAxis>
#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QGraphicsLineItem>
#include <QLineSeries>
#include <QPen>

#include <algorithm>
#include <cmath>

namespace streamscope {

namespace {

// A chart drawing more points than this per pixel column is dense (ChartPlot::isDense).
constexpr qsizetype s_densePointsPerColumn = 6;
// Runs longer than this are emptied before the axes move (see draw).
constexpr int s_emptyBeforeRangePoints = 256;

QPen linePen(const QColor &color, bool dense)
{
    return QPen(color, dense ? 1.0 : 1.5);
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

} // namespace

ChartPlot::ChartPlot(const QPalette &palette)
    : m_chart(new QChart)
    , m_timeAxis(new QDateTimeAxis)
    , m_valueAxis(new QCategoryAxis)
    , m_hoverLine(new QGraphicsLineItem(m_chart))
    , m_markerColor(palette.color(QPalette::WindowText))
{
    m_chart->setTheme(isDark(palette) ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_chart->legend()->hide(); // LiveChart's, below the plot, shows the latest values
    m_chart->setBackgroundRoundness(0);
    m_chart->setMargins(QMargins(2, 8, 2, 2)); // room for the top tick's label
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_valueAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_chart->addAxis(m_valueAxis, Qt::AlignLeft);

    QColor guide = palette.color(QPalette::WindowText);
    guide.setAlpha(170);
    m_hoverLine->setPen(QPen(guide, 1));
    m_hoverLine->setZValue(100);
    m_hoverLine->hide();
    m_markerColor.setAlpha(150);
}

void ChartPlot::addLine(const QColor &color)
{
    m_lines.push_back(Line{color, {}, 0, 0});
}

void ChartPlot::removeLine(int line)
{
    if (line < 0 || line >= int(m_lines.size())) {
        return;
    }
    for (QLineSeries *run : m_lines.at(size_t(line)).runs) {
        m_chart->removeSeries(run);
        delete run;
    }
    m_lines.erase(m_lines.begin() + line);
}

void ChartPlot::draw(const ChartFrame &frame)
{
    Q_ASSERT(frame.runsOfLine.size() == m_lines.size());
    // Qt Charts recomputes every non-empty series at each axis change, and refilling an empty
    // one costs a fixed ~0.3 ms: before the axes move, long runs are emptied, to be computed
    // once, at their replace() below; short ones are cheaper to recompute.
    const bool timeMoves = frame.fromMs != m_drawnFromMs || frame.toMs != m_drawnToMs;
    if (timeMoves || frame.values.low != m_valueAxis->min()
        || frame.values.high != m_valueAxis->max()) {
        for (Line &line : m_lines) {
            for (int r = 0; r < line.runsShown; ++r) {
                QLineSeries *run = line.runs.at(size_t(r));
                if (run->count() > s_emptyBeforeRangePoints) {
                    run->clear();
                }
            }
        }
    }
    drawTimeAxis(frame);
    drawValueAxis(frame);

    for (size_t i = 0; i < m_lines.size(); ++i) {
        Line &line = m_lines.at(i);
        const PlotRuns &runs = frame.runsOfLine.at(i);
        while (line.runs.size() < size_t(runs.size())) {
            line.runs.push_back(addSeries(linePen(line.color, m_dense)));
        }
        line.points = 0;
        for (qsizetype r = 0; r < runs.size(); ++r) {
            line.runs.at(size_t(r))->replace(runs.at(r));
            line.points += runs.at(r).size();
        }
        for (int r = int(runs.size()); r < line.runsShown; ++r) {
            line.runs.at(size_t(r))->clear();
        }
        line.runsShown = int(runs.size());
    }
    setDense(pointCount() > s_densePointsPerColumn * qsizetype(std::max(1, frame.columns)));
    drawMarkers(frame);
    m_drawnFromMs = frame.fromMs;
    m_drawnToMs = frame.toMs;
}

void ChartPlot::drawTimeAxis(const ChartFrame &frame)
{
    if (frame.fromMs != m_drawnFromMs || frame.toMs != m_drawnToMs) {
        m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(qint64(std::floor(frame.fromMs))),
            QDateTime::fromMSecsSinceEpoch(qint64(std::ceil(frame.toMs))));
    }
    const QString format = chartaxes::timeFormat(frame.toMs - frame.fromMs);
    if (m_timeAxis->format() != format) {
        m_timeAxis->setFormat(format);
    }
    const int ticks = chartaxes::timeTickCount(frame.columns);
    if (m_timeAxis->tickCount() != ticks) {
        m_timeAxis->setTickCount(ticks);
    }
}

void ChartPlot::drawValueAxis(const ChartFrame &frame)
{
    const chartaxes::NiceRange &values = frame.values;
    if (values.low == m_valueAxis->min() && values.high == m_valueAxis->max()
        && m_valueAxis->count() == values.ticks) {
        return;
    }
    m_valueAxis->setRange(values.low, values.high);
    for (const QString &label : m_valueAxis->categoriesLabels()) {
        m_valueAxis->remove(label);
    }
    m_valueAxis->setStartValue(values.low);
    const double step = values.step();
    for (int tick = 0; tick < values.ticks; ++tick) {
        const double value = values.low + tick * step;
        m_valueAxis->append(chartaxes::valueAxisLabel(value, step, values), value);
    }
}

void ChartPlot::drawMarkers(const ChartFrame &frame)
{
    while (m_markers.size() < size_t(frame.markerTimes.size())) {
        m_markers.push_back(addSeries(QPen(m_markerColor, 1, Qt::DashLine)));
    }
    for (qsizetype m = 0; m < frame.markerTimes.size(); ++m) {
        const double time = frame.markerTimes.at(m);
        m_markers.at(size_t(m))->replace(
            {QPointF(time, frame.values.low), QPointF(time, frame.values.high)});
    }
    for (int m = int(frame.markerTimes.size()); m < m_markersShown; ++m) {
        m_markers.at(size_t(m))->clear();
    }
    m_markersShown = int(frame.markerTimes.size());
}

QLineSeries *ChartPlot::addSeries(const QPen &pen)
{
    auto *series = new QLineSeries;
    m_chart->addSeries(series);
    series->attachAxis(m_timeAxis);
    series->attachAxis(m_valueAxis);
    series->setPen(pen); // after addSeries: the theme sets its own
    return series;
}

void ChartPlot::setDense(bool dense)
{
    if (dense == m_dense) {
        return;
    }
    m_dense = dense;
    for (const Line &line : m_lines) {
        for (QLineSeries *run : line.runs) {
            run->setPen(linePen(line.color, m_dense));
        }
    }
}

QRectF ChartPlot::plotArea() const
{
    return m_chart->plotArea();
}

qsizetype ChartPlot::pointCount() const
{
    qsizetype points = 0;
    for (const Line &line : m_lines) {
        points += line.points;
    }
    return points;
}

int ChartPlot::runCount() const
{
    int runs = 0;
    for (const Line &line : m_lines) {
        runs += line.runsShown;
    }
    return runs;
}

QCategoryAxis *ChartPlot::shownValueAxis() const
{
    const QList<QAbstractAxis *> vertical = m_chart->axes(Qt::Vertical);
    return vertical.size() == 1 ? qobject_cast<QCategoryAxis *>(vertical.constFirst()) : nullptr;
}

QStringList ChartPlot::valueAxisLabels() const
{
    QCategoryAxis *axis = shownValueAxis();
    return axis ? axis->categoriesLabels() : QStringList();
}

std::pair<double, double> ChartPlot::valueAxisRange() const
{
    QCategoryAxis *axis = shownValueAxis();
    return axis ? std::pair(axis->min(), axis->max()) : std::pair(qQNaN(), qQNaN());
}

bool ChartPlot::showHoverLine(double timeMs)
{
    const QRectF plot = m_chart->plotArea();
    const double span = m_drawnToMs - m_drawnFromMs;
    const double x = plot.left() + (timeMs - m_drawnFromMs) / span * plot.width();
    if (!(span > 0) || x < plot.left() || x > plot.right()) {
        m_hoverLine->hide();
        return false;
    }
    m_hoverLine->setLine(x, plot.top(), x, plot.bottom());
    m_hoverLine->show();
    return true;
}

void ChartPlot::hideHoverLine()
{
    m_hoverLine->hide();
}

} // namespace streamscope
