/**
 * The settings read before JupyterLab starts, from a real JupyterLab server:
 * the administrator's overrides.json, the user's JSON5 settings file, and
 * what the server does with a hand-edited file that breaks the schema.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

import { ServerConnection, SettingManager } from '@jupyterlab/services';
import { DefaultSchemaValidator } from '@jupyterlab/settingregistry';

import { loadGatewaySettings, SETTINGS_PLUGIN_ID } from '../gateway/settings';
import { freePortSync } from './ports';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startJupyterLab } = require('../../tests/harness/lab');

const TOKEN = 'settings-load-test';
const ADMIN_URL = 'https://gateway.example.org/';

let dir: string;
let lab: { url: string; stop: () => Promise<void> };
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
  fs.mkdirSync(path.dirname(userFile()), { recursive: true });
  fs.mkdirSync(path.join(dir, 'settings'));
  fs.writeFileSync(
    path.join(dir, 'settings', 'overrides.json'),
    JSON.stringify({
      [SETTINGS_PLUGIN_ID]: { gatewayUrl: ADMIN_URL, gatewayName: 'Cluster' }
    })
  );
  lab = await startJupyterLab({
    dir,
    port: freePortSync(),
    token: TOKEN
  });
  settingManager = new SettingManager({
    serverSettings: ServerConnection.makeSettings({
      baseUrl: `${lab.url}/`,
      appUrl: '/lab',
      token: TOKEN
    })
  });
}, 150000);

afterAll(async () => {
  await lab.stop();
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
