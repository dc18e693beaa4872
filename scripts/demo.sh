#!/usr/bin/env bash
# Run the demo: a real Jupyter Kernel Gateway on 127.0.0.1:8889 and
# JupyterLab on 127.0.0.1:8888 with this extension already pointed at it.
# Notebooks are saved by JupyterLab in .state/demo/notebooks (seeded from
# ./demo on the first run); kernels run on the gateway.
# Ctrl-C stops both. Ports: LAB_PORT, GATEWAY_PORT.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
export PATH="$ROOT/.venv/bin:$PATH"

LAB_PORT="${LAB_PORT:-8888}"
GATEWAY_PORT="${GATEWAY_PORT:-8889}"
STATE="$ROOT/.state/demo"
mkdir -p "$STATE/gateway-root" "$STATE/settings" "$STATE/user-settings"
if [ ! -d "$STATE/notebooks" ]; then
  mkdir -p "$STATE/notebooks"
  cp -r demo/. "$STATE/notebooks/"
fi
GATEWAY_TOKEN="$(python -c 'import secrets; print(secrets.token_hex(16))')"
LAB_TOKEN="$(python -c 'import secrets; print(secrets.token_hex(16))')"
# JupyterLab's page is http://127.0.0.1:<port>; the gateway is addressed as
# localhost so that the browser does not send JupyterLab's cookies to it.
LAB_ORIGIN="http://127.0.0.1:$LAB_PORT"
GATEWAY_URL="http://localhost:$GATEWAY_PORT/"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# Whether <url> answers with any HTTP status (Python from .venv: curl may be
# missing on a fresh machine).
answers() {
  python -c '
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=2).close()
except urllib.error.HTTPError:
    pass
' "$1" >/dev/null 2>&1
}
# Stop if something already answers at <url>: it would pass for our server.
port_free() {
  if answers "$2"; then
    echo "Port $1 is already in use (something answers at $2): stop it, or set LAB_PORT/GATEWAY_PORT." >&2
    exit 1
  fi
}
# Wait up to <tries> x 0.2 s for <url> to answer while <pid> runs; else show
# <log> and stop with a message naming it.
wait_for() {
  local name="$1" url="$2" pid="$3" log="$4" tries="$5"
  for _ in $(seq 1 "$tries"); do
    answers "$url" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null && answers "$url"; then
    return 0
  fi
  cat "$log"
  echo "$name did not start: nothing answered at $url (log: $log)." >&2
  exit 1
}

port_free "$GATEWAY_PORT" "http://127.0.0.1:$GATEWAY_PORT/api"
port_free "$LAB_PORT" "http://127.0.0.1:$LAB_PORT/api"
echo "==> Starting Jupyter Kernel Gateway on 127.0.0.1:$GATEWAY_PORT"
(
  cd "$STATE/gateway-root"
  KG_AUTH_TOKEN="$GATEWAY_TOKEN" exec jupyter kernelgateway \
    --ip=127.0.0.1 --port="$GATEWAY_PORT" --port_retries=0 \
    --KernelGatewayApp.allow_origin="$LAB_ORIGIN" \
    --KernelGatewayApp.allow_headers=Content-Type \
    --KernelGatewayApp.allow_methods=GET,POST,DELETE,OPTIONS \
    --JupyterWebsocketPersonality.list_kernels=True \
    --ZMQChannelsWebsocketConnection.iopub_data_rate_limit=1000000000 \
    --config="$ROOT/gateway-config/kernel_gateway_nodelay.py"
) >"$STATE/gateway.log" 2>&1 &
PIDS+=($!)
wait_for "The Kernel Gateway" "http://127.0.0.1:$GATEWAY_PORT/api" "$!" "$STATE/gateway.log" 100

# Preset the extension the way an administrator would: overrides.json.
cat >"$STATE/settings/overrides.json" <<JSON
{
  "jupyterlab-kernel-gateway:plugin": {
    "gatewayUrl": "$GATEWAY_URL",
    "authToken": "$GATEWAY_TOKEN"
  }
}
JSON

echo "==> Starting JupyterLab on 127.0.0.1:$LAB_PORT"
ALLOW_ROOT=()
[ "$(id -u)" = 0 ] && ALLOW_ROOT=(--allow-root)
jupyter lab --no-browser "${ALLOW_ROOT[@]}" \
  --ServerApp.ip=127.0.0.1 --ServerApp.port="$LAB_PORT" --ServerApp.port_retries=0 \
  --ServerApp.root_dir="$STATE/notebooks" \
  --IdentityProvider.token="$LAB_TOKEN" \
  --LabApp.app_settings_dir="$STATE/settings" \
  --LabApp.user_settings_dir="$STATE/user-settings" \
  --KernelGatewaySessionStore.database_path="$STATE/sessions.db" \
  >"$STATE/jupyterlab.log" 2>&1 &
PIDS+=($!)
wait_for "JupyterLab" "http://127.0.0.1:$LAB_PORT/api" "$!" "$STATE/jupyterlab.log" 150

cat <<MSG

  Demo running. Open this URL in your browser:

      $LAB_ORIGIN/lab/tree/where-does-my-kernel-run.ipynb?token=$LAB_TOKEN

  Notebooks are saved in $STATE/notebooks (the local server);
  kernels run on the Kernel Gateway at $GATEWAY_URL
  (logs: $STATE/gateway.log, $STATE/jupyterlab.log).
  Press Ctrl-C to stop both servers.

MSG
wait -n "${PIDS[@]}"
