// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace streamscope::mqtt {

// The protocol level byte of CONNECT.
enum class Version : quint8 {
    V311 = 4,
    V5 = 5,
};

enum class PacketType : quint8 {
    Connect = 1,
    Connack = 2,
    Publish = 3,
    Puback = 4,
    Pubrec = 5,
    Pubrel = 6,
    Pubcomp = 7,
    Subscribe = 8,
    Suback = 9,
    Unsubscribe = 10,
    Unsuback = 11,
    Pingreq = 12,
    Pingresp = 13,
    Disconnect = 14,
    Auth = 15, // MQTT 5 only
};
// "CONNACK", "PUBLISH", ...
QString packetTypeName(PacketType type);

// The largest remaining length four varint bytes can say (section 1.5.5): 268,435,455.
constexpr quint32 MaxRemainingLength = 268435455;

// Remaining-length varint (1.5.5). encode: value at most MaxRemainingLength.
QByteArray encodeVarint(quint32 value);
enum class VarintResult {
    Complete,
    NeedMore,
    Malformed, // a fifth byte: continuation bit set on the fourth
};
// Reads a varint at the start of bytes; on Complete, *value and *length (1-4) are set.
VarintResult decodeVarint(QByteArrayView bytes, quint32 *value, int *length);

// The data representations (section 1.5) that packets and properties are written in, big-endian.
void appendU16(QByteArray &out, quint16 value);
void appendU32(QByteArray &out, quint32 value);
// A length-prefixed field (1.5.4 strings, 1.5.6 binary data); callers keep it to 65,535 bytes.
void appendBinary(QByteArray &out, QByteArrayView bytes);
void appendString(QByteArray &out, const QString &text);

// Reads the fields of one packet body (or of its properties) in order. The first failure sticks:
// later reads return zero or empty values, so a decoder reads on and checks failed() once.
class FieldReader final
{
    Q_DISABLE_COPY_MOVE(FieldReader)
public:
    explicit FieldReader(QByteArrayView bytes);

    bool failed() const { return !m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    qsizetype remaining() const { return m_bytes.size() - m_at; }
    bool atEnd() const { return m_at >= m_bytes.size(); }
    // Keeps the first message only.
    void fail(const QString &message);

    // what names the field in the failure ("packet ends inside its <what>").
    quint8 byte(const char *what);
    quint16 u16(const char *what);
    quint32 u32(const char *what);
    quint32 varint(const char *what);
    QByteArrayView bytes(qsizetype count, const char *what);
    QByteArray binary(const char *what);
    // 1.5.4: well-formed UTF-8 without U+0000.
    QString string(const char *what);
    // All that is left; the reader is at its end after.
    QByteArrayView rest();

private:
    bool need(qsizetype count, const char *what);

    QByteArrayView m_bytes;
    qsizetype m_at = 0;
    QString m_error;
};

} // namespace streamscope::mqtt
