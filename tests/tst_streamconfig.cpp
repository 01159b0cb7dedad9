// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamconfig.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonValue>
#include <QTest>

#include <functional>

using namespace streamscope;

using Change = std::function<void(streamscope::StreamConfig &)>;
Q_DECLARE_METATYPE(streamscope::StreamConfig)
Q_DECLARE_METATYPE(streamscope::StreamConfig::Transport)
Q_DECLARE_METATYPE(streamscope::StreamConfig::Protocol)
Q_DECLARE_METATYPE(Change)

class TestStreamConfig : public QObject
{
    Q_OBJECT

private slots:
    void transport_data();
    void transport();
    void validate_data();
    void validate();
    void jsonRoundTrip_data();
    void jsonRoundTrip();
    void jsonWrongTypesKeepDefaults();
    void tlsKeysWrittenOnlyWhenSet();
    void tlsWrongTypesKeepDefaults();
    void tlsSettingsReachTheClients();
    void compressionWrittenOnlyWhenOff_data();
    void compressionWrittenOnlyWhenOff();
    void compressionWrongTypeKeepsDefault_data();
    void compressionWrongTypeKeepsDefault();
    void headerLines_data();
    void headerLines();
    void environment_data();
    void environment();
    void settingsResolveAtCallTime();
    void guessProtocol_data();
    void guessProtocol();
    void cliCommand_data();
    void cliCommand();
    void maskedHeaderValue_data();
    void maskedHeaderValue();
};

namespace {

StreamConfig valid(const QString &url = QStringLiteral("http://127.0.0.1:8080/metrics"))
{
    StreamConfig config;
    config.name = QStringLiteral("metrics");
    config.url = QUrl(url);
    return config;
}

} // namespace

void TestStreamConfig::transport_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<StreamConfig::Transport>("transport");
    QTest::newRow("http") << "http://h/x" << StreamConfig::Transport::Sse;
    QTest::newRow("https") << "https://h/x" << StreamConfig::Transport::Sse;
    QTest::newRow("HTTP upper") << "HTTP://h/x" << StreamConfig::Transport::Sse;
    QTest::newRow("ws") << "ws://h/x" << StreamConfig::Transport::WebSocket;
    QTest::newRow("wss") << "wss://h/x" << StreamConfig::Transport::WebSocket;
    QTest::newRow("ftp") << "ftp://h/x" << StreamConfig::Transport::Invalid;
    QTest::newRow("empty") << "" << StreamConfig::Transport::Invalid;
}

void TestStreamConfig::transport()
{
    QFETCH(QString, url);
    QFETCH(StreamConfig::Transport, transport);
    QCOMPARE(valid(url).transport(), transport);
}

