// SPDX-License-Identifier: GPL-3.0-or-later
#include "livechart.h"

#include "chartframe.h"
#include "chartview.h"
#include "fieldlistmodel.h"
#include "streamset.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace streamscope {

namespace {

constexpr int s_minChartHeight = 220;
constexpr double s_nan = std::numeric_limits<double>::quiet_NaN();

// Tableau 10: distinct on both light and dark backgrounds.
const QList<QColor> s_lineColors
    = {QColor(0x4e79a7), QColor(0xf28e2b), QColor(0xe15759), QColor(0x76b7b2), QColor(0x59a14f),
        QColor(0xedc948), QColor(0xb07aa1), QColor(0xff9da7), QColor(0x9c755f), QColor(0xbab0ac)};

} // namespace

LiveChart::LiveChart(
    const QString &title, const MetricStore *store, const StreamSet *streams, QWidget *parent)
    : QFrame(parent)
    , m_store(store)
    , m_streams(streams)
    , m_title(title)
    , m_plot(palette())
    , m_view(new ChartView(m_plot.chart()))
    , m_legend(new QLabel)
{
    setObjectName(QStringLiteral("chartFrame"));
    setFrameShape(QFrame::StyledPanel);
    setMinimumHeight(s_minChartHeight);
    auto *titleLabel = new QLabel(title);
    titleLabel->setObjectName(QStringLiteral("chartTitle"));
    QFont bold = titleLabel->font();
    bold.setBold(true);
    titleLabel->setFont(bold);
    auto *remove = new QToolButton;
    remove->setObjectName(QStringLiteral("removeChartButton"));
    remove->setText(QStringLiteral("×"));
    remove->setAutoRaise(true);
    remove->setToolTip(tr("Remove this chart"));
    connect(remove, &QToolButton::clicked, this, &LiveChart::removeRequested, Qt::QueuedConnection);
    auto *header = new QHBoxLayout;
    header->addWidget(titleLabel, 1);
    header->addWidget(remove);

    m_legend->setObjectName(QStringLiteral("chartLegend"));
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 4);
    layout->setSpacing(2);
    layout->addLayout(header);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_legend);

    connect(m_view, &ChartView::zoomRequested, this, &LiveChart::zoomRequested);
    connect(m_view, &ChartView::rangeRequested, this, &LiveChart::rangeRequested);
    connect(m_view, &ChartView::liveRequested, this, &LiveChart::liveRequested);
    connect(m_view, &ChartView::seriesDropped, this, &LiveChart::seriesDropped);
    connect(m_view, &ChartView::hoverMoved, this, &LiveChart::showHover);
    connect(m_view, &ChartView::hoverLeft, this, &LiveChart::hideHover);
    connect(m_view, &ChartView::menuRequested, this, &LiveChart::showMenu);
    updateLegend();
}

LiveChart::~LiveChart()
{
    // The view first: a widget under the mouse gets a leave event as it goes, and the view's
    // hover signals must reach a whole chart.
    delete m_view;
}

QList<SeriesKey> LiveChart::series() const
{
    QList<SeriesKey> keys;
    keys.reserve(m_series.size());
    for (const Series &series : m_series) {
        keys.append(series.key);
    }
    return keys;
}

bool LiveChart::addSeries(const SeriesKey &key)
{
    const bool present = std::any_of(m_series.cbegin(), m_series.cend(),
        [&key](const Series &series) { return series.key == key; });
    if (present || m_series.size() >= MaxSeries) {
        return false;
    }
    // The first colour no other series of this chart has; past ten, they repeat.
    QColor color = s_lineColors.at(m_series.size() % s_lineColors.size());
    for (const QColor &candidate : s_lineColors) {
        const bool used = std::any_of(m_series.cbegin(), m_series.cend(),
            [&candidate](const Series &series) { return series.color == candidate; });
        if (!used) {
            color = candidate;
            break;
        }
    }
    m_series.append(Series{key, color});
    m_plot.addLine(color);
    m_dirty = true;
    updateLegend();
    return true;
}

