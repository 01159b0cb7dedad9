// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "tokenstream.h"

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
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTableWidget;
class QTextCharFormat;

namespace streamscope {

class AnswerRun;
class Stream;
struct StreamConfig;

// The gaps between an answer's tokens as bars, newest on the right, scaled to the tallest: a
// stall stands out at a glance, and one far above the typical gap is drawn in the warning colour.
class GapSparkline : public QWidget
{
    Q_OBJECT
public:
    static constexpr int MaxGaps = 200; // the last ones drawn

    explicit GapSparkline(QWidget *parent = nullptr);

    // Keeps the last MaxGaps.
    void setGaps(const QList<qint64> &gaps);
    QList<qint64> gaps() const { return m_gaps; }
    // A gap drawn as a stall: over StallFactor times the median and at least StallMinMs.
    bool isStall(qint64 gap) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    static constexpr int StallFactor = 5;
    static constexpr qint64 StallMinMs = 250;

    QList<qint64> m_gaps;
    qint64 m_median = 0;
};

// The token view of an LLM answer stream (a stream in token mode): the answer assembling live,
// block by block (text, thinking apart, tool calls apart, an error in place), a strip of live
// figures (time to first token, tokens/s, inter-token gaps and their sparkline, stop reason,
// usage), the stream's kept runs to pick from and compare side by side, and a run's export as
// JSON. Redraws from a timer, never once per event; appends only what is new while the shown
// run grows.
class TokenView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int RefreshMs = 100; // after answerChanged, and while a run is running

    explicit TokenView(QWidget *parent = nullptr);

    // nullptr, or a stream not in token mode, shows a hint instead. The stream is not owned;
    // its removal is noticed. Follows the newest run.
    void setStream(const Stream *stream);
    const Stream *stream() const { return m_stream; }

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

protected:
    void changeEvent(QEvent *event) override;

private:
    // A run as the view knows it: its address while kept, and its start to tell a new run at a
    // reused address apart.
    struct RunKey
    {
        const AnswerRun *run = nullptr;
        qint64 startedAtMs = 0;
        bool operator==(const RunKey &other) const = default;
    };
    // One block of the answer as drawn into the document.
    struct Section
    {
        TokenBlock::Kind kind = TokenBlock::Kind::Text;
        QString name;
        int choice = 0;
        qsizetype shownChars = 0; // of the block's text
        int endPosition = 0; // in the document, after the text shown so far
        bool truncationShown = false;
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
    // Appends what the shown run added since the last redraw; draws it afresh when it is
    // another run (or changed in a way appending cannot show).
    void refreshAnswer(const AnswerRun *run, bool runChanged);
    void rebuildAnswer(const AnswerRun &run);
    void appendBlock(const QList<TokenBlock> &blocks, qsizetype index);
    // The error event or the interruption, once, at the end: nothing follows either.
    void appendEnding(const AnswerRun &run);
    // Into section's text at position; moves the ends of that section and those after it.
    void insertText(
        int position, const QString &text, const QTextCharFormat &format, qsizetype section);
    void stickToBottom();
    QString truncationNote() const;
    QTextCharFormat noteFormat() const;
    QTextCharFormat textFormat(TokenBlock::Kind kind) const;
    QTextCharFormat headingFormat(TokenBlock::Kind kind) const;
    QLabel *addFigure(
        QGridLayout *grid, int row, int column, const QString &label, const QString &name);
    void showFigure(QLabel *value, bool shown);
    void setMonospace(bool monospace);
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
    QList<Section> m_sections;
    bool m_choiceHeadings = false; // the document heads each choice
    bool m_endingShown = false; // the error or interruption is drawn, at the end
    bool m_stickToBottom = true; // the answer pane follows its end
    bool m_drawing = false; // scrolling now is ours, not the user's

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
    QPlainTextEdit *m_answer;
    QTableWidget *m_table;
};

} // namespace streamscope
