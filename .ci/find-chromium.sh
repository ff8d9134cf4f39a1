#!/usr/bin/env bash
# Prints the path of a Chromium for the portal's browser test (playwright-core drives it), and
# installs Debian's `chromium` package first when there is none (as root, or through sudo).
# POSTHORN_CHROMIUM, when set, names the browser to use and nothing is installed.
set -euo pipefail

if [ -n "${POSTHORN_CHROMIUM:-}" ]; then
  echo "$POSTHORN_CHROMIUM"
  exit 0
fi
find_it() { command -v chromium || command -v chromium-browser || true; }
path=$(find_it)
if [ -z "$path" ]; then
  echo "Chromium missing; installing Debian's chromium package" >&2
  as_root=()
  if [ "$(id -u)" != 0 ]; then as_root=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq >&2
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
  path=$(find_it)
fi
if [ -z "$path" ]; then
  echo "no Chromium found after installing the chromium package" >&2
  exit 1
fi
echo "$path"
