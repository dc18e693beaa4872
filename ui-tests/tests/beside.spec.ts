/**
 * "Also offer this server's kernels": local kernels beside the gateway's,
 * chosen per notebook, each notebook reopening where its kernel ran, and
 * notebooks that stay portable (their `metadata.kernelspec` is the
 * kernelspec's own).
 */
import * as fs from 'fs';
import * as path from 'path';

import type { IJupyterLabPageFixture } from '@jupyterlab/galata';

import { expect, expectKernelIdle, gatewaySettings, test } from './fixtures';

import { gateway, ports, LAB_ROOT } from './servers';

const LOCAL = `http://127.0.0.1:${ports.lab}`;
const LOCAL_SPEC = 'Python 3 (ipykernel)';
const WHERE = "import os; print(os.environ.get('KERNEL_GATEWAY', 'local'))";

test.use({
  mockSettings: gatewaySettings({
    gatewayUrl: gateway.url,
    authToken: gateway.token,
    gatewayName: gateway.name,
    offerLocalKernels: true
  })
});

/**
 * The local server's kernels, asked directly.
 */
async function localKernels(): Promise<{ id: string }[]> {
  const response = await fetch(`${LOCAL}/api/kernels`);
  return response.json();
}

test.afterEach(async () => {
  await gateway.shutdownAll();
  for (const kernel of await localKernels()) {
    await fetch(`${LOCAL}/api/kernels/${kernel.id}`, { method: 'DELETE' });
  }
});

/**
 * Run where-am-I in cell `cell` of the current notebook: "local" or "1"
 * (Kernel Gateway sets KERNEL_GATEWAY=1 in its kernels).
 */
async function where(
  page: IJupyterLabPageFixture,
  cell: number
): Promise<string> {
  await page.notebook.setCell(cell, 'code', WHERE);
  await page.notebook.runCell(cell);
  return ((await page.notebook.getCellTextOutput(cell)) ?? []).join('');
}

function savedMetadata(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(LAB_ROOT, file), 'utf-8'))
    .metadata;
}

test('local and gateway kernels side by side: each runs where it was chosen, and reopens there', async ({
  page,
  tmpPath
}) => {
  // Both backends' python3, under names that do not collide.
  await page.menu.clickMenuItem('File>New>Notebook');
  const choices = page.locator('.jp-Dialog select option');
  await expect(choices.filter({ hasText: LOCAL_SPEC })).toHaveCount(2);
  await expect(
    page.locator('.jp-Dialog select option[value=\'{"name":"local:python3"}\']')
  ).toHaveText(LOCAL_SPEC);
  await page.locator('.jp-Dialog .jp-mod-reject').click();

  await page.notebook.createNew('on-local.ipynb', { kernel: 'local:python3' });
  await expectKernelIdle(page);
  expect(await where(page, 0)).toBe('local\n');
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    LOCAL_SPEC
  );
  await page.notebook.save();

  await page.notebook.createNew('on-gateway.ipynb', { kernel: 'python3' });
  await expectKernelIdle(page);
  expect(await where(page, 0)).toBe('1\n');
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    gateway.spec(LOCAL_SPEC)
  );
  await page.notebook.save();

  // Portable: the kernelspec's own name and display name; where it ran is
  // remembered under the extension's own key, for the local one only.
  const local = savedMetadata(`${tmpPath}/on-local.ipynb`);
  expect(local.kernelspec).toEqual(
    expect.objectContaining({ name: 'python3', display_name: LOCAL_SPEC })
  );
  expect(local['jupyterlab-kernel-gateway']).toEqual({ runsOn: 'local' });
  const remote = savedMetadata(`${tmpPath}/on-gateway.ipynb`);
  expect((remote.kernelspec as { name: string }).name).toBe('python3');
  expect(remote['jupyterlab-kernel-gateway']).toBeUndefined();

  // Reload: each notebook reattaches to its own kernel.
  const localIds = (await localKernels()).map(kernel => kernel.id);
  expect(localIds).toHaveLength(1);
  expect(await gateway.kernels()).toHaveLength(1);
  await page.reload();
  await page.notebook.activate('on-local.ipynb');
  await expectKernelIdle(page);
  expect(await where(page, 1)).toBe('local\n');
  await page.notebook.activate('on-gateway.ipynb');
  await expectKernelIdle(page);
  expect(await where(page, 1)).toBe('1\n');
  expect((await localKernels()).map(kernel => kernel.id)).toEqual(localIds);
  expect(await gateway.kernels()).toHaveLength(1);

  // Reopened with no kernel running: it starts where it ran before.
  await page.notebook.activate('on-local.ipynb');
  await page.menu.clickMenuItem('Kernel>Shut Down Kernel');
  await expect.poll(localKernels).toHaveLength(0);
  await page.notebook.save();
  await page.notebook.close(true);
  await page.notebook.openByPath(`${tmpPath}/on-local.ipynb`);
  await expectKernelIdle(page);
  expect(await where(page, 2)).toBe('local\n');
  expect(await localKernels()).toHaveLength(1);
});

test('a notebook changes kernel between this server and the gateway', async ({
  page
}) => {
  await page.notebook.createNew('moves.ipynb', { kernel: 'local:python3' });
  await expectKernelIdle(page);
  expect(await where(page, 0)).toBe('local\n');

  await page.menu.clickMenuItem('Kernel>Change Kernel…');
  await page.locator('.jp-Dialog select').selectOption('{"name":"python3"}');
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    gateway.spec(LOCAL_SPEC)
  );
  await expectKernelIdle(page);
  expect(await where(page, 1)).toBe('1\n');
  await expect.poll(localKernels).toHaveLength(0);

  await page.menu.clickMenuItem('Kernel>Change Kernel…');
  await page
    .locator('.jp-Dialog select')
    .selectOption('{"name":"local:python3"}');
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    LOCAL_SPEC
  );
  await expectKernelIdle(page);
  expect(await where(page, 2)).toBe('local\n');
  await expect.poll(() => gateway.kernels()).toHaveLength(0);
});
