// SPDX-License-Identifier: GPL-3.0-or-later
#include "poollease.h"

#include <utility>

namespace streamscope {

QNetworkAccessManager *PoolLease::acquire(const QUrl &url, Http2Mode mode,
    const QString &caCertificatesFile, bool ignoreCertificateErrors, bool mayWait)
{
    m_key = ConnectionPool::keyFor(url, mode, caCertificatesFile, ignoreCertificateErrors);
    ConnectionPool::Grant grant = m_pool->acquire(m_key, url, mode, mayWait);
    m_manager = std::move(grant.manager);
    m_probing = grant.probe;
    m_seat = std::move(grant.seat);
    m_http2 = false;
    return m_manager.get();
}

void PoolLease::responded(bool http2)
{
    m_http2 = http2;
    if (m_probing && m_pool) {
        m_probing = false;
        m_pool->learned(m_key, m_manager, http2);
    }
}

void PoolLease::streamOpened()
{
    // Only HTTP/2 streams share a connection; an HTTP/1.1 one has its own.
    if (m_pool && m_manager && m_http2) {
        m_pool->streamOpened(m_key, m_manager.get());
        m_countedOpen = true;
    }
}

void PoolLease::retire()
{
    if (m_pool && m_manager) {
        m_pool->retire(m_key, m_manager.get());
    }
}

int PoolLease::openStreams() const
{
    return m_pool && m_manager ? m_pool->openStreams(m_key, m_manager.get()) : 0;
}

ConnectionPool::Manager PoolLease::release()
{
    if (m_countedOpen) {
        m_countedOpen = false;
        if (m_pool && m_manager) {
            m_pool->streamClosed(m_key, m_manager.get());
        }
    }
    if (!m_seat.isEmpty()) {
        if (m_pool && m_manager) {
            m_pool->vacate(m_seat, m_manager.get());
        }
        m_seat.clear();
    }
    if (m_probing) {
        m_probing = false;
        if (m_pool) {
            m_pool->abandoned(m_key); // the streams waiting for it go on by themselves
        }
    }
    return std::exchange(m_manager, {});
}

} // namespace streamscope
