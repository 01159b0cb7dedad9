// SPDX-License-Identifier: GPL-3.0-or-later
#include "metricextractor.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace streamscope {

namespace {

enum class NumberText {
    Finite,
    NonFinite, // NaN, an infinity, or a number beyond double range
    NotANumber,
};

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && isSpace(text.front())) {
        text = text.sliced(1);
    }
    while (!text.isEmpty() && isSpace(text.back())) {
        text.chop(1);
    }
    return text;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// The spellings of NaN and infinity that producers send (JavaScript, Python, C).
bool isNonFiniteWord(QByteArrayView word)
{
    if (!word.isEmpty() && (word.front() == '-' || word.front() == '+')) {
        word = word.sliced(1);
    }
    for (const char *spelling : {"nan", "inf", "infinity"}) {
        if (word.compare(QByteArrayView(spelling), Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return false;
}

// Whole-string decimal number, surrounding whitespace ignored: [+-] digits [. digits] [e [+-]
// digits], at least one mantissa digit. No hex, no thousands separators, no locale.
NumberText parseNumberText(QByteArrayView text, double *value)
{
    text = trimmed(text);
    if (isNonFiniteWord(text)) {
        return NumberText::NonFinite;
    }
    qsizetype i = 0;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
        ++i;
    }
    qsizetype digits = 0;
    qsizetype exponentOfLeadingDigit = 0; // decimal exponent of the first nonzero digit, +1
    bool seenNonZero = false;
    bool seenPoint = false;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (isDigit(c)) {
            ++digits;
            if (c != '0') {
                seenNonZero = true;
            }
            if (!seenPoint && seenNonZero) {
                ++exponentOfLeadingDigit;
            } else if (seenPoint && !seenNonZero) {
                --exponentOfLeadingDigit;
            }
        } else if (c == '.' && !seenPoint) {
            seenPoint = true;
        } else {
            break;
        }
    }
    if (digits == 0) {
        return NumberText::NotANumber;
    }
    qint64 exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool negative = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
            negative = text[i] == '-';
            ++i;
        }
        const qsizetype exponentStart = i;
        for (; i < text.size() && isDigit(text[i]); ++i) {
            exponent = std::min<qint64>(exponent * 10 + (text[i] - '0'), 1'000'000);
        }
        if (i == exponentStart) {
            return NumberText::NotANumber;
        }
        exponent = negative ? -exponent : exponent;
    }
    if (i != text.size()) {
        return NumberText::NotANumber;
    }
    // from_chars takes no '+' and parses without the locale.
    const char *begin = text.data() + (text[0] == '+' ? 1 : 0);
    const char *end = text.data() + text.size();
    double result = 0;
    const auto [ptr, error] = std::from_chars(begin, end, result);
    if (error == std::errc::result_out_of_range) {
        if (!seenNonZero || exponentOfLeadingDigit + exponent <= 0) {
            *value = text[0] == '-' ? -0.0 : 0.0; // too small: zero is the nearest
            return NumberText::Finite;
        }
        return NumberText::NonFinite;
    }
    if (error != std::errc() || ptr != end) {
        return NumberText::NotANumber;
    }
    if (!std::isfinite(result)) {
        return NumberText::NonFinite;
    }
    *value = result;
    return NumberText::Finite;
}

// Too small for a double (1e-999): the nearest is zero, which Qt's JSON parser refuses to say.
bool underflows(QByteArrayView number)
{
    double value = 0;
    const auto [ptr, error] = std::from_chars(number.data(), number.data() + number.size(), value);
    Q_UNUSED(ptr);
    return error == std::errc::result_out_of_range;
}

