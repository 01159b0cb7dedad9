// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventlogfilter.h"

#include "eventlogmodel.h"

#include <QJsonArray>

#include <array>

namespace streamscope {

namespace {

constexpr std::array<StreamEvent::Kind, 4> allKinds{
    StreamEvent::Kind::Event,
    StreamEvent::Kind::Message,
    StreamEvent::Kind::Sent,
    StreamEvent::Kind::Lifecycle,
};

quint8 kindBit(StreamEvent::Kind kind)
{
    return quint8(1u << unsigned(kind));
}

bool isAscii(const QByteArray &bytes)
{
    for (const char c : bytes) {
        if (uchar(c) >= 0x80) {
            return false;
        }
    }
    return true;
}

} // namespace

EventLogFilter::EventLogFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    // Sorting is the view's choice; until a header is clicked rows keep the log's order and
    // new rows simply go to the end.
    setSortRole(EventLogModel::SortRole);
    setDynamicSortFilter(true);
}

void EventLogFilter::setSourceModel(QAbstractItemModel *model)
{
    m_log = qobject_cast<const EventLogModel *>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void EventLogFilter::setStreamIds(const QSet<int> &ids)
{
    if (ids == m_streamIds) {
        return;
    }
    m_streamIds = ids;
    applyFilterChange();
}

void EventLogFilter::setKinds(const QList<StreamEvent::Kind> &kinds)
{
    quint8 mask = 0;
    for (const StreamEvent::Kind kind : kinds) {
        mask |= kindBit(kind);
    }
    if (mask == m_kindMask) {
        return;
    }
    m_kindMask = mask;
    applyFilterChange();
}

QList<StreamEvent::Kind> EventLogFilter::kinds() const
{
    QList<StreamEvent::Kind> kinds;
    for (const StreamEvent::Kind kind : allKinds) {
        if (m_kindMask & kindBit(kind)) {
            kinds.append(kind);
        }
    }
    return kinds;
}

void EventLogFilter::setTypeFilter(const QString &text)
{
    if (text == m_type.text) {
        return;
    }
    prepare(m_type, text);
    applyFilterChange();
}

void EventLogFilter::setIdFilter(const QString &text)
{
    if (text == m_id.text) {
        return;
    }
    prepare(m_id, text);
    applyFilterChange();
}

void EventLogFilter::setTextFilter(const QString &text, TextMode mode)
{
    if (text == m_text && mode == m_textMode) {
        return;
    }
    m_text = text;
    m_textMode = mode;
    updateText();
    applyFilterChange();
}

void EventLogFilter::setCaseSensitive(bool sensitive)
{
    if (sensitive == m_caseSensitive) {
        return;
    }
    m_caseSensitive = sensitive;
    prepare(m_type, m_type.text);
    prepare(m_id, m_id.text);
    updateText();
    applyFilterChange();
}

bool EventLogFilter::isActive() const
{
    return !m_streamIds.isEmpty() || m_kindMask != 0 || !m_type.text.isEmpty()
        || !m_id.text.isEmpty() || m_textActive;
}

void EventLogFilter::prepare(Needle &needle, const QString &text) const
{
    needle.text = text;
    needle.bytes = text.toUtf8();
    needle.ascii = isAscii(needle.bytes);
    if (!m_caseSensitive && needle.ascii) {
        needle.bytes = needle.bytes.toLower();
    }
}

bool EventLogFilter::contains(QByteArrayView haystack, const Needle &needle) const
{
    if (needle.bytes.isEmpty()) {
        return true;
    }
    if (m_caseSensitive) {
        return haystack.contains(needle.bytes);
    }
    if (!needle.ascii) {
        return QString::fromUtf8(haystack).contains(needle.text, Qt::CaseInsensitive);
    }
    // ASCII without case, on the bytes: no conversion to QString per row.
    const char first = needle.bytes.front();
    const char firstUpper = (first >= 'a' && first <= 'z') ? char(first - 'a' + 'A') : first;
    const qsizetype length = needle.bytes.size();
    const char *data = haystack.data();
    for (qsizetype i = 0; i + length <= haystack.size(); ++i) {
        if ((data[i] == first || data[i] == firstUpper)
            && qstrnicmp(data + i, needle.bytes.constData(), size_t(length)) == 0) {
            return true;
        }
    }
    return false;
}

void EventLogFilter::updateText()
{
    QString error;
    m_textActive = false;
    if (m_textMode == TextMode::RegularExpression) {
        m_regex = QRegularExpression(m_text,
            m_caseSensitive ? QRegularExpression::NoPatternOption
                            : QRegularExpression::CaseInsensitiveOption);
        if (m_text.isEmpty()) {
            m_regex = QRegularExpression();
        } else if (!m_regex.isValid()) {
            error = tr("%1 at offset %2")
                        .arg(m_regex.errorString())
                        .arg(m_regex.patternErrorOffset());
        } else {
            m_regex.optimize();
            m_textActive = true;
        }
        prepare(m_textNeedle, QString());
    } else {
        m_regex = QRegularExpression();
        prepare(m_textNeedle, m_text);
        m_textActive = !m_text.isEmpty();
    }
    if (error != m_textError) {
        m_textError = error;
        emit textErrorChanged(m_textError);
    }
}

void EventLogFilter::applyFilterChange()
{
    // Rows only: the columns never depend on the filter.
    invalidateRowsFilter();
    emit filterChanged();
}

bool EventLogFilter::matchesText(const StreamEvent &event) const
{
    if (!m_textActive) {
        return true;
    }
    if (m_textMode == TextMode::RegularExpression) {
        return m_regex.match(QString::fromUtf8(event.data)).hasMatch();
    }
    return contains(event.data, m_textNeedle);
}

bool EventLogFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid()) {
        return false;
    }
    StreamEvent copy;
    const StreamEvent *event = nullptr;
    if (m_log) {
        event = &m_log->eventAt(sourceRow);
    } else {
        // Any other model: read the row through its role.
        copy = sourceModel()
                   ->index(sourceRow, 0, sourceParent)
                   .data(EventLogModel::EventRole)
                   .value<StreamEvent>();
        event = &copy;
    }
    if (!m_streamIds.isEmpty() && !m_streamIds.contains(event->streamId)) {
        return false;
    }
    if (m_kindMask != 0 && !(m_kindMask & kindBit(event->kind))) {
        return false;
    }
    return contains(event->type, m_type) && contains(event->id, m_id) && matchesText(*event);
}

