// SPDX-License-Identifier: GPL-3.0-or-later
// streamscope's EventSource alone (QNAM + SseParser, no output): counts events until N.
// Usage: bench_eventsource [--read-buffer BYTES] --max-events N URL
// readBufferBytes is EventSourceSettings::readBufferBytes (0: unbounded); the default is the
// library's. Prints "events=E bytes=B seconds=S" on stderr.

#include "eventsource.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QNetworkAccessManager>

#include <cstdio>
#include <cstring>

using namespace streamscope;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    EventSourceSettings settings;
    settings.maxReconnects = 0; // the server ends the stream after N events: no second try
    quint64 maxEvents = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--read-buffer") == 0 && i + 1 < argc) {
            settings.readBufferBytes = QByteArray(argv[++i]).toLongLong();
        } else if (std::strcmp(argv[i], "--max-events") == 0 && i + 1 < argc) {
            maxEvents = QByteArray(argv[++i]).toULongLong();
        } else {
            settings.url = QUrl(QString::fromLocal8Bit(argv[i]));
        }
    }
    if (!settings.url.isValid() || settings.url.scheme().isEmpty() || maxEvents == 0
        || settings.readBufferBytes < 0) {
        std::fprintf(stderr, "usage: %s [--read-buffer BYTES] --max-events N URL\n", argv[0]);
        return 2;
    }

    QNetworkAccessManager network;
    EventSource source(&network);
    quint64 events = 0;
    quint64 dataBytes = 0;
    unsigned checksum = 0;
    qint64 bytes = 0;
    int status = 0;
    QElapsedTimer timer;
    const auto report = [&] {
        std::fprintf(stderr, "events=%llu bytes=%lld seconds=%.3f checksum=%u\n",
            static_cast<unsigned long long>(events), static_cast<long long>(bytes),
            double(timer.nsecsElapsed()) / 1e9, checksum);
    };
    QObject::connect(&source, &EventSource::bytesReceived, &app, [&](qint64 n) { bytes += n; });
    QObject::connect(&source, &EventSource::eventReceived, &app, [&](const SseEvent &event) {
        dataBytes += quint64(event.data.size());
        checksum += unsigned(uchar(event.data.back()));
        if (++events == maxEvents) {
            report();
            source.close();
        }
    });
    QObject::connect(&source, &EventSource::errorOccurred, &app, [&](const QString &message, int) {
        if (events < maxEvents) {
            std::fprintf(stderr, "error: %s\n", qPrintable(message));
        }
    });
    QObject::connect(&source, &EventSource::closed, &app, [&] {
        if (events < maxEvents) {
            report();
            status = 1;
        }
        QCoreApplication::quit();
    });
    timer.start();
    source.open(settings);
    app.exec();
    return status;
}
