/**
 * The fault matrix: each row a real fault (a gateway stopped, killed,
 * restarted, culling, full; a network cut by a relay; a wrong token; a
 * gateway without CORS for this page). For every row the user is told
 * within 5 s, in words that name the gateway; the notebook stays editable
 * and saves to the local server; nothing in it is lost; and when the
 * gateway or the network comes back, work resumes by itself.
 * Each row's outcome is recorded for docs/faults.md.
 */
import * as fs from 'fs';
import * as path from 'path';

import { galata } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';

import { FaultyGateway, record, since } from './faultkit';
import { expect, expectKernelIdle, test } from './fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { gateway, ports, tokens, LAB_ROOT } = require('./servers');

const PLUGIN = 'jupyterlab-kernel-gateway:plugin';
const LAB_ORIGIN = `http://127.0.0.1:${ports.lab}`;

function settingsFor(
  url: string,
  token: string,
  name = 'fault-gw',
  extra: Record<string, unknown> = {}
) {
  return {
    ...galata.DEFAULT_SETTINGS,
    [PLUGIN]: { gatewayUrl: url, authToken: token, gatewayName: name, ...extra }
  };
}

function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.Toastify__toast', { hasText: text }).last();
}

const kernelName = (page: Page) =>
  page.locator('.jp-Toolbar-kernelName:visible');

/**
 * Run a cell without waiting for it to finish.
 */
async function startCell(page: Page, index: number, code: string) {
  await page.notebook.setCell(index, 'code', code);
  await page.notebook.selectCells(index);
  await page.keyboard.press('Control+Enter');
}

/**
 * The saved notebook, read from the local server's disk.
 */
function savedNotebook(tmpPath: string, name: string) {
  return JSON.parse(
    fs.readFileSync(path.join(LAB_ROOT, tmpPath, name), 'utf-8')
  ) as {
    cells: { source: string | string[]; outputs?: { text?: string[] }[] }[];
  };
}

function text(value: string | string[] | undefined): string {
  return ([] as string[]).concat(value ?? []).join('');
}

/**
 * Count what is missing from the saved notebook: each expected cell source,
 * and each expected output line of the cell at `outputCell`.
 */
function lost(
  tmpPath: string,
  name: string,
  sources: string[],
  outputCell?: number,
  outputLines: string[] = []
): number {
  const notebook = savedNotebook(tmpPath, name);
  // The editor indents typed code by itself: compare without whitespace.
  const squash = (value: string) => value.replace(/\s+/g, '');
  const saved = notebook.cells.map(cell => squash(text(cell.source)));
  const missing = sources.filter(source => !saved.includes(squash(source)));
  if (outputCell !== undefined) {
    const output = (notebook.cells[outputCell].outputs ?? [])
      .map(o => text(o.text))
      .join('');
    const lines = output.split('\n');
    missing.push(...outputLines.filter(line => !lines.includes(line)));
  }
  if (missing.length > 0) {
    console.log(`Missing from the saved ${name}:`, JSON.stringify(missing));
  }
  return missing.length;
}

const PRINT_LOOP = (count: number, pause: number) =>
  `import time\nfor i in range(${count}):\n    print(i, flush=True)\n    time.sleep(${pause})`;

const range = (count: number) =>
  Array.from({ length: count }, (_, i) => String(i));

