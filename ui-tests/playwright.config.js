/**
 * Playwright configuration: Galata's defaults, Debian's Chromium, and real
 * servers started for the run (never mocks):
 * - a Kernel Gateway (token, CORS for the test JupyterLab, listing allowed);
 * - JupyterLab with the extension, preset to use that gateway;
 * - a second Kernel Gateway behind a recording relay, and a JupyterLab that
 *   requires a token and checks XSRF, for the security test.
 * The gateways are addressed as `localhost` and JupyterLab as `127.0.0.1`:
 * a browser sends a host's cookies to every port of that host, so the
 * gateway must live under another host name than JupyterLab (see
 * docs/gateway-setup.md, "Cookies and host names").
 */
const path = require('path');
// Galata's declaration of this module is empty (`export {}`: its source
// assigns `module.exports`), though the module is a Playwright configuration.
const baseConfig =
  /** @type {import('@playwright/test').PlaywrightTestConfig} */ (
    require('@jupyterlab/galata/lib/playwright-config')
  );
const { CHROMIUM_LAUNCH } = require('../tests/harness/chromium');
const {
  ports,
  tokens,
  state,
  gatewayCommand,
  env,
  gateway
} = require('./tests/servers');

const jupyter = path.join(__dirname, '..', '.venv', 'bin', 'jupyter');
const relay = path.join(__dirname, '..', 'tests', 'harness', 'relay-cli.js');

/** @satisfies {import('@playwright/test').PlaywrightTestConfig} */
const config = {
  ...baseConfig,
  timeout: 120 * 1000,
  expect: { timeout: 15 * 1000 },
  retries: 0,
  workers: 1,
  reporter: [['list'], ['html', { open: 'never' }]],
  globalSetup: require.resolve('./tests/global-setup.js'),
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${ports.lab}`,
    trace: 'retain-on-failure',
    video: 'off',
    launchOptions: CHROMIUM_LAUNCH
  },
  webServer: [
    {
      command: gatewayCommand(
        jupyter,
        ports.gateway,
        tokens.gateway,
        ports.lab
      ),
      url: `http://127.0.0.1:${ports.gateway}/api`,
      cwd: state('gateway-root'),
      env: env({
        KG_AUTH_TOKEN: tokens.gateway,
        // A kernelspec only this gateway has: "Python 3 (on the gateway)".
        JUPYTER_PATH: path.join(__dirname, 'gateway-kernels')
      }),
      timeout: 120 * 1000,
      reuseExistingServer: false
    },
    {
      command: `${jupyter} lab --config jupyter_server_test_config.py`,
      url: `http://127.0.0.1:${ports.lab}/lab`,
      env: env({
        LAB_PORT: String(ports.lab),
        LAB_ROOT_DIR: state('lab-root'),
        GATEWAY_URL: `http://localhost:${ports.gateway}/`,
        GATEWAY_TOKEN: tokens.gateway,
        GATEWAY_NAME: gateway.name
      }),
      timeout: 120 * 1000,
      reuseExistingServer: false
    },
    {
      // A second gateway, for switching gateways live; its kernels have
      // KERNEL_GATEWAY_ID=second, which the first gateway's kernels lack.
      command: gatewayCommand(
        jupyter,
        ports.secondGateway,
        tokens.secondGateway,
        ports.lab
      ),
      url: `http://127.0.0.1:${ports.secondGateway}/api`,
      cwd: state('second-gateway-root'),
      env: env({
        KG_AUTH_TOKEN: tokens.secondGateway,
        KERNEL_GATEWAY_ID: 'second',
        KG_ENV_PROCESS_WHITELIST: 'KERNEL_GATEWAY_ID'
      }),
      timeout: 120 * 1000,
      reuseExistingServer: false
    },
    {
      // A gateway that does not allow the test JupyterLab's origin (CORS).
      command: gatewayCommand(
        jupyter,
        ports.noCorsGateway,
        tokens.noCorsGateway,
        ports.lab,
        'http://elsewhere.invalid'
      ),
      url: `http://127.0.0.1:${ports.noCorsGateway}/api`,
      cwd: state('no-cors-gateway-root'),
      env: env({ KG_AUTH_TOKEN: tokens.noCorsGateway }),
      timeout: 120 * 1000,
      reuseExistingServer: false
    },
    {
      command: gatewayCommand(
        jupyter,
        ports.secureGateway,
        tokens.secureGateway,
        ports.secureLab
      ),
      url: `http://127.0.0.1:${ports.secureGateway}/api`,
      cwd: state('secure-gateway-root'),
      env: env({ KG_AUTH_TOKEN: tokens.secureGateway }),
      timeout: 120 * 1000,
      reuseExistingServer: false
    },
    {
      command: `node ${relay} --port ${ports.relay} --target ${ports.secureGateway} --record ${state('relay.bin')}`,
      url: `http://127.0.0.1:${ports.relay}/api`,
      timeout: 30 * 1000,
      reuseExistingServer: false
    },
    {
      command: `${jupyter} lab --config jupyter_server_test_config.py`,
      url: `http://127.0.0.1:${ports.secureLab}/login`,
      env: env({
        LAB_PORT: String(ports.secureLab),
        LAB_ROOT_DIR: state('secure-lab-root'),
        LAB_TOKEN: tokens.lab,
        // The security test reads what this server logs (every URL).
        LAB_LOG_FILE: state('secure-lab.log'),
        GATEWAY_URL: `http://localhost:${ports.relay}/`,
        // The administrator presets the URL; the user enters the token.
        GATEWAY_TOKEN: ''
      }),
      timeout: 120 * 1000,
      reuseExistingServer: false
    }
  ]
};

module.exports = config;
