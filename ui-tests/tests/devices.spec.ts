/**
 * Several devices on one Jupyter server: each device is a browser context of
 * its own (nothing shared but the server), as a laptop and a desktop are.
 * The sessions live in the session store of the package's server extension,
 * so every device finds the kernels of the notebooks.
 */
import type {
  IJupyterLabPage,
  IJupyterLabPageFixture
} from '@jupyterlab/galata';
import { galata } from '@jupyterlab/galata';
import type { Browser, Page } from '@playwright/test';

import {
  detailValue,
  expect,
  expectKernelIdle,
  pageKernelIds,
  runningPanelKernels,
  test
} from './fixtures';

import { gateway, ports, tokens, startTestLab } from './servers';
import { startGateway } from '../../tests/harness/gateway';
const SPEC = gateway.spec('Python 3 (on the gateway)');
const LAB = `http://127.0.0.1:${ports.lab}`;

type KernelModel = { id: string; name: string };

test.afterEach(async () => {
  await gateway.shutdownAll();
});

/**
 * Another device: a browser context of its own (its own storage), with
 * Galata's helpers, showing the test folder.
 */
async function otherDevice(
  browser: Browser,
  tmpPath: string,
  waitForApplication: (page: Page, helpers: IJupyterLabPage) => Promise<void>
): Promise<IJupyterLabPageFixture> {
  const { page } = await galata.newPage({
    browser,
    baseURL: LAB,
    tmpPath,
    waitForApplication,
    mockKernels: false,
    mockSessions: false
  });
  return page;
}

/**
 * A notebook whose kernelspec is the gateway's: opening it starts (or finds)
 * its kernel without asking.
 */
const NOTEBOOK = {
  cells: [
    {
      cell_type: 'code',
      source: '',
      metadata: {},
      outputs: [],
      execution_count: null
    }
  ],
  metadata: {
    kernelspec: {
      name: 'gateway-python',
      display_name: 'Python 3 (on the gateway)',
      language: 'python'
    }
  },
  nbformat: 4,
  nbformat_minor: 5
};

/**
 * Write {@link NOTEBOOK} to the local server at `path`.
 */
async function writeNotebook(
  page: IJupyterLabPageFixture,
  path: string
): Promise<void> {
  await page.contents.uploadContent(JSON.stringify(NOTEBOOK), 'text', path);
}

/**
 * Open a notebook of the test folder and wait for its kernel.
 */
async function open(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string
): Promise<void> {
  await page.notebook.openByPath(`${tmpPath}/${name}`);
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    SPEC,
    { timeout: 30000 }
  );
  await expectKernelIdle(page, { timeout: 30000 });
}

/**
 * Run `code` in a new last cell; its text output.
 */
async function run(
  page: IJupyterLabPageFixture,
  code: string
): Promise<string[] | null> {
  await page.notebook.addCell('code', code);
  const last = (await page.notebook.getCellCount()) - 1;
  await page.notebook.runCell(last);
  return page.notebook.getCellTextOutput(last);
}

async function kernelIds(): Promise<string[]> {
  return (await gateway.kernels()).map((k: KernelModel) => k.id);
}

test('device B opening the notebook device A uses gets its kernel, variables intact', async ({
  page,
  browser,
  tmpPath,
  waitForApplication
}) => {
  await writeNotebook(page, `${tmpPath}/shared.ipynb`);
  await open(page, tmpPath, 'shared.ipynb');
  expect(await run(page, 'x = 42; print(x)')).toEqual(['42\n']);
  const kernels = await kernelIds();
  expect(kernels).toHaveLength(1);

  const laptop = await otherDevice(browser, tmpPath, waitForApplication);
  await open(laptop, tmpPath, 'shared.ipynb');
  expect(await run(laptop, 'print(x); y = x + 1')).toEqual(['42\n']);
  // And back: what one device computes, the other has.
  expect(await run(page, 'print(y)')).toEqual(['43\n']);
  expect(await kernelIds()).toEqual(kernels);
  await laptop.context().close();
});

test('two devices opening the same notebook at the same instant end with one kernel', async ({
  page,
  browser,
  tmpPath,
  waitForApplication
}) => {
  await writeNotebook(page, `${tmpPath}/race.ipynb`);
  const laptop = await otherDevice(browser, tmpPath, waitForApplication);
  await Promise.all([
    open(page, tmpPath, 'race.ipynb'),
    open(laptop, tmpPath, 'race.ipynb')
  ]);
  // The device that lost the race shut its kernel down: none orphaned.
  await expect.poll(() => kernelIds(), { timeout: 20000 }).toHaveLength(1);
  const [pid] = (await run(page, 'import os; print(os.getpid())')) ?? [];
  expect(await run(laptop, 'import os; print(os.getpid())')).toEqual([pid]);
  await laptop.context().close();
});

