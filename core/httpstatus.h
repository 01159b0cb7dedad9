// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QString>

namespace streamscope::http {

// Server-sent bytes for an error message: valid UTF-8, one line, at most maxChars (then "…").
QString readableText(QByteArrayView bytes, qsizetype maxChars);

// What a refusal says in words: "HTTP 401 Unauthorized: invalid token". HTTP/2 has no reason
// phrase ("HTTP 401: invalid token"). A JSON body gives its message (error.message, message,
// error, detail, error_description), any other body its first 300 characters.
QString statusText(int status, QByteArrayView reasonPhrase, QByteArrayView body = {});

} // namespace streamscope::http
