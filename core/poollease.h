// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "connectionpool.h"
#include "http2mode.h"

#include <QPointer>
#include <QString>
#include <QUrl>

namespace streamscope {

// One stream's hold on a ConnectionPool manager for the attempt under way, with the duties that
// come with it: a probe tells the pool what the origin speaks (or that it never found out), an
// HTTP/1.1 attempt holds its place on the manager from acquire() to release(), and an open HTTP/2
// stream counts on its connection until it ends. EventSource keeps one.
class PoolLease final
{
public:
    PoolLease() = default;
    Q_DISABLE_COPY_MOVE(PoolLease)

    // Not owned: a stream deleted late may outlive it. Set before acquire().
    void setPool(ConnectionPool *pool) { m_pool = pool; }
    ConnectionPool *pool() const { return m_pool; }
    // The key of the last acquire() (see ConnectionPool::keyFor()).
    const QString &key() const { return m_key; }

    // The manager for a request, none being held (see ConnectionPool::acquire()). Null when
    // another stream is finding out the origin's protocol: wait for the pool's settled(key()).
    QNetworkAccessManager *acquire(const QUrl &url, Http2Mode mode,
        const QString &caCertificatesFile, bool ignoreCertificateErrors, bool mayWait);
    // The response came, over HTTP/2 or not: a probe tells the pool.
    void responded(bool http2);
    // The response opened a stream: over HTTP/2, counted on the connection until release().
    void streamOpened();
    // The reply ended by itself: its connection may be going away (ConnectionPool::retire()).
    void retire();
    // HTTP/2 streams of the key open on the held manager's connection; 0 when none is held.
    int openStreams() const;
    // Ends the hold and gives back the place. Returns the manager for the caller to let go of
    // after the reply: its deleter waits for the event loop.
    ConnectionPool::Manager release();

private:
    QPointer<ConnectionPool> m_pool;
    ConnectionPool::Manager m_manager;
    QString m_key;
    bool m_probing = false; // this attempt finds out the origin's protocol for the pool
    bool m_countedOpen = false; // the pool counts this stream open on m_manager
    bool m_http2 = false; // the response came over HTTP/2
    QString m_seat; // the place taken on m_manager (ConnectionPool::Grant::seat), if any
};

} // namespace streamscope
