// SPDX-License-Identifier: GPL-3.0-or-later
#include "demofeed.h"
#include "diagnosiscodes.h"
#include "nginxserver.h"
#include "ssetestserver.h"
#include "stream.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>
#include <optional>

using namespace streamscope;

// Issue 13's diagnoses against the real servers they are about: nginx configured the way that
// buffers, compresses or cuts idle streams, in front of the demo feed or a silent upstream, and
// Nchan with a short message buffer. Each finding must appear within a minute of connecting.
class TestDiagnosesNginx : public QObject
{
    Q_OBJECT

private slots:
    void proxyBufferingIsFoundByThePayloadClock();
    void compressedStreamIsFoundFromTheResponse();
    void idleTimeoutIsProxyReadTimeout();
    void nchanResumeLosesWhatItsBufferDropped();
};

namespace {

// The promise: each diagnosis within a minute against these set-ups.
constexpr int FindWithinMs = 60000;

StreamConfig sseConfig(const QString &name, const QUrl &url)
{
    StreamConfig config;
    config.name = name;
    config.url = url;
    config.initialDelayMs = 100;
    config.maxDelayMs = 500;
    return config;
}

std::optional<Diagnosis> findingOf(const Stream &stream, const QString &code)
{
    for (const Diagnosis &diagnosis : stream.diagnoses()) {
        if (diagnosisKindName(diagnosis.kind) == code) {
            return diagnosis;
        }
    }
    return std::nullopt;
}

// What one stream emitted: its events' arrival times on a monotonic clock started at
// connectToServer(), and its "diagnosis" rows.
struct Recording
{
    QElapsedTimer clock;
    QList<qint64> eventsMs;
    QStringList diagnosisRows;

    void follow(Stream *stream)
    {
        QObject::connect(stream, &Stream::eventArrived, stream, [this](const StreamEvent &event) {
            if (event.kind == StreamEvent::Kind::Event) {
                eventsMs.append(clock.elapsed());
            } else if (event.kind == StreamEvent::Kind::Lifecycle && event.type == "diagnosis") {
                diagnosisRows.append(QString::fromUtf8(event.data));
            }
        });
    }
    void connect(Stream *stream)
    {
        clock.start();
        stream->connectToServer();
    }
};

// A run of events each arriving within ClumpGapMs of the one before (BurstDetector's gap).
struct Clump
{
    qint64 silenceBeforeMs = -1; // -1: the first
    qint64 spanMs = 0;
    int count = 0;
};

constexpr qint64 ClumpGapMs = 20;

QList<Clump> clumpsOf(const QList<qint64> &arrivalsMs)
{
    QList<Clump> clumps;
    qint64 startMs = 0;
    for (qsizetype i = 0; i < arrivalsMs.size(); ++i) {
        const qint64 ms = arrivalsMs.at(i);
        if (i == 0 || ms - arrivalsMs.at(i - 1) > ClumpGapMs) {
            Clump clump;
            clump.silenceBeforeMs = i == 0 ? -1 : ms - arrivalsMs.at(i - 1);
            clumps.append(clump);
            startMs = ms;
        }
        clumps.last().spanMs = ms - startMs;
        ++clumps.last().count;
    }
    return clumps;
}

// "136 events in 5 clumps, the last: 32 after -1 ms in 0 ms, 34 after 3393 ms in 0 ms, ...",
// for a failing check to show.
QString describe(const QList<Clump> &clumps)
{
    constexpr qsizetype Shown = 12;
    qint64 events = 0;
    QStringList parts;
    for (qsizetype i = 0; i < clumps.size(); ++i) {
        const Clump &clump = clumps.at(i);
        events += clump.count;
        if (i >= clumps.size() - Shown) {
            parts.append(QStringLiteral("%1 after %2 ms in %3 ms")
                             .arg(clump.count)
                             .arg(clump.silenceBeforeMs)
                             .arg(clump.spanMs));
        }
    }
    return QStringLiteral("%1 events in %2 clumps, the last: %3")
        .arg(events)
        .arg(clumps.size())
        .arg(parts.join(QStringLiteral(", ")));
}

// The demo feed's pace here: one host, one sample every PaceMs, each with its "ts".
constexpr int PaceMs = 100;

// A burst as a buffering proxy makes them: at least 10 events that the feed produced PaceMs
// apart arrive within one PaceMs, after a silence of at least 10 PaceMs.
bool isBurst(const Clump &clump)
{
    return clump.silenceBeforeMs >= 10 * PaceMs && clump.count >= 10 && clump.spanMs < PaceMs;
}

qsizetype burstCount(const QList<Clump> &clumps)
{
    return std::count_if(clumps.cbegin(), clumps.cend(), isBurst);
}

// Of the events after the first clump (what the stream began with), the percentage that came
// in bursts.
int burstSharePercent(const QList<Clump> &clumps)
{
    qint64 all = 0;
    qint64 inBursts = 0;
    for (qsizetype i = 1; i < clumps.size(); ++i) {
        all += clumps.at(i).count;
        inBursts += isBurst(clumps.at(i)) ? clumps.at(i).count : 0;
    }
    return all == 0 ? 0 : int(inBursts * 100 / all);
}

// POSTs one message to Nchan's publisher and waits for its answer. Nchan numbers messages in
// the order they come, so they go one at a time.
bool publish(QNetworkAccessManager &network, const QUrl &url, int seq, QString *error)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    const std::unique_ptr<QNetworkReply> reply(
        network.post(request, "{\"seq\":" + QByteArray::number(seq) + "}"));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(10000)) {
        *error = QStringLiteral("no answer to publishing seq %1").arg(seq);
        return false;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status < 200 || status >= 300) {
        *error = QStringLiteral("publishing seq %1: status %2, %3")
                     .arg(seq)
                     .arg(status)
                     .arg(reply->errorString());
        return false;
    }
    return true;
}

} // namespace

