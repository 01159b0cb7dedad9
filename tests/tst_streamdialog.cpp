// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QGroupBox>
#include <QHash>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryFile>
#include <QTest>

using namespace streamscope;

Q_DECLARE_METATYPE(streamscope::Http2Mode)

class TestStreamDialog : public QObject
{
    Q_OBJECT

private slots:
    void refusesInvalidInput_data();
    void refusesInvalidInput();
    void schemeSwitchesFields();
    void protocolFollowsTheUrl();
    void keepsWhatItWasGiven();
    void compressionCheckbox_data();
    void compressionCheckbox();
    void oneShotAndTokenCombos_data();
    void oneShotAndTokenCombos();
    void http2Combo_data();
    void http2Combo();
    void mnemonicsAreUnique();
    void fixingTheFieldClearsItsProblem();
    void tlsGroupFollowsScheme_data();
    void tlsGroupFollowsScheme();
    void tlsSettingsRoundTrip();
    void insecureShowsWarning();
    void missingCaFileIsAProblem();
    void browseFillsCaFile();
    void secretsMasked_data();
    void secretsMasked();
    void editingWhileMaskedKeepsSecrets();
    void secretTypedWhileMaskedIsTakenAsTyped();

private:
    static QPushButton *okButton(StreamDialog &dialog)
    {
        return dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }
    static QString headerText(StreamDialog &dialog)
    {
        return dialog.findChild<QPlainTextEdit *>(QStringLiteral("headers"))->toPlainText();
    }
    static QCheckBox *showSecrets(StreamDialog &dialog)
    {
        return dialog.findChild<QCheckBox *>(QStringLiteral("showSecrets"));
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

// The URL proposes the protocol until the user picks one; each shows its own fields.
void TestStreamDialog::protocolFollowsTheUrl()
{
    StreamDialog dialog;
    dialog.show();
    auto *urlEdit = dialog.findChild<QLineEdit *>(QStringLiteral("url"));
    auto *protocol = dialog.findChild<QComboBox *>(QStringLiteral("protocol"));
    auto *topics = dialog.findChild<QPlainTextEdit *>(QStringLiteral("topics"));
    auto *namespaces = dialog.findChild<QPlainTextEdit *>(QStringLiteral("namespaces"));
    QTest::keyClicks(urlEdit, QStringLiteral("ws://127.0.0.1:3000/socket.io/"));
    QCOMPARE(dialog.config().protocol, StreamConfig::Protocol::SocketIo);
    QCOMPARE(protocol->currentIndex(), int(StreamConfig::Protocol::SocketIo));
    QVERIFY(namespaces->isVisibleTo(&dialog));
    QVERIFY(!topics->isVisibleTo(&dialog));

    urlEdit->clear();
    QTest::keyClicks(urlEdit, QStringLiteral("ws://127.0.0.1:9001/mqtt"));
    QCOMPARE(dialog.config().protocol, StreamConfig::Protocol::Mqtt);
    QVERIFY(topics->isVisibleTo(&dialog));
    QVERIFY(!namespaces->isVisibleTo(&dialog));
    QTest::keyClicks(topics, QStringLiteral("sensors/#"));
    QCOMPARE(dialog.config().topics, QStringList{QStringLiteral("sensors/#")});

    // Chosen by hand: the URL no longer decides.
    protocol->setCurrentIndex(int(StreamConfig::Protocol::WebSocket));
    emit protocol->activated(int(StreamConfig::Protocol::WebSocket));
    urlEdit->clear();
    QTest::keyClicks(urlEdit, QStringLiteral("ws://127.0.0.1/socket.io/"));
    QCOMPARE(dialog.config().protocol, StreamConfig::Protocol::WebSocket);
    QVERIFY(!namespaces->isVisibleTo(&dialog));
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
    config.compression = false;
    config.http2 = Http2Mode::Off; // hidden for a WebSocket, and kept
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
    QCOMPARE(back.compression, config.compression);
    QCOMPARE(back.http2, config.http2);
    QCOMPARE(back.initialDelayMs, config.initialDelayMs);
    QCOMPARE(back.maxDelayMs, config.maxDelayMs);
}

void TestStreamDialog::compressionCheckbox_data()
{
    QTest::addColumn<bool>("given"); // StreamConfig::compression handed to the dialog
    QTest::newRow("on") << true;
    QTest::newRow("off") << false;
}

void TestStreamDialog::compressionCheckbox()
{
    QFETCH(bool, given);
    StreamConfig config;
    config.name = QStringLiteral("socket");
    config.url = QUrl(QStringLiteral("ws://127.0.0.1:9000/socket"));
    config.compression = given;
    StreamDialog dialog;
    dialog.setConfig(config);
    dialog.show();
    auto *box = dialog.findChild<QCheckBox *>(QStringLiteral("compression"));
    QVERIFY(box);
    QCOMPARE(box->text().remove(u'&'), QStringLiteral("Compress messages (permessage-deflate)"));
    // A WebSocket setting: it sits in that section and hides with it.
    QCOMPARE(box->parentWidget(), dialog.findChild<QGroupBox *>(QStringLiteral("wsGroup")));
    QVERIFY(box->isVisibleTo(&dialog));
    QCOMPARE(box->isChecked(), given);
    QCOMPARE(dialog.config().compression, given);

    QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(4, box->height() / 2));
    QCOMPARE(box->isChecked(), !given);
    QCOMPARE(dialog.config().compression, !given);
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));

    // A new stream offers it, as the client does by default.
    dialog.setConfig(StreamConfig());
    QVERIFY(box->isChecked());
    QVERIFY(dialog.config().compression);
}

