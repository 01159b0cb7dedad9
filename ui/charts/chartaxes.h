// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <utility>

// The charts' axis maths: which time range and value range a chart shows, and how its ticks
// are labelled. Plain functions of numbers, so they are tested without a chart.
namespace streamscope::chartaxes {

// Spans of the time axis in ms: narrower or wider ranges are widened or narrowed to these.
inline constexpr double MinSpanMs = 10;
inline constexpr double MaxSpanMs = 10.0 * 365 * 24 * 3600 * 1000;
// The width shown without data and without a window (All retained).
inline constexpr double NoDataSpanMs = 60 * 1000;

// Tick labels precise enough to tell the ticks apart, no more (a QDateTime format).
QString timeFormat(double spanMs);

// A range over [low, high] from one round step to another (1, 2, 2.5 or 5 times a power of
// ten), so the value axis' labels read well, and the number of ticks at most about maxTicks.
struct NiceRange
{
    double low = 0;
    double high = 1;
    int ticks = 2;

    bool operator==(const NiceRange &) const = default;
    double step() const { return (high - low) / (ticks - 1); }
};
NiceRange niceRange(double low, double high, int maxTicks);

// The value axis for data over [low, high] (low > high: no data): a little margin, which never
// takes an all-positive (or all-negative) plot across zero, rounded by niceRange.
NiceRange valueRange(double low, double high, int maxTicks);

// "25M", "2.5k", "0.25", "-40": a metric prefix by the axis' largest value, and as many
// decimals as the step between ticks needs, so every tick's label differs (QCategoryAxis
// refuses a label it already has).
QString valueAxisLabel(double value, double step, const NiceRange &range);

// Ticks that fit a plot of this many pixels without their labels touching.
int timeTickCount(int plotWidth);
int valueTickCount(double plotHeight);

// The live time range of data spanning [earliestMs, latestMs] (NaN: no data) in a window of
// windowMs (0: all the data). Producers' clocks may differ from ours: data within a window
// of now scrolls with now; older (a replay, a skewed producer) is shown up to its newest point.
std::pair<double, double> liveRange(
    double windowMs, double earliestMs, double latestMs, double nowMs);

// The range moved forward to the next whole column: live, new data is then drawn without
// moving the axes in between (each move of which recomputes every series).
std::pair<double, double> snapToColumn(std::pair<double, double> range, int columns);

} // namespace streamscope::chartaxes
