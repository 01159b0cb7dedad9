// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "chartaxes.h"
#include "decimation.h"

#include <QList>

#include <vector>

namespace streamscope {

class MetricStore;
struct SeriesKey;

// What one redraw of a chart shows, read from the store: plain data for ChartPlot::draw.
struct ChartFrame
{
    // A series is drawn as at most this many runs (the rest of its gaps are bridged), a chart
    // with at most this many reconnect markers: past that, series items cost more than they say.
    static constexpr int MaxRunsPerSeries = 64;
    static constexpr int MaxMarkersPerChart = 64;
    // A step longer than GapFactor typical intervals is drawn as a gap.
    static constexpr double GapFactor = 4.0;

    double fromMs = 0;
    double toMs = 0;
    int columns = 2; // the plot's width in pixels
    std::vector<PlotRuns> runsOfLine; // one per series, in the chart's order
    chartaxes::NiceRange values; // fits what is drawn inside the time range
    QList<double> markerTimes; // reconnects in the range, oldest first

    qsizetype pointCount() const;
};

// The frame of the series over [fromMs, toMs] on `columns` pixels, with a value axis of at most
// about maxValueTicks ticks.
ChartFrame readChartFrame(const MetricStore &store, const QList<SeriesKey> &keys, double fromMs,
    double toMs, int columns, int maxValueTicks);

} // namespace streamscope
