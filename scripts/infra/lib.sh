# shellcheck shell=bash
# Shared helpers for scripts/infra.sh and scripts/infra/<component>.sh.
# Sourced, never executed. Expects REPO to be set by the caller (infra.sh).
# Globals set here (JAVA, LAUNCHED_PID, ...) are read by the files that source this one.
# shellcheck disable=SC2034

# ---------------------------------------------------------------------------
# Layout and settings
# ---------------------------------------------------------------------------

: "${REPO:?REPO must be set before sourcing lib.sh}"
INFRA_DIR="$REPO/scripts/infra"

RENTEZY_STATE="${RENTEZY_STATE:-$REPO/.rentezy}"
STATE_DIR="$RENTEZY_STATE/state"
LOG_DIR="$RENTEZY_STATE/logs"
RUN_DIR="$RENTEZY_STATE/run"

if [[ $EUID -eq 0 ]]; then
    IS_ROOT=1
    # PostgreSQL and Elasticsearch run as another user, and /root is not traversable,
    # so a root cache under $HOME would be unreadable for them.
    RENTEZY_CACHE="${RENTEZY_CACHE:-/var/cache/rentezy}"
    SVC_USER=rentezy
else
    IS_ROOT=0
    RENTEZY_CACHE="${RENTEZY_CACHE:-$HOME/.cache/rentezy}"
    SVC_USER="$(id -un)"
fi

# Everything binds to loopback only.
HOST=127.0.0.1

POSTGRES_PORT="${POSTGRES_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
ELASTICSEARCH_PORT="${ELASTICSEARCH_PORT:-9200}"
ELASTICSEARCH_TRANSPORT_PORT="${ELASTICSEARCH_TRANSPORT_PORT:-9300}"
STRIPE_MOCK_PORT="${STRIPE_MOCK_PORT:-12111}"
SMTP_PORT="${SMTP_PORT:-1025}"

# infra.sh holds its lock on this fd; servers must not inherit it (see take_lock).
LOCK_FD=9

# Start order; stop runs it backwards.
ALL_COMPONENTS=(postgres redis kafka elasticsearch stripe-mock smtp)

# Per-component settings, filled in by define_component in scripts/infra/<component>.sh.
declare -gA PORTS=() START_TIMEOUT=() STOP_SIGNAL=() STOP_SCOPE=() STOP_TIMEOUT=()

# define_component NAME PORTS START_TIMEOUT_S STOP_SIGNAL STOP_SCOPE STOP_TIMEOUT_S
#   PORTS: space-separated, the first is the one shown and probed by status.
#   STOP_SCOPE: "group" signals the process group (processes we started with setsid),
#   "pid" only the process itself.
# Each component file also defines NAME_setup, NAME_start, NAME_ready, NAME_match and
# NAME_log (NAME with "-" as "_"), and optionally NAME_post_start.
define_component() {
    PORTS[$1]=$2
    START_TIMEOUT[$1]=$3
    STOP_SIGNAL[$1]=$4
    STOP_SCOPE[$1]=$5
    STOP_TIMEOUT[$1]=$6
}

# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

log() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Microsecond clock for "(2.1s)" style timings; EPOCHREALTIME needs bash 5.
now_us() { printf '%s' "${EPOCHREALTIME/./}"; }
elapsed_since() { # start_us -> "2.1s"
    local d=$(($(now_us) - $1))
    printf '%d.%ds' $((d / 1000000)) $((d % 1000000 / 100000))
}

# Print the last lines of a log (to stderr) to explain a failure.
show_log_tail() { # file [lines]
    local file=$1 n=${2:-20}
    [[ -r $file ]] || return 0
    printf -- '--- last %d lines of %s ---\n' "$n" "$file" >&2
    tail -n "$n" "$file" | sed 's/^/  /' >&2
}

# ---------------------------------------------------------------------------
# Prerequisites
# ---------------------------------------------------------------------------

have() { command -v "$1" >/dev/null 2>&1; }

deb_installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]; }

# Install Debian packages when root; otherwise print the command and fail.
# apt-get update runs only if the plain install fails (stale or missing lists).
apt_install() { # pkg...
    if [[ $IS_ROOT -ne 1 ]]; then
        die "missing Debian package(s): $* (run: sudo apt-get install -y $*)"
    fi
    have apt-get || die "apt-get not found; install $* by hand"
    mkdir -p "$LOG_DIR"
    local apt_log="$LOG_DIR/apt.log"
    log "setup: apt-get install -y $* (output in $apt_log)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q "$@" >>"$apt_log" 2>&1; then
        apt-get update -q >>"$apt_log" 2>&1 || true
        apt-get install -y -q "$@" >>"$apt_log" 2>&1 ||
            die "apt-get install -y $* failed; see $apt_log"
    fi
}

