// SPDX-License-Identifier: GPL-3.0-or-later
#include "chartworkspace.h"

#include "json.h"
#include "livechart.h"

#include <QJsonArray>

#include <cmath>
#include <limits>
#include <optional>

namespace streamscope {

namespace {

struct WindowName
{
    ChartPanel::Window window;
    QLatin1String name; // as saved
};
const WindowName s_windowNames[] = {
    {ChartPanel::Window::OneMinute, QLatin1String("1m")},
    {ChartPanel::Window::FiveMinutes, QLatin1String("5m")},
    {ChartPanel::Window::FifteenMinutes, QLatin1String("15m")},
    {ChartPanel::Window::OneHour, QLatin1String("1h")},
    {ChartPanel::Window::AllRetained, QLatin1String("all")},
};

QString windowName(ChartPanel::Window window)
{
    for (const WindowName &entry : s_windowNames) {
        if (entry.window == window) {
            return entry.name;
        }
    }
    return {};
}

std::optional<ChartPanel::Window> windowFromName(const QString &name)
{
    for (const WindowName &entry : s_windowNames) {
        if (entry.name == name) {
            return entry.window;
        }
    }
    return std::nullopt;
}

// A value as a problem message names it: strings quoted, other values by their JSON type.
QString describe(const QJsonValue &value)
{
    return value.isString() ? QLatin1Char('"') + value.toString() + QLatin1Char('"')
                            : json::typeName(value);
}

std::optional<int> integerOf(const QJsonValue &value)
{
    if (!value.isDouble()) {
        return std::nullopt;
    }
    const double number = value.toDouble();
    if (number != std::floor(number) || number < 0 || number > std::numeric_limits<int>::max()) {
        return std::nullopt;
    }
    return int(number);
}

// The reading of one workspace, collecting problems as it goes.
class Reader
{
public:
    Reader(const std::function<int(int)> &streamIdOfIndex,
        const std::function<bool(int)> &streamExists)
        : m_streamIdOfIndex(streamIdOfIndex)
        , m_streamExists(streamExists)
    {
    }

    ChartsWorkspace read(const QJsonObject &json);
    QStringList problems() const { return m_problems; }

private:
    void readWindow(const QJsonValue &value, ChartsWorkspace *workspace);
    void readExtraction(const QJsonValue &value, ChartsWorkspace *workspace);
    void readCharts(const QJsonValue &value, ChartsWorkspace *workspace);
    void readSeries(const QJsonValue &value, const QString &where, ChartsWorkspace::Chart *chart);
    // The stream's id; 0, with a problem, when it is not a known stream's index.
    int streamAt(const QJsonValue &value, const QString &where);
    // Reads an optional string member; false with a problem when it holds something else.
    bool readString(
        const QJsonObject &object, const QString &name, const QString &where, QString *out);
    // Problems of non-arrays; undefined reads as empty.
    QJsonArray arrayAt(const QJsonValue &value, const QString &where);

    const std::function<int(int)> &m_streamIdOfIndex;
    const std::function<bool(int)> &m_streamExists;
    QStringList m_problems;
};

ChartsWorkspace Reader::read(const QJsonObject &json)
{
    ChartsWorkspace workspace;
    readWindow(json.value(QStringLiteral("window")), &workspace);
    readExtraction(json.value(QStringLiteral("extraction")), &workspace);
    readCharts(json.value(QStringLiteral("charts")), &workspace);
    return workspace;
}

void Reader::readWindow(const QJsonValue &value, ChartsWorkspace *workspace)
{
    if (value.isUndefined()) {
        return;
    }
    const std::optional<ChartPanel::Window> named = windowFromName(value.toString());
    if (named) {
        workspace->window = *named;
    } else {
        m_problems.append(ChartPanel::tr("window: expected 1m, 5m, 15m, 1h or all, found %1")
                              .arg(describe(value)));
    }
}

void Reader::readExtraction(const QJsonValue &value, ChartsWorkspace *workspace)
{
    const QJsonArray array = arrayAt(value, QStringLiteral("extraction"));
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("extraction[%1]").arg(i);
        const QJsonValue entry = array.at(i);
        if (!entry.isObject()) {
            m_problems.append(ChartPanel::tr("%1: expected an object, found %2")
                                  .arg(where, json::typeName(entry)));
            continue;
        }
        const QJsonObject object = entry.toObject();
        const int id = streamAt(object.value(QStringLiteral("stream")), where);
        if (id <= 0) {
            continue;
        }
        ExtractionSettings settings;
        QString unit = timeUnitName(TimeUnit::Auto);
        if (!readString(object, QStringLiteral("timeField"), where, &settings.timeField)
            || !readString(object, QStringLiteral("labelField"), where, &settings.labelField)
            || !readString(object, QStringLiteral("unit"), where, &unit)) {
            continue;
        }
        const std::optional<TimeUnit> timeUnit = timeUnitFromName(unit);
        if (!timeUnit) {
            m_problems.append(ChartPanel::tr(
                "%1.unit: expected auto, s, ms, us or ns, found \"%2\"; auto is used")
                                  .arg(where, unit));
        }
        settings.timeUnit = timeUnit.value_or(TimeUnit::Auto);
        workspace->extraction.append({id, settings});
    }
}

void Reader::readCharts(const QJsonValue &value, ChartsWorkspace *workspace)
{
    const QJsonArray array = arrayAt(value, QStringLiteral("charts"));
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("charts[%1]").arg(i);
        const QJsonValue entry = array.at(i);
        if (!entry.isObject()) {
            m_problems.append(ChartPanel::tr("%1: expected an object, found %2")
                                  .arg(where, json::typeName(entry)));
            continue;
        }
        if (workspace->charts.size() >= ChartPanel::MaxCharts) {
            m_problems.append(ChartPanel::tr("%1: more than %2 charts; left out")
                                  .arg(where)
                                  .arg(ChartPanel::MaxCharts));
            continue;
        }
        const QJsonObject object = entry.toObject();
        ChartsWorkspace::Chart chart;
        readString(object, QStringLiteral("title"), where, &chart.title);
        readSeries(object.value(QStringLiteral("series")), where, &chart);
        workspace->charts.append(chart);
    }
}

