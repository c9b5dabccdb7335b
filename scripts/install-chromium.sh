#!/bin/sh
# Debian's Chromium for the browser tests (Playwright's own browser download
# does not work offline). Does nothing when the browser the tests use
# ($CHROMIUM, default /usr/bin/chromium) is already there.
set -eu
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
echo "Installing Debian's chromium for the browser tests (apt-get)..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
