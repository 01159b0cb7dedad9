// SPDX-License-Identifier: GPL-3.0-or-later
#include "decimation.h"

#include <algorithm>
#include <cmath>

namespace streamscope {

namespace {

// Pixel columns of one run: points outside [fromMs, toMs] get columns of their own (-1 and
// columns), so the edge points are always kept as they are.
class ColumnMap
{
public:
    explicit ColumnMap(const DecimationRequest &request)
        : m_from(request.fromMs)
        , m_to(request.toMs)
        , m_columns(std::max(1, request.columns))
        , m_scale(request.toMs > request.fromMs ? m_columns / (request.toMs - request.fromMs) : 0)
    {
    }

    int columns() const { return m_columns; }
    qint64 columnOf(double timeMs) const
    {
        if (timeMs < m_from) {
            return -1;
        }
        if (timeMs > m_to) {
            return m_columns;
        }
        return std::min<qint64>(m_columns - 1, qint64((timeMs - m_from) * m_scale));
    }

private:
    double m_from;
    double m_to;
    int m_columns;
    double m_scale;
};

// Appends points [begin, end) of one run: all of them when they fit, else per column the
// minimum and the maximum in time order.
void emitRun(const SeriesBuffer &series, qsizetype begin, qsizetype end, const ColumnMap &map,
    PlotRuns *runs)
{
    QList<QPointF> run;
    if (end - begin <= map.columns()) {
        run.reserve(end - begin);
        for (qsizetype i = begin; i < end; ++i) {
            run.append(QPointF(series.at(i).timeMs, series.at(i).value));
        }
        runs->append(run);
        return;
    }
    run.reserve(2 * map.columns() + 2);
    qsizetype i = begin;
    while (i < end) {
        const SeriesPoint &start = series.at(i);
        const qint64 column = map.columnOf(start.timeMs);
        const SeriesPoint *lowest = &start;
        const SeriesPoint *highest = &start;
        qsizetype lowestAt = i;
        qsizetype highestAt = i;
        for (++i; i < end; ++i) {
            const SeriesPoint &point = series.at(i);
            if (map.columnOf(point.timeMs) != column) {
                break;
            }
            if (point.value < lowest->value) {
                lowest = &point;
                lowestAt = i;
            }
            if (point.value > highest->value) {
                highest = &point;
                highestAt = i;
            }
        }
        const bool lowFirst = lowestAt <= highestAt;
        const SeriesPoint &first = lowFirst ? *lowest : *highest;
        const SeriesPoint &second = lowFirst ? *highest : *lowest;
        run.append(QPointF(first.timeMs, first.value));
        if (lowestAt != highestAt) {
            run.append(QPointF(second.timeMs, second.value));
        }
    }
    runs->append(run);
}

} // namespace

PlotRuns decimate(const SeriesBuffer &series, const DecimationRequest &request)
{
    PlotRuns runs;
    if (!(request.toMs >= request.fromMs)) {
        return runs;
    }
    const ColumnMap map(request);
    for (const SeriesBuffer::Segment &segment : series.segments()) {
        const qsizetype inside = series.lowerBound(segment.begin, segment.end, request.fromMs);
        if (inside == segment.end) {
            continue; // the whole segment ends before the range
        }
        if (inside == segment.begin && series.at(inside).timeMs > request.toMs) {
            continue; // the whole segment starts after the range
        }
        const qsizetype after = series.lowerBound(inside, segment.end, request.toMs);
        // One point on each side, so the line reaches the plot's edges.
        const qsizetype begin = std::max(segment.begin, inside - 1);
        const qsizetype end = std::min(segment.end, after + 1);

        qsizetype runBegin = begin;
        for (qsizetype i = begin + 1; i < end; ++i) {
            if (request.gapMs > 0
                && series.at(i).timeMs - series.at(i - 1).timeMs > request.gapMs) {
                emitRun(series, runBegin, i, map, &runs);
                runBegin = i;
            }
        }
        emitRun(series, runBegin, end, map, &runs);
    }
    return runs;
}

} // namespace streamscope
