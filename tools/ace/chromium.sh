#!/bin/sh
# Debian's Chromium for Ace's puppeteer runner (PUPPETEER_EXECUTABLE_PATH points here).
# Puppeteer already passes --disable-background-networking, --disable-sync and
# --no-first-run, and Ace passes --no-sandbox (needed as root); these keep the
# browser from reaching out on its own.  CHROMIUM overrides the browser binary.
exec "${CHROMIUM:-/usr/bin/chromium}" --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run "$@"
