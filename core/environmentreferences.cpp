// SPDX-License-Identifier: GPL-3.0-or-later
#include "environmentreferences.h"

#include <QString>

namespace streamscope {

namespace {

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

} // namespace

bool isEnvironmentNameChar(char c)
{
    return isNameStart(c) || (c >= '0' && c <= '9');
}

QList<EnvironmentPiece> splitEnvironmentReferences(const QByteArray &value)
{
    static constexpr QByteArrayView open("${env:");
    QList<EnvironmentPiece> pieces;
    QByteArray literal;
    qsizetype i = 0;
    while (i < value.size()) {
        if (QByteArrayView(value).sliced(i).startsWith(open)) {
            qsizetype end = i + open.size();
            if (end < value.size() && isNameStart(value.at(end))) {
                while (end < value.size() && isEnvironmentNameChar(value.at(end))) {
                    ++end;
                }
                if (end < value.size() && value.at(end) == '}') {
                    if (!literal.isEmpty()) {
                        pieces.append({literal, {}});
                        literal.clear();
                    }
                    pieces.append({{}, value.mid(i + open.size(), end - i - open.size())});
                    i = end + 1;
                    continue;
                }
            }
        }
        literal.append(value.at(i));
        ++i;
    }
    if (!literal.isEmpty()) {
        pieces.append({literal, {}});
    }
    return pieces;
}

QByteArray resolveEnvironmentReferences(const QByteArray &value, QStringList *missing)
{
    if (!value.contains("${env:")) {
        return value;
    }
    QByteArray out;
    for (const EnvironmentPiece &piece : splitEnvironmentReferences(value)) {
        if (piece.name.isEmpty()) {
            out += piece.text;
            continue;
        }
        const char *name = piece.name.constData();
        if (!qEnvironmentVariableIsSet(name)) {
            const QString text = QString::fromLatin1(piece.name);
            if (missing && !missing->contains(text)) {
                missing->append(text);
            }
            continue;
        }
        out += qEnvironmentVariable(name).toUtf8();
    }
    return out;
}

} // namespace streamscope
