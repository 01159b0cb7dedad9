#!/usr/bin/env bash
# End-to-end WebSocket throughput: one local server (bench_wsserver) sends N ~60 B text messages
# to each client in turn: streamscope-cli ws, streamscope's WebSocketClient alone, a bare
# QWebSocket counter and node's `ws`. Prints a Markdown table of messages/s, wall time and peak
# RSS. Figures only; nothing is asserted.
#
# Usage: bench/run-ws-e2e.sh [options]   (from the repository root; see docs/PERFORMANCE.md)
#   --build DIR      build folder holding bench/ and app/ (default: build-bench)
#   --clients LIST   default "cli wsclient wscount node"
#   --messages N     messages per run (default 3000000)
#   --repeat R       runs per row, the fastest reported (default 1)
#   --quick          a tenth of the messages: a smoke run
# Needs: node with `npm install --prefix bench` done, /usr/bin/time (Debian `time`).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-bench
clients="cli wsclient wscount node"
messages=3000000
repeat=1
divisor=1

die() {
    echo "run-ws-e2e: $*" >&2
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --build) build="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --messages) messages="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --quick) divisor=10; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
    esac
done

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing: apt-get install time"
[[ -x "$build/bench/bench_wsserver" ]] || die "no $build/bench/bench_wsserver: build first"
cli="$build/app/streamscope-cli"
n=$((messages / divisor))

work=$(mktemp -d /tmp/run-ws-e2e.XXXXXX)
server_pid=
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$build/bench/bench_wsserver" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 100); do
    grep -q '^listening' "$work/server.out" 2>/dev/null && break
    sleep 0.05
done
port=$(awk '/^listening/ {print $2}' "$work/server.out")
[[ -n "$port" ]] || die "the server did not start"
url="ws://127.0.0.1:$port/?messages=$n"

# One row: client wall rss_kib [note]; wall 0: no figures.
row() {
    local client=$1 wall=$2 rss=$3 note=${4:-}
    awk -v c="$client" -v n="$n" -v w="$wall" -v r="$rss" -v note="$note" 'BEGIN {
        if (w == 0) {
            printf "| %-28s | %9d | %7s | %10s | %7s | %s\n", c, n, "-", "-", "-", note
        } else {
            printf "| %-28s | %9d | %7.3f | %10.0f | %7.1f | %s\n", c, n, w, n / w, r / 1024, note
        }
    }'
    if [[ $wall != 0 ]]; then
        echo "$client $(awk -v n="$n" -v w="$wall" 'BEGIN { print n / w }')" >>"$work/rates"
    fi
}

# Runs a command R times under /usr/bin/time; reports the fastest as one row.
measure() {
    local client=$1
    shift
    local i status start wall rss best_wall= best_rss= best_note= note
    for ((i = 0; i < repeat; ++i)); do
        status=0
        start=$EPOCHREALTIME
        /usr/bin/time -f '%M' -o "$work/time" timeout -k 5 120 "$@" \
            >"$work/client.out" 2>"$work/client.err" || status=$?
        wall=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
        rss=$(tail -1 "$work/time")
        if [[ $status -ne 0 ]]; then
            row "$client" 0 0 "FAILED (exit $status): $(tail -1 "$work/client.err" | cut -c1-80)"
            return
        fi
        note=
        if grep -q '"ms":' "$work/client.out"; then
            note="in-process $(sed 's/.*"ms":\([0-9.]*\).*/\1/' "$work/client.out" |
                awk '{ printf "%.3f", $1 / 1000 }') s"
        fi
        if [[ -z "$best_wall" ]] ||
            awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
            best_wall=$wall best_rss=$rss best_note=$note
        fi
    done
    row "$client" "$best_wall" "$best_rss" "$best_note"
}

echo "WebSocket end to end on 127.0.0.1, ~60 B text messages; messages/s = N / wall time of"
echo "the client process; RSS = peak resident set."
echo
echo "| client                       |  messages |  wall s | messages/s | RSS MiB | note"
echo "|------------------------------|-----------|---------|------------|---------|-----"
for client in $clients; do
    case "$client" in
    cli)
        if [[ -x "$cli" ]]; then
            measure streamscope-cli sh -c '"$0" ws --json "$1" --max-events "$2" >/dev/null' \
                "$cli" "$url" "$n"
        else
            row streamscope-cli 0 0 "SKIPPED: no \"$cli ws\" yet"
        fi
        ;;
    wsclient)
        if [[ -x "$build/bench/bench_websocketclient" ]]; then
            measure WebSocketClient "$build/bench/bench_websocketclient" --max-messages "$n" "$url"
        else
            row WebSocketClient 0 0 "SKIPPED: no $build/bench/bench_websocketclient"
        fi
        ;;
    wscount)
        measure "QWebSocket count" "$build/bench/bench_wscount" --max-messages "$n" "$url"
        ;;
    node)
        if [[ -d bench/node_modules/ws ]]; then
            measure "node ws" node bench/ws-count.mjs "$url" "$n"
        else
            row "node ws" 0 0 "SKIPPED: npm install --prefix bench"
        fi
        ;;
    *) die "unknown client $client" ;;
    esac
done

# The targets compare streamscope-cli with node's ws and with the bare loop.
echo
awk '
    { rate[$1] = $NF }
    END {
        cli = rate["streamscope-cli"]
        if (cli) {
            printf "streamscope-cli: %.2fx node ws, %.0f%% of the bare QWebSocket loop\n",
                rate["node"] ? cli / rate["node"] : 0, rate["QWebSocket"] ? 100 * cli / rate["QWebSocket"] : 0
        }
    }' "$work/rates" 2>/dev/null
