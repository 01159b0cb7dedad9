// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace streamscope::bench {

// The event shapes every SSE benchmark uses, so parser and end-to-end figures compare.
enum class Shape {
    Small, // ~59 B: id, event and one short JSON data line
    MultiLine, // ten data lines, ~250 B
    Large, // one 64 KiB data line
};

inline constexpr Shape s_allShapes[] = {Shape::Small, Shape::MultiLine, Shape::Large};

inline const char *shapeName(Shape shape)
{
    switch (shape) {
    case Shape::Small:
        return "small";
    case Shape::MultiLine:
        return "multiline";
    case Shape::Large:
        return "large";
    }
    return "?";
}

inline std::optional<Shape> shapeFromName(QByteArrayView name)
{
    for (const Shape shape : s_allShapes) {
        if (name == shapeName(shape)) {
            return shape;
        }
    }
    return std::nullopt;
}

// The SSE event type each shape is sent with; browser-style clients listen for it by name.
inline const char *eventType(Shape shape)
{
    return shape == Shape::Large ? "blob" : "metrics";
}

// One complete event (ending in its blank line) with sequence number n. The digits vary with n
// so the data is not one repeated string, as real metrics are not.
inline QByteArray makeEvent(Shape shape, quint64 n)
{
    const QByteArray seq = QByteArray::number(n);
    QByteArray out = "id: " + seq + "\nevent: " + eventType(shape) + '\n';
    switch (shape) {
    case Shape::Small:
        out += "data: {\"cpu\":0." + QByteArray::number(10 + n % 90) + ",\"seq\":" + seq + "}\n";
        break;
    case Shape::MultiLine:
        for (int line = 0; line < 10; ++line) {
            out += "data: {\"k\":" + QByteArray::number(line) + ",\"v\":0."
                + QByteArray::number((n * 31 + quint64(line)) % 9973) + "}\n";
        }
        break;
    case Shape::Large: {
        QByteArray data(64 * 1024, 'x');
        for (qsizetype i = 0; i < data.size(); i += 61) {
            data[i] = char('a' + (n + quint64(i)) % 26);
        }
        out += "data: " + data + '\n';
        break;
    }
    }
    out += '\n';
    return out;
}

} // namespace streamscope::bench
