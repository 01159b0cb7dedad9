// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamhealth.h"

#include <QAbstractListModel>
#include <QColor>
#include <QList>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <functional>

namespace streamscope {

class StreamSet;

// The sidebar's list of streams: one row per stream of the set, in order, with its transport,
// health in words and colour, events/s, time since the last event and reconnect countdown.
// Health changes are coalesced; a slow tick keeps the "ago" and countdown texts current. Only
// rows whose shown values changed get dataChanged.
class StreamListModel final : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        StreamIdRole = Qt::UserRole + 1, // int
        TransportRole, // "SSE" or "WS"
        HealthStateRole, // int(HealthState)
        HealthStateNameRole, // "open", "stale", ...
        HealthColorRole, // QColor, as DecorationRole
        EventsPerSecondRole, // double
        EventsPerSecondTextRole, // "12/s"
        LastEventAgoRole, // "3 s ago"; empty before the first event
        ReconnectCountdownRole, // "next attempt in 4 s (attempt 3)"; empty unless reconnecting
        LastErrorRole, // the last error's message
        StatusTextRole, // one line for the sidebar: the state and what matters in it
        PausedRole, // bool
        DiagnosisTitlesRole, // QStringList: what Stream::diagnoses() found, for a badge
    };
    Q_ENUM(Role)

    static constexpr int DefaultTickIntervalMs = 1000;
    static constexpr int DefaultCoalesceMs = 100;

    using Clock = std::function<qint64()>; // ms since the Unix epoch

    // The set must outlive the model or be deleted with it.
    explicit StreamListModel(StreamSet *streams, QObject *parent = nullptr);

    int streamIdAt(int row) const;
    int rowOf(int streamId) const; // -1 when absent

    void setTickInterval(int ms) { m_tick.setInterval(ms); }
    void setCoalesceInterval(int ms) { m_coalesce.setInterval(ms); }
    // For tests: the "ago" and countdown texts are relative to this clock.
    void setClock(Clock clock) { m_clock = std::move(clock); }
    // Re-reads every stream now.
    void refresh();

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // healthColor() of healthcolors.h on the application's palette.
    static QColor healthColor(HealthState state);
    static QString agoText(qint64 ms); // "just now", "3 s ago", "2 min ago", "1 h ago"
    static QString rateText(double perSecond); // "0.5/s", "12/s"

private:
    // What one row shows, kept so that only rows that changed are announced.
    struct Row
    {
        int id = 0;
        QString name;
        QString transport;
        HealthState state = HealthState::Disconnected;
        double eventsPerSecond = 0;
        QString rate;
        QString ago;
        QString countdown;
        QString lastError;
        QString tlsWarning; // certificate errors ignored by the stream's own setting
        QString protocol; // SSE: "HTTP/1.1" or "HTTP/2" of the last open; empty before one
        QString answer; // an LLM stream's last complete answer, in brief; empty otherwise
        QStringList diagnoses; // the findings' titles
        bool paused = false;

        bool operator==(const Row &other) const = default;
    };

    Row readRow(int id, qint64 nowMs) const;
    qint64 now() const;
    void addStream(int id);
    void removeStream(int id);
    void markDirty(int id);
    void refreshDirty();
    // Re-reads the given rows (all when ids is empty); adds and removes rows to match the set.
    void refreshRows(const QSet<int> &ids);
    QString statusText(const Row &row) const;

    QPointer<StreamSet> m_streams;
    QList<Row> m_rows;
    QSet<int> m_dirty;
    QTimer m_coalesce;
    QTimer m_tick;
    Clock m_clock;
};

} // namespace streamscope
