#!/usr/bin/env bash
# Kannel (Debian's 1.4.5: bearerbox + smsbox) against the usms SMPP simulator, on 127.0.0.1 only.
# Starts the simulator, writes kannel.conf into a temp dir, starts bearerbox and smsbox, waits for the
# SMPP bind, runs one scenario, prints ONE JSON line, then stops everything it started and removes the temp dir.
# See README.md in this folder. Settings (environment):
#   KANNEL_SCENARIO          single | smpp                                   (default single)
#   KANNEL_SECONDS           single: wrk duration in seconds                 (10)
#   KANNEL_CONNECTIONS       single: wrk connections                         (50)
#   KANNEL_THREADS           single: wrk threads                             (2)
#   KANNEL_MESSAGES          smpp: messages to push                          (20000)
#   KANNEL_BATCH             smpp: numbers per sendsms request               (100)
#   KANNEL_PUSH_CONCURRENCY  smpp: sendsms requests in flight                (8)
#   KANNEL_RECEIPTS          smpp: 1 = dlr-mask + dlr-url callbacks to a local receiver  (0)
#   KANNEL_DLR_MASK          smpp with receipts: Kannel dlr-mask             (3 = delivered + failed)
#   KANNEL_RECEIPT_DELAY_MS  simulator: delay before each receipt            (20)
#   KANNEL_RESPONSE_DELAY_MS simulator: delay before each submit_sm_resp     (0)
#   KANNEL_SIM_ARGS          extra simulator options, e.g. "--outcome 0=UNDELIV" (word-split)  ()
#   KANNEL_WINDOW            Kannel max-pending-submits (SMPP window)        (100)
#   KANNEL_LOG_LEVEL         Kannel log-level for the log files (0 debug .. 4 panic)  (2 = warnings and errors)
#   KANNEL_PORT_BASE         ports BASE..BASE+4: admin, smsbox, sendsms, simulator, DLR receiver  (23700)
#   KANNEL_WAIT_SECONDS      how long to wait for Kannel to drain / call back (120)
#   KANNEL_KEEP_TMP          1 = keep the temp dir (config, logs) and print its path on stderr  (0)
#   USMS_DIR                 the usms checkout (default: two levels up from this script)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
USMS_DIR=${USMS_DIR:-$(cd "$HERE/../.." && pwd)}
SCENARIO=${KANNEL_SCENARIO:-single}
RECEIPTS=${KANNEL_RECEIPTS:-0}
WINDOW=${KANNEL_WINDOW:-100}
RESPONSE_DELAY_MS=${KANNEL_RESPONSE_DELAY_MS:-0}
RECEIPT_DELAY_MS=${KANNEL_RECEIPT_DELAY_MS:-20}
LOG_LEVEL=${KANNEL_LOG_LEVEL:-2}
BASE=${KANNEL_PORT_BASE:-23700}
ADMIN_PORT=$BASE SMSBOX_PORT=$((BASE + 1)) SENDSMS_PORT=$((BASE + 2)) SIM_PORT=$((BASE + 3)) RCV_PORT=$((BASE + 4))
ADMIN_PW=bench-admin SMS_USER=bench SMS_PW=bench-pw
BEARERBOX=${BEARERBOX:-/usr/sbin/bearerbox}
SMSBOX=${SMSBOX:-/usr/sbin/smsbox}

case $SCENARIO in single | smpp) ;; *) echo "KANNEL_SCENARIO must be single or smpp" >&2; exit 2 ;; esac
[[ $SCENARIO == single ]] && RECEIPTS=0 # the single scenario requests no receipts
for bin in "$BEARERBOX" "$SMSBOX" wrk node curl; do command -v "$bin" >/dev/null || { echo "missing: $bin" >&2; exit 2; }; done
for port in $ADMIN_PORT $SMSBOX_PORT $SENDSMS_PORT $SIM_PORT $RCV_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use (set KANNEL_PORT_BASE)" >&2; exit 2; fi
done

TMP=$(mktemp -d /tmp/kannel-bench.XXXXXX)
PIDS=() # started processes, stopped in reverse order

