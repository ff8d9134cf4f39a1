#!/usr/bin/env bash
# CI for the Go and Python side (called from .ci/run after `npm ci`):
#   1. install the codegen plugins (Go module proxy, PyPI) into .tools/
#   2. regenerate with buf and fail if sdk/go/gen or sdk/python/src/posthorn/gen changed
#   3. sdk/go: gofmt, go vet, go test (vectors, standardwebhooks interop, real server)
#   4. sdk/python: install the package with its test extras into .tools/venv-sdk, pytest
# The integration tests start the real server on the embedded database (DATABASE_URL is
# removed from the server's environment), so no PostgreSQL is needed here.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$SECONDS
step() { echo; echo "== ci-polyglot: $* ($((SECONDS - started)) s)"; }

if [[ ! -x node_modules/.bin/buf || ! -x node_modules/.bin/tsx ]]; then
  echo "node_modules/.bin/buf or tsx is missing: run npm ci first" >&2
  exit 1
fi

step "install codegen plugins"
bash scripts/install-codegen-plugins.sh

step "regenerate and check for drift"
generated=(sdk/go/gen sdk/python/src/posthorn/gen)
node_modules/.bin/buf generate
drift="$(git status --porcelain --untracked-files=all -- "${generated[@]}")"
if [[ -n "$drift" ]]; then
  echo "generated code is out of date; run 'npm run generate' and commit:" >&2
  echo "$drift" >&2
  git --no-pager diff --stat -- "${generated[@]}" >&2
  exit 1
fi
echo "no drift in ${generated[*]}"

step "go: gofmt, vet, test"
(
  cd sdk/go
  unformatted="$(gofmt -l .)"
  if [[ -n "$unformatted" ]]; then
    echo "gofmt needed on: $unformatted" >&2
    exit 1
  fi
  go vet ./...
  go test -count=1 ./...
)

step "python: install and pytest"
venv="$root/.tools/venv-sdk"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "sdk/python[test]"
(cd sdk/python && "$venv/bin/python" -m pytest -q)

step "done"
