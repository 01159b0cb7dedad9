// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QSslConfiguration>
#include <QSslError>
#include <QString>

namespace streamscope {

// TLS settings shared by the SSE and WebSocket clients: an extra CA file to trust beside the
// system's, and readable words for certificate errors.
namespace tls {

// The default configuration (system CAs) plus every PEM certificate in caCertificatesFile
// (none when empty). On an unreadable file or one without certificates, returns false and
// says why in *problem.
bool makeConfiguration(
    const QString &caCertificatesFile, QSslConfiguration *configuration, QString *problem);

// Certificate errors in words, naming the host, the certificate's subject and issuer, and its
// dates where they are the trouble, e.g. "certificate for 127.0.0.1 is not trusted (subject:
// CN=127.0.0.1; issuer: CN=127.0.0.1)". Errors that say the same are reported once.
QString describeErrors(const QList<QSslError> &errors, const QString &host);

} // namespace tls

} // namespace streamscope