// Qt's JSON parser refuses what many producers send: NaN, Infinity, -Infinity (Python's json
// module) and numbers beyond double range. Outside strings, each such token is replaced by null
// (counted in *invalid) and a number too small for a double by 0, so the rest of the payload can
// still be read. Returns false when there was nothing to replace.
bool replaceNonFiniteTokens(QByteArrayView json, QByteArray *out, quint64 *invalid)
{
    out->clear();
    out->reserve(json.size());
    bool changed = false;
    bool inString = false;
    qsizetype i = 0;
    while (i < json.size()) {
        const char c = json[i];
        if (inString) {
            out->append(c);
            if (c == '\\' && i + 1 < json.size()) {
                out->append(json[i + 1]);
                i += 2;
                continue;
            }
            inString = c != '"';
            ++i;
            continue;
        }
        if (c == '"') {
            inString = true;
            out->append(c);
            ++i;
            continue;
        }
        const bool tokenStart = c == '-' || c == '+' || isDigit(c) || c == 'N' || c == 'I'
            || c == 'n' || c == 'i' || c == '.';
        if (!tokenStart) {
            out->append(c);
            ++i;
            continue;
        }
        qsizetype end = i + 1;
        while (end < json.size()
            && (std::isalnum(static_cast<unsigned char>(json[end])) || json[end] == '.'
                || json[end] == '+' || json[end] == '-')) {
            ++end;
        }
        const QByteArrayView token = json.sliced(i, end - i);
        double value = 0;
        const NumberText kind = parseNumberText(token, &value);
        if (kind == NumberText::NonFinite) {
            out->append("null");
            ++*invalid;
            changed = true;
        } else if (kind == NumberText::Finite && underflows(token)) {
            out->append("0");
            changed = true;
        } else {
            out->append(token);
        }
        i = end;
    }
    return changed;
}

// A path into a JSON value ("meta.time", "samples[2].t"), split once.
struct PathStep
{
    QString key; // empty for an array index
    qsizetype index = -1;
};

QList<PathStep> splitPath(const QString &path)
{
    QList<PathStep> steps;
    QString key;
    for (qsizetype i = 0; i < path.size(); ++i) {
        const QChar c = path.at(i);
        if (c == QLatin1Char('.')) {
            if (!key.isEmpty()) {
                steps.append({key, -1});
                key.clear();
            }
        } else if (c == QLatin1Char('[')) {
            const qsizetype close = path.indexOf(QLatin1Char(']'), i);
            bool ok = false;
            const qsizetype index = close > i ? path.mid(i + 1, close - i - 1).toLongLong(&ok) : -1;
            if (!ok || index < 0) {
                key.append(c);
                continue;
            }
            if (!key.isEmpty()) {
                steps.append({key, -1});
                key.clear();
            }
            steps.append({QString(), index});
            i = close;
        } else {
            key.append(c);
        }
    }
    if (!key.isEmpty()) {
        steps.append({key, -1});
    }
    return steps;
}

QJsonValue valueAt(const QJsonValue &root, const QList<PathStep> &steps)
{
    QJsonValue value = root;
    for (const PathStep &step : steps) {
        if (step.index >= 0) {
            if (!value.isArray() || step.index >= value.toArray().size()) {
                return QJsonValue(QJsonValue::Undefined);
            }
            value = value.toArray().at(step.index);
        } else {
            if (!value.isObject()) {
                return QJsonValue(QJsonValue::Undefined);
            }
            value = value.toObject().value(step.key);
        }
    }
    return value;
}

char16_t codeUnit(QChar c)
{
    return c.unicode();
}

char16_t codeUnit(char c)
{
    return static_cast<unsigned char>(c);
}

// A cheap look at the first character after the spaces, so most text is never converted to be
// parsed: what it turns away parseNumberText() would turn away too. For a JSON value's QString and
// a flat payload's bytes alike.
template <typename Text> bool mayBeNumber(const Text &text)
{
    for (const auto unit : text) {
        const char16_t c = codeUnit(unit);
        if (c < 0x80 && isSpace(char(c))) {
            continue;
        }
        return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'n' || c == 'N'
            || c == 'i' || c == 'I';
    }
    return false;
}

QString labelText(const QJsonValue &value)
{
    if (value.isString()) {
        return value.toString();
    }
    if (value.isDouble()) {
        return QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
    }
    return QString();
}

