// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace streamscope::utf8 {

// Appends bytes to out as valid UTF-8: each maximal invalid subsequence becomes U+FFFD, exactly
// as the WHATWG Encoding Standard's UTF-8 decoder replaces it. ASCII takes a fast path.
void appendSanitized(QByteArray &out, QByteArrayView bytes);

// Length of the leading run of ASCII bytes.
qsizetype asciiPrefixLength(QByteArrayView bytes);

// Replaces out's content with the sanitized bytes, reusing its allocation when it can.
void assignSanitized(QByteArray &out, QByteArrayView bytes);

// The same, returned as a new array; shares nothing with the input.
QByteArray sanitized(QByteArrayView bytes);

} // namespace streamscope::utf8
