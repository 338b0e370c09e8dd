#!/bin/sh
# rentezy-probe: exec probes for the processes that serve no HTTP (docs/deployment.md).
#
#   rentezy-probe process    PID 1 (the relay or consumer itself) is running, not stopped.
#                            These processes exit on a fatal error (the consumer after too
#                            many dead letters in a row) and Kubernetes restarts them;
#                            this probe adds only that a stopped (SIGSTOP) process counts
#                            as dead. A hung loop needs a heartbeat from rentezy_common.
#   rentezy-probe beat       Celery beat has set up its schedule file (it does at start,
#                            once the app and the broker settings are loaded) and is
#                            running. Beat writes the file again only after sending a task,
#                            which may be a day away (a daily crontab), so its age says
#                            nothing about liveness.
set -eu

# /proc/1/stat: "pid (comm) state ...", the comm possibly with spaces.
process_runs() {
    state=$(sed 's/^.*) //' /proc/1/stat | cut -d' ' -f1)
    case "$state" in
        R | S | D | I) return 0 ;;
        *) echo "PID 1 is in state $state" >&2; return 1 ;;
    esac
}

case "${1:-}" in
    process)
        process_runs
        ;;
    beat)
        found=$(find "${STATE_DIR:-/tmp/rentezy}" -maxdepth 1 -name 'celerybeat-schedule*' \
            2>/dev/null | head -n 1)
        if [ -z "$found" ]; then
            echo "no celerybeat-schedule in ${STATE_DIR:-/tmp/rentezy}" >&2
            exit 1
        fi
        process_runs
        ;;
    *)
        echo "usage: rentezy-probe process | beat" >&2
        exit 2
        ;;
esac
