#!/usr/bin/env bash
# End-to-end table for BENCHMARKS.md: each CLI command on one snapshot, wall time and peak
# memory (GNU time), beside `stats` (load only). Usage:
#   scripts/e2e-bench.sh BINARY SNAPSHOT SIZE_NAME [QUESTIONS]
# QUESTIONS, a JSON-lines file from scripts/batch-questions.py, adds a `batch` row.
# BINARY is a release build (`cargo build --release -p tenant-attach-cli`); the snapshot comes
# from `tenant-attach generate` (see BENCHMARKS.md for the sizes). Output goes to /dev/null;
# the bytes written are counted through `wc -c`.
set -euo pipefail
bin=$1 snap=$2 size=$3 questions=${4:-}
user=$("$bin" report --snapshot "$snap" --format json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(max(r["users"], key=lambda u: u["features"].get("view",0))["upn"])')
device=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["devices"][0]["resource_id"])' "$snap")
# Each command runs three times; the row gives the median wall time and the largest peak.
run() {
  local name=$1; shift
  local walls=() kbs=() bytes out wall kb
  for _ in 1 2 3; do
    out=$( { /usr/bin/time -f '%e %M' "$bin" "$@" --snapshot "$snap" --format json | wc -c; } 2>&1 )
    # GNU time's line has two fields (seconds, kB); `wc -c`'s has one.
    bytes=$(echo "$out" | awk 'NF == 1 { print $1 }')
    read -r wall kb <<<"$(echo "$out" | awk 'NF == 2 { print $1, $2 }')"
    walls+=("$wall"); kbs+=("$kb")
  done
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n 2p)
  kb=$(printf '%s\n' "${kbs[@]}" | sort -n | tail -1)
  printf '| %s | %s | %s s | %s MB | %s |\n' "$name" "$size" "$wall" "$((kb / 1024))" "$bytes"
}
echo "| command | size | wall | peak RSS | bytes written |"
echo "|---|---|---|---|---|"
run stats stats
run validate validate
run upload upload
run check check --user "$user" --device "$device" --feature run_script
run visible visible --user "$user"
run who who --device "$device"
run offboard offboard --user "$user"
run report report
run "report --sensitivity" report --sensitivity
run graph graph
run sensitivity sensitivity
if [ -n "$questions" ]; then
  run "batch ($(wc -l <"$questions") checks)" batch --questions "$questions"
fi
