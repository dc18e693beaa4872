/**
 * The fault matrix: each row a real fault (a gateway stopped, killed,
 * restarted, reconfigured, culling, full; a network cut by a relay; a wrong
 * token; a gateway without CORS for this page). For every row the user is
 * told within 5 s, in words that name the gateway and the fix; the notebook
 * stays editable and saves to the local server while the fault lasts (the
 * file on disk is read back at once); nothing is lost — not the cells, not
 * their output, not an edit left unsaved when the fault began; and when the
 * gateway or the network comes back, work resumes by itself, on the same
 * kernel if it survived. Each row's outcome is recorded for docs/faults.md.
 */
import * as fs from 'fs';
import * as path from 'path';

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
import { expect, expectKernelIdle, storeRecords, test } from './fixtures';

import { gateway, ports, tokens, STATE } from './servers';

const LAB_ORIGIN = `http://127.0.0.1:${ports.lab}`;

test.describe('faults of the gateway and the network', () => {
  const faulty = new FaultyGateway({
    port: ports.faultGateway,
    relayPort: ports.faultRelay,
    token: tokens.faultGateway
  });
  const spec = 'Python 3 (ipykernel) [fault-gw]';
  const unreachable = `Cannot reach the Kernel Gateway at ${faulty.url}`;

  test.use({ mockSettings: settingsFor(faulty.url, faulty.token) });

  test.afterAll(async () => {
    await faulty.close();
  });

  test.describe('row 1', () => {
    // The clock starts when the page is opened.
    test.use({ autoGoto: false });

    test.beforeAll(async () => {
      // The gateway is down when JupyterLab opens.
      await faulty.start();
      await faulty.stop();
    });

    test('1. gateway down when JupyterLab opens; started later, kernels appear without a reload', async ({
      page,
      tmpPath
    }) => {
      writeNotebook(tmpPath, 'row1.ipynb', ['x = 1']);
      const work = new NotebookWork(page, tmpPath, 'row1.ipynb', 1);
      work.expectSource('x = 1');

      const opened = Date.now();
      await page.goto();
      // Nothing can be shown before JupyterLab is up: the 5 s count from
      // then (the table also gives the time from opening the page).
      const up = Date.now();
      const down = toast(page, unreachable);
      await expect(down).toBeVisible({ timeout: 5000 });
      const sinceOpenMs = since(opened);
      const toldMs = since(up);
      const told = await shownText(down);
      await expect(statusItem(page)).toContainText('unreachable (retrying)');
      await expectDetails(down, 'Kernel Gateway URL', 'is running');
      // A notebook opened during the outage is editable and saves.
      await page.notebook.openByPath(`${tmpPath}/row1.ipynb`);
      await keepNoKernel(page);
      await work.writeAndSave();

      const started = Date.now();
      await faulty.start();
      const card = page.locator(
        `.jp-LauncherCard[data-category="Notebook"][title="${spec}"]`
      );
      await expect(card).toBeAttached({ timeout: 30000 });
      await expect(toast(page, 'answers again')).toBeVisible();
      const recoveryMs = since(started);

      // The notebook opened during the outage gets a kernel on the gateway
      // with one action, without a reload.
      await showTab(page, 'row1.ipynb');
      await pickKernel(page, spec);
      expect(await work.run(ON_GATEWAY)).toEqual(['1\n']);
      record({
        row: 1,
        fault: 'Gateway down when JupyterLab opens, started later',
        told,
        toldMs,
        sinceOpenMs,
        recoveryMs,
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
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
      const work = new NotebookWork(page, tmpPath, 'row2.ipynb', 2);
      await page.notebook.createNew('row2.ipynb', { kernel: 'python3' });
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
      await faulty.stop();
      const down = toast(page, unreachable);
      await expect(down).toBeVisible({ timeout: 5000 });
      const toldMs = since(killed);
      const told = await shownText(down);
      await expectDetails(down, 'Kernel Gateway URL');
      await work.writeAndSave();

      const restarted = Date.now();
      await faulty.start();
      const gone = toast(page, 'The kernel of row2.ipynb is gone');
      await expect(gone).toBeVisible({ timeout: 30000 });
      const toldGone = await shownText(gone);
      await gone.getByRole('button', { name: 'Start new kernel' }).click();
      await expect(kernelName(page)).toHaveText(spec);
      expect(await work.run("print('x' in globals())")).toEqual(['False\n']);
      const recoveryMs = since(restarted);
      record({
        row: 2,
        fault: 'Gateway killed during a running cell, then restarted',
        told: `${told} Then: ${toldGone}`,
        toldMs,
        recoveryMs,
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
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
        const work = new NotebookWork(page, tmpPath, name, row);
        await page.notebook.createNew(name, { kernel: 'python3' });
        await startCell(page, 0, PRINT_LOOP(count, 0.5));
        await expect(
          page.locator('.jp-OutputArea-output').first()
        ).toContainText('2');
        const [kernel] = await faulty.kernels();
        work.expectSource(PRINT_LOOP(count, 0.5));
        await work.typeUnsaved();

        await betweenTwoLines(
          page.locator('.jp-OutputArea-output').first(),
          () => faulty.cut()
        );
        const cutAt = Date.now();
        const down = toast(page, unreachable);
        await expect(down).toBeVisible({ timeout: 5000 });
        const toldMs = since(cutAt);
        const told = await shownText(down);
        await expect(statusItem(page)).toContainText('unreachable (retrying)');
        await expectDetails(down, 'Kernel Gateway URL');
        await work.writeAndSave();
        // The fault is a cut of `seconds`: its length is what the row
        // measures (the cell keeps printing meanwhile).
        await page.waitForTimeout(Math.max(0, seconds * 1000 - since(cutAt)));
        const cutFor = since(cutAt);

        const restoredAt = Date.now();
        faulty.restore();
        await expect(statusItem(page)).toContainText('connected', {
          timeout: 30000
        });
        const recoveryMs = since(restoredAt);
        // Every line arrives: what ran during the cut is replayed, by the
        // same kernel.
        await expect(
          page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
        ).toBeVisible({
          timeout: (count * 0.5 + 30) * 1000
        });
        const output = (await page.notebook.getCellTextOutput(0))!.join('');
        expect(output.trim().split('\n')).toEqual(range(count));
        expect((await faulty.kernels()).map(k => k.id)).toEqual([kernel.id]);
        work.note('the same kernel');
        work.expectOutput(0, range(count));
        record({
          row,
          fault: `Network cut for ${seconds} s (${(cutFor / 1000).toFixed(1)} s) during a cell that prints`,
          told: `${told} Status bar: unreachable (retrying).`,
          toldMs,
          recoveryMs,
          checked: work.checkedList,
          cellsLost: await work.saveAndCountLost()
        });
      });
    }

    test('5. page reload while a cell runs: reattached, output kept', async ({
      page,
      tmpPath
    }) => {
      const count = 40;
      const work = new NotebookWork(page, tmpPath, 'row5.ipynb', 5);
      await page.notebook.createNew('row5.ipynb', { kernel: 'python3' });
      await startCell(page, 0, PRINT_LOOP(count, 0.25));
      await expect(page.locator('.jp-OutputArea-output').first()).toContainText(
        '3'
      );
      await page.notebook.save();
      const [kernel] = await faulty.kernels();
      work.expectSource(PRINT_LOOP(count, 0.25));
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

      // The notebook changed since it was saved: the browser asks first.
      const asked = new Promise<string>(resolve =>
        page.once('dialog', dialog => {
          resolve(dialog.type());
          void dialog.accept();
        })
      );
      const reloaded = Date.now();
      await page.reload({ waitForIsReady: false });
      expect(await asked).toBe('beforeunload');
      await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
      await expect(kernelName(page)).toHaveText(spec, { timeout: 30000 });
      // The restored notebook shows the whole output, including what was
      // printed while the page was away, and what follows, from the same
      // kernel.
      await expect(page.locator('.jp-OutputArea-output').first()).toContainText(
        String(count - 1),
        { timeout: 30000 }
      );
      const recoveryMs = since(reloaded);
      const output = (await page.notebook.getCellTextOutput(0))!.join('');
      expect(output.trim().split('\n')).toEqual(range(count));
      expect((await faulty.kernels()).map(k => k.id)).toEqual([kernel.id]);
      work.note('the same kernel');
      work.note('the leave-page warning');
      work.expectOutput(0, range(count));
      record({
        row: 5,
        fault: 'Page reloaded while a cell runs',
        told: '(nothing to tell: the browser warns of unsaved changes; the notebook reattaches to its kernel and the output continues)',
        toldMs: null,
        recoveryMs,
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
    });

    test('a notebook renamed while the gateway is still starting its kernel keeps that kernel', async ({
      page
    }) => {
      // The gateway answers slowly; the notebook is renamed meanwhile, as
      // Galata (or a quick user) does right after "New Notebook".
      const kernelStarts = () =>
        faulty
          .requests()
          .filter(
            request =>
              request.method === 'POST' &&
              /^\/api\/kernels(\?|$)/.test(request.path)
          ).length;
      const startsBefore = kernelStarts();
      faulty.hold();
      try {
        expect(
          await page.notebook.createNew('renamed.ipynb', { kernel: 'python3' })
        ).toBe('renamed.ipynb');
        // The answer is let through only once the gateway has the kernel
        // start: the notebook was renamed while its kernel was starting.
        await expect.poll(kernelStarts).toBeGreaterThan(startsBefore);
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
      const work = new NotebookWork(page, tmpPath, 'row12.ipynb', 12);
      await page.notebook.createNew('row12.ipynb', { kernel: 'python3' });
      await page.notebook.setCell(0, 'code', 'x = 12');
      await page.notebook.runCell(0);
      await page.notebook.save();
      work.expectSource('x = 12');
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

      // Closing the notebook in the second tab, then the tab itself, leaves
      // the first tab's kernel running.
      await second
        .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
          hasText: 'row12.ipynb'
        })
        .locator('.lm-TabBar-tabCloseIcon')
        .click();
      // Its edit there is unsaved (this test keeps the first tab's work):
      // JupyterLab asks; the user discards it.
      const ask = second.locator('.jp-Dialog', { hasText: 'before closing' });
      await expect(ask).toBeVisible();
      await ask.getByRole('button', { name: 'Discard' }).click();
      await expect(
        second.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
          hasText: 'row12.ipynb'
        })
      ).toHaveCount(0);
      await second.close();
      expect((await faulty.kernels()).map(k => k.id)).toEqual([kernel.id]);
      work.note('the same kernel in both tabs');
      await page.notebook.setCell(1, 'code', 'print(x + 1)');
      await page.notebook.runCell(1);
      expect(await page.notebook.getCellTextOutput(1)).toEqual(['13\n']);
      expect((await faulty.kernels()).map(k => k.id)).toEqual([kernel.id]);
      work.expectSource('print(x + 1)');
      work.expectOutput(1, ['13']);
      record({
        row: 12,
        fault: 'Two tabs on the same notebook',
        told: '(nothing to tell: both tabs share the kernel; closing the notebook in one leaves it to the other)',
        toldMs: null,
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
    });

    test('13. gateway restarted (every kernel gone): every notebook is told, none hangs', async ({
      page,
      tmpPath
    }) => {
      const works = ['row13a.ipynb', 'row13b.ipynb'].map(
        name => new NotebookWork(page, tmpPath, name, 13)
      );
      for (const work of works) {
        await page.notebook.createNew(work.name, { kernel: 'python3' });
        await work.typeUnsaved();
      }
      await expect.poll(async () => (await faulty.kernels()).length).toBe(2);
      // row13b runs a cell when the gateway goes.
      await startCell(page, 0, PRINT_LOOP(200, 0.25));
      await expect(page.locator('.jp-OutputArea-output').first()).toContainText(
        '2'
      );
      works[1].expectSource(PRINT_LOOP(200, 0.25));
      await expect(
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="busy"]')
      ).toHaveCount(1);

      // While the gateway is away the notebooks say it cannot be reached;
      // once it answers again, that their kernels are gone.
      const restarted = Date.now();
      const restarting = faulty.restart();
      const down = toast(page, unreachable);
      await expect(down).toBeVisible({ timeout: 5000 });
      const toldMs = since(restarted);
      const told = [await shownText(down)];
      await restarting;
      for (const work of works) {
        const gone = toast(page, `The kernel of ${work.name} is gone`);
        await expect(gone).toBeVisible({ timeout: 30000 });
        told.push(await shownText(gone));
      }
      const goneAfter = since(restarted);
      // The notebook that was running a cell is not left busy.
      await expect(
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="busy"]')
      ).toHaveCount(0, { timeout: 15000 });
      works[1].note('not left busy');
      // The server's session store dropped the stale records.
      await expect
        .poll(() => storeRecords(page, faulty.url))
        .toEqual({ sessions: [], kernels: [] });
      works[1].note('no stale record kept');
      // Each gets a new kernel with one action, and runs code again.
      for (const work of works) {
        await toast(page, `The kernel of ${work.name} is gone`)
          .getByRole('button', { name: 'Start new kernel' })
          .click();
      }
      await expect
        .poll(async () => (await faulty.kernels()).length, {
          timeout: 30000
        })
        .toBe(2);
      for (const work of works) {
        await page.notebook.activate(work.name);
        expect(await work.run('print(13)')).toEqual(['13\n']);
      }
      const recoveryMs = since(restarted);
      let cellsLost = 0;
      for (const work of works) {
        await page.notebook.activate(work.name);
        cellsLost += await work.saveAndCountLost();
      }
      record({
        row: 13,
        fault:
          'Gateway restarted: every kernel gone (two notebooks, one running a cell)',
        told: `${told.join(' Then: ')} (after ${(goneAfter / 1000).toFixed(1)} s)`,
        toldMs,
        recoveryMs,
        checked: works[1].checkedList,
        cellsLost
      });
    });

    test('14. the network goes silent during a printing cell (connections open, nothing passes): told within 10 s, then the output is complete', async ({
      page,
      tmpPath
    }) => {
      const count = 70;
      const name = 'row14.ipynb';
      const work = new NotebookWork(page, tmpPath, name, 14);
      await page.notebook.createNew(name, { kernel: 'python3' });
      // The probes that watch the path while the cell runs do not disturb
      // it: the kernel stays "Busy" throughout, the output in order.
      const kernelStatus = page.locator(
        '.jp-StatusBar-TextItem[title^="Change kernel for"]'
      );
      await startCell(page, 0, PRINT_LOOP(count, 0.5));
      await expect(kernelStatus).toHaveText(/\| Busy$/);
      // Watch the status for 6 s, every 200 ms: the time is the point, three
      // of the heartbeat's 2 s probe intervals while the cell runs.
      const seen = new Set<string>();
      for (let i = 0; i < 30; i++) {
        seen.add((await kernelStatus.innerText()).split('| ').pop()!);
        await page.waitForTimeout(200);
      }
      expect([...seen]).toEqual(['Busy']);
      work.note('probes left the running cell "Busy"');
      const [kernel] = await faulty.kernels();
      work.expectSource(PRINT_LOOP(count, 0.5));
      await work.typeUnsaved();

      const silentAt = Date.now();
      faulty.partition();
      const silent = toast(page, 'No answer from the Kernel Gateway');
      await expect(silent).toBeVisible({ timeout: 10000 });
      const toldMs = since(silentAt);
      expect(toldMs).toBeLessThan(10000);
      const told = await shownText(silent);
      await work.writeAndSave();
      // The fault is 20 s of silence: its length is what the row measures
      // (longer than the 10 s in which the user is told).
      await page.waitForTimeout(Math.max(0, 20000 - since(silentAt)));

      const healedAt = Date.now();
      faulty.heal();
      await expect(statusItem(page)).toContainText('connected', {
        timeout: 30000
      });
      const recoveryMs = since(healedAt);
      await expect(
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
      ).toBeVisible({ timeout: (count * 0.5 + 30) * 1000 });
      const output = (await page.notebook.getCellTextOutput(0))!.join('');
      expect(output.trim().split('\n')).toEqual(range(count));
      expect((await faulty.kernels()).map(k => k.id)).toEqual([kernel.id]);
      work.note('the same kernel');
      work.expectOutput(0, range(count));
      record({
        row: 14,
        fault:
          'The network goes silent for 20 s (packets dropped, connections open) during a cell that prints',
        told,
        toldMs,
        recoveryMs,
        // The table's 5 s rule is for faults the browser sees; a silence
        // is noticed by missing answers (within 10 s).
        silent: true,
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
    });

    test('15. the network goes silent while the notebook is idle; the user runs a cell: told within 10 s, then the cell runs', async ({
      page,
      tmpPath
    }) => {
      const name = 'row15.ipynb';
      const work = new NotebookWork(page, tmpPath, name, 15);
      await page.notebook.createNew(name, { kernel: 'python3' });
      expect(await work.run('x = 15; print(x)')).toEqual(['15\n']);
      const [kernel] = await faulty.kernels();
      faulty.partition();
      // Idle: nothing tells the browser. The user runs a cell 3 s into the
      // silence (the idle keep-alive probe comes every 30 s): the time is
      // the point, what tells the user is the cell they run, counted from
      // there.
      await page.waitForTimeout(3000);
      const code = "print('after', x)";
      await page.notebook.addCell('code', code);
      const last = (await page.notebook.getCellCount()) - 1;
      await startCell(page, last, code);
      // Counted from the moment the user ran it (typing the cell is not
      // the gateway's time).
      const ranAt = Date.now();
      work.expectSource(code);
      const silent = toast(page, 'No answer from the Kernel Gateway');
      await expect(silent).toBeVisible({ timeout: 10000 });
      const toldMs = since(ranAt);
      expect(toldMs).toBeLessThan(10000);
      const told = await shownText(silent);
      await work.writeAndSave();

      const healedAt = Date.now();
      faulty.heal();
      await expect(page.locator('.jp-OutputArea-output').last()).toContainText(
        'after 15',
        { timeout: 30000 }
      );
      const recoveryMs = since(healedAt);
      expect((await faulty.kernels()).map(k => k.id)).toEqual([kernel.id]);
      work.note('the same kernel');
      work.expectOutput(last, ['after 15']);
      record({
        row: 15,
        fault:
          'The network goes silent while the notebook is idle; the user runs a cell',
        told,
        toldMs,
        recoveryMs,
        silent: true,
        checked: work.checkedList,
        cellsLost: await work.saveAndCountLost()
      });
    });
  });
});

test.describe('6. a wrong token', () => {
  test.use({
    mockSettings: settingsFor(gateway.url, 'not-the-token', 'main-gw'),
    autoGoto: false
  });

  test('6. wrong token: the message names the token; fixed in the settings, it works without a reload', async ({
    page,
    tmpPath
  }) => {
    writeNotebook(tmpPath, 'row6.ipynb', ['x = 6']);
    const work = new NotebookWork(page, tmpPath, 'row6.ipynb', 6);
    work.expectSource('x = 6');
    const opened = Date.now();
    await page.goto();
    // Nothing can be shown before JupyterLab is up: the 5 s count from
    // then (the table also gives the time from opening the page).
    const up = Date.now();
    const refused = toast(page, 'refused this page (token or CORS)');
    await expect(refused).toBeVisible({ timeout: 5000 });
    const sinceOpenMs = since(opened);
    const toldMs = since(up);
    const told = await shownText(refused);
    expect(told).toContain(gateway.url);
    await expectDetails(refused, '"Auth token" setting');
    await page.notebook.openByPath(`${tmpPath}/row6.ipynb`);
    await keepNoKernel(page);
    await work.writeAndSave();

    const fixed = Date.now();
    await page.menu.clickMenuItem('Settings>Settings Editor');
    await page.locator('.jp-PluginList').getByText('Kernel Gateway').click();
    const input = page.locator('.jp-SettingsPanel input[label="Auth token"]');
    await input.fill(tokens.gateway);
    await input.press('Tab');
    await expect(statusItem(page)).toContainText('connected', {
      timeout: 30000
    });
    // The notebook opened with the wrong token gets a kernel now, with one
    // action.
    await showTab(page, 'row6.ipynb');
    await pickKernel(page, 'Python 3 (ipykernel) [main-gw]');
    expect(await work.run(ON_GATEWAY)).toEqual(['1\n']);
    const recoveryMs = since(fixed);
    record({
      row: 6,
      fault: 'Wrong token, then fixed in the Settings Editor',
      told: `${told} [Details: the "Auth token" setting …]`,
      toldMs,
      sinceOpenMs,
      recoveryMs,
      checked: work.checkedList,
      cellsLost: await work.saveAndCountLost()
    });
    await gateway.shutdownAll();
  });
});

test.describe('7. a gateway without CORS for this page', () => {
  const noCors = new FaultyGateway({
    port: ports.corsGateway,
    relayPort: ports.corsRelay,
    token: tokens.faultGateway,
    origin: 'http://elsewhere.invalid'
  });
  const flag = `--KernelGatewayApp.allow_origin=${LAB_ORIGIN}`;
  test.use({
    mockSettings: settingsFor(noCors.url, noCors.token, 'cors-gw'),
    autoGoto: false
  });
  test.beforeAll(() => noCors.start());
  test.afterAll(() => noCors.close());

  test('7. the message says which gateway flag to add; once added, kernels work without a reload', async ({
    page,
    tmpPath
  }) => {
    writeNotebook(tmpPath, 'row7.ipynb', ['x = 7']);
    const work = new NotebookWork(page, tmpPath, 'row7.ipynb', 7);
    work.expectSource('x = 7');
    const opened = Date.now();
    await page.goto();
    // Nothing can be shown before JupyterLab is up: the 5 s count from
    // then (the table also gives the time from opening the page).
    const up = Date.now();
    const refused = toast(page, 'does not allow this page (CORS)');
    await expect(refused).toBeVisible({ timeout: 5000 });
    const sinceOpenMs = since(opened);
    const toldMs = since(up);
    const told = await shownText(refused);
    expect(told).toContain(noCors.url);
    await expectDetails(refused, flag);
    await page.notebook.openByPath(`${tmpPath}/row7.ipynb`);
    await keepNoKernel(page);
    await work.writeAndSave();

    // The administrator restarts the gateway with the flag.
    const fixed = Date.now();
    await noCors.reconfigure({ origin: LAB_ORIGIN });
    await expect(statusItem(page)).toContainText('connected', {
      timeout: 30000
    });
    await showTab(page, 'row7.ipynb');
    await pickKernel(page, 'Python 3 (ipykernel) [cors-gw]');
    expect(await work.run(ON_GATEWAY)).toEqual(['1\n']);
    const recoveryMs = since(fixed);
    record({
      row: 7,
      fault:
        'Gateway started without CORS for this origin, then restarted with the flag',
      told: `${told} [Details: ${flag} …]`,
      toldMs,
      sinceOpenMs,
      recoveryMs,
      checked: work.checkedList,
      cellsLost: await work.saveAndCountLost()
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
    const work = new NotebookWork(page, tmpPath, 'row8.ipynb', 8);
    await page.notebook.createNew('row8.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(0, 'code', 'x = 8');
    await page.notebook.runCell(0);
    // The gateway culls it a few seconds after the cell: note it at once.
    const [kernel] = await culling.kernels();
    expect(kernel).toBeDefined();
    work.expectSource('x = 8');
    await work.typeUnsaved();
    // Watch the gateway closely, to time the message from the cull.
    await expect
      .poll(async () => (await culling.kernels()).length, {
        timeout: 30000,
        intervals: [100]
      })
      .toBe(0);
    const culledAt = Date.now();
    const gone = toast(page, 'The kernel of row8.ipynb is gone');
    await expect(gone).toBeVisible({ timeout: 5000 });
    const toldMs = since(culledAt);
    const told = await shownText(gone);
    await work.writeAndSave();
    await gone.getByRole('button', { name: 'Start new kernel' }).click();
    await expect(kernelName(page)).toHaveText(
      'Python 3 (ipykernel) [culling-gw]'
    );
    expect(await work.run("print('x' in globals())")).toEqual(['False\n']);
    expect((await culling.kernels()).map(k => k.id)).not.toContain(kernel.id);
    record({
      row: 8,
      fault: 'Kernel culled by the gateway (cull_idle_timeout)',
      told,
      toldMs,
      recoveryMs: since(culledAt),
      checked: work.checkedList,
      cellsLost: await work.saveAndCountLost()
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
    const [first] = await full.kernels();
    const work = new NotebookWork(page, tmpPath, 'row9b.ipynb', 9);
    const asked = Date.now();
    await page.notebook.createNew('row9b.ipynb', { kernel: 'python3' });
    const dialog = page.locator('.jp-Dialog', {
      hasText: 'Error Starting Kernel'
    });
    await expect(dialog).toContainText('most likely full', { timeout: 5000 });
    const toldMs = since(asked);
    await expect(dialog).toContainText('max_kernels');
    await expect(dialog).toContainText(full.url);
    const told = await shownText(dialog);
    await dialog.getByRole('button', { name: 'Ok' }).click();
    // The notebook stays editable and saves; the first kernel is untouched.
    await work.writeAndSave();
    expect((await full.kernels()).map(k => k.id)).toEqual([first.id]);
    work.note('the other notebook’s kernel untouched');
    record({
      row: 9,
      fault: 'max_kernels reached (403)',
      told,
      toldMs,
      checked: work.checkedList,
      cellsLost: await work.saveAndCountLost()
    });
    for (const kernel of await full.kernels()) {
      await fetch(
        `http://127.0.0.1:${ports.fullGateway}/api/kernels/${kernel.id}?token=${full.token}`,
        { method: 'DELETE' }
      );
    }
  });
});

test.describe('10. a kernelspec gone from the gateway', () => {
  // The gateway offers "gateway-python" when the page loads; then its
  // administrator removes that kernelspec from the gateway's disk. The
  // page's list is stale, and starting it makes the gateway answer 500 with
  // a traceback.
  const kernels = path.join(STATE, 'stale-kernels');
  const stale = new FaultyGateway({
    port: ports.staleGateway,
    relayPort: ports.staleRelay,
    token: tokens.faultGateway,
    env: { JUPYTER_PATH: kernels }
  });
  test.use({ mockSettings: settingsFor(stale.url, stale.token, 'stale-gw') });
  test.beforeAll(async () => {
    fs.rmSync(kernels, { recursive: true, force: true });
    fs.cpSync(path.join(__dirname, '..', 'gateway-kernels'), kernels, {
      recursive: true
    });
    await stale.start();
  });
  test.afterAll(() => stale.close());

  test('10. unknown kernelspec (the gateway answers 500 with a traceback): a short message', async ({
    page,
    tmpPath
  }) => {
    const card = page.locator(
      '.jp-LauncherCard[data-category="Notebook"][title="Python 3 (on the gateway) [stale-gw]"]'
    );
    await expect(card).toBeVisible({ timeout: 30000 });
    fs.rmSync(path.join(kernels, 'kernels', 'gateway-python'), {
      recursive: true
    });
    // The launcher still offers it; the user picks it.
    const asked = Date.now();
    await card.click();
    const dialog = page.locator('.jp-Dialog', {
      hasText: 'Error Starting Kernel'
    });
    await expect(dialog).toContainText('has no kernel named "gateway-python"', {
      timeout: 5000
    });
    const toldMs = since(asked);
    await expect(dialog).toContainText('It offers:');
    await expect(dialog).toContainText(stale.url);
    const told = await shownText(dialog);
    expect(told).not.toMatch(/Traceback|File "/);
    await dialog.getByRole('button', { name: 'Ok' }).click();
    // JupyterLab then asks for another kernel: one action starts one.
    const recovered = Date.now();
    await pickKernel(page, 'Python 3 (ipykernel) [stale-gw]');
    // The new notebook is editable, saves and runs.
    const title = (
      await page
        .locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')
        .innerText()
    ).trim();
    expect(title).toMatch(/^Untitled\d*\.ipynb$/);
    const work = new NotebookWork(page, tmpPath, title, 10);
    await work.writeAndSave();
    expect(await work.run(ON_GATEWAY)).toEqual(['1\n']);
    record({
      row: 10,
      fault:
        'Kernelspec gone from the gateway (it answers 500 with a traceback)',
      told,
      toldMs,
      recoveryMs: since(recovered),
      checked: work.checkedList,
      cellsLost: await work.saveAndCountLost()
    });
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
        const work = new NotebookWork(page, tmpPath, name, `11${part}`);
        const asked = Date.now();
        // Kernels left by an earlier row are not this row's.
        const before = new Set(
          (await gateway.kernels()).map((k: { id: string }) => k.id)
        );
        // The user is told counted from the kernel's start request (not
        // from creating the notebook file before it).
        const posted = page
          .waitForRequest(
            request =>
              request.method() === 'POST' &&
              /\/api\/kernels(\?|$)/.test(request.url()),
            { timeout: 60000 }
          )
          .then(() => Date.now());
        await page.notebook.createNew(name, { kernel: 'slow-python' });
        const progress = toast(
          page,
          `Starting slow-python for ${name} on the Kernel Gateway`
        );
        await expect(progress).toBeVisible({ timeout: 10000 });
        const toldMs = since(await posted);
        const told = await shownText(progress);
        // The notebook is editable and saves while the kernel starts.
        await work.writeAndSave();
        if (part === 'a') {
          const ready = toast(
            page,
            `Kernel slow-python for ${name} started after`
          );
          await expect(ready).toBeVisible({ timeout: 90000 });
          const toldReady = await shownText(ready);
          expect(await work.run(ON_GATEWAY)).toEqual(['1\n']);
          record({
            row: 11,
            fault: 'Slow kernel launch (45 s), launch timeout 90 s',
            told: `${told} Then: ${toldReady}`,
            toldMs,
            recoveryMs: since(asked),
            checked: work.checkedList,
            cellsLost: await work.saveAndCountLost()
          });
        } else {
          const failed = toast(page, `did not start within ${timeout} s`);
          await expect(failed).toBeVisible({ timeout: (timeout + 10) * 1000 });
          // Counted from the moment the launch timeout ran out, which starts
          // with the kernel's start request.
          const failedAfter = since(await posted);
          await expect(failed).toContainText('shut down on the gateway');
          const toldFailed = await shownText(failed);
          await expectDetails(
            failed,
            'nothing is left running there',
            '"Kernel launch timeout"'
          );
          expect(
            (await gateway.kernels()).filter(
              (k: { id: string; name: string }) =>
                k.name === 'slow-python' && !before.has(k.id)
            )
          ).toEqual([]);
          // Still nothing once the slow command would have started it: the
          // kernel's launcher sleeps 45 s, nothing to wait for but the time.
          await page.waitForTimeout(Math.max(0, 50000 - since(asked)));
          expect(
            (await gateway.kernels()).filter(
              (k: { id: string; name: string }) =>
                k.name === 'slow-python' && !before.has(k.id)
            )
          ).toEqual([]);
          work.note('no kernel left on the gateway');
          record({
            row: 11,
            fault: `Slow kernel launch (45 s), launch timeout ${timeout} s`,
            told: `${told} Then: ${toldFailed}`,
            toldMs: failedAfter - timeout * 1000,
            checked: work.checkedList,
            cellsLost: await work.saveAndCountLost()
          });
        }
        await gateway.shutdownAll();
      }
    );
  });
}
