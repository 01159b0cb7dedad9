#pragma once

#include "metricstore.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <memory>

class QComboBox;
class QDragEnterEvent;
class QDropEvent;
class QGridLayout;
class QLabel;
class QMimeData;
class QToolButton;

namespace streamscope {

class StreamSet;

// The live charts: a grid of time plots of MetricStore series from any streams, with a shared
// time window that scrolls with the data, pause, zoom and pan while paused, hover read-outs,
// reconnect markers and gaps. All Qt Charts code lives in this class (chartpanel.cpp).
// Redraws on a timer, at most MaxRedrawsPerSecond, and only when the store changed.
class ChartPanel : public QWidget
{
    Q_OBJECT
public:
    enum class Window {
        OneMinute,
        FiveMinutes,
        FifteenMinutes,
        OneHour,
        AllRetained,
    };
    Q_ENUM(Window)
    static constexpr int MaxRedrawsPerSecond = 30;
    // Legends show the latest values; faster than this they could not be read anyway.
    static constexpr int LegendIntervalMs = 250;
    static constexpr int MaxCharts = 16;
    // A step longer than GapFactor typical intervals is drawn as a gap.
    static constexpr double GapFactor = 4.0;

    // A chart holds at most this many series, and draws each as at most this many runs (the
    // rest of its gaps are bridged) and this many reconnect markers.
    static constexpr int MaxSeriesPerChart = 32;
    static constexpr int MaxRunsPerSeries = 64;
    static constexpr int MaxMarkersPerChart = 64;

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

    // "alpha · cpu: 42.1" lines for each of the chart's series at the time (nearest point).
    QStringList valuesAt(int chart, double timeMs) const;
    // The points the chart's series show now, after decimation (tests and benchmarks).
    qsizetype plottedPointCount(int chart) const;
    // The separate lines drawn: one per segment or stretch between gaps, over all series.
    int plottedRunCount(int chart) const;
    // The reconnect markers drawn (dashed lines) in the chart's range.
    int reconnectMarkerCount(int chart) const;
    // The legend as shown, one "alpha · cpu  42.1" entry per series.
    QStringList legendEntries(int chart) const;
    // The chart's plot, which takes drops of SeriesMimeType (fieldlistmodel.h); null if none.
    QWidget *chartView(int chart) const;
    // Adds the series a drag carries; returns how many were added.
    int dropSeries(int chart, const QMimeData *mime);

    // Applies a stream's extraction settings to the store, as the user's edit: they are saved
    // with the charts.
    void setExtractionSettings(int streamId, const ExtractionSettings &settings);

    // Saved in the workspace: charts with their series (streams by their index in the
    // workspace), the window, and each stream's extraction settings.
    QJsonObject toJson(const std::function<int(int)> &streamIndexOfId) const;
    // Problems name what was skipped ("charts[1].series[0]: no stream 4").
    void fromJson(const QJsonObject &json, const std::function<int(int)> &streamIdOfIndex,
        QStringList *problems = nullptr);

    // The timer's work: redraws charts whose series or window moved. Public for benchmarks.
    void redraw();
    double lastRedrawMs() const { return m_lastRedrawMs; }
    // Redraws that drew at least one chart, since construction (benchmarks).
    quint64 redrawCount() const { return m_redrawCount; }

signals:
    // An edit of what is saved: charts, their series, the window or extraction settings. By
    // the user's hand or through the editing functions above (the field browser uses them);
    // never from fromJson(), clear() or removeStream(), which follow a load or a removal.
    void chartsEdited();

private:
    // A drop on the panel outside any chart makes a new chart of the series.
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

    class Chart; // one QChartView and its series, in chartpanel.cpp
    class View; // the QChartView: hover, zoom, pan and drops

    void edited();
    void relayout();
    void syncControls();
    // The live range of data whose times span [earliestMs, latestMs] (NaN: no data).
    std::pair<double, double> liveRange(double earliestMs, double latestMs, double nowMs) const;
    std::pair<double, double> chartLiveRange(const Chart &chart, double nowMs) const;
    // Changes when the chart's series or its streams' reconnect markers changed.
    size_t dataSignature(const Chart &chart) const;
    void drawChart(Chart &chart, double fromMs, double toMs, int columns);
    void updateLegend(Chart &chart);
    QString seriesName(const Chart &chart, const SeriesKey &key) const;
    QString streamName(int streamId) const;
    int indexOf(const View *view) const;
    void showHover(int chart, double timeMs, const QPoint &globalPos);
    void hideHover();

    MetricStore *m_store; // not owned
    StreamSet *m_streams; // not owned
    std::vector<std::unique_ptr<Chart>> m_charts;
    Window m_window = Window::FiveMinutes;
    bool m_paused = false;
    bool m_loading = false; // in fromJson(): no chartsEdited
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
