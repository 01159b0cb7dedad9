#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Memory of streamscope-cli when its reader stops: `sse https://.../firehose?size=200 --json`
# from tests/peers/h2-server.mjs (TLS, throwaway certificate, HTTP/1.1 by ALPN as well), stdout
# into a pipe whose reader sleeps S seconds and then reads everything. The CLI's VmRSS is read
# from /proc every second; it runs S + A seconds (--timeout). Once per --http2 mode: auto (HTTP/2
# by ALPN: Qt gives no backpressure there, so the CLI must let go of the connection) and off
# (HTTPS/1.1: a reply not read holds the server back by itself). Prints RSS over time, the peak,
# the records that were not events (behind, connecting, open...), the events read before and
# after the stall, and whether their ids ran on without a gap. Figures only; nothing is asserted.
#
# Usage: bench/run-stalled-reader.sh [options]   (from the repository root; docs/PERFORMANCE.md)
#   --build DIR      build folder holding app/streamscope-cli (default: build-bench)
#   --cli PATH       the streamscope-cli to run instead (an older build, say)
#   --modes LIST     --http2 modes, one run each (default "auto off"); "none" passes no --http2
#                    (a build from before it: Qt's default, HTTP/2 by ALPN)
#   --stall S        seconds the reader sleeps before reading (default 60)
#   --after A        seconds the CLI runs on after the reader wakes (default 5)
#   --size B         event data bytes (default 200)
#   --batch K        events per server write (default 16)
#   --max-rss MIB    kill the CLI (SIGKILL) once its RSS passes this, so that a build without
#                    backpressure cannot take the machine's memory (default 1024)
# Needs: node, openssl, a streamscope-cli build.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/e2e-lib.sh

build=build-bench
cli=
modes="auto off"
stall=60
after=5
size=200
batch=16
max_rss_mib=1024

die() {
    echo "run-stalled-reader: $*" >&2
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --build) build="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    --modes) modes="$2"; shift 2 ;;
    --stall) stall="$2"; shift 2 ;;
    --after) after="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --max-rss) max_rss_mib="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
    esac
done

[[ -n "$cli" ]] || cli="$build/app/streamscope-cli"
[[ -x "$cli" ]] || die "no $cli: build first"
command -v openssl >/dev/null || die "openssl is missing"

work=$(mktemp -d /tmp/run-stalled-reader.XXXXXX)
e2e_work=$work
server_pid=
cli_pid=
reader_pid=
cleanup() {
    [[ -n "$cli_pid" ]] && kill -9 "$cli_pid" 2>/dev/null || true
    [[ -n "$reader_pid" ]] && kill "$reader_pid" 2>/dev/null || true
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>"$work/openssl.err" ||
    die "openssl could not make a certificate: $(tail -1 "$work/openssl.err")"

mkfifo "$work/server.in"
node tests/peers/h2-server.mjs --tls "$work/cert.pem" "$work/key.pem" --allow-http1 \
    <"$work/server.in" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
exec 3>"$work/server.in"
port=$(e2e_listening_port "$work/server.out")
[[ -n "$port" ]] || die "the server did not start: $(tail -1 "$work/server.err")"
url="https://127.0.0.1:$port/firehose?size=$size&batch=$batch"

# The reader: sleeps, then reads everything. Events are counted (and their ids checked for
# gaps: a resume must go on from the last id read), every other record is kept. A line that is
# not one whole record is counted as malformed (JSON strings escape their quotes, so {"kind":
# starts a record and nothing else).
reader_program='
index($0, "{\"kind\":\"") != 1 || index(substr($0, 2), "{\"kind\":\"") ||
    substr($0, length($0)) != "}" {
    if (++malformed <= 3) print "malformed line " NR ": " substr($0, 1, 100) > records
    next
}
index($0, "{\"kind\":\"event\",") == 1 {
    ++events
    if (substr($0, 21) + 0 >= stall_ms) ++later
    if (match($0, /"lastEventId":"[0-9]+"}$/)) {
        id = substr($0, RSTART + 15, RLENGTH - 17) + 0
        if (previous && id != previous + 1) {
            ++gaps
            if (id > previous) missing += id - previous - 1
            else repeated += previous - id + 1
        }
        previous = id
    }
    next
}
{ print > records }
END {
    printf "events=%d later=%d gaps=%d missing=%d repeated=%d last=%d malformed=%d\n", \
        events, later, gaps, missing, repeated, previous, malformed > summary
}'

kib_of() {
    awk -v key="$2:" '$1 == key { print $2; exit }' "/proc/$1/status" 2>/dev/null || true
}

