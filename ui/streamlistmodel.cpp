// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamlistmodel.h"

#include "healthcolors.h"
#include "streamset.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QPalette>

#include <cmath>

namespace streamscope {

StreamListModel::StreamListModel(StreamSet *streams, QObject *parent)
    : QAbstractListModel(parent)
    , m_streams(streams)
{
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(DefaultCoalesceMs);
    m_tick.setInterval(DefaultTickIntervalMs);
    connect(&m_coalesce, &QTimer::timeout, this, &StreamListModel::refreshDirty);
    connect(&m_tick, &QTimer::timeout, this, &StreamListModel::refresh);
    if (streams) {
        connect(streams, &StreamSet::streamAdded, this, &StreamListModel::addStream);
        connect(streams, &StreamSet::streamRemoved, this, &StreamListModel::removeStream);
        connect(streams, &StreamSet::healthChanged, this, &StreamListModel::markDirty);
        const qint64 nowMs = now();
        for (const int id : streams->ids()) {
            m_rows.append(readRow(id, nowMs));
        }
    }
    m_tick.start();
}

int StreamListModel::streamIdAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).id : 0;
}

int StreamListModel::rowOf(int streamId) const
{
    for (qsizetype row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == streamId) {
            return int(row);
        }
    }
    return -1;
}

void StreamListModel::refresh()
{
    m_dirty.clear();
    m_coalesce.stop();
    refreshRows({});
}

qint64 StreamListModel::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

StreamListModel::Row StreamListModel::readRow(int id, qint64 nowMs) const
{
    Row row;
    row.id = id;
    const Stream *stream = m_streams ? m_streams->stream(id) : nullptr;
    if (!stream) {
        return row;
    }
    const StreamConfig &config = stream->config();
    row.name = config.displayName();
    switch (config.transport()) {
    case StreamConfig::Transport::Sse:
        row.transport = QStringLiteral("SSE");
        break;
    case StreamConfig::Transport::WebSocket:
        row.transport = QStringLiteral("WS");
        break;
    case StreamConfig::Transport::Invalid:
        row.transport = QStringLiteral("?");
        break;
    }
    const StreamHealth health = stream->health();
    row.state = health.state;
    row.paused = stream->isPaused();
    row.eventsPerSecond = health.eventsPerSecond;
    row.rate = rateText(health.eventsPerSecond);
    if (health.lastEventAtMs > 0) {
        row.ago = agoText(nowMs - health.lastEventAtMs);
    }
    if (health.state == HealthState::Reconnecting && health.nextAttemptAtMs > 0) {
        // Rounded up: "in 1 s" until the attempt, never "in 0 s" while still waiting.
        const qint64 leftMs = std::max<qint64>(0, health.nextAttemptAtMs - nowMs);
        row.countdown = tr("next attempt in %1 s (attempt %2)")
                            .arg((leftMs + 999) / 1000)
                            .arg(health.attempt + 1);
    }
    row.lastError = health.lastError;
    row.tlsWarning = health.tlsWarning;
    for (const Diagnosis &diagnosis : stream->diagnoses()) {
        row.diagnoses.append(diagnosis.title);
    }
    if (config.transport() == StreamConfig::Transport::Sse) {
        row.protocol = QString::fromLatin1(health.protocol);
    }
    if (!stream->answerRuns().empty()
        && stream->answerRuns().back().outcome() == AnswerRun::Outcome::Complete) {
        // "disconnected" would undersell a one-shot stream that got its whole answer.
        const TokenTimer::Figures figures
            = stream->answerRuns().back().figures(stream->answerClockMs());
        row.answer = figures.outputTokens >= 0
            ? tr("complete · %1%2 %3 in %4 s")
                  .arg(figures.estimated ? QStringLiteral("≈") : QString())
                  .arg(figures.outputTokens)
                  .arg(figures.outputTokens == 1 ? tr("token") : tr("tokens"))
                  .arg(double(figures.durationMs) / 1000, 0, 'f', 1)
            : tr("complete");
    }
    return row;
}

void StreamListModel::addStream(int id)
{
    if (rowOf(id) >= 0 || !m_streams) {
        return;
    }
    // The set's order decides the position; a new stream is normally the last.
    const QList<int> order = m_streams->ids();
    int position = 0;
    for (const int other : order) {
        if (other == id) {
            break;
        }
        if (rowOf(other) >= 0) {
            ++position;
        }
    }
    beginInsertRows(QModelIndex(), position, position);
    m_rows.insert(position, readRow(id, now()));
    endInsertRows();
}

