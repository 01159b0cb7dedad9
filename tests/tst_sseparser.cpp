// SPDX-License-Identifier: GPL-3.0-or-later
#include "sseparser.h"

#include <QRandomGenerator>
#include <QTest>

using namespace streamscope;

namespace streamscope {
bool operator==(const SseEvent &a, const SseEvent &b)
{
    return a.type == b.type && a.data == b.data && a.lastEventId == b.lastEventId;
}
char *toString(const SseEvent &e)
{
    return QTest::toString("{type: " + e.type.toPercentEncoding(" ") + ", data: "
        + e.data.toPercentEncoding(" ") + ", id: " + e.lastEventId.toPercentEncoding(" ") + "}");
}
} // namespace streamscope

namespace {

SseEvent sse(const QByteArray &data, const QByteArray &type = "message", const QByteArray &id = {})
{
    return SseEvent{type, data, id};
}

struct Parsed
{
    QList<SseEvent> events;
    QList<int> retries;
    QStringList errors;
    QByteArray lastEventId;
};

Parsed parse(const QByteArrayList &chunks, qsizetype cap = SseParser::DefaultMaxEventBytes)
{
    Parsed parsed;
    SseParser parser(cap);
    parser.setEventHandler([&](const SseEvent &e) {
        parsed.events.append(e);
        return true;
    });
    parser.setRetryHandler([&](int ms) {
        parsed.retries.append(ms);
        return true;
    });
    parser.setErrorHandler([&](const QString &message) {
        parsed.errors.append(message);
        return true;
    });
    for (const QByteArray &chunk : chunks) {
        parser.feed(chunk);
    }
    parser.finish();
    parsed.lastEventId = parser.lastEventId();
    return parsed;
}

QByteArrayList bytewise(const QByteArray &input)
{
    QByteArrayList chunks;
    for (char c : input) {
        chunks.append(QByteArray(1, c));
    }
    return chunks;
}

// Splits after every CR, so a CRLF pair always straddles two chunks.
QByteArrayList splitAfterCarriageReturns(const QByteArray &input)
{
    QByteArrayList chunks;
    qsizetype start = 0;
    for (qsizetype i = 0; i < input.size(); ++i) {
        if (input.at(i) == '\r') {
            chunks.append(input.mid(start, i + 1 - start));
            start = i + 1;
        }
    }
    chunks.append(input.mid(start));
    return chunks;
}

QByteArrayList randomChunks(const QByteArray &input, quint32 seed)
{
    QRandomGenerator random(seed);
    QByteArrayList chunks;
    for (qsizetype i = 0; i < input.size();) {
        const qsizetype n = random.bounded(1, 8);
        chunks.append(input.mid(i, n));
        i += n;
    }
    return chunks;
}

} // namespace

class TestSseParser : public QObject
{
    Q_OBJECT
private slots:
    void whatwgRules_data();
    void whatwgRules();
    void initialLastEventIdHoldsUntilServerSendsOne();
    void eventOverCapIsDroppedAndParsingResumes_data();
    void eventOverCapIsDroppedAndParsingResumes();
    void defaultCapAllowsLargeEventsAndDropsLarger();
    void handlerCanStopParsing();
    void handlerCanResetParser();
};

