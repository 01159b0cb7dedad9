// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http2mode.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>
#include <utility>
#include <vector>

class QNetworkAccessManager;

namespace streamscope {

// Which QNetworkAccessManager a stream's request goes through. One manager opens at most six
// HTTP/1.1 connections per host and port, and an SSE response never ends, so a seventh stream
// there would wait forever: over HTTP/1.1 a manager takes at most six streams to one host and
// port (all of one key, so connections set up with other TLS settings never serve it) and any
// number of origins, and a new manager carries the next six. Over HTTP/2 streams to one origin
// share a manager, so they multiplex on one connection. Whether an https origin speaks HTTP/2 is
// known only from a reply: the first stream to an unknown origin finds out, and the others to it
// wait until it knows.
class ConnectionPool : public QObject
{
    Q_OBJECT
public:
    using Manager = std::shared_ptr<QNetworkAccessManager>;

    // What acquire() gives a stream.
    struct Grant
    {
        Manager manager; // null when another stream is finding out (see acquire())
        // The caller finds out the origin's protocol: it must call learned() or abandoned().
        bool probe = false;
        // Set when the stream holds one of the manager's six places to its host and port: the
        // caller gives it back with vacate(seat, manager) when the attempt's reply is gone.
        QString seat;
    };

    // The most HTTP/1.1 connections one QNetworkAccessManager opens to one host and port.
    static constexpr int SeatsPerHost = 6;

    explicit ConnectionPool(QObject *parent = nullptr);
    ~ConnectionPool() override;

    // Streams share a connection only when everything that shapes it is the same.
    static QString keyFor(const QUrl &url, Http2Mode mode, const QString &caCertificatesFile,
        bool ignoreCertificateErrors);

    // The manager for a request. Its manager is null when another stream is finding out the
    // origin's protocol: wait for settled(key) and ask again with mayWait false.
    Grant acquire(const QString &key, const QUrl &url, Http2Mode mode, bool mayWait);
    // Gives back a place acquire() granted: from acquire() to here the stream counts as one of
    // the connections the manager has open to its host (a request in flight holds one too).
    void vacate(const QString &seat, const QNetworkAccessManager *manager);
    // The probe's reply came: over HTTP/2 its manager becomes the one shared for the key.
    void learned(const QString &key, const Manager &manager, bool http2);
    // The probe ended without a reply: the waiting streams go on by themselves.
    void abandoned(const QString &key);

    // A reply on the manager ended by itself (the server ended it, went away, reset it). Qt 6.4
    // never sends a request made on a connection that got GOAWAY while other streams still run
    // on it, so the key's next requests go to a new manager; those open stay where they are.
    void retire(const QString &key, const QNetworkAccessManager *manager);
    // HTTP/2 streams of the key open (response headers in) on a manager: what its connection
    // carries at once.
    void streamOpened(const QString &key, const QNetworkAccessManager *manager)
    {
        ++m_open[{manager, key}];
    }
    void streamClosed(const QString &key, const QNetworkAccessManager *manager);
    int openStreams(const QString &key, const QNetworkAccessManager *manager) const
    {
        return m_open.value({manager, key});
    }

    // HTTP/1.1 managers that carry streams now, and places taken on one (for tests, benches).
    int http1Managers() const { return int(m_http1.size()); }
    int seatsTaken(const QNetworkAccessManager *manager) const;

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
    // A manager's places to one host and port. They belong to the first key that took one for
    // the manager's life: Qt reuses an idle connection to the host for any request to it, and
    // one set up with another key's TLS settings (or HTTP/2 mode) must never serve this key.
    struct Seats
    {
        QString key;
        int taken = 0;
    };
    // A manager carrying HTTP/1.1 streams, or streams whose protocol is not known yet.
    struct Http1Manager
    {
        std::weak_ptr<QNetworkAccessManager> manager; // alive while a place is taken
        const QNetworkAccessManager *raw = nullptr;
        QHash<QString, Seats> hosts; // by seatFor()
        int taken = 0;
    };
    static Manager makeManager();
    static QString seatFor(const QUrl &url);
    Manager sharedManager(Origin &origin);
    // A place to the url's host on a manager with room for the key, or on a new manager.
    Grant seat(const QString &key, const QUrl &url);

    QHash<QString, Origin> m_origins;
    std::vector<Http1Manager> m_http1; // bounded by the places taken: emptied ones go
    QHash<std::pair<const QNetworkAccessManager *, QString>, int> m_open;
};

} // namespace streamscope
