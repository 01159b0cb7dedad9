#include "metricrecorder.h"

#include "streamset.h"

#include <QDateTime>

namespace streamscope {

MetricRecorder::MetricRecorder(StreamSet *streams, MetricStore *store, QObject *parent)
    : QObject(parent)
    , m_streams(streams)
    , m_store(store)
{
    connect(m_streams, &StreamSet::eventArrived, this,
        [this](const StreamEvent &event) { m_store->ingest(event); });
    connect(
        m_streams, &StreamSet::streamRemoved, this, [this](int id) { m_store->removeStream(id); });
    connect(&m_figureTimer, &QTimer::timeout, this, &MetricRecorder::recordFiguresNow);
    m_figureTimer.start(FigureIntervalMs);
}

void MetricRecorder::recordFiguresNow()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const int id : m_streams->ids()) {
        if (const Stream *stream = m_streams->stream(id)) {
            m_store->recordHealth(id, stream->health(), now);
        }
    }
}

} // namespace streamscope
