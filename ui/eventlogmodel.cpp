// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventlogmodel.h"

#include "streamset.h"

#include <QDateTime>
#include <QHash>
#include <QPointer>

#include <algorithm>
#include <memory>

namespace streamscope {

EventLogModel::EventLogModel(qsizetype capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_log(std::clamp<qsizetype>(capacity, 1, MaxCapacity))
{
    // Single shot, started by the first queued row: an idle log costs no timer ticks.
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(DefaultFlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &EventLogModel::flush);
}

void EventLogModel::setStreamNameFunction(StreamNameFunction function)
{
    m_streamName = std::move(function);
    if (rowCount() > 0) {
        emit dataChanged(index(0, StreamColumn), index(rowCount() - 1, StreamColumn));
    }
}

void EventLogModel::setStreamSet(const StreamSet *streams)
{
    // A removed stream's rows stay in the log: they keep the name it last had.
    auto known = std::make_shared<QHash<int, QString>>();
    setStreamNameFunction([set = QPointer<const StreamSet>(streams), known](int streamId) {
        const Stream *stream = set ? set->stream(streamId) : nullptr;
        if (!stream) {
            return known->value(streamId);
        }
        const QString &name = stream->config().name;
        const auto found = known->constFind(streamId);
        if (found == known->cend() || *found != name) {
            known->insert(streamId, name);
        }
        return name;
    });
    if (streams) {
        for (const int id : streams->ids()) {
            known->insert(id, streams->stream(id)->config().name);
        }
        connect(streams, &StreamSet::streamAdded, this, [known, streams](int id) {
            if (const Stream *stream = streams->stream(id)) {
                known->insert(id, stream->config().name);
            }
        });
    }
}

void EventLogModel::append(const StreamEvent &event)
{
    const qsizetype capacity = m_log.capacity();
    if (m_pendingCount < capacity) {
        m_pending.push_back(event);
        ++m_pendingCount;
    } else {
        // More rows queued than the log can show: the oldest queued one would be evicted by
        // the flush anyway, so drop it now and keep the queue bounded.
        m_pending[m_pendingHead] = event;
        m_pendingHead = (m_pendingHead + 1) % capacity;
        ++m_dropped;
    }
    if (!m_flushTimer.isActive()) {
        m_flushTimer.start();
    }
}

void EventLogModel::flush()
{
    m_flushTimer.stop();
    const qsizetype count = m_pendingCount;
    if (count == 0) {
        setDropped(m_dropped);
        return;
    }
    const qsizetype existing = m_log.size();
    // count <= capacity, so the rows to evict are all among the existing ones.
    const qsizetype evicted = std::max<qsizetype>(0, existing + count - m_log.capacity());
    if (evicted > 0) {
        beginRemoveRows(QModelIndex(), 0, int(evicted - 1));
        m_hiddenFront = evicted;
        endRemoveRows();
    }
    const int first = rowCount();
    beginInsertRows(QModelIndex(), first, first + int(count) - 1);
    const qsizetype ring = qsizetype(m_pending.size());
    for (qsizetype i = 0; i < count; ++i) {
        m_log.append(std::move(m_pending[(m_pendingHead + i) % ring]));
    }
    m_hiddenFront = 0;
    m_pending.clear();
    m_pendingHead = 0;
    m_pendingCount = 0;
    endInsertRows();
    setDropped(m_dropped + quint64(evicted));
}

void EventLogModel::setCapacity(qsizetype capacity)
{
    capacity = std::clamp<qsizetype>(capacity, 1, MaxCapacity);
    if (capacity == m_log.capacity()) {
        return;
    }
    flush();
    const qsizetype evicted = std::max<qsizetype>(0, m_log.size() - capacity);
    if (evicted > 0) {
        beginRemoveRows(QModelIndex(), 0, int(evicted - 1));
    }
    m_log.setCapacity(capacity);
    if (evicted > 0) {
        endRemoveRows();
    }
    setDropped(m_dropped + quint64(evicted));
}

void EventLogModel::clear()
{
    m_flushTimer.stop();
    beginResetModel();
    m_log.clear();
    m_pending = {};
    m_pendingHead = 0;
    m_pendingCount = 0;
    m_hiddenFront = 0;
    endResetModel();
    setDropped(0);
}

void EventLogModel::removeStream(int streamId)
{
    std::vector<StreamEvent> kept;
    kept.reserve(size_t(m_pendingCount));
    const qsizetype ring = qsizetype(m_pending.size());
    for (qsizetype i = 0; i < m_pendingCount; ++i) {
        StreamEvent &event = m_pending[(m_pendingHead + i) % ring];
        if (event.streamId != streamId) {
            kept.push_back(std::move(event));
        }
    }
    m_pending = std::move(kept);
    m_pendingHead = 0;
    m_pendingCount = qsizetype(m_pending.size());

    beginResetModel();
    m_log.removeStream(streamId);
    endResetModel();
}

void EventLogModel::setDropped(quint64 dropped)
{
    // Counted as rows go, announced at most once per flush.
    m_dropped = dropped;
    if (m_dropped != m_droppedAnnounced) {
        m_droppedAnnounced = m_dropped;
        emit droppedCountChanged(m_dropped);
    }
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_log.size() - m_hiddenFront);
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const StreamEvent &event = eventAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(event, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn) {
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn) {
            return QDateTime::fromMSecsSinceEpoch(event.arrivalMs).toString(Qt::ISODateWithMs);
        }
        if (index.column() == SizeColumn) {
            return tr("%n byte(s)", nullptr, int(std::min<qsizetype>(event.data.size(), INT_MAX)));
        }
        return {};
    case EventRole:
        return QVariant::fromValue(event);
    case StreamIdRole:
        return event.streamId;
    case KindRole:
        return int(event.kind);
    case RawDataRole:
        return event.data;
    case ArrivalMsRole:
        return event.arrivalMs;
    case SortRole:
        switch (index.column()) {
        case TimeColumn:
            return event.arrivalMs;
        case KindColumn:
            return int(event.kind);
        case SizeColumn:
            return qint64(event.data.size());
        default:
            return displayData(event, index.column());
        }
    default:
        return {};
    }
}

