// SPDX-License-Identifier: GPL-3.0-or-later
#include "mqttwire.h"

namespace streamscope::mqtt {

QByteArray encodeVarint(quint32 value)
{
    QByteArray out;
    do {
        quint8 digit = value % 128;
        value /= 128;
        if (value > 0) {
            digit |= 0x80;
        }
        out.append(char(digit));
    } while (value > 0 && out.size() < 4);
    return out;
}

VarintResult decodeVarint(QByteArrayView bytes, quint32 *value, int *length)
{
    quint32 result = 0;
    for (int i = 0; i < 4; ++i) {
        if (i >= bytes.size()) {
            return VarintResult::NeedMore;
        }
        const quint8 digit = quint8(bytes.at(i));
        result |= quint32(digit & 0x7F) << (7 * i);
        if ((digit & 0x80) == 0) {
            *value = result;
            *length = i + 1;
            return VarintResult::Complete;
        }
    }
    return VarintResult::Malformed;
}

QString packetTypeName(PacketType type)
{
    static const char *const names[] = {"reserved type 0", "CONNECT", "CONNACK", "PUBLISH",
        "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK",
        "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"};
    return QLatin1String(names[quint8(type) & 0x0F]);
}

void appendU16(QByteArray &out, quint16 value)
{
    out.append(char(value >> 8)).append(char(value & 0xFF));
}

void appendU32(QByteArray &out, quint32 value)
{
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.append(char((value >> shift) & 0xFF));
    }
}

void appendBinary(QByteArray &out, QByteArrayView bytes)
{
    appendU16(out, quint16(bytes.size()));
    out.append(bytes);
}

void appendString(QByteArray &out, const QString &text)
{
    appendBinary(out, text.toUtf8());
}

FieldReader::FieldReader(QByteArrayView bytes)
    : m_bytes(bytes)
{
}

void FieldReader::fail(const QString &message)
{
    if (m_error.isEmpty()) {
        m_error = message;
    }
}

bool FieldReader::need(qsizetype count, const char *what)
{
    if (failed()) {
        return false;
    }
    if (remaining() < count) {
        fail(QStringLiteral("packet ends inside its %1").arg(QLatin1String(what)));
        return false;
    }
    return true;
}

quint8 FieldReader::byte(const char *what)
{
    if (!need(1, what)) {
        return 0;
    }
    return quint8(m_bytes.at(m_at++));
}

quint16 FieldReader::u16(const char *what)
{
    if (!need(2, what)) {
        return 0;
    }
    const quint16 value = quint16((quint8(m_bytes.at(m_at)) << 8) | quint8(m_bytes.at(m_at + 1)));
    m_at += 2;
    return value;
}

quint32 FieldReader::u32(const char *what)
{
    if (!need(4, what)) {
        return 0;
    }
    quint32 value = 0;
    for (int i = 0; i < 4; ++i) {
        value = (value << 8) | quint8(m_bytes.at(m_at + i));
    }
    m_at += 4;
    return value;
}

quint32 FieldReader::varint(const char *what)
{
    if (failed()) {
        return 0;
    }
    quint32 value = 0;
    int length = 0;
    switch (decodeVarint(m_bytes.sliced(m_at), &value, &length)) {
    case VarintResult::Complete:
        m_at += length;
        return value;
    case VarintResult::NeedMore:
        fail(QStringLiteral("packet ends inside its %1").arg(QLatin1String(what)));
        return 0;
    case VarintResult::Malformed:
        fail(QStringLiteral("malformed variable byte integer in its %1 (a fifth byte)")
                 .arg(QLatin1String(what)));
        return 0;
    }
    return 0;
}

QByteArrayView FieldReader::bytes(qsizetype count, const char *what)
{
    if (!need(count, what)) {
        return {};
    }
    const QByteArrayView out = m_bytes.sliced(m_at, count);
    m_at += count;
    return out;
}

QByteArray FieldReader::binary(const char *what)
{
    const quint16 length = u16(what);
    return bytes(length, what).toByteArray();
}

QString FieldReader::string(const char *what)
{
    const quint16 length = u16(what);
    const QByteArrayView utf8 = bytes(length, what);
    if (failed()) {
        return {};
    }
    if (!utf8.isValidUtf8() || utf8.contains('\0')) {
        fail(QStringLiteral("%1 is not valid UTF-8 (or contains U+0000)").arg(QLatin1String(what)));
        return {};
    }
    return QString::fromUtf8(utf8);
}

QByteArrayView FieldReader::rest()
{
    const QByteArrayView out = m_bytes.sliced(m_at);
    m_at = m_bytes.size();
    return out;
}

} // namespace streamscope::mqtt
