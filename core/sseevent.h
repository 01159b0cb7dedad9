// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMetaType>

namespace streamscope {

// One dispatched SSE event. Every field is valid UTF-8 (invalid input was replaced by U+FFFD).
struct SseEvent
{
    QByteArray type; // "message" when the stream named none
    QByteArray data;
    QByteArray lastEventId; // the stream's last event ID when this event was dispatched
};

} // namespace streamscope

Q_DECLARE_METATYPE(streamscope::SseEvent)
