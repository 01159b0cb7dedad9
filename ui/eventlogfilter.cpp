// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventlogfilter.h"

#include "eventlogmodel.h"

#include <array>

namespace streamscope {

namespace {

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
    for (const StreamEvent::Kind kind : allStreamEventKinds) {
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
            error = patternProblem(m_regex);
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

LogFilterState EventLogFilter::state(const QList<int> &streamOrder) const
{
    LogFilterState state;
    for (qsizetype index = 0; index < streamOrder.size(); ++index) {
        if (m_streamIds.contains(streamOrder.at(index))) {
            state.streams.append(int(index));
        }
    }
    state.kinds = kinds();
    state.type = m_type.text;
    state.id = m_id.text;
    state.text = m_text;
    state.regex = m_textMode == TextMode::RegularExpression;
    state.caseSensitive = m_caseSensitive;
    return state;
}

void EventLogFilter::setState(const LogFilterState &state, const QList<int> &streamOrder)
{
    m_streamIds.clear();
    for (const int index : state.streams) {
        if (index >= 0 && index < streamOrder.size()) {
            m_streamIds.insert(streamOrder.at(index));
        }
    }
    m_kindMask = 0;
    for (const StreamEvent::Kind kind : state.kinds) {
        m_kindMask |= kindBit(kind);
    }
    m_caseSensitive = state.caseSensitive;
    prepare(m_type, state.type);
    prepare(m_id, state.id);
    m_text = state.text;
    m_textMode = state.regex ? TextMode::RegularExpression : TextMode::Substring;
    updateText();
    applyFilterChange();
}

} // namespace streamscope
