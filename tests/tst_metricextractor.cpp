// SPDX-License-Identifier: GPL-3.0-or-later
#include "metricextractor.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QTest>

#include <cmath>
#include <ctime>

using namespace streamscope;

namespace {

constexpr qint64 Arrival = 1'000'000;

// "path=value@time #label", sorted: QJsonObject walks keys in sorted order, which the table
// should not depend on.
QStringList describe(const QList<MetricSample> &samples)
{
    QStringList lines;
    for (const MetricSample &s : samples) {
        QString line = QStringLiteral("%1=%2@%3")
                           .arg(s.path)
                           .arg(s.value, 0, 'g', 15)
                           .arg(s.timeMs, 0, 'f', 1);
        if (!s.label.isEmpty()) {
            line += QStringLiteral(" #") + s.label;
        }
        lines.append(line);
    }
    lines.sort();
    return lines;
}

// Every count but payloads (always 1 here): samples, malformed, notJson, invalidNumbers,
// missingTime, truncated.
using Counts = QList<quint64>;
Counts countsOf(const ExtractionCounts &c)
{
    return {c.samples, c.malformed, c.notJson, c.invalidNumbers, c.missingTime, c.truncated};
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

QStringList lines(std::initializer_list<const char *> texts)
{
    QStringList list;
    for (const char *text : texts) {
        list.append(QString::fromUtf8(text));
    }
    return list;
}

// {"k0":0,"k1":1,...} with count members.
QByteArray objectOfMembers(int count)
{
    QByteArray json("{");
    for (int i = 0; i < count; ++i) {
        json += (i ? ",\"k" : "\"k") + QByteArray::number(i) + "\":" + QByteArray::number(i);
    }
    return json + '}';
}

} // namespace

class TestMetricExtractor : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void extract_data();
    void extract();
    void flatPayloadsReadAsTheWalkReadsThem_data();
    void flatPayloadsReadAsTheWalkReadsThem();
    void countsAddUpOverPayloads();
    void tooDeepIsTruncatedKeepingTheRest();
    void tooManyLeavesIsTruncatedAtTheCap();
    void detectUnit_data();
    void detectUnit();
    void timeToMs_data();
    void timeToMs();
    void timeUnitNamesRoundTrip();
};

void TestMetricExtractor::initTestCase()
{
    // Times without an offset are UTC whatever this machine's zone: a zone far from UTC makes
    // a mistake show.
    qputenv("TZ", "Asia/Kolkata");
    tzset();
}

