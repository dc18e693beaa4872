#!/usr/bin/env bash
# Prepare everything the demo and the tests need, on a fresh machine that has
# only Python 3, Node.js 20, npm, git and apt (for python3-venv when Python
# cannot create a venv, and for Chromium with --for-tests). Safe to run again:
# it reuses what is already there and rebuilds the extension.
#
#   scripts/setup.sh              # venv, npm packages, build, install
#   scripts/setup.sh --for-tests  # also the UI-test packages, Chromium and
#                                 # Enterprise Gateway (.venv-eg)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"
FOR_TESTS=0
[ "${1:-}" = "--for-tests" ] && FOR_TESTS=1

step() { printf '\n==> %s\n' "$*"; }
# Run a command quietly; show its output only if it fails.
quiet() {
  local log
  log="$(mktemp)"
  "$@" >"$log" 2>&1 || { cat "$log"; rm -f "$log"; return 1; }
  rm -f "$log"
}
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

step "Python virtual environment in .venv (JupyterLab, Jupyter Kernel Gateway, jupyter-builder)"
# Also when a venv is there without pip (left by a run that lacked ensurepip):
# creating it again in place adds pip and keeps the rest.
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
  "$PYTHON" -m venv "$VENV"
fi
quiet "$VENV/bin/python" -m pip install -r requirements-dev.txt
export PATH="$VENV/bin:$PATH"

step "npm packages"
npm ci --no-audit --no-fund --loglevel=error

step "Build the extension (TypeScript, then the prebuilt JupyterLab bundle)"
npm run --silent build:prod

step "Package it as a wheel and install it into .venv (what users get from pip)"
rm -rf dist
quiet "$VENV/bin/python" -m pip wheel --no-deps --wheel-dir dist .
quiet "$VENV/bin/python" -m pip install --force-reinstall --no-deps dist/jupyterlab_kernel_gateway-*.whl
# A developer install (jupyter-builder develop) leaves a symlink that would
# shadow the wheel's copy: remove it.
LINK="$VENV/share/jupyter/labextensions/jupyterlab-kernel-gateway"
if [ -L "$LINK" ]; then
  rm "$LINK"
  quiet "$VENV/bin/python" -m pip install --force-reinstall --no-deps dist/jupyterlab_kernel_gateway-*.whl
fi
# shellcheck source=scripts/check-extension.sh
source scripts/check-extension.sh
check_labextension "$VENV" "The wheel in .venv" || exit 1

if [ "$FOR_TESTS" = 1 ]; then
  step "UI-test packages (Galata, Playwright; no browser download)"
  (cd ui-tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

  step "Enterprise Gateway 3.3.0 in .venv-eg (it needs jupyter_server 1.x)"
  scripts/setup-enterprise-gateway.sh

  step "The older JupyterLab minor versions the extension claims, with the wheel (.venv-jl44, ...)"
  scripts/test-jupyterlab-versions.sh --setup

  step "Chromium, nginx and openssl from Debian (nginx is run by the tests, not as a service)"
  MISSING=()
  [ -x /usr/bin/chromium ] || MISSING+=(chromium)
  [ -x /usr/sbin/nginx ] || MISSING+=(nginx)
  command -v openssl >/dev/null 2>&1 || MISSING+=(openssl)
  if [ "${#MISSING[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" != 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${MISSING[@]}" >/dev/null
  fi
  /usr/bin/chromium --version
  /usr/sbin/nginx -v
fi

step "Ready"