void TestSseParser::whatwgRules_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QList<SseEvent>>("events");
    QTest::addColumn<QList<int>>("retries");
    QTest::addColumn<QByteArray>("lastEventId");

    using Events = QList<SseEvent>;
    using Retries = QList<int>;
    auto row = [](const char *name, const QByteArray &input, const Events &events,
                   const Retries &retries = {}, const QByteArray &lastId = {}) {
        QTest::newRow(name) << input << events << retries << lastId;
    };

    // Fields and values.
    row("one event", "data: hello\n\n", {sse("hello")});
    row("no space after colon", "data:hello\n\n", {sse("hello")});
    row("only one space removed", "data:  two\n\n", {sse(" two")});
    row("trailing spaces kept", "data: a  \n\n", {sse("a  ")});
    row("colon inside value", "data: a:b: c\n\n", {sse("a:b: c")});
    row("multi-line data joined by LF", "data: a\ndata: b\ndata: c\n\n", {sse("a\nb\nc")});
    row("field without colon: empty data", "data\n\n", {sse("")});
    row("two empty data lines give one LF", "data:\ndata:\n\n", {sse("\n")});
    row("NUL inside data kept", QByteArray("data: a\0b\n\n", 11), {sse(QByteArray("a\0b", 3))});
    row("unknown field ignored", "foo: bar\ndata: a\n\n", {sse("a")});
    row("field names are case-sensitive", "Data: x\nDATA: y\n\n", {});
    row("space before colon is part of the name", "data : x\n\n", {});
    row("comment lines ignored", ": hi\ndata: a\n:\n: more\n\n", {sse("a")});
    row("comment only stream", ": keep-alive\n\n: keep-alive\n\n", {});
    row("blank lines before first event", "\n\n\n\ndata: a\n\n", {sse("a")});
    row("empty data buffer not dispatched", "event: x\nid: 1\n\n", {}, {}, "1");

    // Event type.
    row("event type", "event: update\ndata: x\n\n", {sse("x", "update")});
    row("type resets after dispatch", "event: a\ndata: 1\n\ndata: 2\n\n",
        {sse("1", "a"), sse("2")});
    row("type resets without dispatch", "event: a\n\ndata: 2\n\n", {sse("2")});
    row("empty type is message", "event\ndata: x\n\n", {sse("x")});
    row("last event line wins", "event: a\nevent: b\ndata: x\n\n", {sse("x", "b")});

    // Last event ID.
    row("id persists across events", "id: 1\ndata: a\n\ndata: b\n\n",
        {sse("a", "message", "1"), sse("b", "message", "1")}, {}, "1");
    row("empty id clears it", "id: 1\ndata: a\n\nid\ndata: b\n\n",
        {sse("a", "message", "1"), sse("b")}, {}, "");
    row("id containing NUL ignored", QByteArray("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n", 32),
        {sse("a", "message", "1"), sse("b", "message", "1")}, {}, "1");
    row("id without data sets last id", "id: 7\n\n", {}, {}, "7");
    row("id with colon", "id: a:b\ndata: x\n\n", {sse("x", "message", "a:b")}, {}, "a:b");
    row("id of undispatched final event not kept", "id: 1\ndata: a\n\nid: 2\ndata: b\n",
        {sse("a", "message", "1")}, {}, "1");

    // retry.
    row("retry applied", "retry: 1500\n", {}, {1500});
    row("retry without space", "retry:42\ndata: x\n\n", {sse("x")}, {42});
    row("retry not all digits ignored",
        "retry: 15x\nretry: -1\nretry: 1.5\nretry:\nretry:  100\n\n", {});
    row("retry huge value saturates", "retry: 99999999999999\n", {}, {2147483647});
    row("retry zero", "retry: 0\n", {}, {0});

    // Line endings.
    row("CRLF", "data: a\r\ndata: b\r\n\r\n", {sse("a\nb")});
    row("lone CR", "data: a\rdata: b\r\r", {sse("a\nb")});
    row("mixed endings", "data: a\r\n\rdata: b\n\r\ndata: c\r\r", {sse("a"), sse("b"), sse("c")});
    row("CR CR is a blank line", "data: a\r\rdata: b\r\n\r\n", {sse("a"), sse("b")});
    row("LF CR is two line ends", "data: a\n\rdata: b\n\n", {sse("a"), sse("b")});

    // End of stream.
    row("unterminated event discarded", "data: a\n\ndata: b\n", {sse("a")});
    row("unterminated line discarded", "data: a", {});
    row("event ended by CR at end", "data: a\r\r", {sse("a")});

    // UTF-8 decoding.
    row("leading BOM skipped",
        "\xEF\xBB\xBF"
        "data: a\n\n",
        {sse("a")});
    row("second BOM is not skipped",
        "\xEF\xBB\xBF\xEF\xBB\xBF"
        "data: a\n\n",
        {});
    row("BOM inside data kept",
        "data: \xEF\xBB\xBF"
        "a\n\n",
        {sse("\xEF\xBB\xBF"
             "a")});
    row("partial BOM decodes as one replacement",
        "\xEF\xBB"
        "data: a\n\n",
        {});
    row("partial BOM in a value line",
        "\xEF\xBB\n"
        "data: a\n\n",
        {sse("a")});
    row("valid multibyte text", "event: \xC3\xBCnits\ndata: \xE2\x82\xAC \xF0\x9F\x98\x80\n\n",
        {sse("\xE2\x82\xAC \xF0\x9F\x98\x80", "\xC3\xBCnits")});
    row("ASCII and non-ASCII data lines mixed", "data: a\ndata: \xC3\xBC\ndata: \xFF\ndata: b\n\n",
        {sse("a\n\xC3\xBC\n\xEF\xBF\xBD\nb")});
    row("invalid byte replaced",
        "data: a\xFF"
        "b\n\n",
        {sse("a\xEF\xBF\xBD"
             "b")});
    row("truncated sequence before LF", "data: \xC3\n\n", {sse("\xEF\xBF\xBD")});
    row("truncated 4-byte sequence is one replacement",
        "data: \xF0\x9F\x98"
        "x\n\n",
        {sse("\xEF\xBF\xBD"
             "x")});
    row("surrogate bytes are three replacements", "data: \xED\xA0\x80\n\n",
        {sse("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")});
    row("overlong encoding replaced", "data: \xC0\xAF\n\n", {sse("\xEF\xBF\xBD\xEF\xBF\xBD")});
    row("invalid byte in id replaced", "id: \xFE\ndata: x\n\n",
        {sse("x", "message", "\xEF\xBF\xBD")}, {}, "\xEF\xBF\xBD");
}

