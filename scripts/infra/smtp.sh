# shellcheck shell=bash
# SMTP sink: aiosmtpd (PyPI) with its Mailbox handler, so every accepted mail is stored
# as a file in a Maildir (state/smtp/maildir/{new,cur,tmp}) that tests can read.
# Installed through uvx with a pinned version: it needs no project venv and uv caches it.

AIOSMTPD_VERSION="${AIOSMTPD_VERSION:-1.4.6}"

define_component smtp "$SMTP_PORT" 30 TERM group 15

smtp_log() { printf '%s/smtp.log' "$LOG_DIR"; }
smtp_maildir() { printf '%s/smtp/maildir' "$STATE_DIR"; }
smtp_match() { printf 'aiosmtpd -n -l %s:%s' "$HOST" "$SMTP_PORT"; }

# Sets SMTP_PYTHON to the interpreter of uv's cached environment holding aiosmtpd (uvx
# fetches it from PyPI the first time). The server then runs as that python directly: under
# "uvx ... python" the pidfile would name uv, and a python orphaned by a crashed uv would
# keep the port while we believed the server stopped.
smtp_setup() {
    have uvx || die "uvx not found (install uv: https://docs.astral.sh/uv/, e.g. pipx install uv)"
    SMTP_PYTHON=$(cd / && uvx --from "aiosmtpd==$AIOSMTPD_VERSION" \
        python -c 'import sys; print(sys.executable)' 2>>"$LOG_DIR/smtp-setup.log") ||
        die "smtp: uvx --from aiosmtpd==$AIOSMTPD_VERSION failed; see $LOG_DIR/smtp-setup.log"
    [[ -x $SMTP_PYTHON ]] || die "smtp: uvx returned no usable python ($SMTP_PYTHON)"
}

smtp_start() {
    # All three subdirectories: mailbox.Maildir only creates them when the top directory
    # itself is missing, and delivery fails without tmp/.
    mkdir -p "$(smtp_maildir)"/{cur,new,tmp}
    # -n: do not try to setuid to "nobody".
    launch_detached "$(smtp_log)" "$SMTP_PYTHON" -m aiosmtpd -n -l "$HOST:$SMTP_PORT" \
        -c aiosmtpd.handlers.Mailbox "$(smtp_maildir)"
    write_pidfile smtp "$LAUNCHED_PID"
}

# Ready when the server greets with "220".
smtp_ready() {
    # shellcheck disable=SC2016 # $1/$2 expand in the inner bash
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        IFS= read -r -t 2 greeting <&3 || exit 1
        printf "QUIT\r\n" >&3
        [[ $greeting == 220* ]]' _ "$HOST" "$SMTP_PORT"
}
