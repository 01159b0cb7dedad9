// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "chartpanel.h"
#include "metricstore.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <functional>
#include <utility>

namespace streamscope {

// The charts' part of a workspace as plain data: what ChartPanel saves and applies on load.
// In a workspace, streams are named by their index in it; here by their ids.
struct ChartsWorkspace
{
    struct Chart
    {
        QString title; // empty: the panel's default title
        QList<SeriesKey> series; // at most LiveChart::MaxSeries, none twice
    };

    ChartPanel::Window window = ChartPanel::Window::FiveMinutes;
    QList<Chart> charts; // at most ChartPanel::MaxCharts
    QList<std::pair<int, ExtractionSettings>> extraction; // by stream id
};

// Reads what it can and skips the rest, each skip a problem naming where it was
// ("charts[1].series[0]: no stream 4"). A stream index is known when streamIdOfIndex gives an
// id above 0 that streamExists confirms.
ChartsWorkspace readChartsWorkspace(const QJsonObject &json,
    const std::function<int(int)> &streamIdOfIndex, const std::function<bool(int)> &streamExists,
    QStringList *problems);

// Leaves out series and settings of streams without an index (streamIndexOfId below 0), and
// settings equal to the defaults.
QJsonObject writeChartsWorkspace(
    const ChartsWorkspace &workspace, const std::function<int(int)> &streamIndexOfId);

} // namespace streamscope
