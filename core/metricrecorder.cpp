// SPDX-License-Identifier: GPL-3.0-or-later
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
        if (Stream *stream = m_streams->stream(id)) {
            // The dashboard's time field is the stream's payload clock for its diagnoses too.
            const ExtractionSettings settings = m_store->settings(id);
            stream->setPayloadClock(settings.timeField, settings.timeUnit);
            m_store->recordHealth(id, stream->health(), now);
        }
    }
}

} // namespace streamscope
