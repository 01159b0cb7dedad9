// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>

#include <array>

namespace streamscope {

// A JSON object of plain members, read without building a QJsonDocument: the shape most metric
// payloads have ({"cpu":0.42,"seq":17}), at a tenth of the cost. read() takes only what it can
// read exactly as QJsonDocument would and says no to the rest (nesting, escapes, text that is not
// printable ASCII, NaN, duplicate keys, more than MaxMembers members, anything malformed), which
// the caller then gives to QJsonDocument.
class FlatJsonObject
{
public:
    static constexpr int MaxMembers = 64;

    struct Member
    {
        enum class Type {
            Number,
            True,
            False,
            Null,
            String,
        };
        QByteArrayView key;
        Type type = Type::Null;
        double number = 0; // Number
        QByteArrayView text; // String: its content, quotes off
    };

    // Whether json (surrounding whitespace allowed) is such an object; its members then in
    // QJsonObject's order, sorted by key.
    bool read(QByteArrayView json);
    const Member *begin() const { return m_members.data(); }
    const Member *end() const { return m_members.data() + m_count; }

private:
    std::array<Member, MaxMembers> m_members;
    int m_count = 0;
};

} // namespace streamscope
