// SPDX-License-Identifier: GPL-3.0-or-later
#include "healthcolors.h"

#include <QPalette>

namespace streamscope {

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QColor healthColor(HealthState state, const QPalette &palette)
{
    const bool dark = isDarkPalette(palette);
    switch (state) {
    case HealthState::Open:
        return dark ? QColor(0x4c, 0xc2, 0x6a) : QColor(0x1e, 0x7e, 0x34);
    case HealthState::Stale:
        return dark ? QColor(0xf0, 0xb4, 0x29) : QColor(0x9a, 0x67, 0x00);
    case HealthState::Connecting:
        return dark ? QColor(0x6c, 0xb6, 0xff) : QColor(0x1a, 0x5f, 0xb4);
    case HealthState::Reconnecting:
        return dark ? QColor(0xff, 0x9f, 0x43) : QColor(0xb3, 0x54, 0x00);
    case HealthState::Failed:
        return errorTextColor(palette);
    case HealthState::Disconnected:
        break;
    }
    return palette.color(QPalette::Disabled, QPalette::WindowText);
}

QColor errorTextColor(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc6, 0x28, 0x28);
}

} // namespace streamscope
