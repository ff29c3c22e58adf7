#!/usr/bin/env bash
# Debian's Chromium for `npm run test:browser` (playwright-core drives it; it downloads no browser).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
	echo "Chromium is missing: run 'sudo apt-get install chromium' (Debian), then npm run test:browser again" >&2
	exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