void StreamListModel::removeStream(int id)
{
    const int row = rowOf(id);
    m_dirty.remove(id);
    if (row < 0) {
        return;
    }
    beginRemoveRows(QModelIndex(), row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

void StreamListModel::markDirty(int id)
{
    m_dirty.insert(id);
    if (!m_coalesce.isActive()) {
        m_coalesce.start();
    }
}

void StreamListModel::refreshDirty()
{
    if (m_dirty.isEmpty()) {
        return;
    }
    const QSet<int> dirty = std::exchange(m_dirty, {});
    refreshRows(dirty);
}

void StreamListModel::refreshRows(const QSet<int> &ids)
{
    // Streams the set no longer has (a clear() without per-stream signals) leave the list.
    for (qsizetype row = m_rows.size() - 1; row >= 0; --row) {
        if (!m_streams || !m_streams->stream(m_rows.at(row).id)) {
            removeStream(m_rows.at(row).id);
        }
    }
    if (m_streams && m_rows.size() != m_streams->count()) {
        for (const int id : m_streams->ids()) {
            addStream(id);
        }
    }
    const qint64 nowMs = now();
    for (qsizetype row = 0; row < m_rows.size(); ++row) {
        const int id = m_rows.at(row).id;
        if (!ids.isEmpty() && !ids.contains(id)) {
            continue;
        }
        Row fresh = readRow(id, nowMs);
        if (fresh == m_rows.at(row)) {
            continue;
        }
        m_rows[row] = std::move(fresh);
        const QModelIndex changed = index(int(row));
        emit dataChanged(changed, changed);
    }
}

int StreamListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant StreamListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return row.name;
    case Qt::DecorationRole:
    case HealthColorRole:
        return healthColor(row.state);
    case Qt::ToolTipRole: {
        QString tip = statusText(row);
        const QString protocol
            = row.protocol.isEmpty() ? QString() : tr("SSE over %1").arg(row.protocol);
        for (const QString &line : {protocol, row.tlsWarning, row.lastError}) {
            if (!line.isEmpty()) {
                tip += QLatin1Char('\n') + line;
            }
        }
        for (const QString &title : row.diagnoses) {
            tip += QLatin1Char('\n') + tr("Diagnosis: %1").arg(title);
        }
        return tip;
    }
    case StreamIdRole:
        return row.id;
    case TransportRole:
        return row.transport;
    case HealthStateRole:
        return int(row.state);
    case HealthStateNameRole:
        return healthStateName(row.state);
    case EventsPerSecondRole:
        return row.eventsPerSecond;
    case EventsPerSecondTextRole:
        return row.rate;
    case LastEventAgoRole:
        return row.ago;
    case ReconnectCountdownRole:
        return row.countdown;
    case LastErrorRole:
        return row.lastError;
    case StatusTextRole:
        return statusText(row);
    case PausedRole:
        return row.paused;
    case DiagnosisTitlesRole:
        return row.diagnoses;
    default:
        return {};
    }
}

QString StreamListModel::statusText(const Row &row) const
{
    QString text = row.state == HealthState::Disconnected && !row.answer.isEmpty()
        ? row.answer
        : healthStateName(row.state);
    if (!row.tlsWarning.isEmpty()) {
        // Insecure by the user's choice: said on the stream itself, not only in the panel.
        text = tr("insecure TLS") + QStringLiteral(" · ") + text;
    }
    if (row.paused) {
        text += tr(" (paused)");
    }
    switch (row.state) {
    case HealthState::Reconnecting:
        if (!row.countdown.isEmpty()) {
            text += QStringLiteral(": ") + row.countdown;
        }
        break;
    case HealthState::Failed:
        if (!row.lastError.isEmpty()) {
            text += QStringLiteral(": ") + row.lastError;
        }
        break;
    case HealthState::Open:
    case HealthState::Stale:
        text += QStringLiteral(" · ") + row.rate;
        if (!row.ago.isEmpty()) {
            text += QStringLiteral(" · ") + row.ago;
        }
        break;
    case HealthState::Connecting:
    case HealthState::Disconnected:
        break;
    }
    return text;
}

QHash<int, QByteArray> StreamListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(StreamIdRole, "streamId");
    names.insert(TransportRole, "transport");
    names.insert(HealthStateRole, "healthState");
    names.insert(HealthStateNameRole, "healthStateName");
    names.insert(HealthColorRole, "healthColor");
    names.insert(EventsPerSecondRole, "eventsPerSecond");
    names.insert(EventsPerSecondTextRole, "eventsPerSecondText");
    names.insert(LastEventAgoRole, "lastEventAgo");
    names.insert(ReconnectCountdownRole, "reconnectCountdown");
    names.insert(LastErrorRole, "lastError");
    names.insert(StatusTextRole, "statusText");
    names.insert(PausedRole, "paused");
    names.insert(DiagnosisTitlesRole, "diagnosisTitles");
    return names;
}

QColor StreamListModel::healthColor(HealthState state)
{
    // The same colours as the sidebar's delegate and the health panel, for the current palette.
    return streamscope::healthColor(state, QGuiApplication::palette());
}

QString StreamListModel::agoText(qint64 ms)
{
    const qint64 seconds = std::max<qint64>(0, ms) / 1000;
    if (seconds < 1) {
        return tr("just now");
    }
    if (seconds < 60) {
        return tr("%1 s ago").arg(seconds);
    }
    if (seconds < 3600) {
        return tr("%1 min ago").arg(seconds / 60);
    }
    if (seconds < 86400) {
        return tr("%1 h ago").arg(seconds / 3600);
    }
    return tr("%1 d ago").arg(seconds / 86400);
}

QString StreamListModel::rateText(double perSecond)
{
    if (!std::isfinite(perSecond) || perSecond <= 0) {
        return QStringLiteral("0/s");
    }
    if (perSecond < 10) {
        return QStringLiteral("%1/s").arg(perSecond, 0, 'f', 1);
    }
    return QStringLiteral("%1/s").arg(std::llround(perSecond));
}

} // namespace streamscope
