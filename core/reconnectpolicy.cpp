// SPDX-License-Identifier: GPL-3.0-or-later
#include "reconnectpolicy.h"

namespace streamscope {

void ReconnectPolicy::configure(int initialDelayMs, int maxDelayMs, int maxReconnects)
{
    m_backoff.setInitialDelay(initialDelayMs);
    m_backoff.setMaxDelay(maxDelayMs);
    m_backoff.clearBaseDelayOverride();
    m_backoff.reset();
    m_maxReconnects = maxReconnects;
    m_consecutiveFailures = 0;
    m_healthy = false;
}

void ReconnectPolicy::markHealthy()
{
    m_healthy = true;
    m_backoff.reset();
}

std::optional<int> ReconnectPolicy::next(bool failed, int floorMs)
{
    if (failed) {
        ++m_consecutiveFailures;
    }
    if (m_maxReconnects >= 0 && m_consecutiveFailures > m_maxReconnects) {
        return std::nullopt;
    }
    return m_backoff.nextDelay(floorMs);
}

} // namespace streamscope
