/**
 * Start and stop real Jupyter Enterprise Gateway 3.3.0 processes on
 * 127.0.0.1 for the tests. Nothing here is mocked: it runs
 * `jupyter enterprisegateway` from .venv-eg, the separate virtual environment
 * that scripts/setup-enterprise-gateway.sh prepares (Enterprise Gateway needs
 * jupyter_server 1.x, which cannot live beside JupyterLab 4 in .venv).
 *
 * What differs from Kernel Gateway (tests/harness/gateway.js), measured on
 * this setup:
 * - Enterprise Gateway refuses to start kernels for `root` (its default
 *   `unauthorized_users`): a client running as root must send
 *   `env.KERNEL_USERNAME`, or the test passes `unauthorizedUsers`.
 * - Kernelspecs without `metadata.process_proxy` run as local processes:
 *   `POST /api/kernels` answers as soon as the process is spawned. The
 *   `remoteKernel` option adds a kernelspec that goes through Enterprise
 *   Gateway's remote launch path instead (DistributedProcessProxy on
 *   127.0.0.1): the POST then blocks until the kernel reports back, and
 *   `KERNEL_LAUNCH_TIMEOUT` applies, as with kernels on Kubernetes or YARN.
 * - When a request carries `env`, a local kernel gets only that env (the
 *   `KERNEL_*` names and `client_envs`), the kernelspec's env and
 *   `inherited_envs` from the gateway: not even PATH. Kernelspecs that run a
 *   bare `python` (tests/harness/kernels/kernels/slow-python) then fail with
 *   "python: not found", so `inheritedEnvs` defaults to `['PATH']` here;
 *   pass `[]` for Enterprise Gateway's own default.
 * - It has no iopub rate limit at all (it does not pass jupyter_server's
 *   limits to its handlers), so there is no flag to raise.
 */
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const {
  errorMessage,
  freePort,
  processId,
  stopProcess,
  waitForHttp,
  ROOT
} = require('./gateway');

const EG_VENV = path.join(ROOT, '.venv-eg');
const EG_VENV_BIN = path.join(EG_VENV, 'bin');

/** Name of the kernelspec the `remoteKernel` option adds. */
const REMOTE_KERNEL_NAME = 'remote-python';

/**
 * A small kernel launcher that speaks Enterprise Gateway's remote launch
 * protocol (version 1, as etc/kernel-launchers/python/scripts/
 * launch_ipykernel.py does): it waits KERNEL_START_DELAY seconds, writes a
 * connection file bound to 127.0.0.1, sends it AES-encrypted (the AES key
 * encrypted with the gateway's RSA public key) to the gateway's response
 * address, then runs ipykernel in-process. Without a comm port the gateway
 * signals and stops the launcher process directly (it is local).
 */
const REMOTE_LAUNCHER = `\
import base64, json, os, socket, sys, tempfile, time, uuid

from Cryptodome.Cipher import AES, PKCS1_v1_5
from Cryptodome.PublicKey import RSA
from Cryptodome.Random import get_random_bytes
from Cryptodome.Util.Padding import pad
from jupyter_client.connect import write_connection_file

kernel_id, response_address, public_key = sys.argv[1:4]
time.sleep(float(os.environ.get("KERNEL_START_DELAY") or 0))

fd, connection_file = tempfile.mkstemp(prefix="kernel-%s-" % kernel_id, suffix=".json")
os.close(fd)
_, info = write_connection_file(connection_file, ip="127.0.0.1", key=str(uuid.uuid4()).encode())
info = dict(info, pid=os.getpid(), pgid=os.getpgid(0), kernel_id=kernel_id)

aes_key = get_random_bytes(16)
conn_info = AES.new(aes_key, AES.MODE_ECB).encrypt(pad(json.dumps(info).encode(), 16))
rsa_key = RSA.importKey(base64.b64decode(public_key.encode()))
payload = {
    "version": 1,
    "key": base64.b64encode(PKCS1_v1_5.new(rsa_key).encrypt(aes_key)).decode(),
    "conn_info": base64.b64encode(conn_info).decode(),
}
host, port = response_address.rsplit(":", 1)
with socket.create_connection((host, int(port))) as sock:
    sock.sendall(base64.b64encode(json.dumps(payload).encode()))

from ipykernel.kernelapp import IPKernelApp

app = IPKernelApp.instance(connection_file=connection_file)
app.initialize([])
try:
    app.start()
finally:
    os.remove(connection_file)
`;

