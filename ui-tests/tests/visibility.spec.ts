/**
 * Where my kernel runs, at a glance: status bar, details panel, connection
 * test, labels, notifications with actions. The screenshots in docs/images
 * (used by the README) are taken here, so they stay current.
 */
import * as path from 'path';

import type { Page, Request } from '@playwright/test';

import {
  detailValue,
  escapeRegExp,
  expect,
  expectKernelIdle,
  gatewaySettings,
  test
} from './fixtures';
import { statusItem } from './faultkit';

import { gateway, ports, tokens } from './servers';
import { startCorsProxy } from '../../tests/harness/corsproxy';

const IMAGES = path.join(__dirname, '..', '..', 'docs', 'images');
const GATEWAY_SPEC = gateway.spec('Python 3 (on the gateway)');
const LAB_ORIGIN = `http://127.0.0.1:${ports.lab}`;

test.afterEach(async () => {
  await gateway.shutdownAll();
});

async function runCommand(page: Page, label: string) {
  await page.keyboard.press('Control+Shift+C');
  await page.locator('#modal-command-palette input').fill(label);
  await page.keyboard.press('Enter');
}

async function runConnectionTest(page: Page) {
  await runCommand(page, 'Test Kernel Gateway Connection');
  const dialog = page.locator('.jp-Dialog', {
    has: page.locator('.jp-KernelGateway-test')
  });
  await expect(
    dialog.locator('.jp-KernelGateway-testProgress[data-done="true"]')
  ).toBeVisible({ timeout: 60000 });
  return dialog;
}

/**
 * Run the connection test: its token step fails and names the setting.
 */
async function expectTokenStepFails(page: Page) {
  const dialog = await runConnectionTest(page);
  const token = dialog.locator('.jp-KernelGateway-step[data-step="token"]');
  await expect(token).toHaveAttribute('data-status', 'fail');
  await expect(token).toContainText('"Auth token"');
  await dialog.getByRole('button', { name: 'Close' }).click();
}

test('the status bar shows the gateway, its state and round trip; details and actions', async ({
  page
}) => {
  await expect(statusItem(page)).toHaveText(
    /^ui-gateway · connected · \d+ ms$/
  );
  await expect(statusItem(page)).toHaveAttribute('data-state', 'connected');

  await page.notebook.createNew('here.ipynb', { kernel: 'gateway-python' });
  await expectKernelIdle(page);
  await page
    .locator('.jp-StatusBar-Widget')
    .screenshot({ path: path.join(IMAGES, 'status-bar.png') });

  await statusItem(page).click();
  const details = page.locator('.jp-Dialog', {
    has: page.locator('.jp-KernelGateway-details')
  });
  await expect(details).toContainText(`ui-gateway — ${gateway.url}`);
  // The version the gateway reports on GET /api.
  const api = (await (
    await fetch(`http://127.0.0.1:${ports.gateway}/api?token=${tokens.gateway}`)
  ).json()) as { version: string };
  await expect(detailValue(page, 'Version (GET /api)')).toHaveText(api.version);
  await expect(details).toContainText(
    new RegExp(`${escapeRegExp(GATEWAY_SPEC)}, \\w+: [^ ]*here\\.ipynb`)
  );
  await details
    .locator('.jp-Dialog-content')
    .screenshot({ path: path.join(IMAGES, 'status-details.png') });

  // "Test connection" from the panel: every step passes here.
  await details.getByRole('button', { name: 'Test connection' }).click();
  const test = page.locator('.jp-Dialog', {
    has: page.locator('.jp-KernelGateway-test')
  });
  await expect(
    test.locator('.jp-KernelGateway-testProgress[data-done="true"]')
  ).toHaveText('All steps passed.', { timeout: 60000 });
  await expect(
    test.locator('.jp-KernelGateway-step[data-status="pass"]')
  ).toHaveCount(7);
  await test
    .locator('.jp-Dialog-content')
    .screenshot({ path: path.join(IMAGES, 'connection-test.png') });
  await test.getByRole('button', { name: 'Close' }).click();
});

test('the kernel indicator, launcher and picker say where kernels run', async ({
  page
}) => {
  await expect(
    page.locator(
      `.jp-LauncherCard[data-category="Notebook"][title="${GATEWAY_SPEC}"]`
    )
  ).toBeVisible();
  await page.notebook.createNew('where.ipynb', { kernel: 'gateway-python' });
  await expect(page.locator('.jp-Toolbar-kernelName')).toHaveText(GATEWAY_SPEC);
  await page.locator('.jp-Toolbar-kernelName').click();
  await expect(
    page.locator('.jp-Dialog option', { hasText: '[ui-gateway]' })
  ).toHaveCount(3);
  await page.locator('.jp-Dialog .jp-mod-reject').click();
});

test.describe('a gateway that does not allow this origin', () => {
  test.use({
    mockSettings: gatewaySettings({
      gatewayUrl: `http://localhost:${ports.noCorsGateway}/`,
      authToken: tokens.noCorsGateway
    })
  });

  test('shows "CORS refused"; the connection test gives the flag with this origin', async ({
    page
  }) => {
    await expect(statusItem(page)).toContainText('CORS refused');
    const dialog = await runConnectionTest(page);
    const cors = dialog.locator('.jp-KernelGateway-step[data-step="cors"]');
    await expect(cors).toHaveAttribute('data-status', 'fail');
    await expect(cors).toContainText(
      `--KernelGatewayApp.allow_origin=${LAB_ORIGIN}`
    );
    await expect(
      dialog.locator('.jp-KernelGateway-step[data-step="token"]')
    ).toHaveAttribute('data-status', 'pass');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });
});

