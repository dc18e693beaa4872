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
 * Find a free TCP port on 127.0.0.1.
 */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Wait until `url` answers with any HTTP status, or fail after `timeoutMs`.
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
 * The command line of a Kernel Gateway a browser page at `origin` can use.
 *
 * @param {object} options
 * @param {number} options.port
 * @param {string} [options.token] KG_AUTH_TOKEN; empty for none.
 * @param {string} [options.origin] the page origin allowed by CORS.
 * @param {boolean} [options.listKernels] allow GET /api/kernels.
 * @param {string[]} [options.extraArgs]
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
 * @returns {Promise<{url: string, port: number, token: string, pid: number,
 *   logFile: string, stop: () => Promise<void>}>}
 */
async function startGateway(options = {}) {
  const port = options.port || (await freePort());
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
      `Kernel Gateway did not start: ${error.message}\n${output}`
    );
  }
  return {
    url,
    port,
    token,
    cwd,
    pid: child.pid,
    logFile,
    stop: () => stopProcess(child)
  };
}

/**
 * Stop a child process: SIGTERM, then SIGKILL after 10 s.
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
  freePort,
  gatewayArgs,
  startGateway,
  stopProcess,
  waitForHttp,
  VENV_BIN,
  ROOT
};
