// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "seriesbuffer.h"

#include <QList>
#include <QPointF>

namespace streamscope {

// What to draw of a series in a time range on a plot `columns` pixels wide.
struct DecimationRequest
{
    double fromMs = 0;
    double toMs = 0;
    int columns = 1;
    // A step in time longer than this breaks the line (a gap); 0: never.
    double gapMs = 0;
};

// The line to draw: runs of points (x = time in ms, y = value), broken at segments and gaps.
// Where a run has more points than columns, each pixel column keeps its minimum and maximum
// (in time order), so spikes survive and the output is at most about 2 points per column.
// One point on each side just outside the range is kept so lines reach the edges.
// The work is linear in the points inside the range, found by binary search.
using PlotRuns = QList<QList<QPointF>>;
PlotRuns decimate(const SeriesBuffer &series, const DecimationRequest &request);

} // namespace streamscope