// Walks one sample set (a payload, or one element of a batch) and appends its numeric leaves.
class Walker
{
public:
    Walker(const ExtractionSettings &settings, ExtractionCounts *counts, QList<MetricSample> *out,
        int *leavesLeft)
        : m_settings(settings)
        , m_counts(counts)
        , m_out(out)
        , m_leavesLeft(leavesLeft)
    {
    }

    bool truncated() const { return m_truncated; }

    void walkSet(const QJsonValue &set, double timeMs, const QString &label)
    {
        m_timeMs = timeMs;
        m_label = label;
        m_path.clear();
        walk(set, 1, true);
    }

private:
    void walk(const QJsonValue &value, int depth, bool topLevel)
    {
        if (m_stopped) {
            return;
        }
        switch (value.type()) {
        case QJsonValue::Object: {
            if (depth > MetricExtractor::MaxDepth) {
                m_truncated = true;
                return;
            }
            const QJsonObject object = value.toObject();
            const qsizetype mark = m_path.size();
            for (auto it = object.begin(); it != object.end() && !m_stopped; ++it) {
                if (topLevel && !m_settings.labelField.isEmpty()
                    && it.key() == m_settings.labelField) {
                    continue;
                }
                if (mark > 0) {
                    m_path.append(QLatin1Char('.'));
                }
                m_path.append(it.key());
                walk(it.value(), depth + 1, false);
                m_path.truncate(mark);
            }
            break;
        }
        case QJsonValue::Array: {
            if (depth > MetricExtractor::MaxDepth) {
                m_truncated = true;
                return;
            }
            const QJsonArray array = value.toArray();
            const qsizetype mark = m_path.size();
            for (qsizetype i = 0; i < array.size() && !m_stopped; ++i) {
                m_path.append(QLatin1Char('['));
                m_path.append(QString::number(i));
                m_path.append(QLatin1Char(']'));
                walk(array.at(i), depth + 1, false);
                m_path.truncate(mark);
            }
            break;
        }
        case QJsonValue::Double:
            // Qt's parser only lets finite numbers through.
            sample(value.toDouble());
            break;
        case QJsonValue::Bool:
            sample(value.toBool() ? 1 : 0);
            break;
        case QJsonValue::String: {
            const QString text = value.toString();
            if (!mayBeNumber(text)) {
                break; // text such as a host name: not a metric, not a problem
            }
            double number = 0;
            switch (parseNumberText(text.toUtf8(), &number)) {
            case NumberText::Finite:
                sample(number);
                break;
            case NumberText::NonFinite:
                if (!isTimeField()) {
                    ++m_counts->invalidNumbers;
                }
                break;
            case NumberText::NotANumber:
                break; // text such as a host name: not a metric, not a problem
            }
            break;
        }
        case QJsonValue::Null:
        case QJsonValue::Undefined:
            break;
        }
    }

    bool isTimeField() const
    {
        return !m_settings.timeField.isEmpty() && m_path == m_settings.timeField;
    }

    void sample(double value)
    {
        if (isTimeField()) {
            return;
        }
        if (*m_leavesLeft <= 0) {
            m_truncated = true;
            m_stopped = true;
            return;
        }
        --*m_leavesLeft;
        m_out->append(MetricSample{m_path, m_label, m_timeMs, value});
        ++m_counts->samples;
    }

    const ExtractionSettings &m_settings;
    ExtractionCounts *m_counts;
    QList<MetricSample> *m_out;
    int *m_leavesLeft;
    QString m_path; // of the value being walked
    QString m_label;
    double m_timeMs = 0;
    bool m_truncated = false;
    bool m_stopped = false;
};

} // namespace

QString timeUnitName(TimeUnit unit)
{
    switch (unit) {
    case TimeUnit::Auto:
        return QStringLiteral("auto");
    case TimeUnit::Seconds:
        return QStringLiteral("s");
    case TimeUnit::Milliseconds:
        return QStringLiteral("ms");
    case TimeUnit::Microseconds:
        return QStringLiteral("us");
    case TimeUnit::Nanoseconds:
        return QStringLiteral("ns");
    }
    return QStringLiteral("auto");
}

