// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringView>

namespace streamscope::mqtt {

// Topic filters and names (section 4.7): '#' only last and alone in its level, '+' alone in its
// level, no U+0000, 1 to 65535 bytes of UTF-8. Return false with the reason in *error.
bool isValidTopicFilter(const QString &filter, QString *error);
bool isValidTopicName(const QString &topic, QString *error);
// 4.7.1: the wildcards '+' and '#' are for filters; a topic name holding either is invalid.
bool containsWildcard(QStringView topic);

} // namespace streamscope::mqtt
