// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "eventlog.h"
#include "streamconfig.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace streamscope {

// Everything a user set up, saved as readable JSON: streams, the log's filters and capacity,
// and the window's layout. The ui owns the meaning of filters and layout.
struct Workspace
{
    static constexpr int FormatVersion = 1;

    QList<StreamConfig> streams;
    QJsonObject filters;
    QJsonObject layout;
    QJsonObject charts; // the charts' grid, series and extraction settings (ChartPanel)
    qsizetype logCapacity = EventLog::DefaultCapacity;

    QByteArray toJson() const;

    struct Loaded;
    // Loads the valid parts of a possibly malformed or partial file; problems name the rest
    // ("streams[2].url: not http, https, ws or wss"), or the JSON error and its offset.
    static Loaded fromJson(const QByteArray &json);
};

struct Workspace::Loaded
{
    Workspace workspace;
    QStringList problems;
    bool readable = false; // false: not JSON at all; workspace is empty
};

} // namespace streamscope
