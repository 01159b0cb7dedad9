// SPDX-License-Identifier: GPL-3.0-or-later
#include "fieldlistmodel.h"

#include "streamset.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>

#include <algorithm>
#include <cmath>

namespace streamscope {

namespace {

QJsonObject keyToJson(const SeriesKey &key)
{
    return {{QStringLiteral("stream"), key.streamId},
        {QStringLiteral("type"), QString::fromUtf8(key.eventType)},
        {QStringLiteral("label"), key.label}, {QStringLiteral("path"), key.path}};
}

std::optional<SeriesKey> keyFromJson(const QJsonValue &value)
{
    const QJsonObject object = value.toObject();
    const QJsonValue stream = object.value(QStringLiteral("stream"));
    if (!value.isObject() || !stream.isDouble() || stream.toDouble() != stream.toInt()) {
        return std::nullopt;
    }
    SeriesKey key;
    key.streamId = stream.toInt();
    key.eventType = object.value(QStringLiteral("type")).toString().toUtf8();
    key.label = object.value(QStringLiteral("label")).toString();
    key.path = object.value(QStringLiteral("path")).toString();
    return key;
}

} // namespace

QMimeData *seriesMimeData(const QList<SeriesKey> &keys)
{
    QJsonDocument document;
    if (keys.size() == 1) {
        document.setObject(keyToJson(keys.constFirst()));
    } else {
        QJsonArray array;
        for (const SeriesKey &key : keys) {
            array.append(keyToJson(key));
        }
        document.setArray(array);
    }
    auto *mime = new QMimeData;
    mime->setData(SeriesMimeType, document.toJson(QJsonDocument::Compact));
    return mime;
}

QList<SeriesKey> seriesFromMimeData(const QMimeData *mime)
{
    QList<SeriesKey> keys;
    if (!mime || !mime->hasFormat(SeriesMimeType)) {
        return keys;
    }
    const QJsonDocument document = QJsonDocument::fromJson(mime->data(SeriesMimeType));
    const QJsonArray entries
        = document.isObject() ? QJsonArray{document.object()} : document.array();
    for (const QJsonValue &entry : entries) {
        if (const std::optional<SeriesKey> key = keyFromJson(entry)) {
            keys.append(*key);
        }
    }
    return keys;
}

QString metricValueText(double value)
{
    if (!std::isfinite(value)) {
        return QString::number(value);
    }
    const double magnitude = std::abs(value);
    if (magnitude >= 1e5 && magnitude < 1e15) {
        // Rates in bytes/s run to millions: three significant digits and an SI prefix.
        static const char prefixes[] = {'k', 'M', 'G', 'T'};
        int prefix = 0;
        double scaled = value / 1e3;
        while (std::abs(scaled) >= 999.5 && prefix < 3) {
            scaled /= 1e3;
            ++prefix;
        }
        return QString::number(scaled, 'g', 3) + QLatin1Char(prefixes[prefix]);
    }
    if (magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e15)) {
        return QString::number(value, 'g', 3);
    }
    return QString::number(value, 'g', 6);
}

