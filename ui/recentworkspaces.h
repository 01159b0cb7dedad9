// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace streamscope {

// The workspaces opened lately, newest first, and the one open at the last quit: kept in the
// application's QSettings, so every window and the next start see the same list.
class RecentWorkspaces
{
public:
    static constexpr int MaxFiles = 8;

    QStringList files() const;
    // Puts path first, once; the oldest beyond MaxFiles go.
    void add(const QString &path);
    QString last() const; // empty when none
    void setLast(const QString &path);
};

} // namespace streamscope
