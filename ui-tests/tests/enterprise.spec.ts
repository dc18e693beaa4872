/**
 * The extension against a real Jupyter Enterprise Gateway 3.3.0 (from
 * .venv-eg, started by the tests behind a relay): listing kernels off, as by
 * default; local process proxy, plus a kernelspec that goes through its
 * remote launch path (its start request blocks until the kernel is up, as on
 * Kubernetes or YARN). The tests run as root, whom Enterprise Gateway
 * refuses to start kernels for: the kernels start as this Jupyter server's
 * user. Core actions, then the fault rows that apply to Enterprise Gateway
 * (recorded for docs/faults.md), then launch options.
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { galata } from '@jupyterlab/galata';

import {
  FaultyGateway,
  NotebookWork,
  ON_GATEWAY,
  PRINT_LOOP,
  expectDetails,
  keepNoKernel,
  kernelName,
  pickKernel,
  range,
  record,
  settingsFor,
  showTab,
  shownText,
  since,
  betweenTwoLines,
  startCell,
  statusItem,
  toast,
  writeNotebook
} from './faultkit';
import {
  detailValue,
  expect,
  expectKernelIdle,
  pageKernelIds,
  runningPanelKernels,
  test
} from './fixtures';

import { ports, tokens } from './servers';

const LAB_ORIGIN = `http://127.0.0.1:${ports.lab}`;
const USER = 'ada';
const NAME = 'eg';
const SPEC = `Python 3 (ipykernel) [${NAME}]`;
const REMOTE_SPEC = `Remote Python (launched like a remote kernel) [${NAME}]`;

const eg = new FaultyGateway({
  port: ports.enterpriseGateway,
  relayPort: ports.enterpriseRelay,
  token: tokens.enterpriseGateway,
  enterprise: { responsePort: ports.enterpriseResponse, remoteKernel: true }
});
const unreachable = `Cannot reach the Kernel Gateway at ${eg.url}`;

test.use({
  mockSettings: settingsFor(eg.url, eg.token, NAME),
  // This Jupyter server's user, sent as KERNEL_USERNAME.
  mockUser: {
    identity: {
      username: USER,
      name: 'Ada',
      display_name: 'Ada',
      initials: 'A',
      color: 'var(--jp-collaborator-color1)'
    },
    permissions: {}
  }
});

test.afterAll(() => eg.close());

/**
 * Shut down, on the gateway, every kernel the page knows.
 */
async function shutDownPageKernels(page: IJupyterLabPageFixture) {
  for (const id of await pageKernelIds(page).catch(() => [])) {
    await fetch(
      `http://127.0.0.1:${ports.enterpriseGateway}/api/kernels/${id}?token=${eg.token}`,
      { method: 'DELETE' }
    ).catch(() => undefined);
  }
}

