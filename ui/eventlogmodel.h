// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "eventlog.h"
#include "streamevent.h"

#include <QAbstractTableModel>
#include <QTimer>

#include <functional>
#include <vector>

namespace streamscope {

class StreamSet;

// The live event log as a table: owns the bounded EventLog and adds rows in batches from a
// timer, one remove and one insert per batch, so a fast feed never costs a signal per event.
class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        StreamColumn,
        KindColumn,
        TypeColumn,
        IdColumn,
        SizeColumn,
        DataColumn,
        ColumnCount,
    };
    Q_ENUM(Column)

    enum Role {
        EventRole = Qt::UserRole + 1, // the whole StreamEvent
        StreamIdRole, // int
        KindRole, // int(StreamEvent::Kind)
        RawDataRole, // QByteArray, as received
        ArrivalMsRole, // qint64, ms since the Unix epoch
        SortRole, // raw values for sorting: time and size as numbers, the rest as text
    };
    Q_ENUM(Role)

    static constexpr int DefaultFlushIntervalMs = 40;
    // Rows are ints to item views; far below that, and a bound on memory.
    static constexpr qsizetype MaxCapacity = EventLog::MaxCapacity; // the log's one bound
    static constexpr int PreviewChars = 200;

    using StreamNameFunction = std::function<QString(int streamId)>;

    explicit EventLogModel(
        qsizetype capacity = EventLog::DefaultCapacity, QObject *parent = nullptr);

    // Names for the Stream column; without one a stream shows as "#id".
    void setStreamNameFunction(StreamNameFunction function);
    // Names from the set's stream configs; a removed stream keeps the name last shown.
    void setStreamSet(const StreamSet *streams);

    // Queues a row; rows appear at the next flush. Never emits a model signal itself.
    void append(const StreamEvent &event);
    // Adds the queued rows now (the timer calls this).
    void flush();
    qsizetype pendingCount() const { return m_pendingCount; }

    const StreamEvent &eventAt(int row) const { return m_log.at(m_hiddenFront + row); }

    qsizetype capacity() const { return m_log.capacity(); }
    // Shrinking removes the oldest rows (counted as dropped). Clamped to 1..MaxCapacity.
    void setCapacity(qsizetype capacity);
    // Rows lost to the capacity since the last clear().
    quint64 droppedCount() const { return m_dropped; }

    int flushInterval() const { return m_flushTimer.interval(); }
    void setFlushInterval(int ms) { m_flushTimer.setInterval(ms); }

    // Forgets every row, queued ones too, and the dropped count.
    void clear();
    // Forgets one stream's rows (queued ones too); resets the model.
    void removeStream(int streamId);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QString streamName(int streamId) const;
    // Texts as the table shows them, for delegates, the detail pane and tests.
    static QString timeText(qint64 arrivalMs); // local hh:mm:ss.zzz
    static QString sizeText(qint64 bytes); // "512 B", "1.5 KiB", "2.0 MiB"
    static QString previewText(const StreamEvent &event); // first PreviewChars, ⏎ for newlines

signals:
    void droppedCountChanged(quint64 dropped);

private:
    void setDropped(quint64 dropped);
    QVariant displayData(const StreamEvent &event, int column) const;

    EventLog m_log;
    // Rows the model already reported removed that the log still holds until the next append
    // pushes them out: the log only drops its oldest rows by appending.
    qsizetype m_hiddenFront = 0;
    // Queued rows: a ring bounded by the capacity; when it overflows the oldest go (counted).
    std::vector<StreamEvent> m_pending;
    qsizetype m_pendingHead = 0;
    qsizetype m_pendingCount = 0;
    quint64 m_dropped = 0;
    quint64 m_droppedAnnounced = 0;
    StreamNameFunction m_streamName;
    QTimer m_flushTimer;
};

} // namespace streamscope
