/**
 * Every kernel action on gateway kernels: interrupt, restart, change,
 * consoles, and shutting down from the Running panel.
 */

import {
  expect,
  expectKernelIdle,
  runningPanelKernels,
  test
} from './fixtures';

import { gateway } from './servers';
const GATEWAY_SPEC = gateway.spec('Python 3 (on the gateway)');

type KernelModel = { id: string; name: string; connections?: number };

test.afterEach(async () => {
  await gateway.shutdownAll();
});

async function kernelIds(): Promise<string[]> {
  return (await gateway.kernels()).map((k: KernelModel) => k.id);
}

test('interrupt a long cell, then restart the kernel', async ({ page }) => {
  await page.notebook.createNew('lifecycle.ipynb', {
    kernel: 'gateway-python'
  });
  const [kernel] = await kernelIds();
  await page.notebook.setCell(0, 'code', 'x = 1\nimport time\ntime.sleep(120)');
  await page.keyboard.press('Control+Enter');
  await expect(
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="busy"]')
  ).toBeVisible();

  const interrupted = Date.now();
  await page
    .locator('jp-button[data-command="notebook:interrupt-kernel"]')
    .click();
  await expect(page.locator('.jp-OutputArea-output')).toContainText(
    'KeyboardInterrupt'
  );
  expect(Date.now() - interrupted).toBeLessThan(15000);

  await page.notebook.setCell(0, 'code', "print('x' in globals())");
  await page.notebook.runCell(0);
  expect(await page.notebook.getCellTextOutput(0)).toEqual(['True\n']);

  await page
    .locator('jp-button[data-command="notebook:restart-kernel"]')
    .click();
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await expectKernelIdle(page);
  await page.notebook.runCell(0);
  expect(await page.notebook.getCellTextOutput(0)).toEqual(['False\n']);
  // Restarted in place: the same gateway kernel.
  expect(await kernelIds()).toEqual([kernel]);
});

test('change the kernel of a notebook', async ({ page }) => {
  await page.notebook.createNew('change.ipynb', { kernel: 'gateway-python' });
  const [before] = await gateway.kernels();
  expect(before.name).toBe('gateway-python');

  await page.locator('.jp-Toolbar-kernelName').click();
  await page.locator('.jp-Dialog select').selectOption('{"name":"python3"}');
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await expect(page.locator('.jp-Toolbar-kernelName')).toHaveText(
    gateway.spec('Python 3 (ipykernel)')
  );
  await expect
    .poll(async () => (await gateway.kernels()).map((k: KernelModel) => k.name))
    .toEqual(['python3']);
  await page.notebook.setCell(
    0,
    'code',
    "import os; print(os.environ['KERNEL_GATEWAY'])"
  );
  await page.notebook.runCell(0);
  expect(await page.notebook.getCellTextOutput(0)).toEqual(['1\n']);
});

test('a console runs on the gateway', async ({ page }) => {
  await page
    .locator(
      `.jp-LauncherCard[data-category="Console"][title="${GATEWAY_SPEC}"]`
    )
    .click();
  // Type once the console has its kernel (it redraws its prompt then).
  await expectKernelIdle(page);
  const prompt = page.locator('.jp-CodeConsole-promptCell .cm-content');
  await prompt.click();
  await page.keyboard.type(
    "import os; print('console', os.environ['KERNEL_GATEWAY'])"
  );
  await page.keyboard.press('Shift+Enter');
  await expect(
    page.locator('.jp-CodeConsole-content .jp-OutputArea-output')
  ).toHaveText('console 1');
  expect(await gateway.kernels()).toHaveLength(1);
});

test('shut down one kernel from the Running panel', async ({ page }) => {
  await page.notebook.createNew('one.ipynb', { kernel: 'gateway-python' });
  const [kernel] = await kernelIds();
  const { kernels } = await runningPanelKernels(page);
  const item = kernels.filter({ hasText: 'one.ipynb' });
  await expect(item).toHaveCount(1);
  await item.hover();
  await item.locator('.jp-RunningSessions-itemShutdown').first().click();
  await expect.poll(() => kernelIds()).not.toContain(kernel);
  await expect(page.locator('.jp-Toolbar-kernelName')).toHaveText('No Kernel');
});

test('"Shut Down All" stops my kernels only, never other users’ kernels', async ({
  page
}) => {
  const foreign = await gateway.startForeignKernel();
  await page.notebook.createNew('a.ipynb', { kernel: 'gateway-python' });
  await page.notebook.createNew('b.ipynb', { kernel: 'gateway-python' });
  await expect.poll(async () => (await kernelIds()).length).toBe(3);

  const { kernels, shutDownAll } = await runningPanelKernels(page);
  // Only my two kernels are listed.
  await expect(kernels).toHaveCount(2);
  await expect(shutDownAll).toHaveAttribute('aria-disabled', 'false');
  await shutDownAll.click();
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await expect.poll(() => kernelIds()).toEqual([foreign]);
});

test('"Shut Down Unused" reaches the gateway', async ({ page }) => {
  await page.notebook.createNew('unused.ipynb', { kernel: 'gateway-python' });
  const [kernel] = await kernelIds();
  // Closing a notebook keeps its kernel running, now with no connection.
  await page.notebook.close();
  await expect
    .poll(async () => (await gateway.kernels())[0]?.connections, {
      timeout: 20000
    })
    .toBe(0);

  await runningPanelKernels(page);
  const button = page.locator(
    'jp-button[data-command="running:kernel-shut-down-unused"]'
  );
  // JupyterLab re-checks for unused kernels at most every 10 s.
  await expect(button).toHaveAttribute('aria-disabled', 'false', {
    timeout: 45000
  });
  await button.click();
  await page.locator('.jp-Dialog .jp-mod-warn').click();
  await expect.poll(() => kernelIds()).not.toContain(kernel);
});
