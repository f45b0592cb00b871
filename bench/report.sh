#!/usr/bin/env bash
# Service outcomes report (DESIGN.md "Budgets"): 10,000 people with a year
# of diary cards each, the report for the lead of the Riverside DBT team
# over the year in which the demo's episodes end: under 5 s on SQLite and
# under 3 s on PostgreSQL, with memory flat in the number of cards.
#
#   bash bench/report.sh                  # PEOPLE=10000,2000 DAYS=365 RUNS=3
#   BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/test bash bench/report.sh
#
# Runs bench/report (a Go benchmark) on SQLite, then on PostgreSQL when
# BENCH_POSTGRES or TEND_TEST_POSTGRES names a server (ENGINES=sqlite or
# ENGINES=postgres runs one). Each size is made afresh by 'tend demo-data
# --seed 1 --every-day' (a card on every day for everyone) unless
# BENCH_REPORT_DATA names a folder to keep the data in and use again (it
# takes minutes to make: see bench/README.md). Prints the figures and exits
# 1 when a budget is missed.
set -euo pipefail
cd "$(dirname "$0")/.."

PEOPLE=${PEOPLE:-10000,2000}
DAYS=${DAYS:-365}
RUNS=${RUNS:-3}
PG=${BENCH_POSTGRES:-${TEND_TEST_POSTGRES:-}}
ENGINES=${ENGINES:-sqlite${PG:+ postgres}}
LOG=$(mktemp -d)/report-bench
trap 'rm -rf "$(dirname "$LOG")"' EXIT

echo "report benchmark: people ${PEOPLE}, ${DAYS} days, ${RUNS} reports each; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for engine in $ENGINES; do
	case $engine in
	sqlite) envs=(-u TEND_TEST_POSTGRES -u BENCH_POSTGRES) budget=5 ;;
	postgres)
		if [ -z "$PG" ]; then
			echo "postgres: skipped (set BENCH_POSTGRES or TEND_TEST_POSTGRES)"
			continue
		fi
		envs=(BENCH_POSTGRES="$PG") budget=3
		;;
	*) echo "unknown engine $engine" >&2; exit 2 ;;
	esac
	echo "== $engine (budget ${budget} s for 10000 people x 365 days)"
	if ! env "${envs[@]}" BENCH_REPORT=1 BENCH_REPORT_PEOPLE="$PEOPLE" BENCH_REPORT_DAYS="$DAYS" \
		go test ./bench/report -run '^$' -bench Outcomes -benchtime "${RUNS}x" -timeout 90m -v >"$LOG.$engine" 2>&1; then
		cat "$LOG.$engine"
		echo "$engine: the benchmark failed" >&2
		status=1
		continue
	fi
	grep -E '^\s+outcomes_test.go:[0-9]+: (tend demo-data|using the data)|^\s+(Made|Episodes of care)|^\s+outcomes_test.go:[0-9]+: [0-9]+ people' "$LOG.$engine" |
		sed -E 's/^\s*(outcomes_test.go:[0-9]*: )?/  /' || true
	printf '  %-9s %7s %9s %9s %10s %13s %16s  %s\n' engine people cards episodes s/report peak-heap-MB alloc-MB/report budget
	awk -v engine="$engine" -v budget="$budget" -v days="$DAYS" '
		/^BenchmarkOutcomes\/.* s\/report/ {
			split($1, name, "/"); people = name[3]; sub(/people=/, "", people)
			delete m
			for (i = 2; i < NF; i++) m[$(i + 1)] = $i
			verdict = "-"
			if (people == 10000 && days == 365) verdict = (m["s/report"] < budget) ? "met" : "MISSED"
			printf "  %-9s %7d %9d %9d %10.3f %13.1f %16.1f  %s\n", engine, people, m["cards"], m["episodes"], m["s/report"], m["peak-heap-MB"], m["alloc-MB/report"], verdict
			if (verdict == "MISSED") missed = 1
		}
		END { exit missed }' "$LOG.$engine" || status=1
done
exit $status
