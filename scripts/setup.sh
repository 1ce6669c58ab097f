# Idempotent installers shared by scripts/run and scripts/test (sourced, not run).
# Each step checks first and skips what is already there, so a second run costs seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

APT_UPDATED=0
# ensure_apt PROGRAM PACKAGE: installs PACKAGE from Debian unless PROGRAM is on PATH.
ensure_apt() {
  local prog="$1" pkg="$2"
  command -v "$prog" >/dev/null 2>&1 && return 0
  say "installing $pkg (apt)"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$pkg" >/dev/null
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown && return 0
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}

ensure_base_tools() {
  ensure_apt openssl openssl
  ensure_apt python3 python3
  ensure_apt curl curl
  ensure_wasm_target
}
