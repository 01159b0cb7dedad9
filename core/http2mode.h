// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace streamscope {

// Whether a stream may use HTTP/2, per stream (dialog, workspace "http2", CLI --http2).
enum class Http2Mode {
    Auto, // what TLS negotiates (ALPN); http:// URLs stay on HTTP/1.1
    Off, // HTTP/1.1 only
    PriorKnowledge, // HTTP/2 from the first byte, without asking: h2c on http:// URLs
};

// "auto", "off", "prior-knowledge": the words of the workspace file and the CLI.
QByteArray http2ModeName(Http2Mode mode);
std::optional<Http2Mode> parseHttp2Mode(QByteArrayView name);

} // namespace streamscope