# require_cmd CMD DEB_PACKAGE [DESCRIPTION]
# Installs the package when root and it is not installed yet; a package that is
# installed but whose command is still missing (PATH trimmed, ...) is an error, not a
# reason to run apt again.
require_cmd() {
    local cmd=$1 pkg=$2 what=${3:-$1}
    have "$cmd" && return 0
    if [[ $IS_ROOT -eq 1 ]] && ! deb_installed "$pkg"; then
        apt_install "$pkg"
        have "$cmd" && return 0
    fi
    die "$what not found (apt-get install -y $pkg)"
}

# Major version of a java binary ("17", "25"), empty if it does not run.
java_major() { # /path/to/java
    local line
    line=$("$1" -version 2>&1 | head -n 1) || return 0
    # 'openjdk version "17.0.15" 2025-04-15' or 'java version "1.8.0_412"'
    line=${line#*\"}
    line=${line%%\"*}
    [[ $line == 1.* ]] && line=${line#1.}
    printf '%s' "${line%%[.+-]*}"
}

# Sets JAVA to a java binary of at least the given major version, from JAVA_HOME or PATH.
require_java() { # min_major
    local min=$1 cand="" major
    if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
        cand="$JAVA_HOME/bin/java"
    elif have java; then
        cand="$(command -v java)"
    elif [[ $IS_ROOT -eq 1 ]] && ! deb_installed openjdk-17-jre-headless; then
        apt_install openjdk-17-jre-headless
        have java && cand="$(command -v java)"
    fi
    if [[ -n $cand ]]; then
        major=$(java_major "$cand")
        if [[ -n $major && $major -ge $min ]]; then
            JAVA=$cand
            return 0
        fi
    fi
    die "java $min+ not found (apt-get install openjdk-17-jre-headless)"
}

# ---------------------------------------------------------------------------
# Service user and directories
# ---------------------------------------------------------------------------

# PostgreSQL and Elasticsearch refuse to run as root: as root we run them as a system
# user. As a normal user they run as that user.
ensure_svc_user() {
    [[ $IS_ROOT -eq 1 ]] || return 0
    id -u "$SVC_USER" >/dev/null 2>&1 && return 0
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$SVC_USER" ||
        die "could not create system user $SVC_USER (useradd)"
    log "setup: created system user $SVC_USER"
}

# Run a command as the service user (no-op wrapper when not root).
as_svc() {
    if [[ $IS_ROOT -eq 1 ]]; then
        runuser -u "$SVC_USER" -- "$@"
    else
        "$@"
    fi
}

ensure_base_dirs() {
    mkdir -p "$STATE_DIR" "$LOG_DIR" "$RUN_DIR" "$RENTEZY_CACHE"
}

# Directory for a component whose processes run as the service user (postgres,
# elasticsearch). Normally $STATE_DIR/<component>; when root and the service user cannot
# traverse $STATE_DIR (e.g. the repo is under /root), the data lives in
# /var/lib/rentezy/<hash of the state path>/<component> and $STATE_DIR/<component> is a
# symlink to it. Processes are always handed the resolved path.
svc_dir() { # component
    local comp=$1 link="$STATE_DIR/$1" target hash
    if [[ -L $link ]]; then
        target=$(readlink "$link")
        mkdir -p "$target"
    elif [[ -d $link ]]; then
        target=$link
    elif [[ $IS_ROOT -ne 1 ]] || runuser -u "$SVC_USER" -- test -x "$STATE_DIR"; then
        target=$link
        mkdir -p "$target"
    else
        hash=$(printf '%s' "$RENTEZY_STATE" | sha256sum | cut -c1-12)
        target="/var/lib/rentezy/$hash/$comp"
        mkdir -p "$target"
        chmod 755 /var/lib/rentezy "/var/lib/rentezy/$hash"
        ln -s "$target" "$link"
        log "$comp: note: $STATE_DIR is not traversable by user $SVC_USER; data kept in $target" >&2
    fi
    if [[ $IS_ROOT -eq 1 && $(stat -c %U "$target") != "$SVC_USER" ]]; then
        chown "$SVC_USER:" "$target"
    fi
    printf '%s' "$target"
}

# ---------------------------------------------------------------------------
# Pidfiles
# ---------------------------------------------------------------------------

pidfile() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

read_pidfile() { # component -> pid or empty
    local f pid=""
    f=$(pidfile "$1")
    if [[ -r $f ]]; then read -r pid <"$f" 2>/dev/null || true; fi
    [[ $pid =~ ^[0-9]+$ ]] && printf '%s' "$pid"
    return 0
}

write_pidfile() { # component pid
    printf '%s\n' "$2" >"$(pidfile "$1")"
}

# True if pid is alive and its command line contains the given text (guards against a
# recycled pid belonging to some unrelated process).
pid_matches() { # pid text
    local pid=$1 text=$2 cmdline
    [[ -n $pid ]] && pid_alive "$pid" || return 1
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *"$text"* ]]
}

# Pid of the running component from its pidfile, empty if not running.
component_pid() { # component
    local comp=$1 pid
    pid=$(read_pidfile "$comp")
    if [[ -n $pid ]] && pid_matches "$pid" "$("$(fn "$comp" match)")"; then
        printf '%s' "$pid"
    fi
    return 0
}

# Remove a pidfile whose process is gone.
clean_stale_pidfile() { # component
    local comp=$1 f
    f=$(pidfile "$comp")
    if [[ -e $f && -z $(component_pid "$comp") ]]; then
        rm -f "$f"
        log "$comp: removed stale pidfile"
    fi
}

# A zombie counts as dead: our servers are reparented to init once detached, and a slow
# init may take seconds to reap them after they exit.
pid_alive() { # pid
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) } # after "pid (comm) ": state letter first
    [[ ${stat:0:1} != Z ]]
}