test.describe('faults of the gateway and the network', () => {
  const faulty = new FaultyGateway({
    port: ports.faultGateway,
    relayPort: ports.faultRelay,
    token: tokens.faultGateway
  });
  const spec = 'Python 3 (ipykernel) [fault-gw]';

  test.use({ mockSettings: settingsFor(faulty.url, faulty.token) });

  test.afterAll(async () => {
    await faulty.close();
  });

  test.describe('row 1', () => {
    test.beforeAll(async () => {
      // The gateway is down when JupyterLab opens.
      await faulty.start();
      await faulty.stop();
    });

    test('1. gateway down when JupyterLab opens; started later, kernels appear without a reload', async ({
      page,
      tmpPath
    }) => {
      const opened = Date.now();
      const down = toast(
        page,
        `Cannot reach the Kernel Gateway at ${faulty.url}`
      );
      await expect(down).toBeVisible({ timeout: 5000 });
      const toldMs = since(opened);
      await expect(page.locator('.jp-KernelGateway-status')).toContainText(
        'unreachable (retrying)'
      );

      const started = Date.now();
      await faulty.start();
      const card = page.locator(
        `.jp-LauncherCard[data-category="Notebook"][title="${spec}"]`
      );
      await expect(card).toBeVisible({ timeout: 30000 });
      const recoveryMs = since(started);
      await expect(toast(page, 'answers again')).toBeVisible();

      await page.notebook.createNew('row1.ipynb', { kernel: 'python3' });
      await page.notebook.setCell(
        0,
        'code',
        "import os; print(os.environ['KERNEL_GATEWAY'])"
      );
      await page.notebook.runCell(0);
      expect(await page.notebook.getCellTextOutput(0)).toEqual(['1\n']);
      await page.notebook.save();
      record({
        row: 1,
        fault: 'Gateway down when JupyterLab opens, started later',
        told: 'Cannot reach the Kernel Gateway at <url>.',
        toldMs,
        recoveryMs,
        cellsLost: lost(tmpPath, 'row1.ipynb', [
          "import os; print(os.environ['KERNEL_GATEWAY'])"
        ])
      });
    });
  });

  test.describe('with the gateway running', () => {
    test.beforeEach(async () => {
      await faulty.start();
      faulty.restore();
    });

    test.afterEach(async () => {
      for (const kernel of await faulty.kernels().catch(() => [])) {
        await fetch(
          `http://127.0.0.1:${ports.faultGateway}/api/kernels/${kernel.id}?token=${faulty.token}`,
          { method: 'DELETE' }
        );
      }
    });

    test('2. gateway killed during a running cell; restarted: told the kernel is gone, one action starts a new one', async ({
      page,
      tmpPath
    }) => {
      await page.notebook.createNew('row2.ipynb', { kernel: 'python3' });
      await page.notebook.setCell(0, 'code', 'x = 1');
      await page.notebook.runCell(0);
      await startCell(page, 1, PRINT_LOOP(200, 0.25));
      await expect(page.locator('.jp-OutputArea-output').last()).toContainText(
        '3'
      );
      await page.notebook.save();

      const killed = Date.now();
      await faulty.stop();
      await expect(
        toast(page, `Cannot reach the Kernel Gateway at ${faulty.url}`)
      ).toBeVisible({ timeout: 5000 });
      const toldMs = since(killed);

      // The notebook stays editable and saves locally meanwhile.
      await page.notebook.addCell(
        'markdown',
        'written while the gateway was down'
      );
      await page.notebook.save();

      const restarted = Date.now();
      await faulty.start();
      const gone = toast(page, 'The kernel of row2.ipynb is gone');
      await expect(gone).toBeVisible({ timeout: 30000 });
      await gone.getByRole('button', { name: 'Start new kernel' }).click();
      await expect(kernelName(page)).toHaveText(spec);
      await page.notebook.setCell(0, 'code', "print('x' in globals())");
      await page.notebook.runCell(0);
      expect(await page.notebook.getCellTextOutput(0)).toEqual(['False\n']);
      const recoveryMs = since(restarted);
      await page.notebook.save();
      record({
        row: 2,
        fault: 'Gateway killed during a running cell, then restarted',
        told: 'Cannot reach the Kernel Gateway …; then: The kernel of <notebook> is gone … [Start new kernel]',
        toldMs,
        recoveryMs,
        cellsLost: lost(
          tmpPath,
          'row2.ipynb',
          [
            "print('x' in globals())",
            PRINT_LOOP(200, 0.25),
            'written while the gateway was down'
          ],
          1,
          ['0', '1', '2', '3']
        )
      });
    });

    for (const [row, seconds] of [
      [3, 5],
      [4, 60]
    ] as const) {
      test(`${row}. network cut for ${seconds} s during a printing cell: told, then the output is complete`, async ({
        page,
        tmpPath
      }) => {
        test.setTimeout((seconds + 120) * 1000);
        const count = seconds + 40;
        const name = `row${row}.ipynb`;
        await page.notebook.createNew(name, { kernel: 'python3' });
        await startCell(page, 0, PRINT_LOOP(count, 0.5));
        await expect(
          page.locator('.jp-OutputArea-output').first()
        ).toContainText('2');

        const cutAt = Date.now();
        faulty.cut();
        await expect(
          toast(page, `Cannot reach the Kernel Gateway at ${faulty.url}`)
        ).toBeVisible({ timeout: 5000 });
        const toldMs = since(cutAt);
        await expect(page.locator('.jp-KernelGateway-status')).toContainText(
          'unreachable (retrying)'
        );
        await page.waitForTimeout(seconds * 1000 - since(cutAt));

        const restoredAt = Date.now();
        faulty.restore();
        await expect(page.locator('.jp-KernelGateway-status')).toContainText(
          'connected',
          { timeout: 30000 }
        );
        const recoveryMs = since(restoredAt);
        // Every line arrives: what ran during the cut is replayed.
        await expect(
          page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
        ).toBeVisible({
          timeout: (count * 0.5 + 30) * 1000
        });
        const output = (await page.notebook.getCellTextOutput(0))!.join('');
        expect(output.trim().split('\n')).toEqual(range(count));
        await page.notebook.save();
        record({
          row,
          fault: `Network cut for ${seconds} s during a cell that prints`,
          told: 'Cannot reach the Kernel Gateway at <url>; status bar: unreachable (retrying)',
          toldMs,
          recoveryMs,
          cellsLost: lost(
            tmpPath,
            name,
            [PRINT_LOOP(count, 0.5)],
            0,
            range(count)
          )
        });
      });
    }

    test('5. page reload while a cell runs: reattached, output kept', async ({
      page,
      tmpPath
    }) => {
      const count = 40;
      await page.notebook.createNew('row5.ipynb', { kernel: 'python3' });
      await startCell(page, 0, PRINT_LOOP(count, 0.25));
      await expect(page.locator('.jp-OutputArea-output').first()).toContainText(
        '3'
      );
      await page.notebook.save();
      // More output arrives after the save: it is not on disk. Reload just
      // after a line arrives: a line the gateway sends in the instant the
      // page unloads is lost (the page is gone before it handles it, and the
      // gateway buffers only what follows the socket's close; see the
      // README's known limitations), and this test is about the rest.
      await page.waitForFunction(
        () =>
          document
            .querySelector('.jp-OutputArea-output')
            ?.textContent?.includes('\n8\n'),
        undefined,
        { polling: 'raf' }
      );

      const reloaded = Date.now();
      page.once('dialog', dialog => void dialog.accept());
      await page.reload({ waitForIsReady: false });
      await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
      await expect(kernelName(page)).toHaveText(spec, { timeout: 30000 });
      // The restored notebook shows the whole output, including what was
      // printed while the page was away, and what follows.
      await expect(page.locator('.jp-OutputArea-output').first()).toContainText(
        String(count - 1),
        { timeout: 30000 }
      );
      const output = (await page.notebook.getCellTextOutput(0))!.join('');
      expect(output.trim().split('\n')).toEqual(range(count));
      await page.notebook.save();
      record({
        row: 5,
        fault: 'Page reloaded while a cell runs',
        told: '(nothing to tell: the notebook reattaches to its kernel, the output continues)',
        toldMs: 0,
        recoveryMs: since(reloaded),
        cellsLost: lost(
          tmpPath,
          'row5.ipynb',
          [PRINT_LOOP(count, 0.25)],
          0,
          range(count)
        )
      });
    });

    test('a notebook renamed while the gateway is still starting its kernel keeps that kernel', async ({
      page
    }) => {
      // The gateway answers slowly; the notebook is renamed meanwhile, as
      // Galata (or a quick user) does right after "New Notebook".
      faulty.hold();
      try {
        expect(
          await page.notebook.createNew('renamed.ipynb', { kernel: 'python3' })
        ).toBe('renamed.ipynb');
        await page.waitForTimeout(1000);
      } finally {
        faulty.release();
      }
      await expect(kernelName(page)).toHaveText(spec);
      await page.notebook.setCell(0, 'code', 'x = 7');
      await page.notebook.runCell(0);
      await page.notebook.save();
      // After a reload the renamed notebook finds its kernel: x is there.
      await page.reload({ waitForIsReady: false });
      await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
      await expect(kernelName(page)).toHaveText(spec, { timeout: 30000 });
      await page.notebook.setCell(0, 'code', 'print(x)');
      await page.notebook.runCell(0);
      expect(await page.notebook.getCellTextOutput(0)).toEqual(['7\n']);
    });

    test('12. two tabs on the same notebook stay consistent; neither kills the kernel of the other', async ({
      page,
      context,
      tmpPath
    }) => {
      await page.notebook.createNew('row12.ipynb', { kernel: 'python3' });
      await page.notebook.setCell(0, 'code', 'x = 12');
      await page.notebook.runCell(0);
      await page.notebook.save();
      const [kernel] = await faulty.kernels();

      // A second tab of the same browser opens the same notebook (with the
      // same user settings as the first).
      const second = await context.newPage();
      await galata.Mock.mockSettings(
        second,
        [],
        settingsFor(faulty.url, faulty.token)
      );
      await second.goto(`${LAB_ORIGIN}/lab/tree/${tmpPath}/row12.ipynb`);
      await expect(second.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
        spec,
        { timeout: 30000 }
      );
      await expectKernelIdle(second);
      // Same kernel: the second tab sees x.
      const cell = second.locator('.jp-Notebook .jp-Cell').nth(1);
      await cell.click();
      await second.keyboard.type('print(x)');
      await second.keyboard.press('Shift+Enter');
      await expect(second.locator('.jp-OutputArea-output').nth(0)).toHaveText(
        '12'
      );
      expect((await faulty.kernels()).map(k => k.id)).toEqual([kernel.id]);

      // Closing the notebook in the second tab leaves the first tab's kernel.
      await second.close();
      await page.notebook.setCell(1, 'code', 'print(x + 1)');
      await page.notebook.runCell(1);
      expect(await page.notebook.getCellTextOutput(1)).toEqual(['13\n']);
      expect((await faulty.kernels()).map(k => k.id)).toEqual([kernel.id]);
      record({
        row: 12,
        fault: 'Two tabs on the same notebook',
        told: '(nothing to tell: both tabs share the kernel)',
        toldMs: 0,
        cellsLost: 0
      });
    });

    test('13. gateway restarted (every kernel gone): every notebook is told, none hangs', async ({
      page
    }) => {
      await page.notebook.createNew('row13a.ipynb', { kernel: 'python3' });
      await page.notebook.createNew('row13b.ipynb', { kernel: 'python3' });
      await expect.poll(async () => (await faulty.kernels()).length).toBe(2);

      const restarted = Date.now();
      await faulty.restart();
      for (const name of ['row13a.ipynb', 'row13b.ipynb']) {
        await expect(toast(page, `The kernel of ${name} is gone`)).toBeVisible({
          timeout: 30000
        });
      }
      const toldMs = since(restarted);
      // Neither hangs: each gets a new kernel with one action.
      for (const name of ['row13a.ipynb', 'row13b.ipynb']) {
        await toast(page, `The kernel of ${name} is gone`)
          .getByRole('button', { name: 'Start new kernel' })
          .click();
      }
      await expect
        .poll(async () => (await faulty.kernels()).length, {
          timeout: 30000
        })
        .toBe(2);
      await page.notebook.activate('row13b.ipynb');
      await page.notebook.setCell(0, 'code', 'print(13)');
      await page.notebook.runCell(0);
      expect(await page.notebook.getCellTextOutput(0)).toEqual(['13\n']);
      record({
        row: 13,
        fault: 'Gateway restarted: every kernel gone',
        told: 'The kernel of <notebook> is gone … [Start new kernel], for each notebook',
        toldMs,
        recoveryMs: since(restarted),
        cellsLost: 0
      });
    });
  });
});

