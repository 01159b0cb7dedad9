// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "recordwriter.h"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>

#include <functional>
#include <optional>

namespace streamscope {

// The streamscope-cli tool: parses the command line and runs the command it names, writing to
// stdout and stderr.
class CommandLine : public QObject
{
    Q_OBJECT
public:
    explicit CommandLine(QObject *parent = nullptr);
    ~CommandLine() override;

    // arguments as QCoreApplication::arguments(). Returns the exit code when the run is over
    // already (help, version, bad usage); otherwise finished() follows from the event loop.
    std::optional<int> start(const QStringList &arguments);
    // SIGINT/SIGTERM: ends the running command cleanly.
    void interrupt();

signals:
    void finished(int exitCode);

private:
    // Starts the command, which writes to our writers and tells us when it finished.
    template <typename Runner, typename Options> void run(const Options &options);

    QElapsedTimer m_clock; // "t" in every record; before the writers, which point to it
    RecordWriter m_out;
    RecordWriter m_err;
    std::function<void()> m_interrupt;
};

} // namespace streamscope
