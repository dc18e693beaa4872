#!/usr/bin/env bash
# Every JupyterLab the extension claims: for each minor version from the
# lowest that pyproject.toml allows (jupyterlab>=4.4) to the one in .venv (the
# newest, which the rest of the tests use), the newest patch release, in a
# virtual environment of its own with the built wheel installed:
#
#   - the prebuilt extension and the server extension are installed and load
#     (jupyter labextension list / jupyter server extension list);
#   - python -m jupyterlab.browser_check, as the extension template's CI
#     runs it, with Debian's Chromium (scripts/browser-check.py);
#   - the Playwright smoke set (ui-tests/playwright.smoke.config.js): a cell
#     on the gateway, a reload that reattaches, a setting applied live, the
#     status bar and the connection test, the session store.
#
#   scripts/test-jupyterlab-versions.sh          # test every version
#   scripts/test-jupyterlab-versions.sh --setup  # only create/update the venvs
#   scripts/test-jupyterlab-versions.sh --skip-newest-smoke
#       # (scripts/test.sh, after the full Playwright suite): no smoke set
#       # on .venv's version, which that suite has just tested
#
# .venv serves its own version; the others get .venv-jl<major><minor>
# (jupyterlab==<major>.<minor>.*, newest patch, and dist/'s wheel). The
# Kernel Gateways come from .venv. KG_LAB_VERSIONS="4.4 4.5" limits the run.
# Uses the test ports (18888-18921): run it where the other tests run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

quiet() {
  local log
  log="$(mktemp)"
  "$@" >"$log" 2>&1 || { cat "$log"; rm -f "$log"; return 1; }
  rm -f "$log"
}

# The version of jupyterlab in a venv (x.y.z).
lab_version() {
  "$1/bin/python" -c 'import jupyterlab; print(jupyterlab.__version__)'
}

# The minor versions to test: from pyproject.toml's lower bound to .venv's.
minors() {
  if [ -n "${KG_LAB_VERSIONS:-}" ]; then
    echo "$KG_LAB_VERSIONS"
    return
  fi
  local low newest major
  low="$(sed -n 's/^ *"jupyterlab>=\([0-9]*\.[0-9]*\),<[0-9.]*",*$/\1/p' pyproject.toml)"
  [ -n "$low" ] || { echo "No jupyterlab>=X.Y,<Z dependency in pyproject.toml." >&2; exit 1; }
  newest="$(lab_version .venv)"
  major="${low%%.*}"
  [ "${newest%%.*}" = "$major" ] || { echo ".venv has JupyterLab $newest, outside $low.x" >&2; exit 1; }
  seq -f "$major.%g" "${low#*.}" "$(echo "$newest" | cut -d. -f2)" | tr '\n' ' '
}

# The venv for minor version $1 (x.y).
venv_for() {
  local current
  current="$(lab_version .venv)"
  if [ "${current%.*}" = "$1" ]; then
    echo "$ROOT/.venv"
  else
    echo "$ROOT/.venv-jl${1//./}"
  fi
}

# One venv: jupyterlab==$1.* (newest patch, every time: -U) and the wheel;
# and in <venv>/galata/node_modules, the Galata of that JupyterLab (Galata 5.x.y
# goes with JupyterLab 4.x.y: its helpers follow JupyterLab's DOM, e.g. the
# file browser's breadcrumbs), which playwright.smoke.config.js then uses.
# Only Galata's own files: its dependencies come from ui-tests/node_modules
# (those it lacks are installed beside it).
setup_venv() {
  local minor="$1" venv="$2" wheel="$3" galata tarball missing
  [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
  quiet "$venv/bin/python" -m pip install -U "jupyterlab==$minor.*"
  quiet "$venv/bin/python" -m pip install --force-reinstall --no-deps "$wheel"
  quiet "$venv/bin/python" -m pip check
  galata="5.$(lab_version "$venv" | cut -d. -f2-)"
  if [ "$(node -p "require('$venv/galata/node_modules/@jupyterlab/galata/package.json').version" 2>/dev/null)" != "$galata" ]; then
    rm -rf "$venv/galata"
    mkdir -p "$venv/galata"
    tarball="$(cd "$venv/galata" && npm pack --silent "@jupyterlab/galata@~$galata")"
    tar xzf "$venv/galata/$tarball" -C "$venv/galata"
    rm "$venv/galata/$tarball"
    # Its dependencies that ui-tests/node_modules lacks (systeminformation,
    # for Galata 5.4 and 5.5), beside it; then Galata itself (after: npm
    # install removes what it did not install).
    missing="$(node -e '
      const { existsSync } = require("fs");
      const deps = require(process.argv[1]).dependencies || {};
      console.log(Object.entries(deps)
        .filter(([name]) => !existsSync(`${process.argv[2]}/node_modules/${name}`))
        .map(([name, range]) => `${name}@${range}`).join(" "));
    ' "$venv/galata/package/package.json" "$ROOT/ui-tests")"
    if [ -n "$missing" ]; then
      # shellcheck disable=SC2086
      (cd "$venv/galata" && echo '{"private": true}' >package.json &&
        quiet npm install --no-audit --no-fund --no-package-lock --loglevel=error $missing)
    fi
    mkdir -p "$venv/galata/node_modules/@jupyterlab"
    mv "$venv/galata/package" "$venv/galata/node_modules/@jupyterlab/galata"
  fi
}

# Every venv but .venv (scripts/setup.sh makes that one), side by side.
setup_venvs() {
  local wheel minor venv pids=() failed=0
  wheel="$(ls dist/jupyterlab_kernel_gateway-*.whl)"
  for minor in $(minors); do
    venv="$(venv_for "$minor")"
    [ "$venv" = "$ROOT/.venv" ] && continue
    printf 'JupyterLab %s.* and the wheel in %s\n' "$minor" "${venv#"$ROOT"/}"
    setup_venv "$minor" "$venv" "$wheel" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
  done
  return "$failed"
}

SKIP_NEWEST_SMOKE=0
case "${1:-}" in
  --setup)
    setup_venvs
    exit 0
    ;;
  --skip-newest-smoke)
    # scripts/test.sh: its full Playwright suite has just run these tests on
    # .venv's JupyterLab; the other checks still run there.
    SKIP_NEWEST_SMOKE=1
    ;;
  "") ;;
  *)
    echo "Usage: $0 [--setup | --skip-newest-smoke]" >&2
    exit 2
    ;;
