// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectionpool.h"

#include <QNetworkAccessManager>

namespace streamscope {

namespace {

// Bounds what the pool remembers; past it, origins are simply found out again.
constexpr qsizetype s_maxOrigins = 4096;

} // namespace

ConnectionPool::ConnectionPool(QObject *parent)
    : QObject(parent)
{
}

ConnectionPool::~ConnectionPool() = default;

QString ConnectionPool::keyFor(const QUrl &url, Http2Mode mode, const QString &caCertificatesFile,
    bool ignoreCertificateErrors)
{
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    return QStringLiteral("%1://%2:%3 %4 %5 %6")
        .arg(url.scheme(), url.host().toLower())
        .arg(url.port(defaultPort))
        .arg(QString::fromLatin1(http2ModeName(mode)))
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

ConnectionPool::Manager ConnectionPool::acquire(
    const QString &key, const QUrl &url, Http2Mode mode, bool mayWait, bool *probe)
{
    *probe = false;
    const bool tls = url.scheme() == QLatin1String("https");
    if (mode == Http2Mode::Off || (mode == Http2Mode::Auto && !tls)) {
        return makeManager(); // HTTP/1.1 for sure
    }
    if (m_origins.size() >= s_maxOrigins && !m_origins.contains(key)) {
        m_origins.clear();
    }
    auto found = m_origins.find(key);
    if (mode == Http2Mode::PriorKnowledge) {
        if (found == m_origins.end()) {
            found = m_origins.insert(key, Origin{Known::Http2, {}});
        }
        return sharedManager(*found);
    }
    if (found == m_origins.end()) {
        m_origins.insert(key, Origin{});
        *probe = true;
        return makeManager();
    }
    switch (found->known) {
    case Known::Http2:
        return sharedManager(*found);
    case Known::Http1:
        return makeManager();
    case Known::Probing:
        break;
    }
    return mayWait ? nullptr : makeManager();
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

void ConnectionPool::streamClosed(const QNetworkAccessManager *manager)
{
    const auto found = m_open.find(manager);
    if (found != m_open.end() && --*found <= 0) {
        m_open.erase(found);
    }
}

} // namespace streamscope
