// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: MetricExtractor takes any payload under any settings without crashing; its
// counts agree with what it output (one payload, as many samples as appended, at most one
// truncation), every value and time it gives is finite, the time field is never a sample, and
// the same payload gives the same samples again. Without time and label fields, the flat-object
// shortcut gives what the QJsonDocument walk gives (a label field no payload has forces the walk).
#include "metricextractor.h"

#include <QByteArray>
#include <QStringList>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using streamscope::ExtractionCounts;
using streamscope::ExtractionSettings;
using streamscope::MetricExtractor;
using streamscope::MetricSample;
using streamscope::TimeUnit;

namespace {

[[noreturn]] void fail(const char *what, const QByteArray &payload)
{
    std::fprintf(stderr, "fuzz_metricextractor: %s\npayload: %s\n", what, payload.constData());
    std::abort();
}

// The first two bytes pick the settings; the rest is the payload.
ExtractionSettings settingsFrom(uint8_t flags, uint8_t names)
{
    static const QStringList timeFields{QStringLiteral("ts"), QStringLiteral("time"),
        QStringLiteral("meta.time"), QStringLiteral("[0].t"), QStringLiteral("a[1]"),
        QStringLiteral("a..b"), QStringLiteral("[x]")};
    static const QStringList labelFields{
        QStringLiteral("host"), QStringLiteral("label"), QStringLiteral("ts")};
    static const TimeUnit units[] = {TimeUnit::Auto, TimeUnit::Seconds, TimeUnit::Milliseconds,
        TimeUnit::Microseconds, TimeUnit::Nanoseconds};
    ExtractionSettings settings;
    if (flags & 1) {
        settings.timeField = timeFields.at((names & 0x0f) % timeFields.size());
    }
    settings.timeUnit = units[((flags >> 1) & 7) % 5];
    if (flags & 0x10) {
        settings.labelField = labelFields.at((names >> 4) % labelFields.size());
    }
    return settings;
}

bool sameSamples(const QList<MetricSample> &a, const QList<MetricSample> &b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].path != b[i].path || a[i].label != b[i].label || a[i].timeMs != b[i].timeMs
            || std::memcmp(&a[i].value, &b[i].value, sizeof(double)) != 0) {
            return false;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    const QByteArray payload(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    MetricExtractor extractor;
    extractor.setSettings(settingsFrom(data[0], data[1]));
    constexpr qint64 arrivalMs = 1'700'000'000'000;

    QList<MetricSample> out;
    extractor.extract(payload, arrivalMs, &out);
    const ExtractionCounts counts = extractor.counts(); // a copy: extracting again moves it
    if (counts.payloads != 1) {
        fail("payloads is not 1", payload);
    }
    if (counts.samples != quint64(out.size())) {
        fail("samples counted differ from samples output", payload);
    }
    if (out.size() > MetricExtractor::MaxLeaves) {
        fail("more samples than MaxLeaves", payload);
    }
    if (counts.truncated > 1 || counts.malformed > 1 || counts.notJson > 1) {
        fail("a per-payload count above 1", payload);
    }
    if ((counts.malformed || counts.notJson) && !out.isEmpty()) {
        fail("samples from a payload counted unreadable", payload);
    }
    for (const MetricSample &sample : std::as_const(out)) {
        if (!std::isfinite(sample.value) || !std::isfinite(sample.timeMs)) {
            fail("a non-finite value or time", payload);
        }
        if (!extractor.settings().timeField.isEmpty()
            && sample.path == extractor.settings().timeField) {
            fail("the time field became a sample", payload);
        }
    }

    if (extractor.settings().timeField.isEmpty() && extractor.settings().labelField.isEmpty()) {
        MetricExtractor walk;
        walk.setSettings({QString(), TimeUnit::Auto, QStringLiteral("\x01 no such field")});
        QList<MetricSample> walked;
        walk.extract(payload, arrivalMs, &walked);
        const ExtractionCounts w = walk.counts();
        if (!sameSamples(out, walked) || w.samples != counts.samples
            || w.malformed != counts.malformed || w.notJson != counts.notJson
            || w.invalidNumbers != counts.invalidNumbers || w.truncated != counts.truncated) {
            fail("the flat shortcut and the walk disagree", payload);
        }
    }

    QList<MetricSample> again;
    extractor.extract(payload, arrivalMs, &again);
    if (!sameSamples(out, again) || extractor.counts().samples != 2 * counts.samples) {
        fail("the same payload gave different samples", payload);
    }
    return 0;
}
