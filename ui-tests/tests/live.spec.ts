/**
 * Switching gateways in the Settings Editor, the way a person does: new
 * kernels go to the new gateway at once; a notebook already running keeps
 * its kernel until it is moved; an invalid value is refused inline and the
 * previous configuration stays in force.
 */
import * as path from 'path';

import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';

import { detailValue, expect, test } from './fixtures';

import { gateway, ports, tokens } from './servers';

const IMAGES = path.join(__dirname, '..', '..', 'docs', 'images');
const SECOND_URL = `http://localhost:${ports.secondGateway}/`;

async function secondGatewayKernels(): Promise<{ id: string }[]> {
  const response = await fetch(
    `http://127.0.0.1:${ports.secondGateway}/api/kernels?token=${tokens.secondGateway}`
  );
  return response.json();
}

test.afterEach(async () => {
  await gateway.shutdownAll();
  for (const kernel of await secondGatewayKernels()) {
    await fetch(
      `http://127.0.0.1:${ports.secondGateway}/api/kernels/${kernel.id}?token=${tokens.secondGateway}`,
      { method: 'DELETE' }
    );
  }
});

/**
 * Type into a field of the Kernel Gateway settings form.
 */
async function setField(page: Page, label: string, value: string) {
  const input = page.locator(`.jp-SettingsPanel input[label="${label}"]`);
  await input.fill(value);
  await input.press('Tab');
}

async function whichGateway(
  page: IJupyterLabPageFixture,
  cell: number
): Promise<string[] | null> {
  await page.notebook.setCell(
    cell,
    'code',
    "import os; print(os.environ['KERNEL_GATEWAY'], os.environ.get('KERNEL_GATEWAY_ID', 'first'))"
  );
  await page.notebook.runCell(cell);
  return page.notebook.getCellTextOutput(cell);
}

test('switch to a second gateway in the Settings Editor, without a reload', async ({
  page
}) => {
  // A notebook on the first gateway, with state (its kernelspec, python3,
  // exists on both gateways).
  await page.notebook.createNew('first.ipynb', { kernel: 'python3' });
  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.runCell(0);
  expect(await whichGateway(page, 1)).toEqual(['1 first\n']);

  // Settings → Settings Editor → Kernel Gateway.
  await page.menu.clickMenuItem('Settings>Settings Editor');
  await page.locator('.jp-PluginList').getByText('Kernel Gateway').click();
  await setField(page, 'Kernel Gateway URL', SECOND_URL);
  await setField(page, 'Auth token', tokens.secondGateway);
  await setField(page, 'Gateway name', 'second-gateway');
  await expect(page.locator('.jp-KernelGateway-status')).toHaveText(
    /^second-gateway · connected · \d+ ms$/,
    { timeout: 60000 }
  );
  const moved = page.locator('.Toastify__toast', {
    hasText: 'New kernels now run on the Kernel Gateway'
  });
  await expect(moved.last()).toContainText('first.ipynb keep their kernel on');
  await page
    .locator('.jp-SettingsPanel input[label="Kernel Gateway URL"]')
    .scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(IMAGES, 'settings.png') });

  // An invalid URL is refused inline; the second gateway stays in force
  // (the new notebook below starts there while the form shows the value).
  await setField(page, 'Kernel Gateway URL', 'javascript:alert(1)');
  await expect(page.locator('.jp-SettingsPanel')).toContainText(
    'must match pattern'
  );
  await expect(page.locator('.jp-KernelGateway-status')).toHaveText(
    /^second-gateway · connected/
  );

  // A new notebook runs on the second gateway.
  await page.notebook.createNew('second.ipynb', {
    kernel: 'python3'
  });
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    'Python 3 (ipykernel) [second-gateway]'
  );
  expect(await whichGateway(page, 0)).toEqual(['1 second\n']);
  expect(await secondGatewayKernels()).toHaveLength(1);

  // The status panel lists the kernels on the second gateway only.
  await page.locator('.jp-KernelGateway-status').click();
  const kernelsThere = detailValue(page, 'Your kernels there');
  await expect(kernelsThere).toContainText('second.ipynb');
  await expect(kernelsThere).not.toContainText('first.ipynb');
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Close' })
    .click();

  // The first notebook kept its kernel and its state, and is still named
  // after the first gateway, where it runs...
  await page.notebook.activate('first.ipynb');
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    'Python 3 (ipykernel) [ui-gateway]'
  );
  await expect(
    page.locator('.jp-StatusBar-TextItem[title^="Change kernel for"]')
  ).toHaveText(/^Python 3 \(ipykernel\) \[ui-gateway\] \| /);
  await page.notebook.setCell(2, 'code', 'print(x)');
  await page.notebook.runCell(2);
  expect(await page.notebook.getCellTextOutput(2)).toEqual(['1\n']);
  expect(await whichGateway(page, 1)).toEqual(['1 first\n']);

  // ...until the user moves it to the second gateway.
  await moved.last().getByRole('button', { name: 'Move them now' }).click();
  await expect
    .poll(async () => (await secondGatewayKernels()).length, { timeout: 30000 })
    .toBe(2);
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toContainText(
    '[second-gateway]'
  );
  expect(await whichGateway(page, 1)).toEqual(['1 second\n']);
  expect(await gateway.kernels()).toEqual([]);

  // A new kernel environment applies to the next kernel, without a reload.
  await page
    .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'Settings' })
    .click();
  await setField(page, 'Kernel Gateway URL', SECOND_URL);
  const saved = page.waitForResponse(
    response =>
      response.url().includes('/api/settings/jupyterlab-kernel-gateway') &&
      response.request().method() === 'PUT' &&
      (response.request().postData() ?? '').includes('ada-lovelace')
  );
  await setField(page, 'KERNEL_USERNAME', 'ada-lovelace');
  await saved;
  await page.notebook.createNew('third.ipynb', { kernel: 'python3' });
  await page.notebook.setCell(
    0,
    'code',
    "import os; print(os.environ.get('KERNEL_USERNAME'))"
  );
  await page.notebook.runCell(0);
  expect(await page.notebook.getCellTextOutput(0)).toEqual(['ada-lovelace\n']);
});
