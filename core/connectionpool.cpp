// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectionpool.h"

#include <QNetworkAccessManager>

#include <algorithm>
#include <iterator>

namespace streamscope {

namespace {

// Bounds what the pool remembers; past it, origins are simply found out again.
constexpr qsizetype s_maxOrigins = 4096;
// Bounds the hosts one manager remembers (see ConnectionPool::Seats); past it, a new manager.
constexpr qsizetype s_maxHostsPerManager = 256;

} // namespace

ConnectionPool::ConnectionPool(QObject *parent)
    : QObject(parent)
{
}

ConnectionPool::~ConnectionPool() = default;

QString ConnectionPool::keyFor(const QUrl &url, Http2Mode mode, const QString &caCertificatesFile,
    bool ignoreCertificateErrors)
{
    // The origin spelled as its places are (seatFor()), then what else shapes a connection.
    return QStringLiteral("%1 %2 %3 %4")
        .arg(seatFor(url), QString::fromLatin1(http2ModeName(mode)))
        .arg(ignoreCertificateErrors ? 1 : 0)
        .arg(caCertificatesFile);
}

ConnectionPool::Manager ConnectionPool::makeManager()
{
    // Deleted from the event loop: a reply of it may be emitting when the last user lets go.
    return Manager(
        new QNetworkAccessManager, [](QNetworkAccessManager *manager) { manager->deleteLater(); });
}

ConnectionPool::Manager ConnectionPool::sharedManager(Origin &origin)
{
    Manager manager = origin.shared.lock();
    if (!manager) {
        manager = makeManager();
        origin.shared = manager;
    }
    return manager;
}

QString ConnectionPool::seatFor(const QUrl &url)
{
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    return QStringLiteral("%1://%2:%3")
        .arg(url.scheme(), url.host().toLower())
        .arg(url.port(defaultPort));
}

ConnectionPool::Grant ConnectionPool::seat(const QString &key, const QUrl &url)
{
    Grant grant;
    grant.seat = seatFor(url);
    const auto hasRoom = [&](const Http1Manager &entry) {
        const auto found = entry.hosts.constFind(grant.seat);
        if (found == entry.hosts.cend()) {
            return entry.hosts.size() < s_maxHostsPerManager;
        }
        return found->key == key && found->taken < SeatsPerHost;
    };
    auto entry = std::find_if(m_http1.begin(), m_http1.end(), hasRoom);
    if (entry != m_http1.end()) {
        grant.manager = entry->manager.lock();
    }
    if (!grant.manager) {
        // None with room (or its last user let go and it waits for the event loop to go).
        if (entry != m_http1.end()) {
            m_http1.erase(entry);
        }
        grant.manager = makeManager();
        m_http1.push_back(Http1Manager{grant.manager, grant.manager.get(), {}, 0});
        entry = std::prev(m_http1.end());
    }
    Seats &seats = entry->hosts[grant.seat];
    seats.key = key;
    ++seats.taken;
    ++entry->taken;
    return grant;
}

void ConnectionPool::vacate(const QString &seat, const QNetworkAccessManager *manager)
{
    const auto entry = std::find_if(m_http1.begin(), m_http1.end(),
        [manager](const Http1Manager &e) { return e.raw == manager; });
    if (entry == m_http1.end()) {
        return;
    }
    const auto seats = entry->hosts.find(seat);
    if (seats != entry->hosts.end() && seats->taken > 0) {
        --seats->taken; // the host stays the key's: an idle connection to it may be reused
    }
    if (--entry->taken <= 0) {
        m_http1.erase(entry); // its users let go of it after their replies
    }
}

int ConnectionPool::seatsTaken(const QNetworkAccessManager *manager) const
{
    for (const Http1Manager &entry : m_http1) {
        if (entry.raw == manager) {
            return entry.taken;
        }
    }
    return 0;
}

ConnectionPool::Grant ConnectionPool::acquire(
    const QString &key, const QUrl &url, Http2Mode mode, bool mayWait)
{
    const bool tls = url.scheme() == QLatin1String("https");
    if (mode == Http2Mode::Off || (mode == Http2Mode::Auto && !tls)) {
        return seat(key, url); // HTTP/1.1 for sure
    }
    if (m_origins.size() >= s_maxOrigins && !m_origins.contains(key)) {
        m_origins.clear();
    }
    auto found = m_origins.find(key);
    if (mode == Http2Mode::PriorKnowledge) {
        if (found == m_origins.end()) {
            found = m_origins.insert(key, Origin{Known::Http2, {}});
        }
        return Grant{sharedManager(*found), false, {}};
    }
    if (found == m_origins.end()) {
        // The probe takes a place like an HTTP/1.1 stream: over HTTP/1.1 it is one.
        m_origins.insert(key, Origin{});
        Grant grant = seat(key, url);
        grant.probe = true;
        return grant;
    }
    switch (found->known) {
    case Known::Http2:
        return Grant{sharedManager(*found), false, {}};
    case Known::Http1:
        return seat(key, url);
    case Known::Probing:
        break;
    }
    return mayWait ? Grant{} : seat(key, url);
}

void ConnectionPool::learned(const QString &key, const Manager &manager, bool http2)
{
    Origin &origin = m_origins[key];
    origin.known = http2 ? Known::Http2 : Known::Http1;
    if (http2 && !origin.shared.lock()) {
        origin.shared = manager; // its connection is open already: the others join it
    }
    emit settled(key);
}

void ConnectionPool::abandoned(const QString &key)
{
    const auto found = m_origins.find(key);
    if (found != m_origins.end() && found->known == Known::Probing) {
        m_origins.erase(found);
    }
    emit settled(key);
}

void ConnectionPool::retire(const QString &key, const QNetworkAccessManager *manager)
{
    const auto found = m_origins.find(key);
    if (found != m_origins.end() && found->shared.lock().get() == manager) {
        found->shared.reset();
    }
}

void ConnectionPool::streamClosed(const QString &key, const QNetworkAccessManager *manager)
{
    const auto found = m_open.find({manager, key});
    if (found != m_open.end() && --*found <= 0) {
        m_open.erase(found);
    }
}

} // namespace streamscope
