#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end WebSocket throughput: one local server sends N text messages of one size to each
# client in turn: streamscope-cli ws (--json, and with --readable its readable output too),
# streamscope's WebSocketClient alone, a bare QWebSocket counter, node's `ws` and, optionally,
# a frame-header walker. Prints one Markdown table (messages/s, MB/s, wall time, peak RSS) and
# the ratios against the targets in docs/PERFORMANCE.md. Figures only; nothing is asserted.
#
# Usage: bench/run-ws-e2e.sh [options]   (from the repository root; see docs/PERFORMANCE.md)
#   --build DIR      build folder holding bench/ and app/ (default: build-bench)
#   --clients LIST   default "cli wsclient wscount node"; also "cli-readable" (or --readable)
#                    and "walker" (bench/ws-frame-count.mjs: reads and walks frame headers,
#                    nothing else: how fast this server's bytes can be read at all)
#   --server S       "node" (default): bench/ws-bench-server.mjs, frames made before the run;
#                    "qt": bench_wsserver, a QWebSocketServer framing every message as it goes
#                    (slower than the clients here: about 2.4 M messages/s of 60 B, 480 MB/s
#                    of 64 KiB)
#   --size BYTES     bytes per message (default 60; the issue's large case is 65536)
#   --messages N     messages per run (default 3000000 for up to 1 KiB, else 1.3 GB worth; a
#                    third of that with --compressed)
#   --node-messages N  node's count with --compressed (default N/20: its inflate runs on
#                    zlib's thread pool, one message at a time)
#   --compressed     permessage-deflate, offered by every client but the bare QWebSocket (which
#                    cannot) and used by the server for every message; the bare QWebSocket gets
#                    the same messages uncompressed from the same server (node only)
#   --readable       adds streamscope-cli's readable output (no --json, stdout to /dev/null)
#   --big            one message of 16 MiB in one frame (--size is ignored) instead of N: the
#                    wall time from starting the client to its exit after the message
#   --pin            server on CPU 0, each client on CPU 1 (taskset)
#   --timeout S      per client run (default 120)
#   --repeat R       runs per row, the fastest reported (default 1)
#   --quick          a tenth of the messages: a smoke run
# Needs: node with `npm install --prefix bench` done, /usr/bin/time (Debian `time`).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build-bench
clients="cli wsclient wscount node"
server=node
size=60
messages=
node_messages=
compressed=0
readable=0
big=0
pin=0
client_timeout=120
repeat=1
divisor=1
big_bytes=$((16 * 1024 * 1024))

die() {
    echo "run-ws-e2e: $*" >&2
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --build) build="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --server) server="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --messages) messages="$2"; shift 2 ;;
    --node-messages) node_messages="$2"; shift 2 ;;
    --compressed) compressed=1; shift ;;
    --readable) readable=1; shift ;;
    --big) big=1; shift ;;
    --pin) pin=1; shift ;;
    --timeout) client_timeout="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --quick) divisor=10; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
    esac
done

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing: apt-get install time"
[[ -x "$build/bench/bench_wsserver" ]] || die "no $build/bench/bench_wsserver: build first"
[[ $size =~ ^[0-9]+$ && $size -ge 43 ]] || die "--size must be a number of bytes, at least 43"
if [[ $readable == 1 && " $clients " != *" cli-readable "* ]]; then
    clients="${clients/cli /cli cli-readable }"
    [[ " $clients " == *" cli-readable "* ]] || clients="$clients cli-readable"
fi
case "$server" in
node) [[ -d bench/node_modules/ws ]] || die "the node server needs ws: npm install --prefix bench" ;;
qt) ((!compressed)) || die "--compressed needs --server node (QWebSocketServer cannot compress)" ;;
*) die "--server is node or qt" ;;
esac
server_prefix=()
client_prefix=()
if ((pin)); then
    command -v taskset >/dev/null || die "--pin needs taskset (util-linux)"
    (($(nproc) >= 2)) || die "--pin needs 2 CPUs"
    server_prefix=(taskset -c 0)
    client_prefix=(taskset -c 1)
fi
cli="$build/app/streamscope-cli"

if ((big)); then
    size=$big_bytes
    n=1
    query="single=$big_bytes"
    warm="single:$big_bytes"
else
    if [[ -z "$messages" ]]; then
        if ((size <= 1024)); then
            messages=3000000
        else
            messages=$((1300000000 / size))
        fi
        ((compressed)) && messages=$((messages / 3))
    fi
    n=$((messages / divisor))
    ((n > 0)) || die "no messages to send"
    query="messages=$n&size=$size"
    warm="$size"
