// SPDX-License-Identifier: GPL-3.0-or-later
#include "json.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <array>
#include <bit>
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

constexpr quint64 s_ones = 0x0101010101010101ULL;
constexpr quint64 s_highs = 0x8080808080808080ULL;

// The bytes of the eight at p that JSON may escape (below 0x20, '"' or '\\') flagged in their high
// bits, and how many come before the first (plainPrefix; 8: none). The has-less and has-zero bit
// tests on w - 0x20 and on w xor each character: their lowest flag is exact (a borrow only flags
// bytes above a true one).
[[gnu::always_inline]] inline quint64 flaggedBytes(const unsigned char *p)
{
    quint64 w;
    std::memcpy(&w, p, 8);
    const quint64 quote = w ^ (s_ones * '"');
    const quint64 backslash = w ^ (s_ones * '\\');
    return (((w - s_ones * 0x20) & ~w) | ((quote - s_ones) & ~quote)
               | ((backslash - s_ones) & ~backslash))
        & s_highs;
}

[[gnu::always_inline]] inline int plainPrefix(const unsigned char *p)
{
    const quint64 flagged = flaggedBytes(p);
    return flagged == 0 ? 8 : std::countr_zero(flagged) / 8;
}

// What follows the backslash of each byte's escape; 0: the byte goes as it is; 'u': \u00XX.
constexpr auto s_escapes = [] {
    std::array<char, 256> table{};
    for (int c = 0; c < 0x20; ++c) {
        table[size_t(c)] = 'u';
    }
    table['\n'] = 'n';
    table['\r'] = 'r';
    table['\t'] = 't';
    table['\b'] = 'b';
    table['\f'] = 'f';
    table['"'] = '"';
    table['\\'] = '\\';
    return table;
}();

// The most bytes writeString() writes for utf8: every byte as \u00XX, and the quotes.
constexpr qsizetype mostEscaped(qsizetype size)
{
    return 6 * size + 2;
}

// Writes utf8 as a JSON string literal at o, with room for mostEscaped(); returns its end.
char *escapeString(char *o, QByteArrayView utf8)
{
    static constexpr char hex[] = "0123456789abcdef";
    const auto *p = reinterpret_cast<const unsigned char *>(utf8.data());
    const auto *end = p + utf8.size();
    *o++ = '"';
    while (p < end) {
        if (end - p >= 8) {
            // Eight bytes copied at once, of which those before the first to escape count: o
            // has room for six bytes each.
            const int plain = plainPrefix(p);
            std::memcpy(o, p, 8);
            o += plain;
            p += plain;
            if (plain == 8) {
                continue;
            }
        }
        const unsigned char c = *p++;
        const char escape = s_escapes[c];
        if (escape == 0) {
            *o++ = char(c);
        } else if (escape != 'u') {
            *o++ = '\\';
            *o++ = escape;
        } else {
            std::memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 0xf];
            o += 6;
        }
    }
    *o++ = '"';
    return o;
}

// Past this a string is measured first, so that a 16 MiB line does not ask for six times that.
constexpr qsizetype s_measureAbove = 4096;

// The exact size writeString() writes for utf8.
qsizetype escapedSize(QByteArrayView utf8)
{
    const auto *p = reinterpret_cast<const unsigned char *>(utf8.data());
    const auto *end = p + utf8.size();
    qsizetype size = utf8.size() + 2;
    while (p < end) {
        // Sixteen clean bytes at a time: the whole of most large payloads.
        while (end - p >= 16 && (flaggedBytes(p) | flaggedBytes(p + 8)) == 0) {
            p += 16;
        }
        if (p == end) {
            break;
        }
        if (end - p >= 8) {
            const int plain = plainPrefix(p);
            p += plain;
            if (plain == 8) {
                continue;
            }
        }
        const char escape = s_escapes[*p++];
        size += escape == 0 ? 0 : (escape == 'u' ? 5 : 1);
    }
    return size;
}

// How a string is written: a short one gets room for the worst and one pass; a long one is
// measured first, so that a 16 MiB line does not ask for six times that, and is copied whole
// when nothing in it needs escaping (the usual large payload).
struct StringPlan
{
    qsizetype room;
    bool copyWhole;
};

StringPlan planString(QByteArrayView utf8)
{
    if (utf8.size() <= s_measureAbove) {
        return {mostEscaped(utf8.size()), false};
    }
    const qsizetype exact = escapedSize(utf8);
    return {exact, exact == utf8.size() + 2};
}

// Writes utf8 as a JSON string literal at o, with plan.room; returns its end.
char *writeString(char *o, QByteArrayView utf8, const StringPlan &plan)
{
    if (!plan.copyWhole) {
        return escapeString(o, utf8);
    }
    *o++ = '"';
    std::memcpy(o, utf8.data(), size_t(utf8.size()));
    o += utf8.size();
    *o++ = '"';
    return o;
}

// Room for the record's header, a few keys and small values without growing again.
constexpr qsizetype s_recordSlack = 256;

} // namespace

void appendString(QByteArray &out, QByteArrayView utf8)
{
    const StringPlan plan = planString(utf8);
    char *begin = grow(out, plan.room);
    out.resize(writeString(begin, utf8, plan) - out.constData());
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
    , m_at(out.size())
{
    if (spelling == KindSpelling::Word) {
        // Every record of the CLI goes this way: the kind written as it is.
        appendRaw("{\"kind\":\"", 9);
        appendRaw(kind.data(), size_t(kind.size()));
        appendRaw("\",\"t\":", 6);
    } else {
        appendRaw("{\"kind\":", 8);
        const StringPlan plan = planString(kind);
        char *o = reserve(plan.room);
        m_at = writeString(o, kind, plan) - m_out.constData();
        appendRaw(",\"t\":", 5);
    }
    char *o = reserve(24);
    m_at = std::to_chars(o, o + 24, t).ptr - m_out.constData();
}

RecordBuilder::~RecordBuilder()
{
    finish();
}

void RecordBuilder::growBy(qsizetype bytes)
{
    m_out.resize(m_at + bytes + s_recordSlack);
}

void RecordBuilder::finish()
{
    if (!m_finished) {
        m_finished = true;
        m_out.resize(m_at);
    }
}

void RecordBuilder::end()
{
    appendRaw("}\n", 2);
    finish();
}

void RecordBuilder::appendKey(const char *key)
{
    const size_t keySize = std::strlen(key);
    char *o = reserve(qsizetype(keySize + 4));
    o[0] = ',';
    o[1] = '"';
    std::memcpy(o + 2, key, keySize);
    o[keySize + 2] = '"';
    o[keySize + 3] = ':';
    m_at += qsizetype(keySize + 4);
}

RecordBuilder &RecordBuilder::string(const char *key, QByteArrayView utf8)
{
    appendKey(key);
    const StringPlan plan = planString(utf8);
    char *o = reserve(plan.room);
    m_at = writeString(o, utf8, plan) - m_out.constData();
    return *this;
}

RecordBuilder &RecordBuilder::number(const char *key, qint64 value)
{
    appendKey(key);
    char *o = reserve(24);
    m_at = std::to_chars(o, o + 24, value).ptr - m_out.constData();
    return *this;
}

RecordBuilder &RecordBuilder::boolean(const char *key, bool value)
{
    appendKey(key);
    appendRaw(value ? "true" : "false", value ? 4 : 5);
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
    appendRaw(text.constData() + 1, size_t(text.size() - 2));
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
