// SPDX-License-Identifier: GPL-3.0-or-later
#include "websockethandshake.h"

#include <QRandomGenerator>
#include <QTest>

#include <functional>

using namespace streamscope;

Q_DECLARE_METATYPE(streamscope::WebSocketHandshake::Result)

namespace {

// RFC 6455 1.3's example: this key, and the accept value the server answers with.
const QByteArray s_key = "dGhlIHNhbXBsZSBub25jZQ==";
const QByteArray s_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

const QByteArray s_fixedLines = "Upgrade: websocket\r\n"
                                "Connection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\n";

QByteArray switching(const QByteArray &extraHeaders = {})
{
    return "HTTP/1.1 101 Switching Protocols\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Accept: "
        + s_accept + "\r\n" + extraHeaders + "\r\n";
}

// The head of a 101 answer without the named header line.
QByteArray switchingWithout(const QByteArray &name)
{
    QByteArrayList lines = switching().split('\n');
    lines.removeIf([&](const QByteArray &line) { return line.startsWith(name + ':'); });
    return lines.join('\n');
}

const char *resultName(WebSocketHandshake::Result result)
{
    switch (result) {
    case WebSocketHandshake::Result::NeedMore:
        return "NeedMore";
    case WebSocketHandshake::Result::Accepted:
        return "Accepted";
    case WebSocketHandshake::Result::Refused:
        return "Refused";
    case WebSocketHandshake::Result::Failed:
        return "Failed";
    }
    return "?";
}

QStringList strings(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items) {
        out.append(QString::fromUtf8(item));
    }
    return out;
}

quint32 testSeed()
{
    bool ok = false;
    const quint32 fixed = qEnvironmentVariable("STREAMSCOPE_TEST_SEED").toUInt(&ok);
    return ok ? fixed : QRandomGenerator::global()->generate();
}

} // namespace

class TestWebSocketHandshake : public QObject
{
    Q_OBJECT
private slots:
    void request_data();
    void request();
    void generatedKey();
    void acceptValue();
    void response_data();
    void response();
    void bytesAfterAcceptedAreLeftover();
    void finalResultsStay();
    void requestAndAnswerAgree();
};

