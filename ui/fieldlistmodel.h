// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metricstore.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QTimer>

class QMimeData;

namespace streamscope {

class StreamSet;

// The drag format of series, from the field browser onto a chart: one SeriesKey as a JSON
// object {"stream": id, "type", "label", "path"}, or several as an array of them.
inline const QString SeriesMimeType = QStringLiteral("application/x-streamscope-series");
QMimeData *seriesMimeData(const QList<SeriesKey> &keys); // the caller owns it
// The keys a drag carries; entries that are not series keys are skipped.
QList<SeriesKey> seriesFromMimeData(const QMimeData *mime);

// A number as the field list and the chart legends show it: short, without trailing zeros.
QString metricValueText(double value);

// Every series the store has for streams of the set, one row each, with its latest value and
// point count. Keys only grow, so new ones are inserted as rows; a stream leaving the store
// resets the model. Refreshed from a timer, never per sample.
class FieldListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        StreamColumn,
        TypeColumn,
        LabelColumn,
        FieldColumn,
        LatestColumn,
        PointsColumn,
        ColumnCount,
    };
    Q_ENUM(Column)

    enum Role {
        StreamIdRole = Qt::UserRole + 1, // int
        SearchTextRole, // stream, type, label and field in one string, for the search filter
        SortRole, // numbers as numbers (Latest, Points), the rest as text
    };
    Q_ENUM(Role)

    static constexpr int DefaultRefreshIntervalMs = 250;

    // Neither is owned; the store must outlive the model.
    FieldListModel(const MetricStore *store, StreamSet *streams, QObject *parent = nullptr);

    // Adds rows for new keys and announces changed values; the timer calls this.
    void refresh();
    void setRefreshInterval(int ms) { m_refreshTimer.setInterval(ms); }

    SeriesKey keyAt(int row) const;
    int rowOf(const SeriesKey &key) const; // -1 when absent

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;

signals:
    // After each refresh, so views of the same store can follow at the same pace.
    void refreshed();

private:
    void rebuild();
    bool shows(const SeriesKey &key) const;
    QString streamName(int streamId) const;

    const MetricStore *m_store; // not owned
    QPointer<StreamSet> m_streams;
    QList<SeriesKey> m_keys; // the rows
    QHash<SeriesKey, int> m_rowOfKey;
    // How many of the store's keys() were looked at, and the last of them: when the store's
    // list no longer starts with what was seen, a stream left and the rows are rebuilt.
    qsizetype m_seenKeys = 0;
    SeriesKey m_lastSeenKey;
    quint64 m_seenRevision = 0;
    QTimer m_refreshTimer;
};

} // namespace streamscope
