// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metricextractor.h"
#include "seriesbuffer.h"
#include "streamevent.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <map>
#include <memory>
#include <unordered_map>

namespace streamscope {

struct StreamHealth;

// Names one series: the stream, the SSE event type (empty for WebSocket), the label field's
// value, and the path in the payload. Built-in stream figures have an empty type and label
// and a path from the Figure* constants.
struct SeriesKey
{
    int streamId = 0;
    QByteArray eventType;
    QString label;
    QString path;

    bool operator==(const SeriesKey &) const = default;
    bool isFigure() const { return path.startsWith(QLatin1Char('@')); }
    // "metrics · alpha · cpu", "(value)" for a plain-number payload; no stream name.
    QString displayName() const;
};
size_t qHash(const SeriesKey &key, size_t seed = 0);

// The built-in figures of every stream, plottable like any field.
inline const QString FigureEventsPerSecond = QStringLiteral("@events/s");
inline const QString FigureBytesPerSecond = QStringLiteral("@bytes/s");
inline const QString FigureRoundTripMs = QStringLiteral("@round-trip ms"); // WebSocket only
inline const QString FigureReconnects = QStringLiteral("@reconnects");
// From the diagnoses: numbers the resume audit found missing, the payload clock's delivery delay.
inline const QString FigureEventsMissing = QStringLiteral("@events missing");
inline const QString FigureDeliveryDelayMs = QStringLiteral("@delivery delay ms");

// Every series of every stream, bounded: a series keeps UnplottedCapacity points until
// something plots it (then PlottedCapacity), points older than the retention go, and at most
// MaxSeries series exist (later ones are counted, not kept). Plain class: the caller feeds it.
class MetricStore
{
public:
    static constexpr qsizetype UnplottedCapacity = 2000;
    static constexpr qsizetype PlottedCapacity = 2'000'000;
    static constexpr int MaxSeries = 2000;
    static constexpr qint64 DefaultRetentionMs = 60 * 60 * 1000;
    static constexpr int MaxMarkers = 1000; // reconnect markers kept per stream

    MetricStore();
    ~MetricStore();

    void setSettings(int streamId, const ExtractionSettings &settings);
    ExtractionSettings settings(int streamId) const;
    void setRetentionMs(qint64 ms) { m_retentionMs = ms; }
    qint64 retentionMs() const { return m_retentionMs; }

    // Event and Message rows are extracted (binary and Sent rows are not); a Lifecycle "open"
    // after an earlier one records a reconnect marker.
    void ingest(const StreamEvent &event);
    // The built-in figures as of nowMs (called about once a second per stream).
    void recordHealth(int streamId, const StreamHealth &health, qint64 nowMs);
    void removeStream(int streamId);
    void clear();

    // Counted: a series plotted by two charts is plotted until both let go.
    void setPlotted(const SeriesKey &key, bool plotted);

    const SeriesBuffer *series(const SeriesKey &key) const; // nullptr when unknown
    QList<SeriesKey> keys() const; // in the order first seen
    QList<double> reconnectMarkers(int streamId) const; // times in ms, oldest first
    ExtractionCounts counts(int streamId) const;
    // Distinct keys refused because MaxSeries series exist (counted by hash).
    quint64 droppedSeries() const { return m_droppedSeries; }
    // Changes whenever any series or marker changes: redraw only when it moved.
    quint64 revision() const { return m_revision; }

private:
    struct Series;
    struct StreamState;
    Series *find(const SeriesKey &key) const;
    Series *findOrCreate(const SeriesKey &key);
    void append(const SeriesKey &key, double timeMs, double value);
    void appendTo(Series &series, double timeMs, double value);

    struct KeyHash
    {
        size_t operator()(const SeriesKey &key) const { return qHash(key); }
    };
    // Not a QHash: its implicit sharing would copy the move-only values.
    std::unordered_map<SeriesKey, std::unique_ptr<Series>, KeyHash> m_series;
    QList<SeriesKey> m_order;
    std::map<int, StreamState> m_streams;
    qint64 m_retentionMs = DefaultRetentionMs;
    quint64 m_droppedSeries = 0;
    QSet<size_t> m_refusedKeys; // hashes, bounded
    quint64 m_revision = 0;
    QList<MetricSample> m_scratch; // reused per payload
};

} // namespace streamscope