void TestMetricExtractor::extract_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("timeField");
    QTest::addColumn<QString>("unit");
    QTest::addColumn<QString>("labelField");
    QTest::addColumn<QStringList>("samples");
    QTest::addColumn<Counts>("counts");

    const QString none;
    const QString autoUnit = QStringLiteral("auto");
    // Shapes
    QTest::newRow("flat object") << QByteArray(R"({"cpu":42.5,"mem":10})") << none << autoUnit
                                 << none << lines({"cpu=42.5@1000000.0", "mem=10@1000000.0"})
                                 << Counts{2, 0, 0, 0, 0, 0};
    QTest::newRow("nested objects")
        << QByteArray(R"({"net":{"rx":1,"tx":{"bytes":2.5}}})") << none << autoUnit << none
        << lines({"net.rx=1@1000000.0", "net.tx.bytes=2.5@1000000.0"}) << Counts{2, 0, 0, 0, 0, 0};
    QTest::newRow("arrays") << QByteArray(R"({"disks":[{"used":5},{"used":6}],"load":[1,2]})")
                            << none << autoUnit << none
                            << lines({"disks[0].used=5@1000000.0", "disks[1].used=6@1000000.0",
                                   "load[0]=1@1000000.0", "load[1]=2@1000000.0"})
                            << Counts{4, 0, 0, 0, 0, 0};
    QTest::newRow("booleans") << QByteArray(R"({"up":true,"down":false})") << none << autoUnit
                              << none << lines({"down=0@1000000.0", "up=1@1000000.0"})
                              << Counts{2, 0, 0, 0, 0, 0};
    QTest::newRow("strings as numbers") << QByteArray(
        R"({"a":"0.42","b":" 1e3 ","c":"-7","d":"12abc","e":"0x10","f":"","host":"alpha","g":"1,5"})")
                                        << none << autoUnit << none
                                        << lines({"a=0.42@1000000.0", "b=1000@1000000.0",
                                               "c=-7@1000000.0"})
                                        << Counts{3, 0, 0, 0, 0, 0};
    QTest::newRow("nulls and empty containers")
        << QByteArray(R"({"a":null,"b":{},"c":[]})") << none << autoUnit << none << QStringList{}
        << Counts{0, 0, 0, 0, 0, 0};
    QTest::newRow("plain number") << QByteArray("42.5") << none << autoUnit << none
                                  << lines({"=42.5@1000000.0"}) << Counts{1, 0, 0, 0, 0, 0};
    QTest::newRow("plain number, spaces and exponent")
        << QByteArray(" -3e2\r\n") << none << autoUnit << none << lines({"=-300@1000000.0"})
        << Counts{1, 0, 0, 0, 0, 0};
    QTest::newRow("plain JSON string of a number")
        << QByteArray(R"("0.5")") << none << autoUnit << none << lines({"=0.5@1000000.0"})
        << Counts{1, 0, 0, 0, 0, 0};
    QTest::newRow("plain true") << QByteArray("true") << none << autoUnit << none
                                << lines({"=1@1000000.0"}) << Counts{1, 0, 0, 0, 0, 0};
    QTest::newRow("plain text") << QByteArray("server started") << none << autoUnit << none
                                << QStringList{} << Counts{0, 0, 1, 0, 0, 0};
    QTest::newRow("plain JSON string of text") << QByteArray(R"("hi")") << none << autoUnit << none
                                               << QStringList{} << Counts{0, 0, 1, 0, 0, 0};
    QTest::newRow("empty") << QByteArray("  ") << none << autoUnit << none << QStringList{}
                           << Counts{0, 0, 1, 0, 0, 0};
    QTest::newRow("array of numbers is one set")
        << QByteArray("[1, 2]") << none << autoUnit << none
        << lines({"[0]=1@1000000.0", "[1]=2@1000000.0"}) << Counts{2, 0, 0, 0, 0, 0};
    QTest::newRow("mixed array is one set")
        << QByteArray(R"([{"a":1}, 2])") << none << autoUnit << none
        << lines({"[0].a=1@1000000.0", "[1]=2@1000000.0"}) << Counts{2, 0, 0, 0, 0, 0};
    QTest::newRow("batch, one time each")
        << QByteArray(R"([{"cpu":1,"ts":1700000000},{"cpu":2,"ts":1700000001.5}])")
        << QStringLiteral("ts") << autoUnit << none
        << lines({"cpu=1@1700000000000.0", "cpu=2@1700000001500.0"}) << Counts{2, 0, 0, 0, 0, 0};
    QTest::newRow("batch, one missing its time")
        << QByteArray(R"([{"cpu":1,"ts":1700000000},{"cpu":2}])") << QStringLiteral("ts")
        << autoUnit << none << lines({"cpu=1@1700000000000.0", "cpu=2@1000000.0"})
        << Counts{2, 0, 0, 0, 1, 0};

    // Time fields: units detected and set by hand
    const auto timed = [&](const char *name, const QByteArray &ts, const QString &unit,
                           const char *time) {
        QTest::newRow(name) << (R"({"cpu":1,"ts":)" + ts + "}") << QStringLiteral("ts") << unit
                            << none << QStringList{QStringLiteral("cpu=1@") + QLatin1String(time)}
                            << Counts{1, 0, 0, 0, 0, 0};
    };
    timed("auto seconds", "1700000000.25", autoUnit, "1700000000250.0");
    timed("auto milliseconds", "1700000000123", autoUnit, "1700000000123.0");
    timed("auto microseconds", "1700000000123456", autoUnit, "1700000000123.5");
    timed("auto nanoseconds", "1700000000123456000", autoUnit, "1700000000123.5");
    timed("auto small seconds", "5", autoUnit, "5000.0");
    timed("seconds by hand", "1700000000123", QStringLiteral("s"), "1700000000123000.0");
    timed("milliseconds by hand", "1700000000", QStringLiteral("ms"), "1700000000.0");
    timed("microseconds by hand", "1700000000", QStringLiteral("us"), "1700000.0");
    timed("nanoseconds by hand", "1700000000", QStringLiteral("ns"), "1700.0");
    timed("numeric string", R"("1700000000")", autoUnit, "1700000000000.0");
    timed("ISO with Z", R"("2024-01-01T10:00:00Z")", autoUnit, "1704103200000.0");
    timed("ISO with offset and ms", R"("2024-01-01T10:00:00.250+02:00")", autoUnit,
        "1704096000250.0");
    timed("ISO without offset is UTC", R"("2024-01-01T10:00:00")", autoUnit, "1704103200000.0");
    QTest::newRow("time field nested")
        << QByteArray(R"({"meta":{"time":1700000000000,"seq":3},"cpu":1})")
        << QStringLiteral("meta.time") << autoUnit << none
        << lines({"cpu=1@1700000000000.0", "meta.seq=3@1700000000000.0"})
        << Counts{2, 0, 0, 0, 0, 0};
    QTest::newRow("time field missing")
        << QByteArray(R"({"cpu":1})") << QStringLiteral("ts") << autoUnit << none
        << lines({"cpu=1@1000000.0"}) << Counts{1, 0, 0, 0, 1, 0};
    QTest::newRow("time field unreadable, not a sample either")
        << QByteArray(R"({"cpu":1,"ts":"soon"})") << QStringLiteral("ts") << autoUnit << none
        << lines({"cpu=1@1000000.0"}) << Counts{1, 0, 0, 0, 1, 0};
    QTest::newRow("time field a boolean")
        << QByteArray(R"({"cpu":1,"ts":true})") << QStringLiteral("ts") << autoUnit << none
        << lines({"cpu=1@1000000.0"}) << Counts{1, 0, 0, 0, 1, 0};
    QTest::newRow("time field NaN")
        << QByteArray(R"({"cpu":1,"ts":"NaN"})") << QStringLiteral("ts") << autoUnit << none
        << lines({"cpu=1@1000000.0"}) << Counts{1, 0, 0, 0, 1, 0};
    QTest::newRow("time field too big once in ms")
        << QByteArray(R"({"cpu":1,"ts":1e306})") << QStringLiteral("ts") << QStringLiteral("s")
        << none << lines({"cpu=1@1000000.0"}) << Counts{1, 0, 0, 0, 1, 0};

    // Labels
    QTest::newRow("label") << QByteArray(R"({"host":"alpha","cpu":1})") << none << autoUnit
                           << QStringLiteral("host") << lines({"cpu=1@1000000.0 #alpha"})
                           << Counts{1, 0, 0, 0, 0, 0};
    QTest::newRow("numeric label is not a sample")
        << QByteArray(R"({"host":7,"cpu":1})") << none << autoUnit << QStringLiteral("host")
        << lines({"cpu=1@1000000.0 #7"}) << Counts{1, 0, 0, 0, 0, 0};
    QTest::newRow("label absent") << QByteArray(R"({"cpu":1})") << none << autoUnit
                                  << QStringLiteral("host") << lines({"cpu=1@1000000.0"})
                                  << Counts{1, 0, 0, 0, 0, 0};
    QTest::newRow("label only at the top")
        << QByteArray(R"({"x":{"host":5}})") << none << autoUnit << QStringLiteral("host")
        << lines({"x.host=5@1000000.0"}) << Counts{1, 0, 0, 0, 0, 0};
    QTest::newRow("batch of labels and times")
        << QByteArray(R"([{"host":"a","ts":1,"cpu":1},{"host":"b","ts":2,"cpu":2}])")
        << QStringLiteral("ts") << QStringLiteral("s") << QStringLiteral("host")
        << lines({"cpu=1@1000.0 #a", "cpu=2@2000.0 #b"}) << Counts{2, 0, 0, 0, 0, 0};

    // Bad input
    QTest::newRow("malformed object") << QByteArray(R"({"a":1)") << none << autoUnit << none
                                      << QStringList{} << Counts{0, 1, 0, 0, 0, 0};
    QTest::newRow("malformed array") << QByteArray("  [1, 2") << none << autoUnit << none
                                     << QStringList{} << Counts{0, 1, 0, 0, 0, 0};
    QTest::newRow("garbage after the object") << QByteArray(R"({"a":1}})") << none << autoUnit
                                              << none << QStringList{} << Counts{0, 1, 0, 0, 0, 0};
    QTest::newRow("NaN and infinities, bare and as strings") << QByteArray(
        R"({"a":NaN,"b":Infinity,"c":-Infinity,"d":1e999,"e":1,"f":"NaN","g":"-inf","h":1e-999,"s":"NaN is not a number"})")
                                                             << none << autoUnit << none
                                                             << lines({"e=1@1000000.0",
                                                                    "h=0@1000000.0"})
                                                             << Counts{2, 0, 0, 6, 0, 0};
    QTest::newRow("NaN in a string is left alone")
        << QByteArray(R"({"note":"NaN, Infinity","a":1})") << none << autoUnit << none
        << lines({"a=1@1000000.0"}) << Counts{1, 0, 0, 0, 0, 0};
    QTest::newRow("NaN and still malformed") << QByteArray(R"({"a":NaN,)") << none << autoUnit
                                             << none << QStringList{} << Counts{0, 1, 0, 0, 0, 0};
    QTest::newRow("plain NaN") << QByteArray("NaN") << none << autoUnit << none << QStringList{}
                               << Counts{0, 0, 0, 1, 0, 0};
    QTest::newRow("plain -Infinity") << QByteArray("-Infinity") << none << autoUnit << none
                                     << QStringList{} << Counts{0, 0, 0, 1, 0, 0};
    QTest::newRow("plain 1e999") << QByteArray("1e999") << none << autoUnit << none << QStringList{}
                                 << Counts{0, 0, 0, 1, 0, 0};
}

