#!/usr/bin/env bash
# Measures Tend's cold start (process start to /healthz answering, on a new
# and on an existing demo data folder) and its resident memory when idle
# (DESIGN.md budget: < 60 MB), on loopback only. Bounded: RUNS starts, each
# idle for IDLE seconds.
#   bash bench/startup.sh            (RUNS=5 IDLE=5 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
IDLE=${IDLE:-5}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/tend" ./cmd/tend
port=18181
ms() { date +%s%3N; }
measure() { # $1 = data folder; prints start_ms rss_kb
  local t0 pid t1
  t0=$(ms)
  "$work/tend" serve --demo --addr "127.0.0.1:$port" --data "$1" --log-level warn >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 500); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.01
  done
  t1=$(ms)
  curl -fs "http://127.0.0.1:$port/help" >/dev/null
  sleep "$IDLE"
  local rss
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  echo "$((t1 - t0)) $rss"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
new_ms=(); old_ms=(); rss=()
for i in $(seq 1 "$RUNS"); do
  read -r a r < <(measure "$work/data-$i")        # new folder: creates, migrates, seeds
  new_ms+=("$a"); rss+=("$r")
  read -r b r < <(measure "$work/data-$i")        # same folder again: opens, checks
  old_ms+=("$b"); rss+=("$r")
done
echo "cold start, new demo folder (ms):      $(printf '%s\n' "${new_ms[@]}" | median) median of ${new_ms[*]}"
echo "cold start, existing demo folder (ms): $(printf '%s\n' "${old_ms[@]}" | median) median of ${old_ms[*]}"
echo "idle resident memory after ${IDLE}s (MB): $(printf '%s\n' "${rss[@]}" | median | awk '{printf "%.1f", $1/1024}') median; max $(printf '%s\n' "${rss[@]}" | sort -n | tail -1 | awk '{printf "%.1f", $1/1024}')"