void TestWebSocketHandshake::request_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<QStringList>("subprotocols");
    QTest::addColumn<bool>("deflate");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<QStringList>("warnings");

    const auto request
        = [](const QByteArray &target, const QByteArray &host, const QByteArray &extra = {}) {
              return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + s_fixedLines + extra
                  + "\r\n";
          };
    const auto url = [](const char *text) { return QUrl(QString::fromUtf8(text)); };

    QTest::newRow("path") << url("ws://example.com/chat") << HeaderList() << QStringList() << false
                          << request("/chat", "example.com") << QStringList();
    QTest::newRow("no path") << url("ws://example.com") << HeaderList() << QStringList() << false
                             << request("/", "example.com") << QStringList();
    QTest::newRow("query") << url("ws://example.com/a/b?x=1&y=%20z") << HeaderList()
                           << QStringList() << false << request("/a/b?x=1&y=%20z", "example.com")
                           << QStringList();
    QTest::newRow("empty query") << url("ws://example.com/a?") << HeaderList() << QStringList()
                                 << false << request("/a?", "example.com") << QStringList();
    QTest::newRow("fragment not sent")
        << url("ws://example.com/p?q#frag") << HeaderList() << QStringList() << false
        << request("/p?q", "example.com") << QStringList();
    QTest::newRow("encoded path") << url("ws://example.com/a%20b/%C3%A9") << HeaderList()
                                  << QStringList() << false
                                  << request("/a%20b/%C3%A9", "example.com") << QStringList();
    QTest::newRow("port") << url("ws://example.com:8080/") << HeaderList() << QStringList() << false
                          << request("/", "example.com:8080") << QStringList();
    QTest::newRow("ws on 80") << url("ws://example.com:80/") << HeaderList() << QStringList()
                              << false << request("/", "example.com") << QStringList();
    QTest::newRow("wss on 443") << url("wss://example.com:443/s") << HeaderList() << QStringList()
                                << false << request("/s", "example.com") << QStringList();
    QTest::newRow("wss on 80") << url("wss://example.com:80/") << HeaderList() << QStringList()
                               << false << request("/", "example.com:80") << QStringList();
    QTest::newRow("ws on 443") << url("ws://example.com:443/") << HeaderList() << QStringList()
                               << false << request("/", "example.com:443") << QStringList();
    QTest::newRow("IPv4") << url("ws://127.0.0.1:9001/") << HeaderList() << QStringList() << false
                          << request("/", "127.0.0.1:9001") << QStringList();
    QTest::newRow("IPv6") << url("ws://[::1]:9001/") << HeaderList() << QStringList() << false
                          << request("/", "[::1]:9001") << QStringList();
    QTest::newRow("IPv6, default port")
        << url("ws://[2001:db8::1]/") << HeaderList() << QStringList() << false
        << request("/", "[2001:db8::1]") << QStringList();
    QTest::newRow("IDN host") << url("ws://bücher.example/") << HeaderList() << QStringList()
                              << false << request("/", "xn--bcher-kva.example") << QStringList();
    QTest::newRow("subprotocols") << url("ws://h/") << HeaderList()
                                  << strings({"graphql-ws", "mqtt"}) << false
                                  << request(
                                         "/", "h", "Sec-WebSocket-Protocol: graphql-ws, mqtt\r\n")
                                  << QStringList();
    QTest::newRow("subprotocols that are not tokens, or repeated")
        << url("ws://h/") << HeaderList() << strings({"a b", "ok", "", "ok", "x,y"}) << false
        << request("/", "h", "Sec-WebSocket-Protocol: ok\r\n")
        << strings({"subprotocol \"a b\" left out: not an HTTP token",
               "subprotocol \"\" left out: not an HTTP token",
               "subprotocol \"ok\" left out: offered twice",
               "subprotocol \"x,y\" left out: not an HTTP token"});
    QTest::newRow("deflate")
        << url("ws://h/") << HeaderList() << QStringList() << true
        << request(
               "/", "h", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n")
        << QStringList();
    QTest::newRow("subprotocol and deflate")
        << url("ws://h/") << HeaderList() << strings({"v1"}) << true
        << request("/", "h",
               "Sec-WebSocket-Protocol: v1\r\n"
               "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n")
        << QStringList();
    QTest::newRow("user headers, in order")
        << url("ws://h/")
        << HeaderList{{"Authorization", "Bearer abc"}, {"Origin", "https://h"}, {"X-A", "1"},
               {"X-A", "2"}}
        << QStringList() << false
        << request(
               "/", "h", "Authorization: Bearer abc\r\nOrigin: https://h\r\nX-A: 1\r\nX-A: 2\r\n")
        << QStringList();
    QTest::newRow("user header values trimmed")
        << url("ws://h/") << HeaderList{{"X-Token", "  abc \t"}, {"X-Empty", ""}} << QStringList()
        << false << request("/", "h", "X-Token: abc\r\nX-Empty: \r\n") << QStringList();
    QTest::newRow("the handshake's own headers are not overridden")
        << url("ws://h/")
        << HeaderList{{"host", "evil"}, {"UPGRADE", "h2c"}, {"Connection", "close"},
               {"sec-websocket-key", "x"}, {"Sec-WebSocket-Version", "8"},
               {"Sec-WebSocket-Protocol", "p"}, {"Sec-WebSocket-Extensions", "x"},
               {"Sec-WebSocket-Accept", "x"}, {"Content-Length", "5"},
               {"Transfer-Encoding", "chunked"}, {"Origin", "https://h"}}
        << QStringList() << false << request("/", "h", "Origin: https://h\r\n")
        << strings({"header host left out: the handshake sets it",
               "header UPGRADE left out: the handshake sets it",
               "header Connection left out: the handshake sets it",
               "header sec-websocket-key left out: the handshake sets it",
               "header Sec-WebSocket-Version left out: the handshake sets it",
               "header Sec-WebSocket-Protocol left out: the handshake sets it",
               "header Sec-WebSocket-Extensions left out: the handshake sets it",
               "header Sec-WebSocket-Accept left out: the handshake sets it",
               "header Content-Length left out: the handshake sets it",
               "header Transfer-Encoding left out: the handshake sets it"});
    QTest::newRow("no header injection")
        << url("ws://h/")
        << HeaderList{{"X-A", "a\r\nEvil: 1"}, {"X-B", "b\nc"}, {"X-C", QByteArray("c\0d", 3)},
               {"Bad Name", "v"}, {"", "v"}, {"X:Y", "v"}, {"X-Ok", "fine"}}
        << QStringList() << false << request("/", "h", "X-Ok: fine\r\n")
        << strings({"header X-A left out: its value has a line break or NUL",
               "header X-B left out: its value has a line break or NUL",
               "header X-C left out: its value has a line break or NUL",
               "header \"Bad Name\" left out: not a valid name",
               "header \"\" left out: not a valid name",
               "header \"X:Y\" left out: not a valid name"});
}

