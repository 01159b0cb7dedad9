// SPDX-License-Identifier: GPL-3.0-or-later
#include "backoff.h"

#include <algorithm>

namespace streamscope {

Backoff::Backoff()
    : m_random(std::random_device{}())
{
}

void Backoff::setInitialDelay(int ms)
{
    m_initialDelayMs = std::max(0, ms);
}

void Backoff::setMaxDelay(int ms)
{
    m_maxDelayMs = std::max(0, ms);
}

void Backoff::setBaseDelayOverride(int ms)
{
    m_baseOverrideMs = std::max(0, ms);
}

void Backoff::seed(quint32 seed)
{
    m_random.seed(seed);
}

int Backoff::baseDelay() const
{
    return m_baseOverrideMs >= 0 ? m_baseOverrideMs : m_initialDelayMs;
}

int Backoff::nextDelay(int floorMs)
{
    ++m_failures;
    // Double in 64 bits and stop as soon as the cap is reached, so no shift overflows.
    qint64 delay = baseDelay();
    for (int i = 1; i < m_failures && delay < m_maxDelayMs; ++i) {
        delay *= 2;
    }
    delay = std::min<qint64>(delay, m_maxDelayMs);
    const qint64 low = delay / 2;
    std::uniform_int_distribution<qint64> draw(low, delay);
    const qint64 jittered = delay > 0 ? draw(m_random) : 0;
    return int(std::max<qint64>(jittered, floorMs));
}

} // namespace streamscope
