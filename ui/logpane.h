// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QWidget>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QPushButton;
class QTableView;

namespace streamscope {

class EventLogFilter;

// The dashboard's log: a filter bar over one EventLogFilter, the table of its rows, and the
// table's habit of following the newest row until the user scrolls up (with a button back).
class LogPane : public QWidget
{
    Q_OBJECT
public:
    // filter: not owned. followAction: the window's checkable Follow Newest action; the pane
    // keeps it checked while following and takes its shortcut inside the table.
    LogPane(EventLogFilter *filter, QAction *followAction, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }

    // The stream filter's choices, (id, name) in order; a vanished chosen stream resets it.
    void setStreams(const QList<QPair<int, QString>> &streams);
    // Shows the filter's criteria in the bar (after the filter was set from a workspace).
    void syncFilterBar();
    // Reads the bar into the filter.
    void applyFilterBar();
    void focusTextFilter();

    bool isFollowing() const { return m_following; }
    void setFollowing(bool following);
    int newRowsWhileNotFollowing() const { return m_newRows; }

signals:
    // The user changed a criterion in the bar (not a load): the workspace is modified.
    void filterEdited();
    // The current row of the table, as an index of the filter.
    void currentRowChanged(const QModelIndex &current);

private:
    void showTextError(const QString &error);
    void rowsInserted(int count);
    void rowsRemoved(int first, int last);
    void scrollRangeChanged(int min, int max);
    void scrollValueChanged(int value);
    void updateJumpButton();

    EventLogFilter *m_filter;
    QAction *m_followAction;
    QComboBox *m_streamFilter;
    QComboBox *m_kindFilter;
    QLineEdit *m_typeFilter;
    QLineEdit *m_idFilter;
    QLineEdit *m_textFilter;
    QCheckBox *m_regexBox;
    QLabel *m_textError;
    QTableView *m_table;
    QPushButton *m_jumpButton;
    bool m_following = true;
    bool m_scrolling = false; // our own scroll to the bottom is under way
    int m_newRows = 0;
};

} // namespace streamscope
