// SPDX-License-Identifier: GPL-3.0-or-later
#include "demofeed.h"
#include "demoworkspace.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

using namespace streamscope;

namespace {

// --help and --version print and exit; they must work without a display.
bool wantsTextOnly(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v"
            || arg == "--version") {
            return true;
        }
    }
    return false;
}

void describeApplication()
{
    // Name and organisation place QSettings where the platform keeps them
    // (~/.config/Streamscope/streamscope.conf on Linux).
    QCoreApplication::setApplicationName(QStringLiteral("streamscope"));
    QCoreApplication::setOrganizationName(QStringLiteral("Streamscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STREAMSCOPE_VERSION));
}

} // namespace

int main(int argc, char *argv[])
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Live dashboard for Server-Sent Events and WebSocket streams.\n"
                       "With no arguments, reopens the last workspace, or the built-in demo."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demoOption(QStringLiteral("demo"),
        QStringLiteral("Start the built-in demo feed and watch its three streams."));
    parser.addOption(demoOption);
    parser.addPositionalArgument(QStringLiteral("workspace"),
        QStringLiteral("A workspace file (.json) to open."), QStringLiteral("[workspace.json]"));
    if (wantsTextOnly(argc, argv)) {
        QCoreApplication app(argc, argv);
        describeApplication();
        parser.process(app); // prints and exits
        return 0;
    }

    QApplication app(argc, argv);
    describeApplication();
    QApplication::setApplicationDisplayName(QStringLiteral("Streamscope"));
    QApplication::setDesktopFileName(QStringLiteral("streamscope"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/streamscope.svg")));
    parser.process(app);
    const QStringList files = parser.positionalArguments();
    if (files.size() > 1) {
        parser.showHelp(2);
    }

    DemoFeed demo;
    MainWindow window;
    // The demo starts on first use, from here or from the window's Demo action.
    window.setDemoSource([&demo](QString *error) -> Workspace {
        if (demo.port() == 0 && !demo.listen()) {
            *error = demo.errorString();
            return {};
        }
        return demoWorkspace(demo);
    });
    const auto startDemo = [&window] { window.openDemo(); };
    if (parser.isSet(demoOption)) {
        startDemo();
    } else if (!files.isEmpty()) {
        window.openWorkspace(files.constFirst());
    } else if (!window.reopenLastWorkspace()) {
        startDemo();
    }
    window.show();
    return app.exec();
}
