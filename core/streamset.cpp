// SPDX-License-Identifier: GPL-3.0-or-later
#include "streamset.h"

#include <QDateTime>

namespace streamscope {

StreamSet::StreamSet(QObject *parent)
    : QObject(parent)
{
    connect(&m_spread, &ReconnectSpread::stormFound, this, &StreamSet::reportStorm);
}

void StreamSet::reportStorm(const Diagnosis &storm, const QList<int> &members)
{
    int first = 0;
    for (const int id : members) {
        if (Stream *member = stream(id)) {
            member->stormSeen(storm);
            first = first ? first : id;
        }
    }
    if (!first) {
        return;
    }
    // Once for the storm, not once per stream: on the first stream that lost its connection.
    StreamEvent row;
    row.arrivalMs = QDateTime::currentMSecsSinceEpoch();
    row.streamId = first;
    row.kind = StreamEvent::Kind::Lifecycle;
    row.type = "diagnosis";
    row.data = QStringLiteral("%1: %2 %3").arg(storm.title, storm.evidence, storm.fix).toUtf8();
    emit eventArrived(row);
}

StreamSet::~StreamSet()
{
    // Streams emit nothing while destroyed: nobody hears half a set.
    for (auto &[id, stream] : m_streams) {
        QObject::disconnect(stream.get(), nullptr, this, nullptr);
    }
}

int StreamSet::add(const StreamConfig &config)
{
    const int id = m_nextId++;
    auto stream = std::make_unique<Stream>(id, config);
    stream->setConnectionPool(&m_pool);
    stream->setReconnectSpread(&m_spread);
    connect(stream.get(), &Stream::eventArrived, this, &StreamSet::eventArrived);
    connect(stream.get(), &Stream::healthChanged, this, [this, id] { emit healthChanged(id); });
    m_streams.emplace(id, std::move(stream));
    m_order.append(id);
    emit streamAdded(id);
    return id;
}

void StreamSet::remove(int id)
{
    const auto found = m_streams.find(id);
    if (found == m_streams.end()) {
        return;
    }
    Stream *stream = found->second.release();
    m_streams.erase(found);
    m_order.removeOne(id);
    QObject::disconnect(stream, nullptr, this, nullptr);
    // The caller may be inside one of this stream's signals: delete it from the event loop.
    // Until then it stays connected, but silently.
    stream->blockSignals(true);
    stream->disconnectFromServer();
    stream->deleteLater();
    emit streamRemoved(id);
}

void StreamSet::clear()
{
    const QList<int> ids = m_order;
    for (const int id : ids) {
        remove(id);
    }
}

Stream *StreamSet::stream(int id) const
{
    const auto found = m_streams.find(id);
    return found == m_streams.end() ? nullptr : found->second.get();
}

QList<int> StreamSet::ids() const
{
    return m_order;
}

} // namespace streamscope
