/**
 * A gateway that cannot be used is reported in words that name it and say
 * what to check; the notebook stays usable. Without a gateway, kernels are
 * local, as without the extension.
 */
import * as fs from 'fs';
import * as path from 'path';

import { expect, gatewaySettings, test } from './fixtures';

import { gateway, ports, LAB_ROOT } from './servers';

// Nothing listens there.
const DEAD_URL = 'http://localhost:18899/';

test.describe('a gateway that is down', () => {
  test.use({
    mockSettings: gatewaySettings({
      gatewayUrl: DEAD_URL,
      authToken: 'whatever'
    })
  });

  test('is named in a notification, not blamed on the local server; the notebook is kept', async ({
    page,
    tmpPath
  }) => {
    const toast = page.locator('.Toastify__toast', {
      hasText: `Cannot reach the Kernel Gateway at ${DEAD_URL}`
    });
    await expect(toast).toBeVisible();
    await expect(
      toast.getByRole('button', { name: 'Open settings' })
    ).toBeVisible();
    // The details say what to check.
    await toast.getByRole('button', { name: 'Details' }).click();
    const details = page.locator('.jp-Dialog', { hasText: 'Kernel Gateway' });
    await expect(details).toContainText(
      `Cannot reach the Kernel Gateway at ${DEAD_URL}`
    );
    await expect(details).toContainText('"Kernel Gateway URL" setting');
    await details.getByRole('button', { name: 'Close' }).click();

    // Work on a notebook anyway: it opens, stays editable and saves locally.
    await page.menu.clickMenuItem('File>New>Notebook');
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toBeVisible();
    await page.screenshot({ path: 'test-results/gateway-down-dialog.png' });
    await dialog.locator('.jp-mod-accept, .jp-mod-reject').first().click();
    await page.notebook.setCell(
      0,
      'markdown',
      'notes written while the gateway is down'
    );
    await page.notebook.save();
    const files = fs.readdirSync(path.join(LAB_ROOT, tmpPath));
    const saved = files.find((f: string) => f.endsWith('.ipynb'))!;
    const notebook = JSON.parse(
      fs.readFileSync(path.join(LAB_ROOT, tmpPath, saved), 'utf-8')
    );
    expect([].concat(notebook.cells[0].source).join('')).toBe(
      'notes written while the gateway is down'
    );
    await expect(
      page.locator('.jp-Dialog', { hasText: 'Server Connection Error' })
    ).toHaveCount(0);
  });
});

test.describe('a wrong token', () => {
  test.use({
    mockSettings: gatewaySettings({
      gatewayUrl: gateway.url,
      authToken: 'not-the-token'
    })
  });

  test('is reported with the token setting and the CORS flags to check', async ({
    page
  }) => {
    const toast = page.locator('.Toastify__toast', {
      hasText: `The Kernel Gateway at ${gateway.url} refused this page (token or CORS).`
    });
    await expect(toast).toBeVisible();
    await toast.getByRole('button', { name: 'Details' }).click();
    const details = page.locator('.jp-Dialog', { hasText: 'Kernel Gateway' });
    await expect(details).toContainText('"Auth token" setting');
    await expect(details).toContainText(
      `--KernelGatewayApp.allow_origin=http://127.0.0.1:${ports.lab}`
    );
    await page.screenshot({ path: 'test-results/wrong-token-details.png' });
  });
});

test.describe('no gateway configured', () => {
  test.use({
    mockSettings: gatewaySettings({ gatewayUrl: '' })
  });

  test('kernels run on the local server, as without the extension', async ({
    page
  }) => {
    const requests: string[] = [];
    page.on('request', r => requests.push(r.url()));
    await page.notebook.createNew('local.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(
      0,
      'code',
      "import os; print(os.environ.get('KERNEL_GATEWAY'))"
    );
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual(['None\n']);
    expect(await gateway.kernels()).toEqual([]);
    expect(
      requests.some(url =>
        url.startsWith(`http://127.0.0.1:${ports.lab}/api/sessions`)
      )
    ).toBe(true);
    expect(requests.some(url => url.startsWith(gateway.url))).toBe(false);
    await page.menu.clickMenuItem('Kernel>Shut Down Kernel');
  });
});