void Reader::readSeries(
    const QJsonValue &value, const QString &where, ChartsWorkspace::Chart *chart)
{
    const QJsonArray array = arrayAt(value, where + QStringLiteral(".series"));
    for (qsizetype s = 0; s < array.size(); ++s) {
        const QString seriesWhere = where + QStringLiteral(".series[%1]").arg(s);
        const QJsonValue entry = array.at(s);
        if (!entry.isObject()) {
            m_problems.append(ChartPanel::tr("%1: expected an object, found %2")
                                  .arg(seriesWhere, json::typeName(entry)));
            continue;
        }
        const QJsonObject object = entry.toObject();
        SeriesKey key;
        key.streamId = streamAt(object.value(QStringLiteral("stream")), seriesWhere);
        QString type;
        if (key.streamId <= 0 || !readString(object, QStringLiteral("type"), seriesWhere, &type)
            || !readString(object, QStringLiteral("label"), seriesWhere, &key.label)
            || !readString(object, QStringLiteral("path"), seriesWhere, &key.path)) {
            continue;
        }
        key.eventType = type.toUtf8();
        if (chart->series.contains(key) || chart->series.size() >= LiveChart::MaxSeries) {
            m_problems.append(
                ChartPanel::tr("%1: already on the chart, or more than %2 series; left out")
                    .arg(seriesWhere)
                    .arg(LiveChart::MaxSeries));
            continue;
        }
        chart->series.append(key);
    }
}

int Reader::streamAt(const QJsonValue &value, const QString &where)
{
    const std::optional<int> index = integerOf(value);
    if (!index) {
        m_problems.append(
            ChartPanel::tr("%1.stream: expected a stream index, found %2")
                .arg(where, value.isUndefined() ? ChartPanel::tr("nothing") : describe(value)));
        return 0;
    }
    const int id = m_streamIdOfIndex ? m_streamIdOfIndex(*index) : 0;
    if (id <= 0 || (m_streamExists && !m_streamExists(id))) {
        m_problems.append(ChartPanel::tr("%1: no stream %2").arg(where).arg(*index));
        return 0;
    }
    return id;
}

bool Reader::readString(
    const QJsonObject &object, const QString &name, const QString &where, QString *out)
{
    const QJsonValue value = object.value(name);
    if (value.isUndefined()) {
        return true;
    }
    if (!value.isString()) {
        m_problems.append(ChartPanel::tr("%1.%2: expected a string, found %3")
                              .arg(where, name, json::typeName(value)));
        return false;
    }
    *out = value.toString();
    return true;
}

QJsonArray Reader::arrayAt(const QJsonValue &value, const QString &where)
{
    if (!value.isUndefined() && !value.isArray()) {
        m_problems.append(
            ChartPanel::tr("%1: expected an array, found %2").arg(where, json::typeName(value)));
    }
    return value.toArray();
}

} // namespace

ChartsWorkspace readChartsWorkspace(const QJsonObject &json,
    const std::function<int(int)> &streamIdOfIndex, const std::function<bool(int)> &streamExists,
    QStringList *problems)
{
    Reader reader(streamIdOfIndex, streamExists);
    ChartsWorkspace workspace = reader.read(json);
    if (problems) {
        problems->append(reader.problems());
    }
    return workspace;
}

QJsonObject writeChartsWorkspace(
    const ChartsWorkspace &workspace, const std::function<int(int)> &streamIndexOfId)
{
    QJsonArray charts;
    for (const ChartsWorkspace::Chart &chart : workspace.charts) {
        QJsonArray series;
        for (const SeriesKey &key : chart.series) {
            const int index = streamIndexOfId(key.streamId);
            if (index < 0) {
                continue;
            }
            series.append(QJsonObject{{QStringLiteral("stream"), index},
                {QStringLiteral("type"), QString::fromUtf8(key.eventType)},
                {QStringLiteral("label"), key.label}, {QStringLiteral("path"), key.path}});
        }
        charts.append(QJsonObject{
            {QStringLiteral("title"), chart.title}, {QStringLiteral("series"), series}});
    }
    QJsonArray extraction;
    for (const auto &[id, settings] : workspace.extraction) {
        const int index = streamIndexOfId(id);
        if (settings == ExtractionSettings() || index < 0) {
            continue;
        }
        extraction.append(QJsonObject{{QStringLiteral("stream"), index},
            {QStringLiteral("timeField"), settings.timeField},
            {QStringLiteral("unit"), timeUnitName(settings.timeUnit)},
            {QStringLiteral("labelField"), settings.labelField}});
    }
    return {{QStringLiteral("window"), windowName(workspace.window)},
        {QStringLiteral("charts"), charts}, {QStringLiteral("extraction"), extraction}};
}

} // namespace streamscope
