/**
 * Start the real Kernel Gateways the Jest tests talk to:
 * - one that allows listing kernels (`list_kernels=True`),
 * - one with Kernel Gateway's default, which answers 403 to listing, and a
 *   slow kernelspec;
 * - one that runs at most one kernel (`max_kernels=1`);
 * and a JupyterLab with the package's server extension, whose session
 * store the tests use as a page would.
 * Their URLs and tokens reach the tests through environment variables.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const { freePort, startGateway } = require('./gateway');
const { startJupyterLab } = require('./lab');

const LAB_TOKEN = 'jest-lab-token';

/**
 * The global scope of Jest's global setup and teardown: what the one starts,
 * the other stops.
 *
 * @typedef {typeof globalThis & {
 *   __KERNEL_GATEWAYS__?: {stop: () => Promise<void>}[]
 * }} JestGlobals
 */

module.exports = async function globalSetup() {
  const labDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kg-jest-lab-'));
  const [listing, noListing, full, lab] = await Promise.all([
    startGateway({
      token: 'jest-token-listing',
      listKernels: true,
      origin: 'http://127.0.0.1:8888'
    }),
    startGateway({
      token: 'jest-token-private',
      listKernels: false,
      origin: 'http://127.0.0.1:8888',
      // A kernelspec whose kernel starts KERNEL_START_DELAY seconds late.
      env: { JUPYTER_PATH: path.join(__dirname, 'kernels') }
    }),
    // A gateway that runs at most one kernel.
    startGateway({
      token: 'jest-token-full',
      listKernels: true,
      origin: 'http://127.0.0.1:8888',
      extraArgs: ['--KernelGatewayApp.max_kernels=1']
    }),
    freePort().then(port =>
      startJupyterLab({
        dir: labDir,
        port,
        token: LAB_TOKEN,
        logFile: path.join(labDir, 'jupyterlab.log')
      })
    )
  ]);
  /** @type {JestGlobals} */ (globalThis).__KERNEL_GATEWAYS__ = [
    listing,
    noListing,
    full,
    lab
  ];
  process.env.KG_LAB_URL = `${lab.url}/`;
  process.env.KG_LAB_TOKEN = LAB_TOKEN;
  process.env.KG_LAB_DIR = labDir;
  process.env.KG_FULL_URL = full.url;
  process.env.KG_FULL_TOKEN = full.token;
  process.env.KG_LISTING_URL = listing.url;
  process.env.KG_LISTING_TOKEN = listing.token;
  process.env.KG_LISTING_CWD = listing.cwd;
  process.env.KG_PRIVATE_URL = noListing.url;
  process.env.KG_PRIVATE_TOKEN = noListing.token;
};
