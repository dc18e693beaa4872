/**
 * Ports, tokens and directories of the servers the UI tests start (see
 * playwright.config.js). Shared by the configuration and the tests.
 */
const fs = require('fs');
const path = require('path');

const ports = {
  lab: 18888,
  gateway: 18889,
  secureLab: 18890,
  secureGateway: 18891,
  relay: 18892,
  secondGateway: 18893,
  noCorsGateway: 18894,
  // The fault tests' own gateways (started by the tests) and relays.
  faultGateway: 18895,
  faultRelay: 18896,
  cullGateway: 18897,
  cullRelay: 18898,
  fullGateway: 18900,
  fullRelay: 18901,
  corsGateway: 18902,
  corsRelay: 18903,
  staleGateway: 18904,
  staleRelay: 18905,
  // A reverse proxy that adds CORS headers to the main gateway's answers.
  corsProxy: 18906,
  // A gateway with Kernel Gateway's default: listing kernels forbidden.
  unlistedGateway: 18907,
  unlistedRelay: 18908
};

const tokens = {
  gateway: 'ui-gateway-token-5f1c',
  secondGateway: 'ui-second-gateway-token-3b7a',
  noCorsGateway: 'ui-no-cors-token-c41d',
  faultGateway: 'ui-fault-token-8e02',
  secureGateway: 'ui-secure-gateway-token-9d2e',
  lab: 'ui-local-server-token-71ab'
};

const STATE = path.join(__dirname, '..', '.state');

/**
 * A directory (created) or file path under ui-tests/.state.
 */
function state(name) {
  const target = path.join(STATE, name);
  if (!path.extname(name)) {
    fs.mkdirSync(target, { recursive: true });
  } else {
    fs.mkdirSync(STATE, { recursive: true });
  }
  return target;
}

/**
 * The Kernel Gateway command line a page at 127.0.0.1:<labPort> can use.
 */
function gatewayCommand(jupyter, port, token, labPort, origin) {
  return [
    jupyter,
    'kernelgateway',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--port_retries=0',
    `--KernelGatewayApp.allow_origin=${origin ?? `http://127.0.0.1:${labPort}`}`,
    '--KernelGatewayApp.allow_headers=Content-Type',
    '--KernelGatewayApp.allow_methods=GET,POST,DELETE,OPTIONS',
    '--JupyterWebsocketPersonality.list_kernels=True',
    '--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=1000000000'
  ].join(' ');
}

/**
 * The environment of a server process.
 */
function env(extra) {
  const venvBin = path.join(__dirname, '..', '..', '.venv', 'bin');
  return {
    ...process.env,
    PATH: `${venvBin}${path.delimiter}${process.env.PATH}`,
    ...extra
  };
}

/**
 * The Kernel Gateway the main JupyterLab uses, as the tests address it.
 */
const gateway = {
  url: `http://localhost:${ports.gateway}/`,
  token: tokens.gateway,
  /**
   * The name the extension shows beside the gateway's kernels.
   */
  name: 'ui-gateway',
  /**
   * How a kernelspec of this gateway is shown ("Python 3 [ui-gateway]").
   */
  spec(displayName) {
    return `${displayName} [ui-gateway]`;
  },
  /**
   * The gateway's own view of its kernels (`GET /api/kernels`).
   */
  async kernels() {
    const response = await fetch(
      `http://127.0.0.1:${ports.gateway}/api/kernels?token=${tokens.gateway}`
    );
    if (!response.ok) {
      throw new Error(`GET /api/kernels answered ${response.status}`);
    }
    return response.json();
  },
  async shutdownAll() {
    for (const kernel of await gateway.kernels()) {
      await fetch(
        `http://127.0.0.1:${ports.gateway}/api/kernels/${kernel.id}?token=${tokens.gateway}`,
        { method: 'DELETE' }
      );
    }
  }
};

module.exports = {
  ports,
  tokens,
  state,
  gatewayCommand,
  env,
  gateway,
  STATE,
  LAB_ROOT: path.join(STATE, 'lab-root')
};
