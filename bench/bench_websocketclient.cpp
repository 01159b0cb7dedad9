// SPDX-License-Identifier: GPL-3.0-or-later
// streamscope's WebSocketClient alone (no output): counts text messages until N.
// Usage: bench_websocketclient --max-messages N URL   Prints "messages=M seconds=S" on stderr.

#include "websocketclient.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>
#include <cstring>

using namespace streamscope;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    WebSocketSettings settings;
    settings.maxReconnects = 0; // the server closes after N messages: no second try
    quint64 maxMessages = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--max-messages") == 0 && i + 1 < argc) {
            maxMessages = QByteArray(argv[++i]).toULongLong();
        } else {
            settings.url = QUrl(QString::fromLocal8Bit(argv[i]));
        }
    }
    if (!settings.url.isValid() || settings.url.scheme().isEmpty() || maxMessages == 0) {
        std::fprintf(stderr, "usage: %s --max-messages N URL\n", argv[0]);
        return 2;
    }

    WebSocketClient client;
    quint64 messages = 0;
    quint64 characters = 0;
    int status = 1; // until N messages arrived
    QElapsedTimer timer;
    QObject::connect(
        &client, &WebSocketClient::textMessageReceived, &app, [&](const QByteArray &text) {
            characters += quint64(text.size());
            if (++messages == maxMessages) {
                std::fprintf(stderr, "messages=%llu bytes=%llu seconds=%.3f\n",
                    static_cast<unsigned long long>(messages),
                    static_cast<unsigned long long>(characters),
                    double(timer.nsecsElapsed()) / 1e9);
                status = 0;
                client.close();
            }
        });
    QObject::connect(&client, &WebSocketClient::closed, &app, [&] {
        if (status != 0) {
            std::fprintf(stderr, "error: closed after %llu messages\n",
                static_cast<unsigned long long>(messages));
        }
        QCoreApplication::quit();
    });
    timer.start();
    client.open(settings);
    app.exec();
    return status;
}