test('every device lists every kernel of this user, also those of a browser that is gone, and Shut Down All reaches them', async ({
  page,
  browser,
  tmpPath,
  waitForApplication
}) => {
  const foreign = await gateway.startForeignKernel();
  // A browser that starts a notebook and a console, then is gone.
  const gone = await otherDevice(browser, tmpPath, waitForApplication);
  await writeNotebook(gone, `${tmpPath}/left.ipynb`);
  await open(gone, tmpPath, 'left.ipynb');
  await gone.evaluate(async () => {
    const app = window.jupyterapp;
    await app.commands.execute('console:create', {
      kernelPreference: { name: 'gateway-python' }
    });
  });
  await expect
    .poll(async () => (await pageKernelIds(gone)).length, { timeout: 30000 })
    .toBe(2);
  const theirs = await pageKernelIds(gone);
  await gone.context().close();

  const { kernels, shutDownAll } = await runningPanelKernels(page);
  await expect(kernels).toHaveCount(2, { timeout: 20000 });
  await expect(kernels.filter({ hasText: 'left.ipynb' })).toHaveCount(1);
  expect((await pageKernelIds(page)).sort()).toEqual([...theirs].sort());
  await shutDownAll.click();
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  // Never another user's kernel on a shared gateway.
  await expect.poll(() => kernelIds()).toEqual([foreign]);
});

test('a kernel nobody points at is listed as such, and can be shut down', async ({
  page,
  browser,
  tmpPath,
  waitForApplication
}) => {
  // A browser that crashed while its notebook was open, and whose session
  // record was then removed: its kernel runs on, nobody points at it.
  const crashed = await otherDevice(browser, tmpPath, waitForApplication);
  await writeNotebook(crashed, `${tmpPath}/orphan.ipynb`);
  await open(crashed, tmpPath, 'orphan.ipynb');
  const [kernel] = await kernelIds();
  await crashed.context().close();
  const sessions = await page.request.get(
    `/kernel-gateway/sessions?backend=${encodeURIComponent(gateway.url)}`
  );
  const [session] = (await sessions.json()) as { id: string }[];
  expect(
    (
      await page.request.delete(`/kernel-gateway/sessions/${session.id}`)
    ).status()
  ).toBe(204);

  const { kernels: item } = await runningPanelKernels(page);
  await page.getByRole('button', { name: 'Refresh List' }).click();
  await expect(item).toHaveCount(1);
  await expect(item).toContainText(
    `No sessions connected (${kernel.slice(0, 8)})`
  );
  await item.hover();
  await item.locator('.jp-RunningSessions-itemShutdown').first().click();
  await expect.poll(() => kernelIds()).not.toContain(kernel);
  await expect(item).toHaveCount(0);
});

test('a kernel restarted, changed or shut down on one device is seen on the other', async ({
  page,
  browser,
  tmpPath,
  waitForApplication
}) => {
  await writeNotebook(page, `${tmpPath}/seen.ipynb`);
  await open(page, tmpPath, 'seen.ipynb');
  expect(await run(page, 'w = 1; print(w)')).toEqual(['1\n']);
  const laptop = await otherDevice(browser, tmpPath, waitForApplication);
  await open(laptop, tmpPath, 'seen.ipynb');

  // Restarted on the laptop: the desktop's kernel has started afresh.
  await laptop.menu.clickMenuItem('Kernel>Restart Kernel…');
  await laptop.locator('.jp-Dialog .jp-mod-accept').click();
  await expectKernelIdle(laptop);
  await expect
    .poll(async () => (await run(page, "print('w' in dir())"))?.join(''), {
      timeout: 20000
    })
    .toBe('False\n');

  // Changed on the laptop: the desktop follows within JupyterLab's poll.
  const before = await kernelIds();
  await laptop.menu.clickMenuItem('Kernel>Change Kernel…');
  await laptop.locator('.jp-Dialog select').selectOption('{"name":"python3"}');
  await laptop.locator('.jp-Dialog .jp-mod-accept').click();
  const changed = gateway.spec('Python 3 (ipykernel)');
  await expect(laptop.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    changed
  );
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    changed,
    { timeout: 20000 }
  );
  expect(await kernelIds()).not.toEqual(before);

  // Shut down on the laptop: the desktop shows no kernel.
  await laptop.menu.clickMenuItem('Kernel>Shut Down Kernel');
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    'No Kernel',
    { timeout: 20000 }
  );
  await expect.poll(() => kernelIds()).toEqual([]);
  await laptop.context().close();
});

test('a notebook renamed on one device keeps its kernel on the other', async ({
  page,
  browser,
  tmpPath,
  waitForApplication
}) => {
  await writeNotebook(page, `${tmpPath}/before.ipynb`);
  await open(page, tmpPath, 'before.ipynb');
  expect(await run(page, 'v = 7; print(v)')).toEqual(['7\n']);
  const [kernel] = await kernelIds();
  const laptop = await otherDevice(browser, tmpPath, waitForApplication);
  await open(laptop, tmpPath, 'before.ipynb');

  // The desktop renames it (as the file browser does).
  await page.evaluate(
    ([from, to]) => window.jupyterapp.serviceManager.contents.rename(from, to),
    [`${tmpPath}/before.ipynb`, `${tmpPath}/after.ipynb`]
  );
  // The laptop's notebook keeps the kernel…
  expect(await run(laptop, 'print(v)')).toEqual(['7\n']);
  // …and a device opening the renamed notebook finds it too.
  const tablet = await otherDevice(browser, tmpPath, waitForApplication);
  await open(tablet, tmpPath, 'after.ipynb');
  expect(await run(tablet, 'print(v + 1)')).toEqual(['8\n']);
  expect(await kernelIds()).toEqual([kernel]);
  await laptop.context().close();
  await tablet.context().close();
});

