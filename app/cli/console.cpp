// SPDX-License-Identifier: GPL-3.0-or-later
#include "console.h"

#include <QDateTime>

#include <cstdlib>

namespace streamscope::console {

QByteArray clockTime()
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
    const char text[12]
        = {char('0' + hours / 10), char('0' + hours % 10), ':', char('0' + minutes / 10),
            char('0' + minutes % 10), ':', char('0' + seconds / 10), char('0' + seconds % 10), '.',
            char('0' + millis / 100), char('0' + millis / 10 % 10), char('0' + millis % 10)};
    return QByteArray(text, 12);
}

void appendIndented(QByteArray &out, QByteArrayView text, int indent)
{
    static constexpr char hex[] = "0123456789abcdef";
    for (qsizetype i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            out.append('\n');
            out.append(QByteArray(indent, ' '));
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            continue;
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            const char escape[4] = {'\\', 'x', hex[c >> 4], hex[c & 0xf]};
            out.append(escape, 4);
        } else {
            out.append(char(c));
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
    out.append(palette.dim());
    out.append(clockTime());
    out.append(palette.reset());
}

void appendMessageLine(QByteArray &out, const Palette &palette, QByteArrayView label,
    QByteArrayView note, QByteArrayView data)
{
    appendStamp(out, palette);
    out.append(' ');
    out.append(palette.cyan());
    appendIndented(out, label, 4);
    out.append(palette.reset());
    if (!note.isEmpty()) {
        out.append(' ');
        out.append(palette.dim());
        out.append(note);
        out.append(palette.reset());
    }
    out.append(' ');
    appendIndented(out, data, 4);
    out.append('\n');
}

} // namespace streamscope::console
