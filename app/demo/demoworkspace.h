// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "workspace.h"

namespace streamscope {

class DemoFeed;

// The workspace a first launch opens: the demo feed's three streams and charts of their
// numbers (cpu, memory and network per host, and each stream's events/s).
Workspace demoWorkspace(const DemoFeed &feed);

} // namespace streamscope
