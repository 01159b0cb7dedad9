// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "connectionpool.h"
#include "reconnectspread.h"
#include "stream.h"

#include <QList>
#include <QObject>

#include <map>
#include <memory>

namespace streamscope {

// The streams of a workspace: owns them, gives each a lasting id, and forwards their rows. Its
// SSE streams share one ConnectionPool: streams to one HTTP/2 origin, one connection.
class StreamSet : public QObject
{
    Q_OBJECT
public:
    explicit StreamSet(QObject *parent = nullptr);
    ~StreamSet() override;

    // Adds a stream (not yet connected) and returns its id.
    int add(const StreamConfig &config);
    void remove(int id);
    void clear();
    Stream *stream(int id) const; // nullptr when there is none
    QList<int> ids() const; // in the order added
    int count() const { return int(m_streams.size()); }
    ConnectionPool *connectionPool() { return &m_pool; }

signals:
    void streamAdded(int id);
    void streamRemoved(int id);
    // Any stream's row, as Stream::eventArrived.
    void eventArrived(const streamscope::StreamEvent &event);
    void healthChanged(int id);

private:
    // A reconnect storm: each stream of it shows it, the log says it once.
    void reportStorm(const Diagnosis &storm, const QList<int> &members);

    ConnectionPool m_pool; // before the streams: they let go of it when destroyed
    ReconnectSpread m_spread;
    std::map<int, std::unique_ptr<Stream>> m_streams;
    QList<int> m_order;
    int m_nextId = 1;
};

} // namespace streamscope
