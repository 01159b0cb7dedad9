// SPDX-License-Identifier: GPL-3.0-or-later
#include "json.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <charconv>
#include <cstring>

namespace streamscope::json {

namespace {

// Each Qt 6.4 QByteArray::append is an out-of-line insert(), which costs more than the few bytes
// a record's keys add: these grow the buffer once and copy through a pointer.
char *grow(QByteArray &out, qsizetype bytes)
{
    const qsizetype start = out.size();
    out.resize(start + bytes);
    return out.data() + start;
}

void appendRaw(QByteArray &out, const char *text, size_t size)
{
    std::memcpy(grow(out, qsizetype(size)), text, size);
}

void appendNumber(QByteArray &out, qint64 value)
{
    char digits[24];
    const char *end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    appendRaw(out, digits, size_t(end - digits));
}

} // namespace

void appendString(QByteArray &out, QByteArrayView utf8)
{
    static constexpr char hex[] = "0123456789abcdef";
    const auto *begin = reinterpret_cast<const unsigned char *>(utf8.data());
    const auto *end = begin + utf8.size();
    // First the exact size, so the output grows once and is written through a pointer:
    // QByteArray::append per piece costs more than the escaping itself.
    qsizetype extra = 0;
    const auto count = [&extra](unsigned char c) {
        if (c < 0x20) {
            const bool named = c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f';
            extra += named ? 1 : 5;
        } else if (c == '"' || c == '\\') {
            extra += 1;
        }
    };
    const unsigned char *p = begin;
    // Eight bytes at a time: a word with no byte below 0x20, no '"' and no '\\' (the usual
    // case) needs no look inside. has-zero-byte tests on w - 0x20 and on w xor each character.
    constexpr quint64 ones = 0x0101010101010101ULL;
    constexpr quint64 highs = 0x8080808080808080ULL;
    for (; end - p >= 8; p += 8) {
        quint64 w;
        std::memcpy(&w, p, 8);
        const quint64 quote = w ^ (ones * '"');
        const quint64 backslash = w ^ (ones * '\\');
        const quint64 special = ((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote)
            | ((backslash - ones) & ~backslash);
        if (special & highs) {
            for (int i = 0; i < 8; ++i) {
                count(p[i]);
            }
        }
    }
    for (; p < end; ++p) {
        count(*p);
    }
    const qsizetype start = out.size();
    out.resize(start + utf8.size() + extra + 2);
    char *o = out.data() + start;
    *o++ = '"';
    if (extra == 0) {
        if (!utf8.isEmpty()) {
            memcpy(o, begin, size_t(utf8.size()));
        }
        o += utf8.size();
    } else {
        for (const unsigned char *p = begin; p < end; ++p) {
            const unsigned char c = *p;
            if (c >= 0x20 && c != '"' && c != '\\') {
                *o++ = char(c);
                continue;
            }
            *o++ = '\\';
            switch (c) {
            case '"':
            case '\\':
                *o++ = char(c);
                break;
            case '\n':
                *o++ = 'n';
                break;
            case '\r':
                *o++ = 'r';
                break;
            case '\t':
                *o++ = 't';
                break;
            case '\b':
                *o++ = 'b';
                break;
            case '\f':
                *o++ = 'f';
                break;
            default:
                *o++ = 'u';
                *o++ = '0';
                *o++ = '0';
                *o++ = hex[c >> 4];
                *o++ = hex[c & 0xf];
            }
        }
    }
    *o = '"';
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

RecordBuilder::RecordBuilder(QByteArray &out, QByteArrayView kind, qint64 t, KindSpelling spelling)
    : m_out(out)
{
    if (spelling == KindSpelling::Word) {
        // Every record of the CLI goes this way: the kind and its punctuation in one grow.
        const qsizetype size = kind.size();
        char *o = grow(m_out, 9 + size + 6);
        std::memcpy(o, "{\"kind\":\"", 9);
        std::memcpy(o + 9, kind.data(), size_t(size));
        std::memcpy(o + 9 + size, "\",\"t\":", 6);
    } else {
        appendRaw(m_out, "{\"kind\":", 8);
        appendString(m_out, kind);
        appendRaw(m_out, ",\"t\":", 5);
    }
    appendNumber(m_out, t);
}

void RecordBuilder::end()
{
    appendRaw(m_out, "}\n", 2);
}

void RecordBuilder::appendKey(const char *key)
{
    const size_t keySize = std::strlen(key);
    char *o = grow(m_out, qsizetype(keySize + 4));
    o[0] = ',';
    o[1] = '"';
    std::memcpy(o + 2, key, keySize);
    o[keySize + 2] = '"';
    o[keySize + 3] = ':';
}

RecordBuilder &RecordBuilder::string(const char *key, QByteArrayView utf8)
{
    appendKey(key);
    appendString(m_out, utf8);
    return *this;
}

RecordBuilder &RecordBuilder::number(const char *key, qint64 value)
{
    appendKey(key);
    appendNumber(m_out, value);
    return *this;
}

RecordBuilder &RecordBuilder::boolean(const char *key, bool value)
{
    appendKey(key);
    appendRaw(m_out, value ? "true" : "false", value ? 4 : 5);
    return *this;
}

RecordBuilder &RecordBuilder::members(const QJsonObject &object)
{
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        value(it.key().toUtf8().constData(), it.value());
    }
    return *this;
}

RecordBuilder &RecordBuilder::value(const char *key, const QJsonValue &value)
{
    appendKey(key);
    // Wrapped in an array, as QJsonDocument writes only arrays and objects: "[v]" less brackets.
    const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    appendRaw(m_out, text.constData() + 1, size_t(text.size() - 2));
    return *this;
}

void appendEventRecord(QByteArray &out, const StreamEvent &event, QByteArrayView streamName)
{
    QByteArrayView kind;
    auto spelling = RecordBuilder::KindSpelling::Word;
    switch (event.kind) {
    case StreamEvent::Kind::Event:
        kind = "event";
        break;
    case StreamEvent::Kind::Message:
        kind = "message";
        break;
    case StreamEvent::Kind::Sent:
        kind = "sent";
        break;
    case StreamEvent::Kind::Lifecycle:
        kind = event.type.isEmpty() ? QByteArrayView("lifecycle") : QByteArrayView(event.type);
        spelling = RecordBuilder::KindSpelling::Text;
        break;
    }
    RecordBuilder record(out, kind, event.arrivalMs, spelling);
    record.string("stream", streamName);
    switch (event.kind) {
    case StreamEvent::Kind::Event:
        record.string("type", event.type)
            .string("data", event.data)
            .string("lastEventId", event.id);
        break;
    case StreamEvent::Kind::Message:
        record.string("data", event.binary ? event.data.toBase64() : event.data)
            .boolean("binary", event.binary);
        break;
    case StreamEvent::Kind::Sent:
        record.string("data", event.binary ? event.data.toBase64() : event.data);
        if (event.binary) {
            record.boolean("binary", true);
        }
        break;
    case StreamEvent::Kind::Lifecycle:
        // The dashboard keeps a lifecycle row's words, not the figures the CLI's record has.
        record.string("message", event.data);
        break;
    }
    record.end();
}

QByteArray eventRecord(const StreamEvent &event, QByteArrayView streamName)
{
    QByteArray out;
    appendEventRecord(out, event, streamName);
    out.chop(1);
    return out;
}

} // namespace streamscope::json