bool LiveChart::removeSeries(const SeriesKey &key)
{
    const auto found = std::find_if(m_series.cbegin(), m_series.cend(),
        [&key](const Series &series) { return series.key == key; });
    if (found == m_series.cend()) {
        return false;
    }
    const int line = int(found - m_series.cbegin());
    m_series.removeAt(line);
    m_plot.removeLine(line);
    m_dirty = true;
    updateLegend();
    return true;
}

void LiveChart::setPaused(bool paused)
{
    m_paused = paused;
    m_view->setPaused(paused);
}

std::pair<double, double> LiveChart::dataSpan() const
{
    double earliest = s_nan;
    double latest = s_nan;
    for (const Series &entry : m_series) {
        const SeriesBuffer *series = m_store->series(entry.key);
        if (series && !series->isEmpty()) {
            earliest = std::fmin(earliest, series->at(0).timeMs);
            latest = std::fmax(latest, series->last().timeMs);
        }
    }
    return {earliest, latest};
}

int LiveChart::plotColumns() const
{
    const int plotWidth = int(m_plot.plotArea().width());
    // Before the first layout the plot has no size yet: the view's width is close.
    return plotWidth >= 2 ? plotWidth : std::max(2, m_view->width() - 60);
}

bool LiveChart::drawIfMoved(double fromMs, double toMs, int columns)
{
    // The store's revision moves with any series: only then are this chart's own looked at.
    bool dataMoved = false;
    if (m_seenRevision != m_store->revision()) {
        m_seenRevision = m_store->revision();
        const size_t signature = dataSignature();
        dataMoved = signature != m_dataSignature;
        m_dataSignature = signature;
    }
    // Live, "now" moves every frame: the range has moved once it is half a column off.
    const double tolerance = (toMs - fromMs) / columns / 2;
    const auto [drawnFromMs, drawnToMs] = m_plot.drawnRange();
    const bool moved = columns != m_drawnColumns || std::abs(fromMs - drawnFromMs) > tolerance
        || std::abs(toMs - drawnToMs) > tolerance;
    if (!m_dirty && !moved && !dataMoved) {
        return false;
    }
    const int maxValueTicks = chartaxes::valueTickCount(m_plot.plotArea().height());
    m_plot.draw(readChartFrame(*m_store, series(), fromMs, toMs, columns, maxValueTicks));
    if (m_view->renderHints().testFlag(QPainter::Antialiasing) == m_plot.isDense()) {
        m_view->setRenderHint(QPainter::Antialiasing, !m_plot.isDense());
    }
    m_view->setTimeRange(fromMs, toMs);
    m_drawnColumns = columns;
    m_dirty = false;
    return true;
}

size_t LiveChart::dataSignature() const
{
    size_t signature = 0;
    QList<int> streams;
    for (const Series &entry : m_series) {
        const SeriesBuffer *series = m_store->series(entry.key);
        signature = qHashMulti(
            signature, series, series ? series->appendedTotal() : 0, series ? series->size() : 0);
        if (!streams.contains(entry.key.streamId)) {
            streams.append(entry.key.streamId);
        }
    }
    for (const int stream : std::as_const(streams)) {
        const QList<double> markers = m_store->reconnectMarkers(stream);
        signature
            = qHashMulti(signature, markers.size(), markers.isEmpty() ? 0.0 : markers.constLast());
    }
    return signature;
}

void LiveChart::updateLegendIfDue()
{
    // Latest values change with every point: the legend follows at a readable pace.
    if (m_legendSignature != m_dataSignature
        && (!m_legendClock.isValid() || m_legendClock.hasExpired(LegendIntervalMs))) {
        updateLegend();
    }
}