std::optional<TimeUnit> timeUnitFromName(QStringView name)
{
    for (const TimeUnit unit : {TimeUnit::Auto, TimeUnit::Seconds, TimeUnit::Milliseconds,
             TimeUnit::Microseconds, TimeUnit::Nanoseconds}) {
        if (name == timeUnitName(unit)) {
            return unit;
        }
    }
    if (name == u"\u00b5s") {
        return TimeUnit::Microseconds;
    }
    return std::nullopt;
}

TimeUnit MetricExtractor::detectUnit(double value)
{
    const double magnitude = std::abs(value);
    if (magnitude < 1e11) {
        return TimeUnit::Seconds;
    }
    if (magnitude < 1e14) {
        return TimeUnit::Milliseconds;
    }
    if (magnitude < 1e17) {
        return TimeUnit::Microseconds;
    }
    return TimeUnit::Nanoseconds;
}

std::optional<double> MetricExtractor::timeToMs(const QJsonValue &value, TimeUnit unit)
{
    double number = 0;
    if (value.isDouble()) {
        number = value.toDouble();
    } else if (value.isString()) {
        const QString text = value.toString();
        const NumberText kind = parseNumberText(text.toUtf8(), &number);
        if (kind == NumberText::NonFinite) {
            return std::nullopt;
        }
        if (kind == NumberText::NotANumber) {
            QDateTime time = QDateTime::fromString(text.trimmed(), Qt::ISODateWithMs);
            if (!time.isValid()) {
                return std::nullopt;
            }
            if (time.timeSpec() == Qt::LocalTime) {
                time.setTimeSpec(Qt::UTC); // no offset given: UTC, not this machine's zone
            }
            return double(time.toMSecsSinceEpoch());
        }
    } else {
        return std::nullopt;
    }
    if (!std::isfinite(number)) {
        return std::nullopt;
    }
    double ms = 0;
    switch (unit == TimeUnit::Auto ? detectUnit(number) : unit) {
    case TimeUnit::Auto: // detectUnit never answers Auto
    case TimeUnit::Milliseconds:
        ms = number;
        break;
    case TimeUnit::Seconds:
        ms = number * 1e3;
        break;
    case TimeUnit::Microseconds:
        ms = number / 1e3;
        break;
    case TimeUnit::Nanoseconds:
        ms = number / 1e6;
        break;
    }
    if (!std::isfinite(ms)) {
        return std::nullopt;
    }
    return ms;
}

