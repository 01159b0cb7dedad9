// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metricextractor.h"
#include "metricstore.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace streamscope {

// How much time the charts show.
enum class ChartWindow {
    OneMinute,
    FiveMinutes,
    FifteenMinutes,
    OneHour,
    AllRetained,
};

// The charts' part of a workspace: the grid, each chart's series and each stream's extraction
// settings. Streams are named by their index in Workspace::streams, since ids are handed out
// afresh on every load.
struct ChartsState
{
    static constexpr int MaxCharts = 16;
    static constexpr int MaxSeriesPerChart = 32;

    struct Chart
    {
        QString title; // empty: the panel's default title
        QList<SeriesKey> series; // streamId holds the stream's index; none twice
    };
    struct Extraction
    {
        int stream = 0; // index
        ExtractionSettings settings;
    };

    ChartWindow window = ChartWindow::FiveMinutes;
    QList<Chart> charts; // at most MaxCharts, each at most MaxSeriesPerChart series
    QList<Extraction> extraction; // settings other than the defaults

    QJsonObject toJson() const;
    // Reads what it can and leaves out the rest, each a problem naming where it was under path
    // ("charts.charts[1].series[0]: no stream 4"). streamIndexes maps each position in the
    // file's streams array to its index among the loaded streams, or -1 where it was skipped.
    static ChartsState fromJson(const QJsonObject &json, const QString &path,
        const QList<int> &streamIndexes, QStringList *problems);
};

} // namespace streamscope
