// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "tokenstream.h"

#include <QList>
#include <QPlainTextEdit>
#include <QString>

class QTextCharFormat;

namespace streamscope {

class AnswerRun;

// One answer run drawn as a document, block by block: text, thinking and tool calls each in its
// own format, a heading per choice when there are several, the error or interruption at the
// end. While the run grows only what is new is appended; the pane follows the end unless the
// user scrolled away from it. Holds no run: the caller passes the one to draw each time.
class AnswerPane final : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit AnswerPane(QWidget *parent = nullptr);

    // Draws run afresh: one followed reads from its end, one picked from its start.
    void showRun(const AnswerRun &run, bool following);
    // Appends what the run drawn added since; draws it afresh when it changed in a way appending
    // cannot show.
    void showGrowth(const AnswerRun &run);
    // Draws run afresh (in the current palette), keeping the scroll position unless following
    // the end.
    void redraw(const AnswerRun &run);
    void clearRun();
    void setMonospace(bool monospace);

signals:
    // What is drawn holds the old palette's colours: redraw() the run to take the new ones.
    void paletteChanged();

protected:
    void changeEvent(QEvent *event) override;

private:
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

    void rebuild(const AnswerRun &run);
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

    QList<Section> m_sections;
    bool m_choiceHeadings = false; // the document heads each choice
    bool m_endingShown = false; // the error or interruption is drawn, at the end
    bool m_stickToBottom = true; // the pane follows its end
    bool m_drawing = false; // scrolling now is ours, not the user's
};

} // namespace streamscope