/**
 * Write the `remote-python` kernelspec (and its launcher) under
 * `jupyterPath/kernels/`.
 *
 * @param {string} jupyterPath a directory for JUPYTER_PATH.
 * @param {Record<string, string>} [metadataConfig] extra `metadata.process_proxy.config`,
 *   for example `{authorized_users: 'alice,bob'}`: Enterprise Gateway wants
 *   comma-separated strings there (a JSON list makes the launch fail with
 *   500), and honours them at launch only in a stanza with a `class_name`.
 */
function writeRemoteKernelspec(jupyterPath, metadataConfig = {}) {
  const dir = path.join(jupyterPath, 'kernels', REMOTE_KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const launcher = path.join(dir, 'launch_kernel.py');
  fs.writeFileSync(launcher, REMOTE_LAUNCHER);
  const spec = {
    argv: [
      path.join(EG_VENV_BIN, 'python'),
      launcher,
      '{kernel_id}',
      '{response_address}',
      '{public_key}'
    ],
    display_name: 'Remote Python (launched like a remote kernel)',
    language: 'python',
    metadata: {
      process_proxy: {
        class_name:
          'enterprise_gateway.services.processproxies.distributed.DistributedProcessProxy',
        config: { remote_hosts: '127.0.0.1', ...metadataConfig }
      }
    }
  };
  fs.writeFileSync(
    path.join(dir, 'kernel.json'),
    JSON.stringify(spec, null, 2)
  );
  return dir;
}

/**
 * Write kernelspecs given as objects under `jupyterPath/kernels/{name}/`.
 *
 * @param {string} jupyterPath
 * @param {Record<string, object>} kernelspecs name → kernel.json content.
 */
function writeKernelspecs(jupyterPath, kernelspecs) {
  for (const [name, spec] of Object.entries(kernelspecs)) {
    const dir = path.join(jupyterPath, 'kernels', name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'kernel.json'),
      JSON.stringify(spec, null, 2)
    );
  }
}

/**
 * The command-line options of an Enterprise Gateway, but its port (see
 * `enterpriseGatewayArgs`).
 *
 * @typedef {object} EnterpriseGatewaySettings
 * @property {string} [origin] the page origin allowed by CORS.
 * @property {string} [allowHeaders] default `Content-Type`. Listing
 *   `Authorization` lets a page send the token as a header: Enterprise
 *   Gateway answers preflights without asking for the token.
 * @property {string} [allowMethods] default `GET,POST,DELETE,OPTIONS`.
 * @property {number} [cullIdleTimeout] seconds; 0 or absent: no culling.
 * @property {number} [cullInterval] seconds between culling checks.
 * @property {boolean} [cullConnected] also cull kernels with a websocket.
 * @property {number} [maxKernels] `--EnterpriseGatewayApp.max_kernels`.
 * @property {string[]} [clientEnvs] env names (besides `KERNEL_*`) a
 *   client may pass; `['*']` for all.
 * @property {string[]} [inheritedEnvs] gateway env names every kernel
 *   gets (`inherited_envs`); default `['PATH']`, `[]` for none.
 * @property {string[]} [unauthorizedUsers] replaces the default `root`.
 * @property {string[]} [authorizedUsers] when set, only these may start
 *   kernels.
 * @property {string[]} [extraArgs]
 */

/**
 * The command line of an Enterprise Gateway a browser page at `origin` can
 * use. The token and the listing switch go through the environment (see
 * `startEnterpriseGateway`), everything else is here.
 *
 * @param {EnterpriseGatewaySettings & {port: number}} options
 * @returns {string[]}
 */
