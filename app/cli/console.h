// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace streamscope::console {

// Local wall-clock time as HH:MM:SS.mmm, the stamp on every readable line.
void appendClockTime(QByteArray &out);

// Appends text for a terminal: other control characters escaped (\xNN) so a stream cannot
// drive the terminal; each line break starts a new line indented by indent spaces, so one
// multi-line event stays one recognisable block.
void appendIndented(QByteArray &out, QByteArrayView text, int indent);

// A delay for people: "250 ms", "1.2 s".
QByteArray duration(qint64 ms);

// The readable words of an error: "error: MESSAGE (HTTP 404)", the status named once.
QByteArray errorLine(const QString &message, int status);

// ANSI colours, only for terminals and when NO_COLOR is unset.
class Palette
{
public:
    explicit Palette(bool terminal);
    const char *dim() const { return pick("\033[2m"); }
    const char *bold() const { return pick("\033[1m"); }
    const char *red() const { return pick("\033[31m"); }
    const char *green() const { return pick("\033[32m"); }
    const char *yellow() const { return pick("\033[33m"); }
    const char *cyan() const { return pick("\033[36m"); }
    const char *reset() const { return pick("\033[0m"); }

private:
    const char *pick(const char *code) const { return m_enabled ? code : ""; }
    bool m_enabled;
};

// A Palette code; none when colours are off, which costs nothing then.
inline void appendCode(QByteArray &out, const char *code)
{
    if (*code != '\0') {
        out.append(code);
    }
}

// The clock time, dimmed, that starts every readable line (no space after it).
void appendStamp(QByteArray &out, const Palette &palette);

// The readable line of one message (ws, socketio, mqtt): the stamp, what it is in cyan, an
// optional dimmed note ("(retained)", "binary 12 B"), then the payload indented. The label
// is escaped like the payload: both come from the server.
void appendMessageLine(QByteArray &out, const Palette &palette, QByteArrayView label,
    QByteArrayView note, QByteArrayView data);

} // namespace streamscope::console
