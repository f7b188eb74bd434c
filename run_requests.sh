#!/usr/bin/env bash
#
# run_requests.sh: load for the sample order service (lock-sample-orders).
#
# Sends batches of truly concurrent `POST /order` requests (every request of a batch is its own background curl,
# then the batch is awaited), shows a progress bar, writes one line per request to responses.log, prints counts per
# HTTP status and error code, requests per second and latency percentiles, and ends with a consistency check against
# the service: the stock fell by exactly what the successful orders took, the orders table grew by exactly their
# number, and the stock never went negative. Exit code 0 means the books balance.
#
#   ./run_requests.sh                      # 200 batches of 20 concurrent orders of item1 to http://localhost:9090
#   ./run_requests.sh --instances http://localhost:9090,http://localhost:9092 --item item4
#   ./run_requests.sh --unlocked           # the same load without the lock (profile "unlocked", port 9091): FAILs
#
# Needs bash 4.2+ (macOS: brew install bash) and curl, plus sort, awk, cat, mktemp; no jq (the few JSON fields it
# reads are matched with bash regular expressions). Run with --help for every option.

set -euo pipefail
export LC_ALL=C # '.' as decimal separator everywhere (curl, awk, $EPOCHREALTIME)

readonly LOCKED_URL=http://localhost:9090
readonly UNLOCKED_URL=http://localhost:9091
readonly START_LOCKED='./mvnw -B -pl lock-sample-orders -am compile spring-boot:run'
readonly START_UNLOCKED="$START_LOCKED -Dspring-boot.run.profiles=unlocked"
readonly BAR_WIDTH=50

# Exit codes
readonly EXIT_FAIL=1 EXIT_USAGE=2 EXIT_UNAVAILABLE=3

# Settings: flags override the environment, which overrides the defaults.
URL=${LOAD_URL:-}
INSTANCES_LIST=${LOAD_INSTANCES:-}
ITEM=${LOAD_ITEM:-item1}
QUANTITY=${LOAD_QUANTITY:-1}
CONCURRENCY=${LOAD_CONCURRENCY:-20}
BATCHES=${LOAD_BATCHES:-200}
DELAY=${LOAD_DELAY:-0.1}
LOG_FILE=${LOAD_LOG:-./responses.log}
TIMEOUT=${LOAD_TIMEOUT:-30}
UNLOCKED=${LOAD_UNLOCKED:-false}

INSTANCES=()   # base URLs, requests go round-robin over them
WORK_DIR=''    # temporary files, removed on exit
PAYLOAD=''     # the JSON body of every order
PROGRESS_OPEN=false # a \r progress line is on screen without its newline
BATCH_PIDS=()       # the running batch's background requests, killed if the script is interrupted

# Tallies
SENT=0 SUCCEEDED=0 FAILED=0 NO_RESPONSE=0
LOWEST_REMAINING='' # lowest remaining_stock reported by a successful order
UNFENCED=0          # successful orders placed with fencing token 0, i.e. without a lock

usage() {
	cat <<EOF
Usage: ./run_requests.sh [options]

Sends BATCHES batches of CONCURRENCY concurrent POST /order requests to the sample order service, then checks
that the books balance (stock before - units sold = stock after; orders grew by the successful count; stock never
negative). Every option can also be set by the environment variable shown; flags win.

Options:
  -u, --url URL            service base URL                          LOAD_URL          default $LOCKED_URL
                           ($UNLOCKED_URL with --unlocked)
  -I, --instances URLS     comma-separated base URLs; requests go    LOAD_INSTANCES    default: the --url
                           round-robin over them (they must share
                           one database); the check reads the first
  -i, --item NAME          item to order                             LOAD_ITEM         default item1
  -q, --quantity N         units per order (1..10000)                LOAD_QUANTITY     default 1
  -c, --concurrency N      concurrent requests per batch             LOAD_CONCURRENCY  default 20
  -b, --batches N          number of batches                         LOAD_BATCHES      default 200
  -d, --delay SECONDS      pause between batches (0 for none)        LOAD_DELAY        default 0.1
  -l, --log FILE           one line per request: timestamp,          LOAD_LOG          default ./responses.log
                           instance, HTTP status, latency, body
  -t, --timeout SECONDS    per-request limit (the lock waits 5s)     LOAD_TIMEOUT      default 30
      --unlocked           target the service started WITHOUT the    LOAD_UNLOCKED     default false
                           lock (profile "unlocked") to watch the    (true/false)
                           race: there the check is expected to FAIL
  -h, --help               show this help and exit

Success is HTTP 201; everything else (409 insufficient stock, 503 lock timeout, 400, 404, no response) counts as
failed and is broken down by status and error code in the summary.

Exit codes: 0 the books balance (PASS), $EXIT_FAIL they do not (FAIL), $EXIT_USAGE bad option, $EXIT_UNAVAILABLE service unreachable or
unusable.

Start the service:  $START_LOCKED
Unlocked variant:   $START_UNLOCKED
EOF
}

