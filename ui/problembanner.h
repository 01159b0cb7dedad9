// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;

namespace streamscope {

// A message above the log about what went wrong (a workspace loaded in part, a file that could
// not be saved): in error colours, selectable, until dismissed or replaced. Never modal.
class ProblemBanner : public QFrame
{
    Q_OBJECT
public:
    explicit ProblemBanner(QWidget *parent = nullptr);

    void showProblem(const QString &message);
    // The message shown; empty when the banner is hidden.
    QString problem() const;

private:
    QLabel *m_label;
};

} // namespace streamscope
