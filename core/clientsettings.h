// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "eventsource.h"
#include "mqttclient.h"
#include "socketioclient.h"
#include "streamconfig.h"
#include "websocketclient.h"

#include <QStringList>

#include <variant>

namespace streamscope {

// What a stream's client opens with: one alternative per client (SSE, raw WebSocket, Socket.IO,
// MQTT), so the stream starts whichever it is by one rule.
using ClientSettings
    = std::variant<EventSourceSettings, WebSocketSettings, SocketIoSettings, MqttSettings>;

// The settings for the client the config's URL and protocol call for, with ${env:NAME} resolved
// now. Each unset variable is named in *missing; then the settings are not to be used. Those of
// the WebSocket underneath are resolved first: when one of them is missing, the protocol's own
// (Socket.IO auth, MQTT credentials) are not looked at. The transport must not be Invalid.
ClientSettings clientSettings(const StreamConfig &config, QStringList *missing);

} // namespace streamscope
