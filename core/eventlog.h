// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamevent.h"

#include <vector>

namespace streamscope {

// The bounded store behind the event log: a ring of the newest rows. When full, each append
// drops the oldest row and counts it.
class EventLog
{
public:
    static constexpr qsizetype DefaultCapacity = 200000;
    // The one bound on the log, whoever sets it (a workspace file, the Log Capacity dialog):
    // at a few hundred bytes a row this is about a gigabyte, already more than most desktops
    // want to give a log.
    static constexpr qsizetype MaxCapacity = 5000000;

    // capacity is clamped to 0..MaxCapacity.
    explicit EventLog(qsizetype capacity = DefaultCapacity);

    void append(StreamEvent event);
    // Row i counted from the oldest kept; i < size().
    const StreamEvent &at(qsizetype i) const;
    qsizetype size() const;
    qsizetype capacity() const { return m_capacity; }
    // Shrinking drops the oldest rows (counted as dropped).
    void setCapacity(qsizetype capacity);
    quint64 droppedCount() const { return m_dropped; }

    // Empties the log and resets droppedCount().
    void clear();
    // Removes one stream's rows, keeping the order of the rest; O(size()).
    void removeStream(int streamId);

private:
    std::vector<StreamEvent> m_rows;
    qsizetype m_capacity;
    qsizetype m_head = 0; // index of the oldest row once the ring is full
    quint64 m_dropped = 0;
};

} // namespace streamscope