void TestMetricExtractor::extract()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, timeField);
    QFETCH(QString, unit);
    QFETCH(QString, labelField);
    QFETCH(QStringList, samples);
    QFETCH(Counts, counts);

    MetricExtractor extractor;
    const std::optional<TimeUnit> timeUnit = timeUnitFromName(unit);
    QVERIFY(timeUnit);
    extractor.setSettings({timeField, *timeUnit, labelField});
    QList<MetricSample> out;
    extractor.extract(payload, Arrival, &out);
    QCOMPARE(describe(out), sorted(samples));
    QCOMPARE(countsOf(extractor.counts()), counts);
    QCOMPARE(extractor.counts().payloads, quint64(1));
}

void TestMetricExtractor::flatPayloadsReadAsTheWalkReadsThem_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("flat"); // FlatJsonObject takes it; else it goes to QJsonDocument

    QTest::newRow("small metrics") << QByteArray(R"({"cpu":0.42,"seq":17})") << true;
    QTest::newRow("keys out of order") << QByteArray(R"({"b":1,"a0":2,"A":3,"a":4,"_":5})") << true;
    QTest::newRow("spaces everywhere") << QByteArray(" \r\n{ \"a\" :\t1 , \"b\":\n2 }\n ") << true;
    QTest::newRow("every kind of value")
        << QByteArray(R"({"n":-1.5e+3,"z":-0,"t":true,"f":false,"x":null,"s":"host","q":" 1e3 "})")
        << true;
    QTest::newRow("negative zeros") << QByteArray(R"({"a":-0,"b":-0.0,"c":-0e0})") << true;
    QTest::newRow("numbers as strings")
        << QByteArray(R"({"a":"0.42","b":"-7","c":"12abc","d":"0x10","e":"","f":"1,5","g":"+4"})")
        << true;
    QTest::newRow("NaN and Infinity as strings")
        << QByteArray(R"({"a":"NaN","b":"-Infinity","c":"inf","d":"nano"})") << true;
    QTest::newRow("big integers") << QByteArray(
        R"({"a":9007199254740993,"b":18446744073709551615,"c":123456789012345678901234567890})")
                                  << true;
    QTest::newRow("fractions at the edge")
        << QByteArray(R"({"a":0.1,"b":2.2250738585072014e-308,"c":1.7976931348623157e308})")
        << true;
    QTest::newRow("empty object") << QByteArray("{}") << true;
    QTest::newRow("empty object, spaces") << QByteArray("{ }") << true;
    QTest::newRow("64 members") << objectOfMembers(64) << true;
    QTest::newRow("65 members") << objectOfMembers(65) << false;
    QTest::newRow("nested") << QByteArray(R"({"net":{"rx":1},"cpu":2})") << false;
    QTest::newRow("array member") << QByteArray(R"({"load":[1,2]})") << false;
    QTest::newRow("escape in a key") << QByteArray(R"({"a\"b":1})") << false;
    QTest::newRow("escape in a value") << QByteArray(R"({"a":"1\u0030"})") << false;
    QTest::newRow("non-ASCII key") << QByteArray("{\"caf\xc3\xa9\":1}") << false;
    QTest::newRow("non-ASCII value") << QByteArray("{\"a\":\"\xd9\xa3\"}") << false;
    QTest::newRow("duplicate keys") << QByteArray(R"({"a":1,"a":2})") << false;
    QTest::newRow("bare NaN") << QByteArray(R"({"a":NaN,"b":1})") << false;
    QTest::newRow("1e999") << QByteArray(R"({"a":1e999,"b":1})") << false;
    QTest::newRow("1e-999") << QByteArray(R"({"a":1e-999,"b":1})") << false;
    QTest::newRow("leading zero") << QByteArray(R"({"a":01})") << false;
    QTest::newRow("plus sign") << QByteArray(R"({"a":+1})") << false;
    QTest::newRow("point without digits") << QByteArray(R"({"a":1.})") << false;
    QTest::newRow("trailing comma") << QByteArray(R"({"a":1,})") << false;
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << false;
    QTest::newRow("unterminated") << QByteArray(R"({"a":1)") << false;
    QTest::newRow("trailing text") << QByteArray(R"({"a":1} x)") << false;
    QTest::newRow("two objects") << QByteArray(R"({"a":1}{"b":2})") << false;
    QTest::newRow("vertical tab between tokens") << QByteArray("{\"a\":\v1}") << false;
    QTest::newRow("tab inside a string") << QByteArray("{\"a\":\"x\ty\"}") << false;
    QTest::newRow("truex") << QByteArray(R"({"a":truex})") << false;
}