FieldListModel::FieldListModel(const MetricStore *store, StreamSet *streams, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
    , m_streams(streams)
{
    m_refreshTimer.setInterval(DefaultRefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &FieldListModel::refresh);
    if (streams) {
        // A stream's series leave the list with it, even before the store forgets them.
        connect(streams, &StreamSet::streamRemoved, this, &FieldListModel::rebuild);
    }
    rebuild();
    m_refreshTimer.start();
}

bool FieldListModel::shows(const SeriesKey &key) const
{
    return !m_streams || m_streams->stream(key.streamId);
}

QString FieldListModel::streamName(int streamId) const
{
    const Stream *stream = m_streams ? m_streams->stream(streamId) : nullptr;
    if (!stream) {
        return QStringLiteral("#%1").arg(streamId);
    }
    const StreamConfig &config = stream->config();
    return config.displayName();
}

void FieldListModel::rebuild()
{
    const QList<SeriesKey> keys = m_store->keys();
    beginResetModel();
    m_keys.clear();
    m_rowOfKey.clear();
    for (const SeriesKey &key : keys) {
        if (shows(key)) {
            m_rowOfKey.insert(key, int(m_keys.size()));
            m_keys.append(key);
        }
    }
    m_seenKeys = keys.size();
    m_lastSeenKey = keys.isEmpty() ? SeriesKey() : keys.constLast();
    m_seenRevision = m_store->revision();
    endResetModel();
}

void FieldListModel::refresh()
{
    if (m_store->revision() == m_seenRevision) {
        emit refreshed();
        return;
    }
    const QList<SeriesKey> keys = m_store->keys();
    if (keys.size() < m_seenKeys || (m_seenKeys > 0 && keys.at(m_seenKeys - 1) != m_lastSeenKey)) {
        rebuild();
        emit refreshed();
        return;
    }
    QList<SeriesKey> added;
    for (qsizetype i = m_seenKeys; i < keys.size(); ++i) {
        if (shows(keys.at(i))) {
            added.append(keys.at(i));
        }
    }
    m_seenKeys = keys.size();
    m_lastSeenKey = keys.isEmpty() ? SeriesKey() : keys.constLast();
    m_seenRevision = m_store->revision();
    if (!m_keys.isEmpty()) {
        emit dataChanged(index(0, LatestColumn), index(int(m_keys.size()) - 1, PointsColumn));
    }
    if (!added.isEmpty()) {
        const int first = int(m_keys.size());
        beginInsertRows(QModelIndex(), first, first + int(added.size()) - 1);
        for (const SeriesKey &key : std::as_const(added)) {
            m_rowOfKey.insert(key, int(m_keys.size()));
            m_keys.append(key);
        }
        endInsertRows();
    }
    emit refreshed();
}

SeriesKey FieldListModel::keyAt(int row) const
{
    return row >= 0 && row < m_keys.size() ? m_keys.at(row) : SeriesKey();
}

int FieldListModel::rowOf(const SeriesKey &key) const
{
    return m_rowOfKey.value(key, -1);
}

int FieldListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_keys.size());
}

int FieldListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FieldListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const SeriesKey &key = m_keys.at(index.row());
    const SeriesBuffer *series = m_store->series(key);
    const bool hasValue = series && !series->isEmpty();
    switch (role) {
    case Qt::DisplayRole:
    case SortRole:
        switch (Column(index.column())) {
        case StreamColumn:
            return streamName(key.streamId);
        case TypeColumn:
            return QString::fromUtf8(key.eventType);
        case LabelColumn:
            return key.label;
        case FieldColumn:
            return key.path.isEmpty() ? tr("(value)") : key.path;
        case LatestColumn:
            if (!hasValue) {
                return {};
            }
            return role == SortRole ? QVariant(series->last().value)
                                    : QVariant(metricValueText(series->last().value));
        case PointsColumn:
            return role == SortRole ? QVariant(qlonglong(series ? series->size() : 0))
                                    : QVariant(QString::number(series ? series->size() : 0));
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == LatestColumn && hasValue) {
            return QString::number(series->last().value, 'g', 17);
        }
        return streamName(key.streamId) + QStringLiteral(" · ") + key.displayName();
    case Qt::TextAlignmentRole:
        if (index.column() == LatestColumn || index.column() == PointsColumn) {
            return int(Qt::AlignRight | Qt::AlignVCenter);
        }
        return {};
    case StreamIdRole:
        return key.streamId;
    case SearchTextRole:
        return QStringList{streamName(key.streamId), QString::fromUtf8(key.eventType), key.label,
            key.path.isEmpty() ? tr("(value)") : key.path}
            .join(QLatin1Char(' '));
    default:
        return {};
    }
}

QVariant FieldListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (Column(section)) {
    case StreamColumn:
        return tr("Stream");
    case TypeColumn:
        return tr("Type");
    case LabelColumn:
        return tr("Label");
    case FieldColumn:
        return tr("Field");
    case LatestColumn:
        return tr("Latest");
    case PointsColumn:
        return tr("Points");
    case ColumnCount:
        break;
    }
    return {};
}

Qt::ItemFlags FieldListModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags flags = QAbstractTableModel::flags(index);
    if (index.isValid()) {
        flags |= Qt::ItemIsDragEnabled;
    }
    return flags;
}

QStringList FieldListModel::mimeTypes() const
{
    return {SeriesMimeType};
}

QMimeData *FieldListModel::mimeData(const QModelIndexList &indexes) const
{
    // A row selection brings one index per column: each key once, in row order.
    QList<int> rows;
    for (const QModelIndex &index : indexes) {
        if (index.isValid() && index.model() == this) {
            rows.append(index.row());
        }
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (rows.isEmpty()) {
        return nullptr;
    }
    QList<SeriesKey> keys;
    for (const int row : std::as_const(rows)) {
        keys.append(m_keys.at(row));
    }
    return seriesMimeData(keys);
}

} // namespace streamscope
