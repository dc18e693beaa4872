/**
 * Start a real JupyterLab on 127.0.0.1 for the Jest tests and the
 * benchmark, from the project's virtual environment.
 */
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const {
  assertPortFree,
  processId,
  stopProcess,
  waitForHttp,
  VENV_BIN
} = require('./gateway');

/**
 * Start a JupyterLab whose directories all lie under `options.dir`: root/
 * (the notebooks), settings/ (overrides.json), user-settings/ and config/
 * (JUPYTER_CONFIG_DIR), and the extension's session store, sessions.db.
 * Missing directories are created. Resolves when it answers.
 *
 * @param {object} options
 * @param {string} options.dir
 * @param {number} options.port
 * @param {string} [options.token] the server's token ('' = none, default).
 * @param {string[]} [options.extraArgs]
 * @param {string} [options.logFile] where its output goes (else dropped).
 * @param {Record<string, string>} [options.env] more environment variables.
 * @returns {Promise<{url: string, pid: number, stop: () => Promise<void>}>}
 */
async function startJupyterLab(options) {
  /** @param {string} sub */
  const dir = sub => path.join(options.dir, sub);
  for (const sub of ['root', 'settings', 'user-settings', 'config']) {
    fs.mkdirSync(dir(sub), { recursive: true });
  }
  await assertPortFree(options.port);
  const output = options.logFile ? fs.openSync(options.logFile, 'w') : 'ignore';
  const child = spawn(
    path.join(VENV_BIN, 'jupyter'),
    [
      'lab',
      '--no-browser',
      '--allow-root',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${options.port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${options.token ?? ''}`,
      `--ServerApp.root_dir=${dir('root')}`,
      `--LabApp.app_settings_dir=${dir('settings')}`,
      `--LabApp.user_settings_dir=${dir('user-settings')}`,
      `--KernelGatewaySessionStore.database_path=${path.join(options.dir, 'sessions.db')}`,
      ...(options.extraArgs ?? [])
    ],
    {
      env: {
        ...process.env,
        PATH: `${VENV_BIN}${path.delimiter}${process.env.PATH}`,
        JUPYTER_CONFIG_DIR: dir('config'),
        ...options.env
      },
      stdio: ['ignore', output, output]
    }
  );
  const url = `http://127.0.0.1:${options.port}`;
  await waitForHttp(`${url}/api`, 120000, child);
  return { url, pid: processId(child), stop: () => stopProcess(child) };
}

module.exports = { startJupyterLab };