void TestDiagnosesNginx::proxyBufferingIsFoundByThePayloadClock()
{
    DemoFeed demo;
    DemoFeedSettings settings;
    settings.metricsIntervalMs = PaceMs;
    settings.hostCount = 1;
    QVERIFY2(demo.listen(0, settings), qPrintable(demo.errorString()));

    // nginx's default buffers on x86-64, pinned so the page size does not matter: it passes the
    // stream on when a 4 KiB buffer fills, about 32 demo events. The demo feed sends no
    // X-Accel-Buffering, but one that learnt to say "no" would turn buffering off: ignored.
    NginxServerOptions buffering;
    buffering.listen = NginxServerOptions::Listen::Http1Cleartext;
    buffering.locationLines = QStringList{
        QStringLiteral("proxy_buffering on;"),
        QStringLiteral("proxy_buffer_size 4k;"),
        QStringLiteral("proxy_buffers 8 4k;"),
        QStringLiteral("proxy_ignore_headers X-Accel-Buffering;"),
    };
    NginxServer nginx(demo.port(), buffering);
    // The same feed through nginx as NginxServer sets it up for SSE (proxy_buffering off), at
    // the same time: the healthy pattern beside the faulty one.
    NginxServerOptions streaming;
    streaming.listen = NginxServerOptions::Listen::Http1Cleartext;
    NginxServer healthyNginx(demo.port(), streaming);
    QString error;
    QVERIFY2(nginx.waitForListening(&error), qPrintable(error));
    QVERIFY2(healthyNginx.waitForListening(&error), qPrintable(error));

    Stream stream(1, sseConfig(QStringLiteral("buffered"), nginx.url(QStringLiteral("/metrics"))));
    Stream healthy(
        2, sseConfig(QStringLiteral("streamed"), healthyNginx.url(QStringLiteral("/metrics"))));
    for (Stream *each : {&stream, &healthy}) {
        each->setPayloadClock(QStringLiteral("ts"), TimeUnit::Milliseconds);
    }
    Recording recording;
    Recording healthyRecording;
    recording.follow(&stream);
    healthyRecording.follow(&healthy);
    recording.connect(&stream);
    healthyRecording.connect(&healthy);

    // The set-up really buffers, first: bursts after silences, and (after the first clump, what
    // the first buffer held when the stream began) next to nothing in between.
    QTRY_VERIFY2_WITH_TIMEOUT(burstCount(clumpsOf(recording.eventsMs)) >= 3,
        qPrintable(describe(clumpsOf(recording.eventsMs))), FindWithinMs);
    QTRY_VERIFY_WITH_TIMEOUT(findingOf(stream, QStringLiteral("proxy-buffering")), FindWithinMs);
    const Diagnosis finding = *findingOf(stream, QStringLiteral("proxy-buffering"));
    qInfo("proxy-buffering found %lld ms after connecting: %s", recording.clock.elapsed(),
        qPrintable(finding.evidence));
    const QList<Clump> clumps = clumpsOf(recording.eventsMs);
    QVERIFY2(burstSharePercent(clumps) >= 90, qPrintable(describe(clumps)));

    static const QRegularExpression figures(QStringLiteral(
        "bursts of about (\\d+) every ([\\d.]+) (ms|s) although the server sends them every (\\d+) "
        "ms"));
    const QRegularExpressionMatch match = figures.match(finding.evidence);
    QVERIFY2(match.hasMatch(), qPrintable(finding.evidence));
    QVERIFY2(match.captured(1).toInt() >= 10, qPrintable(finding.evidence));
    const double intervalMs
        = match.captured(2).toDouble() * (match.captured(3) == QLatin1String("s") ? 1000 : 1);
    QVERIFY2(intervalMs >= 10 * PaceMs, qPrintable(finding.evidence));
    const int paceMs = match.captured(4).toInt();
    QVERIFY2(paceMs >= PaceMs * 8 / 10 && paceMs <= PaceMs * 13 / 10, qPrintable(finding.evidence));
    QVERIFY2(finding.fix.contains(QStringLiteral("proxy_buffering off;")), qPrintable(finding.fix));
    // Behind nginx without X-Accel-Buffering: no, the response head says as much.
    QVERIFY(diagnosisCodes(stream).contains(QStringLiteral("proxy-may-buffer")));
    QTRY_VERIFY(
        !recording.diagnosisRows.filter(QStringLiteral("Events arrive in bursts")).isEmpty());

    // Unbuffered, the same events over the same time flowed one by one.
    const QList<Clump> healthyClumps = clumpsOf(healthyRecording.eventsMs);
    QVERIFY2(healthyRecording.eventsMs.size() >= 20, qPrintable(describe(healthyClumps)));
    QVERIFY2(burstCount(healthyClumps) == 0, qPrintable(describe(healthyClumps)));
    QVERIFY2(!findingOf(healthy, QStringLiteral("proxy-buffering")),
        qPrintable(diagnosisCodes(healthy).join(QLatin1Char(' '))));
}