void TestWebSocketHandshake::request()
{
    QFETCH(QUrl, url);
    QFETCH(HeaderList, headers);
    QFETCH(QStringList, subprotocols);
    QFETCH(bool, deflate);
    QFETCH(QByteArray, expected);
    QFETCH(QStringList, warnings);
    QVERIFY(url.isValid());
    const WebSocketHandshake handshake({url, headers, subprotocols, deflate, s_key});
    QCOMPARE(handshake.requestBytes(), expected);
    QCOMPARE(handshake.warnings(), warnings);
    QCOMPARE(handshake.key(), s_key);
    QCOMPARE(handshake.result(), WebSocketHandshake::Result::NeedMore);
}

void TestWebSocketHandshake::generatedKey()
{
    const WebSocketHandshake a({QUrl(QStringLiteral("ws://h/")), {}, {}, false, {}});
    const WebSocketHandshake b({QUrl(QStringLiteral("ws://h/")), {}, {}, false, {}});
    QCOMPARE(a.key().size(), 24);
    QCOMPARE(QByteArray::fromBase64(a.key()).size(), 16);
    QVERIFY(a.key() != b.key());
    QVERIFY(a.requestBytes().contains("Sec-WebSocket-Key: " + a.key() + "\r\n"));
    QVERIFY(WebSocketHandshake::generateKey() != WebSocketHandshake::generateKey());
}

void TestWebSocketHandshake::acceptValue()
{
    QCOMPARE(WebSocketHandshake::acceptFor(s_key), s_accept);
    QCOMPARE(WebSocketHandshake::acceptFor("x3JJHMbDL1EzLkh9GBhXDw=="),
        QByteArray("HSmrc0sMlYUkAGmm5OPpG2HaGWk="));
}

