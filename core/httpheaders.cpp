// SPDX-License-Identifier: GPL-3.0-or-later
#include "httpheaders.h"

#include "environmentreferences.h"
#include "httptoken.h"

#include <algorithm>

namespace streamscope {

bool hasLineBreakOrNul(QByteArrayView text)
{
    return text.contains('\r') || text.contains('\n') || text.contains('\0');
}

bool parseHeaderLine(const QString &line, QPair<QByteArray, QByteArray> *header, QString *error)
{
    const QByteArray text = line.toUtf8();
    const qsizetype colon = text.indexOf(':');
    QString problem;
    const QByteArray name = text.left(std::max<qsizetype>(colon, 0)).trimmed();
    const QByteArray value = text.mid(colon + 1).trimmed();
    if (colon < 0) {
        problem = QStringLiteral("\"%1\" is not of the form \"Name: value\"").arg(line);
    } else if (name.isEmpty()) {
        problem = QStringLiteral("\"%1\" has no name before the colon").arg(line);
    } else if (!http::isToken(name)) {
        problem = QStringLiteral("\"%1\": the name may hold only letters, digits and "
                                 "!#$%&'*+-.^_`|~")
                      .arg(line);
    } else if (hasLineBreakOrNul(value)) {
        problem = QStringLiteral("\"%1\": the value contains a line break").arg(line.simplified());
    }
    if (!problem.isEmpty()) {
        if (error) {
            *error = problem;
        }
        return false;
    }
    if (header) {
        *header = {name, value};
    }
    return true;
}

QString headerLine(const QPair<QByteArray, QByteArray> &header)
{
    return QString::fromUtf8(header.first + ": " + header.second);
}

bool isSecretHeader(QByteArrayView name)
{
    const QByteArrayView trimmed = name.trimmed();
    for (const char *secret : {"authorization", "proxy-authorization", "cookie", "set-cookie",
             "x-api-key", "anthropic-api-key"}) {
        if (trimmed.compare(secret, Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return false;
}

QString maskedHeaderValue(QByteArrayView name, const QByteArray &value)
{
    if (!isSecretHeader(name)) {
        return QString::fromUtf8(value);
    }
    static const QString mask(3, QChar(0x2022)); // •••
    QString out;
    QByteArray secret = value;
    // RFC 9110 11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]. The scheme
    // tells what kind of credential it is, which helps and gives nothing away. Only the
    // Authorization headers have one: a cookie or an API key is secret through and through.
    const QByteArrayView trimmed = name.trimmed();
    if (trimmed.compare("authorization", Qt::CaseInsensitive) == 0
        || trimmed.compare("proxy-authorization", Qt::CaseInsensitive) == 0) {
        const qsizetype space = value.indexOf(' ');
        if (space > 0 && http::isToken(QByteArrayView(value).first(space))) {
            out = QString::fromUtf8(value.first(space + 1));
            secret = value.sliced(space + 1);
        }
    }
    for (const EnvironmentPiece &piece : splitEnvironmentReferences(secret)) {
        if (!piece.name.isEmpty()) {
            out += QStringLiteral("${env:%1}").arg(QString::fromLatin1(piece.name));
        } else if (piece.text.trimmed().isEmpty()) {
            out += QString::fromUtf8(piece.text); // the spaces between references
        } else {
            out += mask;
        }
    }
    return out;
}

} // namespace streamscope
