#!/bin/sh
# rentezy-entrypoint: the container's first process (Dockerfile, docs/deployment.md).
#
#   rentezy-entrypoint web|relay|worker|beat|<consumer>   that line of the service's Procfile
#   rentezy-entrypoint <command> [args...]                 anything else, as given
#
# Procfile lines run exactly as under `make up`, with PORT, SERVICE_NAME and STATE_DIR
# set (defaults from the service's registry entry, written at build time), except that
# a web server listens on BIND_HOST (0.0.0.0) instead of the loopback address the
# Procfiles bind to on one machine. Adding a process to a Procfile makes it available
# here with no other change.
set -eu

# The build writes this file; tests/deploy points RENTEZY_SERVICE_ENV at its own.
. "${RENTEZY_SERVICE_ENV:-/app/service.env}"
: "${STATE_DIR:=/tmp/rentezy}"
: "${BIND_HOST:=0.0.0.0}"
: "${GATEWAY_HOST:=$BIND_HOST}"  # api_gateway's `python -m edge.serve`
: "${GATEWAY_METRICS_HOST:=$BIND_HOST}"  # its internal /metrics listener
export SERVICE_NAME PORT STATE_DIR GATEWAY_HOST GATEWAY_METRICS_HOST
mkdir -p "$STATE_DIR"

[ "$#" -gt 0 ] || set -- web
if [ "$#" -eq 1 ]; then
    case "$1" in
        "" | *[!a-z0-9_-]*) ;;  # not a process name
        *)
            line=$(sed -n "s/^$1:[[:space:]]*//p" Procfile | head -n 1)
            if [ -n "$line" ]; then
                line=$(printf '%s\n' "$line" | sed "s/127\.0\.0\.1/$BIND_HOST/g")
                exec sh -c "exec $line"
            fi
            ;;
    esac
fi
exec "$@"