void MetricExtractor::extract(QByteArrayView payload, qint64 arrivalMs, QList<MetricSample> *out)
{
    ++m_counts.payloads;
    const QByteArrayView text = trimmed(payload);
    const char first = text.isEmpty() ? '\0' : text.front();

    if (first != '{' && first != '[') {
        // A payload of one number: its own series, with an empty path. A JSON string holding
        // a number counts as one too.
        QByteArrayView number = text;
        QByteArray unquoted;
        if (first == '"') {
            const QJsonDocument wrapped = QJsonDocument::fromJson("[" + text.toByteArray() + "]");
            if (!wrapped.isArray() || !wrapped.array().at(0).isString()) {
                ++m_counts.notJson;
                return;
            }
            unquoted = wrapped.array().at(0).toString().toUtf8();
            number = unquoted;
        }
        double value = 0;
        switch (parseNumberText(number, &value)) {
        case NumberText::Finite:
            out->append(MetricSample{QString(), QString(), double(arrivalMs), value});
            ++m_counts.samples;
            return;
        case NumberText::NonFinite:
            ++m_counts.invalidNumbers;
            return;
        case NumberText::NotANumber:
            if (text == "true" || text == "false") {
                out->append(MetricSample{
                    QString(), QString(), double(arrivalMs), text == "true" ? 1.0 : 0.0});
                ++m_counts.samples;
                return;
            }
            ++m_counts.notJson;
            return;
        }
        return;
    }

    // Most payloads are one flat object and need neither a document nor a walk: the same samples
    // and counts, in the same order, as the walk below gives them.
    if (first == '{' && m_settings.timeField.isEmpty() && m_settings.labelField.isEmpty()
        && m_flat.read(text)) {
        extractFlat(arrivalMs, out);
        return;
    }

    QJsonParseError error;
    QJsonDocument document = QJsonDocument::fromJson(text.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError) {
        QByteArray repaired;
        quint64 invalid = 0;
        if (!replaceNonFiniteTokens(text, &repaired, &invalid)) {
            ++m_counts.malformed;
            return;
        }
        document = QJsonDocument::fromJson(repaired, &error);
        if (error.error != QJsonParseError::NoError) {
            ++m_counts.malformed;
            return;
        }
        m_counts.invalidNumbers += invalid;
    }

    const QJsonValue root
        = document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
    QList<QJsonValue> sets;
    if (document.isArray() && !document.array().isEmpty()) {
        bool allObjects = true;
        for (const QJsonValue &element : document.array()) {
            allObjects = allObjects && element.isObject();
        }
        if (allObjects) {
            for (const QJsonValue &element : document.array()) {
                sets.append(element);
            }
        }
    }
    if (sets.isEmpty()) {
        sets.append(root);
    }

    const QList<PathStep> timePath = splitPath(m_settings.timeField);
    int leavesLeft = MaxLeaves;
    Walker walker(m_settings, &m_counts, out, &leavesLeft);
    for (const QJsonValue &set : std::as_const(sets)) {
        double timeMs = double(arrivalMs);
        if (!m_settings.timeField.isEmpty()) {
            const std::optional<double> time
                = timeToMs(valueAt(set, timePath), m_settings.timeUnit);
            if (time) {
                timeMs = *time;
            } else {
                ++m_counts.missingTime;
            }
        }
        const QString label = m_settings.labelField.isEmpty() || !set.isObject()
            ? QString()
            : labelText(set.toObject().value(m_settings.labelField));
        walker.walkSet(set, timeMs, label);
        if (leavesLeft <= 0 && walker.truncated()) {
            break;
        }
    }
    if (walker.truncated()) {
        ++m_counts.truncated;
    }
}

void MetricExtractor::extractFlat(qint64 arrivalMs, QList<MetricSample> *out)
{
    using Type = FlatJsonObject::Member::Type;
    size_t slot = 0;
    for (const FlatJsonObject::Member &member : m_flat) {
        double value = 0;
        switch (member.type) {
        case Type::Number:
            value = member.number;
            break;
        case Type::True:
            value = 1;
            break;
        case Type::False:
            value = 0;
            break;
        case Type::Null:
            continue;
        case Type::String:
            if (!mayBeNumber(member.text)) {
                continue; // text such as a host name
            }
            switch (parseNumberText(member.text, &value)) {
            case NumberText::Finite:
                break;
            case NumberText::NonFinite:
                ++m_counts.invalidNumbers;
                continue;
            case NumberText::NotANumber:
                continue;
            }
            break;
        }
        out->append(
            MetricSample{flatPath(slot++, member.key), QString(), double(arrivalMs), value});
        ++m_counts.samples;
    }
}

QString MetricExtractor::flatPath(size_t slot, QByteArrayView key)
{
    // The paths of the last flat payload's samples, in order, are kept: a payload of the same
    // layout (the usual case) shares them instead of making a QString per sample.
    if (slot < m_flatPaths.size() && m_flatPaths[slot].key == key) {
        return m_flatPaths[slot].path;
    }
    if (slot >= m_flatPaths.size()) {
        m_flatPaths.resize(slot + 1); // at most FlatJsonObject::MaxMembers
    }
    m_flatPaths[slot] = {key.toByteArray(), QString::fromLatin1(key)};
    return m_flatPaths[slot].path;
}

QJsonValue MetricExtractor::valueAtPath(const QJsonValue &root, const QString &path)
{
    return valueAt(root, splitPath(path));
}

} // namespace streamscope
