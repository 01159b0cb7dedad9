// SPDX-License-Identifier: GPL-3.0-or-later
// How streamscope-cli lays out a server's text for a terminal: control characters escaped, line
// breaks indented, everything else byte for byte, wherever the bytes fall in the 8-byte words
// the layout reads at once.
#include "console.h"

#include <QTest>

using namespace streamscope;

namespace {

// The rule in the plainest words, one byte at a time: what appendIndented must agree with.
QByteArray indentedOneByOne(QByteArrayView text, int indent)
{
    QByteArray out;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            out += '\n' + QByteArray(indent, ' ');
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            continue;
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            out += "\\x" + QByteArray::number(c, 16).rightJustified(2, '0');
        } else {
            out += char(c);
        }
    }
    return out;
}

} // namespace

class TestConsole : public QObject
{
    Q_OBJECT

private slots:
    void indented_data();
    void indented();
    void indentedAtEveryOffset_data();
    void indentedAtEveryOffset();
    void indentedAppends();
    void clockTime();
};

void TestConsole::indented_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("indent");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("empty") << QByteArray() << 4 << QByteArray();
    QTest::newRow("plain, shorter than a word") << QByteArray("abc") << 4 << QByteArray("abc");
    QTest::newRow("plain, several words")
        << QByteArray("{\"cpu\":0.42,\"seq\":17}") << 4 << QByteArray("{\"cpu\":0.42,\"seq\":17}");
    QTest::newRow("line feed") << QByteArray("a\nb") << 4 << QByteArray("a\n    b");
    QTest::newRow("CRLF is one break") << QByteArray("a\r\nb") << 2 << QByteArray("a\n  b");
    QTest::newRow("lone CR escaped") << QByteArray("a\rb") << 2 << QByteArray("a\\x0db");
    QTest::newRow("CR at the end") << QByteArray("ab\r") << 2 << QByteArray("ab\\x0d");
    QTest::newRow("tab kept") << QByteArray("a\tb\t\t\t\t\t\t\tc") << 4
                              << QByteArray("a\tb\t\t\t\t\t\t\tc");
    QTest::newRow("escape sequence defused")
        << QByteArray("\x1b[31mred") << 4 << QByteArray("\\x1b[31mred");
    QTest::newRow("DEL") << QByteArray("x\x7fy") << 4 << QByteArray("x\\x7fy");
    QTest::newRow("NUL") << QByteArray("x\0y", 3) << 4 << QByteArray("x\\x00y");
    QTest::newRow("UTF-8 untouched") << QByteArray("caf\xc3\xa9 \xf0\x9f\x98\x80 ok") << 4
                                     << QByteArray("caf\xc3\xa9 \xf0\x9f\x98\x80 ok");
    QTest::newRow("indent 0") << QByteArray("a\nb\n") << 0 << QByteArray("a\nb\n");
    QTest::newRow("break at the end")
        << QByteArray("abcdefgh\n") << 3 << QByteArray("abcdefgh\n   ");
    QTest::newRow("CRLF across two words")
        << QByteArray("abcdefg\r\nhijklmno") << 1 << QByteArray("abcdefg\n hijklmno");
}

void TestConsole::indented()
{
    QFETCH(QByteArray, text);
    QFETCH(int, indent);
    QFETCH(QByteArray, expected);

    QByteArray out;
    console::appendIndented(out, text, indent);
    QCOMPARE(out, expected);
    QCOMPARE(indentedOneByOne(text, indent), expected);
}

void TestConsole::indentedAtEveryOffset_data()
{
    QTest::addColumn<QByteArray>("special");
    QTest::newRow("line feed") << QByteArray("\n");
    QTest::newRow("CRLF") << QByteArray("\r\n");
    QTest::newRow("lone CR") << QByteArray("\r");
    QTest::newRow("tab") << QByteArray("\t");
    QTest::newRow("0x01") << QByteArray("\x01");
    QTest::newRow("0x1f") << QByteArray("\x1f");
    QTest::newRow("space") << QByteArray(" ");
    QTest::newRow("DEL") << QByteArray("\x7f");
    QTest::newRow("0x80") << QByteArray("\x80");
    QTest::newRow("0xff") << QByteArray("\xff");
}

// Each special byte at each offset of texts up to three words long, at three indents: the word-wise
// scan must neither miss one nor see one that is not there.
void TestConsole::indentedAtEveryOffset()
{
    QFETCH(QByteArray, special);
    for (int length = 1; length <= 24; ++length) {
        for (int at = 0; at + special.size() <= length; ++at) {
            QByteArray text(length, 'x');
            text.replace(at, special.size(), special);
            for (const int indent : {0, 1, 3}) { // 1: CRLF keeps the size, yet changes
                QByteArray out;
                console::appendIndented(out, text, indent);
                QCOMPARE(out, indentedOneByOne(text, indent));
            }
        }
    }
}

void TestConsole::indentedAppends()
{
    QByteArray out("before ");
    console::appendIndented(out, "one\ntwo", 2);
    console::appendIndented(out, " three", 2);
    QCOMPARE(out, QByteArray("before one\n  two three"));
}

void TestConsole::clockTime()
{
    QByteArray out("at ");
    console::appendClockTime(out);
    QCOMPARE(out.size(), 3 + 12);
    const QTime time = QTime::fromString(QString::fromLatin1(out.mid(3)), u"HH:mm:ss.zzz");
    QVERIFY2(time.isValid(), out.constData());
}

QTEST_GUILESS_MAIN(TestConsole)
#include "tst_console.moc"
