// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "chartsstate.h"
#include "metricstore.h"

#include <QList>
#include <QTimer>
#include <QWidget>

#include <utility>
#include <vector>

class QComboBox;
class QDragEnterEvent;
class QDropEvent;
class QGridLayout;
class QLabel;
class QToolButton;

namespace streamscope {

class LiveChart;
class StreamSet;

// The live charts: a grid of LiveCharts of MetricStore series from any streams, with a shared
// time window that scrolls with the data, pause, and zoom and pan while paused. Redraws on a
// timer, at most MaxRedrawsPerSecond, only the charts whose data or range moved.
class ChartPanel : public QWidget
{
    Q_OBJECT
public:
    using Window = ChartWindow;
    static constexpr int MaxRedrawsPerSecond = 30;
    static constexpr int MaxCharts = ChartsState::MaxCharts;

    // The store must outlive the panel: series are let go of (setPlotted false) on the way out.
    ChartPanel(MetricStore *store, StreamSet *streams, QWidget *parent = nullptr);
    ~ChartPanel() override;

    int chartCount() const;
    int addChart(const QString &title = {}); // returns its index; -1 at MaxCharts
    void removeChart(int chart);
    QString chartTitle(int chart) const;
    // Plots the series on the chart; false when it is there already or the chart is full.
    bool addSeries(int chart, const SeriesKey &key);
    void removeSeries(int chart, const SeriesKey &key);
    QList<SeriesKey> chartSeries(int chart) const;
    // Drops every chart's series of a removed stream.
    void removeStream(int streamId);
    void clear(); // no charts
    // The chart at the index, for what it shows; null if none.
    const LiveChart *chart(int chart) const;

    void setWindow(Window window);
    Window window() const { return m_window; }
    static qint64 windowMs(Window window); // 0 for AllRetained

    // Paused: the view stays where it is while data keeps being recorded; zoom and pan apply.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    void goLive(); // unpause, window back to the newest data
    // Zooms the time range about anchorMs, by default its centre (factor < 1 zooms in), or
    // pans by a fraction of its width (positive: later); both pause first. The wheel, drag and
    // rubber band call these.
    void zoomTime(double factor, double anchorMs = qQNaN());
    void panTime(double fraction);
    void setVisibleRange(double fromMs, double toMs); // pauses
    // In ms since the epoch. Live, each chart's own data places its range (producers' clocks
    // may differ); this is the range of all charts' data together, which pausing freezes.
    std::pair<double, double> visibleRange() const;

    // The points the chart's series show now, after decimation (tests and benchmarks).
    qsizetype plottedPointCount(int chart) const;
    // The separate lines drawn: one per segment or stretch between gaps, over all series.
    int plottedRunCount(int chart) const;

    // Applies a stream's extraction settings to the store, as the user's edit: they are saved
    // with the charts.
    void setExtractionSettings(int streamId, const ExtractionSettings &settings);

    // Saved in the workspace: charts with their series, the window, and each stream's
    // extraction settings. streamOrder lists the ids of the workspace's streams by index.
    ChartsState state(const QList<int> &streamOrder) const;
    // Replaces every chart; series of streams outside streamOrder are left out.
    void setState(const ChartsState &state, const QList<int> &streamOrder);

    // The timer's work: redraws charts whose series or window moved. Public for benchmarks.
    void redraw();
    double lastRedrawMs() const { return m_lastRedrawMs; }
    // Redraws that drew at least one chart, since construction (benchmarks).
    quint64 redrawCount() const { return m_redrawCount; }

signals:
    // An edit of what is saved: charts, their series, the window or extraction settings. By
    // the user's hand or through the editing functions above (the field browser uses them);
    // never from setState(), clear() or removeStream(), which follow a load or a removal.
    void chartsEdited();

private:
    // A drop on the panel outside any chart makes a new chart of the series.
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

    // Adds the series of existing streams; returns how many were added.
    int dropSeries(int chart, const QList<SeriesKey> &keys);
    int indexOf(const LiveChart *chart) const;
    void edited();
    void relayout();
    void syncControls();
    void hideHover();

    MetricStore *m_store; // not owned
    StreamSet *m_streams; // not owned
    std::vector<LiveChart *> m_charts; // children of m_gridHost, deleted on removal
    Window m_window = Window::FiveMinutes;
    bool m_paused = false;
    bool m_loading = false; // in setState(): no chartsEdited
    double m_viewFromMs = 0;
    double m_viewToMs = 0;
    QTimer m_redrawTimer;
    double m_lastRedrawMs = 0;
    quint64 m_redrawCount = 0;
    int m_nextChartNumber = 1; // for default titles
    QComboBox *m_windowCombo;
    QToolButton *m_pauseButton;
    QToolButton *m_liveButton;
    QToolButton *m_addChartButton;
    QWidget *m_gridHost;
    QGridLayout *m_grid;
    QLabel *m_emptyHint;
};

} // namespace streamscope