void TestStreamConfig::validate_data()
{
    QTest::addColumn<Change>("change");
    QTest::addColumn<QStringList>("fields"); // the fields named, in order
    QTest::addColumn<QString>("message"); // a part of the first message

    QTest::newRow("valid sse") << Change([](StreamConfig &) {}) << QStringList() << QString();
    QTest::newRow("valid ws") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("ws://127.0.0.1:1/ws"));
        c.subprotocols = QStringList{QStringLiteral("v1.json")};
    }) << QStringList() << QString();
    QTest::newRow("valid POST with body") << Change([](StreamConfig &c) {
        c.method = "POST";
        c.body = "{}";
    }) << QStringList() << QString();
    QTest::newRow("empty url") << Change([](StreamConfig &c) { c.url = QUrl(); })
                               << QStringList{QStringLiteral("url")}
                               << QStringLiteral("enter a URL");
    QTest::newRow("ftp url") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("ftp://h/x"));
    }) << QStringList{QStringLiteral("url")}
                             << QStringLiteral("not http, https, ws or wss");
    QTest::newRow("no scheme") << Change(
        [](StreamConfig &c) { c.url = QUrl(QStringLiteral("localhost/x")); })
                               << QStringList{QStringLiteral("url")} << QStringLiteral("no scheme");
    QTest::newRow("no host") << Change(
        [](StreamConfig &c) { c.url = QUrl(QStringLiteral("http:///x")); })
                             << QStringList{QStringLiteral("url")} << QStringLiteral("no host");
    QTest::newRow("empty name") << Change([](StreamConfig &c) { c.name = QStringLiteral("  "); })
                                << QStringList{QStringLiteral("name")} << QStringLiteral("name");
    QTest::newRow("header name with space") << Change([](StreamConfig &c) {
        c.headers = {{"X Token", "1"}};
    }) << QStringList{QStringLiteral("headers")}
                                            << QStringLiteral("X Token");
    QTest::newRow("header without name") << Change([](StreamConfig &c) {
        c.headers = {{"", "1"}};
    }) << QStringList{QStringLiteral("headers")}
                                         << QStringLiteral("no name");
    QTest::newRow("header value CR LF") << Change([](StreamConfig &c) {
        c.headers = {{"X-A", "1\r\nX-B: 2"}};
    }) << QStringList{QStringLiteral("headers")}
                                        << QStringLiteral("line break");
    QTest::newRow("method invalid")
        << Change([](StreamConfig &c) { c.method = "GE T"; })
        << QStringList{QStringLiteral("method")} << QStringLiteral("not an HTTP method");
    QTest::newRow("method empty") << Change([](StreamConfig &c) { c.method.clear(); })
                                  << QStringList{QStringLiteral("method")}
                                  << QStringLiteral("enter an HTTP method");
    QTest::newRow("body for GET") << Change([](StreamConfig &c) { c.body = "x"; })
                                  << QStringList{QStringLiteral("body")}
                                  << QStringLiteral("GET request has no body");
    QTest::newRow("negative initial delay")
        << Change([](StreamConfig &c) { c.initialDelayMs = -1; })
        << QStringList{QStringLiteral("initialDelayMs")} << QStringLiteral("negative");
    QTest::newRow("initial above max") << Change([](StreamConfig &c) {
        c.initialDelayMs = 5000;
        c.maxDelayMs = 1000;
    }) << QStringList{QStringLiteral("maxDelayMs")}
                                       << QStringLiteral("shorter than the first");
    QTest::newRow("negative idle timeout")
        << Change([](StreamConfig &c) { c.idleTimeoutMs = -5; })
        << QStringList{QStringLiteral("idleTimeoutMs")} << QStringLiteral("negative");
    QTest::newRow("subprotocol invalid") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("ws://h/x"));
        c.subprotocols = QStringList{QStringLiteral("a b")};
    }) << QStringList{QStringLiteral("subprotocols")}
                                         << QStringLiteral("\"a b\"");
    const auto mqtt = [](const QStringList &topics) {
        return Change([topics](StreamConfig &c) {
            c.url = QUrl(QStringLiteral("ws://h/mqtt"));
            c.protocol = StreamConfig::Protocol::Mqtt;
            c.topics = topics;
        });
    };
    QTest::newRow("mqtt topics fine")
        << mqtt({QStringLiteral("#"), QStringLiteral("a/+/b"), QStringLiteral("+")})
        << QStringList() << QString();
    QTest::newRow("mqtt without topics")
        << mqtt({}) << QStringList{QStringLiteral("topics")}
        << QStringLiteral("subscribe to at least one topic filter (# for all)");
    QTest::newRow("mqtt # not last")
        << mqtt({QStringLiteral("a/#/b")}) << QStringList{QStringLiteral("topics")}
        << QStringLiteral("topic filter \"a/#/b\": # stands alone "
                          "as the last level, as in sensors/#");
    QTest::newRow("mqtt + inside a level")
        << mqtt({QStringLiteral("a/b+")}) << QStringList{QStringLiteral("topics")}
        << QStringLiteral("topic filter \"a/b+\": + stands alone as a level, as in sensors/+/temp");
    QTest::newRow("socket.io namespace without /")
        << Change([](StreamConfig &c) {
               c.url = QUrl(QStringLiteral("ws://h/socket.io/"));
               c.protocol = StreamConfig::Protocol::SocketIo;
               c.namespaces = {QStringLiteral("admin")};
           })
        << QStringList{QStringLiteral("namespaces")}
        << QStringLiteral("namespace \"admin\" must start with /, as in /admin");
    QTest::newRow("ws ignores sse fields") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("ws://h/x"));
        c.body = "x";
        c.method = "GE T";
    }) << QStringList() << QString();
    QTest::newRow("several at once") << Change([](StreamConfig &c) {
        c.url = QUrl();
        c.name.clear();
        c.maxDelayMs = -1;
    }) << QStringList{QStringLiteral("url"), QStringLiteral("name"), QStringLiteral("maxDelayMs")}
                                     << QStringLiteral("enter a URL");
    const QString readable = QFINDTESTDATA("tst_streamconfig.cpp"); // any readable file
    QTest::newRow("CA file readable") << Change([readable](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("https://h/x"));
        c.caCertificatesFile = readable;
    }) << QStringList() << QString();
    QTest::newRow("CA file missing") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("https://h/x"));
        c.caCertificatesFile = QDir::temp().filePath(QStringLiteral("streamscope-no-such.pem"));
    }) << QStringList{QStringLiteral("caCertificatesFile")}
                                     << QStringLiteral("no CA certificates file at \"");
    QTest::newRow("CA file is a folder") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("wss://h/x"));
        c.caCertificatesFile = QDir::tempPath();
    }) << QStringList{QStringLiteral("caCertificatesFile")}
                                         << QStringLiteral("is not a readable file");
    QTest::newRow("ignoring certificate errors is allowed")
        << Change([](StreamConfig &c) { c.ignoreCertificateErrors = true; }) << QStringList()
        << QString();
}

void TestStreamConfig::validate()
{
    QFETCH(Change, change);
    QFETCH(QStringList, fields);
    QFETCH(QString, message);
    StreamConfig config = valid();
    change(config);
    const QList<StreamConfig::Problem> problems = config.validate();
    QStringList named;
    for (const auto &problem : problems) {
        named.append(problem.field);
        QVERIFY2(!problem.message.isEmpty(), qPrintable(problem.field));
    }
    QCOMPARE(named, fields);
    if (!message.isEmpty()) {
        QVERIFY2(problems.first().message.contains(message), qPrintable(problems.first().message));
    }
}

