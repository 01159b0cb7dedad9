// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <deque>
#include <vector>

namespace streamscope {

struct SeriesPoint
{
    double timeMs = 0;
    double value = 0;
};

// One series' recent points: a ring buffer bounded by a point capacity, oldest dropped first.
// Points arrive in time order; a point earlier than the last (a producer restart) starts a
// new segment, so every segment is sorted by time and can be searched.
class SeriesBuffer
{
public:
    explicit SeriesBuffer(qsizetype capacity);

    // Shrinking drops the oldest points. Memory grows with the points held, not the capacity.
    void setCapacity(qsizetype capacity);
    qsizetype capacity() const { return m_capacity; }

    // Amortised O(1). A point with a non-finite time or value is ignored: it has no place on a
    // time axis and would break the segments' order.
    void append(double timeMs, double value);
    // Drops points older than timeMs from the front (oldest segment first); stops at the first
    // point that is not older, so a later segment's older points stay until they reach the front.
    void dropBefore(double timeMs);
    void clear(); // frees the memory too

    // Points the memory has room for: follows size(), not capacity().
    qsizetype allocatedPoints() const { return qsizetype(m_points.size()); }

    qsizetype size() const;
    bool isEmpty() const { return size() == 0; }
    // 0 is the oldest held. Inline: decimation calls it once per point in view.
    const SeriesPoint &at(qsizetype index) const
    {
        Q_ASSERT(index >= 0 && index < m_size);
        const qsizetype slot = m_head + index;
        const qsizetype stored = qsizetype(m_points.size());
        return m_points[size_t(slot >= stored ? slot - stored : slot)];
    }
    const SeriesPoint &last() const { return at(m_size - 1); }

    struct Segment
    {
        qsizetype begin = 0; // index range [begin, end) into at()
        qsizetype end = 0;
    };
    std::vector<Segment> segments() const; // oldest first
    // First index in [begin, end) of one segment whose time is not before timeMs.
    qsizetype lowerBound(qsizetype begin, qsizetype end, double timeMs) const;

    // Moving average of the gap between points within a segment; 0 before two points.
    double typicalIntervalMs() const { return m_typicalIntervalMs; }
    quint64 appendedTotal() const { return m_appended; } // changes on every append

private:
    void dropFront(qsizetype count);
    // Moves the held points, oldest first, into storage for `slots` points.
    void reallocate(qsizetype slots);

    std::vector<SeriesPoint> m_points; // the ring's storage: doubles up to m_capacity
    qsizetype m_capacity;
    qsizetype m_head = 0; // storage index of the oldest point
    qsizetype m_size = 0;
    quint64 m_appended = 0; // absolute number of the next point appended
    // Absolute numbers of held points, after the oldest, that start a segment: bounded by size().
    std::deque<quint64> m_segmentStarts;
    double m_typicalIntervalMs = 0;
    bool m_hasInterval = false;
};

} // namespace streamscope
