// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "chartsstate.h"
#include "eventlog.h"
#include "logfilterstate.h"
#include "streamconfig.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace streamscope {

// Where the window's docks and toolbars were: what QMainWindow::saveGeometry() and saveState()
// gave, opaque to core (base64 in the file).
struct WindowLayout
{
    QByteArray geometry;
    QByteArray state;
    bool operator==(const WindowLayout &) const = default;
};

// Everything a user set up, saved as readable JSON: streams, the log's filters and capacity,
// the charts, and the window's layout. Filters and charts name streams by their index in
// streams.
struct Workspace
{
    static constexpr int FormatVersion = 1;
    static constexpr qsizetype MaxFileBytes = 16 * 1024 * 1024; // a larger file is not read

    QList<StreamConfig> streams;
    LogFilterState filters;
    WindowLayout layout;
    ChartsState charts;
    qsizetype logCapacity = EventLog::DefaultCapacity;

    QByteArray toJson() const;

    struct Loaded;
    // Loads the valid parts of a possibly malformed or partial file; problems name the rest
    // ("streams[2].url: not http, https, ws or wss"), or the JSON error and its offset. A
    // stream left out takes the filters' and charts' references to it along.
    static Loaded fromJson(const QByteArray &json);
};

struct Workspace::Loaded
{
    Workspace workspace;
    QStringList problems;
    bool readable = false; // false: not JSON at all; workspace is empty
};

} // namespace streamscope
