# shellcheck shell=bash
# Redis from Debian's redis-server package, daemonized by itself.

# On SIGTERM redis flushes the AOF and exits.
define_component redis "$REDIS_PORT" 30 TERM pid 30

redis_log() { printf '%s/redis.log' "$LOG_DIR"; }

# Redis rewrites its process title to "redis-server 127.0.0.1:<port>".
redis_match() { printf 'redis-server %s:%s' "$HOST" "$REDIS_PORT"; }

redis_setup() {
    if ! have redis-server || ! have redis-cli; then
        if [[ $IS_ROOT -eq 1 ]]; then apt_install redis-server; fi
        if ! have redis-server || ! have redis-cli; then
            die "redis-server not found (apt-get install -y redis-server)"
        fi
    fi
}

redis_start() {
    local dir="$STATE_DIR/redis" logfile
    logfile=$(redis_log)
    mkdir -p "$dir"
    # 32 logical databases so every service (and its tests) can have its own.
    # AOF on, RDB snapshots off: data survives restarts without fork-heavy snapshots.
    # shellcheck disable=SC2094 # --logfile is a path argument, not a read
    if ! (cd "$dir" && redis-server --bind "$HOST" --port "$REDIS_PORT" --databases 32 \
        --dir "$dir" --appendonly yes --save "" --daemonize yes \
        --pidfile "$(pidfile redis)" --logfile "$logfile") >>"$logfile" 2>&1 {LOCK_FD}>&-; then
        show_log_tail "$logfile"
        die "redis: redis-server failed to start; see $logfile"
    fi
    # --daemonize returns before the pidfile is written; wait for it (bounded).
    wait_until 10 "" test -s "$(pidfile redis)" ||
        die "redis: no pidfile $(pidfile redis) after start; see $(redis_log)"
}

redis_ready() {
    [[ $(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}
