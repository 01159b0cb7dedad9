// SPDX-License-Identifier: GPL-3.0-or-later
// The floor for any QNetworkAccessManager-based client: one GET whose body is only counted.
// Usage: bench_qnamcount [--read-buffer BYTES] URL   (0, the default: QNAM's unbounded buffer)
// Prints "bytes=B seconds=S" on stderr when the server ends the response.

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrl>

#include <cstdio>
#include <cstring>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qint64 readBufferBytes = 0;
    QUrl url;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--read-buffer") == 0 && i + 1 < argc) {
            readBufferBytes = QByteArray(argv[++i]).toLongLong();
        } else {
            url = QUrl(QString::fromLocal8Bit(argv[i]));
        }
    }
    if (!url.isValid() || url.scheme().isEmpty() || readBufferBytes < 0) {
        std::fprintf(stderr, "usage: %s [--read-buffer BYTES] URL\n", argv[0]);
        return 2;
    }

    QNetworkAccessManager network;
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "text/event-stream");
    QElapsedTimer timer;
    timer.start();
    QNetworkReply *reply = network.get(request);
    reply->setReadBufferSize(readBufferBytes);
    qint64 bytes = 0;
    static char s_buffer[256 * 1024];
    QObject::connect(reply, &QNetworkReply::readyRead, reply, [&] {
        for (;;) {
            const qint64 got = reply->read(s_buffer, sizeof s_buffer);
            if (got <= 0) {
                break;
            }
            bytes += got;
        }
    });
    int status = 0;
    QObject::connect(reply, &QNetworkReply::finished, &app, [&] {
        bytes += reply->readAll().size();
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        if (reply->error() != QNetworkReply::NoError) {
            std::fprintf(stderr, "error: %s\n", qPrintable(reply->errorString()));
            status = 1;
        }
        std::fprintf(stderr, "bytes=%lld seconds=%.3f\n", static_cast<long long>(bytes), seconds);
        reply->deleteLater();
        app.quit();
    });
    app.exec();
    return status;
}
