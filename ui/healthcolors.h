// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "streamhealth.h"

#include <QColor>

class QPalette;

namespace streamscope {

// Health and error colours that read on the palette's background, light or dark: the same hue,
// darker on a light window and lighter on a dark one. No background is ever hard-coded.
bool isDarkPalette(const QPalette &palette);
QColor healthColor(HealthState state, const QPalette &palette);
QColor errorTextColor(const QPalette &palette);

} // namespace streamscope
