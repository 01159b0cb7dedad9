#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end SSE throughput over HTTPS/1.1 and HTTP/2 against one server: node's http2 in
# tests/peers/h2-server.mjs (TLS with a throwaway self-signed certificate, HTTP/1.1 by ALPN as
# well), N events of one size from /firehose, read by each client in turn: streamscope-cli
# --json (stdout to /dev/null; --http2 auto for HTTP/2, off for HTTP/1.1), node's `eventsource`
# (HTTP/1.1 only: node's fetch, undici, does not speak HTTP/2) and curl writing to /dev/null
# (no parsing: what this server can send at all). The protocol column is what the server saw:
# HTTP/2>HTTP/1.1 when the client fell behind over HTTP/2 and resumed over HTTP/1.1.
# Prints a Markdown table of events/s, MB/s, wall time and peak RSS. Figures only; nothing is
# asserted.
#
# Usage: bench/run-h2-e2e.sh [options]   (from the repository root; see docs/PERFORMANCE.md)
#   --build DIR          build folder holding app/streamscope-cli (default: build-bench)
#   --shapes LIST        default "small large": data of 50 B and of 64 KiB (65536 B) per event
#   --protocols LIST     default "http1 http2"
#   --clients LIST       default "cli node curl"
#   --events SHAPE=N     events per run (small 1000000, large 2000)
#   --repeat R           runs per row, the fastest reported (default 1)
#   --quick              a tenth of the events: a smoke run
# Needs: node with `npm install --prefix bench` done, openssl, curl, /usr/bin/time (Debian
# `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/e2e-lib.sh

build=build-bench
shapes="small large"
protocols="http1 http2"
clients="cli node curl"
repeat=1
divisor=1
declare -A events=([small]=1000000 [large]=2000)
declare -A sizes=([small]=50 [large]=65536)
# Events per write on the server: node writing each small event alone is slower than the
# clients (about 0.4 M events/s against 0.8 M in batches of 256).
declare -A batches=([small]=256 [large]=1)

die() {
    echo "run-h2-e2e: $*" >&2
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --build) build="$2"; shift 2 ;;
    --shapes) shapes="$2"; shift 2 ;;
    --protocols) protocols="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --events) events[${2%%=*}]="${2#*=}"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --quick) divisor=10; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
    esac
done

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing: apt-get install time"
command -v openssl >/dev/null || die "openssl is missing"
cli="$build/app/streamscope-cli"

work=$(mktemp -d /tmp/run-h2-e2e.XXXXXX)
e2e_work=$work
server_pid=
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>"$work/openssl.err" ||
    die "openssl could not make a certificate: $(tail -1 "$work/openssl.err")"
cert="$work/cert.pem"

# The server ends when its stdin does: a FIFO held open by this script.
mkfifo "$work/server.in"
node tests/peers/h2-server.mjs --tls "$cert" "$work/key.pem" --allow-http1 \
    <"$work/server.in" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
exec 3>"$work/server.in"
port=$(e2e_listening_port "$work/server.out")
[[ -n "$port" ]] || die "the server did not start: $(tail -1 "$work/server.err")"
base="https://127.0.0.1:$port"

# The answers served after the first BEFORE "served" lines: "BYTES PROTOCOLS", bytes summed
# over them and their protocols joined by ">" (HTTP/2>HTTP/1.1: the client fell behind over
# HTTP/2 and went on over HTTP/1.1).
served_since() {
    grep '^served' "$work/server.out" | tail -n +"$(($1 + 1))" | awk '
        {
            b = $0; sub(/.*bytes=/, "", b); bytes += b + 0
            p = $0; sub(/.*http=/, "", p); p = p == "2.0" ? "HTTP/2" : "HTTP/" p
            protocols = protocols (protocols == "" ? "" : ">") p
        }
        END { print bytes + 0, (protocols == "" ? "?" : protocols) }'
}

# One row: shape protocol client events bytes wall rss_kib [note]; bytes 0: no figures.
row() {
    local shape=$1 protocol=$2 client=$3 n=$4 bytes=$5 wall=$6 rss=$7 note=${8:-}
    awk -v s="$shape" -v p="$protocol" -v c="$client" -v n="$n" -v b="$bytes" -v w="$wall" \
        -v r="$rss" -v note="$note" 'BEGIN {
        if (b == 0) {
            printf "| %-5s | %-15s | %-18s | %8d | %7s | %6s | %9s | %6s | %7s | %s\n",
                s, p, c, n, "-", "-", "-", "-", "-", note
        } else {
            printf "| %-5s | %-15s | %-18s | %8d | %7.1f | %6.3f | %9.0f | %6.0f | %7.1f | %s\n",
                s, p, c, n, b / 1e6, w, n / w, b / 1e6 / w, r / 1024, note
        }
    }'
}

