// SPDX-License-Identifier: GPL-3.0-or-later
#include "flatjsonobject.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace streamscope {

namespace {

// A cursor over the payload; every read returns false at the first byte it does not take.
class Cursor
{
public:
    explicit Cursor(QByteArrayView text)
        : m_p(text.data())
        , m_end(text.data() + text.size())
    {
    }

    bool atEnd() const { return m_p == m_end; }

    void skipSpace()
    {
        // JSON's whitespace, the only kind QJsonDocument allows between tokens.
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r')) {
            ++m_p;
        }
    }

    bool take(char c)
    {
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }

    bool takeWord(QByteArrayView word)
    {
        if (QByteArrayView(m_p, m_end - m_p).startsWith(word)) {
            m_p += word.size();
            return true;
        }
        return false;
    }

    // A string of printable ASCII without escapes: those read the same as bytes and as the
    // QString QJsonDocument would make of them.
    bool string(QByteArrayView *content)
    {
        if (!take('"')) {
            return false;
        }
        const char *start = m_p;
        while (m_p < m_end && *m_p != '"') {
            const auto c = static_cast<unsigned char>(*m_p);
            if (c < 0x20 || c > 0x7e || c == '\\') {
                return false;
            }
            ++m_p;
        }
        if (m_p == m_end) {
            return false;
        }
        *content = QByteArrayView(start, m_p - start);
        ++m_p;
        return true;
    }

    // JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, finite as a double.
    bool number(double *value)
    {
        const char *start = m_p;
        take('-');
        if (take('0')) {
        } else if (digits() == 0) {
            return false;
        }
        if (take('.') && digits() == 0) {
            return false;
        }
        if (take('e') || take('E')) {
            if (!take('+')) {
                take('-');
            }
            if (digits() == 0) {
                return false;
            }
        }
        // Out of range (1e999, 1e-999): QJsonDocument refuses those; the caller's repair knows.
        const auto [ptr, error] = std::from_chars(start, m_p, *value);
        if (*value == 0) {
            *value = 0; // QJsonDocument keeps an integral number as an integer: 0, with no sign
        }
        return error == std::errc() && ptr == m_p && std::isfinite(*value);
    }

private:
    int digits()
    {
        int count = 0;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9') {
            ++m_p;
            ++count;
        }
        return count;
    }

    const char *m_p;
    const char *m_end;
};

bool readValue(Cursor &in, FlatJsonObject::Member *member)
{
    using Type = FlatJsonObject::Member::Type;
    if (in.string(&member->text)) {
        member->type = Type::String;
        return true;
    }
    if (in.takeWord("true")) {
        member->type = Type::True;
        return true;
    }
    if (in.takeWord("false")) {
        member->type = Type::False;
        return true;
    }
    if (in.takeWord("null")) {
        member->type = Type::Null;
        return true;
    }
    member->type = Type::Number;
    return in.number(&member->number);
}

} // namespace

bool FlatJsonObject::read(QByteArrayView json)
{
    m_count = 0;
    Cursor in(json);
    in.skipSpace();
    if (!in.take('{')) {
        return false;
    }
    in.skipSpace();
    if (!in.take('}')) {
        do {
            if (m_count == MaxMembers) {
                return false;
            }
            Member &member = m_members[size_t(m_count)];
            in.skipSpace();
            if (!in.string(&member.key)) {
                return false;
            }
            in.skipSpace();
            if (!in.take(':')) {
                return false;
            }
            in.skipSpace();
            if (!readValue(in, &member)) {
                return false;
            }
            ++m_count;
            in.skipSpace();
        } while (in.take(','));
        if (!in.take('}')) {
            return false;
        }
    }
    in.skipSpace();
    if (!in.atEnd()) {
        return false;
    }
    // QJsonObject keeps its keys sorted (for ASCII, byte order) and one value per key.
    const auto byKey = [](const Member &a, const Member &b) { return a.key < b.key; };
    std::sort(m_members.begin(), m_members.begin() + m_count, byKey);
    const auto sameKey = [](const Member &a, const Member &b) { return a.key == b.key; };
    return std::adjacent_find(m_members.begin(), m_members.begin() + m_count, sameKey)
        == m_members.begin() + m_count;
}

} // namespace streamscope