stop() { # stop PID [seconds]: SIGTERM, then SIGKILL after a grace period; reaps it
  local pid=$1 grace=${2:-10} i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop "${PIDS[i]}"; done
  if [[ ${KANNEL_KEEP_TMP:-0} == 1 ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s
  local secs=$1 what=$2 i
  shift 2
  for ((i = 0; i < secs * 10; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out waiting for $what; logs in $TMP:" >&2
  tail -n 20 "$TMP"/*.log "$TMP"/*.out "$TMP"/*.err >&2 || true
  KANNEL_KEEP_TMP=1
  exit 1
}

# 1. The simulator (our SMSC). Without --json it prints its stats to stderr when stopped.
SIM_ARGS=(--port "$SIM_PORT" --system-id usms --password secret1 --response-delay-ms "$RESPONSE_DELAY_MS")
if [[ $RECEIPTS == 1 ]]; then SIM_ARGS+=(--receipt-delay-ms "$RECEIPT_DELAY_MS"); else SIM_ARGS+=(--no-receipts); fi
read -r -a extra <<<"${KANNEL_SIM_ARGS:-}"
SIM_ARGS+=("${extra[@]}")
(cd "$USMS_DIR" && exec node --import tsx src/cli/index.ts smsc-sim "${SIM_ARGS[@]}") >"$TMP/sim.out" 2>"$TMP/sim.err" &
SIM_PID=$!
PIDS+=("$SIM_PID")
wait_for 30 "the simulator" grep -q '^port:' "$TMP/sim.out"

# 2. The DLR receiver (only with receipts).
if [[ $RECEIPTS == 1 ]]; then
  node "$HERE/dlr-receiver.mjs" "$RCV_PORT" >"$TMP/receiver.out" 2>&1 &
  PIDS+=($!)
  wait_for 10 "the DLR receiver" grep -q listening "$TMP/receiver.out"
fi

# 3. Kannel's configuration. No store-type/store-location (formerly store-file): Kannel's default, messages
# are queued in memory only. No throughput limit on the SMSC.
cat >"$TMP/kannel.conf" <<EOF
group = core
admin-port = $ADMIN_PORT
admin-interface = 127.0.0.1
admin-password = $ADMIN_PW
admin-allow-ip = 127.0.0.1
smsbox-port = $SMSBOX_PORT
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "$TMP/bearerbox.log"
log-level = $LOG_LEVEL
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
port = $SIM_PORT
transceiver-mode = true
smsc-username = usms
smsc-password = secret1
system-type = VMA
interface-version = 34
max-pending-submits = $WINDOW
msg-id-type = 0x00
enquire-link-interval = 30
reconnect-delay = 1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $SMSBOX_PORT
sendsms-port = $SENDSMS_PORT
sendsms-interface = 127.0.0.1
log-file = "$TMP/smsbox.log"
log-level = $LOG_LEVEL

group = sendsms-user
username = $SMS_USER
password = $SMS_PW
EOF

# 4. bearerbox and smsbox; -v 4: only panics on the console (the default, 0, prints every debug line).
"$BEARERBOX" -v 4 "$TMP/kannel.conf" >"$TMP/bearerbox.out" 2>&1 &
BB_PID=$!
PIDS+=("$BB_PID")
STATUS_URL="http://127.0.0.1:$ADMIN_PORT/status.txt?password=$ADMIN_PW"
wait_for 30 "bearerbox's admin port" curl -sf "$STATUS_URL"
"$SMSBOX" -v 4 "$TMP/kannel.conf" >"$TMP/smsbox.out" 2>&1 &
SB_PID=$!
PIDS+=("$SB_PID")

# 5. Wait for the SMPP bind (SMSC "online" on the status page), smsbox's connection and its HTTP port.
smsc_online() { curl -sf "$STATUS_URL" | grep -q 'SMPP:.*(online '; }
smsbox_connected() { curl -sf "$STATUS_URL" | grep -q 'smsbox:.*on-line'; }
sendsms_up() { curl -s -o /dev/null "http://127.0.0.1:$SENDSMS_PORT/"; }
wait_for 30 "the SMPP bind" smsc_online
wait_for 30 "smsbox" smsbox_connected
wait_for 30 "smsbox's sendsms port" sendsms_up

# 6. The scenario.
export KB_STATUS_URL=$STATUS_URL KB_SENDSMS_URL="http://127.0.0.1:$SENDSMS_PORT" KB_USER=$SMS_USER KB_PASS=$SMS_PW
export KB_PIDS="bearerbox:$BB_PID,smsbox:$SB_PID" KB_WAIT_SECONDS=${KANNEL_WAIT_SECONDS:-120}
export KB_SECONDS=${KANNEL_SECONDS:-10} KB_CONNECTIONS=${KANNEL_CONNECTIONS:-50} KB_THREADS=${KANNEL_THREADS:-2}
export KB_MESSAGES=${KANNEL_MESSAGES:-20000} KB_BATCH=${KANNEL_BATCH:-100} KB_CONCURRENCY=${KANNEL_PUSH_CONCURRENCY:-8}
if [[ $RECEIPTS == 1 ]]; then
  export KB_DLR_URL="http://127.0.0.1:$RCV_PORT/dlr?type=%d" KB_DLR_MASK=${KANNEL_DLR_MASK:-3}
  export KB_RECEIVER_STATS="http://127.0.0.1:$RCV_PORT/stats"
fi
node "$HERE/measure.mjs" "$SCENARIO" >"$TMP/result.json" & # in the background, so a signal reaches the trap at once
PIDS+=($!)
wait $!

# 7. Stop Kannel (smsbox, then bearerbox) and the simulator, so its final counts can be reported.
# Kannel's warnings and errors so far (shutting down logs some of its own), grouped: "N x message".
# wrk closing its connections at the end shows up as "Error reading from fd N" / "Connection reset by peer".
log_issues=$(cat "$TMP/bearerbox.log" "$TMP/smsbox.log" 2>/dev/null | grep -E 'WARNING|ERROR|PANIC' |
  sed -E 's/^.*\] (WARNING|ERROR|PANIC)/\1/; s/fd [0-9]+/fd N/' | sort | uniq -c | sort -rn | head -n 8 |
  sed -E 's/^ *([0-9]+) /\1 x /' || true)
stop "$SB_PID"
stop "$BB_PID"
stop "$SIM_PID"

SIM_STATS=$(sed -n 's/^smsc-sim: stopped; //p' "$TMP/sim.err")
KANNEL_VERSION=$(dpkg-query -W -f '${Version}' kannel 2>/dev/null || echo unknown)
RESULT=$(cat "$TMP/result.json") SIM_STATS=${SIM_STATS:-null} LOG_ISSUES=$log_issues KANNEL_VERSION=$KANNEL_VERSION \
  WINDOW=$WINDOW RESPONSE_DELAY_MS=$RESPONSE_DELAY_MS RECEIPT_DELAY_MS=$RECEIPT_DELAY_MS RECEIPTS=$RECEIPTS LOG_LEVEL=$LOG_LEVEL \
  node -e '
    const e = process.env;
    const sim = JSON.parse(e.SIM_STATS);
    console.log(JSON.stringify({
      ...JSON.parse(e.RESULT),
      kannel: { version: e.KANNEL_VERSION, maxPendingSubmits: +e.WINDOW, throughput: "unset", storeFile: "none (in-memory queue only)",
        dlrStorage: "internal", msgIdType: "0x00", logLevel: +e.LOG_LEVEL,
        logWarningsAndErrors: e.LOG_ISSUES.split("\n").filter(Boolean) },
      simulator: { responseDelayMs: +e.RESPONSE_DELAY_MS, receiptDelayMs: e.RECEIPTS === "1" ? +e.RECEIPT_DELAY_MS : null,
        submits: sim?.submits, accepted: sim?.accepted, receiptsSent: sim?.receiptsSent, maxInFlight: sim?.maxInFlight, binds: sim?.binds },
    }));'
