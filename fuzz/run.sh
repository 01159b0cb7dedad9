#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets with clang into build-fuzz and runs one for a given time.
# Usage: fuzz/run.sh TARGET SECONDS [extra libFuzzer arguments...]
#   TARGET: fuzz_sseparser, fuzz_workspace, fuzz_metricextractor, fuzz_websocketframeparser,
#   fuzz_inflater, fuzz_socketio, fuzz_mqtt or fuzz_tokenstream. New inputs go to
#   build-fuzz/corpus/TARGET (the seeds in fuzz/corpus/TARGET are read, never written); a crash
#   input is written to build-fuzz/artifacts/ and should be copied to fuzz/regressions/TARGET/.
# Replay every kept regression: fuzz/run.sh TARGET 0
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: fuzz/run.sh TARGET SECONDS}"
seconds="${2:?usage: fuzz/run.sh TARGET SECONDS}"
shift 2
dir="${FUZZ_BUILD_DIR:-build-fuzz}"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
    -DCMAKE_CXX_COMPILER="${FUZZ_CXX:-clang++-14}" -DSTREAMSCOPE_FUZZ=ON >/dev/null
cmake --build "$dir" -j "${FUZZ_BUILD_JOBS:-$(nproc)}" --target "$target"

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
if [ "$seconds" = 0 ]; then
    shopt -s nullglob
    inputs=(fuzz/regressions/"$target"/* fuzz/corpus/"$target"/*)
    "$dir/fuzz/$target" "${inputs[@]}"
    exit
fi
mkdir -p "$dir/corpus/$target" "$dir/artifacts"
exec "$dir/fuzz/$target" "$dir/corpus/$target" "fuzz/corpus/$target" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/$target-" "$@"
