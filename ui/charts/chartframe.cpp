// SPDX-License-Identifier: GPL-3.0-or-later
#include "chartframe.h"

#include "metricstore.h"

#include <algorithm>
#include <limits>

namespace streamscope {

qsizetype ChartFrame::pointCount() const
{
    qsizetype points = 0;
    for (const PlotRuns &runs : runsOfLine) {
        for (const QList<QPointF> &run : runs) {
            points += run.size();
        }
    }
    return points;
}

namespace {

// Reconnects of the series' streams in range, newest kept when there are too many.
QList<double> markersInRange(
    const MetricStore &store, const QList<SeriesKey> &keys, double fromMs, double toMs)
{
    QList<double> times;
    QList<int> streams;
    for (const SeriesKey &key : keys) {
        if (streams.contains(key.streamId)) {
            continue;
        }
        streams.append(key.streamId);
        for (const double time : store.reconnectMarkers(key.streamId)) {
            if (time >= fromMs && time <= toMs) {
                times.append(time);
            }
        }
    }
    std::sort(times.begin(), times.end());
    if (times.size() > ChartFrame::MaxMarkersPerChart) {
        times.remove(0, times.size() - ChartFrame::MaxMarkersPerChart);
    }
    return times;
}

} // namespace

ChartFrame readChartFrame(const MetricStore &store, const QList<SeriesKey> &keys, double fromMs,
    double toMs, int columns, int maxValueTicks)
{
    ChartFrame frame;
    frame.fromMs = fromMs;
    frame.toMs = toMs;
    frame.columns = columns;
    frame.runsOfLine.resize(size_t(keys.size()));
    double low = std::numeric_limits<double>::infinity();
    double high = -low;
    double lowOutside = low;
    double highOutside = high;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const SeriesBuffer *series = store.series(keys.at(i));
        if (!series || series->isEmpty()) {
            continue;
        }
        DecimationRequest request;
        request.fromMs = fromMs;
        request.toMs = toMs;
        request.columns = columns;
        request.gapMs = ChartFrame::GapFactor * series->typicalIntervalMs();
        PlotRuns &runs = frame.runsOfLine.at(size_t(i));
        runs = decimate(*series, request);
        if (runs.size() > ChartFrame::MaxRunsPerSeries) {
            // Better a line across a few gaps than hundreds of series items.
            QList<QPointF> &last = runs[ChartFrame::MaxRunsPerSeries - 1];
            for (qsizetype r = ChartFrame::MaxRunsPerSeries; r < runs.size(); ++r) {
                last.append(runs.at(r));
            }
            runs.resize(ChartFrame::MaxRunsPerSeries);
        }
        for (const QList<QPointF> &run : std::as_const(runs)) {
            for (const QPointF &point : run) {
                if (point.x() >= fromMs && point.x() <= toMs) {
                    low = std::min(low, point.y());
                    high = std::max(high, point.y());
                } else {
                    lowOutside = std::min(lowOutside, point.y());
                    highOutside = std::max(highOutside, point.y());
                }
            }
        }
    }
    if (low > high) {
        // Nothing inside: the edge points still draw lines across the plot.
        low = lowOutside;
        high = highOutside;
    }
    frame.values = chartaxes::valueRange(low, high, maxValueTicks);
    frame.markerTimes = markersInRange(store, keys, fromMs, toMs);
    return frame;
}

} // namespace streamscope
