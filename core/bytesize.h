// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace streamscope {

// A cap or limit in words: "16 MiB", "64 KiB", or "1000 bytes" when not a whole multiple.
QString describeBytes(qint64 bytes);

} // namespace streamscope
