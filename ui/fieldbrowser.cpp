// SPDX-License-Identifier: GPL-3.0-or-later
#include "fieldbrowser.h"

#include "charts/chartpanel.h"
#include "fieldlistmodel.h"
#include "metricstore.h"
#include "streamset.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace streamscope {

FieldBrowser::FieldBrowser(
    MetricStore *store, StreamSet *streams, ChartPanel *charts, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_streams(streams)
    , m_charts(charts)
    , m_model(new FieldListModel(store, streams, this))
    , m_filter(new QSortFilterProxyModel(this))
    , m_search(new QLineEdit)
    , m_table(new QTableView)
    , m_target(new QComboBox)
    , m_addButton(new QPushButton(tr("Add to chart")))
    , m_extractionStream(new QComboBox)
    , m_timeField(new QLineEdit)
    , m_timeUnit(new QComboBox)
    , m_labelField(new QLineEdit)
    , m_applyButton(new QPushButton(tr("Apply")))
    , m_counts(new QLabel)
{
    m_filter->setSourceModel(m_model);
    // Searches stream, type, label and field at once, not the changing numbers.
    m_filter->setFilterRole(FieldListModel::SearchTextRole);
    m_filter->setFilterKeyColumn(FieldListModel::StreamColumn);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setSortRole(FieldListModel::SortRole);

    m_search->setObjectName(QStringLiteral("fieldSearch"));
    m_search->setPlaceholderText(tr("Search fields"));
    m_search->setClearButtonEnabled(true);

    m_table->setObjectName(QStringLiteral("fieldTable"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setDragEnabled(true);
    m_table->setDragDropMode(QAbstractItemView::DragOnly);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // the order first seen until a header click
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    // What a person looks for first, the field and its value, leads; where it comes from follows.
    QHeaderView *header = m_table->horizontalHeader();
    header->setStretchLastSection(true);
    header->moveSection(header->visualIndex(FieldListModel::FieldColumn), 0);
    header->moveSection(header->visualIndex(FieldListModel::LatestColumn), 1);
    const int character = m_table->fontMetrics().averageCharWidth();
    for (const auto &[column, characters] : {std::pair{FieldListModel::FieldColumn, 14},
             {FieldListModel::LatestColumn, 9}, {FieldListModel::StreamColumn, 11},
             {FieldListModel::TypeColumn, 9}, {FieldListModel::LabelColumn, 9}}) {
        header->resizeSection(column, characters * character);
    }
    m_table->setToolTip(tr("Drag fields onto a chart, or double-click to add them"));

    m_target->setObjectName(QStringLiteral("targetChart"));
    m_target->setToolTip(tr("The chart the selected fields go to"));
    m_addButton->setObjectName(QStringLiteral("addToChartButton"));

    m_extractionStream->setObjectName(QStringLiteral("extractionStream"));
    m_timeField->setObjectName(QStringLiteral("timeField"));
    m_timeField->setPlaceholderText(tr("arrival time"));
    m_timeField->setToolTip(tr("Dotted path of the payload's time (ts, meta.time); empty: the "
                               "time it arrived"));
    m_timeUnit->setObjectName(QStringLiteral("timeUnit"));
    m_timeUnit->addItem(tr("auto"), int(TimeUnit::Auto));
    m_timeUnit->addItem(tr("s"), int(TimeUnit::Seconds));
    m_timeUnit->addItem(tr("ms"), int(TimeUnit::Milliseconds));
    m_timeUnit->addItem(tr("µs"), int(TimeUnit::Microseconds));
    m_timeUnit->addItem(tr("ns"), int(TimeUnit::Nanoseconds));
    m_labelField->setObjectName(QStringLiteral("labelField"));
    m_labelField->setPlaceholderText(tr("none"));
    m_labelField->setToolTip(
        tr("Top-level field whose value names a family of series (host: one cpu per host)"));
    m_applyButton->setObjectName(QStringLiteral("applyExtraction"));
    m_counts->setObjectName(QStringLiteral("extractionCounts"));
    m_counts->setWordWrap(true);

    auto *addRow = new QHBoxLayout;
    addRow->addWidget(m_addButton);
    addRow->addWidget(m_target, 1);

    auto *extraction = new QGroupBox(tr("Extraction"));
    auto *form = new QFormLayout(extraction);
    form->addRow(tr("Stream:"), m_extractionStream);
    auto *time = new QHBoxLayout;
    time->addWidget(m_timeField, 1);
    time->addWidget(m_timeUnit);
    form->addRow(tr("Time field:"), time);
    auto *label = new QHBoxLayout;
    label->addWidget(m_labelField, 1);
    label->addWidget(m_applyButton);
    form->addRow(tr("Label field:"), label);
    form->addRow(m_counts);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_table, 1);
    layout->addLayout(addRow);
    layout->addWidget(extraction);

    connect(
        m_search, &QLineEdit::textChanged, m_filter, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_addButton, &QPushButton::clicked, this, &FieldBrowser::addSelectedToChart);
    connect(m_table, &QTableView::doubleClicked, this, &FieldBrowser::addSelectedToChart);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &FieldBrowser::followSelection);
    connect(m_extractionStream, &QComboBox::currentIndexChanged, this,
        &FieldBrowser::showStreamSettings);
    connect(m_applyButton, &QPushButton::clicked, this, &FieldBrowser::applyExtraction);
    connect(m_timeField, &QLineEdit::returnPressed, this, &FieldBrowser::applyExtraction);
    connect(m_labelField, &QLineEdit::returnPressed, this, &FieldBrowser::applyExtraction);
    connect(m_model, &FieldListModel::refreshed, this, &FieldBrowser::refresh);
    if (streams) {
        connect(streams, &StreamSet::streamAdded, this, &FieldBrowser::refreshStreams);
        connect(streams, &StreamSet::streamRemoved, this, &FieldBrowser::refreshStreams);
    }
    if (charts) {
        connect(charts, &ChartPanel::chartsEdited, this, &FieldBrowser::refreshTargets);
    }
    refreshStreams();
    refreshTargets();
}

QString FieldBrowser::countsText(const ExtractionCounts &counts)
{
    const QLocale locale;
    QString text = tr("%1 samples · %2 malformed · %3 NaN/inf · %4 missing time · %5 not JSON")
                       .arg(locale.toString(counts.samples), locale.toString(counts.malformed),
                           locale.toString(counts.invalidNumbers),
                           locale.toString(counts.missingTime), locale.toString(counts.notJson));
    if (counts.truncated > 0) {
        text += tr(" · %1 truncated").arg(locale.toString(counts.truncated));
    }
    return text;
}

void FieldBrowser::addSelectedToChart()
{
    if (!m_charts) {
        return;
    }
    QList<SeriesKey> keys;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows) {
        keys.append(m_model->keyAt(m_filter->mapToSource(row).row()));
    }
    if (keys.isEmpty()) {
        return;
    }
    int chart = m_target->currentData().toInt();
    if (chart < 0 || chart >= m_charts->chartCount()) {
        const SeriesKey &first = keys.constFirst();
        chart = m_charts->addChart(first.path.isEmpty() ? tr("(value)") : first.path);
        if (chart < 0) {
            return; // the grid is full; the button is the user's hint to remove one
        }
    }
    for (const SeriesKey &key : std::as_const(keys)) {
        m_charts->addSeries(chart, key);
    }
    refreshTargets();
    m_target->setCurrentIndex(m_target->findData(chart));
}

