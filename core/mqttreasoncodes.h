// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mqttwire.h"

#include <QString>

namespace streamscope::mqtt {

// Readable meanings of refusals and failures: 3.1.1's CONNACK return codes (3.2.2.3) and
// MQTT 5's reason codes (2.4).
QString describeConnackCode(Version version, quint8 code);
QString describeReasonCode(quint8 code);
// Whether a refused CONNACK may succeed later (server unavailable or busy, quota or rate).
bool isTransientConnackCode(Version version, quint8 code);

} // namespace streamscope::mqtt
