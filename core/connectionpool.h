// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http2mode.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;

namespace streamscope {

// Which QNetworkAccessManager a stream's request goes through. Over HTTP/1.1 each stream has its
// own (one manager opens at most six connections per host, and a seventh endless stream would
// wait forever); over HTTP/2 streams to one origin share a manager, so they multiplex on one
// connection. Whether an https origin speaks HTTP/2 is known only from a reply: the first
// stream to an unknown origin finds out, and the others to it wait until it knows.
class ConnectionPool : public QObject
{
    Q_OBJECT
public:
    using Manager = std::shared_ptr<QNetworkAccessManager>;

    explicit ConnectionPool(QObject *parent = nullptr);
    ~ConnectionPool() override;

    // Streams share a connection only when everything that shapes it is the same.
    static QString keyFor(const QUrl &url, Http2Mode mode, const QString &caCertificatesFile,
        bool ignoreCertificateErrors);

    // The manager for a request; *probe is set when the caller is the one to find out the
    // origin's protocol (then it must call learned() or abandoned()). Null when another stream
    // is finding out: wait for settled(key) and ask again with mayWait false.
    Manager acquire(const QString &key, const QUrl &url, Http2Mode mode, bool mayWait, bool *probe);
    // The probe's reply came: over HTTP/2 its manager becomes the one shared for the key.
    void learned(const QString &key, const Manager &manager, bool http2);
    // The probe ended without a reply: the waiting streams go on by themselves.
    void abandoned(const QString &key);

    // A reply on the manager ended by itself (the server ended it, went away, reset it). Qt 6.4
    // never sends a request made on a connection that got GOAWAY while other streams still run
    // on it, so the key's next requests go to a new manager; those open stay where they are.
    void retire(const QString &key, const QNetworkAccessManager *manager);
    // Streams open (response headers in) on a manager: what its connection carries at once.
    void streamOpened(const QNetworkAccessManager *manager) { ++m_open[manager]; }
    void streamClosed(const QNetworkAccessManager *manager);
    int openStreams(const QNetworkAccessManager *manager) const { return m_open.value(manager); }

signals:
    void settled(const QString &key);

private:
    enum class Known {
        Probing,
        Http1,
        Http2,
    };
    struct Origin
    {
        Known known = Known::Probing;
        std::weak_ptr<QNetworkAccessManager> shared;
    };
    static Manager makeManager();
    Manager sharedManager(Origin &origin);

    QHash<QString, Origin> m_origins;
    QHash<const QNetworkAccessManager *, int> m_open;
};

} // namespace streamscope
