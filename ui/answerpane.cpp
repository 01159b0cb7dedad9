// SPDX-License-Identifier: GPL-3.0-or-later
#include "answerpane.h"

#include "answerrun.h"
#include "healthcolors.h"

#include <QEvent>
#include <QFontDatabase>
#include <QScrollBar>
#include <QTextCharFormat>
#include <QTextCursor>
#include <QTextDocument>

#include <algorithm>

namespace streamscope {

namespace {

// OpenAI chat with n > 1: the document heads each choice.
bool severalChoices(const QList<TokenBlock> &blocks)
{
    return std::any_of(
        blocks.cbegin(), blocks.cend(), [](const TokenBlock &block) { return block.choice != 0; });
}

} // namespace

AnswerPane::AnswerPane(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setUndoRedoEnabled(false);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setPlaceholderText(tr("The answer appears here as it streams."));
    // Following the end unless the user scrolled away from it; our own edits do not count.
    QScrollBar *bar = verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, [this, bar](int value) {
        if (!m_drawing) {
            m_stickToBottom = value >= bar->maximum();
        }
    });
    connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int maximum) {
        if (m_stickToBottom) {
            bar->setValue(maximum);
        }
    });
}

void AnswerPane::showRun(const AnswerRun &run, bool following)
{
    // A run followed reads from its end; one picked from its start.
    m_stickToBottom = following;
    rebuild(run);
    if (!m_stickToBottom) {
        verticalScrollBar()->setValue(0);
    }
}

void AnswerPane::showGrowth(const AnswerRun &run)
{
    const QList<TokenBlock> &blocks = run.answer().blocks();
    bool grew = blocks.size() >= m_sections.size() && severalChoices(blocks) == m_choiceHeadings
        && !(m_endingShown && blocks.size() != m_sections.size());
    for (qsizetype i = 0; grew && i < m_sections.size(); ++i) {
        const Section &section = m_sections.at(i);
        const TokenBlock &block = blocks.at(i);
        grew = block.kind == section.kind && block.name == section.name
            && block.choice == section.choice && block.text.size() >= section.shownChars;
    }
    if (!grew) {
        rebuild(run); // not seen from a decoder, but cheap to be safe about
        return;
    }
    m_drawing = true;
    for (qsizetype i = 0; i < m_sections.size(); ++i) {
        const TokenBlock &block = blocks.at(i);
        Section &section = m_sections[i];
        if (block.text.size() > section.shownChars) {
            insertText(section.endPosition, block.text.sliced(section.shownChars),
                textFormat(block.kind), i);
            section.shownChars = block.text.size();
        }
        if (block.truncated && !section.truncationShown) {
            insertText(section.endPosition, truncationNote(), noteFormat(), i);
            section.truncationShown = true;
        }
    }
    for (qsizetype i = m_sections.size(); i < blocks.size(); ++i) {
        appendBlock(blocks, i);
    }
    if (!m_endingShown) {
        appendEnding(run);
    }
    m_drawing = false;
    stickToBottom();
}

void AnswerPane::redraw(const AnswerRun &run)
{
    const int value = verticalScrollBar()->value();
    rebuild(run);
    if (!m_stickToBottom) {
        verticalScrollBar()->setValue(value);
    }
}

void AnswerPane::clearRun()
{
    clear();
    m_sections.clear();
    m_endingShown = false;
}

void AnswerPane::rebuild(const AnswerRun &run)
{
    const QList<TokenBlock> &blocks = run.answer().blocks();
    m_drawing = true;
    clear();
    m_sections.clear();
    m_endingShown = false;
    m_choiceHeadings = severalChoices(blocks);
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        appendBlock(blocks, i);
    }
    appendEnding(run);
    m_drawing = false;
    stickToBottom();
}

void AnswerPane::stickToBottom()
{
    if (m_stickToBottom) {
        QScrollBar *bar = verticalScrollBar();
        bar->setValue(bar->maximum());
    }
}

