// SPDX-License-Identifier: GPL-3.0-or-later
#include "json.h"

#include <cstring>

namespace streamscope::json {

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

void appendEventRecord(QByteArray &out, const StreamEvent &event, QByteArrayView streamName)
{
    QByteArrayView kind;
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
        break;
    }
    out.append("{\"kind\":");
    appendString(out, kind);
    out.append(",\"t\":");
    out.append(QByteArray::number(event.arrivalMs));
    out.append(",\"stream\":");
    appendString(out, streamName);
    switch (event.kind) {
    case StreamEvent::Kind::Event:
        out.append(",\"type\":");
        appendString(out, event.type);
        out.append(",\"data\":");
        appendString(out, event.data);
        out.append(",\"lastEventId\":");
        appendString(out, event.id);
        break;
    case StreamEvent::Kind::Message:
        out.append(",\"data\":");
        appendString(out, event.binary ? event.data.toBase64() : event.data);
        out.append(event.binary ? ",\"binary\":true" : ",\"binary\":false");
        break;
    case StreamEvent::Kind::Sent:
        out.append(",\"data\":");
        appendString(out, event.binary ? event.data.toBase64() : event.data);
        if (event.binary) {
            out.append(",\"binary\":true");
        }
        break;
    case StreamEvent::Kind::Lifecycle:
        out.append(",\"message\":");
        appendString(out, event.data);
        break;
    }
    out.append("}\n");
}

QByteArray eventRecord(const StreamEvent &event, QByteArrayView streamName)
{
    QByteArray out;
    appendEventRecord(out, event, streamName);
    out.chop(1);
    return out;
}

} // namespace streamscope::json