void TestStreamConfig::jsonRoundTrip_data()
{
    QTest::addColumn<StreamConfig>("config");
    StreamConfig sse = valid(QStringLiteral("https://example.test/events?topic=a%20b"));
    sse.headers = {{"Authorization", "Bearer ${env:TOKEN}"}, {"X-Trace", "a: b"}};
    sse.method = "POST";
    sse.body = "{\"subscribe\":[\"cpu\"]}";
    sse.idleTimeoutMs = 45000;
    sse.initialDelayMs = 250;
    sse.maxDelayMs = 8000;
    sse.caCertificatesFile = QStringLiteral("/etc/streamscope/internal-ca.pem");
    QTest::newRow("sse") << sse;
    StreamConfig ws = valid(QStringLiteral("wss://example.test/ws"));
    ws.name = QStringLiteral("ws \u00e9");
    ws.subprotocols = QStringList{QStringLiteral("v1"), QStringLiteral("v2")};
    ws.onOpenMessages = {"{\"op\":\"subscribe\"}", "hello"};
    ws.pingIntervalMs = 0;
    ws.ignoreCertificateErrors = true;
    QTest::newRow("websocket") << ws;
    StreamConfig uncompressed = valid(QStringLiteral("ws://127.0.0.1:9000/ws"));
    uncompressed.compression = false;
    QTest::newRow("websocket without compression") << uncompressed;
    StreamConfig http1 = valid(QStringLiteral("https://example.test/events"));
    http1.http2 = Http2Mode::Off;
    QTest::newRow("sse, HTTP/2 off") << http1;
    StreamConfig h2c = valid(QStringLiteral("http://127.0.0.1:8080/events"));
    h2c.http2 = Http2Mode::PriorKnowledge;
    QTest::newRow("sse, HTTP/2 prior knowledge") << h2c;
    StreamConfig notOneShot = valid(QStringLiteral("https://example.test/v1/chat/completions"));
    notOneShot.method = "POST";
    notOneShot.body = R"({"stream":true})";
    notOneShot.oneShot = false;
    QTest::newRow("sse, a POST that reconnects") << notOneShot;
    StreamConfig oneShotGet = valid(QStringLiteral("https://example.test/answer"));
    oneShotGet.oneShot = true;
    oneShotGet.tokens = TokenFormat::Anthropic;
    QTest::newRow("sse, a one-shot GET of Anthropic tokens") << oneShotGet;
    StreamConfig socketIo = valid(QStringLiteral("wss://example.test/socket.io/"));
    socketIo.protocol = StreamConfig::Protocol::SocketIo;
    socketIo.namespaces = {QStringLiteral("/"), QStringLiteral("/admin")};
    socketIo.socketIoAuth = "{\"token\":\"${env:SIO_TOKEN}\"}";
    QTest::newRow("socket.io") << socketIo;
    StreamConfig mqtt = valid(QStringLiteral("ws://127.0.0.1:9001/mqtt"));
    mqtt.protocol = StreamConfig::Protocol::Mqtt;
    mqtt.topics = {QStringLiteral("sensors/+/temp"), QStringLiteral("alerts/#")};
    mqtt.mqttQos = 1;
    mqtt.mqttUsername = "dash";
    mqtt.mqttPassword = "${env:MQTT_PASSWORD}";
    mqtt.mqttClientId = QStringLiteral("streamscope-1");
    mqtt.mqttVersion5 = true;
    QTest::newRow("mqtt") << mqtt;
    QTest::newRow("defaults") << valid();
}

void TestStreamConfig::jsonRoundTrip()
{
    QFETCH(StreamConfig, config);
    QStringList problems;
    const StreamConfig back = StreamConfig::fromJson(config.toJson(), &problems);
    QCOMPARE(problems, QStringList());
    QCOMPARE(back.toJson(), config.toJson());
    QCOMPARE(back.name, config.name);
    QCOMPARE(back.url, config.url);
    QCOMPARE(back.headers, config.headers);
    QCOMPARE(back.method, config.method);
    QCOMPARE(back.body, config.body);
    QCOMPARE(back.subprotocols, config.subprotocols);
    QCOMPARE(back.onOpenMessages, config.onOpenMessages);
    QCOMPARE(back.pingIntervalMs, config.pingIntervalMs);
    QCOMPARE(back.compression, config.compression);
    QCOMPARE(back.idleTimeoutMs, config.idleTimeoutMs);
    QCOMPARE(back.initialDelayMs, config.initialDelayMs);
    QCOMPARE(back.maxDelayMs, config.maxDelayMs);
    QCOMPARE(back.caCertificatesFile, config.caCertificatesFile);
    QCOMPARE(back.ignoreCertificateErrors, config.ignoreCertificateErrors);
    QCOMPARE(back.http2, config.http2);
    QCOMPARE(back.oneShot, config.oneShot); // unset stays unset: it follows method and body
    QCOMPARE(back.tokens, config.tokens);
    QCOMPARE(back.protocol, config.protocol);
    QCOMPARE(back.namespaces, config.namespaces);
    QCOMPARE(back.socketIoAuth, config.socketIoAuth);
    QCOMPARE(back.topics, config.topics);
    QCOMPARE(back.mqttQos, config.mqttQos);
    QCOMPARE(back.mqttUsername, config.mqttUsername);
    QCOMPARE(back.mqttPassword, config.mqttPassword);
    QCOMPARE(back.mqttClientId, config.mqttClientId);
    QCOMPARE(back.mqttVersion5, config.mqttVersion5);
    // Auto, the default, is not written; the others as their CLI word.
    const QJsonObject object = config.toJson();
    QCOMPARE(object.contains(QLatin1String("http2")), config.http2 != Http2Mode::Auto);
    if (config.http2 != Http2Mode::Auto) {
        QCOMPARE(object.value(QLatin1String("http2")).toString(),
            QString::fromLatin1(http2ModeName(config.http2)));
    }
    QStringList missing;
    QCOMPARE(back.sseSettings(&missing).http2, config.http2);
    // Secrets stay as references in files.
    QVERIFY(!config.toJson().value(QLatin1String("headers")).toArray().isEmpty()
        || config.headers.isEmpty());
}