void TestDiagnosesNginx::compressedStreamIsFoundFromTheResponse()
{
    DemoFeed demo;
    DemoFeedSettings settings;
    settings.metricsIntervalMs = PaceMs;
    settings.hostCount = 1;
    QVERIFY2(demo.listen(0, settings), qPrintable(demo.errorString()));
    // Compression of event streams, as a site-wide gzip_types list does it. With
    // proxy_buffering off nginx flushes the compressor on every read from upstream, so events
    // still come one by one here; the response head is the evidence.
    NginxServerOptions options;
    options.listen = NginxServerOptions::Listen::Http1Cleartext;
    options.locationLines = QStringList{
        QStringLiteral("gzip on;"),
        QStringLiteral("gzip_types text/event-stream;"),
    };
    NginxServer nginx(demo.port(), options);
    QString error;
    QVERIFY2(nginx.waitForListening(&error), qPrintable(error));

    Stream stream(1, sseConfig(QStringLiteral("gzipped"), nginx.url(QStringLiteral("/metrics"))));
    Recording recording;
    recording.follow(&stream);
    recording.connect(&stream);

    QTRY_VERIFY_WITH_TIMEOUT(findingOf(stream, QStringLiteral("compressed-stream")), FindWithinMs);
    const Diagnosis finding = *findingOf(stream, QStringLiteral("compressed-stream"));
    qInfo("compressed-stream found %lld ms after connecting: %s", recording.clock.elapsed(),
        qPrintable(finding.evidence));
    QVERIFY2(finding.evidence.contains(QStringLiteral("Content-Encoding: gzip")),
        qPrintable(finding.evidence));
    QVERIFY2(finding.fix.contains(QStringLiteral("gzip_types")), qPrintable(finding.fix));
    // QNetworkAccessManager asked for gzip and inflates it: the events are readable.
    QTRY_VERIFY(recording.eventsMs.size() >= 3);
    QTRY_VERIFY(
        !recording.diagnosisRows.filter(QStringLiteral("Compressed event stream")).isEmpty());
}

