// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: Workspace::fromJson takes any bytes without crashing, and what it loads
// saves and loads back to the same file (a saved workspace always reads back whole).
#include "workspace.h"

#include <QByteArray>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using streamscope::Workspace;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const Workspace::Loaded loaded = Workspace::fromJson(input);
    if (!loaded.readable) {
        if (loaded.problems.isEmpty()) {
            std::fprintf(stderr, "fuzz_workspace: unreadable without a problem named\n");
            std::abort();
        }
        return 0;
    }
    const QByteArray saved = loaded.workspace.toJson();
    const Workspace::Loaded again = Workspace::fromJson(saved);
    const QByteArray savedAgain = again.workspace.toJson();
    if (!again.readable || savedAgain != saved) {
        std::fprintf(stderr, "fuzz_workspace: save/load is not stable\nfirst:\n%s\nsecond:\n%s\n",
            saved.constData(), savedAgain.constData());
        for (const QString &problem : again.problems) {
            std::fprintf(stderr, "  problem: %s\n", qPrintable(problem));
        }
        std::abort();
    }
    return 0;
}
