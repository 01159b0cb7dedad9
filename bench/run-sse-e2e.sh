#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end SSE throughput: one local server (bench_sseserver), the same N events read by each
# client in turn: streamscope-cli, streamscope's EventSource alone, a bare QNAM byte counter,
# node's `eventsource` and headless Chromium's EventSource. Prints a Markdown table of events/s,
# MB/s, wall time and peak RSS. Figures only; nothing is asserted.
#
# Usage: bench/run-sse-e2e.sh [options]   (from the repository root; see docs/PERFORMANCE.md)
#   --build DIR          build folder holding bench/ and app/ (default: build-bench)
#   --shapes LIST        default "small multiline large"
#   --encodings LIST     default "plain chunked"
#   --clients LIST       default "cli readable eventsource qnam node chromium" (cli: --json;
#                        readable: the default output)
#   --events SHAPE=N     events per run for the fast clients (defaults below)
#   --chromium-events SHAPE=N   the same for Chromium, which is far slower
#   --read-buffers LIST  bench_eventsource and bench_qnamcount each run once per size in bytes
#                        (0: unbounded); default "1048576" for eventsource, "0 1048576" for qnam
#   --repeat R           runs per row, the fastest reported (default 1)
#   --quick              a tenth of the events: a smoke run
# Needs: node with `npm install --prefix bench` done, chromium, /usr/bin/time (Debian `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/e2e-lib.sh

build=build-bench
shapes="small multiline large"
encodings="plain chunked"
clients="cli readable eventsource qnam node chromium"
es_buffers="1048576"
qnam_buffers="0 1048576"
repeat=1
divisor=1
declare -A events=([small]=3000000 [multiline]=1000000 [large]=10000)
declare -A chromium_events=([small]=300000 [multiline]=100000 [large]=2000)
declare -A types=([small]=metrics [multiline]=metrics [large]=blob)

die() {
    echo "run-sse-e2e: $*" >&2
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --build) build="$2"; shift 2 ;;
    --shapes) shapes="$2"; shift 2 ;;
    --encodings) encodings="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --events) events[${2%%=*}]="${2#*=}"; shift 2 ;;
    --chromium-events) chromium_events[${2%%=*}]="${2#*=}"; shift 2 ;;
    --read-buffers) es_buffers="$2"; qnam_buffers="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --quick) divisor=10; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
    esac
done

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing: apt-get install time"
[[ -x "$build/bench/bench_sseserver" ]] || die "no $build/bench/bench_sseserver: build first"
cli="$build/app/streamscope-cli"

work=$(mktemp -d /tmp/run-sse-e2e.XXXXXX)
e2e_work=$work
server_pid=
chromium_pid=
cleanup() {
    [[ -n "$chromium_pid" ]] && kill "$chromium_pid" 2>/dev/null || true
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$build/bench/bench_sseserver" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=$(e2e_listening_port "$work/server.out")
[[ -n "$port" ]] || die "the server did not start"
base="http://127.0.0.1:$port"

# The server reports each stream it served on stderr.
served_bytes() {
    e2e_served_bytes "$work/server.err" "$1"
}

served_count() {
    e2e_served_count "$work/server.err"
}

# One row: shape encoding client events bytes wall rss_kib [note]; bytes 0: no figures.
row() {
    local shape=$1 encoding=$2 client=$3 n=$4 bytes=$5 wall=$6 rss=$7 note=${8:-}
    awk -v s="$shape" -v e="$encoding" -v c="$client" -v n="$n" -v b="$bytes" -v w="$wall" \
        -v r="$rss" -v note="$note" 'BEGIN {
        if (b == 0) {
            printf "| %-9s | %-7s | %-28s | %9d | %8s | %7s | %11s | %7s | %7s | %s\n",
                s, e, c, n, "-", "-", "-", "-", "-", note
        } else {
            printf "| %-9s | %-7s | %-28s | %9d | %8.1f | %7.3f | %11.0f | %7.0f | %7.1f | %s\n",
                s, e, c, n, b / 1e6, w, n / w, b / 1e6 / w, r / 1024, note
        }
    }'
    if [[ $bytes -gt 0 ]]; then
        echo "$shape $encoding $client $(awk -v n="$n" -v w="$wall" 'BEGIN { print n / w }')" \
            >>"$work/rates"
    fi
}