mib() {
    awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

echo "streamscope-cli sse --json https://127.0.0.1/firehose?size=$size (h2-server.mjs, node" \
    "$(node -v)), stdout into a pipe read after $stall s; the CLI stops after $((stall + after)) s."
echo "RSS = VmRSS of the CLI read every second; peak = VmHWM (the kernel's high-water mark)."
summary_rows=()
for mode in $modes; do
    rm -f "$work/out" "$work/records" "$work/summary"
    served_before=$(e2e_served_count "$work/server.out")
    mkfifo "$work/out"
    sh -c 'sleep "$0"; exec awk -v stall_ms="$1" -v records="$2" -v summary="$3" "$4"' \
        "$stall" "$((stall * 1000))" "$work/records" "$work/summary" "$reader_program" \
        <"$work/out" &
    reader_pid=$!
    http2=(--http2 "$mode")
    [[ $mode == none ]] && http2=()
    "$cli" sse --json --ca-file "$work/cert.pem" "${http2[@]}" --timeout "$((stall + after))" \
        "$url" >"$work/out" 2>"$work/cli.err" &
    cli_pid=$!
    start=$EPOCHREALTIME
    peak=0
    killed=
    echo
    echo "### --http2 $mode"
    echo
    echo "| t s | RSS MiB |"
    echo "|-----|---------|"
    for ((t = 1; ; ++t)); do
        # Sampled on the second from the start, whatever the sampling itself took.
        wait_s=$(awk -v s="$start" -v now="$EPOCHREALTIME" -v t="$t" \
            'BEGIN { d = s + t - now; print (d > 0 ? d : 0) }')
        sleep "$wait_s"
        kill -0 "$cli_pid" 2>/dev/null || break
        rss=$(kib_of "$cli_pid" VmRSS)
        hwm=$(kib_of "$cli_pid" VmHWM)
        [[ -n "$rss" ]] || break
        [[ -n "$hwm" && $hwm -gt $peak ]] && peak=$hwm
        echo "| $t | $(mib "$rss") |"
        if ((rss > max_rss_mib * 1024)); then
            kill -9 "$cli_pid" 2>/dev/null || true
            killed="killed at $t s: RSS $(mib "$rss") MiB passed --max-rss $max_rss_mib"
            break
        fi
    done
    status=0
    wait "$cli_pid" || status=$?
    cli_pid=
    wait "$reader_pid" || true
    reader_pid=
    echo
    echo "Peak RSS: $(mib "$peak") MiB; exit status $status${killed:+; $killed}."
    echo
    echo "Records other than events, as the reader got them (t in ms since the CLI started):"
    echo
    echo '```'
    if [[ -s "$work/records" ]]; then
        cut -c1-220 "$work/records"
    else
        echo "(none)"
    fi
    echo '```'
    read -r events later gaps missing repeated last malformed < <(tr '=' ' ' <"$work/summary" |
        awk '{ print $2, $4, $6, $8, $10, $12, $14 }')
    behind=$(grep -c '"kind":"behind"' "$work/records" || true)
    attempts=$(grep -c '"kind":"connecting"' "$work/records" || true)
    opens=$(grep -o '"protocol":"[^"]*"' "$work/records" | cut -d'"' -f4 | paste -sd' ' - || true)
    closed=$(grep -o '"kind":"closed","t":[0-9]*,"reason":"[^"]*"' "$work/records" |
        sed 's/.*"reason":"\([^"]*\)"/\1/' || true)
    sleep 0.5 # the server reports the last answer once the CLI is gone
    served=$(grep '^served' "$work/server.out" | tail -n +"$((served_before + 1))" |
        sed 's/.*http=\([0-9.]*\).*/HTTP\/\1/; s/HTTP\/2.0/HTTP\/2/' | paste -sd' ' - || true)
    echo
    echo "Events read: $events ($later processed after the reader woke); ids from 1 to $last," \
        "$gaps gaps ($missing missing, $repeated repeated); $malformed malformed lines."
    echo "Server: firehose answers ended over ${served:-(none reported yet)}."
    summary_rows+=("| --http2 $mode | $(mib "$peak") | $behind | $attempts | ${opens:-none} |
        $events | $later | $missing / $repeated | $malformed | ${closed:-none}${killed:+ ($killed)} |")
done

echo
echo "### Summary"
echo
echo "| run | peak RSS MiB | behind records | attempts | open protocols | events | after the stall | ids missing / repeated | malformed lines | end |"
echo "|-----|--------------|----------------|----------|----------------|--------|-----------------|------------------------|-----------------|-----|"
for line in "${summary_rows[@]}"; do
    echo "$line" | tr -s ' \n' ' '
    echo
done