void TestStreamConfig::jsonWrongTypesKeepDefaults()
{
    QJsonObject object;
    object.insert(QLatin1String("name"), QStringLiteral("x"));
    object.insert(QLatin1String("url"), QStringLiteral("http://h/x"));
    object.insert(QLatin1String("initialDelayMs"), QStringLiteral("soon"));
    object.insert(QLatin1String("maxDelayMs"), 1.5);
    object.insert(QLatin1String("headers"),
        QJsonArray{QStringLiteral("X-Ok: 1"), QStringLiteral("no colon here"), 3});
    object.insert(QLatin1String("subprotocols"), QStringLiteral("v1"));
    object.insert(QLatin1String("somethingNew"), true);
    QStringList problems;
    const StreamConfig config = StreamConfig::fromJson(object, &problems);
    QCOMPARE(config.name, QStringLiteral("x"));
    QCOMPARE(config.initialDelayMs, StreamConfig().initialDelayMs);
    QCOMPARE(config.maxDelayMs, StreamConfig().maxDelayMs);
    QCOMPARE(config.headers, HeaderList());
    QCOMPARE(problems.size(), 4);
    QVERIFY2(problems.at(0).startsWith(QLatin1String("headers: expected an array of strings")),
        qPrintable(problems.at(0)));
    QVERIFY2(problems.at(1).startsWith(QLatin1String("initialDelayMs: expected a whole number, "
                                                     "got a string")),
        qPrintable(problems.at(1)));
    QVERIFY2(problems.at(2).startsWith(QLatin1String("maxDelayMs:")), qPrintable(problems.at(2)));
    QVERIFY2(problems.at(3).startsWith(QLatin1String("subprotocols:")), qPrintable(problems.at(3)));

    // A header array of strings: the malformed line is named, the rest kept.
    object.insert(QLatin1String("headers"),
        QJsonArray{QStringLiteral("X-Ok: 1"), QStringLiteral("no colon here")});
    problems.clear();
    const StreamConfig second = StreamConfig::fromJson(object, &problems);
    QCOMPARE(second.headers, (HeaderList{{"X-Ok", "1"}}));
    QVERIFY(problems.first().contains(QLatin1String("\"no colon here\"")));

    // One-shot and token settings: a wrong word is named and a default kept.
    QJsonObject answer = valid(QStringLiteral("https://h/v1/messages")).toJson();
    answer.insert(QLatin1String("oneShot"), QStringLiteral("yes"));
    answer.insert(QLatin1String("tokens"), QStringLiteral("gpt"));
    problems.clear();
    const StreamConfig third = StreamConfig::fromJson(answer, &problems);
    QCOMPARE(third.oneShot, std::nullopt);
    QCOMPARE(third.tokens, std::optional<TokenFormat>(TokenFormat::Auto));
    QCOMPARE(problems.size(), 2);
    QVERIFY2(problems.at(0).startsWith(QLatin1String("oneShot: expected true or false")),
        qPrintable(problems.at(0)));
    QVERIFY2(problems.at(1).startsWith(QLatin1String("tokens: expected \"auto\"")),
        qPrintable(problems.at(1)));
}

void TestStreamConfig::tlsKeysWrittenOnlyWhenSet()
{
    StreamConfig config = valid(QStringLiteral("https://h/x"));
    QVERIFY(!config.toJson().contains(QLatin1String("caCertificatesFile")));
    QVERIFY(!config.toJson().contains(QLatin1String("ignoreCertificateErrors")));
    config.caCertificatesFile = QStringLiteral("ca.pem");
    config.ignoreCertificateErrors = true;
    QCOMPARE(config.toJson().value(QLatin1String("caCertificatesFile")).toString(),
        QStringLiteral("ca.pem"));
    QCOMPARE(config.toJson().value(QLatin1String("ignoreCertificateErrors")), QJsonValue(true));
}

void TestStreamConfig::tlsWrongTypesKeepDefaults()
{
    QJsonObject object = valid(QStringLiteral("https://h/x")).toJson();
    object.insert(QLatin1String("caCertificatesFile"), 7);
    object.insert(QLatin1String("ignoreCertificateErrors"), QStringLiteral("yes"));
    QStringList problems;
    const StreamConfig config = StreamConfig::fromJson(object, &problems);
    QCOMPARE(config.caCertificatesFile, QString());
    QCOMPARE(config.ignoreCertificateErrors, false); // never insecure by accident
    QCOMPARE(problems,
        (QStringList{
            QStringLiteral("caCertificatesFile: expected a string, got a number; the default is "
                           "kept"),
            QStringLiteral("ignoreCertificateErrors: expected true or false, got a string; the "
                           "default is kept")}));
}