# Runs a command R times; reports the fastest as one row, with the protocol the server saw.
measure() {
    local shape=$1 client=$2 n=$3 note=$4
    shift 4
    e2e_forget
    local i before bytes rss protocol
    for ((i = 0; i < repeat; ++i)); do
        before=$(e2e_served_count "$work/server.out")
        e2e_time "$work/client.out" "$work/client.err" "$@"
        e2e_served_bytes "$work/server.out" "$before" >/dev/null # waits for the last answer
        read -r bytes protocol <<<"$(served_since "$before")"
        if [[ $e2e_status -ne 0 ]]; then
            row "$shape" "$protocol" "$client" "$n" 0 1 0 \
                "FAILED (exit $e2e_status): $(tail -1 "$work/client.err" | cut -c1-80)"
            return
        fi
        e2e_consider "$e2e_wall" "$e2e_rss" "$bytes" "$protocol"
    done
    read -r rss bytes protocol <<<"$e2e_best_line"
    row "$shape" "$protocol" "$client" "$n" "$bytes" "$e2e_best_wall" "$rss" "$note"
}

echo "SSE end to end over TLS on 127.0.0.1, server tests/peers/h2-server.mjs (node $(node -v));"
echo "events/s = N / wall time of the client process; MB = 10^6 bytes of SSE text; RSS = peak"
echo "resident set; protocol = what the server saw."
echo
echo "| shape | protocol        | client             |   events |      MB | wall s |  events/s |   MB/s | RSS MiB | note"
echo "|-------|-----------------|--------------------|----------|---------|--------|-----------|--------|---------|-----"
for shape in $shapes; do
    [[ -n "${events[$shape]:-}" ]] || die "unknown shape $shape"
    n=$((events[$shape] / divisor))
    url="$base/firehose?size=${sizes[$shape]}&count=$n&batch=${batches[$shape]}"
    for protocol in $protocols; do
        case "$protocol" in
        http1) mode=off curl_flag=--http1.1 ;;
        http2) mode=auto curl_flag=--http2 ;;
        *) die "unknown protocol $protocol" ;;
        esac
        for client in $clients; do
            case "$client" in
            cli)
                if [[ -x "$cli" ]]; then
                    measure "$shape" streamscope-cli "$n" "--http2 $mode" \
                        sh -c '"$0" sse --json --ca-file "$1" --http2 "$2" --max-events "$3" \
                            "$4" >/dev/null' "$cli" "$cert" "$mode" "$n" "$url"
                else
                    row "$shape" "$protocol" streamscope-cli "$n" 0 1 0 "SKIPPED: no $cli yet"
                fi
                ;;
            node)
                if [[ ! -d bench/node_modules/eventsource ]]; then
                    row "$shape" "$protocol" "node eventsource" "$n" 0 1 0 \
                        "SKIPPED: npm install --prefix bench"
                elif [[ $protocol == http2 ]]; then
                    row "$shape" HTTP/2 "node eventsource" "$n" 0 1 0 \
                        "n/a: HTTP/1.1 only (node's fetch); see the HTTP/1.1 row"
                else
                    measure "$shape" "node eventsource" "$n" "CA by NODE_EXTRA_CA_CERTS" \
                        env NODE_EXTRA_CA_CERTS="$cert" \
                        node bench/sse-count-eventsource.mjs "$url" message "$n"
                fi
                ;;
            curl)
                measure "$shape" "curl (no parsing)" "$n" "$curl_flag" \
                    curl -sS "$curl_flag" --cacert "$cert" -o /dev/null "$url"
                ;;
            *) die "unknown client $client" ;;
            esac
        done
    done
done
