// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metricextractor.h"

#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace streamscope {

class ChartPanel;
class FieldListModel;
class MetricStore;
class StreamSet;

// Picks what to plot: every series of every stream, searchable, with its latest value; the
// selection goes to a chart by button, double-click or drag. Below, one stream's extraction
// settings (time field and unit, label field) and what its payloads held that was not plotted.
class FieldBrowser : public QWidget
{
    Q_OBJECT
public:
    // None is owned; the store and the panel must outlive the browser.
    FieldBrowser(
        MetricStore *store, StreamSet *streams, ChartPanel *charts, QWidget *parent = nullptr);

    FieldListModel *model() const { return m_model; }
    QSortFilterProxyModel *filter() const { return m_filter; }
    QTableView *table() const { return m_table; }

    // Adds the selected rows' series to the chart picked beside the button; "New chart" makes
    // one (and picks it for the next time).
    void addSelectedToChart();
    // "1,204 samples · 3 malformed · 0 NaN/inf · 0 missing time · 12 not JSON"
    static QString countsText(const ExtractionCounts &counts);

private:
    void refresh();
    void refreshTargets();
    void refreshStreams();
    void refreshCounts();
    void showStreamSettings();
    // Settings changed elsewhere (a workspace loaded) show unless the form is being edited.
    void followStoreSettings();
    void applyExtraction();
    void followSelection();
    int extractionStreamId() const;
    ExtractionSettings formSettings() const;

    MetricStore *m_store; // not owned
    QPointer<StreamSet> m_streams;
    QPointer<ChartPanel> m_charts;
    FieldListModel *m_model;
    QSortFilterProxyModel *m_filter;
    QLineEdit *m_search;
    QTableView *m_table;
    QComboBox *m_target;
    QPushButton *m_addButton;
    QComboBox *m_extractionStream;
    QLineEdit *m_timeField;
    QComboBox *m_timeUnit;
    QLineEdit *m_labelField;
    QPushButton *m_applyButton;
    QLabel *m_counts;
    ExtractionSettings m_shownSettings; // as last loaded into the form
};

} // namespace streamscope
