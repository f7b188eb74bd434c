#!/usr/bin/env bash
# Runs a command while holding a lock of Lock Manager's HTTP API: acquires the lock (waiting for the holder up to
# --wait), renews the lease in the background every third of its ttl, and releases it when the command ends or this
# script is interrupted. If the lease is lost while the command runs (renewal refused, or not renewed for a whole
# ttl), the command is stopped. Needs only bash and curl (7.55+).
#
#   LOCK_API_KEY=... examples/lock-client.sh --url http://localhost:9090/locks --name nightly-report -- ./report.sh
#
# The command finds the lease's fencing token in $LOCK_FENCING_TOKEN: pass it to what the lock protects.
# The API key and the lease's token never appear on a command line (other users could read them in `ps`): curl reads
# them from files only this user can read.
set -uo pipefail

usage() {
  cat <<'USAGE'
Usage: lock-client.sh --name NAME [--key KEY] [options] -- COMMAND [ARGS...]

  --url URL        base URL of the lock API   (env LOCK_API_URL, default http://localhost:9090/locks)
  --name NAME      lock name, e.g. the name of an @DistributedLock method's lock
  --key KEY        key within the name (default: none, the lock of @DistributedLock(name = NAME) without key)
  --ttl TTL        lease ttl: 500ms, 30s, 5m or 1h (default 30s); renewed every ttl/3
  --wait WAIT      how long to wait for the current holder (default 10s; 0 tries once)
  API key          env LOCK_API_KEY, sent as "Authorization: Bearer <key>"

Exit status: the command's own; 75 when the lock is held by someone else or the API is unavailable (try again
later); 70 when the lease was lost and the command was stopped; 77 when the API key was refused; 64 for bad usage;
1 for any other failure.
USAGE
}

fail() { echo "lock-client: $2" >&2; exit "$1"; }

url="${LOCK_API_URL:-http://localhost:9090/locks}"
name="" key="" ttl="30s" wait="10s"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --url) url="${2:?--url needs a value}"; shift 2 ;;
    --name) name="${2:?--name needs a value}"; shift 2 ;;
    --key) key="${2:?--key needs a value}"; shift 2 ;;
    --ttl) ttl="${2:?--ttl needs a value}"; shift 2 ;;
    --wait) wait="${2:?--wait needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    *) usage >&2; fail 64 "unknown argument '$1'" ;;
  esac