# Runs a command R times under /usr/bin/time; reports the fastest as one row.
measure() {
    local shape=$1 encoding=$2 client=$3 n=$4
    shift 4
    e2e_forget
    local i before bytes rss
    for ((i = 0; i < repeat; ++i)); do
        before=$(served_count)
        e2e_time "$work/client.out" "$work/client.err" "$@"
        bytes=$(served_bytes "$before")
        if [[ $e2e_status -ne 0 ]]; then
            row "$shape" "$encoding" "$client" "$n" 0 1 0 \
                "FAILED (exit $e2e_status): $(tail -1 "$work/client.err" | cut -c1-80)"
            return
        fi
        # node reports its own time too: the rest of wall is its start-up.
        local own=
        if grep -q '"ms":' "$work/client.out"; then
            own="in-process $(sed 's/.*"ms":\([0-9.]*\).*/\1/' "$work/client.out" |
                awk '{ printf "%.3f", $1 / 1000 }') s"
        fi
        e2e_consider "$e2e_wall" "$e2e_rss" "$bytes" "$own"
    done
    read -r rss bytes note <<<"$e2e_best_line"
    row "$shape" "$encoding" "$client" "$n" "$bytes" "$e2e_best_wall" "$rss" "$note"
}

# Chromium: a page from our server runs EventSource and POSTs its count and time to /done. Its
# rate uses the page's own time (open to Nth event); wall includes the browser's start.
measure_chromium() {
    local shape=$1 encoding=$2 n=$3
    local binary=/usr/lib/chromium/chromium
    [[ -x $binary ]] || binary=$(command -v chromium || true)
    if [[ -z "$binary" ]]; then
        row "$shape" "$encoding" chromium "$n" 0 1 0 "SKIPPED: apt-get install chromium"
        return
    fi
    local url="$base/page?shape=$shape&events=$n&encoding=$encoding"
    local profile="$work/chromium-profile"
    rm -rf "$profile"
    local dones before peak=0 rss status=0 start end
    dones=$(grep -c '^done' "$work/server.out" || true)
    before=$(served_count)
    start=$EPOCHREALTIME
    "$binary" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-crash-reporter --user-data-dir="$profile" "$url" >"$work/chromium.log" 2>&1 &
    chromium_pid=$!
    local deadline=$((SECONDS + 120))
    while [[ $(grep -c '^done' "$work/server.out" || true) -le $dones ]]; do
        rss=$(e2e_tree_rss "$chromium_pid")
        ((rss > peak)) && peak=$rss
        if ((SECONDS > deadline)) || ! kill -0 "$chromium_pid" 2>/dev/null; then
            status=1
            break
        fi
        sleep 0.1
    done
    end=$EPOCHREALTIME
    kill "$chromium_pid" 2>/dev/null || true
    wait "$chromium_pid" 2>/dev/null || true
    chromium_pid=
    if [[ $status -ne 0 ]]; then
        row "$shape" "$encoding" chromium "$n" 0 1 0 "FAILED: no report from the page"
        return
    fi
    local report ms wall bytes
    report=$(grep '^done' "$work/server.out" | tail -1)
    ms=$(sed 's/.*"ms":\([0-9.]*\).*/\1/' <<<"$report")
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    bytes=$(served_bytes "$before")
    if grep -q '"error":true' <<<"$report"; then
        row "$shape" "$encoding" chromium "$n" 0 1 0 "FAILED: $report"
        return
    fi
    row "$shape" "$encoding" "chromium (page time)" "$n" "$bytes" \
        "$(awk -v ms="$ms" 'BEGIN { print ms / 1000 }')" "$peak" \
        "wall ${wall}s with start-up; RSS summed over its processes, sampled every 0.1 s"
}