void TestDiagnosesNginx::idleTimeoutIsProxyReadTimeout()
{
    // One event, then silence: nginx gives up on the upstream after proxy_read_timeout and
    // closes the client's connection, on every connection.
    SseTestServer upstream;
    upstream.setHandler([](const SseTestRequest &, int) {
        return SseTestResponse::stream(
            {"retry: 100\n\ndata: {\"n\":1}\n\n"}, SseTestResponse::End::KeepOpen);
    });
    QVERIFY(upstream.listen());
    NginxServerOptions options;
    options.listen = NginxServerOptions::Listen::Http1Cleartext;
    options.locationLines = QStringList{QStringLiteral("proxy_read_timeout 2s;")};
    NginxServer nginx(upstream.port(), options);
    QString error;
    QVERIFY2(nginx.waitForListening(&error), qPrintable(error));

    Stream stream(1, sseConfig(QStringLiteral("quiet"), nginx.url(QStringLiteral("/events"))));
    stream.setMinIdleSilenceMs(1000);
    Recording recording;
    recording.follow(&stream);
    recording.connect(&stream);

    QTRY_VERIFY_WITH_TIMEOUT(findingOf(stream, QStringLiteral("idle-timeout")), FindWithinMs);
    const Diagnosis finding = *findingOf(stream, QStringLiteral("idle-timeout"));
    qInfo("idle-timeout found %lld ms after connecting: %s", recording.clock.elapsed(),
        qPrintable(finding.evidence));
    static const QRegularExpression figures(
        QStringLiteral("closed after about ([\\d.]+) s without data \\((\\d+) times\\)"));
    const QRegularExpressionMatch match = figures.match(finding.evidence);
    QVERIFY2(match.hasMatch(), qPrintable(finding.evidence));
    const double seconds = match.captured(1).toDouble();
    QVERIFY2(seconds >= 1.8 && seconds <= 2.5, qPrintable(finding.evidence));
    QVERIFY2(match.captured(2).toInt() >= 2, qPrintable(finding.evidence));
    QVERIFY2(finding.fix.contains(QStringLiteral("proxy_read_timeout")), qPrintable(finding.fix));
    QTRY_VERIFY(!recording.diagnosisRows.filter(QStringLiteral("Idle timeout")).isEmpty());
}

