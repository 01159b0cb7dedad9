// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "eventsource.h"

#include <QSignalSpy>
#include <QStringList>
#include <QUrl>

namespace streamscope {

// Millisecond delays so reconnect tests take no time; the caller tightens what it checks.
inline EventSourceSettings quickSettings(const QUrl &url)
{
    EventSourceSettings settings;
    settings.url = url;
    settings.initialDelayMs = 5;
    settings.maxDelayMs = 1000;
    return settings;
}

// Everything an EventSource emits, in order, for tests that check sequences.
struct EventSourceRecorder
{
    explicit EventSourceRecorder(EventSource *source)
        : events(source, &EventSource::eventReceived)
        , errors(source, &EventSource::errorOccurred)
        , reconnects(source, &EventSource::reconnectScheduled)
        , connects(source, &EventSource::connecting)
        , opens(source, &EventSource::opened)
        , closes(source, &EventSource::closed)
        , retries(source, &EventSource::retryApplied)
    {
    }

    SseEvent event(qsizetype i) const { return events.at(i).at(0).value<SseEvent>(); }
    QByteArray data(qsizetype i) const { return event(i).data; }
    QString error(qsizetype i) const { return errors.at(i).at(0).toString(); }
    int errorStatus(qsizetype i) const { return errors.at(i).at(1).toInt(); }
    // Every error so far, for a failure message.
    QString allErrors() const
    {
        QStringList list;
        for (const QList<QVariant> &args : errors) {
            list.append(args.at(0).toString());
        }
        return list.join(QStringLiteral(" | "));
    }
    int delay(qsizetype i) const { return reconnects.at(i).at(0).toInt(); }
    EventSource::CloseReason closeReason(qsizetype i = 0) const
    {
        return closes.at(i).at(0).value<EventSource::CloseReason>();
    }

    QSignalSpy events;
    QSignalSpy errors;
    QSignalSpy reconnects;
    QSignalSpy connects;
    QSignalSpy opens;
    QSignalSpy closes;
    QSignalSpy retries;
};

} // namespace streamscope
