// SPDX-License-Identifier: GPL-3.0-or-later
#include "commandline.h"
#include "signalwatcher.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    streamscope::SignalWatcher watcher;
    streamscope::CommandLine cli;
    QObject::connect(&watcher, &streamscope::SignalWatcher::interrupted, &cli,
        &streamscope::CommandLine::interrupt);
    // Queued: a command may finish before exec() runs.
    QObject::connect(&cli, &streamscope::CommandLine::finished, &app, &QCoreApplication::exit,
        Qt::QueuedConnection);
    if (const auto exitCode = cli.start(app.arguments())) {
        return *exitCode;
    }
    return app.exec();
}
