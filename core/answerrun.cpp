// SPDX-License-Identifier: GPL-3.0-or-later
#include "answerrun.h"

#include <QJsonValue>

namespace streamscope {

AnswerRun::AnswerRun(TokenFormat format, qint64 startedAtMs, qint64 nowMs)
    : m_decoder(format)
    , m_startedAtMs(startedAtMs)
    , m_sentMs(nowMs)
{
    m_timer.requestSent(nowMs);
}

void AnswerRun::headersReceived(qint64 nowMs)
{
    m_timer.headersReceived(nowMs);
}

QList<TokenDelta> AnswerRun::eventArrived(qint64 nowMs, QByteArrayView type, QByteArrayView data)
{
    if (m_outcome != Outcome::Running) {
        return {};
    }
    ++m_events;
    const qsizetype bytes = type.size() + data.size();
    if (m_kept.size() < MaxKeptEvents && m_keptBytes + bytes <= MaxKeptBytes) {
        m_kept.append(Event{nowMs - m_sentMs, type.toByteArray(), data.toByteArray()});
        m_keptBytes += bytes;
    }
    const QList<TokenDelta> deltas = m_decoder.decode(type, data);
    for (const TokenDelta &delta : deltas) {
        m_timer.delta(nowMs, delta.text);
    }
    m_timer.setUsage(m_decoder.usage());
    if (m_decoder.finished()) {
        // The answer is whole (or the server said why not): the connection's end adds nothing.
        ended(nowMs);
    }
    return deltas;
}

void AnswerRun::ended(qint64 nowMs, const QString &failure)
{
    if (m_outcome != Outcome::Running) {
        return;
    }
    m_timer.finished(nowMs);
    if (const std::optional<TokenStreamError> error = m_decoder.error()) {
        m_outcome = Outcome::Interrupted;
        m_interruption = error->type.isEmpty()
            ? QStringLiteral("the server reported an error: %1").arg(error->message)
            : QStringLiteral("the server reported %1: %2").arg(error->type, error->message);
    } else if (m_decoder.finished()) {
        m_outcome = Outcome::Complete;
    } else {
        m_outcome = Outcome::Interrupted;
        m_interruption = failure.isEmpty()
            ? QStringLiteral("the response ended before the answer did (no end marker)")
            : failure;
    }
}

QString AnswerRun::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Running:
        return QStringLiteral("running");
    case Outcome::Complete:
        return QStringLiteral("complete");
    case Outcome::Interrupted:
        return QStringLiteral("interrupted");
    }
    return QString();
}

QJsonObject AnswerRun::figuresJson(qint64 nowMs) const
{
    const TokenTimer::Figures f = figures(nowMs);
    QJsonObject object;
    const auto optional = [&object](const char *key, qint64 value) {
        object.insert(QLatin1String(key), value >= 0 ? QJsonValue(value) : QJsonValue());
    };
    optional("timeToHeadersMs", f.timeToHeadersMs);
    optional("ttftMs", f.timeToFirstTokenMs);
    optional("durationMs", f.durationMs);
    optional("outputTokens", f.outputTokens);
    object.insert(QLatin1String("tokensPerS"),
        f.tokensPerSecond >= 0 ? QJsonValue(qRound(f.tokensPerSecond * 100) / 100.0)
                               : QJsonValue());
    object.insert(QLatin1String("estimated"), f.estimated);
    optional("gapP50Ms", f.gapP50Ms);
    optional("gapP99Ms", f.gapP99Ms);
    optional("gapMaxMs", f.gapMaxMs);
    object.insert(QLatin1String("deltas"), f.deltas);
    optional("inputTokens", f.inputTokens);
    return object;
}

} // namespace streamscope
