/**
 * The benchmark's servers, all on 127.0.0.1: two Kernel Gateways (stock,
 * and with the TCP_NODELAY configuration), one JupyterLab per route, and a
 * JupyterLab offering its own kernels and three gateways of its own.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const {
  gatewayArgs: harnessGatewayArgs,
  startGateway,
  VENV_BIN,
  ROOT
} = require('../tests/harness/gateway');
const { startJupyterLab } = require('../tests/harness/lab');

const NODELAY = path.join(ROOT, 'gateway-config', 'kernel_gateway_nodelay.py');
const TOKEN = 'benchmark-gateway-token';
const STATE = path.join(ROOT, '.state', 'benchmark');

/**
 * The iopub output limit the harness gives every gateway: Jupyter's default
 * (1 MB/s) drops the output of chatty cells. The benchmark's JupyterLabs
 * get the same, so that the local kernel, like the gateways' kernels, is
 * measured and not the limit (Jupyter Server's local kernels apply it in
 * `ZMQChannelsWebsocketConnection`; its gateway proxy applies none).
 */
const IOPUB_LIMIT_ARG = (() => {
  const arg = harnessGatewayArgs({ port: 0 }).find(a =>
    a.startsWith('--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=')
  );
  if (!arg) {
    throw new Error('the harness no longer raises the iopub output limit');
  }
  return arg;
})();

/**
 * Whether this benchmark run is the quick one (`--quick`: fewer runs).
 */
const QUICK = process.argv.includes('--quick');

/**
 * How many stream messages the cell of `messages.ipynb` sends.
 */
const MESSAGE_COUNT = QUICK ? 1000 : 3000;

/**
 * Write a one-cell notebook for the gateway's `python3`.
 *
 * @param {string} file
 * @param {string} source
 */
function writeNotebook(file, source) {
  fs.writeFileSync(
    file,
    JSON.stringify({
      cells: [
        {
          cell_type: 'code',
          source,
          metadata: {},
          outputs: [],
          execution_count: null
        }
      ],
      metadata: {
        kernelspec: {
          name: 'python3',
          display_name: 'Python 3',
          language: 'python'
        }
      },
      nbformat: 4,
      nbformat_minor: 5
    })
  );
}

const PORTS = {
  gateway: 19889,
  nodelayGateway: 19891,
  direct: 19888,
  directNodelay: 19892,
  proxy: 19890,
  proxyNodelay: 19893,
  local: 19894,
  plain: 19895,
  several: 19896,
  // The gateways of the "several" lab: the first, and two offered beside it.
  severalGateways: [19897, 19898, 19899]
};

/**
 * The names the "several" lab gives its gateways, in the order of
 * `PORTS.severalGateways`.
 */
const SEVERAL_NAMES = ['first', 'second', 'third'];

/**
 * A route's JupyterLab.
 *
 * @typedef {object} Lab
 * @property {string} name the route's name.
 * @property {string} url `http://127.0.0.1:<port>`.
 * @property {number} pid
 * @property {() => Promise<void>} stop
 */

/**
 * Start a JupyterLab for a route.
 *
 * @param {object} options
 * @param {string} options.name the route's name (directory names).
 * @param {number} options.port
 * @param {string} options.gatewayUrl what the extension uses ('' = local).
 * @param {string[]} [options.extraArgs]
 * @param {boolean} [options.withoutExtension] disable the extension.
 * @param {Record<string, unknown>} [options.settings] more of the
 *   extension's settings (in `overrides.json`).
 * @returns {Promise<Lab>}
 */
async function startLab(options) {
  const dir = path.join(STATE, options.name);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const sub of [
    'root',
    'settings',
    'user-settings',
    'workspaces',
    'config/labconfig'
  ]) {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
  }
  fs.writeFileSync(
    path.join(dir, 'settings', 'overrides.json'),
    JSON.stringify({
      'jupyterlab-kernel-gateway:plugin': {
        gatewayUrl: options.gatewayUrl,
        authToken: options.gatewayUrl ? TOKEN : '',
        gatewayName: 'bench',
        ...(options.settings ?? {})
      },
      '@jupyterlab/apputils-extension:notification': {
        fetchNews: 'false',
        checkForUpdates: false
      }
    })
  );
  if (options.withoutExtension) {
    fs.writeFileSync(
      path.join(dir, 'config', 'labconfig', 'page_config.json'),
      JSON.stringify({
        disabledExtensions: { 'jupyterlab-kernel-gateway': true }
      })
    );
  }
  // A notebook to open for the page-load measure, and one whose cell prints
  // many short lines, each its own kernel message (benchmark/messages.js).
  writeNotebook(path.join(dir, 'root', 'load.ipynb'), '1+1');
  writeNotebook(
    path.join(dir, 'root', 'messages.ipynb'),
    `for i in range(${MESSAGE_COUNT}):\n    print(i, flush=True)`
  );
  const lab = await startJupyterLab({
    dir,
    port: options.port,
    extraArgs: [
      '--ServerApp.disable_check_xsrf=True',
      `--LabApp.workspaces_dir=${path.join(dir, 'workspaces')}`,
      '--LabApp.expose_app_in_browser=True',
      IOPUB_LIMIT_ARG,
      ...(options.extraArgs ?? [])
    ],
    logFile: path.join(dir, 'jupyterlab.log')
  });
  return { name: options.name, ...lab };
}

