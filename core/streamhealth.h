// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <array>
#include <optional>

namespace streamscope {

enum class HealthState {
    Disconnected, // not started, or disconnected by the user
    Connecting,
    Open,
    Stale, // open, but silent for longer than this stream's usual pace
    Reconnecting, // waiting for the next attempt
    Failed, // stopped for good: a fatal status, content type or too many reconnects
};

// A stream's connection health at one moment, for the sidebar and the health panel.
struct StreamHealth
{
    HealthState state = HealthState::Disconnected;
    qint64 stateSinceMs = 0; // all times in ms since the Unix epoch
    qint64 openSinceMs = 0; // 0 unless open: uptime is now - openSinceMs
    int attempt = 0;
    int reconnects = 0; // over the stream's life
    qint64 nextAttemptAtMs = 0; // when reconnecting: the countdown's end
    QString lastError;
    qint64 lastErrorAtMs = 0;
    quint64 events = 0;
    quint64 bytes = 0;
    double eventsPerSecond = 0;
    double bytesPerSecond = 0;
    qint64 lastEventAtMs = 0;
    QByteArray lastEventId; // SSE
    int serverRetryMs = -1; // SSE: the server's retry applied; -1 when none
    int roundTripMs = -1; // WebSocket: last ping round trip; -1 before one
    // WebSocket: the extensions the server agreed to on the open connection
    // ("permessage-deflate"); empty when none, or when not open.
    QString extensions;
    // SSE: "HTTP/1.1" or "HTTP/2", of the last connection that opened: kept while reconnecting
    // (what it was, and what it will likely be again); empty before the first open.
    QByteArray protocol;
    // SSE: times the stream fell behind over HTTP/2 and was resumed on a new connection, over
    // the stream's life, and the last time's message (what was done about it).
    int timesFellBehind = 0;
    QString fellBehindMessage;
    qint64 fellBehindAtMs = 0;
    // SSE: while connecting, the request held back on a shared HTTP/2 connection that carries
    // as many streams as the server allows ("waiting: the server allows 100 streams at once").
    QString waitingFor;
    quint64 dropped = 0; // events or messages lost to bounds (event cap, send queue)
    // Set while certificate errors are ignored for this stream: what was ignored, or that
    // nothing is checked. Empty when the server is authenticated as usual.
    QString tlsWarning;
    // From the stream's diagnoses (Stream fills them in): numbers the resume audit counted
    // missing in total, and the latest event's delivery delay by its payload clock.
    std::optional<qint64> eventsMissing;
    std::optional<qint64> deliveryDelayMs;
};

// Keeps a stream's health figures from the facts it is told, with the time of each, so it is
// tested without a network or a clock. Rates are over the last RateWindowSeconds seconds.
class HealthTracker final
{
    Q_DISABLE_COPY_MOVE(HealthTracker)
public:
    HealthTracker() = default;

    static constexpr int RateWindowSeconds = 5;
    // Open and silent (no event) for longer than StaleFactor times the usual gap between events
    // (at least MinStaleMs), or than the idle timeout when one is set, is stale. Before two
    // events have given a pace, the limit is StaleFactor times MinStaleMs. The gap is measured
    // within one connection only: time spent reconnecting is not the stream's pace.
    static constexpr int StaleFactor = 5;
    static constexpr int MinStaleMs = 2000;

    void setIdleTimeout(int ms) { m_idleTimeoutMs = ms; }

    void connecting(qint64 nowMs, int attempt);
    // extensions: those in use on this connection (WebSocket); kept until it ends. protocol:
    // its HTTP version (SSE; empty for WebSocket); kept until the next open.
    void opened(qint64 nowMs, const QString &extensions = {}, const QByteArray &protocol = {});
    void received(qint64 nowMs, qint64 bytes); // raw bytes, for bytes/s
    void eventArrived(qint64 nowMs, const QByteArray &lastEventId = {});
    void failed(qint64 nowMs, const QString &message);
    void reconnectScheduled(qint64 nowMs, int delayMs);
    void stoppedFatally(qint64 nowMs, const QString &reason);
    // The connection was dropped because the stream fell behind over HTTP/2; a reconnect
    // follows (reconnectScheduled), so the state is left to it.
    void fellBehind(qint64 nowMs, const QString &message);
    void disconnected(qint64 nowMs);
    // Held back (see StreamHealth::waitingFor); cleared by any change of state.
    void waiting(const QString &message) { m_health.waitingFor = message; }
    void retryApplied(int ms) { m_health.serverRetryMs = ms; }
    void roundTripMeasured(int ms) { m_health.roundTripMs = ms; }
    void droppedTotal(quint64 dropped) { m_health.dropped = dropped; }
    // Kept across reconnects and states: it is about the settings and the server's certificate,
    // not one attempt. An empty message clears it.
    void tlsWarned(const QString &message) { m_health.tlsWarning = message; }

    // The figures as of nowMs: stale and rates are worked out here.
    StreamHealth snapshot(qint64 nowMs) const;
    // How long an open stream may be silent (no event) before it is stale, by its pace so far;
    // the idle timeout, when set and shorter, applies as well.
    qint64 staleAfterMs() const;
    double typicalGapMs() const { return m_typicalGapMs; }

private:
    void setState(HealthState state, qint64 nowMs);
    void addToRate(qint64 nowMs, quint64 events, quint64 bytes);

    StreamHealth m_health;
    int m_idleTimeoutMs = 0;
    double m_typicalGapMs = 0; // moving average of the gap between events
    bool m_gapMeasured = false;
    qint64 m_firstSecond = -1; // of the first byte or event counted, for young streams' rates
    struct Second
    {
        qint64 second = -1;
        quint64 events = 0;
        quint64 bytes = 0;
    };
    std::array<Second, RateWindowSeconds + 1> m_seconds{};
};

QString healthStateName(HealthState state); // "open", "stale", "reconnecting", ...

} // namespace streamscope
