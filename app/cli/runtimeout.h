// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QTimer>

#include <limits>

namespace streamscope {

// The --timeout of a run: fires once, no earlier than asked. Precise, as a coarse timer may fire
// 5 % early and --timeout promises at least that long.
class RunTimeout
{
public:
    template <typename Slot> RunTimeout(QObject *context, Slot slot)
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, context, slot);
    }

    // ms -1: no timeout.
    void start(qint64 ms)
    {
        if (ms >= 0) {
            m_timer.start(int(qMin<qint64>(ms, std::numeric_limits<int>::max())));
        }
    }
    void stop() { m_timer.stop(); }

private:
    QTimer m_timer;
};

} // namespace streamscope