function enterpriseGatewayArgs(options) {
  const args = [
    'enterprisegateway',
    '--ip=127.0.0.1',
    `--port=${options.port}`,
    '--port_retries=0',
    `--EnterpriseGatewayApp.allow_headers=${options.allowHeaders || 'Content-Type'}`,
    `--EnterpriseGatewayApp.allow_methods=${
      options.allowMethods || 'GET,POST,DELETE,OPTIONS'
    }`
  ];
  if (options.origin) {
    args.push(`--EnterpriseGatewayApp.allow_origin=${options.origin}`);
  }
  if (options.cullIdleTimeout) {
    args.push(
      `--RemoteMappingKernelManager.cull_idle_timeout=${options.cullIdleTimeout}`,
      `--RemoteMappingKernelManager.cull_interval=${options.cullInterval || 1}`
    );
    if (options.cullConnected) {
      args.push('--RemoteMappingKernelManager.cull_connected=True');
    }
  }
  if (options.maxKernels !== undefined) {
    args.push(`--EnterpriseGatewayApp.max_kernels=${options.maxKernels}`);
  }
  // Set traits are given as a Python-literal list on the command line.
  /**
   * @param {string} name
   * @param {string[]} values
   */
  const listArg = (name, values) =>
    `--EnterpriseGatewayApp.${name}=${JSON.stringify(values)}`;
  const inheritedEnvs = options.inheritedEnvs || ['PATH'];
  if (inheritedEnvs.length) {
    args.push(listArg('inherited_envs', inheritedEnvs));
  }
  if (options.clientEnvs) {
    args.push(listArg('client_envs', options.clientEnvs));
  }
  if (options.unauthorizedUsers) {
    args.push(listArg('unauthorized_users', options.unauthorizedUsers));
  }
  if (options.authorizedUsers) {
    args.push(listArg('authorized_users', options.authorizedUsers));
  }
  return args.concat(options.extraArgs || []);
}

/**
 * The options of `startEnterpriseGateway`: those of `enterpriseGatewayArgs`
 * (the port optional), and these.
 *
 * @typedef {object} EnterpriseGatewayProcessOptions
 * @property {number} [port] default: a free port.
 * @property {string} [token] EG_AUTH_TOKEN; empty for none.
 * @property {boolean} [listKernels] allow GET /api/kernels
 *   (EG_LIST_KERNELS); off by default, as in Enterprise Gateway.
 * @property {string|string[]} [jupyterPath] directories for
 *   JUPYTER_PATH, each holding a `kernels/` folder (for example
 *   tests/harness/kernels for the slow-python kernelspec).
 * @property {Record<string, object>} [kernelspecs] more kernelspecs,
 *   name → kernel.json content, written to a temporary JUPYTER_PATH entry.
 * @property {boolean|Record<string, string>} [remoteKernel] add the
 *   `remote-python` kernelspec (remote launch path); an object adds its
 *   `metadata.process_proxy.config`.
 * @property {number} [launchTimeout] EG_KERNEL_LAUNCH_TIMEOUT, seconds
 *   (default 30; a request's env.KERNEL_LAUNCH_TIMEOUT overrides it).
 * @property {number} [responsePort] where remote kernels report their
 *   connection info (EG_RESPONSE_PORT); default: a free port.
 * @property {string} [cwd] the gateway's working directory.
 * @property {string} [logFile]
 * @property {Record<string, string>} [env] more environment variables.
 */

/**
 * @typedef {EnterpriseGatewaySettings & EnterpriseGatewayProcessOptions}
 *   EnterpriseGatewayOptions
 */

/**
 * A running Enterprise Gateway (see `startEnterpriseGateway`). `stop` sends
 * SIGTERM (Enterprise Gateway then shuts its kernels down), `kill` sends
 * SIGKILL (its local kernels would outlive it briefly and are killed here),
 * `restart` stops it and starts it again on the same port with the same
 * options.
 *
 * @typedef {object} EnterpriseGateway
 * @property {string} url
 * @property {number} port
 * @property {string} token
 * @property {string} cwd
 * @property {number} pid
 * @property {string} logFile
 * @property {string} jupyterPath
 * @property {number} responsePort
 * @property {() => string} log
 * @property {() => Promise<void>} stop
 * @property {() => Promise<void>} kill
 * @property {() => Promise<void>} restart
 */

/**
 * Start an Enterprise Gateway and wait until it answers `GET /api`.
 *
 * @param {EnterpriseGatewayOptions} [options]
 * @returns {Promise<EnterpriseGateway>}
 */
