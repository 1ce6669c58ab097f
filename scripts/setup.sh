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
  command -v "$1" >/dev/null 2>&1 && return 0
  apt_install "$2"
}

apt_install() {
  say "installing $1 (apt)"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$1" >/dev/null
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
  ensure_apt /usr/bin/time time  # peak memory of the CLI (crate/tests/fleet.rs)
  ensure_wasm_target
}

# The wasm-bindgen version the workspace is locked to (the CLI must match it exactly).
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock"
}

# ensure_cargo_tool BINARY VERSION CRATE [extra cargo install args]: installs CRATE at
# VERSION unless `BINARY --version` already reports it.
ensure_cargo_tool() {
  local bin="$1" version="$2" crate="$3"; shift 3
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -q " $version"; then return 0; fi
  say "installing $crate $version (cargo install; several minutes, once)"
  cargo install "$crate" --version "~$version" "$@"
}

ensure_wasm_bindgen() {
  local v; v="$(wasm_bindgen_version)"
  # Without --locked: wasm-bindgen-cli's own lockfile wants a crate version the registry lacks.
  if command -v wasm-bindgen >/dev/null && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$v" ]; then return 0; fi
  say "installing wasm-bindgen-cli $v (cargo install; several minutes, once)"
  cargo install wasm-bindgen-cli --version "=$v"
}

