// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "flatjsonobject.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>
#include <vector>

class QJsonValue;

namespace streamscope {

// How a payload's time field counts: Auto tells the unit from the magnitude.
enum class TimeUnit {
    Auto,
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
};

QString timeUnitName(TimeUnit unit); // "auto", "s", "ms", "us", "ns"
std::optional<TimeUnit> timeUnitFromName(QStringView name);

// A stream's rules for turning payloads into samples.
struct ExtractionSettings
{
    // Dotted path of the payload's time ("ts", "meta.time"): a number in timeUnit or an
    // ISO-8601 string. Empty: the arrival time.
    QString timeField;
    TimeUnit timeUnit = TimeUnit::Auto;
    // Top-level field whose value names a family of series ("host": cpu of alpha and cpu of
    // beta are two series). Empty: none.
    QString labelField;

    bool operator==(const ExtractionSettings &) const = default;
};

// One number taken from a payload.
struct MetricSample
{
    QString path; // "cpu", "net.rx", "disks[0].used"; empty for a payload that is one number
    QString label; // the label field's value; empty when none is set or present
    double timeMs = 0; // ms since the Unix epoch (fractions kept)
    double value = 0;
};

// What a stream's payloads held that could not become samples. Never fatal: shown to the user.
struct ExtractionCounts
{
    quint64 payloads = 0; // payloads seen
    quint64 samples = 0; // samples produced
    quint64 malformed = 0; // looked like JSON ({ or [ first) but did not parse
    quint64 notJson = 0; // plain text, not a number: nothing to plot, not an error
    quint64 invalidNumbers = 0; // NaN, infinities, numbers beyond double range: dropped
    quint64 missingTime = 0; // the time field absent or unreadable: arrival time used
    quint64 truncated = 0; // payloads with more than MaxLeaves numbers or deeper than MaxDepth

    bool operator==(const ExtractionCounts &) const = default;
};

// Turns one stream's payloads into samples: every numeric leaf of a JSON payload, booleans
// as 0/1, numbers sent as strings; a top-level array of objects is a batch of samples, one
// time each. A plain library class: no event loop, no clock (arrival time is passed in).
// - A numeric string is the whole string, trimmed, as a decimal number (" 1e3 " yes, "12 ms",
//   "0x10", "1,5" no); other strings are text, neither samples nor problems.
// - The time field and the label field are never samples; the label is read at the top of each
//   sample set only. missingTime counts sample sets (a batch's elements), not payloads.
// - A plain-number payload (42.5, "0.5", true) takes the arrival time.
// - Bare NaN, Infinity and out-of-range numbers, which Qt's parser refuses, are counted and
//   dropped and the rest of the payload read. Nesting past Qt's own limit (1024) is malformed.
class MetricExtractor
{
public:
    static constexpr int MaxDepth = 32;
    static constexpr int MaxLeaves = 10000; // per payload

    void setSettings(const ExtractionSettings &settings) { m_settings = settings; }
    const ExtractionSettings &settings() const { return m_settings; }

    // Appends the payload's samples to *out and counts what could not be used.
    void extract(QByteArrayView payload, qint64 arrivalMs, QList<MetricSample> *out);
    const ExtractionCounts &counts() const { return m_counts; }

    // A time value (number in unit, numeric string, or ISO-8601 string) as ms since the epoch;
    // nullopt when it is none of those.
    static std::optional<double> timeToMs(const QJsonValue &value, TimeUnit unit);
    // Auto: below 1e11 seconds, below 1e14 ms, below 1e17 µs, else ns.
    static TimeUnit detectUnit(double value);
    // The value at a dotted path ("meta.time", "samples[2].t"); Undefined when there is none.
    static QJsonValue valueAtPath(const QJsonValue &root, const QString &path);

private:
    void extractFlat(qint64 arrivalMs, QList<MetricSample> *out);
    QString flatPath(size_t slot, QByteArrayView key);

    ExtractionSettings m_settings;
    ExtractionCounts m_counts;
    FlatJsonObject m_flat; // the last flat payload read, kept to spare its set-up per payload
    struct FlatPath
    {
        QByteArray key;
        QString path;
    };
    std::vector<FlatPath> m_flatPaths; // see flatPath()
};

} // namespace streamscope
