/**
 * Start and stop real Jupyter Kernel Gateway processes on 127.0.0.1 for the
 * tests (Jest and Playwright) and the demo. Nothing here is mocked: it runs
 * `jupyter kernelgateway` from the project's virtual environment.
 */
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const VENV_BIN = path.join(ROOT, '.venv', 'bin');

/**
 * Listen on `port` of 127.0.0.1 (0: any free one), and close again.
 *
 * @param {number} port
 * @returns {Promise<number>} the port listened on.
 */
function listenOnce(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Find a free TCP port on 127.0.0.1.
 *
 * @returns {Promise<number>}
 */
function freePort() {
  return listenOnce(0);
}

/**
 * Fail at once when `port` on 127.0.0.1 is taken: a server left over from
 * an earlier run would answer in place of the one about to start (which
 * then exits), and the run would measure or test the wrong server.
 *
 * @param {number} port
 * @returns {Promise<void>}
 */
async function assertPortFree(port) {
  try {
    await listenOnce(port);
  } catch (error) {
    throw /** @type {NodeJS.ErrnoException} */ (error).code === 'EADDRINUSE'
      ? new Error(
          `Port ${port} on 127.0.0.1 is in use, maybe by a server left over from an earlier run: stop it (ss -ltnp | grep :${port}) and start again`
        )
      : error;
  }
}

/**
 * Wait until `url` answers with any HTTP status, or fail after `timeoutMs`.
 *
 * @param {string} url
 * @param {number} timeoutMs
 * @param {import('child_process').ChildProcess} [child] fail at once when
 *   this process exits first.
 * @returns {Promise<void>}
 */
async function waitForHttp(url, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(
        `process exited with ${child.exitCode} before ${url} answered`
      );
    }
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      return;
    } catch (error) {
      lastError = error;
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${lastError}`);
}

/**
 * The options of `gatewayArgs`.
 *
 * @typedef {object} GatewayArgsOptions
 * @property {number} port
 * @property {string} [token] KG_AUTH_TOKEN; empty for none.
 * @property {string} [origin] the page origin allowed by CORS.
 * @property {boolean} [listKernels] allow GET /api/kernels.
 * @property {string[]} [extraArgs]
 */

/**
 * The options of `startGateway`: those of `gatewayArgs`, the port optional.
 *
 * @typedef {object} GatewayOptions
 * @property {number} [port] default: a free port.
 * @property {string} [token] KG_AUTH_TOKEN (default 'test-token'); empty
 *   for none.
 * @property {string} [origin] the page origin allowed by CORS.
 * @property {boolean} [listKernels] allow GET /api/kernels.
 * @property {string[]} [extraArgs]
 * @property {string} [cwd] the gateway's working directory (a new temp
 *   directory by default).
 * @property {string} [logFile] where its output goes.
 * @property {Record<string, string>} [env] more environment variables.
 */

/**
 * A running Kernel Gateway (see `startGateway`).
 *
 * @typedef {object} Gateway
 * @property {string} url `http://127.0.0.1:<port>/`.
 * @property {number} port
 * @property {string} token
 * @property {string} cwd
 * @property {number} pid
 * @property {string} logFile
 * @property {() => Promise<void>} stop
 */

/**
 * The command line of a Kernel Gateway a browser page at `origin` can use.
 *
 * @param {GatewayArgsOptions} options
 * @returns {string[]}
 */
function gatewayArgs(options) {
  const args = [
    'kernelgateway',
    '--ip=127.0.0.1',
    `--port=${options.port}`,
    '--port_retries=0',
    '--KernelGatewayApp.allow_headers=Content-Type',
    '--KernelGatewayApp.allow_methods=GET,POST,DELETE,OPTIONS',
    // The default iopub limit (1 MB/s) drops output of chatty cells.
    '--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=1000000000'
  ];
  if (options.origin) {
    args.push(`--KernelGatewayApp.allow_origin=${options.origin}`);
  }
  if (options.listKernels) {
    args.push('--JupyterWebsocketPersonality.list_kernels=True');
  }
  return args.concat(options.extraArgs || []);
}

/**
 * Start a Kernel Gateway and wait until it answers.
 *
 * @param {GatewayOptions} [options]
 * @returns {Promise<Gateway>}
 */
async function startGateway(options = {}) {
  const port = options.port || (await freePort());
  if (options.port) {
    await assertPortFree(port);
  }
  const token = options.token === undefined ? 'test-token' : options.token;
  const cwd = options.cwd || fs.mkdtempSync(path.join(os.tmpdir(), 'kg-root-'));
  const logFile =
    options.logFile || path.join(os.tmpdir(), `kernel-gateway-${port}.log`);
  const log = fs.openSync(logFile, 'w');
  const env = {
    ...process.env,
    PATH: `${VENV_BIN}${path.delimiter}${process.env.PATH}`,
    KG_AUTH_TOKEN: token,
    ...(options.env || {})
  };
  const child = spawn(
    path.join(VENV_BIN, 'jupyter'),
    gatewayArgs({ ...options, port }),
    { cwd, env, stdio: ['ignore', log, log], detached: false }
  );
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForHttp(`${url}api`, 60000, child);
  } catch (error) {
    child.kill('SIGKILL');
    const output = fs.readFileSync(logFile, 'utf-8');
    throw new Error(
      `Kernel Gateway did not start: ${errorMessage(error)}\n${output}`
    );
  }
  return {
    url,
    port,
    token,
    cwd,
    pid: processId(child),
    logFile,
    stop: () => stopProcess(child)
  };
}

/**
 * The id of a process just spawned (`child.pid` is undefined only when the
 * spawn failed, which 'error' reports).
 *
 * @param {import('child_process').ChildProcess} child
 * @returns {number}
 */
function processId(child) {
  if (child.pid === undefined) {
    throw new Error(`could not start ${child.spawnfile}`);
  }
  return child.pid;
}

/**
 * The message of anything thrown: an Error's own, else its text.
 *
 * @param {unknown} error
 * @returns {string}
 */
function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What a failed `execFileSync` said on stderr, else the error's message.
 *
 * @param {unknown} error what `execFileSync` threw.
 * @returns {string}
 */
function commandError(error) {
  const { stderr, message } =
    /** @type {{stderr?: Buffer, message?: string}} */ (error);
  return `${stderr || message}`;
}

/**
 * Stop a child process: SIGTERM, then SIGKILL after 10 s.
 *
 * @param {import('child_process').ChildProcess} child
 * @returns {Promise<void>}
 */
function stopProcess(child) {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

module.exports = {
  assertPortFree,
  commandError,
  errorMessage,
  freePort,
  gatewayArgs,
  processId,
  startGateway,
  stopProcess,
  waitForHttp,
  VENV_BIN,
  ROOT
};