// The flat reader is a shortcut: whatever it takes must give the samples (in order) and counts
// the QJsonDocument walk gives, and what it declines goes the walk's way unchanged. A label
// field no payload has sends the same payload down the walk, for the reference.
void TestMetricExtractor::flatPayloadsReadAsTheWalkReadsThem()
{
    QFETCH(QByteArray, payload);
    QFETCH(bool, flat);

    FlatJsonObject reader;
    QCOMPARE(reader.read(payload), flat);

    MetricExtractor shortcut;
    MetricExtractor walk;
    walk.setSettings({QString(), TimeUnit::Auto, QStringLiteral("no such field")});
    QList<MetricSample> fromShortcut;
    QList<MetricSample> fromWalk;
    shortcut.extract(payload, Arrival, &fromShortcut);
    walk.extract(payload, Arrival, &fromWalk);
    QCOMPARE(fromShortcut.size(), fromWalk.size());
    for (qsizetype i = 0; i < fromWalk.size(); ++i) {
        QCOMPARE(fromShortcut[i].path, fromWalk[i].path);
        QCOMPARE(fromShortcut[i].label, fromWalk[i].label);
        QCOMPARE(fromShortcut[i].timeMs, fromWalk[i].timeMs);
        QCOMPARE(fromShortcut[i].value, fromWalk[i].value);
        QCOMPARE(std::signbit(fromShortcut[i].value), std::signbit(fromWalk[i].value));
    }
    QCOMPARE(countsOf(shortcut.counts()), countsOf(walk.counts()));
}

