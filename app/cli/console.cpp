// SPDX-License-Identifier: GPL-3.0-or-later
#include "console.h"

#include <QDateTime>

#include <bit>
#include <cstdlib>
#include <cstring>

namespace streamscope::console {

namespace {

constexpr quint64 s_ones = 0x0101010101010101ULL;
constexpr quint64 s_highs = 0x8080808080808080ULL;

// What appendIndented changes: control characters but the tab, and DEL.
constexpr bool isSpecial(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

// How many of the eight bytes at p come before the first that may be special (a tab counts: the
// byte-wise test sorts it out); 8: none. A byte below 0x20 or equal to 0x7f, by the has-less and
// has-zero bit tests, whose lowest flagged byte is exact.
int plainPrefix(const char *p)
{
    quint64 w;
    std::memcpy(&w, p, 8);
    const quint64 del = w ^ (s_ones * 0x7f);
    const quint64 flagged = (((w - s_ones * 0x20) & ~w) | ((del - s_ones) & ~del)) & s_highs;
    return flagged == 0 ? 8 : std::countr_zero(flagged) / 8;
}

// The size text takes once indented: what appendIndented grows its output by. -1: text stays as
// it is (the same size is not enough to tell: "\r\n" with an indent of one).
qsizetype indentedSize(QByteArrayView text, int indent)
{
    const char *p = text.data();
    const char *end = p + text.size();
    qsizetype size = text.size();
    bool changed = false;
    while (p < end) {
        if (end - p >= 8) {
            const int plain = plainPrefix(p);
            p += plain;
            if (plain == 8) {
                continue;
            }
        }
        const auto c = static_cast<unsigned char>(*p++);
        if (!isSpecial(c)) {
            continue;
        }
        changed = true;
        if (c == '\n') {
            size += indent;
        } else if (c == '\r' && p < end && *p == '\n') {
            size -= 1;
        } else {
            size += 3;
        }
    }
    return changed ? size : -1;
}

} // namespace

void appendClockTime(QByteArray &out)
{
    // QTime::currentTime() asks the C library for local time, which stats /etc/localtime on
    // every call: the offset is looked up once a minute instead, and the digits done by hand.
    static qint64 s_offsetValidUntil = 0;
    static qint64 s_offsetMs = 0;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now >= s_offsetValidUntil) {
        s_offsetMs = qint64(QDateTime::currentDateTime().offsetFromUtc()) * 1000;
        s_offsetValidUntil = now + 60 * 1000;
    }
    const qint64 day = 24 * 3600 * 1000;
    const qint64 ms = ((now + s_offsetMs) % day + day) % day;
    const int hours = int(ms / 3600000);
    const int minutes = int(ms / 60000 % 60);
    const int seconds = int(ms / 1000 % 60);
    const int millis = int(ms % 1000);
    const qsizetype start = out.size();
    out.resize(start + 12);
    char *o = out.data() + start;
    const char text[12]
        = {char('0' + hours / 10), char('0' + hours % 10), ':', char('0' + minutes / 10),
            char('0' + minutes % 10), ':', char('0' + seconds / 10), char('0' + seconds % 10), '.',
            char('0' + millis / 100), char('0' + millis / 10 % 10), char('0' + millis % 10)};
    std::memcpy(o, text, 12);
}

void appendIndented(QByteArray &out, QByteArrayView text, int indent)
{
    // Sized first, then written through a pointer: a QByteArray::append per byte cost more than
    // all the rest of a readable line (callgrind, docs/PERFORMANCE.md).
    const qsizetype size = indentedSize(text, indent);
    if (size < 0) {
        out.append(text); // nothing to change: one copy
        return;
    }
    static constexpr char hex[] = "0123456789abcdef";
    const qsizetype start = out.size();
    out.resize(start + size);
    char *o = out.data() + start;
    const char *p = text.data();
    const char *end = p + text.size();
    while (p < end) {
        if (end - p >= 8) {
            const int plain = plainPrefix(p);
            std::memcpy(o, p, size_t(plain));
            o += plain;
            p += plain;
            if (plain == 8) {
                continue;
            }
        }
        const auto c = static_cast<unsigned char>(*p++);
        if (c == '\n') {
            *o++ = '\n';
            std::memset(o, ' ', size_t(indent));
            o += indent;
        } else if (c == '\r' && p < end && *p == '\n') {
            // the line feed that follows breaks the line
        } else if (isSpecial(c)) {
            *o++ = '\\';
            *o++ = 'x';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 0xf];
        } else {
            *o++ = char(c);
        }
    }
}

QByteArray duration(qint64 ms)
{
    if (ms < 1000) {
        return QByteArray::number(ms) + " ms";
    }
    return QByteArray::number(double(ms) / 1000.0, 'f', 1) + " s";
}

QByteArray errorLine(const QString &message, int status)
{
    QByteArray line = "error: " + message.toUtf8();
    const QByteArray statusWords = "HTTP " + QByteArray::number(status);
    if (status > 0 && !line.contains(statusWords)) { // "HTTP 401: ..." says it already
        line += " (" + statusWords + ")";
    }
    return line;
}

Palette::Palette(bool terminal)
{
    static const bool s_noColor = std::getenv("NO_COLOR") != nullptr;
    m_enabled = terminal && !s_noColor;
}

void appendStamp(QByteArray &out, const Palette &palette)
{
    appendCode(out, palette.dim());
    appendClockTime(out);
    appendCode(out, palette.reset());
}

void appendMessageLine(QByteArray &out, const Palette &palette, QByteArrayView label,
    QByteArrayView note, QByteArrayView data)
{
    appendStamp(out, palette);
    out.append(' ');
    appendCode(out, palette.cyan());
    appendIndented(out, label, 4);
    appendCode(out, palette.reset());
    if (!note.isEmpty()) {
        out.append(' ');
        appendCode(out, palette.dim());
        out.append(note);
        appendCode(out, palette.reset());
    }
    out.append(' ');
    appendIndented(out, data, 4);
    out.append('\n');
}

} // namespace streamscope::console
