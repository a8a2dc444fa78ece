# Sourced by bench/run (it uses bench/run's variables and functions: die,
# parse, median, free_port, $build, $src, $data, $base, $threads): every page
# and write of issue 14 on two fresh sites, one with a small history and one
# with a season's (bench/history: 100 000 RSVPs in season-run,
# 116 000 log rows, 114 000 e-mails, 20 000 pledges, 200 past events, and
# the demo's fun run a race of 1 500 entrants with 1 350 finish times),
# interleaved round by round, with the baselines (nginx's static answer, the
# hello-world FastCGI) measured in the same rounds. Prints the medians and
# the ratio history / small of each (the goal: >= 0.9 everywhere). The
# small site is the same history at a hundredth (1 000 RSVPs, 200 pledges,
# 15 runners): its pages show as many names, rows and pledgers as the big
# one's, so the ratio is what 100 times the rows cost. Against an empty
# site it also measured the fuller page (the sheet's pledgers, the live
# page's latest names), which is no cost of history.
#
#   BENCH_PAGES=0            skip this part
#   BENCH_PAGES_SECONDS      length of one wrk -c16 run (default 3)
#   BENCH_PAGES_ROUNDS       rounds (default 3)
#   BENCH_PAGES_CONNECTIONS  connections of the throughput runs (default 16)
#
# Each target is measured twice per site and round: wrk -c16 (req/s) and
# wrk -c1 (one request at a time: its p50 latency).

pages_seconds=${BENCH_PAGES_SECONDS:-3}
pages_rounds=${BENCH_PAGES_ROUNDS:-3}
pages_conns=${BENCH_PAGES_CONNECTIONS:-16}
for n in "$pages_seconds" "$pages_rounds" "$pages_conns"; do
	case $n in '' | *[!0-9]* | 0) die "BENCH_PAGES_* values must be whole numbers >= 1 (got '$n')" ;; esac
done
[ -x "$build/bench/history" ] || die "$build/bench/history not built (make bench/history)"

# The season's sign-ups go to a plain RSVP event shaped as the demo's fun
# run was before it became a race (added on both sites); the race is the
# fun run.
pages_slug=season-run
pages_race=fun-run-5k
pages_targets="home event live status items waitlist manage admin outbox stats rsvps search csv rsvp pledge board bjson"
declare -A pages_path=(
	[home]=/ [event]=/events/$pages_slug [live]=/events/$pages_slug/live
	[status]=/events/$pages_slug/status.json [items]=/events/$pages_slug/items.json
	[waitlist]=/events/$pages_slug/waitlist [manage]=/rsvp/
	[admin]=/admin [outbox]=/admin/outbox [stats]=/admin/events/$pages_slug/stats
	[rsvps]=/admin/events/$pages_slug/rsvps
	[search]="/admin/events/$pages_slug/rsvps?q=runner777%40example.org"
	[csv]=/admin/events/$pages_slug/rsvps.csv
	[rsvp]=/events/$pages_slug/rsvp [pledge]=/rsvp/
	[board]=/events/$pages_race/leaderboard [bjson]=/events/$pages_race/leaderboard.json
)
declare -A pages_what=(
	[home]="upcoming events" [event]="event page" [live]="live page"
	[status]="status.json (nginx microcache)" [items]="potluck items.json"
	[waitlist]="public waitlist" [manage]="manage page (last in the queue)"
	[admin]="admin dashboard" [outbox]="admin e-mail page" [stats]="admin figures"
	[rsvps]="participants page" [search]="participant search, one hit"
	[csv]="participants CSV (grows with the rows, by design)"
	[rsvp]="POST an RSVP" [pledge]="POST a pledge"
	[board]="the race's leaderboard" [bjson]="leaderboard.json (nginx microcache)"
)
declare -A pages_base pages_db pages_cookie pages_manage pages_item
pages_sites="small history"
pages_password=bench-$RANDOM$RANDOM