void TestWebSocketHandshake::response_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QStringList>("subprotocols");
    QTest::addColumn<bool>("deflate");
    QTest::addColumn<bool>("finish"); // the connection ends after the bytes
    QTest::addColumn<WebSocketHandshake::Result>("result");
    QTest::addColumn<QString>("error"); // a substring of errorString(); empty: it is empty
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("leftover"); // Accepted; Refused: the body
    QTest::addColumn<QString>("subprotocol");
    QTest::addColumn<QString>("deflateParameters"); // "none" or "s<bits> c<bits> [S] [C]"

    using R = WebSocketHandshake::Result;
    const QStringList none;
    const QString noDeflate = QStringLiteral("none");
    const auto text = [](const char *s) { return QString::fromUtf8(s); };

    // Accepted.
    QTest::newRow("accepted") << switching() << none << false << false << R::Accepted << QString()
                              << 101 << QByteArray() << QString() << noDeflate;
    QTest::newRow("frames right after the head")
        << switching() + "\x81\x02hi\x8a\x01p" << none << false << false << R::Accepted << QString()
        << 101 << QByteArray("\x81\x02hi\x8a\x01p") << QString() << noDeflate;
    QTest::newRow("any case, token lists")
        << QByteArray("HTTP/1.1 101 Web Socket Protocol Handshake\r\nUPGRADE: WebSocket\r\n"
                      "connection: keep-alive, Upgrade\r\nsec-websocket-accept:   ")
            + s_accept + "  \r\n\r\n"
        << none << false << false << R::Accepted << QString() << 101 << QByteArray() << QString()
        << noDeflate;
    QTest::newRow("bare LF line ends")
        << switching().replace("\r\n", "\n") + "rest" << none << false << false << R::Accepted
        << QString() << 101 << QByteArray("rest") << QString() << noDeflate;
    QTest::newRow("no reason phrase")
        << switching().replace("101 Switching Protocols", "101") << none << false << false
        << R::Accepted << QString() << 101 << QByteArray() << QString() << noDeflate;
    QTest::newRow("interim 100 first")
        << "HTTP/1.1 100 Continue\r\nX-A: 1\r\n\r\n" + switching() + "x" << none << false << false
        << R::Accepted << QString() << 101 << QByteArray("x") << QString() << noDeflate;
    QTest::newRow("subprotocol chosen")
        << switching("Sec-WebSocket-Protocol: mqtt\r\n") << strings({"graphql-ws", "mqtt"}) << false
        << false << R::Accepted << QString() << 101 << QByteArray() << text("mqtt") << noDeflate;
    QTest::newRow("subprotocols offered, none chosen")
        << switching() << strings({"mqtt"}) << false << false << R::Accepted << QString() << 101
        << QByteArray() << QString() << noDeflate;
    QTest::newRow("deflate accepted")
        << switching("Sec-WebSocket-Extensions: permessage-deflate\r\n") << none << true << false
        << R::Accepted << QString() << 101 << QByteArray() << QString() << text("s15 c15");
    QTest::newRow("deflate with parameters")
        << switching("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
                     "client_max_window_bits=10\r\n")
        << none << true << false << R::Accepted << QString() << 101 << QByteArray() << QString()
        << text("s15 c10 S");
    QTest::newRow("deflate offered, not accepted")
        << switching() << none << true << false << R::Accepted << QString() << 101 << QByteArray()
        << QString() << noDeflate;
    QTest::newRow("empty extensions header")
        << switching("Sec-WebSocket-Extensions: \r\n") << none << false << false << R::Accepted
        << QString() << 101 << QByteArray() << QString() << noDeflate;
    QTest::newRow("folded header line")
        << switching("X-Long: a\r\n  b\r\n") << none << false << false << R::Accepted << QString()
        << 101 << QByteArray() << QString() << noDeflate;
    QTest::newRow("a 60 KiB head")
        << switching("X-Big: " + QByteArray(60 * 1024, 'b') + "\r\n") << none << false << false
        << R::Accepted << QString() << 101 << QByteArray() << QString() << noDeflate;

    // A 101 that fails a check (RFC 6455 4.1).
    const auto failed = [&](const char *name, const QByteArray &response, const char *error,
                            const QStringList &subprotocols = {}, bool deflate = false) {
        QTest::newRow(name) << response << subprotocols << deflate << false << R::Failed
                            << text(error) << 101 << QByteArray() << QString() << noDeflate;
    };
    failed("no Upgrade", switchingWithout("Upgrade"), "101 answer has no Upgrade header");
    failed("Upgrade to something else", switching().replace("Upgrade: websocket", "Upgrade: h2c"),
        "upgrades to \"h2c\"");
    failed("two Upgrade values", switching("Upgrade: websocket\r\n"),
        "upgrades to \"websocket, websocket\"");
    failed("no Connection", switchingWithout("Connection"), "no Connection: Upgrade");
    failed("Connection without upgrade",
        switching().replace("Connection: Upgrade", "Connection: keep-alive"),
        "no Connection: Upgrade");
    failed("Connection with upgrade as part of a token",
        switching().replace("Connection: Upgrade", "Connection: upgraded"),
        "no Connection: Upgrade");
    failed("no Sec-WebSocket-Accept", switchingWithout("Sec-WebSocket-Accept"),
        "no Sec-WebSocket-Accept");
    failed("wrong Sec-WebSocket-Accept", switching().replace(s_accept, "dGhlIHNhbXBsZSBub25jZQ=="),
        "Sec-WebSocket-Accept \"dGhlIHNhbXBsZSBub25jZQ==\" does not match our key (expected "
        "\"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\")");
    failed("Sec-WebSocket-Accept twice", switching("Sec-WebSocket-Accept: " + s_accept + "\r\n"),
        "does not match our key");
    failed("subprotocol not offered", switching("Sec-WebSocket-Protocol: other\r\n"),
        "the server chose subprotocol \"other\", which we did not offer", strings({"mqtt"}));
    failed("subprotocol when none offered", switching("Sec-WebSocket-Protocol: mqtt\r\n"),
        "which we did not offer");
    failed("subprotocol case differs", switching("Sec-WebSocket-Protocol: MQTT\r\n"),
        "which we did not offer", strings({"mqtt"}));
    failed("two subprotocols chosen", switching("Sec-WebSocket-Protocol: a, b\r\n"),
        "subprotocol \"a, b\"", strings({"a", "b"}));
    failed("extension not offered", switching("Sec-WebSocket-Extensions: permessage-deflate\r\n"),
        "the server accepted extensions we did not offer: permessage-deflate");
    failed("other extension", switching("Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n"),
        "extension \"x-webkit-deflate-frame\", which we did not offer", {}, true);
    failed("bad deflate parameter",
        switching("Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=20\r\n"),
        "Sec-WebSocket-Extensions: server_max_window_bits=20 is not in 8..15", {}, true);

    // Not HTTP, or broken.
    const auto broken = [&](const char *name, const QByteArray &response, const char *error,
                            bool finish = false, int status = 0) {
        QTest::newRow(name) << response << QStringList() << false << finish << R::Failed
                            << text(error) << status << QByteArray() << QString() << noDeflate;
    };
    broken("not HTTP", "SSH-2.0-OpenSSH_9.2\r\n\r\n",
        "the server did not answer with HTTP: \"SSH-2.0-OpenSSH_9.2\"");
    broken("HTTP/2", "HTTP/2 101\r\n\r\n", "did not answer with HTTP");
    broken("status not a number", "HTTP/1.1 1x1 Switching\r\n\r\n", "did not answer with HTTP");
    broken("status of four digits", "HTTP/1.1 1011 Switching\r\n\r\n", "did not answer with HTTP");
    broken("malformed header", "HTTP/1.1 101 Switching Protocols\r\nno colon here\r\n\r\n",
        "malformed header line in the server's handshake answer: \"no colon here\"", false, 101);
    broken("space before the colon", "HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n",
        "malformed header line", false, 101);
    broken("starts with a folded line", "HTTP/1.1 101 OK\r\n folded\r\n\r\n",
        "starts with a folded line", false, 101);
    broken("head over 64 KiB", "HTTP/1.1 101 OK\r\nX-Big: " + QByteArray(64 * 1024, 'b'),
        "head of more than 64 KiB");
    broken("head over 64 KiB, ended", switching("X-Big: " + QByteArray(64 * 1024, 'b') + "\r\n"),
        "head of more than 64 KiB");
    broken("cut short", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n",
        "the connection ended inside the server's handshake answer", true);
    broken("nothing", "", "the server closed the connection without answering the handshake", true);

    // Refused: status, headers and the start of the body.
    const auto refused = [&](const char *name, const QByteArray &response, bool finish,
                             const char *error, int status, const QByteArray &body) {
        QTest::newRow(name) << response << QStringList() << false << finish << R::Refused
                            << text(error) << status << body << QString() << noDeflate;
    };
    refused("401 with a body",
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
        "token expired",
        false, "HTTP 401 Unauthorized: token expired", 401, "token expired");
    refused("body bytes past Content-Length ignored",
        "HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nnoMORE", false,
        "HTTP 403 Forbidden: no", 403, "no");
    refused("empty body", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false,
        "HTTP 404 Not Found", 404, "");
    refused("503 with Retry-After",
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\nContent-Length: 4\r\n\r\nbusy",
        false, "HTTP 503 Service Unavailable: busy", 503, "busy");
    refused("body until the connection ends",
        "HTTP/1.1 500 Internal Server Error\r\n\r\nsomething\r\nbroke", true,
        "HTTP 500 Internal Server Error: something broke", 500, "something\r\nbroke");
    refused("chunked body",
        "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
        false, "HTTP 400 Bad Request: hello world", 400, "hello world");
    refused("chunked body cut by the end of the connection",
        "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", true,
        "HTTP 400 Bad Request: hel", 400, "hel");
    refused("malformed chunked body",
        "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXX\r\n", false,
        "HTTP 400 Bad Request: ab", 400, "ab");
    refused("4 KiB of a longer body",
        "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 100000\r\n\r\n" + QByteArray(5000, 'x'),
        false, "HTTP 413 Payload Too Large: xxxxxxxxxx", 413, QByteArray(4096, 'x'));
    refused("4 KiB of a body until close", "HTTP/1.1 500 Oops\r\n\r\n" + QByteArray(5000, 'y'),
        false, "\u2026", 500, QByteArray(4096, 'y'));
    refused("4 KiB of a chunked body",
        "HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n" + QByteArray(5000, 'z'),
        false, "HTTP 500 Oops: zzz", 500, QByteArray(4096, 'z'));
    refused("204 has no body", "HTTP/1.1 204 No Content\r\n\r\nnot a body", false,
        "HTTP 204 No Content", 204, "");
    refused("redirect",
        "HTTP/1.1 302 Found\r\nLocation: wss://elsewhere/\r\nContent-Length: 0\r\n\r\n", false,
        "HTTP 302 Found", 302, "");
    refused("no reason phrase", "HTTP/1.1 500\r\nContent-Length: 3\r\n\r\nbad", false,
        "HTTP 500: bad", 500, "bad");
    refused("invalid UTF-8 and control bytes in the body",
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 6\r\n\r\na\xff\tb\nc", false,
        "HTTP 400 Bad Request: a\xef\xbf\xbd b c", 400, "a\xff\tb\nc");
    refused("refusal after an interim answer",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n",
        false, "HTTP 401 Unauthorized", 401, "");
}

