// SPDX-License-Identifier: GPL-3.0-or-later
#include "healthclock.h"

#include <QCoreApplication>
#include <QPointer>
#include <QThread>

namespace streamscope {

HealthClock &HealthClock::forThisThread()
{
    static thread_local QPointer<HealthClock> s_clock;
    if (!s_clock) {
        QCoreApplication *app = QCoreApplication::instance();
        const bool mainThread = app && app->thread() == QThread::currentThread();
        s_clock = new HealthClock(mainThread ? app : nullptr);
        if (!mainThread) {
            connect(QThread::currentThread(), &QThread::finished, s_clock.data(),
                &QObject::deleteLater);
        }
    }
    return *s_clock;
}

HealthClock::HealthClock(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(IntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &HealthClock::tick);
}

void HealthClock::join(const QObject *owner, std::function<void()> check)
{
    m_checks.insert(owner, std::move(check));
    if (!m_timer.isActive()) {
        m_timer.start();
    }
}

void HealthClock::leave(const QObject *owner)
{
    m_checks.remove(owner);
    if (m_checks.isEmpty()) {
        m_timer.stop();
    }
}

void HealthClock::tick()
{
    // A check may stop, start or delete streams (its own included): each owner is looked up
    // again before its turn, and one that joined during the tick waits for the next.
    const QList<const QObject *> owners = m_checks.keys();
    for (const QObject *owner : owners) {
        const auto found = m_checks.constFind(owner);
        if (found != m_checks.constEnd()) {
            const std::function<void()> check = *found; // the check may make its owner leave
            check();
        }
    }
}

} // namespace streamscope
