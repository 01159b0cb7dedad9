// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

namespace streamscope {

// How NginxServer listens and what it adds to its proxy.
struct NginxServerOptions
{
    enum class Listen {
        Http2Tls, // "ssl http2": ALPN offers h2 and http/1.1
        Http1Tls,
        Http2Cleartext, // h2c, prior knowledge only
        Http1Cleartext,
    };

    Listen listen = Listen::Http2Tls;
    // Lines for "location / { }", where they override the server's defaults (proxy_buffering
    // off, proxy_read_timeout 1h, ...): "proxy_buffering on;", "gzip on;". A proxy_set_header
    // there drops the server's ones (nginx inherits them only when a level sets none).
    QStringList locationLines;
    // Dynamic modules by file name ("ngx_nchan_module.so"), loaded from Debian's
    // /usr/lib/nginx/modules; waitForListening() fails with the reason when one is missing.
    QStringList modules;
    // Lines for "server { }" after "location / { }": whole location blocks of their own.
    QStringList serverLines;
};

// Debian's nginx (package nginx-light) on 127.0.0.1 as a reverse proxy in front of an HTTP/1.1
// upstream on 127.0.0.1: the HTTP/2 front most SSE services have. Everything it writes stays in
// a temporary folder; the process is nginx itself (no daemon, no master), killed when this goes.
// With TLS it presents the test certificate for 127.0.0.1; clients trust caFile().
class NginxServer
{
public:
    // upstreamPort 0: no "location / { }" proxy, only the options' serverLines.
    explicit NginxServer(quint16 upstreamPort, const NginxServerOptions &options = {});
    ~NginxServer();
    NginxServer(const NginxServer &) = delete;
    NginxServer &operator=(const NginxServer &) = delete;

    // Waits until its port accepts connections; false with the reason (its error log, or
    // "nginx not found: run scripts/install-deps", or a module not found) in *error.
    bool waitForListening(QString *error);
    // https://127.0.0.1:PORT/path (http:// without TLS).
    QUrl url(const QString &path) const;
    // The test CA's PEM file, for QSslConfiguration::addCaCertificates; empty without TLS.
    QString caFile() const;
    // The configuration it runs with, for a failing test to print.
    QString configuration() const { return m_configuration; }
    // Gone at once: its connections drop.
    void stop();

    // Where Debian's nginx packages put dynamic modules (libnginx-mod-*).
    static QString modulePath(const QString &file);

private:
    bool isTls() const;
    QString errorLog() const;

    NginxServerOptions m_options;
    QTemporaryDir m_folder;
    QProcess m_process;
    QString m_configuration;
    QString m_startError;
    quint16 m_port = 0;
};

} // namespace streamscope