test.describe('a wrong token', () => {
  test.use({
    mockSettings: gatewaySettings({
      gatewayUrl: gateway.url,
      authToken: 'not-the-token'
    })
  });

  test('the connection test points at the token (and CORS, which a browser cannot tell apart)', async ({
    page
  }) => {
    // Kernel Gateway's 401 carries no CORS headers: the browser cannot
    // read it, and the status bar says what is certain.
    await expect(statusItem(page)).toHaveText(/ · refused: token or CORS$/);
    await expectTokenStepFails(page);
  });
});

test.describe('a wrong token, behind a proxy that adds CORS headers to errors', () => {
  // As an administrator's reverse proxy does (nginx `add_header … always`):
  // the browser can read the gateway's 401, so the cause is certain.
  let proxy: { close: () => Promise<void> };
  test.beforeAll(async () => {
    proxy = await startCorsProxy({
      port: ports.corsProxy,
      targetPort: ports.gateway,
      origin: LAB_ORIGIN
    });
  });
  test.afterAll(() => proxy.close());
  test.use({
    mockSettings: gatewaySettings({
      gatewayUrl: `http://localhost:${ports.corsProxy}/`,
      authToken: 'not-the-token',
      gatewayName: 'proxied-gw'
    })
  });

  test('shows "token refused"; the connection test fails the token step', async ({
    page
  }) => {
    await expect(statusItem(page)).toHaveText(/^proxied-gw · token refused/);
    await expect(statusItem(page)).toHaveAttribute('data-state', 'refused');
    await expectTokenStepFails(page);
  });
});

test.describe('a gateway that is down', () => {
  test.use({
    mockSettings: gatewaySettings({
      gatewayUrl: 'http://localhost:18899/',
      gatewayName: ''
    })
  });

  test('shows "unreachable (retrying)"; "Retry" asks again at once; the details show the error and open the settings', async ({
    page
  }) => {
    const isCheck = (request: Request) =>
      new URL(request.url()).href === 'http://localhost:18899/api';
    // When each request to the gateway's /api started, and those not ended
    // yet (they fail: nothing listens there).
    const checks: number[] = [];
    const underWay = new Set<Request>();
    page.on('request', request => {
      if (isCheck(request)) {
        checks.push(Date.now());
        underWay.add(request);
      }
    });
    const onEnded = (request: Request) => underWay.delete(request);
    page.on('requestfailed', onEnded);
    page.on('requestfinished', onEnded);
    const opened = Date.now();
    await expect(statusItem(page)).toHaveText(
      'localhost:18899 · unreachable (retrying)'
    );
    await expect(statusItem(page)).toHaveAttribute('data-state', 'unreachable');

    // The page checks again after 1, 2, 4 and 8 s: once the check ~7 s in
    // is done, the next is ~8 s away, so a check right after "Retry" is
    // the one "Retry" asked for. A check that finds nothing listening makes
    // two requests to /api, the check and the no-cors probe that follows
    // its failure (GatewayRequester): it is done when both have failed and
    // no other request is under way.
    await expect
      .poll(
        () =>
          checks.filter(t => t - opened > 6000).length >= 2 &&
          underWay.size === 0,
        { timeout: 30000 }
      )
      .toBe(true);
    const before = checks.length;
    const retried = Date.now();
    await page
      .locator('.Toastify__toast', {
        hasText: 'Cannot reach the Kernel Gateway'
      })
      .last()
      .getByRole('button', { name: 'Retry' })
      .click();
    await expect
      .poll(() => checks.length, { timeout: 2000 })
      .toBeGreaterThan(before);
    expect(checks[before] - retried).toBeLessThan(2000);

    await statusItem(page).click();
    await expect(detailValue(page, 'Last error')).toContainText(
      'Cannot reach the Kernel Gateway at http://localhost:18899/'
    );
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Open settings' })
      .click();
    await expect(
      page.locator('.jp-SettingsPanel input[label="Kernel Gateway URL"]')
    ).toHaveValue('http://localhost:18899/');
  });
});

test('a culled kernel: the notebook is told, one action starts a new kernel', async ({
  page
}) => {
  await page.notebook.createNew('culled.ipynb', { kernel: 'gateway-python' });
  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.runCell(0);
  const [kernel] = await gateway.kernels();
  // The gateway culls it (as cull_idle_timeout would).
  await fetch(
    `http://127.0.0.1:${ports.gateway}/api/kernels/${kernel.id}?token=${tokens.gateway}`,
    { method: 'DELETE' }
  );
  const toast = page.locator('.Toastify__toast', {
    hasText: 'The kernel of culled.ipynb is gone'
  });
  await expect(toast).toBeVisible({ timeout: 5000 });
  await toast.getByRole('button', { name: 'Start new kernel' }).click();
  await expect(page.locator('.jp-Toolbar-kernelName')).toHaveText(GATEWAY_SPEC);
  await expect
    .poll(async () =>
      (await gateway.kernels()).map((k: { id: string }) => k.id)
    )
    .not.toContain(kernel.id);
  await page.notebook.setCell(
    0,
    'code',
    "import os; print('x' in globals(), os.environ['KERNEL_GATEWAY'])"
  );
  await page.notebook.runCell(0);
  expect(await page.notebook.getCellTextOutput(0)).toEqual(['False 1\n']);
});
