// SPDX-License-Identifier: GPL-3.0-or-later
#include "nginxserver.h"

#include "rawtestserver.h"
#include "tlstestserver.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTcpSocket>

namespace streamscope {

namespace {

// Debian puts it in /usr/sbin, which is not on every user's PATH.
QString findNginx()
{
    QString program = QStandardPaths::findExecutable(QStringLiteral("nginx"));
    if (program.isEmpty()) {
        program = QStandardPaths::findExecutable(QStringLiteral("nginx"),
            QStringList{QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin")});
    }
    return program;
}

QString listenLine(NginxServerOptions::Listen listen, quint16 port)
{
    const QString address = QStringLiteral("127.0.0.1:%1").arg(port);
    switch (listen) {
    case NginxServerOptions::Listen::Http2Tls:
        return QStringLiteral("listen %1 ssl http2;").arg(address);
    case NginxServerOptions::Listen::Http1Tls:
        return QStringLiteral("listen %1 ssl;").arg(address);
    case NginxServerOptions::Listen::Http2Cleartext:
        return QStringLiteral("listen %1 http2;").arg(address);
    case NginxServerOptions::Listen::Http1Cleartext:
        break;
    }
    return QStringLiteral("listen %1;").arg(address);
}

} // namespace

NginxServer::NginxServer(quint16 upstreamPort, const NginxServerOptions &options)
    : m_options(options)
    , m_port(unusedLocalPort())
{
    const QString program = findNginx();
    if (program.isEmpty()) {
        m_startError = QStringLiteral("nginx not found: run scripts/install-deps");
        return;
    }
    const QDir folder(m_folder.path());
    const auto path = [&folder](const char *name) { return folder.filePath(QLatin1String(name)); };
    QStringList lines;
    for (const QString &module : m_options.modules) {
        const QString file = modulePath(module);
        if (!QFile::exists(file)) {
            m_startError
                = QStringLiteral("nginx module %1 not found: run scripts/install-deps").arg(file);
            return;
        }
        lines << QStringLiteral("load_module %1;").arg(file);
    }
    lines << QStringList{
        QStringLiteral("daemon off;"),
        QStringLiteral("master_process off;"),
        QStringLiteral("worker_processes 1;"),
        QStringLiteral("pid %1;").arg(path("nginx.pid")),
        QStringLiteral("error_log %1 info;").arg(path("error.log")),
        QStringLiteral("events { worker_connections 256; }"),
        QStringLiteral("http {"),
        QStringLiteral("    access_log %1;").arg(path("access.log")),
        QStringLiteral("    default_type application/octet-stream;"),
        QStringLiteral("    client_body_temp_path %1;").arg(path("client_body")),
        QStringLiteral("    proxy_temp_path %1;").arg(path("proxy")),
        QStringLiteral("    fastcgi_temp_path %1;").arg(path("fastcgi")),
        QStringLiteral("    uwsgi_temp_path %1;").arg(path("uwsgi")),
        QStringLiteral("    scgi_temp_path %1;").arg(path("scgi")),
        QStringLiteral("    server {"),
        QStringLiteral("        ") + listenLine(m_options.listen, m_port),
    };
    if (isTls()) {
        testtls::writePemFiles(m_folder.path());
        lines << QStringLiteral("        ssl_certificate %1;").arg(path("cert.pem"))
              << QStringLiteral("        ssl_certificate_key %1;").arg(path("key.pem"));
    }
    // SSE through a proxy: no buffering, a keep-alive upstream, no idle cut for an hour.
    lines << QStringLiteral("        proxy_http_version 1.1;")
          << QStringLiteral("        proxy_set_header Connection \"\";")
          << QStringLiteral("        proxy_buffering off;")
          << QStringLiteral("        proxy_read_timeout 1h;");
    if (upstreamPort != 0) {
        lines << QStringLiteral("        location / {")
              << QStringLiteral("            proxy_pass http://127.0.0.1:%1;").arg(upstreamPort);
        for (const QString &line : m_options.locationLines) {
            lines << QStringLiteral("            ") + line;
        }
        lines << QStringLiteral("        }");
    }
    for (const QString &line : m_options.serverLines) {
        lines << QStringLiteral("        ") + line;
    }
    lines << QStringLiteral("    }") << QStringLiteral("}");
    m_configuration = lines.join(QLatin1Char('\n')) + QLatin1Char('\n');

    QFile file(path("nginx.conf"));
    if (!file.open(QIODevice::WriteOnly) || file.write(m_configuration.toUtf8()) < 0) {
        m_startError = QStringLiteral("cannot write %1").arg(file.fileName());
        return;
    }
    file.close();
    m_process.setProgram(program);
    // -e: the error log before the configuration is read, which would go to /var/log otherwise.
    m_process.setArguments(QStringList{QStringLiteral("-p"), m_folder.path(), QStringLiteral("-e"),
        path("error.log"), QStringLiteral("-c"), file.fileName()});
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start();
}

NginxServer::~NginxServer()
{
    stop();
}

bool NginxServer::isTls() const
{
    return m_options.listen == NginxServerOptions::Listen::Http2Tls
        || m_options.listen == NginxServerOptions::Listen::Http1Tls;
}

QString NginxServer::errorLog() const
{
    QFile file(QDir(m_folder.path()).filePath(QStringLiteral("error.log")));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

bool NginxServer::waitForListening(QString *error)
{
    if (!m_startError.isEmpty()) {
        *error = m_startError;
        return false;
    }
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("cannot start nginx (%1)").arg(m_process.errorString());
        return false;
    }
    const QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        if (probe.waitForConnected(1000)) {
            return true;
        }
        // Refused at once: nginx has not bound yet, or has given up.
        if (m_process.state() == QProcess::NotRunning || m_process.waitForFinished(50)) {
            *error = QStringLiteral("nginx exited (%1): %2%3")
                         .arg(m_process.exitCode())
                         .arg(QString::fromUtf8(m_process.readAll()), errorLog());
            return false;
        }
    }
    *error = QStringLiteral("nginx did not listen on port %1: %2").arg(m_port).arg(errorLog());
    return false;
}

QUrl NginxServer::url(const QString &path) const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2%3")
                    .arg(isTls() ? QStringLiteral("https") : QStringLiteral("http"))
                    .arg(m_port)
                    .arg(path));
}

QString NginxServer::caFile() const
{
    return isTls() ? QDir(m_folder.path()).filePath(QStringLiteral("ca.pem")) : QString();
}

QString NginxServer::modulePath(const QString &file)
{
    return QDir(QStringLiteral("/usr/lib/nginx/modules")).filePath(file);
}

void NginxServer::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

} // namespace streamscope