fi
node_n=$n
if ((compressed && !big)); then
    node_n=${node_messages:-$((n / 20))}
    ((node_n > 0)) || node_n=1
fi

work=$(mktemp -d /tmp/run-ws-e2e.XXXXXX)
server_pid=
cleanup() {
    exec 3>&- 2>/dev/null || true
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The node server ends when its stdin closes: a fifo held open on fd 3 until cleanup.
mkfifo "$work/server.in"
if [[ $server == node ]]; then
    server_name="node ws (bench/ws-bench-server.mjs)"
    deflate_flag=--no-deflate
    ((compressed)) && deflate_flag=
    timeout -k 5 1800 "${server_prefix[@]}" node bench/ws-bench-server.mjs $deflate_flag \
        --warm "$warm" <"$work/server.in" >"$work/server.out" 2>"$work/server.err" &
else
    server_name="bench_wsserver (QWebSocketServer)"
    timeout -k 5 1800 "${server_prefix[@]}" "$build/bench/bench_wsserver" --warm "$warm" \
        <"$work/server.in" >"$work/server.out" 2>"$work/server.err" &
fi
server_pid=$!
exec 3>"$work/server.in"
for _ in $(seq 600); do
    grep -q '^listening' "$work/server.out" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
done
port=$(awk '/^listening/ {print $2}' "$work/server.out")
[[ -n "$port" ]] || die "the server did not start: $(tail -1 "$work/server.err")"
base="ws://127.0.0.1:$port/"

# One row: client messages wall rss_kib [note]; wall 0: no figures.
row() {
    local client=$1 count=$2 wall=$3 rss=$4 note=${5:-}
    awk -v c="$client" -v n="$count" -v s="$size" -v w="$wall" -v r="$rss" -v note="$note" \
        -v big="$big" 'BEGIN {
        if (w == 0) {
            printf "| %-28s | %9d | %7s | %10s | %7s | %7s | %s\n", c, n, "-", "-", "-", "-", note
        } else if (big) {
            printf "| %-28s | %9d | %7.3f | %10s | %7.0f | %7.1f | %s\n", c, n, w, "-",
                n * s / w / 1e6, r / 1024, note
        } else {
            printf "| %-28s | %9d | %7.3f | %10.0f | %7.0f | %7.1f | %s\n", c, n, w, n / w,
                n * s / w / 1e6, r / 1024, note
        }
    }'
}

# What the server said about the last client: how it was sent.
served_note() {
    local line
    line=$(grep '^served' "$work/server.err" | tail -1) || true
    [[ -n "$line" ]] || return 0
    case "$line" in
    *"extensions=permessage-deflate"*)
        echo "deflate $(sed -n 's/.*ratio=\([0-9.]*\).*/\1/p' <<<"$line")x"
        ;;
    *"extensions=-"*) echo "uncompressed" ;;
    esac
}

# Runs a command R times under /usr/bin/time; reports the fastest as one row.
#   measure KEY LABEL COUNT COMMAND...
measure() {
    local key=$1 client=$2 count=$3
    shift 3
    local i status start wall rss best_wall= best_rss= best_note= note inproc sent
    for ((i = 0; i < repeat; ++i)); do
        status=0
        start=$EPOCHREALTIME
        /usr/bin/time -f '%M' -o "$work/time" timeout -k 5 "$client_timeout" \
            "${client_prefix[@]}" "$@" >"$work/client.out" 2>"$work/client.err" || status=$?
        wall=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
        rss=$(tail -1 "$work/time")
        sleep 0.2 # the server's report of this client
        if [[ $status -ne 0 ]]; then
            row "$client" "$count" 0 0 \
                "FAILED (exit $status): $(tail -1 "$work/client.err" | cut -c1-80)"
            return
        fi
        inproc=
        if grep -q '"ms":' "$work/client.out"; then
            inproc=$(sed 's/.*"ms":\([0-9.]*\).*/\1/' "$work/client.out" |
                awk '{ printf "%.3f", $1 / 1000 }')
        elif grep -q '^messages=.*seconds=' "$work/client.err"; then
            inproc=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$work/client.err" | tail -1)
        fi
        note=
        [[ -n "$inproc" ]] && note="in-process $inproc s"
        sent=$(served_note)
        if [[ -n "$sent" ]]; then
            note="${note:+$note; }$sent"
        fi
        if [[ -z "$best_wall" ]] ||
            awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
            best_wall=$wall best_rss=$rss best_note=$note
        fi
    done
    row "$client" "$count" "$best_wall" "$best_rss" "$best_note"
    echo "$key $count $best_wall $best_rss" >>"$work/results"
}

