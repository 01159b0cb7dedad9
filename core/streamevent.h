// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

#include <array>

namespace streamscope {

// One row of a stream's timeline: what arrived, what was sent, or a change of connection state.
struct StreamEvent
{
    enum class Kind : quint8 {
        Event, // SSE event
        Message, // WebSocket message received
        Sent, // WebSocket message sent
        Lifecycle, // connecting, open, error, reconnecting, closed
    };

    qint64 arrivalMs = 0; // milliseconds since the Unix epoch, UTC
    int streamId = 0;
    Kind kind = Kind::Event;
    bool binary = false; // WebSocket binary frame: data holds raw bytes
    QByteArray type; // SSE event type; for Lifecycle the NDJSON kind ("open", "error", ...)
    QByteArray id; // SSE last event ID
    QByteArray data; // UTF-8 payload (raw bytes when binary); for Lifecycle a readable message
    // "Name: value" lines about the row that its columns do not show (MQTT QoS and user
    // properties), for the detail pane. Empty for most rows, so it costs no allocation.
    QByteArray details;
};

// Every kind, in the order filters and menus list them.
inline constexpr std::array<StreamEvent::Kind, 4> allStreamEventKinds{
    StreamEvent::Kind::Event,
    StreamEvent::Kind::Message,
    StreamEvent::Kind::Sent,
    StreamEvent::Kind::Lifecycle,
};

// A kind's word, the same in the log's Kind column, its filters, the detail pane and exports:
// "event", "message", "sent", "lifecycle".
inline QString streamEventKindName(StreamEvent::Kind kind)
{
    switch (kind) {
    case StreamEvent::Kind::Event:
        return QStringLiteral("event");
    case StreamEvent::Kind::Message:
        return QStringLiteral("message");
    case StreamEvent::Kind::Sent:
        return QStringLiteral("sent");
    case StreamEvent::Kind::Lifecycle:
        return QStringLiteral("lifecycle");
    }
    return {};
}

} // namespace streamscope

Q_DECLARE_METATYPE(streamscope::StreamEvent)
