/**
 * Notebooks on the local JupyterLab, kernels on a real Kernel Gateway.
 */
import * as fs from 'fs';
import * as path from 'path';

import type { Request, WebSocket } from '@playwright/test';

import { closeNotebook, expect, expectKernelIdle, test } from './fixtures';

import { gateway, ports, LAB_ROOT } from './servers';
const GATEWAY_SPEC = gateway.spec('Python 3 (on the gateway)');

const LOCAL = `http://127.0.0.1:${ports.lab}`;
const KERNEL_TRAFFIC = /\/api\/(kernels|sessions|kernelspecs)(\/|\?|$)/;

test.afterEach(async () => {
  await gateway.shutdownAll();
});

test('a notebook runs on the gateway kernel (KERNEL_GATEWAY=1), told its absolute directory', async ({
  page,
  tmpPath
}) => {
  await page.notebook.createNew('where.ipynb', { kernel: 'gateway-python' });
  await page.notebook.setCell(
    0,
    'code',
    "import os; os.environ.get('KERNEL_GATEWAY')"
  );
  await page.notebook.runCell(0);
  expect(await page.notebook.getCellTextOutput(0)).toEqual(["'1'"]);
  await page.notebook.setCell(
    1,
    'code',
    "print(os.environ['KERNEL_WORKING_DIR'])"
  );
  await page.notebook.runCell(1);
  expect(await page.notebook.getCellTextOutput(1)).toEqual([
    `${path.resolve(LAB_ROOT, tmpPath)}\n`
  ]);
  await expect(page.locator('.jp-Toolbar-kernelName')).toHaveText(GATEWAY_SPEC);
  expect(await gateway.kernels()).toHaveLength(1);
});

test('kernel traffic goes to the gateway only; the notebook is saved locally', async ({
  page,
  tmpPath
}) => {
  const requests: Request[] = [];
  const sockets: WebSocket[] = [];
  page.on('request', request => requests.push(request));
  page.on('websocket', socket => sockets.push(socket));
  // Record from the very start: load JupyterLab again with the recorders on.
  await page.goto();
  await page.filebrowser.openDirectory(tmpPath);

  await page.notebook.createNew('traffic.ipynb', { kernel: 'gateway-python' });
  await page.notebook.setCell(0, 'code', 'print(6 * 7)');
  await page.notebook.runCell(0);
  expect(await page.notebook.getCellTextOutput(0)).toEqual(['42\n']);
  await page.notebook.save();
  await page.menu.clickMenuItem('Kernel>Shut Down Kernel');
  await expect.poll(() => gateway.kernels()).toHaveLength(0);

  const local = requests.filter(
    r =>
      r.url().startsWith(LOCAL) &&
      KERNEL_TRAFFIC.test(new URL(r.url()).pathname)
  );
  expect(local.map(r => `${r.method()} ${r.url()}`)).toEqual([]);
  const remote = requests
    .filter(r => r.url().startsWith(gateway.url))
    .map(r => `${r.method()} ${new URL(r.url()).pathname}`);
  expect(remote).toEqual(
    expect.arrayContaining([
      'GET /api/kernelspecs',
      'POST /api/kernels',
      expect.stringMatching(/^DELETE \/api\/kernels\/[\w-]+$/)
    ])
  );
  const socketUrls = sockets.map(s => s.url());
  expect(socketUrls.length).toBeGreaterThan(0);
  for (const url of socketUrls) {
    if (/\/api\/kernels\//.test(url)) {
      expect(
        url.startsWith(`ws://localhost:${ports.gateway}/api/kernels/`)
      ).toBe(true);
    }
  }
  expect(
    socketUrls.some(url =>
      url.startsWith(`ws://127.0.0.1:${ports.lab}/api/kernels`)
    )
  ).toBe(false);

  // The notebook lives on the local server's disk, outputs included.
  const saved = JSON.parse(
    fs.readFileSync(path.join(LAB_ROOT, tmpPath, 'traffic.ipynb'), 'utf-8')
  );
  expect([].concat(saved.cells[0].source).join('')).toBe('print(6 * 7)');
  expect([].concat(saved.cells[0].outputs[0].text).join('')).toBe('42\n');
  expect(saved.metadata.kernelspec.name).toBe('gateway-python');
});

test('a reloaded page finds the notebook kernel, variables intact', async ({
  page,
  tmpPath
}) => {
  await page.notebook.createNew('state.ipynb', { kernel: 'gateway-python' });
  await page.notebook.setCell(0, 'code', 'x = 42');
  await page.notebook.runCell(0);
  await page.notebook.save();
  const [kernel] = await gateway.kernels();
  // Close the notebook (its kernel keeps running, as in JupyterLab).
  await closeNotebook(page, 'state.ipynb');
  expect(await gateway.kernels()).toHaveLength(1);

  await page.reload();
  // Reopen it from the file browser (a double click on its item).
  expect(await page.filebrowser.open(`${tmpPath}/state.ipynb`)).toBe(true);
  await expect(page.locator('.jp-Toolbar-kernelName')).toHaveText(GATEWAY_SPEC);
  const last = (await page.notebook.getCellCount()) - 1;
  await page.notebook.setCell(last, 'code', 'print(x)');
  await page.notebook.runCell(last);
  expect(await page.notebook.getCellTextOutput(last)).toEqual(['42\n']);
  expect((await gateway.kernels()).map((k: { id: string }) => k.id)).toEqual([
    kernel.id
  ]);
});

test('the launcher, the kernel picker and the Running panel show the gateway kernelspec and its logo', async ({
  page
}) => {
  const logoUrl = `${gateway.url}kernelspecs/gateway-python/logo-64x64.png?token=${gateway.token}`;
  const card = page.locator(
    `.jp-LauncherCard[data-category="Notebook"][title="${GATEWAY_SPEC}"]`
  );
  await expect(card).toBeVisible();
  const logo = card.locator('img');
  await expect(logo).toHaveAttribute('src', logoUrl);
  await expect
    .poll(() => logo.evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBe(64);

  await page.menu.clickMenuItem('File>New>Notebook');
  const picker = page.locator('.jp-Dialog select');
  await expect(picker.locator('option', { hasText: GATEWAY_SPEC })).toHaveCount(
    1
  );
  await picker.selectOption('{"name":"gateway-python"}');
  await page.click('.jp-Dialog .jp-mod-accept');
  await expect(page.locator('.jp-Toolbar-kernelName')).toHaveText(GATEWAY_SPEC);
  await expectKernelIdle(page);

  await page.sidebar.openTab('jp-running-sessions');
  const running = page.locator(
    '#jp-running-sessions .jp-RunningSessions-item',
    { hasText: GATEWAY_SPEC }
  );
  await expect(running.first()).toBeVisible();
  const runningLogo = running.first().locator('img').first();
  await expect(runningLogo).toHaveAttribute(
    'src',
    /kernelspecs\/gateway-python\/logo/
  );
  await expect
    .poll(() =>
      runningLogo.evaluate((img: HTMLImageElement) => img.naturalWidth)
    )
    .toBeGreaterThan(0);
  await page.screenshot({
    path: 'test-results/launcher-and-running-panel.png'
  });
});