test('records an earlier version kept in the browser move to the server on first load, once', async ({
  browser,
  page,
  tmpPath,
  waitForApplication
}) => {
  await writeNotebook(page, `${tmpPath}/moved.ipynb`);
  // A kernel an earlier version started and remembered in localStorage.
  const started = await fetch(
    `http://127.0.0.1:${ports.gateway}/api/kernels?token=${tokens.gateway}`,
    {
      method: 'POST',
      body: JSON.stringify({ name: 'gateway-python' }),
      headers: { 'Content-Type': 'application/json' }
    }
  );
  const kernel = (await started.json()) as KernelModel;
  const scope = `${gateway.url}|${LAB}/`;
  const earlier = await otherDevice(browser, tmpPath, waitForApplication);
  await earlier.evaluate(
    ([scope, kernel, path]) => {
      localStorage.setItem(
        `jupyterlab-kernel-gateway:kernels:${scope}`,
        JSON.stringify({ [kernel.id]: { name: kernel.name, started: 1 } })
      );
      localStorage.setItem(
        `jupyterlab-kernel-gateway:sessions:${scope}`,
        JSON.stringify({
          s1: {
            id: 's1',
            path,
            name: 'moved.ipynb',
            type: 'notebook',
            kernel: { id: kernel.id, name: kernel.name }
          }
        })
      );
    },
    [scope, kernel, `${tmpPath}/moved.ipynb`] as const
  );
  // The first load with the new version.
  await earlier.reload();
  await open(earlier, tmpPath, 'moved.ipynb');
  expect(await pageKernelIds(earlier)).toEqual([kernel.id]);
  expect(
    await earlier.evaluate(() =>
      Object.keys(localStorage).filter(key =>
        key.startsWith('jupyterlab-kernel-gateway:sessions:')
      )
    )
  ).toEqual([]);
  // Now on the server: this device finds the kernel too.
  await open(page, tmpPath, 'moved.ipynb');
  expect(await pageKernelIds(page)).toEqual([kernel.id]);
  await earlier.context().close();
});

test('the local server restarted: the notebook finds its kernel again', async ({
  browser
}) => {
  const restartGateway = await startGateway({
    port: ports.restartGateway,
    token: tokens.gateway,
    origin: `http://127.0.0.1:${ports.restartLab}`,
    listKernels: true,
    env: { JUPYTER_PATH: `${__dirname}/../gateway-kernels` }
  });
  const labOptions = {
    port: ports.restartLab,
    root: 'restart-lab-root',
    gatewayUrl: `http://localhost:${ports.restartGateway}/`,
    gatewayToken: tokens.gateway,
    gatewayName: gateway.name
  };
  let lab = await startTestLab(labOptions);
  const context = await browser.newContext();
  try {
    await fetch(`${lab.url}/api/contents/restart.ipynb`, {
      method: 'PUT',
      body: JSON.stringify({
        type: 'notebook',
        format: 'json',
        content: NOTEBOOK
      })
    });
    const page = await context.newPage();
    await page.goto(`${lab.url}/lab/tree/restart.ipynb`);
    expect(await runFirstCell(page, 'r = 5; print(r)')).toBe('5');
    const kernels = await pageKernelIds(page);

    await lab.stop();
    lab = await startTestLab({ ...labOptions, keepState: true });
    await page.reload();
    expect(await runFirstCell(page, 'print(r)')).toBe('5');
    expect(await pageKernelIds(page)).toEqual(kernels);
  } finally {
    await context.close();
    await lab.stop();
    await restartGateway.stop();
  }
});

/**
 * In a page without Galata's helpers: once the notebook's kernel is idle,
 * run `code` in its first cell; its output.
 */
async function runFirstCell(page: Page, code: string): Promise<string> {
  await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
    SPEC,
    { timeout: 30000 }
  );
  await expectKernelIdle(page, { timeout: 30000 });
  const editor = page
    .locator('.jp-Notebook .jp-Cell')
    .first()
    .locator('.cm-content');
  // eslint-disable-next-line jupyter/galata-prefer-notebook-cell-helper -- this page has no Galata helpers
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(code);
  await page.keyboard.press('Control+Enter');
  const output = page
    .locator('.jp-Notebook .jp-Cell')
    .first()
    .locator('.jp-OutputArea-output');
  await expect(output).toHaveCount(1, { timeout: 30000 });
  return (await output.innerText()).trim();
}

test('the details panel says where sessions are kept', async ({ page }) => {
  await page.locator('.jp-KernelGateway-status').click();
  await expect(detailValue(page, 'Sessions kept')).toContainText(
    'on this Jupyter server'
  );
  await page.getByRole('button', { name: 'Close' }).click();
});
