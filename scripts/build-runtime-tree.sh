#!/usr/bin/env bash
# Builds the server's runtime tree: the files `node server/bin/posthorn.js serve` needs and the
# production dependencies only, nothing else (no sources of the SDKs, tests, tools, devDependencies).
# The one recipe for it: the Dockerfile's build stage runs this script, and so does
# .ci/check-packaging.sh, which then starts the server from the tree it made.
#
# Usage: bash scripts/build-runtime-tree.sh SRC OUT
#   SRC  a checkout after `npm ci` (whose `prepare` builds every workspace)
#   OUT  the folder to fill (created; should be new or empty)
#
# Per workspace (read from package.json, so a new one is included): its package.json, its bin/
# if any, and its compiled dist/ (a workspace without dist/ gets its src/ instead). So the
# portal page the server serves at /portal/ comes along as portal/dist (server/dist/api/
# portal-files.js finds it at ../../../portal/dist); .ci/check-packaging.sh fetches it. Then `npm ci --omit=dev` in OUT from the same
# lock file, with --ignore-scripts: the root `prepare` (a build) needs devDependencies, and no
# production dependency needs an install script to work.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 SRC OUT" >&2
  exit 2
fi
src="$(cd "$1" && pwd)"
mkdir -p "$2"
out="$(cd "$2" && pwd)"

copy() {
  local path
  for path in "$@"; do
    mkdir -p "$out/$(dirname "$path")"
    cp -R "$src/$path" "$out/$path"
  done
}

copy package.json package-lock.json LICENSE README.md
for workspace in $(cd "$src" && node -p 'require("./package.json").workspaces.join("\n")'); do
  copy "$workspace/package.json"
  if [[ -d "$src/$workspace/bin" ]]; then copy "$workspace/bin"; fi
  if [[ -d "$src/$workspace/dist" ]]; then
    copy "$workspace/dist"
    rm -f "$out/$workspace/dist/.tsbuildinfo" "$out/$workspace/dist/tsconfig.build.tsbuildinfo"
  else
    copy "$workspace/src"
  fi
done

cd "$out"
npm ci --omit=dev --ignore-scripts --no-audit --no-fund
