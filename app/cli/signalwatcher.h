// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

class QSocketNotifier;

namespace streamscope {

// Turns SIGINT and SIGTERM into a Qt signal through a self-pipe, so a run ends cleanly from the
// event loop instead of inside a signal handler. Also ignores SIGPIPE: a closed reader of our
// output is an error to handle, not a reason to die mid-record. One instance per process.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

signals:
    void interrupted(int signalNumber);

private:
    void readPipe();

    int m_readFd = -1;
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace streamscope
