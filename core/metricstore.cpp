// SPDX-License-Identifier: GPL-3.0-or-later
#include "metricstore.h"

#include "streamhealth.h"

#include <algorithm>
#include <deque>
#include <vector>

namespace streamscope {

namespace {

// Keys refused at MaxSeries are remembered by hash, up to this many, so one key refused again
// and again counts once; past it every refusal counts.
constexpr qsizetype MaxRefusedKeysRemembered = 1 << 16;

// Samples of one payload whose series a stream remembers (StreamState::recent).
constexpr int MaxRecentSeries = 64;

} // namespace

struct MetricStore::Series
{
    explicit Series(qsizetype capacity)
        : buffer(capacity)
    {
    }
    SeriesBuffer buffer;
    int plotCount = 0; // charts plotting it
};

struct MetricStore::StreamState
{
    MetricExtractor extractor;
    bool opened = false; // a Lifecycle "open" was seen: the next one is a reconnect
    std::deque<double> markers;
    // The series of the last payload's samples, in their order: the next payload of the same
    // layout (the usual case) finds its series by comparing names, without hashing a key for
    // each sample. Valid as long as the stream: its series go only with it (removeStream, clear).
    struct Recent
    {
        QByteArray eventType;
        QString label;
        QString path;
        Series *series;
    };
    std::vector<Recent> recent;
};

QString SeriesKey::displayName() const
{
    QStringList parts;
    if (!eventType.isEmpty()) {
        parts.append(QString::fromUtf8(eventType));
    }
    if (!label.isEmpty()) {
        parts.append(label);
    }
    if (isFigure()) {
        parts.append(path.mid(1));
    } else {
        parts.append(path.isEmpty() ? QStringLiteral("(value)") : path);
    }
    return parts.join(QStringLiteral(" \u00b7 "));
}

size_t qHash(const SeriesKey &key, size_t seed)
{
    return qHashMulti(seed, key.streamId, key.eventType, key.label, key.path);
}

MetricStore::MetricStore() = default;
MetricStore::~MetricStore() = default;

void MetricStore::setSettings(int streamId, const ExtractionSettings &settings)
{
    m_streams[streamId].extractor.setSettings(settings);
    ++m_revision;
}

ExtractionSettings MetricStore::settings(int streamId) const
{
    const auto it = m_streams.find(streamId);
    return it == m_streams.end() ? ExtractionSettings() : it->second.extractor.settings();
}

void MetricStore::ingest(const StreamEvent &event)
{
    switch (event.kind) {
    case StreamEvent::Kind::Event:
    case StreamEvent::Kind::Message: {
        if (event.binary) {
            return;
        }
        StreamState &stream = m_streams[event.streamId];
        m_scratch.clear();
        stream.extractor.extract(event.data, event.arrivalMs, &m_scratch);
        // The type is the SSE event type, the Socket.IO event or the MQTT topic (empty for raw
        // WebSocket messages): the same field under two topics is two series.
        SeriesKey key{event.streamId, event.type, QString(), QString()};
        for (qsizetype i = 0; i < m_scratch.size(); ++i) {
            const MetricSample &sample = m_scratch[i];
            const size_t slot = size_t(i);
            if (slot < stream.recent.size()) {
                const StreamState::Recent &recent = stream.recent[slot];
                if (recent.path == sample.path && recent.label == sample.label
                    && recent.eventType == event.type) {
                    appendTo(*recent.series, sample.timeMs, sample.value);
                    continue;
                }
            }
            key.label = sample.label;
            key.path = sample.path;
            Series *series = findOrCreate(key);
            if (!series) {
                continue; // refused at MaxSeries, and counted: never remembered
            }
            appendTo(*series, sample.timeMs, sample.value);
            if (slot < size_t(MaxRecentSeries)) {
                stream.recent.resize(std::max(stream.recent.size(), slot + 1));
                stream.recent[slot] = {event.type, sample.label, sample.path, series};
            }
        }
        ++m_revision; // the counts moved even when no sample came
        break;
    }
    case StreamEvent::Kind::Lifecycle: {
        if (event.type != "open") {
            return;
        }
        StreamState &stream = m_streams[event.streamId];
        if (!stream.opened) {
            stream.opened = true;
            return;
        }
        stream.markers.push_back(double(event.arrivalMs));
        while (stream.markers.size() > size_t(MaxMarkers)) {
            stream.markers.pop_front();
        }
        ++m_revision;
        break;
    }
    case StreamEvent::Kind::Sent:
        break;
    }
}

void MetricStore::recordHealth(int streamId, const StreamHealth &health, qint64 nowMs)
{
    const double time = double(nowMs);
    append(SeriesKey{streamId, {}, {}, FigureEventsPerSecond}, time, health.eventsPerSecond);
    append(SeriesKey{streamId, {}, {}, FigureBytesPerSecond}, time, health.bytesPerSecond);
    if (health.roundTripMs >= 0) {
        append(SeriesKey{streamId, {}, {}, FigureRoundTripMs}, time, health.roundTripMs);
    }
    append(SeriesKey{streamId, {}, {}, FigureReconnects}, time, health.reconnects);
    if (health.eventsMissing) {
        append(
            SeriesKey{streamId, {}, {}, FigureEventsMissing}, time, double(*health.eventsMissing));
    }
    if (health.deliveryDelayMs) {
        append(SeriesKey{streamId, {}, {}, FigureDeliveryDelayMs}, time,
            double(*health.deliveryDelayMs));
    }
    ++m_revision;
}

void MetricStore::removeStream(int streamId)
{
    std::erase_if(
        m_series, [streamId](const auto &entry) { return entry.first.streamId == streamId; });
    m_order.removeIf([streamId](const SeriesKey &key) { return key.streamId == streamId; });
    m_streams.erase(streamId);
    ++m_revision;
}

void MetricStore::clear()
{
    m_series.clear();
    m_order.clear();
    m_streams.clear();
    m_refusedKeys.clear();
    m_droppedSeries = 0;
    ++m_revision;
}

void MetricStore::setPlotted(const SeriesKey &key, bool plotted)
{
    // A chart may plot a series before its first point (a loaded workspace): it is made now,
    // so the count is kept.
    Series *series = plotted ? findOrCreate(key) : find(key);
    if (!series) {
        return;
    }
    if (plotted) {
        if (++series->plotCount == 1) {
            series->buffer.setCapacity(PlottedCapacity);
        }
    } else if (series->plotCount > 0 && --series->plotCount == 0) {
        series->buffer.setCapacity(UnplottedCapacity);
    }
    ++m_revision;
}

const SeriesBuffer *MetricStore::series(const SeriesKey &key) const
{
    const auto it = m_series.find(key);
    return it == m_series.end() ? nullptr : &it->second->buffer;
}

QList<SeriesKey> MetricStore::keys() const
{
    return m_order;
}

QList<double> MetricStore::reconnectMarkers(int streamId) const
{
    const auto it = m_streams.find(streamId);
    if (it == m_streams.end()) {
        return {};
    }
    return QList<double>(it->second.markers.begin(), it->second.markers.end());
}

ExtractionCounts MetricStore::counts(int streamId) const
{
    const auto it = m_streams.find(streamId);
    return it == m_streams.end() ? ExtractionCounts() : it->second.extractor.counts();
}

MetricStore::Series *MetricStore::findOrCreate(const SeriesKey &key)
{
    if (Series *series = find(key)) {
        return series;
    }
    if (m_series.size() >= size_t(MaxSeries)) {
        const size_t hash = qHash(key);
        if (m_refusedKeys.size() >= MaxRefusedKeysRemembered || !m_refusedKeys.contains(hash)) {
            ++m_droppedSeries;
            if (m_refusedKeys.size() < MaxRefusedKeysRemembered) {
                m_refusedKeys.insert(hash);
            }
        }
        return nullptr;
    }
    Series *series
        = m_series.emplace(key, std::make_unique<Series>(UnplottedCapacity)).first->second.get();
    m_order.append(key);
    return series;
}

MetricStore::Series *MetricStore::find(const SeriesKey &key) const
{
    const auto it = m_series.find(key);
    return it == m_series.end() ? nullptr : it->second.get();
}

void MetricStore::append(const SeriesKey &key, double timeMs, double value)
{
    if (Series *series = findOrCreate(key)) {
        appendTo(*series, timeMs, value);
    }
}

void MetricStore::appendTo(Series &series, double timeMs, double value)
{
    SeriesBuffer &buffer = series.buffer;
    buffer.append(timeMs, value);
    // Retention counts back from this series' newest time, so a paused producer keeps its
    // last hour on screen.
    if (!buffer.isEmpty() && m_retentionMs > 0) {
        const double cutoff = buffer.last().timeMs - double(m_retentionMs);
        if (buffer.at(0).timeMs < cutoff) {
            buffer.dropBefore(cutoff);
        }
    }
    ++m_revision;
}

} // namespace streamscope