void TestStreamConfig::tlsSettingsReachTheClients()
{
    StreamConfig config = valid(QStringLiteral("https://h/x"));
    config.caCertificatesFile = QStringLiteral("ca.pem");
    config.ignoreCertificateErrors = true;
    QStringList missing;
    const EventSourceSettings sse = config.sseSettings(&missing);
    QCOMPARE(sse.caCertificatesFile, QStringLiteral("ca.pem"));
    QVERIFY(sse.ignoreCertificateErrors);
    config.url = QUrl(QStringLiteral("wss://h/x"));
    const WebSocketSettings ws = config.webSocketSettings(&missing);
    QCOMPARE(ws.caCertificatesFile, QStringLiteral("ca.pem"));
    QVERIFY(ws.ignoreCertificateErrors);
    QVERIFY(!StreamConfig().sseSettings(&missing).ignoreCertificateErrors);
}

void TestStreamConfig::compressionWrittenOnlyWhenOff_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("compression");
    QTest::addColumn<bool>("written"); // "compression": false in the file
    QTest::newRow("ws, on (the default)") << "ws://h/x" << true << false;
    QTest::newRow("ws, off") << "ws://h/x" << false << true;
    QTest::newRow("wss, off") << "wss://h/x" << false << true;
    QTest::newRow("sse: not a setting of SSE") << "http://h/x" << false << false;
}

void TestStreamConfig::compressionWrittenOnlyWhenOff()
{
    QFETCH(QString, url);
    QFETCH(bool, compression);
    QFETCH(bool, written);
    StreamConfig config = valid(url);
    config.compression = compression;
    const QJsonObject object = config.toJson();
    QCOMPARE(object.contains(QLatin1String("compression")), written);
    if (written) {
        QCOMPARE(object.value(QLatin1String("compression")), QJsonValue(false));
    }
    // Read back as written: off survives the file; SSE has no such setting to keep.
    QCOMPARE(StreamConfig::fromJson(object, nullptr).compression, !written);
    // And it reaches the client, as subprotocols do.
    QStringList missing;
    QCOMPARE(config.webSocketSettings(&missing).compression, compression);
    QVERIFY(WebSocketSettings().compression); // both default to on
    QVERIFY(StreamConfig().compression);
}

void TestStreamConfig::compressionWrongTypeKeepsDefault_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("problem");
    QTest::newRow("string") << QJsonValue(QStringLiteral("off"))
                            << "compression: expected true or false, got a string; the default "
                               "is kept";
    QTest::newRow("number") << QJsonValue(0)
                            << "compression: expected true or false, got a number; the default "
                               "is kept";
    QTest::newRow("null") << QJsonValue(QJsonValue::Null)
                          << "compression: expected true or false, got null; the default is kept";
    QTest::newRow("true") << QJsonValue(true) << QString();
}

void TestStreamConfig::compressionWrongTypeKeepsDefault()
{
    QFETCH(QJsonValue, value);
    QFETCH(QString, problem);
    QJsonObject object = valid(QStringLiteral("ws://h/x")).toJson();
    object.insert(QLatin1String("compression"), value);
    QStringList problems;
    const StreamConfig config = StreamConfig::fromJson(object, &problems);
    QVERIFY(config.compression);
    QCOMPARE(problems, problem.isEmpty() ? QStringList() : QStringList{problem});
}

void TestStreamConfig::headerLines_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("plain") << "Authorization: Bearer x" << true << QByteArray("Authorization")
                           << QByteArray("Bearer x");
    QTest::newRow("colon in value")
        << "X-Time: 12:30" << true << QByteArray("X-Time") << QByteArray("12:30");
    QTest::newRow("empty value") << "X-Empty:" << true << QByteArray("X-Empty") << QByteArray();
    QTest::newRow("no colon") << "Authorization Bearer" << false << QByteArray() << QByteArray();
    QTest::newRow("no name") << ": x" << false << QByteArray() << QByteArray();
    QTest::newRow("bad name") << "X(1): x" << false << QByteArray() << QByteArray();
    QTest::newRow("line break") << "X-A: 1\nX-B: 2" << false << QByteArray() << QByteArray();
}

void TestStreamConfig::headerLines()
{
    QFETCH(QString, line);
    QFETCH(bool, ok);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);
    QPair<QByteArray, QByteArray> header;
    QString error;
    QCOMPARE(parseHeaderLine(line, &header, &error), ok);
    if (ok) {
        QCOMPARE(header.first, name);
        QCOMPARE(header.second, value);
        QCOMPARE(headerLine(header), QString::fromUtf8(name + ": " + value));
    } else {
        QVERIFY(!error.isEmpty());
    }
}

