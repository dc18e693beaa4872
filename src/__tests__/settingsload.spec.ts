/**
 * The settings read before JupyterLab starts, from a real JupyterLab server:
 * the administrator's overrides.json, the user's JSON5 settings file, and
 * what the server does with a hand-edited file that breaks the schema.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

import { Notification } from '@jupyterlab/apputils';
import { ServerConnection, SettingManager } from '@jupyterlab/services';
import {
  DefaultSchemaValidator,
  SettingRegistry
} from '@jupyterlab/settingregistry';
import { Signal } from '@lumino/signaling';

import { loadGatewaySettings, SETTINGS_PLUGIN_ID } from '../gateway/settings';
import type { IConfigChange } from '../tokens';
import { watchSettings } from '../ui/settingswatch';
import { translations } from '../ui/translation';
import { freePortSync } from './ports';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startJupyterLab } = require('../../tests/harness/lab');

const TOKEN = 'settings-load-test';
const ADMIN_URL = 'https://gateway.example.org/';

/**
 * A real JupyterLab whose administrator's overrides.json holds `overrides`
 * (the server reads it once, when it starts).
 */
async function startLab(overrides: Record<string, unknown>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kg-settings-'));
  const userFile = path.join(
    dir,
    'user-settings',
    'jupyterlab-kernel-gateway',
    'plugin.jupyterlab-settings'
  );
  fs.mkdirSync(path.dirname(userFile), { recursive: true });
  fs.mkdirSync(path.join(dir, 'settings'));
  fs.writeFileSync(
    path.join(dir, 'settings', 'overrides.json'),
    JSON.stringify({ [SETTINGS_PLUGIN_ID]: overrides })
  );
  const lab: { url: string; stop: () => Promise<void> } = await startJupyterLab(
    { dir, port: freePortSync(), token: TOKEN }
  );
  const settingManager = new SettingManager({
    serverSettings: ServerConnection.makeSettings({
      baseUrl: `${lab.url}/`,
      appUrl: '/lab',
      token: TOKEN
    })
  });
  return {
    settingManager,
    userFile,
    async stop() {
      await lab.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

let server: Awaited<ReturnType<typeof startLab>>;
let settingManager: SettingManager;
let userFile: () => string;

beforeAll(async () => {
  server = await startLab({ gatewayUrl: ADMIN_URL, gatewayName: 'Cluster' });
  settingManager = server.settingManager;
  userFile = () => server.userFile;
}, 150000);

afterAll(() => server.stop());

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

describe('an administrator who locked the gateways', () => {
  const GPU_URL = 'https://gpu.example.org/';
  let locked: Awaited<ReturnType<typeof startLab>>;

  beforeAll(async () => {
    locked = await startLab({
      gatewayUrl: ADMIN_URL,
      gatewayName: 'Cluster',
      allowUserGateways: false,
      gateways: [{ gatewayUrl: GPU_URL, gatewayName: 'gpu' }]
    });
  }, 150000);

  afterAll(() => locked.stop());

  it('keeps them; each user still sets their own tokens, and is told what is not used', async () => {
    fs.writeFileSync(
      locked.userFile,
      JSON.stringify({
        // What a user may not change once locked, their own lock value
        // included, and what they may: tokens.
        allowUserGateways: true,
        gatewayUrl: 'https://mine.example.org/',
        authToken: 'user-token',
        gateways: [
          {
            // The listed gateway, written otherwise.
            gatewayUrl: 'https://GPU.example.org',
            gatewayName: 'renamed',
            authToken: 'gpu-token'
          },
          { gatewayUrl: 'https://other.example.org/', gatewayName: 'other' }
        ]
      })
    );

    const result = await loadGatewaySettings(locked.settingManager);

    expect(result.locked).toBe(true);
    expect(result.problems).toEqual([]);
    expect([
      result.config.url,
      result.config.name,
      result.config.token
    ]).toEqual([ADMIN_URL, 'Cluster', 'user-token']);
    expect(
      result.gateways.map(gateway => [gateway.url, gateway.name, gateway.token])
    ).toEqual([[GPU_URL, 'gpu', 'gpu-token']]);
    // Told, not silently dropped.
    expect(result.ignored?.map(problem => problem.key)).toEqual([
      'gatewayUrl',
      'gateways'
    ]);
    expect(result.ignored?.[1].message).toContain(
      'https://other.example.org/ cannot be added'
    );
  });

  it('tells what it ignores once, and again only when that changes', async () => {
    fs.writeFileSync(
      locked.userFile,
      JSON.stringify({ gatewayUrl: 'https://mine.example.org/' })
    );
    const registry = new SettingRegistry({
      connector: locked.settingManager,
      validator: new DefaultSchemaValidator()
    });
    const settings = await registry.load(SETTINGS_PLUGIN_ID);
    const configured: string[] = [];
    const watch = watchSettings({
      settings,
      gateway: {
        configure: result => {
          configured.push(result.config.token);
          return [];
        },
        configChanged: new Signal<unknown, IConfigChange>({})
      },
      trans: translations(null),
      moveSessions: () => Promise.resolve()
    });
    const told = () =>
      Notification.manager.notifications
        .map(notification => notification.message)
        .filter(message => message.includes('is not used'));
    try {
      // Told when the page loaded (with the other problems), not again at
      // each edit of a setting the lock leaves to the user.
      await settings.set('authToken', 'first');
      await settings.set('authToken', 'second');
      expect(configured).toEqual(['first', 'second']);
      expect(told()).toEqual([]);

      // Something else is now ignored: told.
      await settings.set('gatewayName', 'mine');
      expect(told()).toEqual([
        'Your administrator sets the Kernel Gateway URL; yours is not used. Your administrator sets the gateway name; yours is not used.'
      ]);
      await settings.set('authToken', 'third');
      expect(told()).toHaveLength(1);
      expect(configured).toEqual(['first', 'second', 'second', 'third']);
    } finally {
      watch.dispose();
      settings.dispose();
    }
  });
});

it('lets users add gateways unless the administrator locked the list', async () => {
  fs.writeFileSync(
    userFile(),
    JSON.stringify({
      gateways: [
        { gatewayUrl: 'https://other.example.org/', gatewayName: 'other' }
      ]
    })
  );

  const result = await loadGatewaySettings(settingManager);

  expect(result.locked).toBe(false);
  expect(result.ignored).toEqual([]);
  expect(result.gateways.map(gateway => gateway.name)).toEqual(['other']);
});
