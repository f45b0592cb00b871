#!/usr/bin/env bash
# Measures the weight of every page a person opens (DESIGN.md budget: HTML +
# CSS + JS, gzipped, < 40 KB each; the help page < 10 KB; no third-party
# requests), on a demo server on loopback, signed in as sam. Each page's
# weight is its gzipped HTML plus the gzipped stylesheets and scripts it
# links (what a first visit downloads). Bounded: one fetch per page.
#   bash bench/pageweight.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/tend" ./cmd/tend
port=18182
base="http://127.0.0.1:$port"
TEND_DEMO_PASSWORD="a demo password for the page weights" \
	"$work/tend" serve --demo --addr "127.0.0.1:$port" --data "$work/data" --log-level warn >/dev/null 2>&1 &
for _ in $(seq 1 500); do
	curl -fs "$base/healthz" >/dev/null 2>&1 && break
	sleep 0.02
done
jar="$work/jar"
curl -fs -c "$jar" -o /dev/null -d "identifier=sam&password=a demo password for the page weights" "$base/signin"
# The diary card shows a first-use notice until it is read: read it, so the
# card itself is measured.
curl -fs -b "$jar" -o /dev/null -d "" "$base/me/diary/notice"

gz() { # bytes on the wire of $1, asking for gzip
	curl -fs -b "$jar" -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$base$1"
}

pages=(/help /evidence /me /me/plan /me/plan/edit /me/plan/history /me/toolbox /me/toolbox/log /me/toolbox/manage
	/me/skills /me/skills/tipp /me/journal /me/journal/new /me/hope-box /me/contact /me/safety-prompts
	/me/sharing /me/supporters /me/settings /me/who-looked /me/care /me/medication /me/groups
	/me/diary /me/diary/blank /me/progress "/me/progress?span=1y" /me/questionnaires /me/questionnaires/scores)
fail=0
printf '%-22s %8s %8s %8s %s\n' page html assets total budget
for p in "${pages[@]}"; do
	html=$(gz "$p")
	body=$(curl -fs -b "$jar" "$base$p")
	# Anything loaded from another origin is a third-party request.
	if grep -Eo '(src|href)="(https?:)?//[^"]+"' <<<"$body" | grep -v "://127.0.0.1:$port" | grep -Eq '(src)='; then
		echo "$p loads something from another origin" >&2
		fail=1
	fi
	assets=0
	for a in $(grep -Eo '(href|src)="/static/[^"]+\.(css|js)"' <<<"$body" | sed -E 's/^(href|src)="//; s/"$//' | sort -u); do
		assets=$((assets + $(gz "$a")))
	done
	total=$((html + assets))
	budget=40960
	[ "$p" = /help ] && budget=10240
	verdict=ok
	if [ "$total" -ge "$budget" ]; then verdict="OVER"; fail=1; fi
	printf '%-22s %8d %8d %8d %s (%d)\n' "$p" "$html" "$assets" "$total" "$verdict" "$budget"
done
exit "$fail"