void TestStreamDialog::oneShotAndTokenCombos_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("oneShotPick"); // item picked in "Requests:"
    QTest::addColumn<int>("tokensPick"); // item picked in "Token view:"
    QTest::addColumn<bool>("oneShot"); // what the stream then does
    QTest::addColumn<int>("format"); // its token format; -1 none

    QTest::newRow("POST with a body, all automatic")
        << QByteArray(R"({"stream":true})") << 0 << 0 << true << int(TokenFormat::Auto);
    QTest::newRow("POST with a body that reconnects")
        << QByteArray(R"({"stream":true})") << 2 << 0 << false << -1;
    QTest::newRow("GET, one-shot, Anthropic")
        << QByteArray() << 1 << 4 << true << int(TokenFormat::Anthropic);
    QTest::newRow("GET stream with OpenAI chat tokens")
        << QByteArray() << 0 << 2 << false << int(TokenFormat::OpenAiChat);
}

void TestStreamDialog::oneShotAndTokenCombos()
{
    QFETCH(QByteArray, body);
    QFETCH(int, oneShotPick);
    QFETCH(int, tokensPick);
    QFETCH(bool, oneShot);
    QFETCH(int, format);
    StreamConfig config;
    config.name = QStringLiteral("answer");
    config.url = QUrl(QStringLiteral("http://127.0.0.1:8080/v1/messages"));
    config.method = body.isEmpty() ? "GET" : "POST";
    config.body = body;
    StreamDialog dialog;
    dialog.setConfig(config);
    dialog.show();
    auto *requests = dialog.findChild<QComboBox *>(QStringLiteral("oneShot"));
    auto *tokens = dialog.findChild<QComboBox *>(QStringLiteral("tokens"));
    QVERIFY(requests && tokens);
    QCOMPARE(requests->parentWidget(), dialog.findChild<QGroupBox *>(QStringLiteral("sseGroup")));
    QCOMPARE(requests->currentIndex(), 0); // unset: automatic
    QCOMPARE(tokens->currentIndex(), 0);
    requests->setCurrentIndex(oneShotPick);
    tokens->setCurrentIndex(tokensPick);
    const StreamConfig picked = dialog.config();
    QCOMPARE(picked.isOneShot(), oneShot);
    QCOMPARE(picked.tokenFormat() ? int(*picked.tokenFormat()) : -1, format);

    // Shown again as picked.
    StreamDialog again;
    again.setConfig(picked);
    QCOMPARE(again.findChild<QComboBox *>(QStringLiteral("oneShot"))->currentIndex(), oneShotPick);
    QCOMPARE(again.findChild<QComboBox *>(QStringLiteral("tokens"))->currentIndex(), tokensPick);
}

void TestStreamDialog::http2Combo_data()
{
    QTest::addColumn<Http2Mode>("given"); // StreamConfig::http2 handed to the dialog
    QTest::addColumn<QString>("shown");
    QTest::addColumn<int>("pick"); // the item the user then picks
    QTest::addColumn<Http2Mode>("picked");
    QTest::newRow("auto, then off")
        << Http2Mode::Auto << "Auto (what TLS negotiates)" << 1 << Http2Mode::Off;
    QTest::newRow("off, then prior knowledge")
        << Http2Mode::Off << "Off (HTTP/1.1 only)" << 2 << Http2Mode::PriorKnowledge;
    QTest::newRow("prior knowledge, then auto")
        << Http2Mode::PriorKnowledge << "Prior knowledge (h2c on http://)" << 0 << Http2Mode::Auto;
}

