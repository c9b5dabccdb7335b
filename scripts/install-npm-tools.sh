#!/bin/sh
# The test suite's tools from npm, at the versions locked in tests/npm/package-lock.json:
# axe-core (accessibility scans injected into Chromium) and terser (reader.js's minified
# size). Installs into tests/npm/node_modules; does nothing when that install matches the
# lock. Installs Debian's nodejs and npm first when npm is missing.
set -eu
cd "$(dirname "$0")/../tests/npm"
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    echo "Installing Debian's nodejs and npm for the test tools (apt-get)..."
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
# npm ci writes node_modules/.package-lock.json; a copy of the lock marks a finished install.
if [ -f node_modules/.installed-lock.json ] && cmp -s package-lock.json node_modules/.installed-lock.json; then
    exit 0
fi
echo "Installing the test tools from npm (tests/npm/package-lock.json)..."
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json node_modules/.installed-lock.json