# Stop a process: signal, wait, SIGKILL after the timeout. Processes we started with
# setsid lead their own process group; signalling the group also reaches children (the
# Python interpreter under uvx, PostgreSQL backends after a forced kill).
stop_pid() { # pid signal timeout_s scope(pid|group)
    local pid=$1 sig=$2 timeout=$3 scope=$4 target=$1 deadline
    if [[ $scope == group && $(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') == "$pid" ]]; then
        target="-$pid"
    fi
    kill -s "$sig" -- "$target" 2>/dev/null || true
    deadline=$((SECONDS + timeout))
    while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if pid_alive "$pid"; then
        warn "pid $pid did not exit ${timeout}s after SIG$sig; sending SIGKILL"
        # Escalate to the whole group if the process leads one (leftover workers).
        if [[ $(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') == "$pid" ]]; then
            target="-$pid"
        fi
        kill -s KILL -- "$target" 2>/dev/null || true
        deadline=$((SECONDS + 10))
        while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
        pid_alive "$pid" && return 1
    fi
    return 0
}

# ---------------------------------------------------------------------------
# Ports and readiness
# ---------------------------------------------------------------------------

# True if something accepts TCP connections on host:port.
port_open() { # host port
    # shellcheck disable=SC2016 # $1/$2 expand in the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# True if anything listens on the port on any address (ss sees listeners bound to other
# addresses that a connect to 127.0.0.1 would miss).
port_in_use() { # port
    local port=$1
    if have ss && [[ -n $(ss -ltnH "sport = :$port" 2>/dev/null) ]]; then
        return 0
    fi
    port_open "$HOST" "$port"
}

# "pid 123 (python3)" for the listener on a port, when ss can tell.
port_owner() { # port
    local line
    have ss || return 0
    line=$(ss -ltnpH "sport = :$1" 2>/dev/null | head -n 1)
    if [[ $line =~ \(\"([^\"]+)\",pid=([0-9]+) ]]; then
        printf 'pid %s (%s)' "${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}"
    fi
}

# Fail with one line if a port we need is taken by a process that is not ours.
check_port_free() { # component port
    local comp=$1 port=$2 owner
    port_in_use "$port" || return 0
    owner=$(port_owner "$port")
    die "$comp: port $port is already in use by another process${owner:+: $owner}"
}

# Poll a command until it succeeds. Returns 0 when ready, 1 on timeout, 2 if the given
# pid (optional, "" to skip) died meanwhile. Polls every 0.2s: no fixed sleeps.
wait_until() { # timeout_s pid cmd...
    local timeout=$1 pid=$2 deadline
    shift 2
    deadline=$((SECONDS + timeout))
    while true; do
        "$@" >/dev/null 2>&1 && return 0
        if [[ -n $pid ]] && ! pid_alive "$pid"; then
            # It may have become ready just before exiting; check one last time.
            "$@" >/dev/null 2>&1 && return 0
            return 2
        fi
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

wait_for_tcp_port() { # host port timeout_s [pid]
    wait_until "$3" "${4:-}" port_open "$1" "$2"
}

# ---------------------------------------------------------------------------
# Component plumbing
# ---------------------------------------------------------------------------

# Name of a component's function: fn stripe-mock start -> stripe_mock_start
fn() { printf '%s_%s' "${1//-/_}" "$2"; }

has_fn() { declare -F "$(fn "$1" "$2")" >/dev/null; }

# Launch a long-running command detached from the invoking shell: its own session
# (setsid: no controlling terminal, no SIGHUP, own process group), stdin from /dev/null,
# stdout/stderr appended to the log. Sets LAUNCHED_PID. In a non-interactive script a
# background job is not a process-group leader, so setsid calls setsid(2) in place
# instead of forking, and $! is the pid of the final program (we check anyway).
launch_detached() { # logfile cmd...
    local logfile=$1
    shift
    setsid nohup "$@" </dev/null >>"$logfile" 2>&1 {LOCK_FD}>&- &
    LAUNCHED_PID=$!
}
