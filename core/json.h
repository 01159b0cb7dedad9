// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamevent.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <cstring>

namespace streamscope::json {

// Appends utf8 as a JSON string literal: quotes, backslashes and control characters escaped.
// The bytes must already be valid UTF-8; they are copied as they are otherwise.
void appendString(QByteArray &out, QByteArrayView utf8);

// A value's JSON type as a reader would say it ("a string", "an array", "null"), for messages
// that name what a file held instead of what was expected.
QString typeName(const QJsonValue &value);

// Appends one NDJSON record to out: {"kind":K,"t":T, then each member in the order given, and
// end() closes it with "}\n". The one layout of streamscope-cli's --json output and of the
// dashboard's NDJSON export. Keys are written as given: plain ASCII names.
//   json::RecordBuilder(out, "open", t).number("status", 200).end();
class RecordBuilder
{
public:
    enum class KindSpelling {
        Word, // a fixed name ("open", "event"): written as it is
        Text, // from the data (an exported lifecycle row's type): escaped
    };
    RecordBuilder(
        QByteArray &out, QByteArrayView kind, qint64 t, KindSpelling spelling = KindSpelling::Word);
    // Takes back what end() did not use, when end() was not called.
    ~RecordBuilder();
    RecordBuilder(const RecordBuilder &) = delete;
    RecordBuilder &operator=(const RecordBuilder &) = delete;

    RecordBuilder &string(const char *key, QByteArrayView utf8);
    RecordBuilder &text(const char *key, const QString &value)
    {
        return string(key, QByteArrayView(value.toUtf8()));
    }
    RecordBuilder &number(const char *key, qint64 value);
    RecordBuilder &boolean(const char *key, bool value);
    // Each member of object, compact JSON, as keys of this record.
    RecordBuilder &members(const QJsonObject &object);
    RecordBuilder &value(const char *key, const QJsonValue &value);
    void end();

private:
    // Room for bytes more at m_at: out grows ahead of the record (so a record of a few members
    // grows it once), and end() takes back what was not used. Each Qt 6.4 QByteArray::append or
    // resize is an out-of-line call that costs more than the bytes a member adds.
    char *reserve(qsizetype bytes)
    {
        if (m_out.size() - m_at < bytes) {
            growBy(bytes);
        }
        return m_out.data() + m_at;
    }
    void growBy(qsizetype bytes);
    void appendRaw(const char *text, size_t size)
    {
        std::memcpy(reserve(qsizetype(size)), text, size);
        m_at += qsizetype(size);
    }
    void appendKey(const char *key);
    void finish(); // out ends where the record does

    QByteArray &m_out;
    qsizetype m_at; // where the record's next byte goes in m_out
    bool m_finished = false;
};

// Appends the NDJSON record `streamscope-cli --json` prints for event, newline included, with
// "t" the arrival time in ms since the epoch and "stream" the stream's name:
//   {"kind":"event","t":T,"stream":S,"type":..,"data":..,"lastEventId":..}
//   {"kind":"message","t":T,"stream":S,"data":D,"binary":B}    binary data in base64
//   {"kind":"sent","t":T,"stream":S,"data":D}                  "binary":true when binary
//   {"kind":K,"t":T,"stream":S,"message":M}                    lifecycle: K is event.type
void appendEventRecord(QByteArray &out, const StreamEvent &event, QByteArrayView streamName);
// The same record without the newline.
QByteArray eventRecord(const StreamEvent &event, QByteArrayView streamName);

} // namespace streamscope::json
