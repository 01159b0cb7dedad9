// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

namespace streamscope {

// The one timer that drives the periodic health checks of every stream of a thread. A QTimer
// per stream cost four wakeups a second each, and Qt walks its sorted timer list at every one:
// with 1,000 streams that walk alone was 15% of the UI thread at idle (docs/PERFORMANCE.md).
class HealthClock final : public QObject
{
    Q_OBJECT
public:
    static constexpr int IntervalMs = 250;

    // The clock of the calling thread, made on first use; it goes with the application (or with
    // its thread).
    static HealthClock &forThisThread();

    // check runs every IntervalMs, the first time within IntervalMs, until owner leaves; joining
    // again replaces it. An owner must leave before it is destroyed.
    void join(const QObject *owner, std::function<void()> check);
    void leave(const QObject *owner);
    bool isTicking(const QObject *owner) const { return m_checks.contains(owner); }

private:
    explicit HealthClock(QObject *parent);
    void tick();

    QTimer m_timer;
    QHash<const QObject *, std::function<void()>> m_checks;
};

} // namespace streamscope