void TestStreamDialog::http2Combo()
{
    QFETCH(Http2Mode, given);
    QFETCH(QString, shown);
    QFETCH(int, pick);
    QFETCH(Http2Mode, picked);
    StreamConfig config;
    config.name = QStringLiteral("events");
    config.url = QUrl(QStringLiteral("http://127.0.0.1:8080/events"));
    config.http2 = given;
    StreamDialog dialog;
    dialog.setConfig(config);
    dialog.show();
    auto *combo = dialog.findChild<QComboBox *>(QStringLiteral("http2"));
    QVERIFY(combo);
    QCOMPARE(combo->count(), 3);
    QVERIFY(!combo->toolTip().isEmpty());
    // An SSE setting: it sits in that section and hides with it.
    QCOMPARE(combo->parentWidget(), dialog.findChild<QGroupBox *>(QStringLiteral("sseGroup")));
    QVERIFY(combo->isVisibleTo(&dialog));
    QCOMPARE(combo->currentText(), shown);
    QCOMPARE(dialog.config().http2, given);

    combo->setCurrentIndex(pick);
    QCOMPARE(dialog.config().http2, picked);
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));

    // No setting of a WebSocket: hidden for ws and wss URLs.
    for (const char *url : {"ws://127.0.0.1:9000/socket", "wss://127.0.0.1:9000/socket"}) {
        auto *urlEdit = dialog.findChild<QLineEdit *>(QStringLiteral("url"));
        urlEdit->setText(QString::fromLatin1(url));
        QVERIFY2(!combo->isVisibleTo(&dialog), url);
    }

    // A new stream leaves it to TLS, as the client does by default.
    dialog.setConfig(StreamConfig());
    QCOMPARE(combo->currentIndex(), 0);
    QCOMPARE(dialog.config().http2, Http2Mode::Auto);
}

// Alt+letter reaches one field only: no two labels or buttons share a mnemonic.
void TestStreamDialog::mnemonicsAreUnique()
{
    StreamDialog dialog;
    QStringList texts;
    for (const QLabel *label : dialog.findChildren<QLabel *>()) {
        texts.append(label->text());
    }
    for (const QAbstractButton *button : dialog.findChildren<QAbstractButton *>()) {
        texts.append(button->text());
    }
    QHash<QChar, QString> owners;
    for (const QString &text : std::as_const(texts)) {
        for (qsizetype i = 0; i + 1 < text.size(); ++i) {
            if (text.at(i) != u'&') {
                continue;
            }
            const QChar key = text.at(i + 1).toLower();
            ++i; // "&&" is a literal ampersand, not a mnemonic
            if (key == u'&') {
                continue;
            }
            QVERIFY2(!owners.contains(key),
                qPrintable(
                    QStringLiteral("'%1' in \"%2\" and \"%3\"").arg(key, owners.value(key), text)));
            owners.insert(key, text);
        }
    }
    QVERIFY(owners.contains(u'r')); // Comp&ress messages
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

namespace {

StreamConfig tlsConfig(const QString &url)
{
    StreamConfig config;
    config.name = QStringLiteral("secure");
    config.url = QUrl(url);
    return config;
}

} // namespace

void TestStreamDialog::tlsGroupFollowsScheme_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("shown");
    QTest::newRow("https") << "https://127.0.0.1/events" << true;
    QTest::newRow("wss") << "wss://127.0.0.1/socket" << true;
    QTest::newRow("http") << "http://127.0.0.1/events" << false;
    QTest::newRow("ws") << "ws://127.0.0.1/socket" << false;
    QTest::newRow("none yet") << "" << false;
}

void TestStreamDialog::tlsGroupFollowsScheme()
{
    QFETCH(QString, url);
    QFETCH(bool, shown);
    StreamDialog dialog;
    dialog.show();
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("url")), url);
    QCOMPARE(
        dialog.findChild<QGroupBox *>(QStringLiteral("tlsGroup"))->isVisibleTo(&dialog), shown);
}

void TestStreamDialog::tlsSettingsRoundTrip()
{
    QTemporaryFile ca;
    QVERIFY(ca.open());
    StreamConfig config = tlsConfig(QStringLiteral("https://127.0.0.1/events"));
    config.caCertificatesFile = ca.fileName();
    config.ignoreCertificateErrors = true;
    StreamDialog dialog;
    dialog.setConfig(config);
    QCOMPARE(
        dialog.findChild<QLineEdit *>(QStringLiteral("caCertificatesFile"))->text(), ca.fileName());
    QVERIFY(dialog.findChild<QCheckBox *>(QStringLiteral("ignoreCertificateErrors"))->isChecked());
    QCOMPARE(dialog.config().caCertificatesFile, ca.fileName());
    QVERIFY(dialog.config().ignoreCertificateErrors);
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));

    dialog.setConfig(tlsConfig(QStringLiteral("https://127.0.0.1/events")));
    QCOMPARE(dialog.config().caCertificatesFile, QString());
    QVERIFY(!dialog.config().ignoreCertificateErrors);
}