void TestStreamConfig::environment_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("resolved");
    QTest::addColumn<QStringList>("missing");
    QTest::newRow("none") << QByteArray("plain") << QByteArray("plain") << QStringList();
    QTest::newRow("whole") << QByteArray("${env:SS_TEST_TOKEN}") << QByteArray("s3cr$t")
                           << QStringList();
    QTest::newRow("inside") << QByteArray("Bearer ${env:SS_TEST_TOKEN}!")
                            << QByteArray("Bearer s3cr$t!") << QStringList();
    QTest::newRow("twice") << QByteArray("${env:SS_TEST_TOKEN}${env:SS_TEST_TOKEN}")
                           << QByteArray("s3cr$ts3cr$t") << QStringList();
    QTest::newRow("set but empty")
        << QByteArray("[${env:SS_TEST_EMPTY}]") << QByteArray("[]") << QStringList();
    QTest::newRow("missing") << QByteArray("Bearer ${env:SS_TEST_UNSET}") << QByteArray("Bearer ")
                             << QStringList{QStringLiteral("SS_TEST_UNSET")};
    QTest::newRow("two missing, named once")
        << QByteArray("${env:SS_TEST_UNSET}${env:SS_TEST_UNSET2}${env:SS_TEST_UNSET}")
        << QByteArray()
        << QStringList{QStringLiteral("SS_TEST_UNSET"), QStringLiteral("SS_TEST_UNSET2")};
    QTest::newRow("not a reference: no brace")
        << QByteArray("${env:SS_TEST_TOKEN") << QByteArray("${env:SS_TEST_TOKEN") << QStringList();
    QTest::newRow("not a reference: bad name")
        << QByteArray("${env:1A}") << QByteArray("${env:1A}") << QStringList();
    QTest::newRow("shell style left alone")
        << QByteArray("$HOME ${HOME}") << QByteArray("$HOME ${HOME}") << QStringList();
}

void TestStreamConfig::environment()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, resolved);
    QFETCH(QStringList, missing);
    qputenv("SS_TEST_TOKEN", "s3cr$t");
    qputenv("SS_TEST_EMPTY", "");
    qunsetenv("SS_TEST_UNSET");
    qunsetenv("SS_TEST_UNSET2");
    QStringList names;
    QCOMPARE(resolveEnvironmentReferences(value, &names), resolved);
    QCOMPARE(names, missing);
}

void TestStreamConfig::settingsResolveAtCallTime()
{
    StreamConfig config = valid();
    config.headers = {{"Authorization", "Bearer ${env:SS_TEST_LATE}"}};
    qunsetenv("SS_TEST_LATE");
    QStringList missing;
    config.sseSettings(&missing);
    QCOMPARE(missing, QStringList{QStringLiteral("SS_TEST_LATE")});

    qputenv("SS_TEST_LATE", "one");
    missing.clear();
    QCOMPARE(config.sseSettings(&missing).headers.first().second, QByteArray("Bearer one"));
    QVERIFY(missing.isEmpty());
    qputenv("SS_TEST_LATE", "two");
    config.url = QUrl(QStringLiteral("ws://h/ws"));
    QCOMPARE(config.webSocketSettings(&missing).headers.first().second, QByteArray("Bearer two"));
    // Never stored resolved.
    QCOMPARE(config.headers.first().second, QByteArray("Bearer ${env:SS_TEST_LATE}"));
    qunsetenv("SS_TEST_LATE");
}

void TestStreamConfig::guessProtocol_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("subprotocols");
    QTest::addColumn<StreamConfig::Protocol>("protocol");
    QTest::newRow("plain") << "wss://h/ws" << QStringList() << StreamConfig::Protocol::WebSocket;
    QTest::newRow("socket.io path") << "wss://h/socket.io/?EIO=4&transport=websocket"
                                    << QStringList() << StreamConfig::Protocol::SocketIo;
    QTest::newRow("socket.io without slash")
        << "ws://h/socket.io" << QStringList() << StreamConfig::Protocol::SocketIo;
    QTest::newRow("mqtt subprotocol")
        << "ws://h:9001/" << QStringList{QStringLiteral("mqtt")} << StreamConfig::Protocol::Mqtt;
    QTest::newRow("mqtt path") << "wss://broker/mqtt" << QStringList()
                               << StreamConfig::Protocol::Mqtt;
    QTest::newRow("mqtt in the middle is no guess")
        << "wss://h/mqtt/stats" << QStringList() << StreamConfig::Protocol::WebSocket;
}

void TestStreamConfig::guessProtocol()
{
    QFETCH(QString, url);
    QFETCH(QStringList, subprotocols);
    QFETCH(StreamConfig::Protocol, protocol);
    QCOMPARE(StreamConfig::guessProtocol(QUrl(url), subprotocols), protocol);
}

