// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "recordsink.h"

#include <memory>

namespace streamscope {

// The sink of streamscope-cli --json: every happening one NDJSON record on stdout.
std::unique_ptr<RecordSink> makeJsonSink(const RecordSink::Output &output);

} // namespace streamscope
