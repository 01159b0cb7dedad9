// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "stream.h"

#include <QStringList>

namespace streamscope {

// A stream's current findings by their codes ("idle-timeout", "gap"), for tests to compare.
inline QStringList diagnosisCodes(const Stream &stream)
{
    QStringList found;
    for (const Diagnosis &diagnosis : stream.diagnoses()) {
        found.append(diagnosisKindName(diagnosis.kind));
    }
    return found;
}

} // namespace streamscope
