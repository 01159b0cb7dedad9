// SPDX-License-Identifier: GPL-3.0-or-later
#include "reconnectspread.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

namespace streamscope {

ReconnectSpread::ReconnectSpread(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(int(GroupGapMs));
    connect(&m_timer, &QTimer::timeout, this, &ReconnectSpread::endQuietGroups);
}

qint64 ReconnectSpread::offsetMs(qsizetype index)
{
    const qint64 stepped = qint64(index) * StepMs;
    if (stepped <= MaxSpreadMs) {
        return stepped;
    }
    // The golden ratio's multiples modulo 1 never bunch up: the window fills evenly however
    // many streams there are.
    const double fraction = std::fmod(double(index) * 0.6180339887498949, 1.0);
    return qint64(fraction * MaxSpreadMs);
}

int ReconnectSpread::lost(const QUrl &url, int member, qint64 nowMs, int delayMs)
{
    const QString origin = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment
                                  | QUrl::RemoveUserInfo)
                               .toString();
    auto found = m_groups.find(origin);
    if (found != m_groups.end() && nowMs - found->lastMs > GroupGapMs) {
        m_groups.erase(found); // an old group not yet ended by the timer: over anyway
        found = m_groups.end();
    }
    if (found == m_groups.end()) {
        Group group;
        group.host = url.host();
        group.firstMs = nowMs;
        group.lastMs = nowMs;
        group.firstSlotMs = nowMs + delayMs;
        group.lastSlotMs = group.firstSlotMs;
        group.members.append(member);
        m_groups.insert(origin, group);
        if (!m_timer.isActive()) {
            m_timer.start();
        }
        return delayMs;
    }
    Group &group = *found;
    group.lastMs = nowMs;
    if (group.members.contains(member)) {
        return delayMs; // lost again within the group: its own backoff spreads it
    }
    group.members.append(member);
    const qint64 slot
        = std::max(nowMs + delayMs, group.firstSlotMs + offsetMs(group.members.size() - 1));
    group.lastSlotMs = std::max(group.lastSlotMs, slot);
    return int(slot - nowMs);
}

void ReconnectSpread::endQuietGroups()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<Group> ended;
    for (auto it = m_groups.begin(); it != m_groups.end();) {
        if (now - it->lastMs >= GroupGapMs) {
            ended.append(*it);
            it = m_groups.erase(it);
        } else {
            ++it;
        }
    }
    if (m_groups.isEmpty()) {
        m_timer.stop();
    }
    for (const Group &group : std::as_const(ended)) {
        if (group.members.size() < MinStormStreams) {
            continue;
        }
        Diagnosis storm;
        storm.kind = Diagnosis::Kind::ReconnectStorm;
        storm.title = QStringLiteral("Reconnect storm");
        storm.evidence = QStringLiteral("%1 streams to %2 lost the connection at %3; "
                                        "reconnecting spread over %4.")
                             .arg(group.members.size())
                             .arg(group.host, diagnosisClock(group.firstMs),
                                 diagnosisDuration(group.lastSlotMs - group.firstSlotMs));
        storm.fix = QStringLiteral("Nothing to change here: the reconnects are spread so the "
                                   "server is not hit by all of them at once. If it repeats, "
                                   "look at what drops them together (a server restart, a load "
                                   "balancer, the network).");
        storm.firstSeenMs = group.firstMs;
        storm.lastSeenMs = group.lastMs;
        storm.figures = {
            {"streams", group.members.size()}, {"spreadMs", group.lastSlotMs - group.firstSlotMs}};
        emit stormFound(storm, group.members);
    }
}

} // namespace streamscope