# Whether node_modules holds every package of package-lock.json at its locked version (by
# content, not file times: a fresh checkout or worktree has a newer lock with the same packages;
# a lock that gained or changed a package, or a package deleted by hand, is noticed).
npm_up_to_date() {
  (cd "$ROOT" && node -e '
    const fs = require("fs");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
    for (const [path, p] of Object.entries(lock.packages ?? {})) {
      if (!path.startsWith("node_modules/") || p.optional) continue;
      let v;
      try { v = JSON.parse(fs.readFileSync(path + "/package.json", "utf8")).version; } catch { process.exit(1); }
      if (v !== p.version) process.exit(1);
    }') 2>/dev/null
}

ensure_npm() {
  ensure_apt node nodejs
  npm_up_to_date && return 0
  # npm ci empties node_modules first: through a symlink (a worktree sharing another
  # checkout's packages) it would empty the other checkout's folder. Refuse instead.
  if [ -L "$ROOT/node_modules" ]; then
    echo "node_modules links to $(readlink -f "$ROOT/node_modules"), which lacks packages of this package-lock.json;" \
      "npm ci would empty that folder: run npm ci in the checkout it belongs to, or remove the link." >&2
    return 1
  fi
  say "installing npm packages (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
}

ensure_chromium() {
  ensure_apt chromium chromium
  ensure_apt chromedriver chromium-driver
  ensure_apt certutil libnss3-tools
}

# ensure_apt_file FILE PACKAGE: installs PACKAGE from Debian unless FILE exists (libraries).
ensure_apt_file() {
  [ -e "$1" ] && return 0
  apt_install "$2"
}

# mbedTLS, the TLS library of ESP-IDF, Arduino and Zephyr: echo/tests/firmware.rs compiles a
# device program against it with a kit's generated C header.
ensure_mbedtls() {
  ensure_apt cc gcc
  ensure_apt_file /usr/include/mbedtls/ssl.h libmbedtls-dev
}

# What the CLI's conventions are checked with (crate/tests/cli_conventions.rs): man-db's `man`
# and groff render the man page, bash/zsh/fish load the completion scripts, util-linux's
# `script` (package bsdutils) gives the progress bar a pseudo-terminal.
ensure_cli_tools() {
  ensure_apt man man-db
  ensure_apt groff groff-base
  ensure_apt zsh zsh
  ensure_apt fish fish
  ensure_apt script bsdutils
}

# The servers the kit's snippets are for (echo/tests/snippets.rs, mqtt.rs): Debian's nginx,
# started by the tests in the foreground with a temporary prefix, and the mosquitto broker
# with its clients mosquitto_pub/mosquitto_sub.
ensure_nginx() {
  ensure_apt nginx nginx
}
ensure_mosquitto() {
  ensure_apt mosquitto mosquitto
  ensure_apt mosquitto_pub mosquitto-clients
}

# Qt 5's headers and QtNetwork for the one small program echo/tests/qt.rs compiles around the
# kit's Qt snippet (g++ and pkg-config with it).
ensure_qt() {
  ensure_apt g++ g++
  ensure_apt pkg-config pkg-config
  pkg-config --exists Qt5Network || apt_install qtbase5-dev
}

# The second browser of the end-to-end tests (tests/e2e/firefox.test.mjs).
ensure_firefox() {
  ensure_apt firefox-esr firefox-esr
}

# Python packages (pinned) for the tests: `websockets`, an independent wss client for
# certlab-echo's tests (echo/tests/py/ws_client.py), `cryptography`, an independent X.509
# verifier for the engine's (crate/tests/py/verify_kit.py), and `requests` and `paho-mqtt`,
# which the kit's snippets use (echo/tests/snippets.rs, echo/tests/mqtt.rs). pip first; if the interpreter is
# externally managed (PEP 668), a venv under the ignored target/ dir. CERTLAB_PYTHON (and
# ECHO_PYTHON, the same) tell the tests which python3 to run.
PY_WEBSOCKETS_VERSION=15.0.1
PY_CRYPTOGRAPHY_VERSION=48.0.0
PY_REQUESTS_VERSION=2.32.5
PY_PAHO_MQTT_VERSION=2.1.0
PY_PACKAGES=("websockets==$PY_WEBSOCKETS_VERSION" "cryptography==$PY_CRYPTOGRAPHY_VERSION"
  "requests==$PY_REQUESTS_VERSION" "paho-mqtt==$PY_PAHO_MQTT_VERSION")
python_has_packages() {
  "$1" - <<PY >/dev/null 2>&1
import importlib.metadata as m
assert m.version("websockets") == "$PY_WEBSOCKETS_VERSION"
assert m.version("cryptography") == "$PY_CRYPTOGRAPHY_VERSION"
assert m.version("requests") == "$PY_REQUESTS_VERSION"
assert m.version("paho-mqtt") == "$PY_PAHO_MQTT_VERSION"
PY
}
ensure_python_packages() {
  local venv="$ROOT/target/py-venv" py=python3
  if ! python_has_packages python3; then
    if [ -x "$venv/bin/python3" ] && python_has_packages "$venv/bin/python3"; then
      py="$venv/bin/python3"
    else
      say "installing Python ${PY_PACKAGES[*]} (pip)"
      if ! python3 -m pip install --quiet "${PY_PACKAGES[@]}"; then
        say "pip refused (externally managed?): using a venv in $venv"
        python3 -m venv "$venv"
        "$venv/bin/python3" -m pip install --quiet "${PY_PACKAGES[@]}"
        py="$venv/bin/python3"
      fi
    fi
  fi
  export CERTLAB_PYTHON="$py" ECHO_PYTHON="$py"
}

# wasm-pack release used to build the JS package.
WASM_PACK_VERSION=0.15

# Trunk builds the page; 0.22 needs a newer rustc than this machine has.
TRUNK_VERSION=0.21.14
ensure_trunk() {
  if command -v trunk >/dev/null && trunk --version | grep -q " $TRUNK_VERSION"; then return 0; fi
  say "installing trunk $TRUNK_VERSION (cargo install; ~10 minutes, once)"
  cargo install trunk --version "=$TRUNK_VERSION" --locked
}

# Builds the page into ./dist. Trunk.toml is offline with pinned tools (wasm-bindgen from
# cargo, wasm-opt from npm's binaryen); Trunk's own `cargo metadata` needs the crates fetched.
build_page() {
  ensure_wasm_target; ensure_wasm_bindgen; ensure_npm; ensure_trunk
  cargo fetch --locked
  TRUNK_SKIP_VERSION_CHECK=true CARGO_NET_OFFLINE=true trunk build --release
}
