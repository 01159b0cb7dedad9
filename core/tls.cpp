// SPDX-License-Identifier: GPL-3.0-or-later
#include "tls.h"

#include <QFile>
#include <QFileInfo>
#include <QSslCertificate>
#include <QStringList>

namespace streamscope::tls {

namespace {

// Sanity bound on a CA bundle; the system's is about 200 KiB.
constexpr qint64 s_maxCaFileBytes = 16 * 1024 * 1024;

QString names(const QSslCertificate &certificate, bool issuer)
{
    const QString text
        = issuer ? certificate.issuerDisplayName() : certificate.subjectDisplayName();
    return text.isEmpty() ? QStringLiteral("(none)") : text;
}

QString whoIs(const QSslCertificate &certificate)
{
    if (certificate.isNull()) {
        return {};
    }
    return QStringLiteral(" (subject: %1; issuer: %2)")
        .arg(names(certificate, false), names(certificate, true));
}

// The names a certificate is valid for: its subject alternative names, else its common name.
QString namesFor(const QSslCertificate &certificate)
{
    QStringList list;
    const auto alternatives = certificate.subjectAlternativeNames();
    for (auto it = alternatives.cbegin(); it != alternatives.cend(); ++it) {
        if (it.key() == QSsl::DnsEntry || it.key() == QSsl::IpAddressEntry) {
            list.append(it.value());
        }
    }
    if (list.isEmpty()) {
        list = certificate.subjectInfo(QSslCertificate::CommonName);
    }
    return list.isEmpty() ? QStringLiteral("no host name") : list.join(QStringLiteral(", "));
}

QString dateText(const QDateTime &when)
{
    return when.toUTC().toString(Qt::ISODate);
}

QString describe(const QSslError &error, const QString &host)
{
    const QSslCertificate certificate = error.certificate();
    switch (error.error()) {
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::CertificateUntrusted:
    case QSslError::CertificateRejected:
        return QStringLiteral("certificate for %1 is not trusted%2 (%3)")
            .arg(host, whoIs(certificate), error.errorString());
    case QSslError::HostNameMismatch:
        return QStringLiteral("host name mismatch: certificate is for %1, not %2%3")
            .arg(namesFor(certificate), host, whoIs(certificate));
    case QSslError::CertificateExpired:
        return QStringLiteral("certificate for %1 expired on %2%3")
            .arg(host, dateText(certificate.expiryDate()), whoIs(certificate));
    case QSslError::CertificateNotYetValid:
        return QStringLiteral("certificate for %1 is not valid before %2%3")
            .arg(host, dateText(certificate.effectiveDate()), whoIs(certificate));
    default:
        return QStringLiteral("certificate error for %1: %2%3")
            .arg(host, error.errorString(), whoIs(certificate));
    }
}

} // namespace

bool makeConfiguration(
    const QString &caCertificatesFile, QSslConfiguration *configuration, QString *problem)
{
    *configuration = QSslConfiguration::defaultConfiguration();
    if (caCertificatesFile.isEmpty()) {
        return true;
    }
    QFile file(caCertificatesFile);
    if (!file.open(QIODevice::ReadOnly)) {
        *problem = QStringLiteral("CA certificates file \"%1\": %2")
                       .arg(caCertificatesFile, file.errorString());
        return false;
    }
    if (file.size() > s_maxCaFileBytes) {
        *problem = QStringLiteral("CA certificates file \"%1\" is larger than 16 MiB")
                       .arg(caCertificatesFile);
        return false;
    }
    const QList<QSslCertificate> certificates
        = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (certificates.isEmpty()) {
        *problem = QStringLiteral("CA certificates file \"%1\" holds no PEM certificate")
                       .arg(caCertificatesFile);
        return false;
    }
    configuration->addCaCertificates(certificates);
    return true;
}

QString describeErrors(const QList<QSslError> &errors, const QString &host)
{
    QStringList parts;
    for (const QSslError &error : errors) {
        const QString text = describe(error, host);
        if (!parts.contains(text)) {
            parts.append(text);
        }
    }
    if (parts.isEmpty()) {
        return QStringLiteral("TLS handshake with %1 failed").arg(host);
    }
    return parts.join(QStringLiteral("; "));
}

} // namespace streamscope::tls
