// SPDX-License-Identifier: GPL-3.0-or-later
#include "seriesbuffer.h"

#include <algorithm>
#include <cmath>

namespace streamscope {

namespace {

// Storage starts small and doubles: memory follows the points held.
constexpr qsizetype MinSlots = 16;
// Weight of the newest gap in the typical interval: smooths jitter, follows rate changes.
constexpr double IntervalWeight = 0.1;

} // namespace

SeriesBuffer::SeriesBuffer(qsizetype capacity)
    : m_capacity(std::max<qsizetype>(1, capacity))
{
}

void SeriesBuffer::setCapacity(qsizetype capacity)
{
    m_capacity = std::max<qsizetype>(1, capacity);
    if (m_size > m_capacity) {
        dropFront(m_size - m_capacity);
    }
    if (qsizetype(m_points.size()) > m_capacity) {
        reallocate(m_capacity);
    }
}

void SeriesBuffer::append(double timeMs, double value)
{
    if (!std::isfinite(timeMs) || !std::isfinite(value)) {
        return;
    }
    if (m_size > 0) {
        const double step = timeMs - last().timeMs;
        if (step < 0) {
            m_segmentStarts.push_back(m_appended); // pruned below if the ring drops all before
        } else {
            m_typicalIntervalMs = m_hasInterval
                ? m_typicalIntervalMs + IntervalWeight * (step - m_typicalIntervalMs)
                : step;
            m_hasInterval = true;
        }
    }
    if (m_size == m_capacity) {
        dropFront(1);
    } else if (m_size == qsizetype(m_points.size())) {
        reallocate(std::min(m_capacity, std::max(MinSlots, 2 * m_size)));
    }
    const qsizetype slots = qsizetype(m_points.size());
    qsizetype index = m_head + m_size;
    if (index >= slots) {
        index -= slots;
    }
    m_points[size_t(index)] = SeriesPoint{timeMs, value};
    ++m_size;
    ++m_appended;
}

void SeriesBuffer::dropBefore(double timeMs)
{
    while (m_size > 0) {
        const qsizetype firstEnd = m_segmentStarts.empty()
            ? m_size
            : qsizetype(m_segmentStarts.front() - (m_appended - m_size));
        if (at(firstEnd - 1).timeMs < timeMs) {
            dropFront(firstEnd);
            continue;
        }
        dropFront(lowerBound(0, firstEnd, timeMs));
        break;
    }
    // Give memory back when most of it holds nothing.
    const qsizetype slots = qsizetype(m_points.size());
    if (slots > MinSlots && m_size < slots / 4) {
        reallocate(std::max(MinSlots, 2 * m_size));
    }
}

void SeriesBuffer::clear()
{
    std::vector<SeriesPoint>().swap(m_points);
    m_head = 0;
    m_size = 0;
    m_segmentStarts.clear();
    m_typicalIntervalMs = 0;
    m_hasInterval = false;
}

qsizetype SeriesBuffer::size() const
{
    return m_size;
}

std::vector<SeriesBuffer::Segment> SeriesBuffer::segments() const
{
    std::vector<Segment> result;
    if (m_size == 0) {
        return result;
    }
    result.reserve(m_segmentStarts.size() + 1);
    const quint64 oldest = m_appended - quint64(m_size);
    qsizetype begin = 0;
    for (const quint64 start : m_segmentStarts) {
        const auto end = qsizetype(start - oldest);
        result.push_back(Segment{begin, end});
        begin = end;
    }
    result.push_back(Segment{begin, m_size});
    return result;
}

qsizetype SeriesBuffer::lowerBound(qsizetype begin, qsizetype end, double timeMs) const
{
    while (begin < end) {
        const qsizetype middle = begin + (end - begin) / 2;
        if (at(middle).timeMs < timeMs) {
            begin = middle + 1;
        } else {
            end = middle;
        }
    }
    return begin;
}

void SeriesBuffer::dropFront(qsizetype count)
{
    count = std::min(count, m_size);
    if (count <= 0) {
        return;
    }
    m_head += count;
    const qsizetype slots = qsizetype(m_points.size());
    if (m_head >= slots) {
        m_head -= slots;
    }
    m_size -= count;
    if (m_size == 0) {
        m_head = 0;
    }
    // A segment that now starts at the oldest point is implied; starts before it are gone.
    const quint64 oldest = m_appended - quint64(m_size);
    while (!m_segmentStarts.empty() && m_segmentStarts.front() <= oldest) {
        m_segmentStarts.pop_front();
    }
}

void SeriesBuffer::reallocate(qsizetype slots)
{
    Q_ASSERT(slots >= m_size);
    std::vector<SeriesPoint> storage(static_cast<size_t>(slots));
    for (qsizetype i = 0; i < m_size; ++i) {
        storage[size_t(i)] = at(i);
    }
    m_points.swap(storage);
    m_head = 0;
}

} // namespace streamscope