void LiveChart::updateLegend()
{
    QStringList entries;
    QString html;
    for (const Series &entry : std::as_const(m_series)) {
        const SeriesBuffer *series = m_store->series(entry.key);
        const QString value = series && !series->isEmpty() ? metricValueText(series->last().value)
                                                           : QStringLiteral("–");
        const QString name = seriesName(entry.key);
        entries.append(name + QStringLiteral("  ") + value);
        if (!html.isEmpty()) {
            html += QStringLiteral(" &nbsp; ");
        }
        // Lines break between entries, never inside one.
        html += QStringLiteral(
            "<span style=\"color:%1\">&#9632;</span>&nbsp;%2&nbsp;&nbsp;<b>%3</b>")
                    .arg(entry.color.name(),
                        name.toHtmlEscaped().replace(QLatin1Char(' '), QStringLiteral("&nbsp;")),
                        value.toHtmlEscaped());
    }
    m_legendSignature = m_dataSignature;
    m_legendClock.start();
    if (entries == m_legendEntries && !m_legend->text().isEmpty()) {
        return;
    }
    m_legendEntries = entries;
    m_legend->setText(html.isEmpty() ? tr("Drop fields here from the field browser") : html);
}

QStringList LiveChart::valuesAt(double timeMs) const
{
    QStringList lines;
    for (const Series &entry : m_series) {
        const QString name = seriesName(entry.key);
        const SeriesBuffer *series = m_store->series(entry.key);
        if (!series || series->isEmpty()) {
            lines.append(tr("%1: no data").arg(name));
            continue;
        }
        // The nearest point in time, over every segment.
        qsizetype nearest = -1;
        double nearestDistance = std::numeric_limits<double>::infinity();
        for (const SeriesBuffer::Segment &segment : series->segments()) {
            const qsizetype after = series->lowerBound(segment.begin, segment.end, timeMs);
            for (const qsizetype candidate : {after - 1, after}) {
                if (candidate < segment.begin || candidate >= segment.end) {
                    continue;
                }
                const double distance = std::abs(series->at(candidate).timeMs - timeMs);
                if (distance < nearestDistance) {
                    nearestDistance = distance;
                    nearest = candidate;
                }
            }
        }
        lines.append(
            QStringLiteral("%1: %2").arg(name, metricValueText(series->at(nearest).value)));
    }
    return lines;
}

QGraphicsView *LiveChart::plotView() const
{
    return m_view;
}

void LiveChart::showHover(double timeMs, const QPoint &globalPos)
{
    if (m_series.isEmpty()) {
        hideHover();
        return;
    }
    const auto [fromMs, toMs] = m_plot.drawnRange();
    if (toMs <= fromMs) {
        return; // not drawn yet
    }
    if (!m_plot.showHoverLine(timeMs)) {
        hideHover();
        return;
    }
    const QString time = QDateTime::fromMSecsSinceEpoch(qint64(timeMs))
                             .toString(toMs - fromMs < 60'000 ? QStringLiteral("HH:mm:ss.zzz")
                                                              : QStringLiteral("HH:mm:ss"));
    QToolTip::showText(
        globalPos, time + QLatin1Char('\n') + valuesAt(timeMs).join(QLatin1Char('\n')), m_view);
}

void LiveChart::hideHover()
{
    m_plot.hideHoverLine();
    QToolTip::hideText();
}

void LiveChart::showMenu(const QPoint &globalPos)
{
    QMenu menu(this);
    QAction *live = menu.addAction(tr("Back to live"));
    live->setEnabled(m_paused);
    connect(live, &QAction::triggered, this, &LiveChart::liveRequested);
    menu.addSeparator();
    for (const Series &entry : std::as_const(m_series)) {
        QAction *remove = menu.addAction(tr("Remove %1").arg(seriesName(entry.key)));
        connect(remove, &QAction::triggered, this,
            [this, key = entry.key] { emit seriesRemoveRequested(key); });
    }
    menu.exec(globalPos);
}

QString LiveChart::streamName(int streamId) const
{
    const Stream *stream = m_streams ? m_streams->stream(streamId) : nullptr;
    if (!stream) {
        return QStringLiteral("#%1").arg(streamId);
    }
    const StreamConfig &config = stream->config();
    return config.displayName();
}

QString LiveChart::seriesName(const SeriesKey &key) const
{
    // The stream is named only where the chart mixes streams.
    const bool manyStreams = std::any_of(m_series.cbegin(), m_series.cend(),
        [&key](const Series &series) { return series.key.streamId != key.streamId; });
    return manyStreams ? streamName(key.streamId) + QStringLiteral(" · ") + key.displayName()
                       : key.displayName();
}

} // namespace streamscope
