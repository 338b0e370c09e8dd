#!/usr/bin/env bash
# Install everything the platform needs that is missing, idempotently:
# uv (from PyPI), the workspace's Python environments (one for developers with every
# package and tool, one per service with only its declared dependencies), and the
# local servers (scripts/infra.sh setup). Safe to re-run; fast when nothing is missing.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
STATE="${RENTEZY_STATE:-$REPO/.rentezy}"
# The per-service environments; another state directory (the fault suite's private
# platform) can share them.
VENVS="${RENTEZY_VENVS:-$STATE/venvs}"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --- Python 3.11 and uv --------------------------------------------------------------
PYTHON="$(command -v python3.11 || true)"
if [[ -z "$PYTHON" ]] && command -v python3 >/dev/null \
    && python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  PYTHON="$(command -v python3)"
fi
[[ -n "$PYTHON" ]] || die "Python 3.11 not found (apt-get install python3.11, or pyenv install 3.11)"

if ! command -v uv >/dev/null; then
  say "installing uv from PyPI"
  "$PYTHON" -m pip install --quiet 'uv>=0.5' || die "could not install uv (pip install uv)"
  hash -r
  command -v uv >/dev/null || die "uv installed but not on PATH (add \$($PYTHON -m site --user-base)/bin to PATH)"
fi
export UV_PYTHON="$PYTHON"

# --- environments ----------------------------------------------------------------------
say "syncing the developer environment (.venv)"
uv sync --quiet --frozen --all-packages

# Each service runs (and is tested) in an environment holding only what its
# pyproject.toml declares, as its container image would: an undeclared import fails.
mapfile -t SERVICES < <(.venv/bin/python -m rentezy_common.platform | awk '{print $2}')
for dir in "${SERVICES[@]}"; do
  package="rentezy-${dir//_/-}"
  UV_PROJECT_ENVIRONMENT="$VENVS/$dir" uv sync --quiet --frozen --package "$package"
done
say "service environments ready under ${VENVS#"$REPO"/} (${#SERVICES[@]} services)"

# --- local servers -----------------------------------------------------------------------
"$REPO/scripts/infra.sh" setup
