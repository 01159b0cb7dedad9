// SPDX-License-Identifier: GPL-3.0-or-later
#include "chartsstate.h"

#include "jsonreader.h"

#include <QJsonArray>

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace streamscope {

namespace {

const std::array<std::pair<ChartWindow, QLatin1StringView>, 5> s_windowNames = {{
    {ChartWindow::OneMinute, QLatin1StringView("1m")},
    {ChartWindow::FiveMinutes, QLatin1StringView("5m")},
    {ChartWindow::FifteenMinutes, QLatin1StringView("15m")},
    {ChartWindow::OneHour, QLatin1StringView("1h")},
    {ChartWindow::AllRetained, QLatin1StringView("all")},
}};

QString windowName(ChartWindow window)
{
    for (const auto &[value, name] : s_windowNames) {
        if (value == window) {
            return name;
        }
    }
    return {};
}

// The entry's "stream", as an index among the loaded streams; -1 when it names none.
int streamOf(JsonReader &entry, const QList<int> &streamIndexes)
{
    const QLatin1StringView key("stream");
    return readStreamReference(
        entry, entry.value(key), entry.where(key), entry.path(), streamIndexes)
        .value_or(-1);
}

QStringList unitNames()
{
    QStringList names;
    for (const TimeUnit unit : {TimeUnit::Auto, TimeUnit::Seconds, TimeUnit::Milliseconds,
             TimeUnit::Microseconds, TimeUnit::Nanoseconds}) {
        names.append(timeUnitName(unit));
    }
    return names;
}

void readExtraction(JsonReader &reader, const QList<int> &streamIndexes, ChartsState *state)
{
    for (JsonReader &entry : reader.objects(QLatin1StringView("extraction"))) {
        const int stream = streamOf(entry, streamIndexes);
        ExtractionSettings settings;
        if (stream < 0
            || !entry.string(
                QLatin1StringView("timeField"), &settings.timeField, JsonReader::leftOut())
            || !entry.string(
                QLatin1StringView("labelField"), &settings.labelField, JsonReader::leftOut())) {
            continue;
        }
        entry.word(
            QLatin1StringView("unit"), unitNames(),
            [](const QString &name) { return timeUnitFromName(name); }, &settings.timeUnit,
            QStringLiteral("auto is used"));
        state->extraction.append({stream, settings});
    }
}

void readSeries(JsonReader &chartReader, const QList<int> &streamIndexes, ChartsState::Chart *chart)
{
    for (JsonReader &entry : chartReader.objects(QLatin1StringView("series"))) {
        SeriesKey key;
        key.streamId = streamOf(entry, streamIndexes);
        QString type;
        if (key.streamId < 0
            || !entry.string(QLatin1StringView("type"), &type, JsonReader::leftOut())
            || !entry.string(QLatin1StringView("label"), &key.label, JsonReader::leftOut())
            || !entry.string(QLatin1StringView("path"), &key.path, JsonReader::leftOut())) {
            continue;
        }
        key.eventType = type.toUtf8();
        if (chart->series.contains(key)) {
            entry.problem(entry.path(), QStringLiteral("already on the chart; left out"));
        } else if (chart->series.size() >= ChartsState::MaxSeriesPerChart) {
            entry.problem(entry.path(),
                QStringLiteral("more than %1 series on the chart; left out")
                    .arg(ChartsState::MaxSeriesPerChart));
        } else {
            chart->series.append(key);
        }
    }
}

} // namespace

QJsonObject ChartsState::toJson() const
{
    QJsonArray chartList;
    for (const Chart &chart : charts) {
        QJsonArray series;
        for (const SeriesKey &key : chart.series) {
            series.append(QJsonObject{{QStringLiteral("stream"), key.streamId},
                {QStringLiteral("type"), QString::fromUtf8(key.eventType)},
                {QStringLiteral("label"), key.label}, {QStringLiteral("path"), key.path}});
        }
        chartList.append(QJsonObject{
            {QStringLiteral("title"), chart.title}, {QStringLiteral("series"), series}});
    }
    QJsonArray extractionList;
    for (const Extraction &entry : extraction) {
        if (entry.settings == ExtractionSettings()) {
            continue; // the defaults go without saying
        }
        extractionList.append(QJsonObject{{QStringLiteral("stream"), entry.stream},
            {QStringLiteral("timeField"), entry.settings.timeField},
            {QStringLiteral("unit"), timeUnitName(entry.settings.timeUnit)},
            {QStringLiteral("labelField"), entry.settings.labelField}});
    }
    return {{QStringLiteral("window"), windowName(window)}, {QStringLiteral("charts"), chartList},
        {QStringLiteral("extraction"), extractionList}};
}

ChartsState ChartsState::fromJson(const QJsonObject &json, const QString &path,
    const QList<int> &streamIndexes, QStringList *problems)
{
    JsonReader reader(json, path, problems);
    ChartsState state;
    QStringList windowNames;
    for (const auto &[value, name] : s_windowNames) {
        windowNames.append(name);
    }
    reader.word(
        QLatin1StringView("window"), windowNames,
        [](const QString &name) -> std::optional<ChartWindow> {
            for (const auto &[value, known] : s_windowNames) {
                if (known == name) {
                    return value;
                }
            }
            return std::nullopt;
        },
        &state.window);
    readExtraction(reader, streamIndexes, &state);
    for (JsonReader &entry : reader.objects(QLatin1StringView("charts"))) {
        if (state.charts.size() >= MaxCharts) {
            entry.problem(
                entry.path(), QStringLiteral("more than %1 charts; left out").arg(MaxCharts));
            continue;
        }
        Chart chart;
        entry.string(QLatin1StringView("title"), &chart.title);
        readSeries(entry, streamIndexes, &chart);
        state.charts.append(chart);
    }
    return state;
}

} // namespace streamscope
