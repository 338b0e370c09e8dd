# shellcheck shell=bash
# stripe-mock: Stripe's official API mock (OpenAPI spec and fixtures embedded, no network
# at run time). Stateless: created objects are not stored. Built once with `go install`.

STRIPE_MOCK_VERSION="${STRIPE_MOCK_VERSION:-v0.203.0}"

define_component stripe-mock "$STRIPE_MOCK_PORT" 30 TERM group 15

# Versioned directory: bumping STRIPE_MOCK_VERSION installs the new binary next to the old.
stripe_mock_bin() { printf '%s/stripe-mock-%s/bin/stripe-mock' "$RENTEZY_CACHE" "$STRIPE_MOCK_VERSION"; }
stripe_mock_log() { printf '%s/stripe-mock.log' "$LOG_DIR"; }
stripe_mock_match() { printf '%s' "$(stripe_mock_bin)"; }

stripe_mock_setup() {
    require_cmd curl curl
    local bin
    bin=$(stripe_mock_bin)
    [[ -x $bin ]] && return 0
    have go || die "go not found (needed once to build stripe-mock $STRIPE_MOCK_VERSION; install Go >= 1.22)"
    log "stripe-mock: go install github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
    if ! GOBIN="$(dirname "$bin")" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION" \
        >>"$LOG_DIR/stripe-mock-setup.log" 2>&1; then
        show_log_tail "$LOG_DIR/stripe-mock-setup.log"
        die "stripe-mock: go install failed; see $LOG_DIR/stripe-mock-setup.log"
    fi
}

stripe_mock_start() {
    local dir="$STATE_DIR/stripe-mock"
    mkdir -p "$dir"
    rm -f "$dir/https.sock"
    # HTTP on loopback. stripe-mock (v0.203.0) still opens HTTPS on *:12112 (all
    # interfaces) when only -http-addr is given: -http-addr is missing from its "HTTP was
    # requested explicitly" check, and no flag turns HTTPS off. Parking HTTPS on a unix
    # socket in the state dir leaves no extra TCP port open.
    launch_detached "$(stripe_mock_log)" "$(stripe_mock_bin)" \
        -http-addr "$HOST:$STRIPE_MOCK_PORT" -https-unix "$dir/https.sock"
    write_pidfile stripe-mock "$LAUNCHED_PID"
}

stripe_mock_ready() {
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 \
        -H 'Authorization: Bearer sk_test_123' \
        "http://$HOST:$STRIPE_MOCK_PORT/v1/customers") == 200 ]]
}
