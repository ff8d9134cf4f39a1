#!/usr/bin/env bash
# Installs the protoc plugins that buf.gen.yaml runs for Go and Python into .tools/ (git-ignored):
#   .tools/bin/protoc-gen-go, .tools/bin/protoc-gen-go-grpc   (go install, Go module proxy)
#   .tools/venv/ with grpcio-tools                          (pip, PyPI)
#   .tools/bin/protoc-gen-posthorn-python                   (shim: runs sdk/python/codegen/ in that venv)
# Versions are pinned here; changing one changes the generated code, so regenerate and commit.
# Idempotent: a second run reinstalls nothing that is already at the pinned version.
set -euo pipefail

PROTOC_GEN_GO_VERSION=v1.36.12      # google.golang.org/protobuf; keep equal to sdk/go/go.mod
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2   # google.golang.org/grpc/cmd/protoc-gen-go-grpc
GRPCIO_TOOLS_VERSION=1.85.1         # bundles libprotoc and the grpc python generator

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
bin="$tools/bin"
venv="$tools/venv"
mkdir -p "$bin"

stamp="$tools/versions"
want="go=$PROTOC_GEN_GO_VERSION go-grpc=$PROTOC_GEN_GO_GRPC_VERSION grpcio-tools=$GRPCIO_TOOLS_VERSION"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$bin/protoc-gen-go" && -x "$bin/protoc-gen-go-grpc" \
      && -x "$bin/protoc-gen-posthorn-python" && -x "$venv/bin/python" ]]; then
  echo "codegen plugins already installed ($want)"
  exit 0
fi

echo "installing protoc-gen-go $PROTOC_GEN_GO_VERSION and protoc-gen-go-grpc $PROTOC_GEN_GO_GRPC_VERSION"
GOBIN="$bin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
GOBIN="$bin" go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"

echo "installing grpcio-tools $GRPCIO_TOOLS_VERSION into $venv"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "grpcio-tools==$GRPCIO_TOOLS_VERSION"

# The shim finds the repository from its own location, so the checkout can move.
cat > "$bin/protoc-gen-posthorn-python" <<'SHIM'
#!/usr/bin/env bash
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/../venv/bin/python" "$here/../../sdk/python/codegen/protoc_gen_posthorn_python.py" "$@"
SHIM
chmod +x "$bin/protoc-gen-posthorn-python"

echo "$want" > "$stamp"
echo "codegen plugins installed in $bin"
