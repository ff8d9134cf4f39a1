#!/usr/bin/env bash
# Regenerates code from proto/ and fails if anything committed differs (or is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f scripts/install-codegen-plugins.sh ]; then bash scripts/install-codegen-plugins.sh >/dev/null; fi
npm run --silent generate
if [ -n "$(git status --porcelain -- sdk/proto/src/gen sdk/go sdk/python)" ]; then
  echo "Generated code is out of date; run 'npm run generate' and commit:" >&2
  git status --porcelain -- sdk/proto/src/gen sdk/go sdk/python >&2
  git --no-pager diff --stat -- sdk >&2
  exit 1
fi
echo "generated code matches proto/"
