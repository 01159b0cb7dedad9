// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace streamscope {

// Header fields as sent or received, in order, repeats kept: (name, value).
using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// The head of one response: what an attempt got back, whatever came of it. The evidence behind
// a diagnosis (a proxy's Via, Content-Encoding on an event stream) and what the health panel
// shows of each attempt.
struct ResponseHead
{
    qint64 atMs = 0; // ms since the Unix epoch, when it arrived
    int status = 0;
    QByteArray reasonPhrase; // empty over HTTP/2, which has none
    QByteArray protocol; // "HTTP/1.1", "HTTP/2"
    HeaderList headers;

    bool operator==(const ResponseHead &other) const = default;
};

} // namespace streamscope
