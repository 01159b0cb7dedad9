// SPDX-License-Identifier: GPL-3.0-or-later
#include "http2mode.h"

namespace streamscope {

QByteArray http2ModeName(Http2Mode mode)
{
    switch (mode) {
    case Http2Mode::Off:
        return "off";
    case Http2Mode::PriorKnowledge:
        return "prior-knowledge";
    case Http2Mode::Auto:
        break;
    }
    return "auto";
}

std::optional<Http2Mode> parseHttp2Mode(QByteArrayView name)
{
    for (const Http2Mode mode : {Http2Mode::Auto, Http2Mode::Off, Http2Mode::PriorKnowledge}) {
        if (name == http2ModeName(mode)) {
            return mode;
        }
    }
    return std::nullopt;
}

} // namespace streamscope