void TestStreamDialog::insecureShowsWarning()
{
    StreamDialog dialog;
    dialog.setConfig(tlsConfig(QStringLiteral("wss://127.0.0.1/socket")));
    dialog.show();
    auto *ignore = dialog.findChild<QCheckBox *>(QStringLiteral("ignoreCertificateErrors"));
    auto *warning = dialog.findChild<QLabel *>(QStringLiteral("insecureWarning"));
    QCOMPARE(ignore->text().remove(u'&'), QStringLiteral("Ignore certificate errors (insecure)"));
    QVERIFY(!warning->isVisibleTo(&dialog));
    QTest::mouseClick(ignore, Qt::LeftButton, {}, QPoint(4, ignore->height() / 2));
    QVERIFY(ignore->isChecked());
    QVERIFY(warning->isVisibleTo(&dialog));
    QVERIFY(warning->text().contains(QStringLiteral("not be authenticated")));
    // Red, as the problems are: the reader should stop at it.
    QCOMPARE(warning->palette().color(QPalette::WindowText),
        dialog.findChild<QLabel *>(QStringLiteral("urlError"))
            ->palette()
            .color(QPalette::WindowText));
    QVERIFY(dialog.config().ignoreCertificateErrors);
    QVERIFY(okButton(dialog)->isEnabled()); // a warning, not a problem
    ignore->setChecked(false);
    QVERIFY(!warning->isVisibleTo(&dialog));
}

void TestStreamDialog::missingCaFileIsAProblem()
{
    StreamDialog dialog;
    dialog.setConfig(tlsConfig(QStringLiteral("https://127.0.0.1/events")));
    dialog.show();
    auto *caFile = dialog.findChild<QLineEdit *>(QStringLiteral("caCertificatesFile"));
    auto *error = dialog.findChild<QLabel *>(QStringLiteral("caCertificatesFileError"));
    QVERIFY(okButton(dialog)->isEnabled());
    QTest::keyClicks(caFile, QStringLiteral("/nonexistent/streamscope-ca.pem"));
    QVERIFY(error->isVisibleTo(&dialog));
    QVERIFY2(error->text().contains(QStringLiteral("no CA certificates file")),
        qPrintable(error->text()));
    QVERIFY(!okButton(dialog)->isEnabled());
    QTemporaryFile ca;
    QVERIFY(ca.open());
    caFile->setText(ca.fileName());
    QVERIFY(!error->isVisibleTo(&dialog));
    QVERIFY(okButton(dialog)->isEnabled());
}

void TestStreamDialog::browseFillsCaFile()
{
    QTemporaryFile ca(QDir::temp().filePath(QStringLiteral("streamscope-XXXXXX.pem")));
    QVERIFY(ca.open());
    StreamDialog dialog;
    dialog.setConfig(tlsConfig(QStringLiteral("https://127.0.0.1/events")));
    dialog.show();
    QTest::mouseClick(
        dialog.findChild<QPushButton *>(QStringLiteral("browseCaFile")), Qt::LeftButton);
    auto *picker = dialog.findChild<QFileDialog *>(QStringLiteral("caFileDialog"));
    QVERIFY(picker);
    QVERIFY(picker->isVisible());
    QCOMPARE(picker->fileMode(), QFileDialog::ExistingFile);
    picker->selectFile(ca.fileName());
    static_cast<QDialog *>(picker)->accept(); // public there: OK as a user would press it
    QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("caCertificatesFile"))->text(),
        QDir::toNativeSeparators(ca.fileName()));
    QCOMPARE(dialog.config().caCertificatesFile, ca.fileName());
}