/**
 * Start both gateways and the labs of `routes` (all by default); returns
 * the gateways and the labs by route.
 *
 * @param {string[]} [routes]
 */
async function startServers(routes) {
  fs.mkdirSync(STATE, { recursive: true });
  /** @param {number} port */
  const origin = port => `http://127.0.0.1:${port}`;
  // The harness raises the gateway's output rate limit (1 MB/s by default).
  /** @type {string[]} */
  const gatewayArgs = [];
  const several = !routes || routes.includes('several');
  const [gateway, nodelayGateway, ...severalGateways] = await Promise.all([
    startGateway({
      port: PORTS.gateway,
      token: TOKEN,
      origin: origin(PORTS.direct),
      listKernels: true,
      extraArgs: gatewayArgs,
      logFile: path.join(STATE, 'gateway.log')
    }),
    startGateway({
      port: PORTS.nodelayGateway,
      token: TOKEN,
      origin: origin(PORTS.directNodelay),
      listKernels: true,
      extraArgs: [...gatewayArgs, `--config=${NODELAY}`],
      logFile: path.join(STATE, 'gateway-nodelay.log')
    }),
    ...(several ? PORTS.severalGateways : []).map((port, i) =>
      startGateway({
        port,
        token: TOKEN,
        origin: origin(PORTS.several),
        listKernels: true,
        extraArgs: gatewayArgs,
        logFile: path.join(STATE, `gateway-${SEVERAL_NAMES[i]}.log`)
      })
    )
  ]);
  /** @param {string} url */
  const proxyArgs = url => [
    `--GatewayClient.url=${url}`,
    `--GatewayClient.auth_token=${TOKEN}`
  ];
  /** @type {Record<string, Lab>} */
  const labs = {};
  const specs = [
    {
      name: 'direct',
      port: PORTS.direct,
      gatewayUrl: `http://localhost:${PORTS.gateway}/`
    },
    {
      name: 'direct-nodelay',
      port: PORTS.directNodelay,
      gatewayUrl: `http://localhost:${PORTS.nodelayGateway}/`
    },
    {
      name: 'proxy',
      port: PORTS.proxy,
      gatewayUrl: '',
      extraArgs: proxyArgs(`http://127.0.0.1:${PORTS.gateway}`)
    },
    {
      name: 'proxy-nodelay',
      port: PORTS.proxyNodelay,
      gatewayUrl: '',
      extraArgs: [
        ...proxyArgs(`http://127.0.0.1:${PORTS.nodelayGateway}`),
        `--config=${NODELAY}`
      ]
    },
    { name: 'local', port: PORTS.local, gatewayUrl: '' },
    {
      name: 'plain',
      port: PORTS.plain,
      gatewayUrl: '',
      withoutExtension: true
    },
    // This server's kernels and three gateways, the notebook's on the first.
    {
      name: 'several',
      port: PORTS.several,
      gatewayUrl: `http://localhost:${PORTS.severalGateways[0]}/`,
      settings: {
        gatewayName: SEVERAL_NAMES[0],
        offerLocalKernels: true,
        gateways: PORTS.severalGateways.slice(1).map((port, i) => ({
          gatewayUrl: `http://localhost:${port}/`,
          authToken: TOKEN,
          gatewayName: SEVERAL_NAMES[i + 1]
        }))
      }
    }
  ];
  const wanted = specs.filter(spec => !routes || routes.includes(spec.name));
  // Two at a time: the machine has few cores.
  for (let i = 0; i < wanted.length; i += 2) {
    const started = await Promise.all(wanted.slice(i, i + 2).map(startLab));
    for (const lab of started) {
      labs[lab.name] = lab;
    }
  }
  return {
    gateway,
    nodelayGateway,
    severalGateways,
    labs,
    token: TOKEN,
    async stop() {
      await Promise.all(Object.values(labs).map(lab => lab.stop()));
      await Promise.all(
        [gateway, nodelayGateway, ...severalGateways].map(g => g.stop())
      );
    }
  };
}

/**
 * CPU seconds (user + system) a process has used so far.
 *
 * @param {number} pid
 * @returns {number}
 */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf-8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 (1-based) of /proc/<pid>/stat.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

/**
 * A description of the machine, for the report.
 */
function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`;
}

module.exports = {
  startServers,
  cpuSeconds,
  machine,
  PORTS,
  SEVERAL_NAMES,
  TOKEN,
  STATE,
  VENV_BIN,
  QUICK,
  MESSAGE_COUNT
};