# ---------------------------------------------------------------------------------------------------------------
# Messages

die() { # die EXIT_CODE MESSAGE...
	local code=$1
	shift
	end_progress_line
	printf 'run_requests.sh: %s\n' "$1" >&2
	shift
	(($# == 0)) || printf '  %s\n' "$@" >&2
	exit "$code"
}

usage_error() {
	die "$EXIT_USAGE" "$1" "Run ./run_requests.sh --help for the options."
}

end_progress_line() {
	if [[ $PROGRESS_OPEN == true ]]; then
		printf '\n'
		PROGRESS_OPEN=false
	fi
}

# ---------------------------------------------------------------------------------------------------------------
# Options

parse_args() {
	local flag value
	while (($# > 0)); do
		flag=$1
		value=''
		case $flag in
		--*=*)
			value=${flag#*=}
			flag=${flag%%=*}
			set -- "$flag" "$value" "${@:2}"
			;;
		esac
		case $flag in
		-h | --help)
			usage
			exit 0
			;;
		--unlocked)
			UNLOCKED=true
			shift
			continue
			;;
		-u | --url | -I | --instances | -i | --item | -q | --quantity | -c | --concurrency | -b | --batches | \
			-d | --delay | -l | --log | -t | --timeout)
			(($# >= 2)) || usage_error "$flag needs a value."
			value=$2
			shift 2
			;;
		*)
			usage_error "unknown option '$flag'."
			;;
		esac
		case $flag in
		-u | --url) URL=$value ;;
		-I | --instances) INSTANCES_LIST=$value ;;
		-i | --item) ITEM=$value ;;
		-q | --quantity) QUANTITY=$value ;;
		-c | --concurrency) CONCURRENCY=$value ;;
		-b | --batches) BATCHES=$value ;;
		-d | --delay) DELAY=$value ;;
		-l | --log) LOG_FILE=$value ;;
		-t | --timeout) TIMEOUT=$value ;;
		esac
	done
}

