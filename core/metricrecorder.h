// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metricstore.h"

#include <QObject>
#include <QTimer>

namespace streamscope {

class StreamSet;

// Feeds a MetricStore from a StreamSet: every row as it arrives, every stream's health figures
// once a second, and forgets removed streams.
class MetricRecorder : public QObject
{
    Q_OBJECT
public:
    static constexpr int FigureIntervalMs = 1000;

    MetricRecorder(StreamSet *streams, MetricStore *store, QObject *parent = nullptr);

    void recordFiguresNow(); // the timer's work; public for tests

private:
    StreamSet *m_streams; // not owned
    MetricStore *m_store; // not owned
    QTimer m_figureTimer;
};

} // namespace streamscope