# pages_site NAME SCALE: a fresh site in $data/NAME on a free port, as
# bench/run's own (init, demo, serve), with bench/history's season divided
# by SCALE, an admin, a pledge item and a participant whose manage page is
# measured; the history made before it starts.
pages_site() {
	local d=$data/$1 port conf
	port=$(free_port) || die "no free port found"
	mkdir -p "$d"
	pages_base[$1]=http://127.0.0.1:$port pages_db[$1]=$d/turnout.db
	export TURNOUT_DATA=$d TURNOUT_PORT=$port
	{ "$build/admin/turnout-admin" init && "$build/admin/turnout-admin" demo &&
		sqlite3 "${pages_db[$1]}" "INSERT INTO event (slug, title, starts_at, ends_at, status,
			capacity, max_guests, rsvp_closes_at, created_at, updated_at) VALUES
			('$pages_slug', 'Season run', unixepoch() + 5 * 86400, unixepoch() + 5 * 86400 + 7200,
			'published', 50, 0, unixepoch() + 4 * 86400, unixepoch(), unixepoch())" &&
		"$build/bench/history" "$d/turnout.db" "$pages_slug" "$2" "$pages_race" &&
		printf '%s\n' "$pages_password" | "$build/admin/turnout-admin" user add bench; } \
		>"$d/setup.log" 2>&1 || { cat "$d/setup.log" >&2; die "setting up the $1 site failed"; }
	pages_started+=" $d"
	sh "$src/scripts/serve" start >>"$d/setup.log" 2>&1 ||
		{ cat "$d/setup.log" >&2; die "the $1 site did not start"; }
	export TURNOUT_DATA=$data TURNOUT_PORT=$port_main
	pages_item[$1]=$(sqlite3 "${pages_db[$1]}" "PRAGMA busy_timeout = 5000; INSERT INTO item
		(event_id, name, category, suggested) SELECT id, 'Bench cups', 'utensil', 10000
		FROM event WHERE slug = '$pages_slug' RETURNING id;" | tail -1) ||
		die "adding the pledge item failed"
	pages_manage[$1]=$("$build/bench/mint-tokens" "${pages_db[$1]}" 1 "$pages_slug" pledge 1 \
		"${pages_item[$1]}" | cut -d' ' -f1) || die "mint-tokens failed"
	pages_cookie[$1]=$(admin_cookie "${pages_base[$1]}" bench "$pages_password")
}

# pages_url SITE TARGET
pages_url() {
	case $2 in
	manage) echo "${pages_base[$1]}/rsvp/${pages_manage[$1]}" ;;
	*) echo "${pages_base[$1]}${pages_path[$2]}" ;;
	esac
}

# pages_wrk SITE TARGET CONNS SECONDS OUTFILE: one wrk run; POSTs get fresh tokens.
pages_wrk() {
	local script=() args=() hdr=() tokens=$data/pages-tokens
	case $2 in
	admin | outbox | stats | rsvps | search | csv)
		hdr=(-H "Cookie: turnout_admin=${pages_cookie[$1]}") ;;
	rsvp)
		"$build/bench/mint-tokens" "${pages_db[$1]}" $((tokens_per_second * $4 + 1000)) \
			"$pages_slug" >"$tokens" || die "mint-tokens failed" ;;
	pledge)
		"$build/bench/mint-tokens" "${pages_db[$1]}" $((tokens_per_second * $4 + 1000)) \
			"$pages_slug" pledge $((4 * $3)) "${pages_item[$1]}" >"$tokens" ||
			die "mint-tokens failed" ;;
	esac
	if [ "$2" = rsvp ] || [ "$2" = pledge ]; then
		tag=$((tag + 1))
		script=(-s "$here/bench/rsvp.lua")
		args=(-- "$tokens" "p$tag" "$(( $3 < threads ? 1 : threads ))")
	fi
	timeout --kill-after=5 $(($4 + timeout_s + 30)) \
		wrk -t"$(( $3 < threads ? 1 : threads ))" -c"$3" -d"$4s" --timeout "${timeout_s}s" \
		--latency "${hdr[@]}" "${script[@]}" "$(pages_url "$1" "$2")" "${args[@]}" >"$5" 2>&1 ||
		{ cat "$5" >&2; die "wrk failed on $1 $2"; }
	rm -f "$tokens"
	curl -s -o /dev/null --max-time 60 "${pages_base[$1]}/healthz" || true
}