void FieldBrowser::refresh()
{
    refreshTargets();
    followStoreSettings();
    refreshCounts();
}

void FieldBrowser::refreshCounts()
{
    const int id = extractionStreamId();
    if (id <= 0) {
        m_counts->setText(tr("No stream"));
        return;
    }
    QString text = countsText(m_store->counts(id));
    if (m_store->droppedSeries() > 0) {
        text += tr(" · %1 series over the limit of %2, not kept")
                    .arg(QLocale().toString(m_store->droppedSeries()))
                    .arg(MetricStore::MaxSeries);
    }
    m_counts->setText(text);
}

void FieldBrowser::refreshTargets()
{
    QStringList titles{tr("New chart")};
    const int charts = m_charts ? m_charts->chartCount() : 0;
    for (int chart = 0; chart < charts; ++chart) {
        titles.append(m_charts->chartTitle(chart));
    }
    QStringList shown;
    for (int i = 0; i < m_target->count(); ++i) {
        shown.append(m_target->itemText(i));
    }
    if (shown == titles) {
        return;
    }
    const int current = m_target->currentData().toInt();
    const QSignalBlocker block(m_target);
    m_target->clear();
    m_target->addItem(titles.constFirst(), -1);
    for (int chart = 0; chart < charts; ++chart) {
        m_target->addItem(titles.at(chart + 1), chart);
    }
    m_target->setCurrentIndex(std::max(0, m_target->findData(current < charts ? current : -1)));
}

