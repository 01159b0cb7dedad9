// SPDX-License-Identifier: GPL-3.0-or-later
#include "logpane.h"

#include "eventlogfilter.h"
#include "eventlogmodel.h"
#include "healthcolors.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace streamscope {

LogPane::LogPane(EventLogFilter *filter, QAction *followAction, QWidget *parent)
    : QWidget(parent)
    , m_filter(filter)
    , m_followAction(followAction)
{
    m_streamFilter = new QComboBox;
    m_streamFilter->setObjectName(QStringLiteral("streamFilter"));
    m_streamFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_kindFilter = new QComboBox;
    m_kindFilter->setObjectName(QStringLiteral("kindFilter"));
    m_kindFilter->addItem(tr("All kinds"), -1);
    m_kindFilter->addItem(tr("event (SSE)"), int(StreamEvent::Kind::Event));
    m_kindFilter->addItem(tr("message (WS)"), int(StreamEvent::Kind::Message));
    m_kindFilter->addItem(tr("sent (WS)"), int(StreamEvent::Kind::Sent));
    m_kindFilter->addItem(tr("lifecycle"), int(StreamEvent::Kind::Lifecycle));
    m_typeFilter = new QLineEdit;
    m_typeFilter->setObjectName(QStringLiteral("typeFilter"));
    m_typeFilter->setPlaceholderText(tr("Type"));
    m_typeFilter->setClearButtonEnabled(true);
    m_typeFilter->setMaximumWidth(140);
    m_idFilter = new QLineEdit;
    m_idFilter->setObjectName(QStringLiteral("idFilter"));
    m_idFilter->setPlaceholderText(tr("ID"));
    m_idFilter->setClearButtonEnabled(true);
    m_idFilter->setMaximumWidth(110);
    m_textFilter = new QLineEdit;
    m_textFilter->setObjectName(QStringLiteral("textFilter"));
    m_textFilter->setPlaceholderText(tr("Find in data (Ctrl+F)"));
    m_textFilter->setClearButtonEnabled(true);
    m_regexBox = new QCheckBox(tr("Re&gex"));
    m_regexBox->setObjectName(QStringLiteral("regexBox"));
    m_textError = new QLabel;
    m_textError->setObjectName(QStringLiteral("textError"));
    QPalette errorPalette = m_textError->palette();
    errorPalette.setColor(QPalette::WindowText, errorTextColor(palette()));
    m_textError->setPalette(errorPalette);
    m_textError->hide();

    auto *filterBar = new QHBoxLayout;
    filterBar->addWidget(m_streamFilter);
    filterBar->addWidget(m_kindFilter);
    filterBar->addWidget(m_typeFilter);
    filterBar->addWidget(m_idFilter);
    filterBar->addWidget(m_textFilter, 1);
    filterBar->addWidget(m_regexBox);

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("logView"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Fixed row heights: the view never measures 200 000 rows.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->verticalHeader()->hide();
    QHeaderView *header = m_table->horizontalHeader();
    header->setStretchLastSection(true);
    header->setHighlightSections(false);
    const int digit = m_table->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    header->resizeSection(EventLogModel::TimeColumn, digit * 14);
    header->resizeSection(EventLogModel::StreamColumn, digit * 12);
    header->resizeSection(EventLogModel::KindColumn, digit * 9);
    header->resizeSection(EventLogModel::TypeColumn, digit * 9);
    header->resizeSection(EventLogModel::IdColumn, digit * 6);
    header->resizeSection(EventLogModel::SizeColumn, digit * 8);
    m_table->addAction(m_followAction);
    m_followAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);

    m_jumpButton = new QPushButton;
    m_jumpButton->setObjectName(QStringLiteral("jumpButton"));
    m_jumpButton->setToolTip(tr("Follow the newest row again (Space)"));
    m_jumpButton->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filterBar);
    layout->addWidget(m_textError);
    layout->addWidget(m_table, 1);
    auto *jumpRow = new QHBoxLayout;
    jumpRow->addStretch();
    jumpRow->addWidget(m_jumpButton);
    layout->addLayout(jumpRow);

    connect(m_streamFilter, &QComboBox::currentIndexChanged, this, &LogPane::applyFilterBar);
    connect(m_kindFilter, &QComboBox::currentIndexChanged, this, &LogPane::applyFilterBar);
    connect(m_typeFilter, &QLineEdit::textChanged, this, &LogPane::applyFilterBar);
    connect(m_idFilter, &QLineEdit::textChanged, this, &LogPane::applyFilterBar);
    connect(m_textFilter, &QLineEdit::textChanged, this, &LogPane::applyFilterBar);
    connect(m_regexBox, &QCheckBox::toggled, this, &LogPane::applyFilterBar);
    // Filters are saved with the workspace: the user's edits (not ours when loading) modify it.
    const auto markModified = [this] { emit filterEdited(); };
    connect(m_streamFilter, &QComboBox::activated, this, markModified);
    connect(m_kindFilter, &QComboBox::activated, this, markModified);
    connect(m_typeFilter, &QLineEdit::textEdited, this, markModified);
    connect(m_idFilter, &QLineEdit::textEdited, this, markModified);
    connect(m_textFilter, &QLineEdit::textEdited, this, markModified);
    connect(m_regexBox, &QCheckBox::clicked, this, markModified);
    connect(m_filter, &EventLogFilter::textErrorChanged, this, &LogPane::showTextError);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this,
        [this](const QModelIndex &, int first, int last) { rowsInserted(last - first + 1); });
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this,
        [this](const QModelIndex &, int first, int last) { rowsRemoved(first, last); });
    connect(m_filter, &QAbstractItemModel::modelReset, this, [this] {
        if (m_following) {
            m_table->scrollToBottom();
        }
    });
    connect(m_table->verticalScrollBar(), &QScrollBar::rangeChanged, this,
        &LogPane::scrollRangeChanged);
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this,
        &LogPane::scrollValueChanged);
    connect(m_jumpButton, &QPushButton::clicked, this, [this] { setFollowing(true); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex &current) { emit currentRowChanged(current); });
    connect(m_followAction, &QAction::triggered, this, &LogPane::setFollowing);
}

