/**
 * KERNEL_WORKING_DIR must be absolute, but a real Jupyter Server gives the
 * page its root directory with the home directory shortened to `~`. The
 * package's server extension adds the absolute root to the page config.
 * Tested against a real JupyterLab whose notebooks live under its $HOME.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

import { kernelEnvironment } from '../gateway/kernelclient';
import { parseGatewaySettings } from '../gateway/config';
import { freePortSync } from './ports';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startJupyterLab } = require('../../tests/harness/lab');

const TOKEN = 'server-root-test';

let home: string;
let lab: { url: string; stop: () => Promise<void> };

beforeAll(async () => {
  home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kg-home-')));
  lab = await startJupyterLab({
    dir: home,
    port: freePortSync(),
    token: TOKEN,
    env: { HOME: home }
  });
}, 150000);

afterAll(async () => {
  await lab?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

async function pageConfig(): Promise<Record<string, unknown>> {
  const response = await fetch(`${lab.url}/lab?token=${TOKEN}`);
  const html = await response.text();
  const match = html.match(
    /<script id="jupyter-config-data" type="application\/json">([\s\S]*?)<\/script>/
  );
  expect(match).not.toBeNull();
  return JSON.parse(match![1]);
}

describe('the root directory sent to the gateway', () => {
  it('is absolute in the page config, where JupyterLab says ~/…', async () => {
    const config = await pageConfig();
    // The trap: JupyterLab's own value, with the home directory as ~.
    expect(config.serverRoot).toBe('~/root');
    expect(config.kernelGatewayServerRoot).toBe(path.join(home, 'root'));

    const env = kernelEnvironment(
      parseGatewaySettings({ gatewayUrl: 'http://gw.example:8888/' }).config,
      'projects/a.ipynb',
      config.kernelGatewayServerRoot as string
    );
    expect(env.KERNEL_WORKING_DIR).toBe(path.join(home, 'root', 'projects'));
  });

  it('is left out rather than sent as ~/… (without the server extension)', () => {
    const env = kernelEnvironment(
      parseGatewaySettings({ gatewayUrl: 'http://gw.example:8888/' }).config,
      'projects/a.ipynb',
      '~/root'
    );
    expect(env.KERNEL_WORKING_DIR).toBeUndefined();
  });
});
