// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventlogfilter.h"
#include "eventlogmodel.h"
#include "logexport.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace streamscope;

using Kind = StreamEvent::Kind;

class TestLogExport : public QObject
{
    Q_OBJECT

private slots:
    void ndjsonRecords();
    void csvField_data();
    void csvField();
    void csvRows();
    void filteredProxyWritesVisibleRowsOnly();
    void largeLogToFile();
    void writeErrors();
    void formatForFileName_data();
    void formatForFileName();
};

namespace {

StreamEvent makeEvent(qint64 t, int stream, Kind kind, const QByteArray &type, const QByteArray &id,
    const QByteArray &data, bool binary = false)
{
    StreamEvent event;
    event.arrivalMs = t;
    event.streamId = stream;
    event.kind = kind;
    event.type = type;
    event.id = id;
    event.data = data;
    event.binary = binary;
    return event;
}

// A log with one row of each kind, streams named "metrics" (1) and "ws" (2).
void fill(EventLogModel &model)
{
    model.setStreamNameFunction([](int id) {
        return id == 1 ? QStringLiteral("metrics") : QStringLiteral("ws, \"main\"");
    });
    model.append(makeEvent(1000, 1, Kind::Lifecycle, "open", "", "200 OK"));
    model.append(makeEvent(1001, 1, Kind::Event, "metric", "7", "{\"cpu\":0.5}\nsecond line"));
    model.append(makeEvent(1002, 2, Kind::Sent, "", "", "{\"subscribe\":\"cpu\"}"));
    model.append(makeEvent(1003, 2, Kind::Message, "", "", QByteArray("\x00\x01\xff", 3), true));
    model.append(makeEvent(1004, 2, Kind::Message, "", "", "plain, text"));
    model.flush();
}

QList<QJsonObject> parseLines(const QByteArray &ndjson)
{
    QList<QJsonObject> records;
    const QList<QByteArray> lines = ndjson.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (i == lines.size() - 1) {
            if (!lines.at(i).isEmpty()) {
                qWarning("the last line has no newline");
                return {};
            }
            break;
        }
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(lines.at(i), &error);
        if (!document.isObject()) {
            qWarning("line %lld: %s", i + 1, qPrintable(error.errorString()));
            return {};
        }
        records.append(document.object());
    }
    return records;
}

// A device that takes limit bytes and then fails, like a full disk.
class FullDevice : public QIODevice
{
public:
    explicit FullDevice(qint64 limit)
        : m_limit(limit)
    {
        open(QIODevice::WriteOnly);
    }

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *, qint64 size) override
    {
        if (m_written + size > m_limit) {
            setErrorString(QStringLiteral("No space left on device"));
            return -1;
        }
        m_written += size;
        return size;
    }

private:
    qint64 m_limit;
    qint64 m_written = 0;
};

} // namespace

void TestLogExport::ndjsonRecords()
{
    EventLogModel model;
    fill(model);
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const LogExportResult result = exportLog(model, buffer, LogExportFormat::Ndjson);
    QVERIFY2(result.isOk(), qPrintable(result.error));
    QCOMPARE(result.rows, 5);

    const QList<QJsonObject> records = parseLines(buffer.data());
    QCOMPARE(records.size(), 5);
    const auto str = [](const QJsonObject &o, const char *key) {
        return o.value(QLatin1String(key)).toString();
    };
    // The lifecycle row is the CLI's record of that kind.
    QCOMPARE(str(records[0], "kind"), QStringLiteral("open"));
    QCOMPARE(records[0].value(QStringLiteral("t")).toInteger(), 1000);
    QCOMPARE(str(records[0], "stream"), QStringLiteral("metrics"));

    QCOMPARE(str(records[1], "kind"), QStringLiteral("event"));
    QCOMPARE(records[1].value(QStringLiteral("t")).toInteger(), 1001);
    QCOMPARE(str(records[1], "type"), QStringLiteral("metric"));
    QCOMPARE(str(records[1], "lastEventId"), QStringLiteral("7"));
    QCOMPARE(str(records[1], "data"), QStringLiteral("{\"cpu\":0.5}\nsecond line"));

    QCOMPARE(str(records[2], "kind"), QStringLiteral("sent"));
    QCOMPARE(str(records[2], "stream"), QStringLiteral("ws, \"main\""));
    QCOMPARE(str(records[2], "data"), QStringLiteral("{\"subscribe\":\"cpu\"}"));

    QCOMPARE(str(records[3], "kind"), QStringLiteral("message"));
    QCOMPARE(records[3].value(QStringLiteral("binary")).toBool(), true);
    QCOMPARE(
        QByteArray::fromBase64(str(records[3], "data").toLatin1()), QByteArray("\x00\x01\xff", 3));
    QCOMPARE(records[4].value(QStringLiteral("binary")).toBool(), false);
}

void TestLogExport::csvField_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("field");
    QTest::newRow("plain") << QByteArray("metric") << QByteArray("metric");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("comma") << QByteArray("a,b") << QByteArray("\"a,b\"");
    QTest::newRow("quote") << QByteArray("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
    QTest::newRow("only a quote") << QByteArray("\"") << QByteArray("\"\"\"\"");
    QTest::newRow("LF") << QByteArray("a\nb") << QByteArray("\"a\nb\"");
    QTest::newRow("CR") << QByteArray("a\rb") << QByteArray("\"a\rb\"");
    QTest::newRow("leading space") << QByteArray(" a") << QByteArray("\" a\"");
    QTest::newRow("JSON") << QByteArray("{\"cpu\":0.5,\"mem\":1}")
                          << QByteArray("\"{\"\"cpu\"\":0.5,\"\"mem\"\":1}\"");
    QTest::newRow("UTF-8 as is") << QByteArray("M\xc3\xbcnchen") << QByteArray("M\xc3\xbcnchen");
}