void TestStreamConfig::cliCommand_data()
{
    QTest::addColumn<Change>("change");
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("revealed"); // with Secrets::Revealed; empty: the same
    QTest::newRow("socket.io") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("ws://h/socket.io/"));
        c.protocol = StreamConfig::Protocol::SocketIo;
        c.namespaces = {QStringLiteral("/admin")};
        c.socketIoAuth = "{\"token\":\"${env:T}\"}";
    })
                               << "streamscope-cli socketio ws://h/socket.io/ --namespace /admin "
                                  "--auth \"{\\\"token\\\":\\\"$T\\\"}\""
                               << QString();
    QTest::newRow("mqtt, password masked")
        << Change([](StreamConfig &c) {
               c.url = QUrl(QStringLiteral("ws://h/mqtt"));
               c.protocol = StreamConfig::Protocol::Mqtt;
               c.topics = {QStringLiteral("a/#")};
               c.mqttQos = 1;
               c.mqttUsername = "u";
               c.mqttPassword = "hunter2";
           })
        << "streamscope-cli mqtt ws://h/mqtt --topic 'a/#' --qos 1 --username u --password '•••'"
        << "streamscope-cli mqtt ws://h/mqtt --topic 'a/#' --qos 1 --username u --password hunter2";
    QTest::newRow("plain sse") << Change([](StreamConfig &) {})
                               << "streamscope-cli sse http://127.0.0.1:8080/metrics" << QString();
    QTest::newRow("query needs quotes")
        << Change([](StreamConfig &c) { c.url = QUrl(QStringLiteral("http://h/x?a=1&b=2")); })
        << "streamscope-cli sse 'http://h/x?a=1&b=2'" << QString();
    QTest::newRow("header with quote") << Change([](StreamConfig &c) {
        c.headers = {{"X-Note", "it's"}};
    }) << "streamscope-cli sse http://127.0.0.1:8080/metrics -H 'X-Note: it'\\''s'"
                                       << QString();
    QTest::newRow("env reference") << Change([](StreamConfig &c) {
        c.headers = {{"Authorization", "Bearer ${env:TOKEN}"}};
    }) << "streamscope-cli sse http://127.0.0.1:8080/metrics -H \"Authorization: Bearer $TOKEN\""
                                   << QString();
    QTest::newRow("env reference with specials") << Change([](StreamConfig &c) {
        c.headers = {{"X-K", "$1 \"${env:A}\"${env:B}x`"}};
    }) << "streamscope-cli sse http://127.0.0.1:8080/metrics -H \"X-K: \\$1 \\\"$A\\\"${B}x\\`\""
                                                 << QString();
    QTest::newRow("post body: one-shot unless told") << Change([](StreamConfig &c) {
        c.method = "POST";
        c.body = "{\"a\": 1}";
    }) << "streamscope-cli sse http://127.0.0.1:8080/metrics --data '{\"a\": 1}' --once"
                                                     << QString();
    QTest::newRow("post body that reconnects") << Change([](StreamConfig &c) {
        c.method = "POST";
        c.body = "{\"a\": 1}";
        c.oneShot = false;
    }) << "streamscope-cli sse http://127.0.0.1:8080/metrics --data '{\"a\": 1}'"
                                               << QString();
    QTest::newRow("one-shot get") << Change([](StreamConfig &c) { c.oneShot = true; })
                                  << "streamscope-cli sse http://127.0.0.1:8080/metrics --once"
                                  << QString();
    QTest::newRow("put body and delays")
        << Change([](StreamConfig &c) {
               c.method = "PUT";
               c.body = "x";
               c.idleTimeoutMs = 30000;
               c.initialDelayMs = 200;
               c.maxDelayMs = 5000;
           })
        << "streamscope-cli sse http://127.0.0.1:8080/metrics --method PUT --data x "
           "--idle-timeout 30000 --initial-delay 200 --max-delay 5000"
        << QString();
    QTest::newRow("websocket") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("ws://127.0.0.1:1/ws"));
        c.subprotocols = QStringList{QStringLiteral("v1")};
        c.onOpenMessages = {"{\"op\":\"subscribe\"}"};
        c.pingIntervalMs = 0;
        c.body = "ignored";
    })
                               << "streamscope-cli ws ws://127.0.0.1:1/ws --subprotocol v1 --send "
                                  "'{\"op\":\"subscribe\"}' --ping-interval 0"
                               << QString();
    QTest::newRow("websocket without compression") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("ws://127.0.0.1:1/ws"));
        c.subprotocols = QStringList{QStringLiteral("v1")};
        c.compression = false;
    }) << "streamscope-cli ws ws://127.0.0.1:1/ws --subprotocol v1 --no-compression"
                                                   << QString();
    QTest::newRow("http2 auto: the default, not written")
        << Change([](StreamConfig &c) { c.http2 = Http2Mode::Auto; })
        << "streamscope-cli sse http://127.0.0.1:8080/metrics" << QString();
    QTest::newRow("http2 off") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("https://127.0.0.1:8443/metrics"));
        c.http2 = Http2Mode::Off;
    }) << "streamscope-cli sse https://127.0.0.1:8443/metrics --http2 off"
                               << QString();
    QTest::newRow("http2 prior knowledge, after the idle timeout")
        << Change([](StreamConfig &c) {
               c.idleTimeoutMs = 30000;
               c.http2 = Http2Mode::PriorKnowledge;
           })
        << "streamscope-cli sse http://127.0.0.1:8080/metrics --idle-timeout 30000 --http2 "
           "prior-knowledge"
        << QString();
    QTest::newRow("websocket: http2 is no WebSocket option") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("ws://127.0.0.1:1/ws"));
        c.http2 = Http2Mode::Off;
    }) << "streamscope-cli ws ws://127.0.0.1:1/ws" << QString();
    QTest::newRow("sse: compression is no SSE option")
        << Change([](StreamConfig &c) { c.compression = false; })
        << "streamscope-cli sse http://127.0.0.1:8080/metrics" << QString();
    QTest::newRow("secrets masked")
        << Change([](StreamConfig &c) {
               c.headers = {{"Authorization", "Bearer hunter2"}, {"Cookie", "s=1"}, {"X-A", "b"}};
           })
        << QString::fromUtf8("streamscope-cli sse http://127.0.0.1:8080/metrics -H "
                             "'Authorization: Bearer \u2022\u2022\u2022' -H 'Cookie: "
                             "\u2022\u2022\u2022' -H 'X-A: b'")
        << "streamscope-cli sse http://127.0.0.1:8080/metrics -H 'Authorization: Bearer hunter2' "
           "-H 'Cookie: s=1' -H 'X-A: b'";
    QTest::newRow("env reference beside a secret")
        << Change([](StreamConfig &c) {
               c.headers = {{"Cookie", "a=${env:A}; b=2"}};
           })
        << QString::fromUtf8("streamscope-cli sse http://127.0.0.1:8080/metrics -H "
                             "\"Cookie: \u2022\u2022\u2022$A\u2022\u2022\u2022\"")
        << "streamscope-cli sse http://127.0.0.1:8080/metrics -H \"Cookie: a=$A; b=2\"";
    QTest::newRow("CA file and insecure")
        << Change([](StreamConfig &c) {
               c.url = QUrl(QStringLiteral("https://127.0.0.1:8443/metrics"));
               c.caCertificatesFile = QStringLiteral("/etc/ssl/our ca.pem");
               c.ignoreCertificateErrors = true;
           })
        << "streamscope-cli sse https://127.0.0.1:8443/metrics --ca-file '/etc/ssl/our ca.pem' "
           "--insecure"
        << QString();
    QTest::newRow("wss CA file") << Change([](StreamConfig &c) {
        c.url = QUrl(QStringLiteral("wss://h/ws"));
        c.caCertificatesFile = QStringLiteral("ca.pem");
    }) << "streamscope-cli ws wss://h/ws --ca-file ca.pem"
                                 << QString();
    QTest::newRow("TLS settings left out without TLS") << Change([](StreamConfig &c) {
        c.caCertificatesFile = QStringLiteral("ca.pem");
        c.ignoreCertificateErrors = true;
    }) << "streamscope-cli sse http://127.0.0.1:8080/metrics"
                                                       << QString();
}

