// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "diagnosis.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

namespace streamscope {

// Streams to one origin that lose their connections together (the server restarted, a proxy
// dropped them all) would all come back at the same moment, and hit the server at once again.
// This spreads their reconnects across streams, where each stream's own jitter spreads only its
// own: the k-th stream of a group (losses at most GroupGapMs apart) waits k * StepMs longer than
// the first, and past MaxSpreadMs the slots fill that window evenly.
//
// A group of MinStormStreams or more streams is a reconnect storm: once the group ends (no loss
// for GroupGapMs), stormFound() says so once for all of them.
class ReconnectSpread : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 GroupGapMs = 1000;
    static constexpr int StepMs = 250;
    static constexpr int MaxSpreadMs = 10000;
    static constexpr int MinStormStreams = 4;

    explicit ReconnectSpread(QObject *parent = nullptr);

    // A stream (member: the caller's id for it) lost its open connection to url's origin and
    // would wait delayMs: returns the wait to use instead, never shorter.
    int lost(const QUrl &url, int member, qint64 nowMs, int delayMs);

signals:
    // members: the streams of the storm, in the order they lost the connection.
    void stormFound(const streamscope::Diagnosis &storm, const QList<int> &members);

private:
    struct Group
    {
        QString host;
        qint64 firstMs = 0;
        qint64 lastMs = 0;
        qint64 firstSlotMs = 0; // when the first stream reconnects
        qint64 lastSlotMs = 0; // the latest slot given
        QList<int> members;
    };

    void endQuietGroups();
    static qint64 offsetMs(qsizetype index);

    QHash<QString, Group> m_groups; // by origin
    QTimer m_timer;
};

} // namespace streamscope
