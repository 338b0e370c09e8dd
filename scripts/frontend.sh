#!/usr/bin/env bash
# The web app (frontend/): install its packages and build it when missing or stale, run
# Vite's dev server, and make sure the browser the tests drive is installed.
#
#   scripts/frontend.sh build            npm ci + vite build, only if sources changed
#   scripts/frontend.sh dev              Vite with hot reload on 127.0.0.1:$WEB_DEV_PORT
#                                        (5173), /api and /ws proxied to the gateway
#                                        ($GATEWAY_PORT, default 8000)
#   scripts/frontend.sh deps             npm ci when package-lock.json changed
#   scripts/frontend.sh chromium         install Debian's chromium when missing (the
#                                        browser tests and bench/web drive it)
#
# "Stale" is a hash of the sources, the lock file and the build settings (VITE_*),
# stored in frontend/dist/.build-hash (the gateway never serves dotfiles).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$REPO/frontend"
# shellcheck source=infra/lib.sh
source "$REPO/scripts/infra/lib.sh"

require_node() {
    have node || die "node not found: Node.js 20.19+ is needed for the web app (https://nodejs.org, or your distribution's nodejs 20+)"
    have npm || die "npm not found (it comes with Node.js)"
    local version major minor
    version="$(node -p 'process.versions.node')"
    major="${version%%.*}"
    minor="${version#*.}"
    minor="${minor%%.*}"
    if ((major < 20 || (major == 20 && minor < 19))); then
        die "Node.js $version is too old for the web app: 20.19 or newer is needed"
    fi
}

hash_of() { # files... -> one hash
    (
        cd "$WEB"
        find "$@" -type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 sha256sum
        env | grep -E '^VITE_' | LC_ALL=C sort || true
    ) | sha256sum | cut -d' ' -f1
}

deps() {
    require_node
    local want have_hash=""
    want="$(hash_of package-lock.json package.json)"
    [[ -f $WEB/node_modules/.lock-hash ]] && have_hash="$(cat "$WEB/node_modules/.lock-hash")"
    if [[ $want != "$have_hash" || ! -d $WEB/node_modules ]]; then
        log "web app: npm ci"
        (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
        printf '%s\n' "$want" >"$WEB/node_modules/.lock-hash"
    fi
}

build() {
    local want current=""
    want="$(hash_of package-lock.json package.json index.html vite.config.ts tsconfig.json build public src)"
    [[ -f $WEB/dist/.build-hash ]] && current="$(cat "$WEB/dist/.build-hash")"
    if [[ $want == "$current" && -f $WEB/dist/index.html ]]; then
        log "web app: up to date (frontend/dist)"
        return 0
    fi
    deps
    local started
    started=$(now_us)
    (cd "$WEB" && npx vite build --logLevel warn)
    printf '%s\n' "$want" >"$WEB/dist/.build-hash"
    log "web app: built frontend/dist ($(elapsed_since "$started"))"
}

dev() {
    deps
    export RENTEZY_ENV="${RENTEZY_ENV:-dev}"
    log "web app: Vite dev server on http://127.0.0.1:${WEB_DEV_PORT:-5173}, API via the gateway on port ${GATEWAY_PORT:-8000}"
    cd "$WEB" && exec npx vite
}

chromium() {
    if [[ -x /usr/bin/chromium ]]; then
        return 0
    fi
    apt_install chromium
    [[ -x /usr/bin/chromium ]] || die "chromium was installed but /usr/bin/chromium is missing"
}

case "${1:-}" in
build) build ;;
dev) dev ;;
deps) deps ;;
chromium) chromium ;;
*)
    echo "usage: scripts/frontend.sh build|dev|deps|chromium" >&2
    exit 2
    ;;
esac
