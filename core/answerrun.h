// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "tokenfigures.h"
#include "tokenstream.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace streamscope {

// One request of an LLM answer stream and what came back: the decoder's answer, the timing
// figures and how it ended. Times are ms of a monotonic clock; startedAtMs is wall time.
class AnswerRun
{
public:
    // The raw events a run keeps for its export, within both bounds; the rest are counted.
    // Per run, and a stream keeps 50 runs: at most 50 MiB of events per stream.
    static constexpr int MaxKeptEvents = 10000;
    static constexpr qsizetype MaxKeptBytes = 1024 * 1024;
    struct Event
    {
        qint64 atMs; // since the request was sent
        QByteArray type;
        QByteArray data;
    };

    enum class Outcome {
        Running,
        Complete, // the format's end marker arrived ([DONE], message_stop, response.completed)
        Interrupted, // it never did: the connection failed or ended first, or the server
                     // reported an error inside the stream (see interruption())
    };

    AnswerRun(TokenFormat format, qint64 startedAtMs, qint64 nowMs);

    void headersReceived(qint64 nowMs);
    // One SSE event; returns the deltas it added to the answer.
    QList<TokenDelta> eventArrived(qint64 nowMs, QByteArrayView type, QByteArrayView data);
    // The response ended (failure empty) or failed; the first call counts. An answer without
    // its end marker, or with an error event, is Interrupted whatever the connection said.
    void ended(qint64 nowMs, const QString &failure = {});

    Outcome outcome() const { return m_outcome; }
    // Why it was interrupted, in words; empty otherwise.
    QString interruption() const { return m_interruption; }
    const TokenStreamDecoder &answer() const { return m_decoder; }
    TokenTimer::Figures figures(qint64 nowMs) const { return m_timer.figures(nowMs); }
    QList<qint64> gaps() const { return m_timer.gaps(); }
    qint64 startedAtMs() const { return m_startedAtMs; }
    int events() const { return m_events; }
    const QList<Event> &keptEvents() const { return m_kept; }
    int eventsNotKept() const { return m_events - int(m_kept.size()); }

    // "complete", "interrupted", "running".
    static QString outcomeName(Outcome outcome);
    // The figures as the CLI's answer record and a run's export have them.
    QJsonObject figuresJson(qint64 nowMs) const;

private:
    TokenStreamDecoder m_decoder;
    TokenTimer m_timer;
    qint64 m_startedAtMs;
    Outcome m_outcome = Outcome::Running;
    QString m_interruption;
    int m_events = 0;
    qint64 m_sentMs;
    QList<Event> m_kept;
    qsizetype m_keptBytes = 0;
};

} // namespace streamscope