void LogPane::setStreams(const QList<QPair<int, QString>> &streams)
{
    const QVariant selected = m_streamFilter->currentData();
    const QSignalBlocker blocker(m_streamFilter);
    m_streamFilter->clear();
    m_streamFilter->addItem(tr("All streams"), 0);
    for (const auto &[id, name] : streams) {
        m_streamFilter->addItem(name, id);
    }
    const int index = m_streamFilter->findData(selected);
    m_streamFilter->setCurrentIndex(qMax(0, index));
    if (index < 0 && selected.toInt() != 0) {
        applyFilterBar(); // the filtered stream is gone
    }
}

void LogPane::applyFilterBar()
{
    const int streamId = m_streamFilter->currentData().toInt();
    m_filter->setStreamIds(streamId ? QSet<int>{streamId} : QSet<int>());
    const int kind = m_kindFilter->currentData().toInt();
    m_filter->setKinds(
        kind < 0 ? QList<StreamEvent::Kind>() : QList<StreamEvent::Kind>{StreamEvent::Kind(kind)});
    m_filter->setTypeFilter(m_typeFilter->text());
    m_filter->setIdFilter(m_idFilter->text());
    m_filter->setTextFilter(m_textFilter->text(),
        m_regexBox->isChecked() ? EventLogFilter::TextMode::RegularExpression
                                : EventLogFilter::TextMode::Substring);
    showTextError(m_filter->textError());
}

void LogPane::syncFilterBar()
{
    const QSignalBlocker streamBlocker(m_streamFilter);
    const QSignalBlocker kindBlocker(m_kindFilter);
    const QSignalBlocker typeBlocker(m_typeFilter);
    const QSignalBlocker idBlocker(m_idFilter);
    const QSignalBlocker textBlocker(m_textFilter);
    const QSignalBlocker regexBlocker(m_regexBox);
    const QSet<int> ids = m_filter->streamIds();
    m_streamFilter->setCurrentIndex(
        ids.size() == 1 ? qMax(0, m_streamFilter->findData(*ids.cbegin())) : 0);
    const QList<StreamEvent::Kind> kinds = m_filter->kinds();
    m_kindFilter->setCurrentIndex(
        kinds.size() == 1 ? qMax(0, m_kindFilter->findData(int(kinds.constFirst()))) : 0);
    m_typeFilter->setText(m_filter->typeFilter());
    m_idFilter->setText(m_filter->idFilter());
    m_textFilter->setText(m_filter->textFilter());
    m_regexBox->setChecked(m_filter->textMode() == EventLogFilter::TextMode::RegularExpression);
    showTextError(m_filter->textError());
}

void LogPane::showTextError(const QString &error)
{
    m_textError->setText(error.isEmpty() ? QString() : tr("Regular expression: %1").arg(error));
    m_textError->setVisible(!error.isEmpty());
}

void LogPane::setFollowing(bool following)
{
    m_following = following;
    if (following) {
        m_newRows = 0;
        m_table->scrollToBottom();
    }
    const QSignalBlocker blocker(m_followAction);
    m_followAction->setChecked(following);
    updateJumpButton();
}

void LogPane::focusTextFilter()
{
    m_textFilter->setFocus(Qt::ShortcutFocusReason);
    m_textFilter->selectAll();
}

void LogPane::rowsRemoved(int first, int last)
{
    if (m_following) {
        return;
    }
    // The bound drops the oldest rows: the rows being read stay in place rather than slide up.
    QScrollBar *bar = m_table->verticalScrollBar();
    const int top = bar->value(); // in rows: the table scrolls per item
    const int removedAbove = std::min(last + 1, top) - first;
    if (removedAbove > 0) {
        m_scrolling = true;
        bar->setValue(top - removedAbove);
        m_scrolling = false;
    }
}

void LogPane::rowsInserted(int count)
{
    if (!m_following) {
        m_newRows += count;
        updateJumpButton();
    }
}

void LogPane::scrollRangeChanged(int, int max)
{
    if (m_following) {
        m_scrolling = true;
        m_table->verticalScrollBar()->setValue(max);
        m_scrolling = false;
    }
}

void LogPane::scrollValueChanged(int value)
{
    if (m_scrolling) {
        return;
    }
    const bool atBottom = value >= m_table->verticalScrollBar()->maximum();
    if (atBottom != m_following) {
        setFollowing(atBottom);
    }
}

void LogPane::updateJumpButton()
{
    m_jumpButton->setVisible(!m_following);
    m_jumpButton->setText(m_newRows > 0
            ? tr("Jump to latest (%1 new)").arg(QLocale().toString(m_newRows))
            : tr("Jump to latest"));
}

} // namespace streamscope
