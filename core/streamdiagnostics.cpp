// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamdiagnostics.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>
#include <cmath>

namespace streamscope {

namespace {

QJsonValue payloadValue(const QByteArray &payload, const QString &path)
{
    const QJsonDocument document = QJsonDocument::fromJson(payload);
    if (!document.isObject()) {
        return QJsonValue(QJsonValue::Undefined);
    }
    return MetricExtractor::valueAtPath(document.object(), path);
}

// A sequence number as the audit reads it: decimal digits. A JSON number is a double, exact
// up to 2^53; a string keeps any length (the audit says so when it is not a number).
QByteArray sequenceText(const QJsonValue &value)
{
    if (value.isString()) {
        return value.toString().toUtf8();
    }
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (number >= 0 && number <= 9007199254740992.0 && std::floor(number) == number) {
            return QByteArray::number(qint64(number));
        }
        return QByteArray::number(number); // not a whole number: the audit stops, saying why
    }
    return {}; // absent: this event has none
}

} // namespace

StreamDiagnostics::StreamDiagnostics(const Settings &settings)
    : m_settings(settings)
    , m_audit(settings.sequence == Settings::Sequence::PayloadField
              ? ResumeAudit::Source::SequenceField
              : ResumeAudit::Source::EventId)
{
    m_idle.setTransport(settings.transport, settings.heartbeat);
    m_idle.setMinSilenceMs(settings.minIdleSilenceMs);
}

void StreamDiagnostics::opened(qint64 ms)
{
    if (m_openedBefore) {
        m_audit.reconnected(ms);
    } else {
        m_audit.opened(ms);
    }
    m_openedBefore = true;
    m_open = true;
    m_lastDataMs = ms;
    m_idle.opened(ms);
    m_bursts.opened(ms);
}

void StreamDiagnostics::responseReceived(const ResponseHead &head)
{
    m_responses.push_back(head);
    while (m_responses.size() > size_t(KeptResponses)) {
        m_responses.pop_front();
    }
    if (head.status != 200) {
        return; // redirects and refusals say nothing about how a stream flows
    }
    QList<Diagnosis> found = BurstDetector::responseHeaderFindings(head.headers, head.atMs);
    // The same finding on the next attempt is the one seen before, confirmed.
    for (Diagnosis &diagnosis : found) {
        for (const Diagnosis &before : std::as_const(m_headerFindings)) {
            if (before.kind == diagnosis.kind) {
                diagnosis.firstSeenMs = before.firstSeenMs;
            }
        }
    }
    m_headerFindings = found;
}

void StreamDiagnostics::dataArrived(qint64 ms)
{
    m_lastDataMs = ms;
    m_idle.dataArrived(ms);
}

void StreamDiagnostics::eventArrived(qint64 ms, QByteArrayView id, const QByteArray &payload)
{
    switch (m_settings.sequence) {
    case Settings::Sequence::None:
        break;
    case Settings::Sequence::EventId:
        if (m_audit.isActive()) {
            m_audit.eventArrived(ms, id);
        }
        break;
    case Settings::Sequence::PayloadField:
        if (m_audit.isActive()) {
            m_audit.eventArrived(ms, sequenceText(payloadValue(payload, m_settings.sequenceField)));
        }
        break;
    }
    const std::optional<qint64> produced = producedMs(payload);
    if (produced) {
        m_deliveryDelayMs = ms - *produced;
    }
    m_bursts.eventArrived(ms, produced);
}

void StreamDiagnostics::setPayloadClock(const QString &timeField, TimeUnit unit)
{
    m_settings.timeField = timeField;
    m_settings.timeUnit = unit;
}

void StreamDiagnostics::closed(qint64 ms)
{
    if (!m_open) {
        return;
    }
    m_open = false;
    const bool byUs
        = m_settings.ownDeadLinkCheckMs > 0 && ms - m_lastDataMs >= m_settings.ownDeadLinkCheckMs;
    m_idle.closed(ms, !byUs);
}

StreamDiagnostics::Changes StreamDiagnostics::update(qint64 nowMs)
{
    Changes changes;
    const QList<Diagnosis> found = findings(nowMs);
    for (const Diagnosis &finding : found) {
        if (std::none_of(m_current.cbegin(), m_current.cend(), [&](const Diagnosis &before) {
                return before.kind == finding.kind && before.firstSeenMs == finding.firstSeenMs;
            })) {
            changes.appeared.append(finding);
        }
    }
    for (const Diagnosis &before : std::as_const(m_current)) {
        if (std::none_of(found.cbegin(), found.cend(),
                [&](const Diagnosis &finding) { return finding.kind == before.kind; })) {
            changes.cleared.append(before);
        }
    }
    changes.changed = found != m_current;
    m_current = found;
    return changes;
}

void StreamDiagnostics::stormSeen(const Diagnosis &storm)
{
    m_storm = storm;
}

QList<Diagnosis> StreamDiagnostics::findings(qint64 nowMs) const
{
    QList<Diagnosis> found = m_headerFindings;
    if (const std::optional<Diagnosis> bursts = m_bursts.finding()) {
        found.append(*bursts);
    }
    if (const std::optional<Diagnosis> idle = m_idle.finding()) {
        found.append(*idle);
    }
    if (m_settings.sequence != Settings::Sequence::None) {
        found.append(m_audit.findings());
    }
    if (m_storm && nowMs - m_storm->lastSeenMs < StormKeptMs) {
        found.append(*m_storm);
    }
    std::stable_sort(found.begin(), found.end(),
        [](const Diagnosis &a, const Diagnosis &b) { return a.kind < b.kind; });
    return found;
}

const ResumeAudit *StreamDiagnostics::resumeAudit() const
{
    return m_settings.sequence == Settings::Sequence::None ? nullptr : &m_audit;
}

std::optional<qint64> StreamDiagnostics::producedMs(const QByteArray &payload) const
{
    if (m_settings.timeField.isEmpty()) {
        return std::nullopt;
    }
    const std::optional<double> ms = MetricExtractor::timeToMs(
        payloadValue(payload, m_settings.timeField), m_settings.timeUnit);
    if (!ms) {
        return std::nullopt;
    }
    return qint64(std::llround(*ms));
}

} // namespace streamscope