done
[[ -n "$name" ]] || { usage >&2; fail 64 "--name is required"; }
[[ $# -gt 0 ]] || { usage >&2; fail 64 "a command to run is required after --"; }
[[ -n "${LOCK_API_KEY:-}" ]] || fail 64 "set LOCK_API_KEY to the API key"
command -v curl >/dev/null || fail 1 "curl is required"

# 500ms, 30s, 5m, 1h -> milliseconds (the forms the renewal interval is computed from)
millis() {
  local value="$1" unit factor
  case "$value" in
    *ms) unit=ms factor=1 ;;
    *s) unit=s factor=1000 ;;
    *m) unit=m factor=60000 ;;
    *h) unit=h factor=3600000 ;;
    *) return 1 ;;
  esac
  value="${value%"$unit"}"
  [[ "$value" =~ ^[0-9]+$ ]] || return 1
  echo $((10#$value * factor))
}
if ! ttl_ms=$(millis "$ttl") || [[ $ttl_ms -lt 3 ]]; then
  fail 64 "--ttl must be like 500ms, 30s, 5m or 1h but was '$ttl'"
fi
[[ "$wait" == 0 ]] || millis "$wait" >/dev/null || fail 64 "--wait must be 0 or like 500ms, 10s, 1m but was '$wait'"
wait_ms=$(millis "$wait" 2>/dev/null || echo 0)
renew_every=$(printf '%d.%03d' $((ttl_ms / 3 / 1000)) $((ttl_ms / 3 % 1000)))

now_ms() {
  if [[ -n "${EPOCHREALTIME:-}" ]]; then
    local t="${EPOCHREALTIME/[.,]/}"
    echo $((10#$t / 1000))
  else
    echo $(($(date +%s) * 1000))
  fi
}

# Percent-encodes one path segment (UTF-8 bytes; unreserved characters stay).
encode() {
  local LC_ALL=C text="$1" i c out=""
  for ((i = 0; i < ${#text}; i++)); do
    c="${text:i:1}"
    case "$c" in
      [A-Za-z0-9._~-]) out+="$c" ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

lock_url="${url%/}/$(encode "$name")"
[[ -n "$key" ]] && lock_url+="/$(encode "$key")"

workdir=$(mktemp -d) || fail 1 "cannot create a temporary directory"
chmod 700 "$workdir"
printf 'Authorization: Bearer %s\n' "$LOCK_API_KEY" >"$workdir/auth"
: >"$workdir/token"

# request METHOD [JSON BODY] [MAX SECONDS] -> prints the HTTP status (000 when the API could not be reached); the
# answer's body is in $workdir/body
request() {
  local args=(-sS -o "$workdir/body" -w '%{http_code}' -X "$1" -H @"$workdir/auth" -H @"$workdir/token"
    --max-time "${3:-10}")
  [[ -n "${2:-}" ]] && args+=(-H 'Content-Type: application/json' --data "$2")
  curl "${args[@]}" "$lock_url" 2>"$workdir/curl-error" || true
}

detail() { sed -n 's/.*"detail":"\([^"]*\)".*/\1/p' "$workdir/body"; }

token="" renewer="" child=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  trap - EXIT
  [[ -n "$renewer" ]] && { kill "$renewer" 2>/dev/null; wait "$renewer" 2>/dev/null; }
  if [[ -n "$token" ]]; then
    case "$(request DELETE)" in
      204) echo "lock-client: released $lock_url" >&2 ;;
      404) echo "lock-client: the lease on $lock_url was already gone (expired or released)" >&2 ;;
      *) echo "lock-client: could not release $lock_url; it expires within $ttl" >&2 ;;
    esac
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

status=$(request POST "{\"ttl\":\"$ttl\",\"waitTime\":\"$wait\"}" $((wait_ms / 1000 + 30)))
case "$status" in
  201) ;;
  409) fail 75 "not acquired: $(detail)" ;;
  503) fail 75 "lock API unavailable: $(detail)" ;;
  401|403) fail 77 "refused (HTTP $status): $(detail)" ;;
  000) fail 75 "cannot reach $url: $(cat "$workdir/curl-error")" ;;
  *) fail 1 "acquire failed (HTTP $status): $(detail)" ;;
esac
token=$(sed -n 's/.*"token":"\([0-9a-f]\{32\}\)".*/\1/p' "$workdir/body")
[[ -n "$token" ]] || fail 1 "no token in the answer to POST $lock_url"
printf 'Lock-Token: %s\n' "$token" >"$workdir/token"
export LOCK_FENCING_TOKEN
LOCK_FENCING_TOKEN=$(sed -n 's/.*"fencingToken":\([0-9]*\).*/\1/p' "$workdir/body")
echo "lock-client: acquired $lock_url (fencing token $LOCK_FENCING_TOKEN, ttl $ttl)" >&2

# The command runs in the background (with this script's stdin) so that a lost lease can stop it.
exec 3<&0
"$@" <&3 3<&- &
child=$!
exec 3<&-

(
  # Stopped by cleanup: end the pending sleep too, so that no process of this script outlives it.
  sleeper=""
  trap '[[ -n "$sleeper" ]] && kill "$sleeper" 2>/dev/null; exit 0' TERM
  renewed=$(now_ms)
  while :; do
    sleep "$renew_every" &
    sleeper=$!
    wait "$sleeper"
    status=$(request PUT "{\"ttl\":\"$ttl\"}" $((ttl_ms / 1000 + 5)))
    if [[ "$status" == 200 ]]; then
      renewed=$(now_ms)
    elif [[ "$status" == 410 ]] || (($(now_ms) - renewed >= ttl_ms)); then
      echo "lock-client: lease lost (HTTP $status): stopping the command" >&2
      : >"$workdir/lost"
      kill -TERM "$child" 2>/dev/null
      exit 0
    else
      echo "lock-client: renewal failed (HTTP $status), retrying" >&2
    fi
  done
) &
renewer=$!

trap 'kill -TERM "$child" 2>/dev/null' INT TERM
while :; do
  wait "$child"
  exit_status=$?
  kill -0 "$child" 2>/dev/null || break
done
[[ -e "$workdir/lost" ]] && exit 70
exit "$exit_status"