void TestStreamConfig::cliCommand()
{
    QFETCH(Change, change);
    QFETCH(QString, command);
    QFETCH(QString, revealed);
    StreamConfig config = valid();
    change(config);
    QCOMPARE(config.cliCommand(), command);
    QCOMPARE(config.cliCommand(StreamConfig::Secrets::Revealed),
        revealed.isEmpty() ? command : revealed);
}

void TestStreamConfig::maskedHeaderValue_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("shown");
    const QString mask(3, QChar(0x2022));
    QTest::newRow("bearer") << QByteArray("Authorization") << QByteArray("Bearer abc.def")
                            << QStringLiteral("Bearer ") + mask;
    QTest::newRow("basic, lower-case name")
        << QByteArray("authorization") << QByteArray("Basic dXNlcjpwYXNz")
        << QStringLiteral("Basic ") + mask;
    QTest::newRow("auth params") << QByteArray("Authorization")
                                 << QByteArray("Digest username=\"a\", response=\"b\"")
                                 << QStringLiteral("Digest ") + mask;
    QTest::newRow("no scheme") << QByteArray("Authorization") << QByteArray("abc123") << mask;
    QTest::newRow("proxy") << QByteArray("Proxy-Authorization") << QByteArray("Bearer t")
                           << QStringLiteral("Bearer ") + mask;
    QTest::newRow("cookie fully") << QByteArray("Cookie") << QByteArray("session=abc; theme=dark")
                                  << mask;
    QTest::newRow("cookie upper-case") << QByteArray("COOKIE") << QByteArray("a=b") << mask;
    QTest::newRow("x-api-key fully")
        << QByteArray("x-api-key") << QByteArray("sk-ant-abc123") << mask;
    QTest::newRow("X-Api-Key: no scheme kept")
        << QByteArray("X-Api-Key") << QByteArray("key abc") << mask;
    QTest::newRow("anthropic-api-key upper-case")
        << QByteArray("ANTHROPIC-API-KEY") << QByteArray("abc") << mask;
    QTest::newRow("env reference kept")
        << QByteArray("Authorization") << QByteArray("Bearer ${env:API_TOKEN}")
        << QStringLiteral("Bearer ${env:API_TOKEN}");
    QTest::newRow("env reference alone")
        << QByteArray("Cookie") << QByteArray("${env:COOKIE}") << QStringLiteral("${env:COOKIE}");
    QTest::newRow("literal beside a reference")
        << QByteArray("Cookie") << QByteArray("s=${env:S}; t=x")
        << mask + QStringLiteral("${env:S}") + mask;
    QTest::newRow("not a reference: masked")
        << QByteArray("Authorization") << QByteArray("Bearer ${env:}")
        << QStringLiteral("Bearer ") + mask;
    QTest::newRow("empty") << QByteArray("Authorization") << QByteArray() << QString();
    QTest::newRow("other header as is")
        << QByteArray("X-Api-Trace") << QByteArray("Bearer abc") << QStringLiteral("Bearer abc");
    QTest::newRow("similar name as is")
        << QByteArray("X-Authorization-Mode") << QByteArray("on") << QStringLiteral("on");
}

void TestStreamConfig::maskedHeaderValue()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);
    QFETCH(QString, shown);
    QCOMPARE(streamscope::maskedHeaderValue(name, value), shown);
    QVERIFY(!streamscope::maskedHeaderValue(name, value).contains(QLatin1String("abc"))
        || !isSecretHeader(name));
}

QTEST_APPLESS_MAIN(TestStreamConfig)
#include "tst_streamconfig.moc"