require_positive_int() { # NAME VALUE [MAX]
	local name=$1 value=$2 max=${3:-}
	[[ $value =~ ^[0-9]+$ && $value =~ [1-9] ]] || usage_error "$name must be a positive whole number, not '$value'."
	((${#value} <= 9)) || usage_error "$name is too large: $value."
	if [[ -n $max ]] && ((10#$value > max)); then
		usage_error "$name must be at most $max, not $value."
	fi
}

require_seconds() { # NAME VALUE ALLOW_ZERO
	local name=$1 value=$2 allow_zero=$3
	[[ $value =~ ^[0-9]+(\.[0-9]+)?$|^\.[0-9]+$ ]] || usage_error "$name must be a number of seconds, not '$value'."
	if [[ $allow_zero == false && ! $value =~ [1-9] ]]; then
		usage_error "$name must be more than 0 seconds."
	fi
}

require_url() { # NAME VALUE
	[[ $2 =~ ^https?://[^[:space:]/]+(/[^[:space:]]*)?$ ]] ||
		usage_error "$1 must be an http:// or https:// URL like $LOCKED_URL, not '$2'."
}

validate_settings() {
	local i entry entries=()
	case $UNLOCKED in
	true | 1 | yes) UNLOCKED=true ;;
	false | 0 | no | '') UNLOCKED=false ;;
	*) usage_error "LOAD_UNLOCKED must be true or false, not '$UNLOCKED'." ;;
	esac
	require_positive_int --quantity "$QUANTITY" 10000
	require_positive_int --concurrency "$CONCURRENCY" 1000
	require_positive_int --batches "$BATCHES"
	QUANTITY=$((10#$QUANTITY)) CONCURRENCY=$((10#$CONCURRENCY)) BATCHES=$((10#$BATCHES))
	require_seconds --delay "$DELAY" true
	require_seconds --timeout "$TIMEOUT" false
	[[ -n $ITEM ]] || usage_error "--item must not be empty."
	((${#ITEM} <= 100)) || usage_error "--item must be at most 100 characters."
	[[ -n $LOG_FILE ]] || usage_error "--log must not be empty."
	local log_dir=.
	[[ $LOG_FILE != */* ]] || log_dir=${LOG_FILE%/*}
	[[ -d ${log_dir:-/} && -w ${log_dir:-/} ]] || usage_error "--log: cannot write to the directory '${log_dir:-/}'."

	if [[ -z $URL ]]; then
		if [[ $UNLOCKED == true ]]; then URL=$UNLOCKED_URL; else URL=$LOCKED_URL; fi
	fi
	if [[ -n $INSTANCES_LIST ]]; then
		IFS=',' read -r -a entries <<<"$INSTANCES_LIST"
		for entry in "${entries[@]}"; do
			entry=${entry//[[:space:]]/}
			[[ -n $entry ]] && INSTANCES+=("$entry")
		done
		((${#INSTANCES[@]} > 0)) || usage_error "--instances lists no URL."
	else
		INSTANCES=("$URL")
	fi
	for i in "${!INSTANCES[@]}"; do
		require_url --instances "${INSTANCES[i]}"
		INSTANCES[i]=${INSTANCES[i]%/}
	done
	require_url --url "$URL"
}

# ---------------------------------------------------------------------------------------------------------------
# Small helpers (no forks where it matters: they run once per request)

# Sets REPLY to the wall clock in seconds, with a fraction from bash 5's $EPOCHREALTIME or GNU date's %N (macOS's
# date prints a literal N: whole seconds then).
clock_now() {
	if [[ -n ${EPOCHREALTIME:-} ]]; then
		REPLY=${EPOCHREALTIME/,/.}
	else
		REPLY=$(date +%s.%N)
		[[ $REPLY =~ ^[0-9]+\.[0-9]+$ ]] || REPLY=${REPLY%%.*}
	fi
}

# Sets REPLY to an ISO 8601 local timestamp: milliseconds with bash 5 (no fork), whole seconds with bash 4.
timestamp_now() {
	local now seconds micros
	if [[ -n ${EPOCHREALTIME:-} ]]; then
		now=${EPOCHREALTIME/,/.}
		seconds=${now%.*}
		micros=${now#*.}
		printf -v REPLY '%(%Y-%m-%dT%H:%M:%S)T.%s%(%z)T' "$seconds" "${micros:0:3}" "$seconds"
	else
		REPLY=$(date +%Y-%m-%dT%H:%M:%S%z)
	fi
}

json_string() { # sets REPLY to $1 as a JSON string literal
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	REPLY="\"$s\""
}

url_encode() { # sets REPLY to $1 percent-encoded for a path segment or query value
	local s=$1 out='' c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[a-zA-Z0-9._~-]) out+=$c ;;
		*) printf -v c '%%%02X' "'$c" && out+=$c ;;
		esac
	done
	REPLY=$out
}

json_number() { # json_number JSON FIELD: sets REPLY to the field's integer value, fails when absent
	local re="\"$2\"[[:space:]]*:[[:space:]]*(-?[0-9]+)"
	[[ $1 =~ $re ]] || return 1
	REPLY=${BASH_REMATCH[1]}
}

json_text() { # json_text JSON FIELD: sets REPLY to the field's string value (simple strings only)
	local re="\"$2\"[[:space:]]*:[[:space:]]*\"([^\"]*)\""
	[[ $1 =~ $re ]] || return 1
	REPLY=${BASH_REMATCH[1]}
}

one_line() { # sets REPLY to the file's content on one line
	local content=''
	IFS= read -r -d '' content <"$1" || true
	content=${content//$'\r'/}
	content=${content//$'\n'/ }
	REPLY=${content%% }
}

# GET URL: sets HTTP_STATUS and HTTP_BODY (one line); status 000 and curl's error as body when nothing answered.
http_get() {
	local out=$WORK_DIR/get
	HTTP_STATUS=$(curl -sS -o "$out" -w '%{http_code}' --connect-timeout 3 --max-time 10 \
		-H 'Accept: application/json' "$1" 2>"$out.err") || HTTP_STATUS=000
	if [[ $HTTP_STATUS == 000 ]]; then
		one_line "$out.err"
	else
		one_line "$out"
	fi
	HTTP_BODY=$REPLY
}

# ---------------------------------------------------------------------------------------------------------------
# Service checks

start_hint() {
	if [[ $UNLOCKED == true ]]; then
		printf '%s' "Start the unlocked variant (port 9091) from the repository root with: $START_UNLOCKED"
	else
		printf '%s' "Start it from the repository root with: $START_LOCKED"
	fi
}

check_instance() { # fails clearly unless the instance answers
	local base=$1
	http_get "$base/actuator/health"
	case $HTTP_STATUS in
	000)
		die "$EXIT_UNAVAILABLE" "The order service does not answer at $base (${HTTP_BODY:-no response})." \
			"$(start_hint)"
		;;
	503)
		die "$EXIT_UNAVAILABLE" "The order service at $base reports DOWN: ${HTTP_BODY:0:300}"
		;;
	esac
}

check_item() { # the item must exist on the first instance
	local base=${INSTANCES[0]} known=''
	url_encode "$ITEM"
	http_get "$base/inventory/$REPLY"
	case $HTTP_STATUS in
	200) return 0 ;;
	000) die "$EXIT_UNAVAILABLE" "The order service does not answer at $base (${HTTP_BODY:-no response})." "$(start_hint)" ;;
	404)
		http_get "$base/inventory"
		known=$(printf '%s' "$HTTP_BODY" | grep -o '"item_name":"[^"]*"' | sed 's/.*:"//; s/"$//' | paste -sd ' ' -) || true
		die "$EXIT_UNAVAILABLE" "No item '$ITEM' in the inventory at $base (known: ${known:-none})."
		;;
	*) die "$EXIT_UNAVAILABLE" "GET $base/inventory/$REPLY answered HTTP $HTTP_STATUS: ${HTTP_BODY:0:300}" ;;
	esac
}

# Sets STOCK, ORDERS and UNITS to the item's stock and its order totals, read from the first instance.
read_books() {
	local base=${INSTANCES[0]} item totals re
	url_encode "$ITEM"
	item=$REPLY
	http_get "$base/inventory/$item"
	if [[ $HTTP_STATUS != 200 ]] || ! json_number "$HTTP_BODY" quantity; then
		die "$EXIT_UNAVAILABLE" "Could not read the stock: GET $base/inventory/$item answered HTTP $HTTP_STATUS: ${HTTP_BODY:0:300}"
	fi
	STOCK=$REPLY
	http_get "$base/orders?item=$item&page=0&size=1"
	re='"totals"[[:space:]]*:[[:space:]]*\{([^}]*)\}'
	[[ $HTTP_STATUS == 200 && $HTTP_BODY =~ $re ]] ||
		die "$EXIT_UNAVAILABLE" "Could not read the orders: GET $base/orders?item=$item answered HTTP $HTTP_STATUS: ${HTTP_BODY:0:300}"
	totals=${BASH_REMATCH[1]}
	json_number "$totals" orders || die "$EXIT_UNAVAILABLE" "No totals.orders in: $HTTP_BODY"
	ORDERS=$REPLY
	json_number "$totals" quantity || die "$EXIT_UNAVAILABLE" "No totals.quantity in: $HTTP_BODY"
	UNITS=$REPLY
}

# ---------------------------------------------------------------------------------------------------------------
# Load

# One request, run in the background: writes its log line to OUT (nothing else touches that file).
send_request() {
	local base=$1 out=$2 status seconds body rc=0
	timestamp_now
	local started=$REPLY
	curl -sS -o "$out.body" -w '%{http_code} %{time_total}' --connect-timeout 5 --max-time "$TIMEOUT" \
		-H 'Content-Type: application/json' -H 'Accept: application/json' --data-raw "$PAYLOAD" \
		"$base/order" >"$out.meta" 2>"$out.err" &
	# Killing this subshell would leave curl running: take it along.
	local curl_pid=$!
	trap 'kill "$curl_pid" 2>/dev/null; wait "$curl_pid" 2>/dev/null; exit 143' TERM
	wait "$curl_pid" || rc=$?
	read -r status seconds <"$out.meta" || true
	if ((rc != 0)) || [[ ${status:-000} == 000 ]]; then
		status=000
		one_line "$out.err"
	else
		one_line "$out.body"
	fi
	body=${REPLY:-(empty body)}
	printf '%s %s HTTP %s %ss %s\n' "$started" "$base" "$status" "${seconds:-0}" "$body" >"$out"
}

# Starts CONCURRENCY requests at once, waits for all of them, then tallies them and appends them to the log.
run_batch() {
	local i base file instances=${#INSTANCES[@]}
	for ((i = 0; i < CONCURRENCY; i++)); do
		base=${INSTANCES[$(((SENT + i) % instances))]}
		printf -v file '%s/r.%06d' "$WORK_DIR" "$i"
		send_request "$base" "$file" &
		BATCH_PIDS+=("$!")
	done
	wait
	BATCH_PIDS=()
	cat "$WORK_DIR"/r.?????? >"$WORK_DIR/batch"
	rm -f "$WORK_DIR"/r.*
	cat "$WORK_DIR/batch" >>"$LOG_FILE"
	tally_batch "$WORK_DIR/batch"
}

# Counts a batch's results; appends "status code seconds" per request to the results file for the summary.
tally_batch() {
	local _ts _base _http status seconds body code lines=''
	while read -r _ts _base _http status seconds body; do
		SENT=$((SENT + 1))
		code=-
		if [[ $status == 201 ]]; then
			SUCCEEDED=$((SUCCEEDED + 1))
			if json_number "$body" remaining_stock; then
				if [[ -z $LOWEST_REMAINING ]] || ((REPLY < LOWEST_REMAINING)); then LOWEST_REMAINING=$REPLY; fi
			fi
			if json_number "$body" fencing_token && ((REPLY == 0)); then UNFENCED=$((UNFENCED + 1)); fi
		else
			FAILED=$((FAILED + 1))
			if [[ $status == 000 ]]; then
				NO_RESPONSE=$((NO_RESPONSE + 1))
				code=NO_RESPONSE
			elif json_text "$body" code; then
				code=$REPLY
			fi
		fi
		lines+="$status $code ${seconds%s}"$'\n'
	done <"$1"
	printf '%s' "$lines" >>"$WORK_DIR/results"
}

# Draws the bar after BATCH of BATCHES: redrawn in place on a terminal, else a line every 10%.
show_progress() {
	local batch=$1 percent filled bar
	percent=$((batch * 100 / BATCHES))
	if [[ ! -t 1 ]]; then
		local decile=$((percent / 10))
		((decile > LAST_DECILE || batch == BATCHES)) || return 0
		LAST_DECILE=$decile
	fi
	filled=$((percent / 2))
	printf -v bar '%*s' "$filled" ''
	bar=${bar// /#}
	printf -v bar '[%s%*s] %d%% (%d/%d) | Successful: %d | Failed: %d' \
		"$bar" $((BAR_WIDTH - filled)) '' "$percent" "$batch" "$BATCHES" "$SUCCEEDED" "$FAILED"
	if [[ -t 1 ]]; then
		printf '\r%s' "$bar"
		PROGRESS_OPEN=true
		((batch < BATCHES)) || end_progress_line
	else
		printf '%s\n' "$bar"
	fi
}
LAST_DECILE=0

run_load() {
	local batch
	: 2>/dev/null >"$LOG_FILE" || die "$EXIT_USAGE" "Cannot write the log file '$LOG_FILE'."
	: >"$WORK_DIR/results"
	clock_now
	STARTED_AT=$REPLY
	for ((batch = 1; batch <= BATCHES; batch++)); do
		run_batch
		show_progress "$batch"
		if ((batch < BATCHES)) && [[ $DELAY =~ [1-9] ]]; then
			sleep "$DELAY"
		fi
	done
	clock_now
	FINISHED_AT=$REPLY
}

# ---------------------------------------------------------------------------------------------------------------
# Report

print_config() {
	local mode='locked (POST /order takes a lease on the item)'
	[[ $UNLOCKED == false ]] || mode='UNLOCKED demonstration (profile "unlocked": no lock, expect the check to FAIL)'
	printf 'Order load test\n'
	printf '  %-13s %s\n' 'Instances:' "${INSTANCES[*]}"
	printf '  %-13s %s\n' 'Mode:' "$mode"
	printf '  %-13s %s\n' 'Order:' "$PAYLOAD"
	printf '  %-13s %s\n' 'Concurrency:' "$CONCURRENCY requests per batch"
	printf '  %-13s %s\n' 'Batches:' "$BATCHES ($((CONCURRENCY * BATCHES)) requests)"
	printf '  %-13s %s\n' 'Delay:' "${DELAY}s between batches"
	printf '  %-13s %s\n' 'Timeout:' "${TIMEOUT}s per request"
	printf '  %-13s %s\n' 'Log:' "$LOG_FILE"
	printf '  %-13s %s\n' 'Stock before:' "$STOCK_BEFORE of $ITEM ($ORDERS_BEFORE orders so far)"
	printf '\n'
}

print_summary() {
	local elapsed rate
	elapsed=$(awk -v a="$STARTED_AT" -v b="$FINISHED_AT" 'BEGIN { printf "%.2f", b - a }')
	rate=$(awk -v n="$SENT" -v s="$elapsed" 'BEGIN { if (s > 0) printf "%.1f", n / s; else print "n/a" }')
	printf '\nSummary\n'
	printf '  %-13s %d in %ss (%s requests/s, delays included)\n' 'Requests:' "$SENT" "$elapsed" "$rate"
	printf '  %-13s %d (HTTP 201)\n' 'Successful:' "$SUCCEEDED"
	printf '  %-13s %d\n' 'Failed:' "$FAILED"
	printf '  By status:\n'
	awk '{ count[$1 " " $2]++ }
		END { for (k in count) { split(k, p, " "); printf "    HTTP %s %-26s %d\n", p[1], (p[2] == "-" ? "" : p[2]), count[k] } }' \
		"$WORK_DIR/results" | sort
	awk '{ print $3 }' "$WORK_DIR/results" | sort -n | awk '
		function at(p,   i) { i = int((p * NR + 99) / 100); if (i < 1) i = 1; return v[i] * 1000 }
		{ v[NR] = $1 }
		END { if (NR > 0) printf "  %-13s p50 %.1f ms | p95 %.1f ms | p99 %.1f ms | max %.1f ms\n", "Latency:", at(50), at(95), at(99), v[NR] * 1000 }'
	if ((NO_RESPONSE > 0)); then
		printf '  Note: %d requests got no response (timeout or connection error); the service may still have placed\n' "$NO_RESPONSE"
		printf '  some of them, which the consistency check would then report.\n'
	fi
	if [[ $UNLOCKED == false ]] && ((UNFENCED > 0)); then
		printf '  Warning: %d orders were placed with fencing token 0: this service runs WITHOUT the lock.\n' "$UNFENCED"
	fi
	if [[ $UNLOCKED == true ]] && ((SUCCEEDED > UNFENCED)); then
		printf '  Warning: %d orders carry a fencing token: this service runs WITH the lock, not the unlocked profile.\n' \
			$((SUCCEEDED - UNFENCED))
	fi
}

check_line() { # LABEL OK? TEXT
	local verdict=OK
	[[ $2 == true ]] || verdict=MISMATCH
	printf '  %-9s %-70s %s\n' "$1" "$3" "$verdict"
}

# Compares the books before and after; returns non-zero when they do not balance.
consistency_check() {
	local sold=$((SUCCEEDED * QUANTITY)) stock_ok=false orders_ok=false units_ok=false floor_ok=false
	local lowest=${LOWEST_REMAINING:-none}
	read_books
	local stock_drop=$((STOCK_BEFORE - STOCK)) orders_grew=$((ORDERS - ORDERS_BEFORE)) units_grew=$((UNITS - UNITS_BEFORE))
	((stock_drop == sold)) && stock_ok=true
	((orders_grew == SUCCEEDED)) && orders_ok=true
	((units_grew == sold)) && units_ok=true
	((STOCK >= 0)) && [[ $lowest == none || $lowest -ge 0 ]] && floor_ok=true

	printf '\nConsistency check (%s, read from %s)\n' "$ITEM" "${INSTANCES[0]}"
	check_line Stock $stock_ok "$STOCK_BEFORE before - $SUCCEEDED successful x $QUANTITY = $((STOCK_BEFORE - sold)) expected, $STOCK after"
	check_line Orders $orders_ok "$ORDERS_BEFORE before + $SUCCEEDED successful = $((ORDERS_BEFORE + SUCCEEDED)) expected, $ORDERS after"
	check_line Units $units_ok "$UNITS_BEFORE ordered before + $sold = $((UNITS_BEFORE + sold)) expected, $UNITS after"
	check_line 'Never<0' $floor_ok "lowest remaining_stock reported: $lowest, final stock: $STOCK"

	if [[ $stock_ok == true && $orders_ok == true && $units_ok == true && $floor_ok == true ]]; then
		printf 'PASS: the books balance: %d orders took %d units, and the stock fell by exactly %d.\n' \
			"$SUCCEEDED" "$sold" "$stock_drop"
		if [[ $UNLOCKED == true ]]; then
			printf '(Unlocked mode, yet no race showed this time: raise --concurrency/--batches or make sure the item\n'
			printf ' has stock left; the race shows as more orders than the stock fell by.)\n'
		fi
		return 0
	fi
	local oversold=''
	((sold <= STOCK_BEFORE)) || oversold=" (oversold: only $STOCK_BEFORE were in stock)"
	printf 'FAIL: the books do not balance: %d orders took %d units, but the stock fell by %d%s.\n' \
		"$SUCCEEDED" "$sold" "$stock_drop" "$oversold"
	if [[ $UNLOCKED == true ]]; then
		printf 'This FAIL is the expected demonstration: without the lock, concurrent orders read the same stock and\n'
		printf 'overwrite each other'"'"'s update (lost updates, overselling). Run without --unlocked against the locked\n'
		printf 'service (port 9090) to see PASS.\n'
	else
		printf 'Another client ordering %s at the same time, or requests that got no response, also unbalance the\n' "$ITEM"
		printf 'books as seen from here; otherwise this is a bug.\n'
	fi
	return "$EXIT_FAIL"
}

warn_if_sold_out() {
	((STOCK_BEFORE < QUANTITY)) || return 0
	printf 'Note: %s has %d in stock: every order will be refused with 409 and the check passes trivially.\n' \
		"$ITEM" "$STOCK_BEFORE"
	printf '      Pick another item with --item, or start again from the seed stock: stop every instance and delete\n'
	printf '      the database (the default H2 file, shared by the locked and the unlocked variant, lives in\n'
	printf '      <java.io.tmpdir>/lock-sample-orders, i.e. /tmp/lock-sample-orders on Linux).\n\n'
}

# ---------------------------------------------------------------------------------------------------------------

cleanup() {
	if ((${#BATCH_PIDS[@]} > 0)); then
		kill "${BATCH_PIDS[@]}" 2>/dev/null || true
		wait 2>/dev/null || true
	fi
	end_progress_line
	if [[ -n $WORK_DIR && -d $WORK_DIR ]]; then
		rm -rf "$WORK_DIR"
	fi
}

interrupted() { # EXIT_CODE
	end_progress_line
	printf 'run_requests.sh: interrupted after %d requests (%d successful); their responses are in %s.\n' \
		"$SENT" "$SUCCEEDED" "$LOG_FILE" >&2
	exit "$1"
}

main() {
	parse_args "$@"
	validate_settings
	command -v curl >/dev/null 2>&1 || die "$EXIT_UNAVAILABLE" "curl is required but was not found on the PATH."
	WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/run_requests.XXXXXX")
	trap cleanup EXIT
	trap 'interrupted 130' INT
	trap 'interrupted 143' TERM

	local base
	for base in "${INSTANCES[@]}"; do
		check_instance "$base"
	done
	check_item
	json_string "$ITEM"
	PAYLOAD="{\"item_name\": $REPLY, \"quantity\": $QUANTITY}"

	read_books
	STOCK_BEFORE=$STOCK ORDERS_BEFORE=$ORDERS UNITS_BEFORE=$UNITS
	print_config
	warn_if_sold_out
	run_load
	print_summary
	consistency_check
}

main "$@"