void TestWebSocketHandshake::response()
{
    QFETCH(QByteArray, response);
    QFETCH(QStringList, subprotocols);
    QFETCH(bool, deflate);
    QFETCH(bool, finish);
    QFETCH(WebSocketHandshake::Result, result);
    QFETCH(QString, error);
    QFETCH(int, status);
    QFETCH(QByteArray, leftover);
    QFETCH(QString, subprotocol);
    QFETCH(QString, deflateParameters);

    const quint32 seed = testSeed();
    QRandomGenerator random(seed);
    const struct
    {
        const char *name;
        std::function<qsizetype()> chunk;
    } feeds[] = {
        {"whole", [&] { return response.size(); }},
        {"byte by byte", [] { return qsizetype(1); }},
        {"random chunks", [&] { return qsizetype(1 + random.bounded(40)); }},
    };
    for (const auto &feed : feeds) {
        const QByteArray where
            = QByteArray(feed.name) + " (STREAMSCOPE_TEST_SEED=" + QByteArray::number(seed) + ')';
        WebSocketHandshake handshake(
            {QUrl(QStringLiteral("ws://h/")), {}, subprotocols, deflate, s_key});
        WebSocketHandshake::Result got = WebSocketHandshake::Result::NeedMore;
        for (qsizetype at = 0; at < response.size();) {
            const qsizetype size = qMin(feed.chunk(), response.size() - at);
            got = handshake.feed(QByteArrayView(response).sliced(at, size));
            at += size;
        }
        if (finish) {
            QCOMPARE(got, WebSocketHandshake::Result::NeedMore);
            got = handshake.finish();
        }
        QVERIFY2(got == result,
            (where + ": " + resultName(got) + ", " + handshake.errorString().toUtf8()).constData());
        QCOMPARE(handshake.result(), result);
        if (error.isEmpty()) {
            QVERIFY2(handshake.errorString().isEmpty(), qPrintable(handshake.errorString()));
        } else {
            QVERIFY2(handshake.errorString().contains(error),
                (where + ": " + handshake.errorString().toUtf8()).constData());
        }
        QCOMPARE(handshake.status(), status);
        if (result == WebSocketHandshake::Result::Refused) {
            QCOMPARE(handshake.body(), leftover);
            QCOMPARE(handshake.takeLeftover(), QByteArray());
        } else {
            QCOMPARE(handshake.takeLeftover(), leftover);
            QCOMPARE(handshake.takeLeftover(), QByteArray());
        }
        QCOMPARE(handshake.subprotocol(), subprotocol);
        const std::optional<DeflateParameters> negotiated = handshake.deflate();
        QString parameters = QStringLiteral("none");
        if (negotiated) {
            parameters = QStringLiteral("s%1 c%2")
                             .arg(negotiated->serverMaxWindowBits)
                             .arg(negotiated->clientMaxWindowBits);
            if (negotiated->serverNoContextTakeover) {
                parameters += QStringLiteral(" S");
            }
            if (negotiated->clientNoContextTakeover) {
                parameters += QStringLiteral(" C");
            }
        }
        QCOMPARE(parameters, deflateParameters);
    }
}

