// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventlog.h"

#include <algorithm>

namespace streamscope {

EventLog::EventLog(qsizetype capacity)
    : m_capacity(std::clamp<qsizetype>(capacity, 0, MaxCapacity))
{
}

void EventLog::append(StreamEvent event)
{
    if (m_capacity == 0) {
        ++m_dropped;
        return;
    }
    if (qsizetype(m_rows.size()) < m_capacity) {
        // Not full yet: m_head stays 0 and rows are in order.
        m_rows.push_back(std::move(event));
        return;
    }
    m_rows[size_t(m_head)] = std::move(event);
    m_head = (m_head + 1) % m_capacity;
    ++m_dropped;
}

const StreamEvent &EventLog::at(qsizetype i) const
{
    Q_ASSERT(i >= 0 && i < size());
    return m_rows[size_t((m_head + i) % qsizetype(m_rows.size()))];
}

qsizetype EventLog::size() const
{
    return qsizetype(m_rows.size());
}

void EventLog::setCapacity(qsizetype capacity)
{
    capacity = std::clamp<qsizetype>(capacity, 0, MaxCapacity);
    // Oldest first, so the ring can be cut and grown from a plain order.
    std::rotate(m_rows.begin(), m_rows.begin() + m_head, m_rows.end());
    m_head = 0;
    if (qsizetype(m_rows.size()) > capacity) {
        const qsizetype excess = qsizetype(m_rows.size()) - capacity;
        m_rows.erase(m_rows.begin(), m_rows.begin() + excess);
        m_dropped += quint64(excess);
    }
    m_capacity = capacity;
    if (qsizetype(m_rows.capacity()) > 2 * m_capacity) {
        m_rows.shrink_to_fit();
    }
}

void EventLog::clear()
{
    m_rows.clear();
    m_head = 0;
    m_dropped = 0;
}

void EventLog::removeStream(int streamId)
{
    std::rotate(m_rows.begin(), m_rows.begin() + m_head, m_rows.end());
    m_head = 0;
    m_rows.erase(std::remove_if(m_rows.begin(), m_rows.end(),
                     [streamId](const StreamEvent &row) { return row.streamId == streamId; }),
        m_rows.end());
}

} // namespace streamscope
