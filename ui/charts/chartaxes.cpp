// SPDX-License-Identifier: GPL-3.0-or-later
#include "chartaxes.h"

#include <algorithm>
#include <cmath>

namespace streamscope::chartaxes {

QString timeFormat(double spanMs)
{
    if (spanMs < 10'000) {
        return QStringLiteral("HH:mm:ss.zzz");
    }
    if (spanMs <= 30 * 60'000) {
        return QStringLiteral("HH:mm:ss");
    }
    if (spanMs <= 24 * 3600'000.0) {
        return QStringLiteral("HH:mm");
    }
    return QStringLiteral("MMM d HH:mm");
}

NiceRange niceRange(double low, double high, int maxTicks)
{
    const double rough = (high - low) / std::max(1, maxTicks - 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    if (!(rough > 0) || !std::isfinite(rough) || !(magnitude > 0) || !std::isfinite(magnitude)) {
        return {low, high, std::max(2, maxTicks)};
    }
    double step = 10 * magnitude;
    for (const double multiple : {1.0, 2.0, 2.5, 5.0}) {
        if (multiple * magnitude >= rough) {
            step = multiple * magnitude;
            break;
        }
    }
    NiceRange range;
    range.low = std::floor(low / step) * step;
    range.high = std::ceil(high / step) * step;
    range.ticks = int(std::lround((range.high - range.low) / step)) + 1;
    if (!std::isfinite(range.low) || !std::isfinite(range.high) || range.ticks < 2) {
        return {low, high, std::max(2, maxTicks)};
    }
    return range;
}

NiceRange valueRange(double low, double high, int maxTicks)
{
    if (low > high) {
        low = 0;
        high = 1;
    }
    const double margin = high > low ? (high - low) * 0.02 : std::max(std::abs(high) * 0.05, 0.5);
    const double lowEdge = low >= 0 ? std::max(0.0, low - margin) : low - margin;
    const double highEdge = high <= 0 ? std::min(0.0, high + margin) : high + margin;
    return niceRange(lowEdge, highEdge, maxTicks);
}

QString valueAxisLabel(double value, double step, const NiceRange &range)
{
    static const struct
    {
        double scale;
        const char *suffix;
    } prefixes[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    const double largest = std::max(std::abs(range.low), std::abs(range.high));
    double scale = 1;
    QString suffix;
    for (const auto &prefix : prefixes) {
        if (largest >= 10 * prefix.scale) {
            scale = prefix.scale;
            suffix = QLatin1String(prefix.suffix);
            break;
        }
    }
    const double scaledStep = step / scale;
    int decimals = 0;
    while (decimals < 6 && std::isfinite(scaledStep) && scaledStep > 0) {
        const double shifted = scaledStep * std::pow(10.0, decimals);
        if (std::abs(shifted - std::round(shifted)) < 1e-6 * shifted) {
            break;
        }
        ++decimals;
    }
    if (std::abs(value) < step * 1e-6) {
        return QStringLiteral("0"); // not "0M", "-0" or "1.2e-17" from summing steps
    }
    return QString::number(value / scale, 'f', decimals) + suffix;
}

int timeTickCount(int plotWidth)
{
    return std::clamp(plotWidth / 140 + 1, 2, 8);
}

int valueTickCount(double plotHeight)
{
    return std::clamp(int(plotHeight) / 40 + 1, 3, 8);
}

std::pair<double, double> liveRange(
    double windowMs, double earliestMs, double latestMs, double nowMs)
{
    if (std::isnan(latestMs)) {
        return {nowMs - (windowMs > 0 ? windowMs : NoDataSpanMs), nowMs};
    }
    const double span = windowMs > 0 ? windowMs : std::max(latestMs - earliestMs, 1000.0);
    const double right = std::abs(nowMs - latestMs) <= span ? std::max(nowMs, latestMs) : latestMs;
    const double left = windowMs > 0 ? right - windowMs : std::min(earliestMs, right - MinSpanMs);
    return {left, right};
}

std::pair<double, double> snapToColumn(std::pair<double, double> range, int columns)
{
    const auto [fromMs, toMs] = range;
    const double column = (toMs - fromMs) / columns;
    const double snapped = std::ceil(toMs / column) * column;
    return {fromMs + snapped - toMs, snapped};
}

} // namespace streamscope::chartaxes
