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
    for (const unsigned char *p = begin; p < end; ++p) {
        if (*p < 0x20) {
            const bool named = *p == '\n' || *p == '\r' || *p == '\t' || *p == '\b' || *p == '\f';
            extra += named ? 1 : 5;
        } else if (*p == '"' || *p == '\\') {
            extra += 1;
        }
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
