// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

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

// A field value may hold neither: it would end the header or split the request.
bool hasLineBreakOrNul(QByteArrayView text);
// Parses "Name: value" (as typed in the dialog and saved in workspaces); false with a readable
// *error when the line has no colon, an invalid name or a line break.
bool parseHeaderLine(const QString &line, QPair<QByteArray, QByteArray> *header, QString *error);
QString headerLine(const QPair<QByteArray, QByteArray> &header);

// Authorization, Proxy-Authorization, Cookie, Set-Cookie (in a response) and the API key headers of
// LLM services (x-api-key, anthropic-api-key), any case, carry credentials.
bool isSecretHeader(QByteArrayView name);
// The one rule for showing a header value wherever one is shown or written: a secret header's
// value with its literal text as "•••", keeping an Authorization scheme word ("Bearer •••");
// ${env:NAME} references stay, since they name a secret without holding it. Other headers'
// values come back as they are.
QString maskedHeaderValue(QByteArrayView name, const QByteArray &value);

} // namespace streamscope