test.describe('Enterprise Gateway: core', () => {
  test.beforeAll(() => eg.start());
  test.afterEach(async ({ page }) => shutDownPageKernels(page));

  test("a notebook runs on Enterprise Gateway as this Jupyter server's user; a reload reattaches", async ({
    page
  }) => {
    await page.notebook.createNew('eg.ipynb', { kernel: 'python3' });
    await expect(kernelName(page)).toHaveText(SPEC);
    await page.notebook.setCell(
      0,
      'code',
      "import os; x = 3; print(os.environ['KERNEL_GATEWAY'], os.environ['KERNEL_USERNAME'], os.environ['KERNEL_ID'])"
    );
    await page.notebook.runCell(0);
    const [kernel] = await pageKernelIds(page);
    expect(await page.notebook.getCellTextOutput(0)).toEqual([
      `1 ${USER} ${kernel}\n`
    ]);
    await page.notebook.save();

    await page.reload({ waitForIsReady: false });
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    await expect(kernelName(page)).toHaveText(SPEC, { timeout: 30000 });
    await expectKernelIdle(page, { timeout: 30000 });
    await page.notebook.setCell(1, 'code', 'print(x)');
    await page.notebook.runCell(1);
    expect(await page.notebook.getCellTextOutput(1)).toEqual(['3\n']);
    expect(await pageKernelIds(page)).toEqual([kernel]);
  });

  test('interrupt, restart, change kernel and shut down', async ({ page }) => {
    await page.notebook.createNew('actions.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(0, 'code', 'x = 1');
    await page.notebook.runCell(0);
    // Interrupt (a request Enterprise Gateway cannot preflight: sent
    // without a body or JSON header).
    await startCell(page, 0, 'import time\ntime.sleep(60)');
    await expect(
      page.locator('.jp-Notebook-ExecutionIndicator[data-status="busy"]')
    ).toHaveCount(1);
    await page.menu.clickMenuItem('Kernel>Interrupt Kernel');
    await expect(page.locator('.jp-OutputArea-output').first()).toContainText(
      'KeyboardInterrupt',
      { timeout: 15000 }
    );
    // Restart.
    await page.menu.clickMenuItem('Kernel>Restart Kernel…');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expectKernelIdle(page);
    await page.notebook.setCell(0, 'code', "print('x' in dir())");
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual(['False\n']);
    // Change kernel: to one launched like a remote kernel (its start
    // request blocks until it is up).
    const [before] = await pageKernelIds(page);
    await page.menu.clickMenuItem('Kernel>Change Kernel…');
    await page
      .locator('.jp-Dialog select')
      .selectOption({ label: REMOTE_SPEC });
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    // (A long name folds away from the toolbar: the status bar shows it.)
    await expect(
      page.locator('.jp-StatusBar-TextItem[title^="Change kernel for"]')
    ).toContainText(REMOTE_SPEC, { timeout: 30000 });
    await expectKernelIdle(page, { timeout: 30000 });
    await page.notebook.setCell(0, 'code', ON_GATEWAY);
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual(['1\n']);
    const [after] = await pageKernelIds(page);
    expect(after).not.toBe(before);
    expect(await eg.has(before)).toBe(false);
    // Shut down.
    await page.menu.clickMenuItem('Kernel>Shut Down Kernel');
    await expect(
      page.locator('.jp-StatusBar-TextItem[title^="Change kernel for"]')
    ).toHaveText(/^No Kernel/);
    await expect.poll(() => eg.has(after)).toBe(false);
  });

  test('the Running panel lists the kernels there and shuts them down; another device finds the same kernel', async ({
    page,
    browser,
    tmpPath,
    waitForApplication
  }) => {
    for (const name of ['one.ipynb', 'two.ipynb']) {
      await page.notebook.createNew(name, { kernel: 'python3' });
    }
    await page.notebook.setCell(0, 'code', 'shared = 2');
    await page.notebook.runCell(0);
    await page.notebook.save();
    // A second device opens two.ipynb and gets its kernel.
    const { page: laptop } = await galata.newPage({
      browser,
      baseURL: LAB_ORIGIN,
      tmpPath,
      waitForApplication,
      mockKernels: false,
      mockSessions: false,
      mockSettings: settingsFor(eg.url, eg.token, NAME)
    });
    await laptop.notebook.openByPath(`${tmpPath}/two.ipynb`);
    await expectKernelIdle(laptop, { timeout: 30000 });
    await laptop.notebook.setCell(0, 'code', 'print(shared)');
    await laptop.notebook.runCell(0);
    expect(await laptop.notebook.getCellTextOutput(0)).toEqual(['2\n']);
    await laptop.context().close();

    const ids = await pageKernelIds(page);
    expect(ids).toHaveLength(2);
    const { kernels, shutDownAll } = await runningPanelKernels(page);
    await expect(kernels).toHaveCount(2);
    await shutDownAll.click();
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    for (const id of ids) {
      await expect.poll(() => eg.has(id)).toBe(false);
    }
    await expect(kernels).toHaveCount(0);
  });
});

test.describe('Enterprise Gateway: faults', () => {
  test.describe('E1', () => {
    test.use({ autoGoto: false });
    test.beforeAll(async () => {
      await eg.start();
      await eg.stop();
    });

    test('E1. gateway down when JupyterLab opens; started later, kernels appear without a reload', async ({
      page,
      tmpPath
    }) => {
      writeNotebook(tmpPath, 'e1.ipynb', ['x = 1']);
      const work = new NotebookWork(page, tmpPath, 'e1.ipynb', 'E1');
      work.expectSource('x = 1');
      const opened = Date.now();
      await page.goto();
      const up = Date.now();
      const down = toast(page, unreachable);
      await expect(down).toBeVisible({ timeout: 5000 });
      const sinceOpenMs = since(opened);
      const toldMs = since(up);
      const told = await shownText(down);
      await page.notebook.openByPath(`${tmpPath}/e1.ipynb`);
      await keepNoKernel(page);
      await work.writeAndSave();

      const started = Date.now();
      await eg.start();
      await expect(toast(page, 'answers again')).toBeVisible({
        timeout: 30000
      });
      await showTab(page, 'e1.ipynb');
      await pickKernel(page, SPEC);
      expect(await work.run(ON_GATEWAY)).toEqual(['1\n']);
      record({
        gateway: 'enterprise',
        row: 1,
        fault: 'Gateway down when JupyterLab opens, started later',
        told,
        toldMs,
        sinceOpenMs,
        recoveryMs: since(started),
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
      await shutDownPageKernels(page);
    });
  });

  test.describe('with the gateway running', () => {
    test.beforeEach(async () => {
      await eg.start();
      eg.restore();
    });
    test.afterEach(async ({ page }) => shutDownPageKernels(page));

    test('E2. gateway killed during a running cell; restarted: told the kernel is gone, one action starts a new one', async ({
      page,
      tmpPath
    }) => {
      const work = new NotebookWork(page, tmpPath, 'e2.ipynb', 'E2');
      await page.notebook.createNew('e2.ipynb', { kernel: 'python3' });
      await page.notebook.setCell(0, 'code', 'x = 1');
      await page.notebook.runCell(0);
      await startCell(page, 1, PRINT_LOOP(200, 0.25));
      await expect(page.locator('.jp-OutputArea-output').last()).toContainText(
        '3'
      );
      work.expectSource('x = 1');
      work.expectSource(PRINT_LOOP(200, 0.25));
      work.expectOutput(1, ['0', '1', '2', '3']);
      await work.typeUnsaved();

      const killed = Date.now();
      await eg.stop();
      const down = toast(page, unreachable);
      await expect(down).toBeVisible({ timeout: 5000 });
      const toldMs = since(killed);
      const told = await shownText(down);
      await work.writeAndSave();

      const restarted = Date.now();
      await eg.start();
      const gone = toast(page, 'The kernel of e2.ipynb is gone');
      await expect(gone).toBeVisible({ timeout: 30000 });
      const toldGone = await shownText(gone);
      await gone.getByRole('button', { name: 'Start new kernel' }).click();
      await expect(kernelName(page)).toHaveText(SPEC);
      expect(await work.run("print('x' in globals())")).toEqual(['False\n']);
      record({
        gateway: 'enterprise',
        row: 2,
        fault: 'Gateway stopped during a running cell, then restarted',
        told: `${told} Then: ${toldGone}`,
        toldMs,
        recoveryMs: since(restarted),
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
    });

    test('E3. network cut for 5 s during a printing cell: told, then the output is complete', async ({
      page,
      tmpPath
    }) => {
      const count = 45;
      const work = new NotebookWork(page, tmpPath, 'e3.ipynb', 'E3');
      await page.notebook.createNew('e3.ipynb', { kernel: 'python3' });
      await startCell(page, 0, PRINT_LOOP(count, 0.5));
      await expect(page.locator('.jp-OutputArea-output').first()).toContainText(
        '2'
      );
      const [kernel] = await pageKernelIds(page);
      work.expectSource(PRINT_LOOP(count, 0.5));
      await work.typeUnsaved();

      await betweenTwoLines(page.locator('.jp-OutputArea-output').first(), () =>
        eg.cut()
      );
      const cutAt = Date.now();
      const down = toast(page, unreachable);
      await expect(down).toBeVisible({ timeout: 5000 });
      const toldMs = since(cutAt);
      const told = await shownText(down);
      await work.writeAndSave();
      // The fault is a cut of 5 s: its length is what the row measures.
      await page.waitForTimeout(Math.max(0, 5000 - since(cutAt)));
      const restoredAt = Date.now();
      eg.restore();
      await expect(statusItem(page)).toContainText('connected', {
        timeout: 30000
      });
      const recoveryMs = since(restoredAt);
      await expect(
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
      ).toBeVisible({ timeout: (count * 0.5 + 30) * 1000 });
      const output = (await page.notebook.getCellTextOutput(0))!.join('');
      expect(output.trim().split('\n')).toEqual(range(count));
      expect(await pageKernelIds(page)).toEqual([kernel]);
      work.note('the same kernel');
      work.expectOutput(0, range(count));
      record({
        gateway: 'enterprise',
        row: 3,
        fault: 'Network cut for 5 s during a cell that prints',
        told,
        toldMs,
        recoveryMs,
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
    });

    test('E8. gateway restarted (every kernel gone) under a running cell: told, none hangs', async ({
      page,
      tmpPath
    }) => {
      const work = new NotebookWork(page, tmpPath, 'e8.ipynb', 'E8');
      await page.notebook.createNew('e8.ipynb', { kernel: 'python3' });
      await work.typeUnsaved();
      await startCell(page, 0, PRINT_LOOP(200, 0.25));
      await expect(page.locator('.jp-OutputArea-output').first()).toContainText(
        '2'
      );
      work.expectSource(PRINT_LOOP(200, 0.25));
      const restarted = Date.now();
      const restarting = eg.restart();
      const down = toast(page, unreachable);
      await expect(down).toBeVisible({ timeout: 5000 });
      const toldMs = since(restarted);
      const told = await shownText(down);
      await restarting;
      const gone = toast(page, 'The kernel of e8.ipynb is gone');
      await expect(gone).toBeVisible({ timeout: 30000 });
      const toldGone = await shownText(gone);
      await expect(
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="busy"]')
      ).toHaveCount(0, { timeout: 15000 });
      work.note('not left busy');
      await gone.getByRole('button', { name: 'Start new kernel' }).click();
      await expect(kernelName(page)).toHaveText(SPEC);
      expect(await work.run('print(8)')).toEqual(['8\n']);
      record({
        gateway: 'enterprise',
        row: 8,
        fault: 'Gateway restarted under a running cell: every kernel gone',
        told: `${told} Then: ${toldGone}`,
        toldMs,
        recoveryMs: since(restarted),
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
    });
  });

  test.describe('E4', () => {
    test.use({
      mockSettings: settingsFor(eg.url, 'not-the-token', NAME),
      autoGoto: false
    });
    test.beforeAll(() => eg.start());

    test('E4. wrong token: Enterprise Gateway says so, readably; fixed in the settings, it works without a reload', async ({
      page,
      tmpPath
    }) => {
      writeNotebook(tmpPath, 'e4.ipynb', ['x = 4']);
      const work = new NotebookWork(page, tmpPath, 'e4.ipynb', 'E4');
      work.expectSource('x = 4');
      const opened = Date.now();
      await page.goto();
      const up = Date.now();
      // Its errors carry CORS headers: the page can read the 401 and name
      // the token, not "token or CORS".
      const refused = toast(page, 'refused the token');
      await expect(refused).toBeVisible({ timeout: 5000 });
      const sinceOpenMs = since(opened);
      const toldMs = since(up);
      const told = await shownText(refused);
      await expect(statusItem(page)).toContainText('token refused');
      await expectDetails(refused, '"Auth token" setting');
      await page.notebook.openByPath(`${tmpPath}/e4.ipynb`);
      await keepNoKernel(page);
      await work.writeAndSave();

      const fixed = Date.now();
      await page.menu.clickMenuItem('Settings>Settings Editor');
      await page.locator('.jp-PluginList').getByText('Kernel Gateway').click();
      const input = page.locator('.jp-SettingsPanel input[label="Auth token"]');
      await input.fill(eg.token);
      await input.press('Tab');
      await expect(statusItem(page)).toContainText('connected', {
        timeout: 30000
      });
      await showTab(page, 'e4.ipynb');
      await pickKernel(page, SPEC);
      expect(await work.run(ON_GATEWAY)).toEqual(['1\n']);
      record({
        gateway: 'enterprise',
        row: 4,
        fault: 'Wrong token, then fixed in the Settings Editor',
        told,
        toldMs,
        sinceOpenMs,
        recoveryMs: since(fixed),
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
      await shutDownPageKernels(page);
    });
  });

  test.describe('E5', () => {
    test.use({ autoGoto: false });
    test.beforeAll(() =>
      eg.reconfigure({ origin: 'http://elsewhere.invalid' })
    );
    test.afterAll(() => eg.reconfigure({ origin: LAB_ORIGIN }));

    test("E5. wrong origin (404 on REST, 403 on websockets): the message names Enterprise Gateway's flag with this page's origin", async ({
      page,
      tmpPath
    }) => {
      writeNotebook(tmpPath, 'e5.ipynb', ['x = 5']);
      const work = new NotebookWork(page, tmpPath, 'e5.ipynb', 'E5');
      work.expectSource('x = 5');
      const opened = Date.now();
      await page.goto();
      const up = Date.now();
      const refused = toast(page, /does not allow this page|refused this page/);
      await expect(refused).toBeVisible({ timeout: 5000 });
      const sinceOpenMs = since(opened);
      const toldMs = since(up);
      const told = await shownText(refused);
      const flag = `--EnterpriseGatewayApp.allow_origin=${LAB_ORIGIN}`;
      await expectDetails(refused, flag);
      await page.notebook.openByPath(`${tmpPath}/e5.ipynb`);
      await keepNoKernel(page);
      await work.writeAndSave();

      // The administrator restarts the gateway with the flag.
      const fixed = Date.now();
      await eg.reconfigure({ origin: LAB_ORIGIN });
      await expect(statusItem(page)).toContainText('connected', {
        timeout: 30000
      });
      await showTab(page, 'e5.ipynb');
      await pickKernel(page, SPEC);
      expect(await work.run(ON_GATEWAY)).toEqual(['1\n']);
      record({
        gateway: 'enterprise',
        row: 5,
        fault:
          'A gateway without CORS for this page, then restarted with the flag',
        told: `${told} [Details: ${flag} …]`,
        toldMs,
        sinceOpenMs,
        recoveryMs: since(fixed),
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
      await shutDownPageKernels(page);
    });
  });

  test.describe('E6', () => {
    test.beforeAll(() =>
      eg.reconfigure({
        enterprise: {
          responsePort: ports.enterpriseResponse,
          remoteKernel: true,
          cullIdleTimeout: 5
        }
      })
    );
    test.afterAll(() =>
      eg.reconfigure({
        enterprise: {
          responsePort: ports.enterpriseResponse,
          remoteKernel: true
        }
      })
    );

    test('E6. a kernel culled by RemoteMappingKernelManager.cull_idle_timeout: told, one action starts a new kernel', async ({
      page,
      tmpPath
    }) => {
      const work = new NotebookWork(page, tmpPath, 'e6.ipynb', 'E6');
      await page.notebook.createNew('e6.ipynb', { kernel: 'python3' });
      expect(await work.run('x = 6; print(x)')).toEqual(['6\n']);
      await work.typeUnsaved();
      const [kernel] = await pageKernelIds(page);
      // Idle for 5 s: Enterprise Gateway culls it (connected kernels too).
      const idleFrom = Date.now();
      await expect.poll(() => eg.has(kernel), { timeout: 20000 }).toBe(false);
      const culledAt = Date.now();
      const gone = toast(page, 'The kernel of e6.ipynb is gone');
      await expect(gone).toBeVisible({ timeout: 5000 });
      const toldMs = since(culledAt);
      const told = await shownText(gone);
      await gone.getByRole('button', { name: 'Start new kernel' }).click();
      await expect(kernelName(page)).toHaveText(SPEC);
      expect(await work.run("print('x' in globals())")).toEqual(['False\n']);
      record({
        gateway: 'enterprise',
        row: 6,
        fault: `Kernel culled after ${((culledAt - idleFrom) / 1000).toFixed(0)} s idle`,
        told,
        toldMs,
        recoveryMs: since(culledAt),
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
    });
  });

  test.describe('E7', () => {
    test.use({
      mockSettings: settingsFor(eg.url, eg.token, NAME, {
        kernelLaunchTimeout: 4,
        kernelEnv: { KERNEL_START_DELAY: '15' }
      })
    });
    test.beforeAll(() => eg.reconfigure({ listKernels: true }));
    test.afterAll(() => eg.reconfigure({ listKernels: false }));

    test('E7. a kernel launched like a remote kernel, slower than the launch timeout: progress, then a message, nothing left on the gateway', async ({
      page,
      tmpPath
    }) => {
      const work = new NotebookWork(page, tmpPath, 'e7.ipynb', 'E7');
      await page.notebook.createNew('e7.ipynb', { kernel: 'python3' });
      expect(await work.run('x = 7; print(x)')).toEqual(['7\n']);
      const [first] = await pageKernelIds(page);

      const asked = Date.now();
      await page.menu.clickMenuItem('Kernel>Change Kernel…');
      await page
        .locator('.jp-Dialog select')
        .selectOption({ label: REMOTE_SPEC });
      await page.locator('.jp-Dialog .jp-mod-accept').click();
      // Progress while the gateway launches it…
      await expect(
        toast(page, /Starting remote-python.*on the Kernel Gateway/)
      ).toBeVisible({ timeout: 5000 });
      // …then what happened and what to do.
      const error = page.locator('.jp-Dialog', {
        hasText: 'did not start within the launch timeout (4 s)'
      });
      await expect(error).toBeVisible({ timeout: 15000 });
      // From the launch timeout on (the gateway gives up after it).
      const toldMs = since(asked) - 4000;
      const told = await shownText(error);
      expect(told).toContain('nothing is left running there');
      expect(told).toContain('raise "Kernel launch timeout"');
      await error.getByRole('button').last().click();
      // Nothing left on the gateway but the notebook's first kernel.
      expect((await eg.kernels()).map(k => k.id)).toEqual([first]);
      await work.writeAndSave();
      record({
        gateway: 'enterprise',
        row: 7,
        fault: 'A kernel slower to launch (15 s) than the launch timeout (4 s)',
        told,
        toldMs,
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
    });
  });
});

test.describe('Enterprise Gateway: launch options', () => {
  test.use({
    mockSettings: settingsFor(eg.url, eg.token, NAME, {
      launchOptions: [
        {
          name: 'KERNEL_CPUS',
          title: 'CPUs',
          type: 'integer',
          default: 1,
          minimum: 1,
          maximum: 4
        },
        {
          name: 'KERNEL_IMAGE',
          title: 'Image',
          type: 'string',
          default: 'python:3.11',
          choices: ['python:3.11', 'python:3.12']
        }
      ]
    })
  });
  test.beforeAll(() => eg.start());
  test.afterEach(async ({ page }) => shutDownPageKernels(page));

  test('a form asks for them, refuses what is not allowed, and the values reach the kernel', async ({
    page
  }) => {
    await page.menu.clickMenuItem('File>New>Notebook');
    await page.locator('.jp-Dialog select').selectOption({ label: SPEC });
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    const form = page.locator('.jp-Dialog', {
      hasText: 'Kernel launch options'
    });
    await expect(form).toBeVisible({ timeout: 15000 });
    const cpus = form.getByLabel('CPUs (KERNEL_CPUS)');
    const start = form.getByRole('button', { name: 'Start kernel' });
    await expect(cpus).toHaveValue('1');
    await cpus.fill('9');
    await expect(form).toContainText('Must be at most 4.');
    await expect(start).toBeDisabled();
    await cpus.fill('2');
    await form.getByLabel('Image (KERNEL_IMAGE)').selectOption('python:3.12');
    await expect(start).toBeEnabled();
    await start.click();
    await expectKernelIdle(page, { timeout: 30000 });
    await page.notebook.setCell(
      0,
      'code',
      "import os; print(os.environ['KERNEL_CPUS'], os.environ['KERNEL_IMAGE'])"
    );
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual([
      '2 python:3.12\n'
    ]);
    // Beside the kernel in the details panel…
    await statusItem(page).click();
    await expect(detailValue(page, 'Your kernels there')).toContainText(
      'KERNEL_CPUS=2, KERNEL_IMAGE=python:3.12'
    );
    await page.getByRole('button', { name: 'Close' }).click();
    // …and offered again for this notebook (kept in its metadata).
    await page.menu.clickMenuItem('Kernel>Change Kernel…');
    await page.locator('.jp-Dialog select').selectOption('{"name":"python3"}');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect(form).toBeVisible({ timeout: 15000 });
    await expect(form.getByLabel('CPUs (KERNEL_CPUS)')).toHaveValue('2');
    await form.getByRole('button', { name: 'Skip (defaults)' }).click();
    await expectKernelIdle(page, { timeout: 30000 });
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual([
      '1 python:3.11\n'
    ]);
  });
});
