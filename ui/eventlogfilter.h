// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "logfilterstate.h"
#include "streamevent.h"

#include <QList>
#include <QRegularExpression>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QStringList>

namespace streamscope {

class EventLogModel;

// What the event log shows: rows of some streams and kinds whose type, id and data match.
// Every criterion applies live; rows the log adds later are filtered as they arrive (the
// proxy checks only the inserted rows, never the whole log again).
class EventLogFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class TextMode {
        Substring,
        RegularExpression,
    };
    Q_ENUM(TextMode)

    explicit EventLogFilter(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;

    // Empty: every stream.
    void setStreamIds(const QSet<int> &ids);
    QSet<int> streamIds() const { return m_streamIds; }
    // Empty: every kind.
    void setKinds(const QList<StreamEvent::Kind> &kinds);
    QList<StreamEvent::Kind> kinds() const;
    // Substrings of the SSE event type and the id; empty matches all.
    void setTypeFilter(const QString &text);
    QString typeFilter() const { return m_type.text; }
    void setIdFilter(const QString &text);
    QString idFilter() const { return m_id.text; }
    // Over the data: a substring, or a regular expression. An invalid expression filters nothing
    // and is reported by textError().
    void setTextFilter(const QString &text, TextMode mode = TextMode::Substring);
    QString textFilter() const { return m_text; }
    TextMode textMode() const { return m_textMode; }
    // Applies to every text criterion; off by default.
    void setCaseSensitive(bool sensitive);
    bool isCaseSensitive() const { return m_caseSensitive; }
    // Why the regular expression is not applied; empty when it is (or none is set).
    QString textError() const { return m_textError; }

    bool isActive() const; // any criterion set

    // The state as a workspace saves it. streamOrder lists the ids of the workspace's streams
    // by index; streams outside it are left out.
    LogFilterState state(const QList<int> &streamOrder) const;
    // Every criterion at once, with one re-filter; LogFilterState() is the empty filter.
    void setState(const LogFilterState &state, const QList<int> &streamOrder);

signals:
    // The text filter's error changed: empty once the expression is valid again.
    void textErrorChanged(const QString &error);
    void filterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    // A substring to look for in bytes, prepared once per change rather than once per row.
    struct Needle
    {
        QString text;
        QByteArray bytes; // UTF-8; lower-cased when matching without case and ASCII
        bool ascii = true;
    };

    void prepare(Needle &needle, const QString &text) const;
    bool contains(QByteArrayView haystack, const Needle &needle) const;
    void updateText();
    void applyFilterChange();
    bool matchesText(const StreamEvent &event) const;

    const EventLogModel *m_log = nullptr; // the source when it is one: read rows without QVariant
    QSet<int> m_streamIds;
    quint8 m_kindMask = 0; // bit per Kind; 0: all
    Needle m_type;
    Needle m_id;
    QString m_text;
    Needle m_textNeedle; // in substring mode
    TextMode m_textMode = TextMode::Substring;
    bool m_caseSensitive = false;
    QString m_textError;
    QRegularExpression m_regex; // valid when in use
    bool m_textActive = false; // a valid text criterion is set
};

} // namespace streamscope
