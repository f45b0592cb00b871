#!/usr/bin/env bash
# Measures the diary card's budgets (DESIGN.md "Budgets") on a real server,
# each beside its baseline measured in the same run: builds Tend, fills a
# fresh demo database with 'tend demo-data' (50 people x 365 days, all on
# lee@example.org's caseload), starts 'tend serve --demo' on loopback (River
# running, the request log at level info in JSON), reads its resident memory
# when idle (< 60 MB), and runs bench/diaryload: saving a card at 50
# requests/s for 20 s (p99 < 50 ms), save throughput at saturation against
# a bare single-row commit on the same engine (at least half), and the
# clinician grid across the 50 people (server p95 < 30 ms) in turn with a
# bare net/http handler on loopback.
#
# Engines: SQLite (synchronous=FULL, the data folder on the disk measured)
# and, when BENCH_POSTGRES or TEND_TEST_POSTGRES names a server, PostgreSQL
# (a new database on that server, made and dropped with psql; the bare
# commit is an INSERT committed over one connection to the same server).
# ENGINES=sqlite or ENGINES=postgres runs one. Bounded: about a minute and
# a half an engine.
#   bash bench/diary.sh                 (PEOPLE=50 DAYS=365 RATE=50 STEADY=20s IDLE=5)
#   BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable bash bench/diary.sh
# Set DATA_PARENT to put the data folder on another disk (default: a temp folder).
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-50}
DAYS=${DAYS:-365}
RATE=${RATE:-50}
STEADY=${STEADY:-20s}
IDLE=${IDLE:-5}
PG=${BENCH_POSTGRES:-${TEND_TEST_POSTGRES:-}}
ENGINES=${ENGINES:-sqlite${PG:+ postgres}}
work=$(mktemp -d "${DATA_PARENT:-${TMPDIR:-/tmp}}/tend-bench-diary.XXXXXX")
pgdb=""
cleanup() {
	kill $(jobs -p) 2>/dev/null || true
	wait 2>/dev/null || true
	if [ -n "$pgdb" ]; then psql -q "$PG" -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/tend" ./cmd/tend
go build -o "$work/diaryload" ./bench/diaryload
port=18183
base="http://127.0.0.1:$port"
export TEND_DEMO_PASSWORD="a demo password for the diary benchmark"
echo "diary benchmark: people $PEOPLE x $DAYS days, $RATE saves/s for $STEADY; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "disk: $(df -h "$work" | awk 'NR==2 {print $1, $6}')"
status=0
for engine in $ENGINES; do
	data="$work/data-$engine"
	dbflag=() loadflag=(-disk "$work")
	case $engine in
	sqlite) ;;
	postgres)
		if [ -z "$PG" ]; then
			echo "postgres: skipped (set BENCH_POSTGRES or TEND_TEST_POSTGRES)"
			continue
		fi
		command -v psql >/dev/null || { echo "postgres: psql is needed to make the benchmark's database" >&2; exit 2; }
		pgdb="tend_bench_diary_$$"
		psql -q "$PG" -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" -c "CREATE DATABASE $pgdb" >/dev/null
		# The same server, the benchmark's own database.
		url=$(sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\1/$pgdb#" <<<"$PG")
		dbflag=(--db "$url") loadflag=(-postgres "$url")
		echo "postgres: $(psql -Atq "$url" -c 'SHOW server_version') on ${PG%%\?*}; synchronous_commit=$(psql -Atq "$url" -c 'SHOW synchronous_commit'), fsync=$(psql -Atq "$url" -c 'SHOW fsync')"
		;;
	*) echo "unknown engine $engine" >&2; exit 2 ;;
	esac
	echo "== $engine"
	"$work/tend" demo-data --data "$data" "${dbflag[@]}" --people "$PEOPLE" --days "$DAYS" --seed 1 \
		--therapist lee@example.org --log-level warn
	# Logs at level info in JSON, as in production: every request's own time.
	"$work/tend" serve --demo --addr "127.0.0.1:$port" --data "$data" "${dbflag[@]}" --log-level info --log-format json \
		>"$work/serve-$engine.out" 2>"$work/serve-$engine.log" &
	pid=$!
	for _ in $(seq 1 500); do
		curl -fs "$base/healthz" >/dev/null 2>&1 && break
		sleep 0.02
	done
	curl -fs "$base/help" >/dev/null
	sleep "$IDLE"
	echo "idle resident memory ${IDLE} s after start, with $PEOPLE people x $DAYS days: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status") (budget < 60 MB)"
	echo "load before the load: $(cut -d' ' -f1-3 /proc/loadavg)"
	"$work/diaryload" -base "$base" -password "$TEND_DEMO_PASSWORD" "${loadflag[@]}" -people "$PEOPLE" \
		-rate "$RATE" -steady "$STEADY" -server-log "$work/serve-$engine.log" || status=$?
	echo "peak resident memory under load: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status"); load after: $(cut -d' ' -f1-3 /proc/loadavg)"
	kill -TERM "$pid"
	wait "$pid" || true
	if [ -n "$pgdb" ]; then
		psql -q "$PG" -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null
		pgdb=""
	fi
done
exit "$status"
