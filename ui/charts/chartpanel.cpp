// SPDX-License-Identifier: GPL-3.0-or-later
#include "chartpanel.h"

#include "chartaxes.h"
#include "fieldlistmodel.h"
#include "livechart.h"
#include "streamset.h"

#include <QComboBox>
#include <QDateTime>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QScopedValueRollback>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace streamscope {

namespace {

constexpr double s_nan = std::numeric_limits<double>::quiet_NaN();

const ChartPanel::Window s_windows[] = {
    ChartPanel::Window::OneMinute,
    ChartPanel::Window::FiveMinutes,
    ChartPanel::Window::FifteenMinutes,
    ChartPanel::Window::OneHour,
    ChartPanel::Window::AllRetained,
};

QString windowLabel(ChartPanel::Window window)
{
    switch (window) {
    case ChartPanel::Window::OneMinute:
        return ChartPanel::tr("1 min");
    case ChartPanel::Window::FiveMinutes:
        return ChartPanel::tr("5 min");
    case ChartPanel::Window::FifteenMinutes:
        return ChartPanel::tr("15 min");
    case ChartPanel::Window::OneHour:
        return ChartPanel::tr("1 h");
    case ChartPanel::Window::AllRetained:
        return ChartPanel::tr("All retained");
    }
    return {};
}

} // namespace

