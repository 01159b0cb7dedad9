#include "streamdialog.h"

#include <QDialogButtonBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>

using namespace streamscope;

class TestStreamDialog : public QObject
{
    Q_OBJECT

private slots:
    void refusesInvalidInput_data();
    void refusesInvalidInput();
    void schemeSwitchesFields();
    void keepsWhatItWasGiven();
    void fixingTheFieldClearsItsProblem();

private:
    static QPushButton *okButton(StreamDialog &dialog)
    {
        return dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }
};

void TestStreamDialog::refusesInvalidInput_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("headers");
    QTest::addColumn<int>("initialDelayMs");
    QTest::addColumn<int>("maxDelayMs");
    QTest::addColumn<QString>("errorField"); // empty: valid, OK accepts

    QTest::newRow("valid SSE") << "http://127.0.0.1:8080/events"
                               << "feed"
                               << "Authorization: Bearer ${env:TOKEN}" << 1000 << 30000 << "";
    QTest::newRow("valid WebSocket") << "wss://example.test/socket"
                                     << "socket"
                                     << "" << 500 << 5000 << "";
    QTest::newRow("empty URL") << ""
                               << "feed"
                               << "" << 1000 << 30000 << "url";
    QTest::newRow("no scheme") << "example.test/events"
                               << "feed"
                               << "" << 1000 << 30000 << "url";
    QTest::newRow("ftp scheme") << "ftp://example.test/x"
                                << "feed"
                                << "" << 1000 << 30000 << "url";
    QTest::newRow("header without colon") << "http://127.0.0.1/events"
                                          << "feed"
                                          << "X-Token abc" << 1000 << 30000 << "headers";
    QTest::newRow("header without name") << "http://127.0.0.1/events"
                                         << "feed"
                                         << ": abc" << 1000 << 30000 << "headers";
    QTest::newRow("initial delay above max") << "http://127.0.0.1/events"
                                             << "feed"
                                             << "" << 9000 << 1000 << "delay";
}

void TestStreamDialog::refusesInvalidInput()
{
    QFETCH(QString, url);
    QFETCH(QString, name);
    QFETCH(QString, headers);
    QFETCH(int, initialDelayMs);
    QFETCH(int, maxDelayMs);
    QFETCH(QString, errorField);

    StreamDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *urlEdit = dialog.findChild<QLineEdit *>(QStringLiteral("url"));
    QTest::keyClicks(urlEdit, url);
    auto *nameEdit = dialog.findChild<QLineEdit *>(QStringLiteral("name"));
    nameEdit->clear();
    QTest::keyClicks(nameEdit, name);
    QTest::keyClicks(dialog.findChild<QPlainTextEdit *>(QStringLiteral("headers")), headers);
    dialog.findChild<QSpinBox *>(QStringLiteral("initialDelayMs"))->setValue(initialDelayMs);
    dialog.findChild<QSpinBox *>(QStringLiteral("maxDelayMs"))->setValue(maxDelayMs);

    if (errorField.isEmpty()) {
        QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));
        QVERIFY(okButton(dialog)->isEnabled());
        QTest::mouseClick(okButton(dialog), Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.config().url, QUrl(url));
        QCOMPARE(dialog.config().name, name);
        return;
    }
    QVERIFY(!okButton(dialog)->isEnabled());
    // The reason sits next to the field: its own red label, shown and saying something.
    QList<QLabel *> shown;
    for (QLabel *label : dialog.findChildren<QLabel *>()) {
        if (label->objectName().endsWith(QStringLiteral("Error"))
            && label->objectName().contains(errorField, Qt::CaseInsensitive)
            && label->isVisibleTo(&dialog) && !label->text().isEmpty()) {
            shown.append(label);
        }
    }
    QVERIFY2(!shown.isEmpty(), qPrintable(dialog.problems().join(u'\n')));
    dialog.accept(); // Enter or a stray call: still refused
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
}

void TestStreamDialog::schemeSwitchesFields()
{
    StreamDialog dialog;
    dialog.show();
    auto *urlEdit = dialog.findChild<QLineEdit *>(QStringLiteral("url"));
    auto *sse = dialog.findChild<QGroupBox *>(QStringLiteral("sseGroup"));
    auto *ws = dialog.findChild<QGroupBox *>(QStringLiteral("wsGroup"));

    QTest::keyClicks(urlEdit, QStringLiteral("http://127.0.0.1/events"));
    QVERIFY(sse->isVisibleTo(&dialog));
    QVERIFY(!ws->isVisibleTo(&dialog));
    QCOMPARE(dialog.config().transport(), StreamConfig::Transport::Sse);

    urlEdit->clear();
    QTest::keyClicks(urlEdit, QStringLiteral("ws://127.0.0.1/socket"));
    QVERIFY(!sse->isVisibleTo(&dialog));
    QVERIFY(ws->isVisibleTo(&dialog));
    QCOMPARE(dialog.config().transport(), StreamConfig::Transport::WebSocket);

    urlEdit->clear();
    QVERIFY(!sse->isVisibleTo(&dialog));
    QVERIFY(!ws->isVisibleTo(&dialog));
}

void TestStreamDialog::keepsWhatItWasGiven()
{
    StreamConfig config;
    config.name = QStringLiteral("orders");
    config.url = QUrl(QStringLiteral("ws://127.0.0.1:9000/orders"));
    config.headers = {{"Authorization", "Bearer ${env:TOKEN}"}, {"X-Trace", "1"}};
    config.subprotocols = {QStringLiteral("v2.orders"), QStringLiteral("v1.orders")};
    config.onOpenMessages = {R"({"subscribe":"orders"})", "hello"};
    config.pingIntervalMs = 5000;
    config.initialDelayMs = 250;
    config.maxDelayMs = 8000;

    StreamDialog dialog;
    dialog.setConfig(config);
    const StreamConfig back = dialog.config();
    QCOMPARE(back.name, config.name);
    QCOMPARE(back.url, config.url);
    QCOMPARE(back.headers, config.headers);
    QCOMPARE(back.subprotocols, config.subprotocols);
    QCOMPARE(back.onOpenMessages, config.onOpenMessages);
    QCOMPARE(back.pingIntervalMs, config.pingIntervalMs);
    QCOMPARE(back.initialDelayMs, config.initialDelayMs);
    QCOMPARE(back.maxDelayMs, config.maxDelayMs);
}

void TestStreamDialog::fixingTheFieldClearsItsProblem()
{
    StreamDialog dialog;
    dialog.show();
    auto *urlEdit = dialog.findChild<QLineEdit *>(QStringLiteral("url"));
    auto *urlError = dialog.findChild<QLabel *>(QStringLiteral("urlError"));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("name")), QStringLiteral("x"));
    QTest::keyClicks(urlEdit, QStringLiteral("gopher://x"));
    QVERIFY(urlError->isVisibleTo(&dialog));
    QVERIFY(!okButton(dialog)->isEnabled());
    urlEdit->selectAll();
    QTest::keyClicks(urlEdit, QStringLiteral("https://127.0.0.1/x"));
    QVERIFY(!urlError->isVisibleTo(&dialog));
    QVERIFY2(okButton(dialog)->isEnabled(), qPrintable(dialog.problems().join(u'\n')));
}

QTEST_MAIN(TestStreamDialog)
#include "tst_streamdialog.moc"
