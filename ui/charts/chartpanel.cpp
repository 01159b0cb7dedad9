#include "chartpanel.h"

#include "decimation.h"
#include "fieldlistmodel.h"
#include "json.h"
#include "streamset.h"

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFrame>
#include <QGraphicsLayout>
#include <QGraphicsLineItem>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineSeries>
#include <QMenu>
#include <QMimeData>
#include <QMouseEvent>
#include <QPointer>
#include <QRubberBand>
#include <QScopedValueRollback>
#include <QScrollArea>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace streamscope {

namespace {

constexpr double s_minSpanMs = 10;
constexpr double s_maxSpanMs = 10.0 * 365 * 24 * 3600 * 1000;
constexpr double s_noDataSpanMs = 60 * 1000; // All retained, before any data
constexpr double s_wheelZoom = 0.8; // one wheel notch zooms in to 80%
constexpr int s_dragThresholdPx = 3;
constexpr int s_minChartHeight = 220;
// A chart drawing more points than this per pixel column is dense (Chart::setDense).
constexpr qsizetype DensePointsPerColumn = 6;

QPen linePen(const QColor &color, bool dense)
{
    return QPen(color, dense ? 1.0 : 1.5);
}
constexpr int s_emptyBeforeRangePoints = 256;
constexpr double s_nan = std::numeric_limits<double>::quiet_NaN();

// Tableau 10: distinct on both light and dark backgrounds.
const QList<QColor> s_lineColors
    = {QColor(0x4e79a7), QColor(0xf28e2b), QColor(0xe15759), QColor(0x76b7b2), QColor(0x59a14f),
        QColor(0xedc948), QColor(0xb07aa1), QColor(0xff9da7), QColor(0x9c755f), QColor(0xbab0ac)};

struct WindowName
{
    ChartPanel::Window window;
    QLatin1String name; // as saved
};
const WindowName s_windowNames[] = {
    {ChartPanel::Window::OneMinute, QLatin1String("1m")},
    {ChartPanel::Window::FiveMinutes, QLatin1String("5m")},
    {ChartPanel::Window::FifteenMinutes, QLatin1String("15m")},
    {ChartPanel::Window::OneHour, QLatin1String("1h")},
    {ChartPanel::Window::AllRetained, QLatin1String("all")},
};

QString windowName(ChartPanel::Window window)
{
    for (const WindowName &entry : s_windowNames) {
        if (entry.window == window) {
            return entry.name;
        }
    }
    return {};
}

std::optional<ChartPanel::Window> windowFromName(const QString &name)
{
    for (const WindowName &entry : s_windowNames) {
        if (entry.name == name) {
            return entry.window;
        }
    }
    return std::nullopt;
}

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

// Tick labels precise enough to tell the ticks apart, no more.
QString timeFormat(double spanMs)
{
    if (spanMs < 10'000) {
        return QStringLiteral("HH:mm:ss.zzz");
    }
    if (spanMs <= 30 * 60'000) {
        return QStringLiteral("HH:mm:ss");
    }
    if (spanMs <= 24 * 3600'000.0) {
        return QStringLiteral("HH:mm");
    }
    return QStringLiteral("MMM d HH:mm");
}

// A range over [low, high] from one round step to another (1, 2, 2.5 or 5 times a power of
// ten), so the value axis' labels read well, and the number of ticks at most about maxTicks.
struct NiceRange
{
    double low = 0;
    double high = 1;
    int ticks = 2;
};
NiceRange niceRange(double low, double high, int maxTicks)
{
    const double rough = (high - low) / std::max(1, maxTicks - 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    if (!(rough > 0) || !std::isfinite(rough) || !(magnitude > 0) || !std::isfinite(magnitude)) {
        return {low, high, std::max(2, maxTicks)};
    }
    double step = 10 * magnitude;
    for (const double multiple : {1.0, 2.0, 2.5, 5.0}) {
        if (multiple * magnitude >= rough) {
            step = multiple * magnitude;
            break;
        }
    }
    NiceRange range;
    range.low = std::floor(low / step) * step;
    range.high = std::ceil(high / step) * step;
    range.ticks = int(std::lround((range.high - range.low) / step)) + 1;
    if (!std::isfinite(range.low) || !std::isfinite(range.high) || range.ticks < 2) {
        return {low, high, std::max(2, maxTicks)};
    }
    return range;
}

// "25M", "2.5k", "0.25", "-40": a metric prefix by the axis' largest value, and as many
// decimals as the step between ticks needs, so every tick's label differs (QCategoryAxis
// refuses a label it already has).
QString valueAxisLabel(double value, double step, const NiceRange &range)
{
    static const struct
    {
        double scale;
        const char *suffix;
    } prefixes[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    const double largest = std::max(std::abs(range.low), std::abs(range.high));
    double scale = 1;
    QString suffix;
    for (const auto &prefix : prefixes) {
        if (largest >= 10 * prefix.scale) {
            scale = prefix.scale;
            suffix = QLatin1String(prefix.suffix);
            break;
        }
    }
    const double scaledStep = step / scale;
    int decimals = 0;
    while (decimals < 6 && std::isfinite(scaledStep) && scaledStep > 0) {
        const double shifted = scaledStep * std::pow(10.0, decimals);
        if (std::abs(shifted - std::round(shifted)) < 1e-6 * shifted) {
            break;
        }
        ++decimals;
    }
    if (std::abs(value) < step * 1e-6) {
        return QStringLiteral("0"); // not "0M", "-0" or "1.2e-17" from summing steps
    }
    return QString::number(value / scale, 'f', decimals) + suffix;
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

// A value as a problem message names it: strings quoted, other values by their JSON type.
QString describe(const QJsonValue &value)
{
    return value.isString() ? QLatin1Char('"') + value.toString() + QLatin1Char('"')
                            : json::typeName(value);
}

std::optional<int> integerOf(const QJsonValue &value)
{
    if (!value.isDouble()) {
        return std::nullopt;
    }
    const double number = value.toDouble();
    if (number != std::floor(number) || number < 0 || number > std::numeric_limits<int>::max()) {
        return std::nullopt;
    }
    return int(number);
}

// Reads an optional string member; false with a problem when it holds something else.
bool readString(const QJsonObject &object, const QString &name, const QString &where, QString *out,
    QStringList *problems)
{
    const QJsonValue value = object.value(name);
    if (value.isUndefined()) {
        return true;
    }
    if (!value.isString()) {
        problems->append(ChartPanel::tr("%1.%2: expected a string, found %3")
                             .arg(where, name, json::typeName(value)));
        return false;
    }
    *out = value.toString();
    return true;
}

} // namespace

// One chart of the grid: its frame, plot, axes, pooled line series and legend.
class ChartPanel::Chart
{
public:
    // One plotted SeriesKey: drawn as runs (segments, stretches between gaps) of one colour.
    struct Line
    {
        SeriesKey key;
        QColor color;
        std::vector<QLineSeries *> runs; // pooled, owned by the QChart; grow to MaxRunsPerSeries
        int runsShown = 0;
        qsizetype points = 0;
    };

    ~Chart() { delete frame; }

    qsizetype drawnPoints() const
    {
        qsizetype points = 0;
        for (const Line &line : lines) {
            points += line.points;
        }
        return points;
    }

    // Antialiased wide lines cost most of a paint once many points are drawn; where lines
    // crowd every pixel column they look the same thin and aliased, at a third of the cost.
    void setDense(bool isDense);

    QString title;
    QFrame *frame = nullptr; // owns the widgets below, the QChart and its series
    View *view = nullptr;
    QChart *chart = nullptr;
    QDateTimeAxis *timeAxis = nullptr;
    // Labels are set per tick (valueAxisLabel): QValueAxis has only printf formats, which
    // write 2.5e+07 where a person reads 25M.
    QCategoryAxis *valueAxis = nullptr;
    QLabel *legend = nullptr;
    QGraphicsLineItem *hoverLine = nullptr;
    std::vector<Line> lines;
    std::vector<QLineSeries *> markers; // pooled dashed reconnect lines
    int markersShown = 0;
    QStringList legendEntries;
    size_t legendSignature = 0; // dataSignature when the legend was last written
    QElapsedTimer legendClock; // since then

    // What the last drawing showed: a redraw is due only when one of these moved.
    bool dirty = true;
    quint64 seenRevision = 0;
    size_t dataSignature = 0;
    double drawnFromMs = 0;
    double drawnToMs = 0;
    int drawnColumns = 0;
    bool dense = false; // drawn thin and without antialiasing: see DensePointsPerColumn
};

// The plot: drops of series, hover read-outs, wheel zoom, drag to pan, shift-drag to zoom to a
// range, double-click back to live. Everything goes through the panel's functions.
class ChartPanel::View : public QChartView
{
public:
    View(ChartPanel *panel, QChart *chart)
        : QChartView(chart)
        , m_panel(panel)
    {
        setRenderHint(QPainter::Antialiasing);
        setRubberBand(QChartView::NoRubberBand);
        setAcceptDrops(true);
        setFrameShape(QFrame::NoFrame);
        viewport()->setMouseTracking(true);
    }

protected:
    void dragEnterEvent(QDragEnterEvent *event) override
    {
        if (event->mimeData()->hasFormat(SeriesMimeType)) {
            event->acceptProposedAction();
        } else {
            event->ignore();
        }
    }

    void dragMoveEvent(QDragMoveEvent *event) override
    {
        if (event->mimeData()->hasFormat(SeriesMimeType)) {
            event->acceptProposedAction();
        } else {
            event->ignore();
        }
    }

    void dropEvent(QDropEvent *event) override
    {
        if (m_panel->dropSeries(m_panel->indexOf(this), event->mimeData()) > 0) {
            event->acceptProposedAction();
        } else {
            event->ignore();
        }
    }

    void mousePressEvent(QMouseEvent *event) override
    {
        if (event->button() != Qt::LeftButton) {
            event->ignore();
            return;
        }
        m_pressX = event->position().x();
        m_pressRange = drawnRange();
        m_drag = event->modifiers() & Qt::ShiftModifier ? Drag::Select : Drag::Pan;
        m_moved = false;
        m_panel->hideHover();
        event->accept();
    }

    void mouseMoveEvent(QMouseEvent *event) override
    {
        const double x = event->position().x();
        if (m_drag == Drag::None) {
            m_panel->showHover(
                m_panel->indexOf(this), timeAt(x, drawnRange()), event->globalPosition().toPoint());
            return;
        }
        if (!m_moved && std::abs(x - m_pressX) < s_dragThresholdPx) {
            return;
        }
        m_moved = true;
        const QRectF plot = plotInViewport();
        if (m_drag == Drag::Pan) {
            const auto [from, to] = m_pressRange;
            const double shiftMs = (x - m_pressX) / std::max(1.0, plot.width()) * (to - from);
            m_panel->setVisibleRange(from - shiftMs, to - shiftMs);
            return;
        }
        if (!m_band) {
            m_band = new QRubberBand(QRubberBand::Rectangle, viewport());
        }
        const double left = std::clamp(std::min(x, m_pressX), plot.left(), plot.right());
        const double right = std::clamp(std::max(x, m_pressX), plot.left(), plot.right());
        m_band->setGeometry(QRectF(left, plot.top(), right - left, plot.height()).toRect());
        m_band->show();
    }

    void mouseReleaseEvent(QMouseEvent *event) override
    {
        if (m_drag == Drag::Select && m_moved) {
            const double a = timeAt(m_pressX, m_pressRange);
            const double b = timeAt(event->position().x(), m_pressRange);
            m_panel->setVisibleRange(std::min(a, b), std::max(a, b));
        }
        if (m_band) {
            m_band->hide();
        }
        m_drag = Drag::None;
        event->accept();
    }

    void mouseDoubleClickEvent(QMouseEvent *event) override
    {
        m_panel->goLive();
        event->accept();
    }

    void wheelEvent(QWheelEvent *event) override
    {
        // Live, the wheel scrolls the grid; paused (or with Ctrl) it zooms about the pointer.
        if (!m_panel->isPaused() && !(event->modifiers() & Qt::ControlModifier)) {
            event->ignore();
            return;
        }
        const double notches = event->angleDelta().y() / 120.0;
        if (notches != 0) {
            m_panel->zoomTime(
                std::pow(s_wheelZoom, notches), timeAt(event->position().x(), drawnRange()));
        }
        event->accept();
    }

    void leaveEvent(QEvent *event) override
    {
        m_panel->hideHover();
        QChartView::leaveEvent(event);
    }

    void contextMenuEvent(QContextMenuEvent *event) override
    {
        const int index = m_panel->indexOf(this);
        if (index < 0) {
            return;
        }
        QMenu menu(this);
        QAction *live = menu.addAction(ChartPanel::tr("Back to live"));
        live->setEnabled(m_panel->isPaused());
        connect(live, &QAction::triggered, m_panel, &ChartPanel::goLive);
        menu.addSeparator();
        for (const SeriesKey &key : m_panel->chartSeries(index)) {
            QAction *remove = menu.addAction(
                ChartPanel::tr("Remove %1")
                    .arg(m_panel->seriesName(*m_panel->m_charts.at(size_t(index)), key)));
            connect(remove, &QAction::triggered, m_panel,
                [panel = m_panel, index, key] { panel->removeSeries(index, key); });
        }
        menu.exec(event->globalPos());
    }

private:
    enum class Drag {
        None,
        Pan,
        Select,
    };

    std::pair<double, double> drawnRange() const
    {
        const int index = m_panel->indexOf(this);
        if (index < 0) {
            return m_panel->visibleRange();
        }
        const Chart &chart = *m_panel->m_charts.at(size_t(index));
        if (chart.drawnToMs > chart.drawnFromMs) {
            return {chart.drawnFromMs, chart.drawnToMs};
        }
        return m_panel->visibleRange();
    }

    QRectF plotInViewport() const
    {
        return mapFromScene(chart()->mapToScene(chart()->plotArea())).boundingRect();
    }

    double timeAt(double x, std::pair<double, double> range) const
    {
        const QRectF plot = plotInViewport();
        const double fraction = (x - plot.left()) / std::max(1.0, plot.width());
        return range.first + fraction * (range.second - range.first);
    }

    ChartPanel *m_panel;
    Drag m_drag = Drag::None;
    bool m_moved = false;
    double m_pressX = 0;
    std::pair<double, double> m_pressRange;
    QRubberBand *m_band = nullptr;
};

void ChartPanel::Chart::setDense(bool isDense)
{
    if (isDense == dense) {
        return;
    }
    dense = isDense;
    view->setRenderHint(QPainter::Antialiasing, !dense);
    for (const Line &line : lines) {
        for (QLineSeries *run : line.runs) {
            run->setPen(linePen(line.color, dense));
        }
    }
}

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
    for (const WindowName &entry : s_windowNames) {
        m_windowCombo->addItem(windowLabel(entry.window), int(entry.window));
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
    for (const std::unique_ptr<Chart> &chart : m_charts) {
        for (const Chart::Line &line : chart->lines) {
            m_store->setPlotted(line.key, false);
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
    auto chart = std::make_unique<Chart>();
    chart->title = title.isEmpty() ? tr("Chart %1").arg(m_nextChartNumber) : title;
    ++m_nextChartNumber;

    chart->frame = new QFrame(m_gridHost);
    chart->frame->setObjectName(QStringLiteral("chartFrame"));
    chart->frame->setFrameShape(QFrame::StyledPanel);
    chart->frame->setMinimumHeight(s_minChartHeight);
    auto *titleLabel = new QLabel(chart->title);
    titleLabel->setObjectName(QStringLiteral("chartTitle"));
    QFont bold = titleLabel->font();
    bold.setBold(true);
    titleLabel->setFont(bold);
    auto *remove = new QToolButton;
    remove->setObjectName(QStringLiteral("removeChartButton"));
    remove->setText(QStringLiteral("×"));
    remove->setAutoRaise(true);
    remove->setToolTip(tr("Remove this chart"));
    // Queued: the button is deleted with its chart.
    connect(
        remove, &QToolButton::clicked, this,
        [this, frame = QPointer<QFrame>(chart->frame)] {
            for (size_t i = 0; i < m_charts.size(); ++i) {
                if (frame && m_charts.at(i)->frame == frame) {
                    removeChart(int(i));
                    return;
                }
            }
        },
        Qt::QueuedConnection);
    auto *header = new QHBoxLayout;
    header->addWidget(titleLabel, 1);
    header->addWidget(remove);

    chart->chart = new QChart;
    chart->chart->setTheme(isDark(palette()) ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->chart->legend()->hide(); // ours, below, shows the latest values
    chart->chart->setBackgroundRoundness(0);
    chart->chart->setMargins(QMargins(2, 8, 2, 2)); // room for the top tick's label
    chart->chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->timeAxis = new QDateTimeAxis;
    chart->valueAxis = new QCategoryAxis;
    chart->valueAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    chart->chart->addAxis(chart->timeAxis, Qt::AlignBottom);
    chart->chart->addAxis(chart->valueAxis, Qt::AlignLeft);
    chart->view = new View(this, chart->chart);
    QColor guide = palette().color(QPalette::WindowText);
    guide.setAlpha(170);
    chart->hoverLine = new QGraphicsLineItem(chart->chart);
    chart->hoverLine->setPen(QPen(guide, 1));
    chart->hoverLine->setZValue(100);
    chart->hoverLine->hide();

    chart->legend = new QLabel;
    chart->legend->setObjectName(QStringLiteral("chartLegend"));
    chart->legend->setTextFormat(Qt::RichText);
    chart->legend->setWordWrap(true);

    auto *layout = new QVBoxLayout(chart->frame);
    layout->setContentsMargins(4, 2, 4, 4);
    layout->setSpacing(2);
    layout->addLayout(header);
    layout->addWidget(chart->view, 1);
    layout->addWidget(chart->legend);

    m_charts.push_back(std::move(chart));
    relayout();
    syncControls();
    updateLegend(*m_charts.back());
    edited();
    return chartCount() - 1;
}

void ChartPanel::removeChart(int chart)
{
    if (chart < 0 || chart >= chartCount()) {
        return;
    }
    hideHover();
    for (const Chart::Line &line : m_charts.at(size_t(chart))->lines) {
        m_store->setPlotted(line.key, false);
    }
    m_charts.erase(m_charts.begin() + chart);
    relayout();
    syncControls();
    edited();
}

QString ChartPanel::chartTitle(int chart) const
{
    return chart >= 0 && chart < chartCount() ? m_charts.at(size_t(chart))->title : QString();
}

bool ChartPanel::addSeries(int chart, const SeriesKey &key)
{
    if (chart < 0 || chart >= chartCount()) {
        return false;
    }
    Chart &target = *m_charts.at(size_t(chart));
    const auto present = std::find_if(target.lines.cbegin(), target.lines.cend(),
        [&key](const Chart::Line &line) { return line.key == key; });
    if (present != target.lines.cend() || int(target.lines.size()) >= MaxSeriesPerChart) {
        return false;
    }
    Chart::Line line;
    line.key = key;
    // The first colour no other series of this chart has; past ten, they repeat.
    line.color = s_lineColors.at(qsizetype(target.lines.size()) % s_lineColors.size());
    for (const QColor &color : s_lineColors) {
        const bool used = std::any_of(target.lines.cbegin(), target.lines.cend(),
            [&color](const Chart::Line &other) { return other.color == color; });
        if (!used) {
            line.color = color;
            break;
        }
    }
    target.lines.push_back(line);
    m_store->setPlotted(key, true);
    target.dirty = true;
    updateLegend(target);
    edited();
    return true;
}

void ChartPanel::removeSeries(int chart, const SeriesKey &key)
{
    if (chart < 0 || chart >= chartCount()) {
        return;
    }
    Chart &target = *m_charts.at(size_t(chart));
    const auto found = std::find_if(target.lines.begin(), target.lines.end(),
        [&key](const Chart::Line &line) { return line.key == key; });
    if (found == target.lines.end()) {
        return;
    }
    for (QLineSeries *run : found->runs) {
        target.chart->removeSeries(run);
        delete run;
    }
    target.lines.erase(found);
    m_store->setPlotted(key, false);
    target.dirty = true;
    updateLegend(target);
    edited();
}

QList<SeriesKey> ChartPanel::chartSeries(int chart) const
{
    QList<SeriesKey> keys;
    if (chart >= 0 && chart < chartCount()) {
        for (const Chart::Line &line : m_charts.at(size_t(chart))->lines) {
            keys.append(line.key);
        }
    }
    return keys;
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
    for (const std::unique_ptr<Chart> &chart : m_charts) {
        for (const Chart::Line &line : chart->lines) {
            m_store->setPlotted(line.key, false);
        }
    }
    m_charts.clear();
    m_nextChartNumber = 1;
    relayout();
    syncControls();
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
            for (const std::unique_ptr<Chart> &chart : m_charts) {
                for (const Chart::Line &line : chart->lines) {
                    const SeriesBuffer *series = m_store->series(line.key);
                    if (series && !series->isEmpty()) {
                        earliest = std::fmin(earliest, series->at(0).timeMs);
                    }
                }
            }
            m_viewFromMs = std::isnan(earliest) ? m_viewToMs - s_noDataSpanMs
                                                : std::min(earliest, m_viewToMs - s_minSpanMs);
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
    const double zoomed = std::clamp(span * factor, s_minSpanMs, s_maxSpanMs);
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
    const double span = std::clamp(toMs - fromMs, s_minSpanMs, s_maxSpanMs);
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
    for (const std::unique_ptr<Chart> &chart : m_charts) {
        for (const Chart::Line &line : chart->lines) {
            const SeriesBuffer *series = m_store->series(line.key);
            if (series && !series->isEmpty()) {
                earliest = std::fmin(earliest, series->at(0).timeMs);
                latest = std::fmax(latest, series->last().timeMs);
            }
        }
    }
    return liveRange(earliest, latest, double(QDateTime::currentMSecsSinceEpoch()));
}

std::pair<double, double> ChartPanel::liveRange(
    double earliestMs, double latestMs, double nowMs) const
{
    const double windowSpan = double(windowMs(m_window));
    if (std::isnan(latestMs)) {
        return {nowMs - (windowSpan > 0 ? windowSpan : s_noDataSpanMs), nowMs};
    }
    // Payload clocks may differ from ours: data within a window of now scrolls with now; older
    // (a replay, a skewed producer) is shown up to its newest point.
    const double span = windowSpan > 0 ? windowSpan : std::max(latestMs - earliestMs, 1000.0);
    const double right = std::abs(nowMs - latestMs) <= span ? std::max(nowMs, latestMs) : latestMs;
    const double left
        = windowSpan > 0 ? right - windowSpan : std::min(earliestMs, right - s_minSpanMs);
    return {left, right};
}

std::pair<double, double> ChartPanel::chartLiveRange(const Chart &chart, double nowMs) const
{
    double earliest = s_nan;
    double latest = s_nan;
    for (const Chart::Line &line : chart.lines) {
        const SeriesBuffer *series = m_store->series(line.key);
        if (series && !series->isEmpty()) {
            earliest = std::fmin(earliest, series->at(0).timeMs);
            latest = std::fmax(latest, series->last().timeMs);
        }
    }
    return liveRange(earliest, latest, nowMs);
}

QStringList ChartPanel::valuesAt(int chart, double timeMs) const
{
    QStringList lines;
    if (chart < 0 || chart >= chartCount()) {
        return lines;
    }
    const Chart &target = *m_charts.at(size_t(chart));
    for (const Chart::Line &line : target.lines) {
        const QString name = seriesName(target, line.key);
        const SeriesBuffer *series = m_store->series(line.key);
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

qsizetype ChartPanel::plottedPointCount(int chart) const
{
    qsizetype points = 0;
    if (chart >= 0 && chart < chartCount()) {
        for (const Chart::Line &line : m_charts.at(size_t(chart))->lines) {
            points += line.points;
        }
    }
    return points;
}

int ChartPanel::plottedRunCount(int chart) const
{
    int runs = 0;
    if (chart >= 0 && chart < chartCount()) {
        for (const Chart::Line &line : m_charts.at(size_t(chart))->lines) {
            runs += line.runsShown;
        }
    }
    return runs;
}

int ChartPanel::reconnectMarkerCount(int chart) const
{
    return chart >= 0 && chart < chartCount() ? m_charts.at(size_t(chart))->markersShown : 0;
}

QStringList ChartPanel::legendEntries(int chart) const
{
    return chart >= 0 && chart < chartCount() ? m_charts.at(size_t(chart))->legendEntries
                                              : QStringList();
}

QWidget *ChartPanel::chartView(int chart) const
{
    return chart >= 0 && chart < chartCount() ? m_charts.at(size_t(chart))->view : nullptr;
}

int ChartPanel::dropSeries(int chart, const QMimeData *mime)
{
    int added = 0;
    for (const SeriesKey &key : seriesFromMimeData(mime)) {
        if ((!m_streams || m_streams->stream(key.streamId)) && addSeries(chart, key)) {
            ++added;
        }
    }
    return added;
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
    if (dropSeries(chart, event->mimeData()) == 0) {
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

QJsonObject ChartPanel::toJson(const std::function<int(int)> &streamIndexOfId) const
{
    QJsonArray charts;
    for (const std::unique_ptr<Chart> &chart : m_charts) {
        QJsonArray series;
        for (const Chart::Line &line : chart->lines) {
            const int index = streamIndexOfId(line.key.streamId);
            if (index < 0) {
                continue;
            }
            series.append(QJsonObject{{QStringLiteral("stream"), index},
                {QStringLiteral("type"), QString::fromUtf8(line.key.eventType)},
                {QStringLiteral("label"), line.key.label},
                {QStringLiteral("path"), line.key.path}});
        }
        charts.append(QJsonObject{
            {QStringLiteral("title"), chart->title}, {QStringLiteral("series"), series}});
    }
    // Only streams whose settings differ from the defaults.
    QJsonArray extraction;
    for (const int id : m_streams ? m_streams->ids() : QList<int>()) {
        const ExtractionSettings settings = m_store->settings(id);
        const int index = streamIndexOfId(id);
        if (settings == ExtractionSettings() || index < 0) {
            continue;
        }
        extraction.append(QJsonObject{{QStringLiteral("stream"), index},
            {QStringLiteral("timeField"), settings.timeField},
            {QStringLiteral("unit"), timeUnitName(settings.timeUnit)},
            {QStringLiteral("labelField"), settings.labelField}});
    }
    return {{QStringLiteral("window"), windowName(m_window)}, {QStringLiteral("charts"), charts},
        {QStringLiteral("extraction"), extraction}};
}

void ChartPanel::fromJson(
    const QJsonObject &json, const std::function<int(int)> &streamIdOfIndex, QStringList *problems)
{
    const QScopedValueRollback loading(m_loading, true);
    QStringList found;
    clear();
    setPaused(false);

    const auto streamAt = [&](const QJsonValue &value, const QString &where) -> int {
        const std::optional<int> index = integerOf(value);
        if (!index) {
            found.append(tr("%1.stream: expected a stream index, found %2")
                             .arg(where, value.isUndefined() ? tr("nothing") : describe(value)));
            return 0;
        }
        const int id = streamIdOfIndex ? streamIdOfIndex(*index) : 0;
        if (id <= 0 || (m_streams && !m_streams->stream(id))) {
            found.append(tr("%1: no stream %2").arg(where).arg(*index));
            return 0;
        }
        return id;
    };

    Window window = Window::FiveMinutes;
    const QJsonValue windowValue = json.value(QStringLiteral("window"));
    if (!windowValue.isUndefined()) {
        const std::optional<Window> named = windowFromName(windowValue.toString());
        if (named) {
            window = *named;
        } else {
            found.append(
                tr("window: expected 1m, 5m, 15m, 1h or all, found %1").arg(describe(windowValue)));
        }
    }
    setWindow(window);

    const QJsonValue extraction = json.value(QStringLiteral("extraction"));
    if (!extraction.isUndefined() && !extraction.isArray()) {
        found.append(tr("extraction: expected an array, found %1").arg(json::typeName(extraction)));
    }
    const QJsonArray extractionArray = extraction.toArray();
    for (qsizetype i = 0; i < extractionArray.size(); ++i) {
        const QString where = QStringLiteral("extraction[%1]").arg(i);
        const QJsonValue entry = extractionArray.at(i);
        if (!entry.isObject()) {
            found.append(tr("%1: expected an object, found %2").arg(where, json::typeName(entry)));
            continue;
        }
        const QJsonObject object = entry.toObject();
        const int id = streamAt(object.value(QStringLiteral("stream")), where);
        if (id <= 0) {
            continue;
        }
        ExtractionSettings settings;
        QString unit = timeUnitName(TimeUnit::Auto);
        if (!readString(object, QStringLiteral("timeField"), where, &settings.timeField, &found)
            || !readString(
                object, QStringLiteral("labelField"), where, &settings.labelField, &found)
            || !readString(object, QStringLiteral("unit"), where, &unit, &found)) {
            continue;
        }
        const std::optional<TimeUnit> timeUnit = timeUnitFromName(unit);
        if (!timeUnit) {
            found.append(tr("%1.unit: expected auto, s, ms, us or ns, found \"%2\"; auto is used")
                             .arg(where, unit));
        }
        settings.timeUnit = timeUnit.value_or(TimeUnit::Auto);
        m_store->setSettings(id, settings);
    }

    const QJsonValue charts = json.value(QStringLiteral("charts"));
    if (!charts.isUndefined() && !charts.isArray()) {
        found.append(tr("charts: expected an array, found %1").arg(json::typeName(charts)));
    }
    const QJsonArray chartArray = charts.toArray();
    for (qsizetype i = 0; i < chartArray.size(); ++i) {
        const QString where = QStringLiteral("charts[%1]").arg(i);
        const QJsonValue entry = chartArray.at(i);
        if (!entry.isObject()) {
            found.append(tr("%1: expected an object, found %2").arg(where, json::typeName(entry)));
            continue;
        }
        if (chartCount() >= MaxCharts) {
            found.append(tr("%1: more than %2 charts; left out").arg(where).arg(MaxCharts));
            continue;
        }
        const QJsonObject object = entry.toObject();
        QString title;
        readString(object, QStringLiteral("title"), where, &title, &found);
        const int chart = addChart(title);
        const QJsonValue series = object.value(QStringLiteral("series"));
        if (!series.isUndefined() && !series.isArray()) {
            found.append(
                tr("%1.series: expected an array, found %2").arg(where, json::typeName(series)));
        }
        const QJsonArray seriesArray = series.toArray();
        for (qsizetype s = 0; s < seriesArray.size(); ++s) {
            const QString seriesWhere = where + QStringLiteral(".series[%1]").arg(s);
            const QJsonValue seriesEntry = seriesArray.at(s);
            if (!seriesEntry.isObject()) {
                found.append(tr("%1: expected an object, found %2")
                                 .arg(seriesWhere, json::typeName(seriesEntry)));
                continue;
            }
            const QJsonObject seriesObject = seriesEntry.toObject();
            SeriesKey key;
            key.streamId = streamAt(seriesObject.value(QStringLiteral("stream")), seriesWhere);
            QString type;
            if (key.streamId <= 0
                || !readString(seriesObject, QStringLiteral("type"), seriesWhere, &type, &found)
                || !readString(
                    seriesObject, QStringLiteral("label"), seriesWhere, &key.label, &found)
                || !readString(
                    seriesObject, QStringLiteral("path"), seriesWhere, &key.path, &found)) {
                continue;
            }
            key.eventType = type.toUtf8();
            if (!addSeries(chart, key)) {
                found.append(tr("%1: already on the chart, or more than %2 series; left out")
                                 .arg(seriesWhere)
                                 .arg(MaxSeriesPerChart));
            }
        }
    }
    if (problems) {
        problems->append(found);
    }
}

void ChartPanel::redraw()
{
    QElapsedTimer clock;
    clock.start();
    const double nowMs = double(QDateTime::currentMSecsSinceEpoch());
    bool drew = false;
    for (const std::unique_ptr<Chart> &chart : m_charts) {
        auto [fromMs, toMs]
            = m_paused ? std::pair(m_viewFromMs, m_viewToMs) : chartLiveRange(*chart, nowMs);
        const int plotWidth = int(chart->chart->plotArea().width());
        // Before the first layout the plot has no size yet: the view's width is close.
        const int columns = plotWidth >= 2 ? plotWidth : std::max(2, chart->view->width() - 60);
        if (!m_paused) {
            // Live, the range steps a whole column at a time: in between, new data is drawn
            // without moving the axes (each move of which recomputes every series).
            const double column = (toMs - fromMs) / columns;
            const double snapped = std::ceil(toMs / column) * column;
            fromMs += snapped - toMs;
            toMs = snapped;
        }

        // The store's revision moves with any series: only then are this chart's own looked at.
        bool dataMoved = false;
        if (chart->seenRevision != m_store->revision()) {
            chart->seenRevision = m_store->revision();
            const size_t signature = dataSignature(*chart);
            dataMoved = signature != chart->dataSignature;
            chart->dataSignature = signature;
        }
        // Live, "now" moves every frame: the range has moved once it is half a column off.
        const double tolerance = (toMs - fromMs) / columns / 2;
        const bool moved = columns != chart->drawnColumns
            || std::abs(fromMs - chart->drawnFromMs) > tolerance
            || std::abs(toMs - chart->drawnToMs) > tolerance;
        if (!chart->dirty && !moved && !dataMoved) {
            continue;
        }
        drawChart(*chart, fromMs, toMs, columns);
        drew = true;
    }
    // Latest values change with every point: the legends follow at a readable pace.
    for (const std::unique_ptr<Chart> &chart : m_charts) {
        if (chart->legendSignature != chart->dataSignature
            && (!chart->legendClock.isValid() || chart->legendClock.hasExpired(LegendIntervalMs))) {
            updateLegend(*chart);
        }
    }
    if (drew) {
        ++m_redrawCount;
    }
    m_lastRedrawMs = double(clock.nsecsElapsed()) / 1e6;
}

size_t ChartPanel::dataSignature(const Chart &chart) const
{
    size_t signature = 0;
    QList<int> streams;
    for (const Chart::Line &line : chart.lines) {
        const SeriesBuffer *series = m_store->series(line.key);
        signature = qHashMulti(
            signature, series, series ? series->appendedTotal() : 0, series ? series->size() : 0);
        if (!streams.contains(line.key.streamId)) {
            streams.append(line.key.streamId);
        }
    }
    for (const int stream : std::as_const(streams)) {
        const QList<double> markers = m_store->reconnectMarkers(stream);
        signature
            = qHashMulti(signature, markers.size(), markers.isEmpty() ? 0.0 : markers.constLast());
    }
    return signature;
}

void ChartPanel::drawChart(Chart &chart, double fromMs, double toMs, int columns)
{
    // Every line first: the value axis fits what is drawn inside the range.
    std::vector<PlotRuns> runsOfLine(chart.lines.size());
    double low = std::numeric_limits<double>::infinity();
    double high = -low;
    double lowOutside = low;
    double highOutside = high;
    for (size_t i = 0; i < chart.lines.size(); ++i) {
        const SeriesBuffer *series = m_store->series(chart.lines.at(i).key);
        if (!series || series->isEmpty()) {
            continue;
        }
        DecimationRequest request;
        request.fromMs = fromMs;
        request.toMs = toMs;
        request.columns = columns;
        request.gapMs = GapFactor * series->typicalIntervalMs();
        PlotRuns &runs = runsOfLine.at(i);
        runs = decimate(*series, request);
        if (runs.size() > MaxRunsPerSeries) {
            // Better a line across a few gaps than hundreds of series items.
            QList<QPointF> &last = runs[MaxRunsPerSeries - 1];
            for (qsizetype r = MaxRunsPerSeries; r < runs.size(); ++r) {
                last.append(runs.at(r));
            }
            runs.resize(MaxRunsPerSeries);
        }
        for (const QList<QPointF> &run : std::as_const(runs)) {
            for (const QPointF &point : run) {
                if (point.x() >= fromMs && point.x() <= toMs) {
                    low = std::min(low, point.y());
                    high = std::max(high, point.y());
                } else {
                    lowOutside = std::min(lowOutside, point.y());
                    highOutside = std::max(highOutside, point.y());
                }
            }
        }
    }
    if (low > high) {
        // Nothing inside: the edge points still draw lines across the plot.
        low = lowOutside;
        high = highOutside;
    }
    if (low > high) {
        low = 0;
        high = 1;
    }
    const double margin = high > low ? (high - low) * 0.02 : std::max(std::abs(high) * 0.05, 0.5);
    const int maxValueTicks = std::clamp(int(chart.chart->plotArea().height()) / 40 + 1, 3, 8);
    // A margin never takes an all-positive (or all-negative) plot across zero.
    const double lowEdge = low >= 0 ? std::max(0.0, low - margin) : low - margin;
    const double highEdge = high <= 0 ? std::min(0.0, high + margin) : high + margin;
    const NiceRange values = niceRange(lowEdge, highEdge, maxValueTicks);

    // Qt Charts recomputes every non-empty series at each axis change, and refilling an empty
    // one costs a fixed ~0.3 ms: before the axes move, long runs are emptied, to be computed
    // once, at their replace() below; short ones are cheaper to recompute.
    const bool timeMoves = fromMs != chart.drawnFromMs || toMs != chart.drawnToMs;
    if (timeMoves || values.low != chart.valueAxis->min()
        || values.high != chart.valueAxis->max()) {
        for (Chart::Line &line : chart.lines) {
            for (int r = 0; r < line.runsShown; ++r) {
                QLineSeries *run = line.runs.at(size_t(r));
                if (run->count() > s_emptyBeforeRangePoints) {
                    run->clear();
                }
            }
        }
    }
    if (timeMoves) {
        chart.timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(qint64(std::floor(fromMs))),
            QDateTime::fromMSecsSinceEpoch(qint64(std::ceil(toMs))));
    }
    const QString format = timeFormat(toMs - fromMs);
    if (chart.timeAxis->format() != format) {
        chart.timeAxis->setFormat(format);
    }
    const int ticks = std::clamp(columns / 140 + 1, 2, 8);
    if (chart.timeAxis->tickCount() != ticks) {
        chart.timeAxis->setTickCount(ticks);
    }
    if (values.low != chart.valueAxis->min() || values.high != chart.valueAxis->max()
        || chart.valueAxis->count() != values.ticks) {
        chart.valueAxis->setRange(values.low, values.high);
        for (const QString &label : chart.valueAxis->categoriesLabels()) {
            chart.valueAxis->remove(label);
        }
        chart.valueAxis->setStartValue(values.low);
        const double step = (values.high - values.low) / (values.ticks - 1);
        for (int tick = 0; tick < values.ticks; ++tick) {
            const double value = values.low + tick * step;
            chart.valueAxis->append(valueAxisLabel(value, step, values), value);
        }
    }

    for (size_t i = 0; i < chart.lines.size(); ++i) {
        Chart::Line &line = chart.lines.at(i);
        const PlotRuns &runs = runsOfLine.at(i);
        while (line.runs.size() < size_t(runs.size())) {
            auto *run = new QLineSeries;
            chart.chart->addSeries(run);
            run->attachAxis(chart.timeAxis);
            run->attachAxis(chart.valueAxis);
            run->setPen(
                linePen(line.color, chart.dense)); // after addSeries: the theme sets its own
            line.runs.push_back(run);
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
    chart.setDense(chart.drawnPoints() > DensePointsPerColumn * qsizetype(std::max(1, columns)));

    // Reconnect markers in range, newest kept when there are too many.
    QList<double> markerTimes;
    QList<int> streams;
    for (const Chart::Line &line : chart.lines) {
        if (streams.contains(line.key.streamId)) {
            continue;
        }
        streams.append(line.key.streamId);
        for (const double time : m_store->reconnectMarkers(line.key.streamId)) {
            if (time >= fromMs && time <= toMs) {
                markerTimes.append(time);
            }
        }
    }
    std::sort(markerTimes.begin(), markerTimes.end());
    if (markerTimes.size() > MaxMarkersPerChart) {
        markerTimes.remove(0, markerTimes.size() - MaxMarkersPerChart);
    }
    while (chart.markers.size() < size_t(markerTimes.size())) {
        auto *marker = new QLineSeries;
        chart.chart->addSeries(marker);
        marker->attachAxis(chart.timeAxis);
        marker->attachAxis(chart.valueAxis);
        QColor color = palette().color(QPalette::WindowText);
        color.setAlpha(150);
        marker->setPen(QPen(color, 1, Qt::DashLine));
        chart.markers.push_back(marker);
    }
    for (qsizetype m = 0; m < markerTimes.size(); ++m) {
        const double time = markerTimes.at(m);
        chart.markers.at(size_t(m))->replace(
            {QPointF(time, values.low), QPointF(time, values.high)});
    }
    for (int m = int(markerTimes.size()); m < chart.markersShown; ++m) {
        chart.markers.at(size_t(m))->clear();
    }
    chart.markersShown = int(markerTimes.size());

    chart.drawnFromMs = fromMs;
    chart.drawnToMs = toMs;
    chart.drawnColumns = columns;
    chart.dirty = false;
}

void ChartPanel::updateLegend(Chart &chart)
{
    QStringList entries;
    QString html;
    for (const Chart::Line &line : chart.lines) {
        const SeriesBuffer *series = m_store->series(line.key);
        const QString value = series && !series->isEmpty() ? metricValueText(series->last().value)
                                                           : QStringLiteral("–");
        const QString name = seriesName(chart, line.key);
        entries.append(name + QStringLiteral("  ") + value);
        if (!html.isEmpty()) {
            html += QStringLiteral(" &nbsp; ");
        }
        // Lines break between entries, never inside one.
        html += QStringLiteral(
            "<span style=\"color:%1\">&#9632;</span>&nbsp;%2&nbsp;&nbsp;<b>%3</b>")
                    .arg(line.color.name(),
                        name.toHtmlEscaped().replace(QLatin1Char(' '), QStringLiteral("&nbsp;")),
                        value.toHtmlEscaped());
    }
    chart.legendSignature = chart.dataSignature;
    chart.legendClock.start();
    if (entries == chart.legendEntries && !chart.legend->text().isEmpty()) {
        return;
    }
    chart.legendEntries = entries;
    chart.legend->setText(html.isEmpty() ? tr("Drop fields here from the field browser") : html);
}

QString ChartPanel::streamName(int streamId) const
{
    const Stream *stream = m_streams ? m_streams->stream(streamId) : nullptr;
    if (!stream) {
        return QStringLiteral("#%1").arg(streamId);
    }
    const StreamConfig &config = stream->config();
    return config.name.isEmpty() ? config.url.toDisplayString() : config.name;
}

QString ChartPanel::seriesName(const Chart &chart, const SeriesKey &key) const
{
    const bool manyStreams = std::any_of(chart.lines.cbegin(), chart.lines.cend(),
        [&key](const Chart::Line &line) { return line.key.streamId != key.streamId; });
    return manyStreams ? streamName(key.streamId) + QStringLiteral(" · ") + key.displayName()
                       : key.displayName();
}

int ChartPanel::indexOf(const View *view) const
{
    for (size_t i = 0; i < m_charts.size(); ++i) {
        if (m_charts.at(i)->view == view) {
            return int(i);
        }
    }
    return -1;
}

void ChartPanel::showHover(int chart, double timeMs, const QPoint &globalPos)
{
    if (chart < 0 || chart >= chartCount() || m_charts.at(size_t(chart))->lines.empty()) {
        hideHover();
        return;
    }
    Chart &target = *m_charts.at(size_t(chart));
    const QRectF plot = target.chart->plotArea();
    const double span = target.drawnToMs - target.drawnFromMs;
    if (span <= 0) {
        return;
    }
    const double x = plot.left() + (timeMs - target.drawnFromMs) / span * plot.width();
    if (x < plot.left() || x > plot.right()) {
        hideHover();
        return;
    }
    target.hoverLine->setLine(x, plot.top(), x, plot.bottom());
    target.hoverLine->show();
    const QString time = QDateTime::fromMSecsSinceEpoch(qint64(timeMs))
                             .toString(span < 60'000 ? QStringLiteral("HH:mm:ss.zzz")
                                                     : QStringLiteral("HH:mm:ss"));
    QToolTip::showText(globalPos,
        time + QLatin1Char('\n') + valuesAt(chart, timeMs).join(QLatin1Char('\n')), target.view);
}

void ChartPanel::hideHover()
{
    for (const std::unique_ptr<Chart> &chart : m_charts) {
        chart->hoverLine->hide();
    }
    QToolTip::hideText();
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
        delete item; // the chart frames stay: only their places go
    }
    const int count = chartCount();
    for (int i = 0; i < count; ++i) {
        // Two columns; an odd last chart takes the whole row.
        const int span = i == count - 1 && count % 2 == 1 ? 2 : 1;
        m_grid->addWidget(m_charts.at(size_t(i))->frame, i / 2, i % 2, 1, span);
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