ChartPanel::ChartPanel(MetricStore *store, StreamSet *streams, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_streams(streams)
    , m_windowCombo(new QComboBox)
    , m_pauseButton(new QToolButton)
    , m_liveButton(new QToolButton)
    , m_addChartButton(new QToolButton)
    , m_gridHost(new QWidget)
    , m_grid(new QGridLayout)
    , m_emptyHint(new QLabel)
{
    m_windowCombo->setObjectName(QStringLiteral("windowCombo"));
    m_windowCombo->setToolTip(tr("How much time the charts show"));
    for (const Window window : s_windows) {
        m_windowCombo->addItem(windowLabel(window), int(window));
    }
    m_pauseButton->setObjectName(QStringLiteral("pauseButton"));
    m_pauseButton->setText(tr("Pause"));
    m_pauseButton->setCheckable(true);
    m_pauseButton->setToolTip(
        tr("Freeze the charts (data keeps being recorded); then zoom with the wheel, pan by "
           "dragging, shift-drag to zoom to a range"));
    m_liveButton->setObjectName(QStringLiteral("liveButton"));
    m_liveButton->setText(tr("Live"));
    m_liveButton->setToolTip(tr("Back to the newest data, scrolling"));
    m_addChartButton->setObjectName(QStringLiteral("addChartButton"));
    m_addChartButton->setText(tr("Add chart"));

    auto *toolbar = new QHBoxLayout;
    toolbar->addWidget(new QLabel(tr("Window:")));
    toolbar->addWidget(m_windowCombo);
    toolbar->addWidget(m_pauseButton);
    toolbar->addWidget(m_liveButton);
    toolbar->addStretch(1);
    toolbar->addWidget(m_addChartButton);

    m_emptyHint->setObjectName(QStringLiteral("chartsHint"));
    m_emptyHint->setText(
        tr("No charts. Add one, then drag fields onto it from the field browser."));
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setWordWrap(true);
    auto *hostLayout = new QVBoxLayout(m_gridHost);
    hostLayout->setContentsMargins(0, 0, 0, 0);
    hostLayout->addWidget(m_emptyHint);
    hostLayout->addLayout(m_grid, 1);
    m_grid->setColumnStretch(0, 1);
    m_grid->setColumnStretch(1, 1);
    auto *scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("chartScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_gridHost);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(toolbar);
    layout->addWidget(scroll, 1);
    setAcceptDrops(true);

    connect(m_windowCombo, &QComboBox::currentIndexChanged, this,
        [this] { setWindow(Window(m_windowCombo->currentData().toInt())); });
    connect(m_pauseButton, &QToolButton::toggled, this, &ChartPanel::setPaused);
    connect(m_liveButton, &QToolButton::clicked, this, &ChartPanel::goLive);
    connect(m_addChartButton, &QToolButton::clicked, this, [this] { addChart(); });
    if (streams) {
        connect(streams, &StreamSet::streamRemoved, this, &ChartPanel::removeStream);
    }
    m_redrawTimer.setInterval(1000 / MaxRedrawsPerSecond);
    connect(&m_redrawTimer, &QTimer::timeout, this, [this] {
        if (isVisible() && !m_charts.empty()) {
            redraw();
        }
    });
    m_redrawTimer.start();
    syncControls();
    relayout();
}

ChartPanel::~ChartPanel()
{
    for (LiveChart *chart : m_charts) {
        for (const SeriesKey &key : chart->series()) {
            m_store->setPlotted(key, false);
        }
    }
}

int ChartPanel::chartCount() const
{
    return int(m_charts.size());
}

int ChartPanel::addChart(const QString &title)
{
    if (chartCount() >= MaxCharts) {
        return -1;
    }
    auto *chart = new LiveChart(title.isEmpty() ? tr("Chart %1").arg(m_nextChartNumber) : title,
        m_store, m_streams, m_gridHost);
    ++m_nextChartNumber;
    chart->setPaused(m_paused);
    connect(chart, &LiveChart::zoomRequested, this, &ChartPanel::zoomTime);
    connect(chart, &LiveChart::rangeRequested, this, &ChartPanel::setVisibleRange);
    connect(chart, &LiveChart::liveRequested, this, &ChartPanel::goLive);
    connect(chart, &LiveChart::seriesDropped, this,
        [this, chart](const QList<SeriesKey> &keys, bool *taken) {
            *taken = dropSeries(indexOf(chart), keys) > 0;
        });
    connect(
        chart, &LiveChart::removeRequested, this, [this, chart] { removeChart(indexOf(chart)); });
    connect(chart, &LiveChart::seriesRemoveRequested, this,
        [this, chart](const SeriesKey &key) { removeSeries(indexOf(chart), key); });
    m_charts.push_back(chart);
    relayout();
    syncControls();
    edited();
    return chartCount() - 1;
}

void ChartPanel::removeChart(int chart)
{
    if (chart < 0 || chart >= chartCount()) {
        return;
    }
    hideHover();
    LiveChart *removed = m_charts.at(size_t(chart));
    for (const SeriesKey &key : removed->series()) {
        m_store->setPlotted(key, false);
    }
    m_charts.erase(m_charts.begin() + chart);
    delete removed;
    relayout();
    syncControls();
    edited();
}

QString ChartPanel::chartTitle(int chart) const
{
    return chart >= 0 && chart < chartCount() ? m_charts.at(size_t(chart))->title() : QString();
}

bool ChartPanel::addSeries(int chart, const SeriesKey &key)
{
    if (chart < 0 || chart >= chartCount() || !m_charts.at(size_t(chart))->addSeries(key)) {
        return false;
    }
    m_store->setPlotted(key, true);
    edited();
    return true;
}

void ChartPanel::removeSeries(int chart, const SeriesKey &key)
{
    if (chart < 0 || chart >= chartCount() || !m_charts.at(size_t(chart))->removeSeries(key)) {
        return;
    }
    m_store->setPlotted(key, false);
    edited();
}

QList<SeriesKey> ChartPanel::chartSeries(int chart) const
{
    return chart >= 0 && chart < chartCount() ? m_charts.at(size_t(chart))->series()
                                              : QList<SeriesKey>();
}

void ChartPanel::removeStream(int streamId)
{
    // Following a removal, not an edit of the charts: no chartsEdited.
    const QScopedValueRollback quiet(m_loading, true);
    for (int chart = 0; chart < chartCount(); ++chart) {
        for (const SeriesKey &key : chartSeries(chart)) {
            if (key.streamId == streamId) {
                removeSeries(chart, key);
            }
        }
    }
}

void ChartPanel::clear()
{
    hideHover();
    for (LiveChart *chart : m_charts) {
        for (const SeriesKey &key : chart->series()) {
            m_store->setPlotted(key, false);
        }
        delete chart;
    }
    m_charts.clear();
    m_nextChartNumber = 1;
    relayout();
    syncControls();
}

const LiveChart *ChartPanel::chart(int chart) const
{
    return chart >= 0 && chart < chartCount() ? m_charts.at(size_t(chart)) : nullptr;
}

void ChartPanel::setWindow(Window window)
{
    if (window == m_window) {
        syncControls();
        return;
    }
    m_window = window;
    if (m_paused) {
        // Paused, the new width keeps the right edge where the user left it.
        const double span = double(windowMs(window));
        if (span > 0) {
            m_viewFromMs = m_viewToMs - span;
        } else {
            double earliest = s_nan;
            for (const LiveChart *chart : m_charts) {
                earliest = std::fmin(earliest, chart->dataSpan().first);
            }
            m_viewFromMs = std::isnan(earliest)
                ? m_viewToMs - chartaxes::NoDataSpanMs
                : std::min(earliest, m_viewToMs - chartaxes::MinSpanMs);
        }
    }
    syncControls();
    edited();
}

qint64 ChartPanel::windowMs(Window window)
{
    switch (window) {
    case Window::OneMinute:
        return 60 * 1000;
    case Window::FiveMinutes:
        return 5 * 60 * 1000;
    case Window::FifteenMinutes:
        return 15 * 60 * 1000;
    case Window::OneHour:
        return 60 * 60 * 1000;
    case Window::AllRetained:
        return 0;
    }
    return 0;
}

void ChartPanel::setPaused(bool paused)
{
    if (paused != m_paused) {
        if (paused) {
            std::tie(m_viewFromMs, m_viewToMs) = visibleRange();
        }
        m_paused = paused;
        for (LiveChart *chart : m_charts) {
            chart->setPaused(paused);
        }
    }
    syncControls();
}

void ChartPanel::goLive()
{
    setPaused(false);
}

void ChartPanel::zoomTime(double factor, double anchorMs)
{
    if (!(factor > 0) || !std::isfinite(factor)) {
        return;
    }
    setPaused(true);
    const double span = m_viewToMs - m_viewFromMs;
    const double zoomed = std::clamp(span * factor, chartaxes::MinSpanMs, chartaxes::MaxSpanMs);
    const double anchor = std::isfinite(anchorMs) ? anchorMs : (m_viewFromMs + m_viewToMs) / 2;
    // The anchor stays at the same place on screen.
    const double from = anchor - (anchor - m_viewFromMs) * (zoomed / span);
    setVisibleRange(from, from + zoomed);
}

void ChartPanel::panTime(double fraction)
{
    if (!std::isfinite(fraction)) {
        return;
    }
    setPaused(true);
    const double shift = fraction * (m_viewToMs - m_viewFromMs);
    setVisibleRange(m_viewFromMs + shift, m_viewToMs + shift);
}

void ChartPanel::setVisibleRange(double fromMs, double toMs)
{
    if (!std::isfinite(fromMs) || !std::isfinite(toMs) || toMs <= fromMs) {
        return;
    }
    setPaused(true);
    const double centre = (fromMs + toMs) / 2;
    const double span = std::clamp(toMs - fromMs, chartaxes::MinSpanMs, chartaxes::MaxSpanMs);
    m_viewFromMs = toMs - fromMs == span ? fromMs : centre - span / 2;
    m_viewToMs = m_viewFromMs + span;
}

std::pair<double, double> ChartPanel::visibleRange() const
{
    if (m_paused) {
        return {m_viewFromMs, m_viewToMs};
    }
    double earliest = s_nan;
    double latest = s_nan;
    for (const LiveChart *chart : m_charts) {
        const auto [chartEarliest, chartLatest] = chart->dataSpan();
        earliest = std::fmin(earliest, chartEarliest);
        latest = std::fmax(latest, chartLatest);
    }
    return chartaxes::liveRange(
        double(windowMs(m_window)), earliest, latest, double(QDateTime::currentMSecsSinceEpoch()));
}

qsizetype ChartPanel::plottedPointCount(int chart) const
{
    return chart >= 0 && chart < chartCount() ? m_charts.at(size_t(chart))->plottedPointCount() : 0;
}

int ChartPanel::plottedRunCount(int chart) const
{
    return chart >= 0 && chart < chartCount() ? m_charts.at(size_t(chart))->plottedRunCount() : 0;
}

int ChartPanel::dropSeries(int chart, const QList<SeriesKey> &keys)
{
    int added = 0;
    for (const SeriesKey &key : keys) {
        if ((!m_streams || m_streams->stream(key.streamId)) && addSeries(chart, key)) {
            ++added;
        }
    }
    return added;
}

int ChartPanel::indexOf(const LiveChart *chart) const
{
    const auto found = std::find(m_charts.cbegin(), m_charts.cend(), chart);
    return found == m_charts.cend() ? -1 : int(found - m_charts.cbegin());
}

void ChartPanel::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasFormat(SeriesMimeType) && chartCount() < MaxCharts) {
        event->acceptProposedAction();
    } else {
        event->ignore();
    }
}