void TestMetricExtractor::countsAddUpOverPayloads()
{
    MetricExtractor extractor;
    extractor.setSettings({QStringLiteral("ts"), TimeUnit::Auto, QString()});
    QList<MetricSample> out{MetricSample{QStringLiteral("kept"), {}, 0, 0}};
    for (const QByteArray &payload : {QByteArray(R"({"a":1,"ts":5})"), QByteArray("{"),
             QByteArray("text"), QByteArray(R"({"a":NaN})"), QByteArray("7")}) {
        extractor.extract(payload, Arrival, &out);
    }
    QCOMPARE(out.size(), 3); // appended after what was there
    QCOMPARE(out.first().path, QStringLiteral("kept"));
    ExtractionCounts expected;
    expected.payloads = 5;
    expected.samples = 2;
    expected.malformed = 1;
    expected.notJson = 1;
    expected.invalidNumbers = 1;
    expected.missingTime = 1; // the NaN payload has no ts; plain payloads have no field to read
    QCOMPARE(countsOf(extractor.counts()), countsOf(expected));
    QCOMPARE(extractor.counts().payloads, quint64(5));
}

void TestMetricExtractor::tooDeepIsTruncatedKeepingTheRest()
{
    // {"top":1,"n":{"n":{... 40 levels ...{"deep":2}}}}: the top stays, the depths go.
    QByteArray payload = R"({"top":1)";
    for (int i = 0; i < 40; ++i) {
        payload += R"(,"n":{"x":)" + QByteArray::number(i);
    }
    payload += QByteArray(41, '}');
    MetricExtractor extractor;
    QList<MetricSample> out;
    extractor.extract(payload, Arrival, &out);
    QCOMPARE(extractor.counts().truncated, quint64(1));
    QCOMPARE(out.size(), qsizetype(MetricExtractor::MaxDepth)); // top, then x of depths 2..32
    QCOMPARE(extractor.counts().samples, quint64(out.size()));
    QVERIFY(describe(out).contains(QStringLiteral("top=1@1000000.0")));
}

