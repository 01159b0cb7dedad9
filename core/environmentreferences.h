// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace streamscope {

// A header value may name a secret as ${env:NAME}: the workspace and the copied command keep
// the reference, and only the request gets the variable's value.

// One piece of a value: literal text, or an ${env:NAME} reference (name set).
struct EnvironmentPiece
{
    QByteArray text;
    QByteArray name;
};

// Splits at ${env:NAME}; anything that is not a well-formed reference stays literal.
QList<EnvironmentPiece> splitEnvironmentReferences(const QByteArray &value);
// Letters, digits and '_': what a NAME holds (it starts with a letter or '_').
bool isEnvironmentNameChar(char c);
// Replaces each ${env:NAME} in value with the variable's value; unset names go to *missing.
QByteArray resolveEnvironmentReferences(const QByteArray &value, QStringList *missing);

} // namespace streamscope
