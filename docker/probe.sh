#!/bin/sh
# rentezy-probe: exec probes for the processes that serve no HTTP (docs/deployment.md).
#
#   rentezy-probe process    PID 1 (the relay or consumer itself) is running, not stopped.
#                            These processes exit on a fatal error (the consumer after too
#                            many dead letters in a row) and Kubernetes restarts them;
#                            this probe adds only that a stopped (SIGSTOP) process counts
#                            as dead. A hung loop needs a heartbeat from rentezy_common.
#   rentezy-probe beat [M]   Celery beat wrote its schedule file in the last M minutes
#                            (default 15): it syncs at least every 5 minutes.
set -eu

case "${1:-}" in
    process)
        # /proc/1/stat: "pid (comm) state ..."; the comm may contain spaces.
        state=$(sed 's/^.*) //' /proc/1/stat | cut -d' ' -f1)
        case "$state" in
            R | S | D | I) exit 0 ;;
            *) echo "PID 1 is in state $state" >&2; exit 1 ;;
        esac
        ;;
    beat)
        minutes="${2:-15}"
        found=$(find "${STATE_DIR:-/tmp/rentezy}" -maxdepth 1 -name 'celerybeat-schedule*' \
            -mmin "-$minutes" 2>/dev/null | head -n 1)
        if [ -z "$found" ]; then
            echo "no celerybeat-schedule written in the last $minutes minutes" >&2
            exit 1
        fi
        ;;
    *)
        echo "usage: rentezy-probe process | beat [minutes]" >&2
        exit 2
        ;;
esac