if ((big)); then
    case_name="one message of $big_bytes B (16 MiB) in one frame"
else
    case_name="$n text messages of $size B"
fi
if ((compressed)); then
    case_name="$case_name, permessage-deflate offered"
fi
echo "WebSocket end to end on 127.0.0.1: $case_name; server: $server_name."
echo "messages/s and MB/s = N (x size) / wall time of the client process; RSS = peak resident"
echo "set; the fastest of $repeat run(s)."
((pin)) && echo "Pinned: server on CPU 0, clients on CPU 1."
echo
echo "| client                       |  messages |  wall s | messages/s |    MB/s | RSS MiB | note"
echo "|------------------------------|-----------|---------|------------|---------|---------|-----"
for client in $clients; do
    case "$client" in
    cli | cli-readable)
        label="streamscope-cli --json"
        json=--json
        if [[ $client == cli-readable ]]; then
            label="streamscope-cli readable"
            json=
        fi
        if [[ -x "$cli" ]]; then
            measure "$client" "$label" "$n" sh -c '"$0" ws $1 "$2" --max-events "$3" >/dev/null' \
                "$cli" "$json" "$base?$query" "$n"
        else
            row "$label" "$n" 0 0 "SKIPPED: no \"$cli ws\" yet"
        fi
        ;;
    wsclient)
        if [[ -x "$build/bench/bench_websocketclient" ]]; then
            measure wsclient "WebSocketClient alone" "$n" \
                "$build/bench/bench_websocketclient" --max-messages "$n" "$base?$query"
        else
            row "WebSocketClient alone" "$n" 0 0 "SKIPPED: no $build/bench/bench_websocketclient"
        fi
        ;;
    wscount)
        measure wscount "bare QWebSocket loop" "$n" \
            "$build/bench/bench_wscount" --max-messages "$n" "$base?$query"
        ;;
    node)
        if [[ -d bench/node_modules/ws ]]; then
            node_query=$query
            ((big)) || node_query="messages=$node_n&size=$size"
            measure node "node ws" "$node_n" node bench/ws-count.mjs "$base?$node_query" "$node_n"
        else
            row "node ws" "$node_n" 0 0 "SKIPPED: npm install --prefix bench"
        fi
        ;;
    walker)
        walker_flag=
        ((compressed)) && walker_flag=--deflate
        measure walker "frame walker (node net)" "$n" \
            node bench/ws-frame-count.mjs "$base?$query" "$n" $walker_flag
        ;;
    *) die "unknown client $client" ;;
    esac
done

# The issue's targets: --json >= 1.5x node ws and >= 1.0x the bare loop, readable >= node ws,
# the 16 MiB message in under 1 s, peak RSS under 40 MB.
echo
[[ -s "$work/results" ]] || exit 0
awk -v big="$big" -v compressed="$compressed" '
    { count[$1] = $2; wall[$1] = $3; rss[$1] = $4; rate[$1] = $2 / $3 }
    function verdict(ok) { return ok ? "met" : "MISSED" }
    function ratio(a, b, target,    r) {
        if (!(a in rate) || !(b in rate)) { return }
        r = rate[a] / rate[b]
        printf "- %s / %s: %.2fx (target >= %.1fx: %s)\n", a, b, r, target, verdict(r >= target)
    }
    END {
        if (big) {
            for (c in wall) {
                printf "- %s: %.3f s to the message and exit (target < 1 s: %s), peak RSS %.1f MiB\n",
                    c, wall[c], verdict(wall[c] < 1), rss[c] / 1024
            }
        } else {
            ratio("cli", "node", 1.5)
            ratio("cli", "wscount", 1.0)
            ratio("cli-readable", "node", 1.0)
            if (compressed && ("wscount" in rate)) {
                print "  (wscount received uncompressed: QWebSocket cannot negotiate permessage-deflate)"
            }
        }
        for (c in rss) {
            if (c ~ /^cli/) {
                printf "- %s peak RSS: %.1f MiB (target < 40 MB = 38.1 MiB: %s)\n", c,
                    rss[c] / 1024, verdict(rss[c] * 1024 < 40e6)
            }
        }
    }' "$work/results"
