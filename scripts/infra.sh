#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Local infrastructure for RentEzy, without Docker: PostgreSQL, Redis, Kafka (KRaft),
# Elasticsearch, stripe-mock and an SMTP sink, all on 127.0.0.1.
#
#   scripts/infra.sh setup   [component ...]  install/download what is missing (idempotent)
#   scripts/infra.sh start   [component ...]  setup, start, wait until ready
#   scripts/infra.sh stop    [component ...]  stop what we started (pidfiles)
#   scripts/infra.sh restart [component ...]
#   scripts/infra.sh status  [component ...]  exit 0 if all running, 3 otherwise
#   scripts/infra.sh logs    <component>      print the log file path
#
# Components (start order): postgres redis kafka elasticsearch stripe-mock smtp.
# No component = all. State, logs and pidfiles: ${RENTEZY_STATE:-<repo>/.rentezy}/
# {state,logs,run}; downloads: ${RENTEZY_CACHE} (see scripts/infra/lib.sh).
# Ports come from POSTGRES_PORT, REDIS_PORT, KAFKA_PORT, KAFKA_CONTROLLER_PORT,
# ELASTICSEARCH_PORT, ELASTICSEARCH_TRANSPORT_PORT, STRIPE_MOCK_PORT, SMTP_PORT.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

# shellcheck source=infra/lib.sh
source "$REPO/scripts/infra/lib.sh"
# shellcheck source=infra/postgres.sh
source "$INFRA_DIR/postgres.sh"
# shellcheck source=infra/redis.sh
source "$INFRA_DIR/redis.sh"
# shellcheck source=infra/kafka.sh
source "$INFRA_DIR/kafka.sh"
# shellcheck source=infra/elasticsearch.sh
source "$INFRA_DIR/elasticsearch.sh"
# shellcheck source=infra/stripe-mock.sh
source "$INFRA_DIR/stripe-mock.sh"
# shellcheck source=infra/smtp.sh
source "$INFRA_DIR/smtp.sh"

usage() {
    sed -n '3,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
}

