#!/usr/bin/env bash
# Measures the diary card's budgets (DESIGN.md "Budgets") on a real server:
# builds Tend, fills a fresh demo data folder with 'tend demo-data' (50
# people x 365 days, all on lee@example.org's caseload), starts 'tend serve
# --demo' on loopback (SQLite, synchronous=FULL, River running), and runs
# bench/diaryload: saving a card at 50 requests/s for 20 s (p99 < 50 ms),
# save throughput at saturation against a bare single-row SQLite commit on
# the same disk (at least half), and the clinician grid across the 50
# people (p95 < 30 ms). Bounded: about a minute and a half in all.
#   bash bench/diary.sh                 (PEOPLE=50 DAYS=365 RATE=50 STEADY=20s)
# Set DATA_PARENT to put the data folder on another disk (default: a temp folder).
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-50}
DAYS=${DAYS:-365}
RATE=${RATE:-50}
STEADY=${STEADY:-20s}
work=$(mktemp -d "${DATA_PARENT:-${TMPDIR:-/tmp}}/tend-bench-diary.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/tend" ./cmd/tend
go build -o "$work/diaryload" ./bench/diaryload
port=18183
base="http://127.0.0.1:$port"
export TEND_DEMO_PASSWORD="a demo password for the diary benchmark"
"$work/tend" demo-data --data "$work/data" --people "$PEOPLE" --days "$DAYS" --seed 1 \
	--therapist lee@example.org --log-level warn
# Logs at level info in JSON, as in production: every request's own time.
"$work/tend" serve --demo --addr "127.0.0.1:$port" --data "$work/data" --log-level info --log-format json \
	>"$work/serve.out" 2>"$work/serve.log" &
for _ in $(seq 1 500); do
	curl -fs "$base/healthz" >/dev/null 2>&1 && break
	sleep 0.02
done
echo "disk: $(df -h "$work" | awk 'NR==2 {print $1, $6}'); CPUs: $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$work/diaryload" -base "$base" -password "$TEND_DEMO_PASSWORD" -disk "$work" -people "$PEOPLE" \
	-rate "$RATE" -steady "$STEADY" -server-log "$work/serve.log" || status=$?
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
