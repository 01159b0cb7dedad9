// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "backoff.h"

#include <optional>

namespace streamscope {

// When a transport tries again and when it gives up, the same for SSE and WebSocket: jittered
// backoff, consecutive failed attempts counted against maxReconnects, and a healthy connection
// that starts the delays from the base again.
class ReconnectPolicy
{
public:
    // maxReconnects: consecutive failed attempts allowed after the first; -1: unlimited.
    // Forgets every count, and any base delay the server set.
    void configure(int initialDelayMs, int maxDelayMs, int maxReconnects);

    // An attempt reached the server (SSE: a 200 event stream; WebSocket: the handshake): it is
    // no failure, whatever ends it.
    void opened() { m_consecutiveFailures = 0; }
    // The connection proved itself (open long enough, or data arrived): the next failure waits
    // the base delay again.
    void markHealthy();
    bool isHealthy() const { return m_healthy; }
    // A new attempt starts: it has to prove itself again.
    void attemptStarted() { m_healthy = false; }
    // The user asked for a new attempt now: failures so far no longer count.
    void forgetFailures() { m_consecutiveFailures = 0; }

    // An attempt ended (failed: it never opened). Returns the wait before the next, never
    // below floorMs (a server's Retry-After), or nothing when maxReconnects is used up.
    std::optional<int> next(bool failed, int floorMs = 0);

    // The server's preferred base delay (SSE `retry`).
    void setBaseDelayOverride(int ms) { m_backoff.setBaseDelayOverride(ms); }
    const Backoff &backoff() const { return m_backoff; }

private:
    Backoff m_backoff;
    int m_maxReconnects = -1;
    int m_consecutiveFailures = 0;
    bool m_healthy = false;
};

} // namespace streamscope