QJsonObject EventLogFilter::toJson(const QList<int> &streamOrder) const
{
    QJsonArray streams;
    for (qsizetype i = 0; i < streamOrder.size(); ++i) {
        if (m_streamIds.contains(streamOrder.at(i))) {
            streams.append(int(i));
        }
    }
    QJsonArray kindNames;
    for (const StreamEvent::Kind kind : kinds()) {
        kindNames.append(streamEventKindName(kind));
    }
    return QJsonObject{
        {QStringLiteral("streams"), streams},
        {QStringLiteral("kinds"), kindNames},
        {QStringLiteral("type"), m_type.text},
        {QStringLiteral("id"), m_id.text},
        {QStringLiteral("text"), m_text},
        {QStringLiteral("regex"), m_textMode == TextMode::RegularExpression},
        {QStringLiteral("caseSensitive"), m_caseSensitive},
    };
}

void EventLogFilter::fromJson(
    const QJsonObject &object, const QList<int> &streamOrder, QStringList *problems)
{
    const auto problem = [problems](const QString &text) {
        if (problems) {
            problems->append(text);
        }
    };
    const auto readString = [&](const QString &key) {
        const QJsonValue value = object.value(key);
        if (!value.isUndefined() && !value.isString()) {
            problem(tr("filters.%1: not a string").arg(key));
        }
        return value.toString();
    };
    const auto readBool = [&](const QString &key) {
        const QJsonValue value = object.value(key);
        if (!value.isUndefined() && !value.isBool()) {
            problem(tr("filters.%1: not true or false").arg(key));
        }
        return value.toBool();
    };

    QSet<int> ids;
    const QJsonValue streams = object.value(QStringLiteral("streams"));
    if (!streams.isUndefined() && !streams.isArray()) {
        problem(tr("filters.streams: not a list"));
    }
    const QJsonArray streamList = streams.toArray();
    for (qsizetype i = 0; i < streamList.size(); ++i) {
        const QJsonValue value = streamList.at(i);
        const int position = value.toInt(-1);
        if (!value.isDouble() || position < 0 || position >= streamOrder.size()) {
            problem(tr("filters.streams[%1]: no such stream").arg(i));
            continue;
        }
        ids.insert(streamOrder.at(position));
    }

    QList<StreamEvent::Kind> kindList;
    const QJsonValue kindsValue = object.value(QStringLiteral("kinds"));
    if (!kindsValue.isUndefined() && !kindsValue.isArray()) {
        problem(tr("filters.kinds: not a list"));
    }
    const QJsonArray kindNames = kindsValue.toArray();
    for (qsizetype i = 0; i < kindNames.size(); ++i) {
        const QString name = kindNames.at(i).toString();
        bool known = false;
        for (const StreamEvent::Kind kind : allKinds) {
            if (name == streamEventKindName(kind)) {
                kindList.append(kind);
                known = true;
            }
        }
        if (!known) {
            problem(tr("filters.kinds[%1]: not event, message, sent or lifecycle").arg(i));
        }
    }

    const QString type = readString(QStringLiteral("type"));
    const QString id = readString(QStringLiteral("id"));
    const QString text = readString(QStringLiteral("text"));
    const bool regex = readBool(QStringLiteral("regex"));
    const bool caseSensitive = readBool(QStringLiteral("caseSensitive"));

    // One re-filter for the whole state, not one per field.
    m_streamIds = ids;
    m_kindMask = 0;
    for (const StreamEvent::Kind kind : kindList) {
        m_kindMask |= kindBit(kind);
    }
    m_caseSensitive = caseSensitive;
    prepare(m_type, type);
    prepare(m_id, id);
    m_text = text;
    m_textMode = regex ? TextMode::RegularExpression : TextMode::Substring;
    updateText();
    if (!m_textError.isEmpty()) {
        problem(tr("filters.text: %1").arg(m_textError));
    }
    applyFilterChange();
}

} // namespace streamscope