void TestLogExport::csvField()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, field);
    QByteArray out("x,");
    csv::appendField(out, value);
    QCOMPARE(out, "x," + field);
}

void TestLogExport::csvRows()
{
    EventLogModel model;
    fill(model);
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const LogExportResult result = exportLog(model, buffer, LogExportFormat::Csv);
    QVERIFY2(result.isOk(), qPrintable(result.error));
    QCOMPARE(result.rows, 5);
    const QByteArray expected
        = "time_ms,stream,kind,type,id,size,data\r\n"
          "1000,metrics,lifecycle,open,,6,200 OK\r\n"
          "1001,metrics,event,metric,7,23,\"{\"\"cpu\"\":0.5}\nsecond line\"\r\n"
          "1002,\"ws, \"\"main\"\"\",sent,,,19,\"{\"\"subscribe\"\":\"\"cpu\"\"}\"\r\n"
          "1003,\"ws, \"\"main\"\"\",message,,,3,AAH/\r\n"
          "1004,\"ws, \"\"main\"\"\",message,,,11,\"plain, text\"\r\n";
    QCOMPARE(buffer.data(), expected);
}

void TestLogExport::filteredProxyWritesVisibleRowsOnly()
{
    EventLogModel model;
    fill(model);
    EventLogFilter filter;
    filter.setSourceModel(&model);
    filter.setStreamIds({2});
    filter.setKinds({Kind::Message});
    filter.sort(EventLogModel::TimeColumn, Qt::DescendingOrder);
    QCOMPARE(filter.rowCount(), 2);

    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const LogExportResult result = exportLog(filter, buffer, LogExportFormat::Ndjson);
    QVERIFY2(result.isOk(), qPrintable(result.error));
    QCOMPARE(result.rows, 2);
    const QList<QJsonObject> records = parseLines(buffer.data());
    QCOMPARE(records.size(), 2);
    // In the view's order.
    QCOMPARE(records[0].value(QStringLiteral("t")).toInteger(), 1004);
    QCOMPARE(records[1].value(QStringLiteral("t")).toInteger(), 1003);

    filter.setTextFilter(QStringLiteral("nothing like this"));
    QBuffer empty;
    empty.open(QIODevice::WriteOnly);
    const LogExportResult none = exportLog(filter, empty, LogExportFormat::Csv);
    QVERIFY(none.isOk());
    QCOMPARE(none.rows, 0);
    QCOMPARE(empty.data(), QByteArray("time_ms,stream,kind,type,id,size,data\r\n"));
}

void TestLogExport::largeLogToFile()
{
    // Beyond one write block, to a real file, read back whole.
    EventLogModel model(50000);
    for (int i = 0; i < 50000; ++i) {
        model.append(makeEvent(i, 1 + i % 3, Kind::Event, "metric", QByteArray::number(i),
            "{\"host\":\"web-1\",\"cpu\":0." + QByteArray::number(i % 100) + "}"));
    }
    model.flush();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("log.ndjson")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    QElapsedTimer clock;
    clock.start();
    const LogExportResult result = exportLog(model, file, LogExportFormat::Ndjson);
    qInfo("50000 rows exported in %lld ms", clock.elapsed());
    file.close();
    QVERIFY2(result.isOk(), qPrintable(result.error));
    QCOMPARE(result.rows, 50000);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QJsonObject> records = parseLines(file.readAll());
    QCOMPARE(records.size(), 50000);
    QCOMPARE(
        records.last().value(QStringLiteral("lastEventId")).toString(), QStringLiteral("49999"));
}

void TestLogExport::writeErrors()
{
    EventLogModel model(10000);
    for (int i = 0; i < 10000; ++i) {
        model.append(makeEvent(i, 1, Kind::Event, "metric", "", QByteArray(100, 'x')));
    }
    model.flush();

    QBuffer readOnly;
    readOnly.open(QIODevice::ReadOnly);
    const LogExportResult notOpen = exportLog(model, readOnly, LogExportFormat::Csv);
    QVERIFY(!notOpen.isOk());
    QCOMPARE(notOpen.rows, 0);

    FullDevice full(300 * 1024);
    const LogExportResult failed = exportLog(model, full, LogExportFormat::Ndjson);
    QVERIFY(!failed.isOk());
    QCOMPARE(failed.error, QStringLiteral("No space left on device"));
    // Rows written before the failure are counted; the rest are not.
    QVERIFY(failed.rows > 0);
    QVERIFY(failed.rows < 10000);
}

void TestLogExport::formatForFileName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("csv");
    QTest::newRow("csv") << QStringLiteral("/tmp/log.csv") << true;
    QTest::newRow("CSV") << QStringLiteral("LOG.CSV") << true;
    QTest::newRow("ndjson") << QStringLiteral("log.ndjson") << false;
    QTest::newRow("jsonl") << QStringLiteral("log.jsonl") << false;
    QTest::newRow("none") << QStringLiteral("log") << false;
}

void TestLogExport::formatForFileName()
{
    QFETCH(QString, name);
    QFETCH(bool, csv);
    QCOMPARE(logExportFormatForFileName(name) == LogExportFormat::Csv, csv);
}

QTEST_MAIN(TestLogExport)
#include "tst_logexport.moc"