esac

# The install routes' checks (scripts/check-extension.sh), in each venv.
# shellcheck source=scripts/check-extension.sh
source scripts/check-extension.sh
check_extensions() {
  check_labextension "$1" "JupyterLab in ${1#"$ROOT"/}" &&
    check_server_extension "$1" "JupyterLab in ${1#"$ROOT"/}"
}

printf '\n==> Every JupyterLab claimed (%s): extensions, browser_check, a Playwright smoke set\n' "$(minors)"
SMOKE_COUNT="$(node -p "require('./ui-tests/playwright.smoke.config.js').metadata.smokeTests")"
declare -A RESULT SECONDS_TAKEN
FAILED=0
START_ALL=$SECONDS
for minor in $(minors); do
  venv="$(venv_for "$minor")"
  start=$SECONDS
  if [ ! -x "$venv/bin/jupyter" ]; then
    echo "No $venv: run scripts/setup.sh --for-tests." >&2
    exit 1
  fi
  version="$(lab_version "$venv")"
  case "$version" in
    "$minor".*) ;;
    *)
      echo "$venv has JupyterLab $version, not $minor.x" >&2
      exit 1
      ;;
  esac
  printf '\n==> JupyterLab %s (%s)\n' "$version" "${venv#"$ROOT"/}"
  status=ok
  check_extensions "$venv" || status="extensions not loaded"

  if [ "$status" = ok ]; then
    printf -- '--> python -m jupyterlab.browser_check\n'
    # Its JupyterLab listens on a test port; it logs to a file, shown on
    # failure only.
    log="$ROOT/ui-tests/.state/browser-check-$version.log"
    mkdir -p "$(dirname "$log")"
    if ! "$venv/bin/python" scripts/browser-check.py \
      --ServerApp.port=18888 --ServerApp.port_retries=0 \
      --ServerApp.allow_root=True >"$log" 2>&1; then
      cat "$log"
      status="browser_check failed"
    fi
  fi

  if [ "$status" = ok ] && [ "$SKIP_NEWEST_SMOKE" = 1 ] && [ "$venv" = "$ROOT/.venv" ]; then
    printf -- '--> Playwright smoke set: skipped (the full suite ran on this version)\n'
  elif [ "$status" = ok ]; then
    printf -- '--> Playwright smoke set\n'
    listed="$(cd ui-tests && KG_LAB_VENV="$venv" npx playwright test \
      -c playwright.smoke.config.js --list | sed -n 's/^Total: \([0-9]*\) tests\{0,1\} .*/\1/p')"
    if [ "$listed" != "$SMOKE_COUNT" ]; then
      echo "The smoke set selects ${listed:-no} tests, not $SMOKE_COUNT: a title in ui-tests/playwright.smoke.config.js no longer matches one test." >&2
      status="smoke set out of date"
    elif ! (cd ui-tests && KG_LAB_VENV="$venv" \
      KG_LAB_RESULTS=".state/smoke-results/jupyterlab-$version" \
      npx playwright test -c playwright.smoke.config.js); then
      status="smoke tests failed (traces: ui-tests/.state/smoke-results/jupyterlab-$version)"
    fi
  fi
  RESULT[$version]="$status"
  SECONDS_TAKEN[$version]=$((SECONDS - start))
  [ "$status" = ok ] || FAILED=1
done

printf '\n==> JupyterLab versions (%d s in all)\n' "$((SECONDS - START_ALL))"
for version in "${!RESULT[@]}"; do
  printf '  %-8s %4d s  %s\n' "$version" "${SECONDS_TAKEN[$version]}" "${RESULT[$version]}"
done | sort -V
exit "$FAILED"
