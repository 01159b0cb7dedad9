// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "chartplot.h"
#include "chartsstate.h"
#include "metricstore.h"

#include <QElapsedTimer>
#include <QFrame>
#include <QList>

#include <utility>

class QGraphicsView;
class QLabel;

namespace streamscope {

class ChartView;
class StreamSet;

// One chart of the grid: title bar, plot and legend of up to MaxSeries series of the store.
// The time range is not its own: ChartPanel chooses it and hears its view's requests.
class LiveChart final : public QFrame
{
    Q_OBJECT
public:
    static constexpr int MaxSeries = ChartsState::MaxSeriesPerChart;
    // Legends show the latest values; faster than this they could not be read anyway.
    static constexpr int LegendIntervalMs = 250;

    // The store and the streams (null: streams are named by id) must outlive the chart.
    LiveChart(const QString &title, const MetricStore *store, const StreamSet *streams,
        QWidget *parent = nullptr);
    ~LiveChart() override;

    QString title() const { return m_title; }
    QList<SeriesKey> series() const;
    // False when the series is there already or the chart is full.
    bool addSeries(const SeriesKey &key);
    bool removeSeries(const SeriesKey &key);

    // Paused, the wheel zooms and the menu offers to go back to live.
    void setPaused(bool paused);
    // The times of the oldest and newest points over the chart's series; NaN without data.
    std::pair<double, double> dataSpan() const;
    // The plot's width in pixels: decimation's columns.
    int plotColumns() const;
    // Draws the range when it, the width or the data moved since the last drawing; true if so.
    bool drawIfMoved(double fromMs, double toMs, int columns);
    // Rewrites the legend once the data moved and LegendIntervalMs passed since it last did.
    void updateLegendIfDue();
    void hideHover();

    // "alpha · cpu: 42.1" lines for each series at the time (its nearest recorded point).
    QStringList valuesAt(double timeMs) const;
    // What is drawn now, after decimation: points, separate lines (segments, stretches between
    // gaps) and reconnect markers (dashed lines) over all series.
    qsizetype plottedPointCount() const { return m_plot.pointCount(); }
    int plottedRunCount() const { return m_plot.runCount(); }
    int reconnectMarkerCount() const { return m_plot.markerCount(); }
    // The legend as shown, one "alpha · cpu  42.1" entry per series.
    QStringList legendEntries() const { return m_legendEntries; }
    // The value axis as drawn: tick labels bottom first, and its range.
    QStringList valueAxisLabels() const { return m_plot.valueAxisLabels(); }
    std::pair<double, double> valueAxisRange() const { return m_plot.valueAxisRange(); }
    // The plot, which takes drops of SeriesMimeType (fieldlistmodel.h).
    QGraphicsView *plotView() const;

signals:
    void zoomRequested(double factor, double anchorMs);
    void rangeRequested(double fromMs, double toMs);
    void liveRequested();
    // See ChartView::seriesDropped: connect directly and set *taken.
    void seriesDropped(const QList<SeriesKey> &keys, bool *taken);
    // Queued after the click: the button goes with the chart.
    void removeRequested();
    void seriesRemoveRequested(const SeriesKey &key);

private:
    struct Series
    {
        SeriesKey key;
        QColor color;
    };

    // Changes when the chart's series or its streams' reconnect markers changed.
    size_t dataSignature() const;
    void updateLegend();
    void showHover(double timeMs, const QPoint &globalPos);
    void showMenu(const QPoint &globalPos);
    QString seriesName(const SeriesKey &key) const;
    QString streamName(int streamId) const;

    const MetricStore *m_store; // not owned
    const StreamSet *m_streams; // not owned
    QString m_title;
    QList<Series> m_series;
    ChartPlot m_plot;
    ChartView *m_view;
    QLabel *m_legend;
    bool m_paused = false;

    QStringList m_legendEntries;
    size_t m_legendSignature = 0; // m_dataSignature when the legend was last written
    QElapsedTimer m_legendClock; // since then

    // What the last drawing showed: a redraw is due only when one of these moved.
    bool m_dirty = true;
    quint64 m_seenRevision = 0;
    size_t m_dataSignature = 0;
    int m_drawnColumns = 0;
};

} // namespace streamscope
