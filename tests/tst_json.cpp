// SPDX-License-Identifier: GPL-3.0-or-later
#include "json.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace streamscope;

class TestJson : public QObject
{
    Q_OBJECT

private slots:
    void escapes_data();
    void escapes();
    void escapesEveryByteAtEveryOffset();
    void builderMatchesAppendString_data();
    void builderMatchesAppendString();
    void builderTakesBackUnusedRoom();
    void records_data();
    void records();
};

void TestJson::escapes_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << QByteArray("abc") << QByteArray(R"("abc")");
    QTest::newRow("empty") << QByteArray() << QByteArray(R"("")");
    QTest::newRow("quote and backslash") << QByteArray(R"(a"b\c)") << QByteArray(R"("a\"b\\c")");
    QTest::newRow("named controls") << QByteArray("\n\r\t\b\f") << QByteArray(R"("\n\r\t\b\f")");
    QTest::newRow("other control") << QByteArray("\x01\x1f", 2) << QByteArray(R"("\u0001\u001f")");
    QTest::newRow("utf-8 kept") << QByteArray("h\xc3\xa9") << QByteArray("\"h\xc3\xa9\"");
}

void TestJson::escapes()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QByteArray out("x");
    json::appendString(out, input);
    QCOMPARE(out, "x" + expected);
}

// The escaper scans eight bytes at a time; a plain byte loop is the reference.
void TestJson::escapesEveryByteAtEveryOffset()
{
    const auto reference = [](const QByteArray &input) {
        QByteArray out("\"");
        for (const char c : input) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out += '\\';
                out += c;
            } else if (c == '\n') {
                out += "\\n";
            } else if (c == '\r') {
                out += "\\r";
            } else if (c == '\t') {
                out += "\\t";
            } else if (c == '\b') {
                out += "\\b";
            } else if (c == '\f') {
                out += "\\f";
            } else if (u < 0x20) {
                out += "\\u00" + QByteArray::number(u, 16).rightJustified(2, '0');
            } else {
                out += c;
            }
        }
        return out + '"';
    };
    for (int byte = 0; byte < 256; ++byte) {
        for (int offset = 0; offset < 24; ++offset) {
            QByteArray input(24, 'a');
            input[offset] = char(byte);
            QByteArray out;
            json::appendString(out, input);
            QVERIFY2(out == reference(input),
                qPrintable(QStringLiteral("byte %1 at %2").arg(byte).arg(offset)));
        }
    }
}

void TestJson::builderMatchesAppendString_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("everyNth"); // one byte in n is one to escape; 0: none
    for (const int size : {0, 1, 7, 8, 9, 31, 4096, 4097, 70000}) {
        for (const int everyNth : {0, 1, 3, 16}) {
            QTest::addRow("%d bytes, 1 in %d escaped", size, everyNth) << size << everyNth;
        }
    }
}

// RecordBuilder writes its strings straight into the room it keeps ahead (small ones sized for
// the worst, long ones measured first); either way the bytes are appendString's.
void TestJson::builderMatchesAppendString()
{
    QFETCH(int, size);
    QFETCH(int, everyNth);
    static const char specials[] = {'"', '\\', '\n', '\x01', '\x1f', '\t'};
    QByteArray text(size, 'x');
    for (int i = 0; everyNth > 0 && i < size; i += everyNth) {
        text[i] = specials[(i / qMax(everyNth, 1)) % sizeof specials];
    }
    QByteArray out("before\n");
    json::RecordBuilder(out, "event", 12).string("data", text).number("n", -3).end();

    QByteArray expected("before\n{\"kind\":\"event\",\"t\":12,\"data\":");
    json::appendString(expected, text);
    expected += ",\"n\":-3}\n";
    QCOMPARE(out, expected);
}

void TestJson::builderTakesBackUnusedRoom()
{
    QByteArray out("x");
    {
        json::RecordBuilder record(out, "open", 5);
        record.boolean("ok", true); // no end(): the record is left open, without slack bytes
    }
    QCOMPARE(out, QByteArray(R"(x{"kind":"open","t":5,"ok":true)"));
}

void TestJson::records_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("event") << int(StreamEvent::Kind::Event) << false << QByteArray("cpu")
                           << QByteArray("{\"v\":1}\nx")
                           << QByteArray(
                                  R"({"kind":"event","t":1700000000123,"stream":"m \"1\"",)"
                                  R"("type":"cpu","data":"{\"v\":1}\nx","lastEventId":"7"})");
    QTest::newRow("message") << int(StreamEvent::Kind::Message) << false << QByteArray()
                             << QByteArray("hi")
                             << QByteArray(R"({"kind":"message","t":1700000000123,)"
                                           R"("stream":"m \"1\"","data":"hi","binary":false})");
    QTest::newRow("binary message")
        << int(StreamEvent::Kind::Message) << true << QByteArray() << QByteArray("\x00\xff", 2)
        << QByteArray(R"({"kind":"message","t":1700000000123,"stream":"m \"1\"",)"
                      R"("data":"AP8=","binary":true})");
    QTest::newRow("sent") << int(StreamEvent::Kind::Sent) << false << QByteArray()
                          << QByteArray("ping")
                          << QByteArray(R"({"kind":"sent","t":1700000000123,"stream":"m \"1\"",)"
                                        R"("data":"ping"})");
    QTest::newRow("lifecycle") << int(StreamEvent::Kind::Lifecycle) << false
                               << QByteArray("reconnecting")
                               << QByteArray("reconnecting in 1.2 s (attempt 3)")
                               << QByteArray(R"({"kind":"reconnecting","t":1700000000123,)"
                                             R"("stream":"m \"1\"",)"
                                             R"x("message":"reconnecting in 1.2 s (attempt 3)"})x");
    // A lifecycle row's type comes from the data: escaped, so the record stays JSON.
    QTest::newRow("lifecycle kind with a quote")
        << int(StreamEvent::Kind::Lifecycle) << false << QByteArray("odd\"kind") << QByteArray("m")
        << QByteArray(R"({"kind":"odd\"kind","t":1700000000123,"stream":"m \"1\"","message":"m"})");
}

void TestJson::records()
{
    QFETCH(int, kind);
    QFETCH(bool, binary);
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, expected);
    StreamEvent event;
    event.arrivalMs = 1700000000123;
    event.kind = StreamEvent::Kind(kind);
    event.binary = binary;
    event.type = type;
    event.id = event.kind == StreamEvent::Kind::Event ? QByteArray("7") : QByteArray();
    event.data = data;
    const QByteArray record = json::eventRecord(event, "m \"1\"");
    QCOMPARE(record, expected);
    QJsonParseError error;
    QVERIFY(QJsonDocument::fromJson(record, &error).isObject());
    QByteArray line;
    json::appendEventRecord(line, event, "m \"1\"");
    QCOMPARE(line, expected + '\n');
}

QTEST_APPLESS_MAIN(TestJson)
#include "tst_json.moc"