void TestWebSocketHandshake::bytesAfterAcceptedAreLeftover()
{
    WebSocketHandshake handshake({QUrl(QStringLiteral("ws://h/")), {}, {}, false, s_key});
    QCOMPARE(handshake.feed(switching().chopped(1)), WebSocketHandshake::Result::NeedMore);
    QCOMPARE(handshake.feed("\n\x81"), WebSocketHandshake::Result::Accepted);
    QCOMPARE(handshake.feed("\x01"), WebSocketHandshake::Result::Accepted);
    QCOMPARE(handshake.feed("a"), WebSocketHandshake::Result::Accepted);
    QCOMPARE(handshake.takeLeftover(),
        QByteArray("\x81\x01"
                   "a"));
    QCOMPARE(handshake.feed("b"), WebSocketHandshake::Result::Accepted);
    QCOMPARE(handshake.takeLeftover(), QByteArray("b"));
    QCOMPARE(handshake.finish(), WebSocketHandshake::Result::Accepted);
    QCOMPARE(handshake.header("upgrade"), QByteArray("websocket"));
    QCOMPARE(handshake.reasonPhrase(), QByteArray("Switching Protocols"));
}

void TestWebSocketHandshake::finalResultsStay()
{
    WebSocketHandshake refused({QUrl(QStringLiteral("ws://h/")), {}, {}, false, s_key});
    QCOMPARE(refused.feed("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\nRetry-After: 31\r\n"
                          "Set-Cookie: a\r\nContent-Length: 0\r\n\r\n"),
        WebSocketHandshake::Result::Refused);
    QCOMPARE(refused.header("retry-after"), QByteArray("30, 31"));
    QVERIFY(refused.hasHeader("SET-COOKIE"));
    QVERIFY(!refused.hasHeader("Location"));
    QCOMPARE(refused.header("Location"), QByteArray());
    QCOMPARE(refused.headers().size(), 4);
    QCOMPARE(refused.reasonPhrase(), QByteArray("Too Many Requests"));
    QCOMPARE(refused.feed(switching()), WebSocketHandshake::Result::Refused);
    QCOMPARE(refused.finish(), WebSocketHandshake::Result::Refused);
    QCOMPARE(refused.status(), 429);

    WebSocketHandshake failed({QUrl(QStringLiteral("ws://h/")), {}, {}, false, s_key});
    QCOMPARE(failed.feed("garbage\r\n\r\n"), WebSocketHandshake::Result::Failed);
    const QString error = failed.errorString();
    QCOMPARE(failed.feed(switching()), WebSocketHandshake::Result::Failed);
    QCOMPARE(failed.finish(), WebSocketHandshake::Result::Failed);
    QCOMPARE(failed.errorString(), error);
    QCOMPARE(failed.takeLeftover(), QByteArray());
}

