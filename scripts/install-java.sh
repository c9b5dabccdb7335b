#!/bin/sh
# Debian's Java runtime for the Nu HTML Checker (npm vnu-jar), which the tests run on every
# page kind. Does nothing when `java` is already there.
set -eu
if command -v java >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
echo "Installing Debian's default-jre-headless for the Nu HTML Checker (apt-get)..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null