void AnswerPane::appendBlock(const QList<TokenBlock> &blocks, qsizetype index)
{
    const TokenBlock &block = blocks.at(index);
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    QString heading;
    if (m_choiceHeadings && (index == 0 || blocks.at(index - 1).choice != block.choice)) {
        heading = tr("Choice %1").arg(block.choice);
    }
    switch (block.kind) {
    case TokenBlock::Kind::Text:
        break;
    case TokenBlock::Kind::Thinking:
        heading += (heading.isEmpty() ? QString() : QStringLiteral(" · ")) + tr("Thinking");
        break;
    case TokenBlock::Kind::ToolCall:
        heading += (heading.isEmpty() ? QString() : QStringLiteral(" · "))
            + (block.name.isEmpty() ? tr("Tool call") : tr("Tool call %1").arg(block.name));
        break;
    }
    if (!cursor.atStart()) {
        cursor.insertText(QStringLiteral("\n\n"), QTextCharFormat());
    }
    if (!heading.isEmpty()) {
        cursor.insertText(heading + u'\n', headingFormat(block.kind));
    }
    if (!block.text.isEmpty()) {
        cursor.insertText(block.text, textFormat(block.kind));
    }
    Section section;
    section.kind = block.kind;
    section.name = block.name;
    section.choice = block.choice;
    section.shownChars = block.text.size();
    section.endPosition = cursor.position();
    if (block.truncated) {
        cursor.insertText(truncationNote(), noteFormat());
        section.endPosition = cursor.position();
        section.truncationShown = true;
    }
    m_sections.append(section);
}

void AnswerPane::appendEnding(const AnswerRun &run)
{
    QString text;
    QTextCharFormat format;
    format.setFontWeight(QFont::Bold);
    if (const std::optional<TokenStreamError> error = run.answer().error()) {
        text = error->type.isEmpty() ? tr("Error: %1").arg(error->message)
                                     : tr("Error %1: %2").arg(error->type, error->message);
        format.setForeground(errorTextColor(palette()));
    } else if (run.outcome() == AnswerRun::Outcome::Interrupted) {
        text = tr("Interrupted: %1").arg(run.interruption());
        format.setForeground(healthColor(HealthState::Stale, palette()));
    } else {
        return;
    }
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    if (!cursor.atStart()) {
        cursor.insertText(QStringLiteral("\n\n"), QTextCharFormat());
    }
    cursor.insertText(text, format);
    m_endingShown = true;
}

void AnswerPane::insertText(
    int position, const QString &text, const QTextCharFormat &format, qsizetype section)
{
    QTextCursor cursor(document());
    cursor.setPosition(position);
    cursor.insertText(text, format);
    // Positions count what the document holds ("\r\n" is one paragraph break), not text.size().
    const int added = cursor.position() - position;
    for (qsizetype i = section; i < m_sections.size(); ++i) {
        m_sections[i].endPosition += added;
    }
}

QString AnswerPane::truncationNote() const
{
    return tr(" [… truncated: the rest of this block was dropped]");
}

QTextCharFormat AnswerPane::noteFormat() const
{
    QTextCharFormat format;
    format.setFontItalic(true);
    format.setForeground(healthColor(HealthState::Stale, palette()));
    return format;
}

QTextCharFormat AnswerPane::textFormat(TokenBlock::Kind kind) const
{
    QTextCharFormat format;
    switch (kind) {
    case TokenBlock::Kind::Text:
        break;
    case TokenBlock::Kind::Thinking:
        format.setForeground(palette().color(QPalette::PlaceholderText));
        format.setFontItalic(true);
        break;
    case TokenBlock::Kind::ToolCall: {
        const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        format.setFontFamilies(fixed.families());
        format.setFontFixedPitch(true);
        break;
    }
    }
    return format;
}

QTextCharFormat AnswerPane::headingFormat(TokenBlock::Kind kind) const
{
    QTextCharFormat format;
    format.setFontWeight(QFont::Bold);
    if (kind == TokenBlock::Kind::Thinking) {
        format.setForeground(palette().color(QPalette::PlaceholderText));
    }
    return format;
}

void AnswerPane::setMonospace(bool monospace)
{
    // QFont(): inherit the view's font again.
    setFont(monospace ? QFontDatabase::systemFont(QFontDatabase::FixedFont) : QFont());
}

void AnswerPane::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    // The formats hold colours of the palette they were drawn with.
    if (event->type() == QEvent::PaletteChange) {
        emit paletteChanged();
    }
}

} // namespace streamscope
