/**
 * The settings read before JupyterLab starts, from a real JupyterLab server:
 * the administrator's overrides.json, the user's JSON5 settings file, and
 * what the server does with a hand-edited file that breaks the schema.
 */
import { spawn } from 'child_process';
import type { ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

import { ServerConnection, SettingManager } from '@jupyterlab/services';
import { DefaultSchemaValidator } from '@jupyterlab/settingregistry';

import { loadGatewaySettings, SETTINGS_PLUGIN_ID } from '../gateway/settings';
import { freePortSync } from './ports';

const {
  stopProcess,
  waitForHttp,
  VENV_BIN
  // eslint-disable-next-line @typescript-eslint/no-require-imports
} = require('../../tests/harness/gateway');

const TOKEN = 'settings-load-test';
const ADMIN_URL = 'https://gateway.example.org/';

let dir: string;
let lab: ChildProcess;
let settingManager: SettingManager;

const userFile = () =>
  path.join(
    dir,
    'user-settings',
    'jupyterlab-kernel-gateway',
    'plugin.jupyterlab-settings'
  );

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kg-settings-'));
  for (const sub of ['root', 'settings', 'user-settings', 'config']) {
    fs.mkdirSync(path.join(dir, sub));
  }
  fs.writeFileSync(
    path.join(dir, 'settings', 'overrides.json'),
    JSON.stringify({
      [SETTINGS_PLUGIN_ID]: { gatewayUrl: ADMIN_URL, gatewayName: 'Cluster' }
    })
  );
  fs.mkdirSync(path.dirname(userFile()));
  const port = freePortSync();
  lab = spawn(
    path.join(VENV_BIN, 'jupyter'),
    [
      'lab',
      '--no-browser',
      '--allow-root',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${TOKEN}`,
      '--ServerApp.allow_origin=*',
      `--ServerApp.root_dir=${path.join(dir, 'root')}`,
      `--LabApp.app_settings_dir=${path.join(dir, 'settings')}`,
      `--LabApp.user_settings_dir=${path.join(dir, 'user-settings')}`
    ],
    {
      env: {
        ...process.env,
        PATH: `${VENV_BIN}${path.delimiter}${process.env.PATH}`,
        JUPYTER_CONFIG_DIR: path.join(dir, 'config')
      },
      stdio: 'ignore'
    }
  );
  const baseUrl = `http://127.0.0.1:${port}/`;
  await waitForHttp(`${baseUrl}api`, 120000, lab);
  settingManager = new SettingManager({
    serverSettings: ServerConnection.makeSettings({
      baseUrl,
      wsUrl: `ws://127.0.0.1:${port}/`,
      appUrl: '/lab',
      token: TOKEN
    })
  });
}, 150000);

afterAll(async () => {
  await stopProcess(lab);
  fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  jest.restoreAllMocks();
});

it("composes the user's JSON5 settings over the administrator's overrides, as the server checked them", async () => {
  fs.writeFileSync(
    userFile(),
    `{
      // set in the Settings Editor
      "authToken": "user-token",
      "kernelEnv": { "KERNEL_PROJECT": "survey", },
    }`
  );
  const validate = jest.spyOn(DefaultSchemaValidator.prototype, 'validateData');

  const { config, problems } = await loadGatewaySettings(settingManager);

  expect(problems).toEqual([]);
  expect(config.url).toBe(ADMIN_URL);
  expect(config.name).toBe('Cluster');
  expect(config.token).toBe('user-token');
  expect(config.kernelEnv).toEqual({ KERNEL_PROJECT: 'survey' });
  // The server parsed and checked them: no schema compiled in the page.
  expect(validate).not.toHaveBeenCalled();
});

it("keeps the administrator's settings when the user's file breaks the schema", async () => {
  // A hand-edited file: the server answers as if it were empty (and logs
  // why), so the page never sees the refused value.
  fs.writeFileSync(
    userFile(),
    '{ "gatewayUrl": "javascript:alert(1)", "authToken": "user-token" }'
  );

  const { config, problems } = await loadGatewaySettings(settingManager);

  expect(problems).toEqual([]);
  expect(config.url).toBe(ADMIN_URL);
  expect(config.token).toBe('');
});