void ChartPanel::dropEvent(QDropEvent *event)
{
    const QList<SeriesKey> keys = seriesFromMimeData(event->mimeData());
    if (keys.isEmpty() || chartCount() >= MaxCharts) {
        event->ignore();
        return;
    }
    const int chart
        = addChart(keys.constFirst().path.isEmpty() ? QString() : keys.constFirst().path);
    if (dropSeries(chart, keys) == 0) {
        removeChart(chart);
        event->ignore();
        return;
    }
    event->acceptProposedAction();
}

void ChartPanel::setExtractionSettings(int streamId, const ExtractionSettings &settings)
{
    if (m_store->settings(streamId) == settings) {
        return;
    }
    m_store->setSettings(streamId, settings);
    edited();
}

ChartsState ChartPanel::state(const QList<int> &streamOrder) const
{
    ChartsState state;
    state.window = m_window;
    for (const LiveChart *chart : m_charts) {
        ChartsState::Chart saved{chart->title(), {}};
        for (SeriesKey key : chart->series()) {
            key.streamId = int(streamOrder.indexOf(key.streamId));
            if (key.streamId >= 0) {
                saved.series.append(key);
            }
        }
        state.charts.append(saved);
    }
    for (qsizetype index = 0; index < streamOrder.size(); ++index) {
        state.extraction.append({int(index), m_store->settings(streamOrder.at(index))});
    }
    return state;
}