QVariant EventLogModel::displayData(const StreamEvent &event, int column) const
{
    switch (column) {
    case TimeColumn:
        return timeText(event.arrivalMs);
    case StreamColumn:
        return streamName(event.streamId);
    case KindColumn:
        return streamEventKindName(event.kind);
    case TypeColumn:
        return QString::fromUtf8(event.type);
    case IdColumn:
        return QString::fromUtf8(event.id);
    case SizeColumn:
        return sizeText(event.data.size());
    case DataColumn:
        return previewText(event);
    default:
        return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case StreamColumn:
        return tr("Stream");
    case KindColumn:
        return tr("Kind");
    case TypeColumn:
        return tr("Type");
    case IdColumn:
        return tr("Id");
    case SizeColumn:
        return tr("Size");
    case DataColumn:
        return tr("Data");
    default:
        return {};
    }
}

QString EventLogModel::streamName(int streamId) const
{
    QString name = m_streamName ? m_streamName(streamId) : QString();
    if (name.isEmpty()) {
        name = QLatin1Char('#') + QString::number(streamId);
    }
    return name;
}

QString EventLogModel::timeText(qint64 arrivalMs)
{
    return QDateTime::fromMSecsSinceEpoch(arrivalMs).time().toString(
        QStringLiteral("hh:mm:ss.zzz"));
}

QString EventLogModel::sizeText(qint64 bytes)
{
    if (bytes < 1024) {
        return QStringLiteral("%1 B").arg(bytes);
    }
    if (bytes < 1024 * 1024) {
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024, 0, 'f', 1);
    }
    return QStringLiteral("%1 MiB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1);
}

QString EventLogModel::previewText(const StreamEvent &event)
{
    if (event.binary) {
        constexpr qsizetype shownBytes = 64; // 3 characters each: about PreviewChars in all
        QString text = QStringLiteral("binary ")
            + QString::fromLatin1(event.data.left(shownBytes).toHex(' '));
        if (event.data.size() > shownBytes) {
            text += QChar(0x2026);
        }
        return text;
    }
    // At most 4 UTF-8 bytes per character: enough bytes for the preview, never the whole payload.
    const QString text = QString::fromUtf8(event.data.left(PreviewChars * 4));
    QString preview;
    preview.reserve(PreviewChars + 1);
    qsizetype i = 0;
    for (; i < text.size() && preview.size() < PreviewChars; ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('\r') || c == QLatin1Char('\n')) {
            preview += QChar(0x23CE); // ⏎
            if (c == QLatin1Char('\r') && i + 1 < text.size()
                && text.at(i + 1) == QLatin1Char('\n')) {
                ++i;
            }
        } else if (c == QLatin1Char('\t')) {
            preview += QLatin1Char(' ');
        } else if (c.unicode() < 0x20) {
            preview += QChar(0x2400 + c.unicode()); // the control picture: visible, one column
        } else {
            preview += c;
        }
    }
    if (i < text.size() || event.data.size() > PreviewChars * 4) {
        preview += QChar(0x2026); // …
    }
    return preview;
}

} // namespace streamscope