void FieldBrowser::refreshStreams()
{
    const int current = extractionStreamId();
    {
        const QSignalBlocker block(m_extractionStream);
        m_extractionStream->clear();
        for (const int id : m_streams ? m_streams->ids() : QList<int>()) {
            const StreamConfig &config = m_streams->stream(id)->config();
            m_extractionStream->addItem(config.displayName(), id);
        }
        m_extractionStream->setCurrentIndex(std::max(0, m_extractionStream->findData(current)));
    }
    const bool any = m_extractionStream->count() > 0;
    for (QWidget *widget : std::initializer_list<QWidget *>{
             m_extractionStream, m_timeField, m_timeUnit, m_labelField, m_applyButton}) {
        widget->setEnabled(any);
    }
    if (extractionStreamId() != current) {
        showStreamSettings();
    }
    refresh();
}

int FieldBrowser::extractionStreamId() const
{
    return m_extractionStream->currentIndex() >= 0 ? m_extractionStream->currentData().toInt() : 0;
}

void FieldBrowser::showStreamSettings()
{
    const int id = extractionStreamId();
    m_shownSettings = id > 0 ? m_store->settings(id) : ExtractionSettings();
    m_timeField->setText(m_shownSettings.timeField);
    m_timeUnit->setCurrentIndex(m_timeUnit->findData(int(m_shownSettings.timeUnit)));
    m_labelField->setText(m_shownSettings.labelField);
    refreshCounts();
}

void FieldBrowser::followStoreSettings()
{
    const int id = extractionStreamId();
    if (id > 0 && m_store->settings(id) != m_shownSettings && formSettings() == m_shownSettings) {
        showStreamSettings();
    }
}

ExtractionSettings FieldBrowser::formSettings() const
{
    ExtractionSettings settings;
    settings.timeField = m_timeField->text().trimmed();
    settings.timeUnit = TimeUnit(m_timeUnit->currentData().toInt());
    settings.labelField = m_labelField->text().trimmed();
    return settings;
}

void FieldBrowser::applyExtraction()
{
    const int id = extractionStreamId();
    if (id <= 0) {
        return;
    }
    const ExtractionSettings settings = formSettings();
    m_shownSettings = settings;
    if (m_charts) {
        m_charts->setExtractionSettings(id, settings); // saved with the charts
    } else {
        m_store->setSettings(id, settings);
    }
}

void FieldBrowser::followSelection()
{
    // The extraction box follows the stream of the field last picked.
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid()) {
        return;
    }
    const int id = m_filter->data(current, FieldListModel::StreamIdRole).toInt();
    const int index = m_extractionStream->findData(id);
    if (index >= 0) {
        m_extractionStream->setCurrentIndex(index);
    }
}

} // namespace streamscope
