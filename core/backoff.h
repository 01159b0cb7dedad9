// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <random>

namespace streamscope {

// Reconnect delays shared by every transport: exponential growth from a base delay, capped,
// with jitter, reset by a healthy connection.
class Backoff
{
public:
    Backoff();

    // The n-th failure since the last reset waits d = min(maxDelay, baseDelay * 2^(n-1)).
    void setInitialDelay(int ms);
    void setMaxDelay(int ms);
    // The server's preferred base delay (SSE `retry`, where 0 means at once).
    void setBaseDelayOverride(int ms);
    // Back to the initial delay as the base.
    void clearBaseDelayOverride() { m_baseOverrideMs = -1; }
    void seed(quint32 seed);

    int initialDelay() const { return m_initialDelayMs; }
    int maxDelay() const { return m_maxDelayMs; }
    int baseDelay() const;
    // Failures counted since the last reset.
    int failures() const { return m_failures; }

    // Counts one more failure and returns the wait before the next attempt: drawn from
    // [d/2, d], never below floorMs (a server's Retry-After), which gets no jitter below it.
    int nextDelay(int floorMs = 0);
    // A healthy connection: the next failure starts again from the base delay.
    void reset() { m_failures = 0; }

private:
    int m_initialDelayMs = 1000;
    int m_maxDelayMs = 30000;
    int m_baseOverrideMs = -1; // -1: none
    int m_failures = 0;
    std::minstd_rand m_random;
};

} // namespace streamscope