test.describe('6. a wrong token', () => {
  test.use({
    mockSettings: settingsFor(gateway.url, 'not-the-token', 'main-gw')
  });

  test('6. wrong token: the message names the token; fixed in the settings, it works without a reload', async ({
    page
  }) => {
    const opened = Date.now();
    const refused = toast(page, 'refused this page (token or CORS)');
    await expect(refused).toBeVisible({ timeout: 5000 });
    const toldMs = since(opened);
    await refused.getByRole('button', { name: 'Details' }).click();
    await expect(page.locator('.jp-Dialog')).toContainText(
      '"Auth token" setting'
    );
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Close' })
      .click();

    const fixed = Date.now();
    await page.menu.clickMenuItem('Settings>Settings Editor');
    await page.locator('.jp-PluginList').getByText('Kernel Gateway').click();
    const input = page.locator('.jp-SettingsPanel input[label="Auth token"]');
    await input.fill(tokens.gateway);
    await input.press('Tab');
    await expect(page.locator('.jp-KernelGateway-status')).toContainText(
      'connected',
      { timeout: 30000 }
    );
    await page.notebook.createNew('row6.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(
      0,
      'code',
      "import os; print(os.environ['KERNEL_GATEWAY'])"
    );
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual(['1\n']);
    record({
      row: 6,
      fault: 'Wrong token, then fixed in the Settings Editor',
      told: 'The Kernel Gateway at <url> refused this page (token or CORS). [Details: the "Auth token" setting …]',
      toldMs,
      recoveryMs: since(fixed),
      cellsLost: 0
    });
    await gateway.shutdownAll();
  });
});

