// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTableWidget;

namespace streamscope {

class AnswerPane;
class AnswerRun;
class GapSparkline;
class Stream;
struct StreamConfig;

// The token view of an LLM answer stream (a stream in token mode): the answer assembling live
// (an AnswerPane), a strip of live figures (time to first token, tokens/s, inter-token gaps and
// their GapSparkline, stop reason, usage), the stream's kept runs to pick from and compare side
// by side, and a run's export as JSON. Redraws from a timer, never once per event.
class TokenView final : public QWidget
{
    Q_OBJECT
public:
    static constexpr int RefreshMs = 100; // after answerChanged, and while a run is running

    explicit TokenView(QWidget *parent = nullptr);

    // nullptr, or a stream not in token mode, shows a hint instead. The stream is not owned;
    // its removal is noticed. Follows the newest run.
    void setStream(const Stream *stream);
    const Stream *stream() const;

    // The run shown, as an index into Stream::answerRuns(); -1 when none.
    int shownRun() const;
    // Shows that run. The newest follows each new run; an older one stays shown until the user
    // picks another (or it is dropped, 50 runs later: then the newest is followed again).
    void showRun(int index);
    bool isFollowing() const { return m_following; }

    // The shown run's answer text as of now (its text blocks, as
    // TokenStreamDecoder::answerText()); empty when none. The export's "text".
    QString answerText() const;
    // Everything the answer pane shows, as plain text: headings, thinking, tool calls, the error.
    QString shownText() const;
    // The figures strip as shown, one "Name: value" line per figure shown.
    QString figuresText() const;
    // The hint shown instead of the view; empty while the view shows a stream's runs.
    QString hintText() const;

    // Writes run index of the stream as JSON (see runJson()); false with a readable *error.
    bool exportRun(int index, const QString &path, QString *error = nullptr) const;
    // A run as exported: the request (header values masked, URL without password), when it
    // started, format, outcome and interruption, the text and blocks, stop reason, usage as the
    // server sent it, figures, model, error, and the number of events (the events themselves are
    // in the log).
    static QJsonObject runJson(const StreamConfig &config, const AnswerRun &run, qint64 nowMs);

    // "#3 12:01:05 · complete · 1.2 s · 412 tok"; number counts from 1.
    static QString runLabel(int number, const AnswerRun &run, qint64 nowMs);
    // "480 ms", "1.25 s", "2 min 5 s"; "-" when negative (unknown).
    static QString formatDuration(qint64 ms);

signals:
    // After the Export button's file dialog: the export worked, or it did not and says why.
    void runExported(const QString &path);
    void exportFailed(const QString &message);

private:
    // A run as the view knows it: its address while kept, and its start to tell a new run at a
    // reused address apart.
    struct RunKey
    {
        const AnswerRun *run = nullptr;
        qint64 startedAtMs = 0;
        bool operator==(const RunKey &other) const = default;
    };
    // A row of the comparison table and its item in the runs list; final once its run ended
    // and was drawn so.
    struct RowState
    {
        RunKey key;
        bool final = false;
    };

    void scheduleRefresh();
    void refresh();
    void refreshRuns(qint64 nowMs);
    void refreshFigures(const AnswerRun *run, qint64 nowMs);
    // Draws the shown run afresh when it is another than the one drawn, else appends what it
    // added since.
    void refreshAnswer(const AnswerRun &run);
    void redrawAnswer();
    QLabel *addFigure(
        QGridLayout *grid, int row, int column, const QString &label, const QString &name);
    void showFigure(QLabel *value, bool shown);
    void exportInteractively();
    const AnswerRun *runAt(int index) const;
    int indexOf(const RunKey &key) const;
    int runNumber(const RunKey &key) const;

    QPointer<const Stream> m_stream;
    QTimer m_refresh; // single shot: one redraw for a burst of answerChanged
    bool m_following = true;
    RunKey m_shown; // the run shown; {} when none
    RunKey m_drawn; // the run the document holds
    // Run numbers, from 1 for the oldest run kept when the stream was set, counting on.
    QHash<const AnswerRun *, QPair<qint64, int>> m_numbers; // run -> (startedAtMs, number)
    int m_lastNumber = 0;
    QList<RowState> m_rows;

    QStackedWidget *m_pages;
    QLabel *m_hint;
    QComboBox *m_runs;
    QCheckBox *m_monospace;
    QPushButton *m_export;
    QLabel *m_exportStatus;
    QLabel *m_timeToHeaders;
    QLabel *m_timeToFirstToken;
    QLabel *m_duration;
    QLabel *m_outputTokens;
    QLabel *m_tokensPerSecond;
    QLabel *m_gaps;
    GapSparkline *m_sparkline;
    QLabel *m_stopReason;
    QLabel *m_inputTokens;
    QLabel *m_format;
    QLabel *m_model;
    QLabel *m_unknown;
    QLabel *m_malformed;
    QList<QLabel *> m_figures; // in the order figuresText() lists them
    QHash<QLabel *, QLabel *> m_figureNames; // the label beside each value
    AnswerPane *m_answer;
    QTableWidget *m_table;
};

} // namespace streamscope
