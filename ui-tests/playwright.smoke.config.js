/**
 * The smoke set, for every JupyterLab the extension claims (>=4.4,<5; see
 * scripts/test-jupyterlab-versions.sh, which runs it once per version).
 *
 * It is playwright.config.js with these differences:
 * - JupyterLab comes from the virtual environment named by KG_LAB_VENV (a
 *   path; default: ../.venv, as the main configuration); the Kernel
 *   Gateways still come from ../.venv; Galata is the one of that JupyterLab
 *   (see below);
 * - only the tests titled in SMOKE run (selected by title, so the spec files
 *   need no tags), and only the servers they use are started;
 * - the run leaves the main run's results alone: its own output directory
 *   (KG_LAB_RESULTS, default .state/smoke-results: the main run empties
 *   test-results when it starts), no HTML report, the fault
 *   results kept, and docs/images restored afterwards (two of these tests
 *   take the README's screenshots; those come from the main run only).
 */
const fs = require('fs');
const Module = require('module');
const path = require('path');

const venv = path.resolve(
  process.env.KG_LAB_VENV || path.join(__dirname, '..', '.venv')
);
const venvBin = path.join(venv, 'bin');
const mainJupyter = path.join(__dirname, '..', '.venv', 'bin', 'jupyter');

/**
 * The Galata of that JupyterLab, where scripts/test-jupyterlab-versions.sh
 * put it (<venv>/galata/node_modules; none for .venv, whose JupyterLab goes with
 * ui-tests/node_modules' Galata). Galata's helpers follow the DOM of their
 * own JupyterLab version (Galata 5.6 finds the current folder in
 * breadcrumbs JupyterLab 4.4 does not have), so the tests import this one:
 * `@jupyterlab/galata` is resolved there, in this process and in the
 * workers (which load this file too). Its own imports (Playwright, ...) are
 * resolved from ui-tests/node_modules (one Playwright for all), or else
 * from <venv>/galata/node_modules.
 */
const galata = path.join(
  venv,
  'galata',
  'node_modules',
  '@jupyterlab',
  'galata'
);
/**
 * @typedef {(request: string, parent: unknown,
 *   ...rest: unknown[]) => string} ResolveFilename
 */
if (fs.existsSync(path.join(galata, 'package.json'))) {
  const loader =
    /** @type {typeof Module & {_resolveFilename: ResolveFilename}} */ (Module);
  const resolve = loader._resolveFilename;
  /** @param {string} request */
  const bare = request => !/^(\.|\/|node:)/.test(request);
  /**
   * @this {unknown}
   * @type {ResolveFilename}
   */
  loader._resolveFilename = function (request, parent, ...rest) {
    if (request === '@jupyterlab/galata') {
      request = galata + path.sep;
    } else if (request.startsWith('@jupyterlab/galata/')) {
      request = path.join(galata, request.slice('@jupyterlab/galata/'.length));
    } else if (
      bare(request) &&
      /** @type {{ filename?: string } | null | undefined} */ (
        parent
      )?.filename?.startsWith(galata + path.sep)
    ) {
      try {
        return resolve.call(this, request, module, ...rest);
      } catch {
        // Not in ui-tests/node_modules: installed beside Galata.
      }
    }
    return resolve.call(this, request, parent, ...rest);
  };
}

const baseConfig = require('./playwright.config');
const { ports } = require('./tests/servers');

/**
 * The smoke set: titles of tests in tests/*.spec.ts (exact, whole titles).
 */
const SMOKE = [
  // A cell runs on the gateway (kernels.spec.ts).
  'a notebook runs on the gateway kernel (KERNEL_GATEWAY=1), told its absolute directory',
  // A reloaded page reattaches to its kernel (kernels.spec.ts).
  'a reloaded page finds the notebook kernel, variables intact',
  // A setting applied live: another gateway, without a reload (live.spec.ts).
  'switch to a second gateway in the Settings Editor, without a reload',
  // The status bar, its details panel and the connection test, every step
  // passing (visibility.spec.ts).
  'the status bar shows the gateway, its state and round trip; details and actions',
  // The server extension's session store is the one in use (devices.spec.ts).
  'the details panel says where sessions are kept'
];

/** @param {string} text */
const escapeRegExp = text => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The servers these tests use: the main JupyterLab, its gateway and the
 * second gateway (for the live switch).
 */
const USED = [ports.lab, ports.gateway, ports.secondGateway];

/**
 * @param {{ command: string }} server
 */
function isLab(server) {
  return / lab --config /.test(server.command);
}

/**
 * @typedef {{ command: string, url: string, env?: Record<string, string> }} WebServer
 */
const webServer = /** @type {WebServer[]} */ (baseConfig.webServer)
  .filter(server => USED.some(port => server.url.includes(`:${port}/`)))
  .map(server => {
    if (!isLab(server)) {
      return server;
    }
    if (!server.command.startsWith(`${mainJupyter} `)) {
      throw new Error(
        `playwright.smoke.config.js: cannot tell which jupyter starts "${server.command}"`
      );
    }
    return {
      ...server,
      command:
        path.join(venvBin, 'jupyter') +
        server.command.slice(mainJupyter.length),
      env: {
        ...server.env,
        PATH: `${venvBin}${path.delimiter}${server.env?.PATH ?? process.env.PATH}`
      }
    };
  });

if (webServer.length !== USED.length) {
  throw new Error(
    `playwright.smoke.config.js: expected ${USED.length} servers of playwright.config.js, found ${webServer.length}`
  );
}

module.exports = {
  ...baseConfig,
  grep: new RegExp(`(?:${SMOKE.map(escapeRegExp).join('|')})$`),
  reporter: [['list']],
  // Wider than Galata's 1024×768: there, in JupyterLab 4.4, the notebook
  // toolbar overflows with a gateway kernel's longer name, and a toolbar
  // button it hides (the minimap's) still lies over the first cell, where
  // Galata clicks. The main run keeps Galata's size.
  use: { ...baseConfig.use, viewport: { width: 1280, height: 800 } },
  outputDir: path.resolve(
    __dirname,
    process.env.KG_LAB_RESULTS || path.join('.state', 'smoke-results')
  ),
  globalSetup: require.resolve('./playwright.smoke.setup.js'),
  // How many tests SMOKE selects; the script checks it against --list.
  metadata: {
    ...baseConfig.metadata,
    smokeTests: SMOKE.length,
    venv,
    galata: require('@jupyterlab/galata/package.json').version
  },
  webServer
};
