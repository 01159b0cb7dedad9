// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QLatin1StringView>
#include <QList>
#include <QString>
#include <QStringList>

#include <climits>
#include <optional>
#include <utility>

namespace streamscope {

// Reads the members of one object of a workspace file, keeping each value it can use and naming
// each one it cannot, in one wording for every part of the file:
//   "<path>.<key>: expected <what>, got <what was there>; <what happens instead>"
// An absent member is no problem: what it would set keeps its default. Each read returns false
// only when the member is there but unusable.
class JsonReader
{
public:
    // path names the object ("streams[2]", "charts.charts[0]"); empty for the file's root.
    // problems may be null: then nothing is recorded.
    JsonReader(const QJsonObject &object, const QString &path, QStringList *problems);

    const QString &path() const { return m_path; }
    QString where(QLatin1StringView key) const;
    QJsonValue value(QLatin1StringView key) const { return m_object.value(key); }
    bool contains(QLatin1StringView key) const { return m_object.contains(key); }
    // "<where>: <text>", where is a path, as where() gives.
    void problem(const QString &where, const QString &text);
    // "<where>: expected <expected>, got <found>; <outcome>". What was found is named by its
    // type when that is wrong ("got a string"), else by its value ("got \"2m\"", "got 0.5").
    void unexpected(const QString &where, const QString &expected, const QString &found,
        const QString &outcome = keptDefault());

    bool string(QLatin1StringView key, QString *out, const QString &outcome = keptDefault());
    bool bytes(QLatin1StringView key, QByteArray *out); // a string, as UTF-8
    bool boolean(QLatin1StringView key, bool *out);
    bool boolean(QLatin1StringView key, std::optional<bool> *out); // absent stays unset
    // A whole number; a range other than int's is named in the problem.
    bool integer(QLatin1StringView key, int *out, int min = INT_MIN, int max = INT_MAX,
        const QString &outcome = keptDefault());
    bool strings(QLatin1StringView key, QStringList *out);
    // A string that parse() turns into a value (std::optional<Value> parse(const QString &)):
    // else `expected "a", "b" or "c", got "d"; <outcome>`, words naming what it takes.
    template <typename Value, typename Parse>
    bool word(QLatin1StringView key, const QStringList &words, Parse parse, Value *out,
        const QString &outcome = keptDefault());
    // Another type reads as empty, with a problem: "...; ignored".
    QJsonArray array(QLatin1StringView key);
    std::optional<QJsonObject> object(QLatin1StringView key);
    // The objects in an array member, each with a reader whose path is "<where>[i]"; an entry
    // that is not an object is a problem and left out.
    QList<JsonReader> objects(QLatin1StringView key);

    // A value as a problem names it: strings quoted, numbers as written, others by type.
    static QString describe(const QJsonValue &value);
    static QString typeOf(const QJsonValue &value); // "a string", "null"
    // `"a", "b" or "c"`
    static QString alternatives(const QStringList &words);
    // The outcomes most problems end with.
    static QString keptDefault() { return QStringLiteral("the default is kept"); }
    static QString leftOut() { return QStringLiteral("left out"); } // an entry of a list
    static QString ignored() { return QStringLiteral("ignored"); } // a whole member

private:
    QJsonObject m_object;
    QString m_path;
    QStringList *m_problems;
};

// The loaded index of a reference to one of the file's streams, which value names by its position
// in the file's "streams" array; streamIndexes maps positions to indexes (-1: that stream was
// skipped). Nullopt, with a problem, when it names no loaded stream: at where when value is not
// an index, at entryWhere (the entry that holds the reference) when no such stream was loaded.
std::optional<int> readStreamReference(JsonReader &reader, const QJsonValue &value,
    const QString &where, const QString &entryWhere, const QList<int> &streamIndexes);

template <typename Value, typename Parse>
bool JsonReader::word(QLatin1StringView key, const QStringList &words, Parse parse, Value *out,
    const QString &outcome)
{
    const QJsonValue found = value(key);
    if (found.isUndefined()) {
        return true;
    }
    if (found.isString()) {
        if (const std::optional<Value> parsed = parse(found.toString())) {
            *out = *parsed;
            return true;
        }
    }
    unexpected(where(key), alternatives(words), found.isString() ? describe(found) : typeOf(found),
        outcome);
    return false;
}

} // namespace streamscope
