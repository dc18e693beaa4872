#!/usr/bin/env bash
# Prepare a separate virtual environment, .venv-eg, with Jupyter Enterprise
# Gateway 3.3.0 for the tests that run against it (tests/harness/enterprise.js).
# Enterprise Gateway needs jupyter_server 1.x and jupyter_client 6.x, which
# cannot live beside JupyterLab 4 in .venv. Safe to run again: it reuses the
# environment when it is already there. Quiet unless something fails.
#
#   scripts/setup-enterprise-gateway.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv-eg"
PYTHON="${PYTHON:-python3}"

# Run a command quietly; show its output only if it fails.
quiet() {
  local log
  log="$(mktemp)"
  "$@" >"$log" 2>&1 || { cat "$log"; rm -f "$log"; return 1; }
  rm -f "$log"
}
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

# The set that starts and runs local kernels on Python 3.11 (checked by
# running kernels, websockets, culling, restart and interrupt against it).
# ipykernel 7 is reported to drop Enterprise Gateway's messages; pyzmq 25+
# and jupyter_client 7+ are refused by Enterprise Gateway itself.
PACKAGES=(
  "jupyter-enterprise-gateway==3.3.0"
  "jupyter_server==1.24.0"
  "jupyter_client==6.1.12"
  "ipykernel==6.29.5"
  "pyzmq==24.0.1"
  "tornado>=6.1,<7"
  "traitlets>=5.1,<6"
)

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  # Debian and Ubuntu ship venv's ensurepip in a separate package.
  if ! "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1; then
    echo "$PYTHON cannot create a virtual environment (no ensurepip): installing Debian's python3-venv."
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null 2>&1 || {
        echo "Run as root or install sudo, or install python3-venv yourself (apt-get install python3-venv)." >&2
        exit 1
      }
      SUDO="sudo"
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  fi
  quiet "$PYTHON" -m venv "$VENV"
fi

# pip freeze is cheap: install only when a pinned package is missing or differs.
if ! "$VENV/bin/python" - "${PACKAGES[@]}" >/dev/null 2>&1 <<'EOF'
import sys
from importlib.metadata import version
from packaging.requirements import Requirement
for spec in sys.argv[1:]:
    req = Requirement(spec)
    if not req.specifier.contains(version(req.name), prereleases=True):
        sys.exit(1)
EOF
then
  quiet "$VENV/bin/python" -m pip install "${PACKAGES[@]}"
fi

VERSION="$("$VENV/bin/jupyter" enterprisegateway --version 2>&1)" || {
  echo "$VERSION"
  echo "jupyter enterprisegateway does not run in $VENV." >&2
  exit 1
}
[ "$VERSION" = "3.3.0" ] || {
  echo "Expected Enterprise Gateway 3.3.0 in $VENV, found: $VERSION" >&2
  exit 1
}
# The local kernel Enterprise Gateway starts for the "python3" kernelspec.
quiet "$VENV/bin/python" -c 'import ipykernel, zmq, jupyter_client'