test.describe('7. a gateway without CORS for this page', () => {
  test.use({
    mockSettings: settingsFor(
      `http://localhost:${ports.noCorsGateway}/`,
      tokens.noCorsGateway,
      'no-cors-gw'
    )
  });

  test('7. the message says which gateway flag to add', async ({ page }) => {
    const opened = Date.now();
    const refused = toast(page, 'does not allow this page (CORS)');
    await expect(refused).toBeVisible({ timeout: 5000 });
    const toldMs = since(opened);
    await refused.getByRole('button', { name: 'Details' }).click();
    await expect(page.locator('.jp-Dialog')).toContainText(
      `--KernelGatewayApp.allow_origin=${LAB_ORIGIN}`
    );
    record({
      row: 7,
      fault: 'Gateway started without CORS for this origin',
      told: `The Kernel Gateway at <url> does not allow this page (CORS). [Details: --KernelGatewayApp.allow_origin=${LAB_ORIGIN} …]`,
      toldMs,
      cellsLost: 0
    });
  });
});

test.describe('8. a gateway that culls idle kernels', () => {
  const culling = new FaultyGateway({
    port: ports.cullGateway,
    relayPort: ports.cullRelay,
    token: tokens.faultGateway,
    extraArgs: [
      '--MappingKernelManager.cull_idle_timeout=8',
      '--MappingKernelManager.cull_interval=2',
      '--MappingKernelManager.cull_connected=True'
    ]
  });
  test.use({
    mockSettings: settingsFor(culling.url, culling.token, 'culling-gw')
  });
  test.beforeAll(() => culling.start());
  test.afterAll(() => culling.close());

  test('8. a culled kernel: the notebook is told, one action starts a new kernel', async ({
    page,
    tmpPath
  }) => {
    await page.notebook.createNew('row8.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(0, 'code', 'x = 8');
    await page.notebook.runCell(0);
    await page.notebook.save();
    const [kernel] = await culling.kernels();
    await expect
      .poll(async () => (await culling.kernels()).length, {
        timeout: 30000
      })
      .toBe(0);
    const culledAt = Date.now();
    const gone = toast(page, 'The kernel of row8.ipynb is gone');
    await expect(gone).toBeVisible({ timeout: 5000 });
    const toldMs = since(culledAt);
    await gone.getByRole('button', { name: 'Start new kernel' }).click();
    await expect(kernelName(page)).toHaveText(
      'Python 3 (ipykernel) [culling-gw]'
    );
    await page.notebook.setCell(0, 'code', "print('x' in globals())");
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual(['False\n']);
    expect((await culling.kernels()).map(k => k.id)).not.toContain(kernel.id);
    await page.notebook.save();
    record({
      row: 8,
      fault: 'Kernel culled by the gateway (cull_idle_timeout)',
      told: 'The kernel of <notebook> is gone … [Start new kernel]',
      toldMs,
      recoveryMs: since(culledAt),
      cellsLost: lost(tmpPath, 'row8.ipynb', ["print('x' in globals())"])
    });
  });
});

test.describe('9. a full gateway', () => {
  const full = new FaultyGateway({
    port: ports.fullGateway,
    relayPort: ports.fullRelay,
    token: tokens.faultGateway,
    extraArgs: ['--KernelGatewayApp.max_kernels=1']
  });
  test.use({ mockSettings: settingsFor(full.url, full.token, 'full-gw') });
  test.beforeAll(() => full.start());
  test.afterAll(() => full.close());

  test('9. max_kernels reached: the message says the gateway is full', async ({
    page,
    tmpPath
  }) => {
    await page.notebook.createNew('row9a.ipynb', { kernel: 'python3' });
    await expect(kernelName(page)).toHaveText('Python 3 (ipykernel) [full-gw]');
    const asked = Date.now();
    await page.notebook.createNew('row9b.ipynb', { kernel: 'python3' });
    const dialog = page.locator('.jp-Dialog', {
      hasText: 'Error Starting Kernel'
    });
    await expect(dialog).toContainText('most likely full', { timeout: 5000 });
    await expect(dialog).toContainText('max_kernels');
    const toldMs = since(asked);
    await dialog.getByRole('button', { name: 'Ok' }).click();
    // The notebook stays editable and saves.
    await page.notebook.setCell(
      0,
      'markdown',
      'kept while the gateway is full'
    );
    await page.notebook.save();
    record({
      row: 9,
      fault: 'max_kernels reached (403)',
      told: 'The Kernel Gateway at <url> refused to start a kernel; it is most likely full (its max_kernels limit) …',
      toldMs,
      cellsLost: lost(tmpPath, 'row9b.ipynb', [
        'kept while the gateway is full'
      ])
    });
    for (const kernel of await full.kernels()) {
      await fetch(
        `http://127.0.0.1:${ports.fullGateway}/api/kernels/${kernel.id}?token=${full.token}`,
        { method: 'DELETE' }
      );
    }
  });
});

test('10. unknown kernelspec (the gateway answers 500 with a traceback): a short message', async ({
  page
}) => {
  const asked = Date.now();
  const message = await page.evaluate(async () => {
    const app = (
      window as unknown as {
        jupyterapp: {
          serviceManager: {
            sessions: { startNew(options: object): Promise<unknown> };
          };
        };
      }
    ).jupyterapp;
    try {
      await app.serviceManager.sessions.startNew({
        path: 'row10.ipynb',
        type: 'notebook',
        name: 'row10.ipynb',
        kernel: { name: 'no-such-kernel' }
      });
      return 'started';
    } catch (error) {
      return (error as Error).message;
    }
  });
  expect(message).toContain('has no kernel named "no-such-kernel"');
  expect(message).toContain('It offers:');
  expect(message).not.toMatch(/Traceback|File "/);
  expect(message.split('\n')).toHaveLength(1);
  record({
    row: 10,
    fault: 'Unknown kernelspec (the gateway answers 500 with a traceback)',
    told: 'The Kernel Gateway at <url> has no kernel named "…". It offers: …',
    toldMs: since(asked),
    cellsLost: 0
  });
});

for (const [part, timeout] of [
  ['a', 90],
  ['b', 15]
] as const) {
  test.describe(`11${part}. a kernel that starts 45 s late`, () => {
    test.use({
      mockSettings: settingsFor(gateway.url, gateway.token, 'main-gw', {
        kernelLaunchTimeout: timeout
      })
    });

    test(
      part === 'a'
        ? '11a. progress is shown, and the launch succeeds within the launch timeout'
        : '11b. past the launch timeout: a clear message, and no orphan kernel on the gateway',
      async ({ page, tmpPath }) => {
        test.setTimeout(150 * 1000);
        const name = `row11${part}.ipynb`;
        const asked = Date.now();
        await page.notebook.createNew(name, { kernel: 'slow-python' });
        const progress = toast(
          page,
          `Starting slow-python for ${name} on the Kernel Gateway`
        );
        await expect(progress).toBeVisible({ timeout: 10000 });
        const toldMs = since(asked);
        if (part === 'a') {
          await expect(
            toast(page, `Kernel slow-python for ${name} started after`)
          ).toBeVisible({ timeout: 90000 });
          await page.notebook.setCell(
            0,
            'code',
            "import os; print(os.environ['KERNEL_GATEWAY'])"
          );
          await page.notebook.runCell(0);
          expect(await page.notebook.getCellTextOutput(0)).toEqual(['1\n']);
          record({
            row: 11,
            fault: 'Slow kernel launch (45 s), launch timeout 90 s',
            told: 'Starting <kernel> for <notebook> on the Kernel Gateway… N s (launch timeout 90 s); then: Kernel … started after N s.',
            toldMs,
            recoveryMs: since(asked),
            cellsLost: 0
          });
        } else {
          const failed = toast(page, `did not start within ${timeout} s`);
          await expect(failed).toBeVisible({ timeout: (timeout + 10) * 1000 });
          const failedAfter = since(asked);
          await expect(failed).toContainText('shut down on the gateway');
          await failed.getByRole('button', { name: 'Details' }).click();
          await expect(page.locator('.jp-Dialog')).toContainText(
            'nothing is left running there'
          );
          await expect(page.locator('.jp-Dialog')).toContainText(
            '"Kernel launch timeout"'
          );
          await page
            .locator('.jp-Dialog')
            .getByRole('button', { name: 'Close' })
            .click();
          expect(
            (await gateway.kernels()).filter(
              (k: { name: string }) => k.name === 'slow-python'
            )
          ).toEqual([]);
          // Still nothing once the slow command would have started it.
          await page.waitForTimeout(Math.max(0, 50000 - since(asked)));
          expect(
            (await gateway.kernels()).filter(
              (k: { name: string }) => k.name === 'slow-python'
            )
          ).toEqual([]);
          await page.notebook.setCell(
            0,
            'markdown',
            'kept after a failed launch'
          );
          await page.notebook.save();
          record({
            row: 11,
            fault: `Slow kernel launch (45 s), launch timeout ${timeout} s`,
            told: `Kernel … did not start within ${timeout} s; it was shut down on the gateway. [Details, Open settings]`,
            toldMs: failedAfter - timeout * 1000,
            cellsLost: lost(tmpPath, name, ['kept after a failed launch'])
          });
        }
        await gateway.shutdownAll();
      }
    );
  });
}