async function startEnterpriseGateway(options = {}) {
  const port = options.port || (await freePort());
  const responsePort = options.responsePort || (await freePort());
  const token = options.token === undefined ? 'test-token' : options.token;
  const cwd = options.cwd || fs.mkdtempSync(path.join(os.tmpdir(), 'eg-root-'));
  const logFile =
    options.logFile || path.join(os.tmpdir(), `enterprise-gateway-${port}.log`);
  const generated = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-kernels-'));
  if (options.kernelspecs) {
    writeKernelspecs(generated, options.kernelspecs);
  }
  if (options.remoteKernel) {
    writeRemoteKernelspec(
      generated,
      typeof options.remoteKernel === 'object' ? options.remoteKernel : {}
    );
  }
  const jupyterPath = [generated]
    .concat(options.jupyterPath || [])
    .join(path.delimiter);
  const kernelLogDir = path.join(generated, 'logs');
  fs.mkdirSync(kernelLogDir);
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    // Kernelspecs that run `python` get the gateway's environment.
    PATH: `${EG_VENV_BIN}${path.delimiter}${process.env.PATH}`,
    VIRTUAL_ENV: EG_VENV,
    JUPYTER_PATH: jupyterPath,
    EG_AUTH_TOKEN: token,
    EG_LIST_KERNELS: options.listKernels ? 'True' : 'False',
    // Remote launches report back here; keep it on loopback (the default
    // is the machine's first public address, port 8877).
    EG_RESPONSE_IP: '127.0.0.1',
    EG_RESPONSE_PORT: String(responsePort),
    EG_RESPONSE_PORT_RETRIES: '0',
    EG_KERNEL_LOG_DIR: kernelLogDir,
    ...(options.launchTimeout
      ? { EG_KERNEL_LAUNCH_TIMEOUT: String(options.launchTimeout) }
      : {}),
    ...(options.env || {})
  };
  // Settings from a developer's own Jupyter config would change behaviour.
  delete env.JUPYTER_CONFIG_DIR;
  delete env.KG_AUTH_TOKEN;
  const args = enterpriseGatewayArgs({ ...options, port });
  const url = `http://127.0.0.1:${port}/`;

  /** @type {import('child_process').ChildProcess} */
  let child;
  const launch = async () => {
    const log = fs.openSync(logFile, 'a');
    child = spawn(path.join(EG_VENV_BIN, 'jupyter'), args, {
      cwd,
      env,
      stdio: ['ignore', log, log],
      detached: false
    });
    fs.closeSync(log);
    try {
      await waitForHttp(`${url}api`, 60000, child);
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(
        `Enterprise Gateway did not start: ${errorMessage(error)}\n` +
          fs.readFileSync(logFile, 'utf-8')
      );
    }
    handle.pid = processId(child);
  };

  fs.writeFileSync(logFile, '');
  const handle = {
    url,
    port,
    token,
    cwd,
    pid: 0,
    logFile,
    jupyterPath,
    responsePort,
    /** The gateway's log so far. */
    log: () => fs.readFileSync(logFile, 'utf-8'),
    /** SIGTERM, then SIGKILL after 10 s; then any kernel it left. */
    stop: async () => {
      await stopProcess(child);
      killKernelsFromLog(logFile);
    },
    /** SIGKILL the gateway, as a crash would, then its kernels. */
    kill: async () => {
      await /** @type {Promise<void>} */ (
        new Promise(resolve => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          child.once('exit', resolve);
          child.kill('SIGKILL');
        })
      );
      killKernelsFromLog(logFile);
    },
    /** Stop it and start it again on the same port and options. */
    restart: async () => {
      await handle.stop();
      await launch();
    }
  };
  await launch();
  return handle;
}

/**
 * SIGKILL a process (or a group, for a negative id) that may be gone.
 *
 * @param {number} pid
 */
function signalQuietly(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ESRCH') {
      throw error;
    }
  }
}

/**
 * SIGKILL the kernels a gateway's log says it launched and that still run.
 * Enterprise Gateway starts each kernel in a session (process group) of its
 * own, so killing the gateway's group does not reach them; ipykernel exits by
 * itself about a second after its parent dies, but a kernel still sleeping
 * in a slow launch would not. A process counts only while its command line
 * still names the kernel id (no stray kill after pid reuse).
 *
 * @param {string} logFile the gateway's log.
 */
function killKernelsFromLog(logFile) {
  let log = '';
  try {
    log = fs.readFileSync(logFile, 'utf-8');
  } catch {
    return;
  }
  const launched =
    /kernel launched on '[^']*', pid: (\d+),(?: pgid: (\d+),)? (?:KernelID|ID): ([0-9a-f-]{36})/gi;
  for (const [, pid, pgid, kernelId] of log.matchAll(launched)) {
    let cmdline;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf-8');
    } catch {
      continue;
    }
    if (cmdline.includes(kernelId)) {
      signalQuietly(pgid && pgid === pid ? -Number(pgid) : Number(pid));
    }
  }
}

module.exports = {
  enterpriseGatewayArgs,
  startEnterpriseGateway,
  writeKernelspecs,
  writeRemoteKernelspec,
  EG_VENV,
  EG_VENV_BIN,
  REMOTE_KERNEL_NAME
};
