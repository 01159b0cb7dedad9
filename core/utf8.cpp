// SPDX-License-Identifier: GPL-3.0-or-later
#include "utf8.h"

#include <cstring>

namespace streamscope::utf8 {

namespace {

constexpr char s_replacement[] = "\xEF\xBF\xBD";

// Length of the leading ASCII run, eight bytes at a time.
qsizetype asciiPrefix(const char *p, qsizetype n)
{
    qsizetype i = 0;
    for (; i + 8 <= n; i += 8) {
        quint64 word;
        std::memcpy(&word, p + i, 8);
        if (word & 0x8080808080808080ULL) {
            break;
        }
    }
    while (i < n && static_cast<unsigned char>(p[i]) < 0x80) {
        ++i;
    }
    return i;
}

// QByteArray::append goes through the general insert(); this is the plain end-append.
void appendRaw(QByteArray &out, const char *p, qsizetype n)
{
    if (n == 0) {
        return;
    }
    const qsizetype old = out.size();
    out.resize(old + n);
    std::memcpy(out.data() + old, p, size_t(n));
}

// Decodes from i, appending valid sequences and U+FFFD per error (WHATWG "UTF-8 decoder").
void appendDecoded(QByteArray &out, const char *p, qsizetype i, qsizetype n)
{
    while (i < n) {
        const qsizetype ascii = asciiPrefix(p + i, n - i);
        appendRaw(out, p + i, ascii);
        i += ascii;
        if (i >= n) {
            return;
        }
        const auto lead = static_cast<unsigned char>(p[i]);
        int needed = 0;
        unsigned char lower = 0x80;
        unsigned char upper = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            needed = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            needed = 2;
            lower = lead == 0xE0 ? 0xA0 : 0x80;
            upper = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            needed = 3;
            lower = lead == 0xF0 ? 0x90 : 0x80;
            upper = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            appendRaw(out, s_replacement, 3);
            ++i;
            continue;
        }
        qsizetype j = i + 1;
        int seen = 0;
        while (seen < needed && j < n) {
            const auto byte = static_cast<unsigned char>(p[j]);
            if (byte < lower || byte > upper) {
                break;
            }
            lower = 0x80;
            upper = 0xBF;
            ++seen;
            ++j;
        }
        if (seen == needed) {
            appendRaw(out, p + i, j - i);
        } else {
            // The offending byte (if any) is decoded afresh on the next turn.
            appendRaw(out, s_replacement, 3);
        }
        i = j;
    }
}

} // namespace

void appendSanitized(QByteArray &out, QByteArrayView bytes)
{
    const char *p = bytes.data();
    const qsizetype n = bytes.size();
    const qsizetype ascii = asciiPrefix(p, n);
    appendRaw(out, p, ascii);
    if (ascii == n) {
        return;
    }
    appendDecoded(out, p, ascii, n);
}

qsizetype asciiPrefixLength(QByteArrayView bytes)
{
    return asciiPrefix(bytes.data(), bytes.size());
}

void assignSanitized(QByteArray &out, QByteArrayView bytes)
{
    const qsizetype n = bytes.size();
    if (asciiPrefix(bytes.data(), n) == n) {
        out.resize(n);
        if (n > 0) { // an empty view's data may be null: memcpy's arguments must not be
            std::memcpy(out.data(), bytes.data(), size_t(n));
        }
        return;
    }
    out.resize(0);
    appendSanitized(out, bytes);
}

QByteArray sanitized(QByteArrayView bytes)
{
    QByteArray out;
    out.reserve(bytes.size());
    appendSanitized(out, bytes);
    return out;
}

} // namespace streamscope::utf8
