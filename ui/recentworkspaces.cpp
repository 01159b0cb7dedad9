// SPDX-License-Identifier: GPL-3.0-or-later
#include "recentworkspaces.h"

#include <QSettings>

namespace streamscope {

namespace {

const auto s_filesKey = QStringLiteral("recentFiles");
const auto s_lastKey = QStringLiteral("lastWorkspace");

} // namespace

QStringList RecentWorkspaces::files() const
{
    return QSettings().value(s_filesKey).toStringList();
}

void RecentWorkspaces::add(const QString &path)
{
    QStringList list = files();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > MaxFiles) {
        list.removeLast();
    }
    QSettings().setValue(s_filesKey, list);
}

QString RecentWorkspaces::last() const
{
    return QSettings().value(s_lastKey).toString();
}

void RecentWorkspaces::setLast(const QString &path)
{
    QSettings().setValue(s_lastKey, path);
}

} // namespace streamscope
