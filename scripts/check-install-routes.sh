#!/usr/bin/env bash
# Check the three install routes of the README, each in a throw-away virtual
# environment:
#   1. pip install of the wheel (prebuilt; what users get);
#   2. developer mode: pip install -e . + jupyter-builder develop . --overwrite;
#   3. the source extension: jupyter labextension install <npm tarball>.
# After each, `jupyter labextension list` must show the extension enabled and
# OK, and JupyterLab's default kernel, kernelspec and session plugins
# disabled; after the pip routes, the package's server extension (which gives
# the page the absolute root directory) must be enabled too. Needs what
# scripts/setup.sh made (dist/*.whl, lib/).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
PYTHON="${PYTHON:-python3}"

# Run a command quietly; show its output only if it fails.
quiet() {
  local log="$WORK/quiet.log"
  "$@" >"$log" 2>&1 || { cat "$log"; return 1; }
}

# shellcheck source=scripts/check-extension.sh
source scripts/check-extension.sh

check_list() {
  check_labextension "$1" "Route $2" || exit 1
  echo "Route $2: OK"
}

check_server() {
  check_server_extension "$1" "Route $2" || exit 1
  echo "Route $2: server extension OK"
}

echo "==> Route 1: pip install the wheel"
"$PYTHON" -m venv "$WORK/wheel"
quiet "$WORK/wheel/bin/pip" install dist/jupyterlab_kernel_gateway-*.whl
check_list "$WORK/wheel" 1
check_server "$WORK/wheel" 1

echo "==> Route 2: developer mode"
"$PYTHON" -m venv "$WORK/dev"
quiet "$WORK/dev/bin/pip" install "jupyterlab>=4.4,<5" "jupyter-builder>=1.2,<2"
(
  export PATH="$WORK/dev/bin:$PATH"
  quiet pip install -e .
  quiet jupyter-builder develop . --overwrite
)
check_list "$WORK/dev" 2
check_server "$WORK/dev" 2
# Leave the working tree with a production build, as setup.sh made it.
PATH="$ROOT/.venv/bin:$PATH" quiet npm run build:prod

echo "==> Route 3: jupyter labextension install <npm tarball> (rebuilds JupyterLab)"
# JupyterLab 4.6.4: this machine's npm registry lacks some @jupyterlab/*
# 4.6.6 tarballs that a 4.6.6 rebuild would fetch.
"$PYTHON" -m venv "$WORK/source"
quiet "$WORK/source/bin/pip" install "jupyterlab==4.6.4"
npm pack --silent --pack-destination "$WORK" >/dev/null
(
  export PATH="$WORK/source/bin:$PATH"
  jupyter labextension install "$WORK"/jupyterlab-kernel-gateway-*.tgz >"$WORK/route3.log" 2>&1 ||
    { tail -40 "$WORK/route3.log"; exit 1; }
)
check_list "$WORK/source" 3