void ChartPanel::setState(const ChartsState &state, const QList<int> &streamOrder)
{
    const QScopedValueRollback loading(m_loading, true);
    clear();
    setPaused(false);
    setWindow(state.window);
    const auto idOf = [&](int index) {
        const int id = streamOrder.value(index, 0);
        return id > 0 && (!m_streams || m_streams->stream(id)) ? id : 0;
    };
    for (const ChartsState::Extraction &entry : state.extraction) {
        if (const int id = idOf(entry.stream)) {
            m_store->setSettings(id, entry.settings);
        }
    }
    for (const ChartsState::Chart &saved : state.charts) {
        const int chart = addChart(saved.title);
        for (SeriesKey key : saved.series) {
            key.streamId = idOf(key.streamId);
            if (key.streamId > 0) {
                addSeries(chart, key);
            }
        }
    }
}

void ChartPanel::redraw()
{
    QElapsedTimer clock;
    clock.start();
    const double nowMs = double(QDateTime::currentMSecsSinceEpoch());
    const double windowSpanMs = double(windowMs(m_window));
    bool drew = false;
    for (LiveChart *chart : m_charts) {
        const int columns = chart->plotColumns();
        auto [fromMs, toMs] = std::pair(m_viewFromMs, m_viewToMs);
        if (!m_paused) {
            const auto [earliest, latest] = chart->dataSpan();
            std::tie(fromMs, toMs) = chartaxes::snapToColumn(
                chartaxes::liveRange(windowSpanMs, earliest, latest, nowMs), columns);
        }
        drew |= chart->drawIfMoved(fromMs, toMs, columns);
    }
    for (LiveChart *chart : m_charts) {
        chart->updateLegendIfDue();
    }
    if (drew) {
        ++m_redrawCount;
    }
    m_lastRedrawMs = double(clock.nsecsElapsed()) / 1e6;
}

void ChartPanel::hideHover()
{
    for (LiveChart *chart : m_charts) {
        chart->hideHover();
    }
}

void ChartPanel::edited()
{
    if (!m_loading) {
        emit chartsEdited();
    }
}

void ChartPanel::relayout()
{
    while (QLayoutItem *item = m_grid->takeAt(0)) {
        delete item; // the charts stay: only their places go
    }
    const int count = chartCount();
    for (int i = 0; i < count; ++i) {
        // Two columns; an odd last chart takes the whole row.
        const int span = i == count - 1 && count % 2 == 1 ? 2 : 1;
        m_grid->addWidget(m_charts.at(size_t(i)), i / 2, i % 2, 1, span);
    }
    const int rows = (count + 1) / 2;
    for (int row = 0; row < std::max(rows, m_grid->rowCount()); ++row) {
        m_grid->setRowStretch(row, row < rows ? 1 : 0);
    }
    m_emptyHint->setVisible(count == 0);
}

void ChartPanel::syncControls()
{
    const QSignalBlocker blockCombo(m_windowCombo);
    const QSignalBlocker blockPause(m_pauseButton);
    m_windowCombo->setCurrentIndex(m_windowCombo->findData(int(m_window)));
    m_pauseButton->setChecked(m_paused);
    m_liveButton->setEnabled(m_paused);
    m_addChartButton->setEnabled(chartCount() < MaxCharts);
}

} // namespace streamscope
