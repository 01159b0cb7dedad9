#include "eventsource.h"

// Placeholder so the tree builds while the implementation is written.
namespace streamscope {

EventSource::EventSource(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_network(network)
{
}

EventSource::~EventSource() = default;

void EventSource::open(const EventSourceSettings &settings)
{
    m_settings = settings;
}

void EventSource::close() { }

void EventSource::reconnectNow() { }

} // namespace streamscope