void TestStreamDialog::secretsMasked_data()
{
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<QString>("masked"); // as the dialog first shows them
    const QString mask(3, QChar(0x2022));
    QTest::newRow("bearer") << HeaderList{{"Authorization", "Bearer hunter2"}}
                            << QStringLiteral("Authorization: Bearer ") + mask;
    QTest::newRow("cookie and others") << HeaderList{{"X-Team", "blue"}, {"Cookie", "s=1; t=2"}}
                                       << QStringLiteral("X-Team: blue\nCookie: ") + mask;
    QTest::newRow("env reference is no secret")
        << HeaderList{{"Authorization", "Bearer ${env:TOKEN}"}}
        << QStringLiteral("Authorization: Bearer ${env:TOKEN}");
    QTest::newRow("two of a kind")
        << HeaderList{{"Cookie", "a=1"}, {"cookie", "b=2"}}
        << QStringLiteral("Cookie: ") + mask + QStringLiteral("\ncookie: ") + mask;
}

void TestStreamDialog::secretsMasked()
{
    QFETCH(HeaderList, headers);
    QFETCH(QString, masked);
    StreamConfig config = tlsConfig(QStringLiteral("https://127.0.0.1/events"));
    config.headers = headers;
    StreamDialog dialog;
    dialog.setConfig(config);
    dialog.show();
    QVERIFY(!showSecrets(dialog)->isChecked());
    QCOMPARE(headerText(dialog), masked);
    // Masked on screen, whole underneath.
    QCOMPARE(dialog.config().headers, headers);

    QTest::mouseClick(
        showSecrets(dialog), Qt::LeftButton, {}, QPoint(4, showSecrets(dialog)->height() / 2));
    QVERIFY(showSecrets(dialog)->isChecked());
    QStringList lines;
    for (const auto &header : headers) {
        lines.append(headerLine(header));
    }
    QCOMPARE(headerText(dialog), lines.join(u'\n'));
    QCOMPARE(dialog.config().headers, headers);

    showSecrets(dialog)->setChecked(false);
    QCOMPARE(headerText(dialog), masked);
    QCOMPARE(dialog.config().headers, headers);
}

void TestStreamDialog::editingWhileMaskedKeepsSecrets()
{
    StreamConfig config = tlsConfig(QStringLiteral("https://127.0.0.1/events"));
    config.headers = {{"Authorization", "Bearer hunter2"}, {"X-Team", "blue"}};
    StreamDialog dialog;
    dialog.setConfig(config);
    dialog.show();
    auto *edit = dialog.findChild<QPlainTextEdit *>(QStringLiteral("headers"));
    edit->moveCursor(QTextCursor::End);
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, QStringLiteral("en"));
    QTest::keyClick(edit, Qt::Key_Return);
    QTest::keyClicks(edit, QStringLiteral("X-Trace: 1"));
    QVERIFY(!headerText(dialog).contains(QStringLiteral("hunter2")));
    QCOMPARE(dialog.config().headers,
        (HeaderList{{"Authorization", "Bearer hunter2"}, {"X-Team", "bluen"}, {"X-Trace", "1"}}));

    // Shown and hidden again: the secret behind the mask is still the one given.
    showSecrets(dialog)->setChecked(true);
    QVERIFY(headerText(dialog).startsWith(QStringLiteral("Authorization: Bearer hunter2\n")));
    showSecrets(dialog)->setChecked(false);
    QCOMPARE(dialog.config().headers,
        (HeaderList{{"Authorization", "Bearer hunter2"}, {"X-Team", "bluen"}, {"X-Trace", "1"}}));
}

void TestStreamDialog::secretTypedWhileMaskedIsTakenAsTyped()
{
    StreamConfig config = tlsConfig(QStringLiteral("https://127.0.0.1/events"));
    config.headers = {{"Authorization", "Bearer old"}};
    StreamDialog dialog;
    dialog.setConfig(config);
    dialog.show();
    auto *edit = dialog.findChild<QPlainTextEdit *>(QStringLiteral("headers"));
    edit->selectAll();
    QTest::keyClicks(edit, QStringLiteral("Authorization: Bearer new"));
    QTest::keyClick(edit, Qt::Key_Return);
    QTest::keyClicks(edit, QStringLiteral("Cookie: c=1"));
    QCOMPARE(
        dialog.config().headers, (HeaderList{{"Authorization", "Bearer new"}, {"Cookie", "c=1"}}));
    // Hiding what was typed masks it, and it still stands for what was typed.
    showSecrets(dialog)->setChecked(true);
    showSecrets(dialog)->setChecked(false);
    QCOMPARE(headerText(dialog),
        QStringLiteral("Authorization: Bearer \u2022\u2022\u2022\nCookie: \u2022\u2022\u2022"));
    QCOMPARE(
        dialog.config().headers, (HeaderList{{"Authorization", "Bearer new"}, {"Cookie", "c=1"}}));
}

QTEST_MAIN(TestStreamDialog)
#include "tst_streamdialog.moc"