void TestDiagnosesNginx::nchanResumeLosesWhatItsBufferDropped()
{
    // Nchan keeps the last 5 messages of a channel for resuming, and ends every subscriber's
    // response after 3 s, so the client reconnects with Last-Event-ID. Over HTTP/1.1: Nchan's
    // EventSource over HTTP/2 has a bug (slact/nchan #576).
    constexpr int BufferLength = 5;
    NginxServerOptions options;
    options.listen = NginxServerOptions::Listen::Http1Cleartext;
    options.modules = QStringList{QStringLiteral("ngx_nchan_module.so")};
    options.serverLines = QStringList{
        QStringLiteral("nchan_message_buffer_length %1;").arg(BufferLength),
        QStringLiteral("location = /pub { nchan_publisher; nchan_channel_id audit; }"),
        QStringLiteral("location = /sub { nchan_subscriber eventsource; nchan_channel_id audit; "
                       "nchan_subscriber_timeout 3s; }"),
    };
    NginxServer nginx(0, options);
    QString error;
    QVERIFY2(nginx.waitForListening(&error), qPrintable(error));

    // Nchan's ids ("1764650000:3") are not numbers: the audit follows the payload's "seq". A
    // reconnect waits 2 to 4 s, time enough to publish while the client is away.
    StreamConfig config = sseConfig(QStringLiteral("nchan"), nginx.url(QStringLiteral("/sub")));
    config.auditSequence = QStringLiteral("seq");
    config.initialDelayMs = 4000;
    config.maxDelayMs = 4000;
    Stream stream(1, config);
    Recording recording;
    recording.follow(&stream);
    recording.connect(&stream);
    QTRY_COMPARE_WITH_TIMEOUT(stream.health().state, HealthState::Open, 10000);

    QNetworkAccessManager network;
    const QUrl publisher = nginx.url(QStringLiteral("/pub"));
    constexpr int Connected = 6;
    for (int seq = 1; seq <= Connected; ++seq) {
        QVERIFY2(publish(network, publisher, seq, &error), qPrintable(error));
    }
    QTRY_COMPARE_WITH_TIMEOUT(qsizetype(recording.eventsMs.size()), qsizetype(Connected), 10000);

    // Nchan ends the response (": 408 Request Timeout" as a comment, then the end of the body);
    // while the stream waits to reconnect, twice the buffer is published, and only the last
    // BufferLength messages are kept.
    QTRY_COMPARE_WITH_TIMEOUT(stream.health().state, HealthState::Reconnecting, 10000);
    constexpr int Away = 2 * BufferLength;
    for (int seq = Connected + 1; seq <= Connected + Away; ++seq) {
        QVERIFY2(publish(network, publisher, seq, &error), qPrintable(error));
    }
    QVERIFY2(stream.health().state == HealthState::Reconnecting,
        "the stream reconnected before the messages were published");

    // Nchan honours Last-Event-ID, but the id asked for is no longer in its buffer: it resumes
    // at the oldest message it still has. So the numbers between are missing ("gap"); nothing
    // is repeated ("no-resume" would be a server that starts over).
    QTRY_VERIFY_WITH_TIMEOUT(findingOf(stream, QStringLiteral("gap")), FindWithinMs);
    const Diagnosis finding = *findingOf(stream, QStringLiteral("gap"));
    qInfo("gap found %lld ms after connecting: %s", recording.clock.elapsed(),
        qPrintable(finding.evidence));
    QVERIFY2(!findingOf(stream, QStringLiteral("no-resume")),
        qPrintable(diagnosisCodes(stream).join(QLatin1Char(' '))));
    constexpr int Lost = Away - BufferLength;
    const ResumeAudit *audit = stream.diagnostics()->resumeAudit();
    QVERIFY(audit);
    QVERIFY2(audit->isActive(), qPrintable(audit->inactiveReason()));
    QCOMPARE(audit->totals().counts.missing, quint64(Lost));
    QCOMPARE(audit->totals().counts.repeated, quint64(0));
    QCOMPARE(audit->totals().skipped, 1);
    const auto resumed = std::find_if(audit->connections().cbegin(), audit->connections().cend(),
        [](const ResumeAudit::Connection &connection) {
            return connection.resume == ResumeAudit::Resume::Skipped;
        });
    QVERIFY(resumed != audit->connections().cend());
    QCOMPARE(resumed->lastBefore, std::optional<quint64>(Connected));
    QCOMPARE(resumed->firstAfter, std::optional<quint64>(Connected + Lost + 1));
    QCOMPARE(audit->describe(*resumed),
        QStringLiteral("Resumed at id %1 after a reconnect: %2 missing")
            .arg(Connected + Lost + 1)
            .arg(Lost));

    QVERIFY2(finding.evidence.startsWith(
                 diagnosisEvents(Lost) + QStringLiteral(" missing after the reconnect at")),
        qPrintable(finding.evidence));
    QVERIFY2(finding.fix.contains(QStringLiteral("nchan_message_buffer_length")),
        qPrintable(finding.fix));
    QTRY_VERIFY(!recording.diagnosisRows.filter(QStringLiteral("Events lost")).isEmpty());
    QTRY_COMPARE(qsizetype(recording.eventsMs.size()), qsizetype(Connected + BufferLength));
}

QTEST_GUILESS_MAIN(TestDiagnosesNginx)
#include "tst_diagnosesnginx.moc"
