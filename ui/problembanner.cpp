// SPDX-License-Identifier: GPL-3.0-or-later
#include "problembanner.h"

#include "healthcolors.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace streamscope {

ProblemBanner::ProblemBanner(QWidget *parent)
    : QFrame(parent)
    , m_label(new QLabel)
{
    setObjectName(QStringLiteral("problemBanner"));
    setFrameShape(QFrame::StyledPanel);
    m_label->setObjectName(QStringLiteral("problemLabel"));
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette errorPalette = m_label->palette();
    errorPalette.setColor(QPalette::WindowText, errorTextColor(palette()));
    m_label->setPalette(errorPalette);
    auto *dismiss = new QToolButton;
    dismiss->setText(tr("Dismiss"));
    dismiss->setAutoRaise(true);
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(m_label, 1);
    layout->addWidget(dismiss, 0, Qt::AlignTop);
    connect(dismiss, &QToolButton::clicked, this, &QWidget::hide);
    hide();
}

void ProblemBanner::showProblem(const QString &message)
{
    m_label->setText(message);
    show();
}

QString ProblemBanner::problem() const
{
    return isHidden() ? QString() : m_label->text();
}

} // namespace streamscope
