/**
 * Ports, tokens and directories of the servers the UI tests start (see
 * playwright.config.js). Shared by the configuration and the tests.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const { stopProcess, waitForHttp } = require('../../tests/harness/gateway');
const { waitForPort } = require('../../tests/harness/nginx');

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
  unlistedRelay: 18908,
  // A JupyterLab the tests restart, and its gateway.
  restartLab: 18909,
  restartGateway: 18910,
  // An Enterprise Gateway (behind a relay), and where its remote kernels
  // report back.
  enterpriseGateway: 18911,
  enterpriseRelay: 18912,
  enterpriseResponse: 18913,
  // Behind nginx (TLS, a path prefix): the gateway, nginx's servers with a
  // good, an expired, a wrong-host and a self-signed certificate; a gateway
  // that pings its websockets, with its own nginx; a JupyterLab on https.
  proxiedGateway: 18914,
  nginxGood: 18915,
  nginxExpired: 18916,
  nginxWrongHost: 18917,
  nginxSelfSigned: 18918,
  pingingGateway: 18919,
  nginxPinging: 18920,
  httpsLab: 18921,
  // A JupyterLab without this extension (portable notebooks).
  plainLab: 18922
};

const tokens = {
  gateway: 'ui-gateway-token-5f1c',
  secondGateway: 'ui-second-gateway-token-3b7a',
  noCorsGateway: 'ui-no-cors-token-c41d',
  faultGateway: 'ui-fault-token-8e02',
  enterpriseGateway: 'ui-enterprise-token-62f0',
  secureGateway: 'ui-secure-gateway-token-9d2e',
  lab: 'ui-local-server-token-71ab'
};

const STATE = path.join(__dirname, '..', '.state');

/**
 * A directory (created) or file path under ui-tests/.state.
 *
 * @param {string} name a directory, or a file if it has an extension.
 * @returns {string}
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
 *
 * @param {string} jupyter the `jupyter` command.
 * @param {number} port
 * @param {string} token passed in the environment (KG_AUTH_TOKEN), not here.
 * @param {number} labPort
 * @param {string} [origin] the origin allowed by CORS, instead of the
 *   page's.
 * @returns {string}
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
 *
 * @param {Record<string, string>} [extra]
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
   *
   * @param {string} displayName
   * @returns {string}
   */
  spec(displayName) {
    return `${displayName} [ui-gateway]`;
  },
  /**
   * The gateway's own view of its kernels (`GET /api/kernels`).
   *
   * @returns {Promise<import('@jupyterlab/services').Kernel.IModel[]>}
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
  /**
   * Start a kernel on the gateway directly, as another user would.
   *
   * @returns {Promise<string>} its id.
   */
  async startForeignKernel() {
    const response = await fetch(
      `http://127.0.0.1:${ports.gateway}/api/kernels?token=${tokens.gateway}`,
      {
        method: 'POST',
        body: '{}',
        headers: { 'Content-Type': 'application/json' }
      }
    );
    return (await response.json()).id;
  },
  /**
   * Shut down every kernel of the gateway.
   *
   * @returns {Promise<void>}
   */
  async shutdownAll() {
    for (const kernel of await gateway.kernels()) {
      await fetch(
        `http://127.0.0.1:${ports.gateway}/api/kernels/${kernel.id}?token=${tokens.gateway}`,
        { method: 'DELETE' }
      );
    }
  }
};

/**
 * Start a JupyterLab with the tests' configuration (as playwright.config.js
 * starts the main one), for a test that must restart it.
 *
 * @param {object} options
 * @param {number} options.port
 * @param {string} options.root the name of its notebook directory under
 *   .state (emptied at start, with its session store, unless keepState).
 * @param {string} options.gatewayUrl
 * @param {string} options.gatewayToken
 * @param {string} [options.gatewayName]
 * @param {boolean} [options.keepState] a restart: keep notebooks and store.
 * @param {{cert: string, key: string, host: string}} [options.tls] serve
 *   over https with this certificate, as `https://<host>:<port>`.
 * @returns {Promise<{url: string, stop: () => Promise<void>}>}
 */
async function startTestLab(options) {
  const log = fs.openSync(state(`${options.root}.log`), 'a');
  const child = spawn(
    path.join(__dirname, '..', '..', '.venv', 'bin', 'jupyter'),
    ['lab', '--config', 'jupyter_server_test_config.py'],
    {
      cwd: path.join(__dirname, '..'),
      env: env({
        LAB_PORT: String(options.port),
        LAB_ROOT_DIR: state(options.root),
        GATEWAY_URL: options.gatewayUrl,
        GATEWAY_TOKEN: options.gatewayToken,
        GATEWAY_NAME: options.gatewayName ?? '',
        ...(options.keepState ? { LAB_KEEP_STATE: '1' } : {}),
        ...(options.tls
          ? {
              LAB_CERTFILE: options.tls.cert,
              LAB_KEYFILE: options.tls.key,
              LAB_HOSTNAME: options.tls.host
            }
          : {})
      }),
      stdio: ['ignore', log, log]
    }
  );
  if (options.tls) {
    await waitForPort(options.port, 120000, child);
    return {
      url: `https://${options.tls.host}:${options.port}`,
      stop: () => stopProcess(child)
    };
  }
  const url = `http://127.0.0.1:${options.port}`;
  await waitForHttp(`${url}/lab`, 120000, child);
  return { url, stop: () => stopProcess(child) };
}

module.exports = {
  startTestLab,
  ports,
  tokens,
  state,
  gatewayCommand,
  env,
  gateway,
  STATE,
  LAB_ROOT: path.join(STATE, 'lab-root')
};
