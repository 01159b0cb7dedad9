#pragma once

#include "stream.h"

#include <QList>
#include <QObject>

#include <map>
#include <memory>

namespace streamscope {

// The streams of a workspace: owns them, gives each a lasting id, and forwards their rows.
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

signals:
    void streamAdded(int id);
    void streamRemoved(int id);
    // Any stream's row, as Stream::eventArrived.
    void eventArrived(const streamscope::StreamEvent &event);
    void healthChanged(int id);

private:
    std::map<int, std::unique_ptr<Stream>> m_streams;
    QList<int> m_order;
    int m_nextId = 1;
};

} // namespace streamscope
