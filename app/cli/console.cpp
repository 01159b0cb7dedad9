#include "console.h"

#include <QTime>

#include <cstdlib>

namespace streamscope::console {

QByteArray clockTime()
{
    return QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz")).toLatin1();
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

Palette::Palette(bool terminal)
    : m_enabled(terminal && std::getenv("NO_COLOR") == nullptr)
{
}

} // namespace streamscope::console