port_main=$TURNOUT_PORT
pages_started=
echo "# pages: setting up two sites, a small history and a season's (bench/history, ~1 min)"
pages_site small 100
pages_site history 1

# Every GET answers 200, every POST 303, on both sites, before measuring.
for s in $pages_sites; do
	for t in $pages_targets; do
		case $t in rsvp | pledge) continue ;; esac
		hdr=()
		case $t in admin | outbox | stats | rsvps | search | csv)
			hdr=(-H "Cookie: turnout_admin=${pages_cookie[$s]}") ;;
		esac
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 "${hdr[@]}" "$(pages_url "$s" "$t")") ||
			code=000
		[ "$code" = 200 ] || die "$s site: GET ${pages_path[$t]} answered $code, not 200"
	done
done

declare -A pages_rps pages_p50
pout=$data/wrk-pages
mkdir -p "$pout"
for r in $(seq 1 "$pages_rounds"); do
	for b in static hello; do
		f=$pout/round$r-$b.txt
		wrk -t"$threads" -c"$pages_conns" -d"${pages_seconds}s" --latency "$base${path[$b]}" >"$f" 2>&1 ||
			{ cat "$f" >&2; die "wrk failed on $b"; }
		read -r rps _ < <(parse "$f") || die "could not read wrk's output for $b"
		pages_rps[$b]+="$rps "
	done
	for t in $pages_targets; do
		for s in $pages_sites; do
			f=$pout/round$r-$s-$t
			pages_wrk "$s" "$t" "$pages_conns" "$pages_seconds" "$f-c$pages_conns.txt"
			read -r rps _ _ _ non2xx _ _ _ _ _ other ex < <(parse "$f-c$pages_conns.txt") ||
				die "could not read wrk's output for $s $t"
			pages_wrk "$s" "$t" 1 $(( (pages_seconds + 1) / 2 )) "$f-c1.txt"
			read -r _ p50 _ < <(parse "$f-c1.txt") || die "could not read wrk's output for $s $t"
			pages_rps[$s,$t]+="$rps " pages_p50[$s,$t]+="$p50 "
			case $t in
			rsvp | pledge) post_other=$((post_other + other)) exhausted=$((exhausted + ex)) ;;
			*) tot_non2xx=$((tot_non2xx + non2xx)) ;;
			esac
		done
	done
	echo "# pages: round $r of $pages_rounds done"
done

pm() { median <<<"${pages_rps[$1]}"; }
printf '\npages and writes, a small history (1/100) against a season'"'"'s (issue 14)\n'
printf 'wrk -c%d -d%ds (req/s) and -c1 (p50 ms, one request at a time), %d rounds interleaved, medians\n' \
	"$pages_conns" "$pages_seconds" "$pages_rounds"
printf 'baselines: nginx static %.0f req/s, hello-world FastCGI %.0f req/s\n' "$(pm static)" "$(pm hello)"
printf '%-8s %9s %9s %7s %9s %9s %7s %6s  %s\n' target 'small/s' 'history/s' ratio 'p50 small' \
	'p50 hist' ratio 'hello' ''
for t in $pages_targets; do
	e=$(pm "small,$t") h=$(pm "history,$t")
	le=$(median <<<"${pages_p50[small,$t]}") lh=$(median <<<"${pages_p50[history,$t]}")
	awk -v t="$t" -v e="$e" -v h="$h" -v le="$le" -v lh="$lh" -v hello="$(pm hello)" \
		-v what="${pages_what[$t]}" 'BEGIN {
		x = h / e; y = le / lh
		printf "%-8s %9.0f %9.0f %7.3f %9.2f %9.2f %7.3f %6.3f  %s %s\n", t, e, h, x, le, lh, y,
		    h / hello, (x >= 0.9 && y >= 0.9) ? "PASS" : "MISS", what
	}'
done
echo "(ratio: history over small, req/s, and small over history, latency; hello: history req/s over the hello world's)"
