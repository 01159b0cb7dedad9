// SPDX-License-Identifier: GPL-3.0-or-later
// The floor for any QWebSocket-based client: counts text messages until N, nothing else.
// Usage: bench_wscount --max-messages N URL   Prints "messages=M seconds=S" on stderr.

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QUrl>
#include <QWebSocket>

#include <cstdio>
#include <cstring>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    quint64 maxMessages = 0;
    QUrl url;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--max-messages") == 0 && i + 1 < argc) {
            maxMessages = QByteArray(argv[++i]).toULongLong();
        } else {
            url = QUrl(QString::fromLocal8Bit(argv[i]));
        }
    }
    if (!url.isValid() || url.scheme().isEmpty() || maxMessages == 0) {
        std::fprintf(stderr, "usage: %s --max-messages N URL\n", argv[0]);
        return 2;
    }

    QWebSocket socket;
    quint64 messages = 0;
    quint64 characters = 0;
    int status = 1; // until N messages arrived
    QElapsedTimer timer;
    QObject::connect(&socket, &QWebSocket::textMessageReceived, &app, [&](const QString &text) {
        characters += quint64(text.size());
        if (++messages == maxMessages) {
            std::fprintf(stderr, "messages=%llu characters=%llu seconds=%.3f\n",
                static_cast<unsigned long long>(messages),
                static_cast<unsigned long long>(characters), double(timer.nsecsElapsed()) / 1e9);
            status = 0;
            socket.close();
        }
    });
    QObject::connect(&socket, &QWebSocket::disconnected, &app, [&] {
        if (status != 0) {
            std::fprintf(stderr, "error: disconnected after %llu messages: %s\n",
                static_cast<unsigned long long>(messages), qPrintable(socket.errorString()));
        }
        QCoreApplication::quit();
    });
    timer.start();
    socket.open(url);
    app.exec();
    return status;
}