void TestWebSocketHandshake::requestAndAnswerAgree()
{
    // A random key: what a server computes from our request is what we accept.
    WebSocketHandshake handshake(
        {QUrl(QStringLiteral("wss://h:9443/x")), {}, strings({"v2"}), true, {}});
    const QByteArray request = handshake.requestBytes();
    const qsizetype at = request.indexOf("Sec-WebSocket-Key: ") + 19;
    const QByteArray key = request.mid(at, request.indexOf("\r\n", at) - at);
    QCOMPARE(key, handshake.key());
    QVERIFY(request.contains("Host: h:9443\r\n"));
    const QByteArray answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Accept: "
        + WebSocketHandshake::acceptFor(key)
        + "\r\nSec-WebSocket-Protocol: v2\r\nSec-WebSocket-Extensions: permessage-deflate; "
          "client_no_context_takeover\r\n\r\n";
    QCOMPARE(handshake.feed(answer), WebSocketHandshake::Result::Accepted);
    QCOMPARE(handshake.subprotocol(), QStringLiteral("v2"));
    QVERIFY(handshake.deflate().has_value());
    QVERIFY(handshake.deflate()->clientNoContextTakeover);
}

QTEST_GUILESS_MAIN(TestWebSocketHandshake)
#include "tst_websockethandshake.moc"
