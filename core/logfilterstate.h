// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamevent.h"

#include <QJsonObject>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

namespace streamscope {

// The log's filters as a workspace saves them. Streams are named by their index in
// Workspace::streams, since ids are handed out afresh on every load.
struct LogFilterState
{
    QList<int> streams; // empty: every stream
    QList<StreamEvent::Kind> kinds; // empty: every kind
    QString type; // substrings of the SSE event type and of the id
    QString id;
    QString text; // over the data: a substring, or a regular expression when regex is set
    bool regex = false;
    bool caseSensitive = false;

    bool operator==(const LogFilterState &) const = default;

    QJsonObject toJson() const;
    // Reads what it can, each value it cannot use a problem under path ("filters.kinds[1]: ...").
    // streamIndexes maps each position in the file's streams array to its index among the
    // loaded streams, or -1 where it was skipped. An invalid expression is kept, and named.
    static LogFilterState fromJson(const QJsonObject &json, const QString &path,
        const QList<int> &streamIndexes, QStringList *problems);
};

// Why the expression cannot be used ("missing closing parenthesis at offset 1"); empty when
// it can.
QString patternProblem(const QRegularExpression &expression);

} // namespace streamscope
