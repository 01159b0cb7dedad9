# Pieces the end-to-end bench scripts share: sourced by bench/run-*.sh, not run by itself.
# Servers report "listening PORT" when ready and one "served ... bytes=B" line per answer.
# e2e_work must name the script's temporary folder before e2e_time runs.

e2e_work=
e2e_timeout=120

# Waits up to 5 s for a "listening PORT" line in FILE; echoes PORT (nothing when none came).
e2e_listening_port() {
    local file=$1
    for _ in $(seq 100); do
        grep -q '^listening' "$file" 2>/dev/null && break
        sleep 0.05
    done
    awk '/^listening/ { print $2; exit }' "$file" 2>/dev/null
}

# The "served" lines FILE holds so far.
e2e_served_count() {
    grep -c '^served' "$1" 2>/dev/null || true
}

# Waits up to 2 s for FILE to hold more than BEFORE "served" lines; echoes the last one's byte
# count (0 when none came).
e2e_served_bytes() {
    local file=$1 before=$2
    for _ in $(seq 100); do
        if [[ $(e2e_served_count "$file") -gt $before ]]; then
            grep '^served' "$file" | tail -1 | sed 's/.*bytes=\([0-9]*\).*/\1/'
            return
        fi
        sleep 0.02
    done
    echo 0
}

# Sum of RSS (KiB) over a process and all its descendants.
e2e_tree_rss() {
    ps -eo pid=,ppid=,rss= | awk -v root="$1" '
        { parent[$1] = $2; rss[$1] = $3 }
        END {
            for (p in parent) {
                q = p
                while (q != "" && q != root && q != 0 && q != 1) q = parent[q]
                if (q == root) sum += rss[p]
            }
            print sum + 0
        }'
}

# The fastest of several runs: e2e_consider WALL TEXT... keeps TEXT of the smallest WALL since
# the last e2e_forget, in e2e_best_wall and e2e_best_line.
e2e_best_wall=
e2e_best_line=
e2e_forget() {
    e2e_best_wall=
    e2e_best_line=
}
e2e_consider() {
    local wall=$1
    if [[ -z "$e2e_best_wall" ]] ||
        awk -v a="$wall" -v b="$e2e_best_wall" 'BEGIN { exit !(a < b) }'; then
        e2e_best_wall=$wall
        e2e_best_line="${*:2}"
    fi
}

# e2e_time OUT ERR COMMAND...: runs COMMAND under /usr/bin/time and timeout (e2e_timeout s),
# stdout to OUT and stderr to ERR; sets e2e_status (its exit status), e2e_wall (seconds) and
# e2e_rss (peak RSS in KiB, time's %M: the largest of the command and the children it waited
# for).
e2e_time() {
    local out=$1 err=$2 start
    shift 2
    e2e_status=0
    start=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$e2e_work/time" timeout -k 5 "$e2e_timeout" "$@" \
        >"$out" 2>"$err" || e2e_status=$?
    e2e_wall=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
    e2e_rss=$(tail -1 "$e2e_work/time")
}