# Validate component names; none given = all, always in start order.
select_components() { # names...
    local c name known
    SELECTED=()
    if [[ $# -eq 0 ]]; then
        SELECTED=("${ALL_COMPONENTS[@]}")
        return
    fi
    for name in "$@"; do
        known=0
        for c in "${ALL_COMPONENTS[@]}"; do [[ $c == "$name" ]] && known=1; done
        [[ $known -eq 1 ]] || die "unknown component '$name' (one of: ${ALL_COMPONENTS[*]})"
    done
    for c in "${ALL_COMPONENTS[@]}"; do
        for name in "$@"; do
            if [[ $c == "$name" ]]; then
                SELECTED+=("$c")
                break
            fi
        done
    done
}

main_port() { local p=${PORTS[$1]}; printf '%s' "${p%% *}"; }

# Serialize start/stop/setup between concurrent invocations (e.g. two terminals, CI).
# The lock is fd 9 (LOCK_FD in lib.sh); every long-running server is launched with that
# fd closed ({LOCK_FD}>&-), otherwise it would inherit the fd and hold the lock forever.
take_lock() {
    ensure_base_dirs
    exec 9>"$RUN_DIR/infra.lock"
    if ! flock -n 9; then
        log "waiting for another scripts/infra.sh to finish (lock $RUN_DIR/infra.lock)"
        flock -w 900 9 || die "another scripts/infra.sh is still running (lock $RUN_DIR/infra.lock)"
    fi
}

ready_timeout() { printf '%s' "${RENTEZY_START_TIMEOUT:-${START_TIMEOUT[$1]}}"; }

# Wait for readiness of an already launched process; on failure show the log, stop the
# half-started process and exit.
await_ready() { # component pid t0
    local comp=$1 pid=$2 t0=$3 rc=0 timeout
    timeout=$(ready_timeout "$comp")
    wait_until "$timeout" "$pid" "$(fn "$comp" ready)" || rc=$?
    [[ $rc -eq 0 ]] && return 0
    show_log_tail "$("$(fn "$comp" log)")"
    if [[ -n $pid ]] && pid_alive "$pid"; then
        stop_pid "$pid" KILL 5 group || true
    fi
    rm -f "$(pidfile "$comp")"
    if [[ $rc -eq 2 ]]; then
        die "$comp: exited during startup after $(elapsed_since "$t0"); see $("$(fn "$comp" log)")"
    fi
    die "$comp: not ready within ${timeout}s; see $("$(fn "$comp" log)")"
}

start_component() {
    local comp=$1 pid port t0
    port=$(main_port "$comp")
    pid=$(component_pid "$comp")
    if [[ -n $pid ]]; then
        if "$(fn "$comp" ready)" >/dev/null 2>&1; then
            log "$comp: already running (pid $pid, $HOST:$port)"
            return 0
        fi
        # Ours but not answering yet (e.g. another start still in progress): wait for it.
        log "$comp: pid $pid is running but not ready yet; waiting"
        t0=$(now_us)
        await_ready "$comp" "$pid" "$t0"
        log "$comp: ready on $HOST:$port ($(elapsed_since "$t0"))"
        return 0
    fi
    clean_stale_pidfile "$comp"
    "$(fn "$comp" setup)"
    for port in ${PORTS[$comp]}; do check_port_free "$comp" "$port"; done
    port=$(main_port "$comp")
    t0=$(now_us)
    "$(fn "$comp" start)"
    pid=$(read_pidfile "$comp")
    # Right after "cmd &" the pid may still be the forked shell that is about to exec the
    # server, so give the command line a moment to become the server's.
    if [[ -z $pid ]] || ! wait_until 10 "$pid" pid_matches "$pid" "$("$(fn "$comp" match)")"; then
        show_log_tail "$("$(fn "$comp" log)")"
        if [[ -n $pid ]] && pid_alive "$pid"; then stop_pid "$pid" KILL 5 group || true; fi
        rm -f "$(pidfile "$comp")"
        die "$comp: process exited right after launch; see $("$(fn "$comp" log)")"
    fi
    await_ready "$comp" "$pid" "$t0"
    if has_fn "$comp" post_start; then "$(fn "$comp" post_start)"; fi
    log "$comp: started on $HOST:$port ($(elapsed_since "$t0"), pid $pid)"
}

stop_component() {
    local comp=$1 pid t0
    pid=$(component_pid "$comp")
    if [[ -z $pid ]]; then
        clean_stale_pidfile "$comp"
        log "$comp: not running"
        return 0
    fi
    t0=$(now_us)
    stop_pid "$pid" "${STOP_SIGNAL[$comp]}" "${STOP_TIMEOUT[$comp]}" "${STOP_SCOPE[$comp]}" ||
        die "$comp: pid $pid survived SIGKILL"
    rm -f "$(pidfile "$comp")"
    log "$comp: stopped ($(elapsed_since "$t0"))"
}

# One line per component; returns 1 unless running and answering on its port.
status_component() {
    local comp=$1 pid port state note="" rc=0
    port=$(main_port "$comp")
    pid=$(component_pid "$comp")
    if [[ -n $pid ]]; then
        state=running
        if ! port_open "$HOST" "$port"; then
            note="  (port not answering)"
            rc=1
        fi
    else
        state=stopped
        pid=-
        rc=1
        if [[ -e $(pidfile "$comp") ]]; then note="  (stale pidfile)"; fi
        if port_in_use "$port"; then note="  (port in use by another process)"; fi
    fi
    printf '%-14s %-8s pid %-8s %s:%s%s\n' "$comp" "$state" "$pid" "$HOST" "$port" "$note"
    return "$rc"
}

cmd_setup() {
    local c
    take_lock
    for c in "${SELECTED[@]}"; do
        "$(fn "$c" setup)"
        log "$c: setup ok"
    done
}

cmd_start() {
    local c
    take_lock
    for c in "${SELECTED[@]}"; do start_component "$c"; done
}

cmd_stop() {
    local i
    take_lock
    for ((i = ${#SELECTED[@]} - 1; i >= 0; i--)); do stop_component "${SELECTED[i]}"; done
}

cmd_status() {
    local c rc=0
    [[ -d $RUN_DIR ]] || mkdir -p "$RUN_DIR"
    for c in "${SELECTED[@]}"; do status_component "$c" || rc=3; done
    return "$rc"
}

cmd_logs() {
    [[ ${#SELECTED[@]} -eq 1 && $# -eq 1 ]] || die "usage: scripts/infra.sh logs <component>"
    "$(fn "${SELECTED[0]}" log)"
    echo
}

main() {
    local cmd=${1:-}
    [[ -n $cmd ]] || {
        usage >&2
        exit 2
    }
    shift
    case $cmd in
    -h | --help | help)
        usage
        return 0
        ;;
    setup | start | stop | restart | status | logs) ;;
    *)
        usage >&2
        die "unknown command '$cmd'"
        ;;
    esac
    select_components "$@"
    case $cmd in
    setup) cmd_setup ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart)
        cmd_stop
        cmd_start
        ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    esac
}

main "$@"
