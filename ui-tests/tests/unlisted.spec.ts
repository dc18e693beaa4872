/**
 * A gateway as Kernel Gateway runs by default: `GET /api/kernels` answers
 * 403 (and, without CORS headers, the browser sees only a failed request).
 * The extension looks up the kernels it started one by one: a reload finds
 * the notebook's kernel, and the Running panel lists and shuts it down.
 */

import { FaultyGateway } from './faultkit';
import {
  expect,
  gatewaySettings,
  pageKernelIds,
  runningPanelKernels,
  test
} from './fixtures';

import { ports, tokens } from './servers';

const unlisted = new FaultyGateway({
  port: ports.unlistedGateway,
  relayPort: ports.unlistedRelay,
  token: tokens.faultGateway,
  listKernels: false
});
const SPEC = 'Python 3 (ipykernel) [unlisted-gw]';

test.use({
  mockSettings: gatewaySettings({
    gatewayUrl: unlisted.url,
    authToken: unlisted.token,
    gatewayName: 'unlisted-gw'
  })
});
test.beforeAll(() => unlisted.start());
test.afterAll(() => unlisted.close());

/**
 * Whether the gateway has the kernel `id` (asked by id: it lists none).
 */
async function exists(id: string): Promise<boolean> {
  const response = await fetch(
    `http://127.0.0.1:${ports.unlistedGateway}/api/kernels/${id}?token=${unlisted.token}`
  );
  return response.ok;
}

test('listing forbidden: a reload keeps the kernel, the Running panel shuts it down', async ({
  page
}) => {
  const listing = await fetch(
    `http://127.0.0.1:${ports.unlistedGateway}/api/kernels?token=${unlisted.token}`
  );
  expect(listing.status).toBe(403);

  await page.notebook.createNew('unlisted.ipynb', { kernel: 'python3' });
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(SPEC);
  await page.notebook.setCell(0, 'code', 'x = 403');
  await page.notebook.runCell(0);
  await page.notebook.save();
  const ids = await pageKernelIds(page);
  expect(ids).toHaveLength(1);
  expect(await exists(ids[0])).toBe(true);

  await page.reload({ waitForIsReady: false });
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    SPEC,
    { timeout: 30000 }
  );
  await page.notebook.setCell(1, 'code', 'print(x)');
  await page.notebook.runCell(1);
  expect(await page.notebook.getCellTextOutput(1)).toEqual(['403\n']);

  const { kernels, shutDownAll } = await runningPanelKernels(page);
  await expect(kernels).toHaveCount(1);
  await expect(kernels).toContainText('unlisted.ipynb');
  await shutDownAll.click();
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await expect.poll(() => exists(ids[0])).toBe(false);
  await expect(kernels).toHaveCount(0);
});
