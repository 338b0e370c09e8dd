#!/usr/bin/env bash
# The tools that validate the deployment files offline (tests/deploy, docs/deployment.md):
#   helm          go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION   (a few minutes, once)
#   kustomize     go install sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION
#   composecheck  tests/deploy/composecheck: compose-go loads and validates docker-compose.yml
#   dockerfilecheck tests/deploy/dockerfilecheck: BuildKit's parser and build checks
# All from the Go module proxy, built into ${RENTEZY_CACHE}/bin with the version (or the
# checker's source hash) in the file name, so a second run does nothing. Idempotent.
# Prints one `name=/path/to/binary` line per tool on stdout (progress goes to stderr).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELM_VERSION="${HELM_VERSION:-v4.3.2}"
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.2}"  # v5.8.3 needs a newer Go than 1.26

if [[ -z "${RENTEZY_CACHE:-}" ]]; then
  if [[ "$(id -u)" == 0 ]]; then RENTEZY_CACHE=/var/cache/rentezy; else RENTEZY_CACHE="$HOME/.cache/rentezy"; fi
fi
BIN="$RENTEZY_CACHE/bin"
mkdir -p "$BIN"
# One build at a time: CI starts this in the background while other tests run, and the
# deploy tests call it again; the second caller waits for the first, then finds the tools.
exec 8>"$BIN/.deploy-tools.lock"
flock -w 3600 8 || { printf 'error: deploy-tools lock held for an hour\n' >&2; exit 1; }

say() { printf 'deploy-tools: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null || die "Go not found (golang.org, or apt-get install golang); it builds helm, kustomize and the checkers"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED=0

# go install into a private GOBIN, then move the binary to its versioned name (atomic).
go_install() {  # name module version
  local name="$1" module="$2" version="$3" target="$BIN/$1-$3"
  if [[ ! -x "$target" ]]; then
    say "building $name $version with go install (once per machine; helm takes a few minutes)"
    local gobin
    gobin="$(mktemp -d "$BIN/.gobin.XXXXXX")"
    GOBIN="$gobin" go install "$module@$version" >&2 || { rm -rf "$gobin"; die "go install $module@$version failed"; }
    mv "$gobin/$name" "$target"
    rm -rf "$gobin"
  fi
  printf '%s=%s\n' "$name" "$target"
}

# A checker under tests/deploy/<name>: rebuilt when its go.mod, go.sum or sources change.
go_build_checker() {  # name
  local name="$1" dir="$REPO/tests/deploy/$1" hash target
  hash="$(cat "$dir"/go.mod "$dir"/go.sum "$dir"/*.go | sha256sum | cut -c1-12)"
  target="$BIN/$name-$hash"
  if [[ ! -x "$target" ]]; then
    say "building $name ($hash)"
    (cd "$dir" && go build -mod=readonly -trimpath -o "$target.tmp.$$" .) >&2 \
      || { rm -f "$target.tmp.$$"; die "go build in tests/deploy/$name failed"; }
    mv "$target.tmp.$$" "$target"
    find "$BIN" -maxdepth 1 -name "$name-*" ! -name "$(basename "$target")" -delete  # older builds
  fi
  printf '%s=%s\n' "$name" "$target"
}

want=("$@")
[[ ${#want[@]} -gt 0 ]] || want=(helm kustomize composecheck dockerfilecheck)
for tool in "${want[@]}"; do
  case "$tool" in
    helm) go_install helm helm.sh/helm/v4/cmd/helm "$HELM_VERSION" ;;
    kustomize) go_install kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION" ;;
    composecheck | dockerfilecheck) go_build_checker "$tool" ;;
    *) die "unknown tool $tool (helm, kustomize, composecheck, dockerfilecheck)" ;;
  esac
done