void TestSseParser::whatwgRules()
{
    QFETCH(QByteArray, input);
    QFETCH(QList<SseEvent>, events);
    QFETCH(QList<int>, retries);
    QFETCH(QByteArray, lastEventId);

    const QList<QPair<const char *, QByteArrayList>> chunkings{
        {"whole", {input}},
        {"byte by byte", bytewise(input)},
        {"split after each CR", splitAfterCarriageReturns(input)},
        {"random chunks", randomChunks(input, 7)},
    };
    for (const auto &[name, chunks] : chunkings) {
        const Parsed parsed = parse(chunks);
        const QByteArray context = QByteArray("chunking: ") + name;
        QVERIFY2(parsed.events == events,
            context + ": got " + QByteArray::number(parsed.events.size()) + " events");
        QVERIFY2(parsed.retries == retries, context.constData());
        QVERIFY2(parsed.lastEventId == lastEventId,
            context + ": last event id " + parsed.lastEventId.toPercentEncoding());
        QVERIFY2(parsed.errors.isEmpty(), context.constData());
    }
}

void TestSseParser::initialLastEventIdHoldsUntilServerSendsOne()
{
    SseParser parser;
    QList<SseEvent> events;
    parser.setEventHandler([&](const SseEvent &e) {
        events.append(e);
        return true;
    });
    parser.reset("resume-41");
    parser.feed("data: a\n\nid: 42\ndata: b\n\n");
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).lastEventId, QByteArray("resume-41"));
    QCOMPARE(events.at(1).lastEventId, QByteArray("42"));
    QCOMPARE(parser.lastEventId(), QByteArray("42"));
}

void TestSseParser::eventOverCapIsDroppedAndParsingResumes_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QList<SseEvent>>("events");

    const QByteArray big(100, 'x');
    const QByteArray ok = "data: ok\n\n";
    QTest::newRow("one long data line")
        << QByteArrayList{"data: " + big + "\n\n" + ok} << QList<SseEvent>{sse("ok")};
    QTest::newRow("long line across chunks")
        << QByteArrayList{"data: " + big.left(30), big.mid(30, 40), big.mid(70) + "\n\n", ok}
        << QList<SseEvent>{sse("ok")};
    QTest::newRow("many short lines add up")
        << QByteArrayList{QByteArray("data: 0123456789\n").repeated(8) + "\n" + ok}
        << QList<SseEvent>{sse("ok")};
    QTest::newRow("long event type line")
        << QByteArrayList{"event: " + big + "\ndata: lost\n\n" + ok} << QList<SseEvent>{sse("ok")};
    QTest::newRow("id of a dropped event still counts") << QByteArrayList{
        "id: 5\ndata: " + big + "\n\n" + ok} << QList<SseEvent>{sse("ok", "message", "5")};
    QTest::newRow("events before are kept") << QByteArrayList{ok + "data: " + big + "\n\n" + ok}
                                            << QList<SseEvent>{sse("ok"), sse("ok")};
}

void TestSseParser::eventOverCapIsDroppedAndParsingResumes()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QList<SseEvent>, events);
    const Parsed parsed = parse(chunks, 64);
    QCOMPARE(parsed.events, events);
    QCOMPARE(parsed.errors.size(), 1);
    QVERIFY2(parsed.errors.first().contains(QStringLiteral("64 bytes")),
        qPrintable(parsed.errors.first()));

    const Parsed bytewiseParsed = parse(bytewise(chunks.join()), 64);
    QCOMPARE(bytewiseParsed.events, events);
    QCOMPARE(bytewiseParsed.errors.size(), 1);
}

void TestSseParser::defaultCapAllowsLargeEventsAndDropsLarger()
{
    const QByteArray eightMiB(8 * 1024 * 1024, 'a');
    const QByteArray seventeenMiB(17 * 1024 * 1024, 'b');
    QByteArray stream = "data: " + eightMiB + "\n\ndata: " + seventeenMiB + "\n\ndata: after\n\n";
    QByteArrayList chunks;
    for (qsizetype i = 0; i < stream.size(); i += 1024) {
        chunks.append(stream.mid(i, 1024));
    }
    const Parsed parsed = parse(chunks);
    QCOMPARE(parsed.events.size(), 2);
    QVERIFY(parsed.events.at(0).data == eightMiB);
    QCOMPARE(parsed.events.at(1).data, QByteArray("after"));
    QCOMPARE(parsed.errors.size(), 1);
    QVERIFY2(parsed.errors.first().contains(QStringLiteral("16 MiB")),
        qPrintable(parsed.errors.first()));
}

void TestSseParser::handlerCanStopParsing()
{
    SseParser parser;
    int seen = 0;
    parser.setEventHandler([&](const SseEvent &) { return ++seen < 2; });
    parser.feed("data: 1\n\ndata: 2\n\ndata: 3\n\n");
    QCOMPARE(seen, 2);
}

void TestSseParser::handlerCanResetParser()
{
    SseParser parser;
    QList<SseEvent> events;
    parser.setEventHandler([&](const SseEvent &e) {
        events.append(e);
        parser.reset("fresh");
        return false;
    });
    parser.feed("id: 1\ndata: 1\n\ndata: 2\n\n");
    QCOMPARE(events.size(), 1);
    QCOMPARE(parser.lastEventId(), QByteArray("fresh"));
    parser.feed("data: 3\n\n");
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(1).lastEventId, QByteArray("fresh"));
}

QTEST_APPLESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