void TestMetricExtractor::tooManyLeavesIsTruncatedAtTheCap()
{
    QByteArray batch = "[";
    for (int i = 0; i < 6000; ++i) {
        batch += (i ? "," : "") + QByteArray(R"({"a":1,"b":2})");
    }
    batch += "]";
    MetricExtractor extractor;
    QList<MetricSample> out;
    extractor.extract(batch, Arrival, &out);
    QCOMPARE(out.size(), qsizetype(MetricExtractor::MaxLeaves));
    QCOMPARE(extractor.counts().truncated, quint64(1));

    // Exactly at the cap is not truncated.
    QByteArray full = "[0";
    for (int i = 1; i < MetricExtractor::MaxLeaves; ++i) {
        full += ",1";
    }
    full += "]";
    out.clear();
    extractor.extract(full, Arrival, &out);
    QCOMPARE(out.size(), qsizetype(MetricExtractor::MaxLeaves));
    QCOMPARE(extractor.counts().truncated, quint64(1));
}

void TestMetricExtractor::detectUnit_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<TimeUnit>("unit");

    QTest::newRow("now in s") << 1.7e9 << TimeUnit::Seconds;
    QTest::newRow("just below 1e11") << 99'999'999'999.0 << TimeUnit::Seconds;
    QTest::newRow("1e11") << 1e11 << TimeUnit::Milliseconds;
    QTest::newRow("now in ms") << 1.7e12 << TimeUnit::Milliseconds;
    QTest::newRow("1e14") << 1e14 << TimeUnit::Microseconds;
    QTest::newRow("now in us") << 1.7e15 << TimeUnit::Microseconds;
    QTest::newRow("1e17") << 1e17 << TimeUnit::Nanoseconds;
    QTest::newRow("now in ns") << 1.7e18 << TimeUnit::Nanoseconds;
    QTest::newRow("negative seconds") << -5.0 << TimeUnit::Seconds;
}

void TestMetricExtractor::detectUnit()
{
    QFETCH(double, value);
    QFETCH(TimeUnit, unit);
    QCOMPARE(MetricExtractor::detectUnit(value), unit);
}

void TestMetricExtractor::timeToMs_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<TimeUnit>("unit");
    QTest::addColumn<bool>("readable");
    QTest::addColumn<double>("ms");

    QTest::newRow("number, auto") << QJsonValue(1.7e9) << TimeUnit::Auto << true << 1.7e12;
    QTest::newRow("string, ms") << QJsonValue(QStringLiteral(" 1500 ")) << TimeUnit::Milliseconds
                                << true << 1500.0;
    QTest::newRow("ISO, UTC") << QJsonValue(QStringLiteral("1970-01-01T00:00:01.5Z"))
                              << TimeUnit::Auto << true << 1500.0;
    QTest::newRow("ISO, negative offset") << QJsonValue(QStringLiteral("1970-01-01T00:00:00-01:00"))
                                          << TimeUnit::Auto << true << 3'600'000.0;
    QTest::newRow("text") << QJsonValue(QStringLiteral("yesterday")) << TimeUnit::Auto << false
                          << 0.0;
    QTest::newRow("null") << QJsonValue() << TimeUnit::Auto << false << 0.0;
    QTest::newRow("object") << QJsonValue(QJsonObject()) << TimeUnit::Auto << false << 0.0;
    QTest::newRow("infinite string")
        << QJsonValue(QStringLiteral("inf")) << TimeUnit::Auto << false << 0.0;
}

void TestMetricExtractor::timeToMs()
{
    QFETCH(QJsonValue, value);
    QFETCH(TimeUnit, unit);
    QFETCH(bool, readable);
    QFETCH(double, ms);
    const std::optional<double> time = MetricExtractor::timeToMs(value, unit);
    QCOMPARE(time.has_value(), readable);
    if (readable) {
        QCOMPARE(*time, ms);
    }
}

void TestMetricExtractor::timeUnitNamesRoundTrip()
{
    for (const TimeUnit unit : {TimeUnit::Auto, TimeUnit::Seconds, TimeUnit::Milliseconds,
             TimeUnit::Microseconds, TimeUnit::Nanoseconds}) {
        QCOMPARE(timeUnitFromName(timeUnitName(unit)), unit);
    }
    QCOMPARE(timeUnitFromName(u"\u00b5s"), TimeUnit::Microseconds);
    QVERIFY(!timeUnitFromName(u"minutes"));
}

QTEST_APPLESS_MAIN(TestMetricExtractor)
#include "tst_metricextractor.moc"