echo "SSE end to end on 127.0.0.1; events/s = N / wall time of the client process"
echo "(Chromium: page time); MB = 10^6 bytes on the wire; RSS = peak resident set."
echo
echo "| shape     | enc     | client                       |    events |       MB |  wall s |    events/s |    MB/s | RSS MiB | note"
echo "|-----------|---------|------------------------------|-----------|----------|---------|-------------|---------|---------|-----"
for shape in $shapes; do
    [[ -n "${events[$shape]:-}" ]] || die "unknown shape $shape"
    n=$((events[$shape] / divisor))
    cn=$((chromium_events[$shape] / divisor))
    type=${types[$shape]}
    for encoding in $encodings; do
        url="$base/sse?shape=$shape&events=$n&encoding=$encoding"
        for client in $clients; do
            case "$client" in
            cli)
                if [[ -x "$cli" ]]; then
                    measure "$shape" "$encoding" streamscope-cli "$n" \
                        sh -c '"$0" sse --json "$1" --max-events "$2" >/dev/null' \
                        "$cli" "$url" "$n"
                else
                    row "$shape" "$encoding" streamscope-cli "$n" 0 1 0 "SKIPPED: no $cli yet"
                fi
                ;;
            readable)
                # The default output, what a person pipes into grep: data on stdout, the
                # lifecycle on stderr.
                if [[ -x "$cli" ]]; then
                    measure "$shape" "$encoding" "readable streamscope-cli" "$n" \
                        sh -c '"$0" sse "$1" --max-events "$2" >/dev/null 2>&1' \
                        "$cli" "$url" "$n"
                else
                    row "$shape" "$encoding" "readable streamscope-cli" "$n" 0 1 0 \
                        "SKIPPED: no $cli yet"
                fi
                ;;
            eventsource)
                for rb in $es_buffers; do
                    measure "$shape" "$encoding" "EventSource, buffer $rb" "$n" \
                        "$build/bench/bench_eventsource" --read-buffer "$rb" --max-events "$n" \
                        "$url"
                done
                ;;
            qnam)
                for rb in $qnam_buffers; do
                    measure "$shape" "$encoding" "QNAM count, buffer $rb" "$n" \
                        "$build/bench/bench_qnamcount" --read-buffer "$rb" "$url"
                done
                ;;
            node)
                if [[ -d bench/node_modules/eventsource ]]; then
                    measure "$shape" "$encoding" "node eventsource" "$n" \
                        node bench/sse-count-eventsource.mjs "$url" "$type" "$n"
                else
                    row "$shape" "$encoding" "node eventsource" "$n" 0 1 0 \
                        "SKIPPED: npm install --prefix bench"
                fi
                ;;
            chromium)
                measure_chromium "$shape" "$encoding" "$cn"
                ;;
            *) die "unknown client $client" ;;
            esac
        done
    done
done

# The targets compare streamscope-cli with the other clients on each stream (a client run with
# several buffers: its fastest).
echo
awk '
    { k = $1 " " $2 " " $3; if (!(k in rate) || $NF > rate[k]) rate[k] = $NF }
    $3 == "streamscope-cli" { key[$1 " " $2] = 1 }
    END {
        for (k in key) {
            if (!(k " streamscope-cli" in rate)) continue
            cli = rate[k " streamscope-cli"]
            readable = rate[k " readable"]
            node = rate[k " node"]
            chromium = rate[k " chromium"]
            qnam = rate[k " QNAM"]
            printf "%s: --json %.2fx node eventsource, %.1fx Chromium, %.2fx the QNAM floor", k,
                node ? cli / node : 0, chromium ? cli / chromium : 0, qnam ? cli / qnam : 0
            if (readable) {
                printf "; readable %.2fx --json, %.2fx node, %.1fx Chromium", readable / cli,
                    node ? readable / node : 0, chromium ? readable / chromium : 0
            }
            printf "\n"
        }
    }' "$work/rates" 2>/dev/null | sort
