/**
 * "Also offer this server's kernels": local kernels beside the gateway's,
 * chosen per notebook, each notebook reopening where its kernel ran, and
 * notebooks that stay portable (their `metadata.kernelspec` is the
 * kernelspec's own).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { IJupyterLabPageFixture } from '@jupyterlab/galata';

import {
  escapeRegExp,
  expect,
  expectKernelIdle,
  gatewaySettings,
  reloadRestored,
  showNotebook,
  test
} from './fixtures';
import {
  FaultyGateway,
  PRINT_LOOP,
  startCell,
  statusItem,
  toast
} from './faultkit';

import { gateway, ports, tokens, LAB_ROOT } from './servers';
import { startJupyterLab } from '../../tests/harness/lab';

const LOCAL = `http://127.0.0.1:${ports.lab}`;
const IMAGES = path.join(__dirname, '..', '..', 'docs', 'images');
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

const SECOND = `http://127.0.0.1:${ports.secondGateway}`;

/**
 * The second gateway's kernels, asked directly.
 */
async function secondKernels(): Promise<{ id: string }[]> {
  const response = await fetch(
    `${SECOND}/api/kernels?token=${tokens.secondGateway}`
  );
  return response.json();
}

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
  for (const kernel of await secondKernels()) {
    await fetch(
      `${SECOND}/api/kernels/${kernel.id}?token=${tokens.secondGateway}`,
      { method: 'DELETE' }
    );
  }
});

/**
 * Run `code` in cell `cell` of the current notebook; what it printed.
 */
async function printed(
  page: IJupyterLabPageFixture,
  cell: number,
  code: string
): Promise<string> {
  await page.notebook.setCell(cell, 'code', code);
  await page.notebook.runCell(cell);
  return ((await page.notebook.getCellTextOutput(cell)) ?? []).join('');
}

/**
 * Run where-am-I in cell `cell` of the current notebook: "local" or "1"
 * (Kernel Gateway sets KERNEL_GATEWAY=1 in its kernels).
 */
const where = (page: IJupyterLabPageFixture, cell: number) =>
  printed(page, cell, WHERE);

const MARKED =
  "import os; print(os.environ.get('KERNEL_GATEWAY', 'local'), os.environ.get('KERNEL_MARK', '-'))";

/**
 * Like {@link where}, with the marker only the listed gateway's kernels get
 * (KERNEL_MARK, sent from its settings).
 */
const marked = (page: IJupyterLabPageFixture, cell: number) =>
  printed(page, cell, MARKED);

function savedMetadata(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(LAB_ROOT, file), 'utf-8'))
    .metadata;
}

test('local and gateway kernels side by side: each runs where it was chosen, and reopens there', async ({
  page,
  tmpPath
}) => {
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
  const saved = savedMetadata(`${tmpPath}/on-local.ipynb`);
  expect(saved.kernelspec).toEqual(
    expect.objectContaining({ name: 'python3', display_name: LOCAL_SPEC })
  );
  expect(saved['jupyterlab-kernel-gateway']).toEqual({ runsOn: 'local' });
  // The gateway's notebook records exactly what a local python3 kernel
  // writes (no gateway label): without this extension it opens with the
  // local python3.
  const remote = savedMetadata(`${tmpPath}/on-gateway.ipynb`);
  expect(remote.kernelspec).toEqual(saved.kernelspec);
  expect(remote['jupyterlab-kernel-gateway']).toBeUndefined();

  // Both servers' python3, under names that do not collide.
  await page.menu.clickMenuItem('Kernel>Change Kernel…');
  const local = page.locator(
    '.jp-Dialog select option[value=\'{"name":"local:python3"}\']'
  );
  await expect(local).toHaveText(LOCAL_SPEC);
  await expect(
    page.locator('.jp-Dialog select option[value=\'{"name":"python3"}\']')
  ).toHaveText(gateway.spec(LOCAL_SPEC));
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Cancel' })
    .click();
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);

  // Reload: each notebook reattaches to its own kernel.
  const localIds = (await localKernels()).map(kernel => kernel.id);
  expect(localIds).toHaveLength(1);
  expect(await gateway.kernels()).toHaveLength(1);
  await reloadRestored(page);
  await showNotebook(page, 'on-local.ipynb');
  await expectKernelIdle(page);
  expect(await where(page, 1)).toBe('local\n');
  await showNotebook(page, 'on-gateway.ipynb');
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

test('a notebook saved with a gateway kernel opens in a JupyterLab without this extension, with its local python3', async ({
  page,
  tmpPath,
  browser
}) => {
  await page.notebook.createNew('portable.ipynb', { kernel: 'python3' });
  await expectKernelIdle(page);
  expect(await where(page, 0)).toBe('1\n');
  await page.notebook.save();

  // Another Jupyter server, with neither the page extension nor the server
  // extension, and only its own kernels.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kg-plain-lab-'));
  fs.mkdirSync(path.join(dir, 'config', 'labconfig'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'config', 'labconfig', 'page_config.json'),
    JSON.stringify({
      disabledExtensions: { 'jupyterlab-kernel-gateway': true }
    })
  );
  fs.mkdirSync(path.join(dir, 'root'));
  fs.copyFileSync(
    path.join(LAB_ROOT, tmpPath, 'portable.ipynb'),
    path.join(dir, 'root', 'portable.ipynb')
  );
  const plain: { url: string; stop: () => Promise<void> } =
    await startJupyterLab({
      dir,
      port: ports.plainLab,
      extraArgs: [
        '--ServerApp.jpserver_extensions=jupyterlab_kernel_gateway=False'
      ]
    });
  const context = await browser.newContext();
  try {
    const other = await context.newPage();
    await other.goto(`${plain.url}/lab/tree/portable.ipynb`);
    // Its own python3, chosen without asking: no kernel dialog, and the
    // cell's output is now this server's.
    await expect(other.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
      LOCAL_SPEC,
      { timeout: 60000 }
    );
    await expect(
      other.locator('.jp-Notebook .jp-OutputArea-output')
    ).toHaveText('1');
    await expect(other.locator('.jp-KernelGateway-status')).toHaveCount(0);
    await expectKernelIdle(other, { timeout: 30000 });
    await other.locator('.jp-Notebook .jp-Cell').first().click();
    await other.keyboard.press('Control+Enter');
    await expect(
      other.locator('.jp-Notebook .jp-OutputArea-output')
    ).toHaveText('local', { timeout: 30000 });
    await expect(other.locator('.jp-Dialog')).toHaveCount(0);
  } finally {
    await context.close();
    await plain.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
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

test.describe('several gateways', () => {
  test.use({
    mockSettings: gatewaySettings({
      gatewayUrl: gateway.url,
      authToken: gateway.token,
      gatewayName: gateway.name,
      offerLocalKernels: true,
      gateways: [
        {
          gatewayUrl: `http://localhost:${ports.secondGateway}/`,
          authToken: tokens.secondGateway,
          gatewayName: 'second',
          kernelEnv: { KERNEL_MARK: 'second' }
        }
      ]
    })
  });

  test('two gateways and this server: each notebook runs on its own, and reattaches there after a reload', async ({
    page
  }) => {
    // File, kernel, what it prints, the kernel's name in the toolbar, and
    // what the status bar shows while the notebook is current.
    const notebooks: [string, string, string, string, string][] = [
      [
        'first.ipynb',
        'python3',
        '1 -\n',
        gateway.spec(LOCAL_SPEC),
        `${gateway.name} · connected`
      ],
      [
        'second.ipynb',
        'second:python3',
        '1 second\n',
        `${LOCAL_SPEC} [second]`,
        'second · connected'
      ],
      [
        'local.ipynb',
        'local:python3',
        'local -\n',
        LOCAL_SPEC,
        'Local · local kernels'
      ]
    ];
    for (const [file, kernel, printed, shown, status] of notebooks) {
      await page.notebook.createNew(file, { kernel });
      await expectKernelIdle(page);
      expect(await marked(page, 0)).toBe(printed);
      await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
        shown
      );
      await expect(statusItem(page)).toContainText(status);
      await page.notebook.save();
    }
    expect(await gateway.kernels()).toHaveLength(1);
    expect(await secondKernels()).toHaveLength(1);
    expect(await localKernels()).toHaveLength(1);

    // The file browser names each notebook's kernel as its toolbar does
    // (after the kernelspec of the backend it runs on).
    for (const [file, , , shown] of notebooks) {
      await expect(
        page.locator('.jp-DirListing-item', { hasText: file })
      ).toHaveAttribute(
        'title',
        new RegExp(`\nKernel: ${escapeRegExp(shown)}$`)
      );
    }

    // The details panel lists every backend with its kernels.
    await page.locator('.jp-KernelGateway-status').click();
    const details = page.locator('.jp-KernelGateway-details');
    await expect(details).toContainText('Also offered: Local');
    await expect(details).toContainText('Also offered: second');
    await expect(details).toContainText(
      `http://localhost:${ports.secondGateway}/ — connected`
    );
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Close' })
      .click();

    // With the second gateway's notebook current, the details' "Test
    // connection" tests that gateway: its steps name its URL, not the
    // first gateway's.
    await showNotebook(page, 'second.ipynb');
    await expect(statusItem(page)).toContainText('second · connected');
    await statusItem(page).click();
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Test connection' })
      .click();
    const test = page.locator('.jp-Dialog', {
      has: page.locator('.jp-KernelGateway-test')
    });
    await expect(test).toContainText('Test the connection to second');
    await expect(
      test.locator('.jp-KernelGateway-testProgress[data-done="true"]')
    ).toHaveText('All steps passed.', { timeout: 60000 });
    await expect(test).toContainText(
      `http://localhost:${ports.secondGateway}/`
    );
    await expect(test).not.toContainText(gateway.url);
    await test.getByRole('button', { name: 'Close' }).click();

    await reloadRestored(page);
    for (const [file, , printed, shown, status] of notebooks) {
      await showNotebook(page, file);
      await expectKernelIdle(page);
      await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
        shown
      );
      await expect(statusItem(page)).toContainText(status);
      expect(await marked(page, 1)).toBe(printed);
    }
    expect(await gateway.kernels()).toHaveLength(1);
    expect(await secondKernels()).toHaveLength(1);
    expect(await localKernels()).toHaveLength(1);
  });

  test('the launcher and the kernel picker group the kernelspecs by backend', async ({
    page
  }) => {
    // The launcher: where new kernels go in the stock sections, each other
    // backend in sections of its own, right after them.
    const titles = page.locator('.jp-Launcher-sectionTitle');
    await expect(titles).toContainText([
      /^Notebook$/,
      'Notebook · Local',
      'Notebook · second',
      /^Console$/,
      'Console · Local',
      'Console · second'
    ]);
    const section = (title: string) =>
      page.locator('.jp-Launcher-section', {
        has: page.locator('.jp-Launcher-sectionTitle', { hasText: title })
      });
    await expect(
      section('Notebook · second').locator('.jp-LauncherCard')
    ).toHaveText([`${LOCAL_SPEC} [second]`]);
    await expect(
      section('Notebook · Local').locator('.jp-LauncherCard')
    ).toHaveText([LOCAL_SPEC]);
    await page
      .locator('.jp-Launcher-content')
      .screenshot({ path: path.join(IMAGES, 'launcher-backends.png') });

    // A card of the second gateway's section starts its kernel there.
    await section('Notebook · second').locator('.jp-LauncherCard').click();
    await expectKernelIdle(page);
    expect(await marked(page, 0)).toBe('1 second\n');

    // The picker: one group per backend, where new kernels go first; the
    // running kernel under its own backend.
    await page.menu.clickMenuItem('Kernel>Change Kernel…');
    const groupOf = (value: string) =>
      page
        .locator('.jp-Dialog select optgroup', {
          has: page.locator(`option[value='${value}']`)
        })
        .getAttribute('label');
    const labels = await page
      .locator('.jp-Dialog select optgroup')
      .evaluateAll(groups =>
        groups.map(group => (group as HTMLOptGroupElement).label)
      );
    const starts = labels.filter(label => label.startsWith('Start'));
    expect(starts.map(label => label.split(' · ')[1])).toEqual([
      gateway.name,
      'Local',
      'second'
    ]);
    expect(await groupOf('{"name":"python3"}')).toMatch(
      new RegExp(`^Start .* · ${gateway.name}$`)
    );
    expect(await groupOf('{"name":"local:python3"}')).toMatch(
      /^Start .* · Local$/
    );
    expect(await groupOf('{"name":"second:python3"}')).toMatch(
      /^Start .* · second$/
    );
    const kernel = (await secondKernels())[0];
    expect(await groupOf(JSON.stringify({ id: kernel.id }))).toMatch(
      /^Connect .* · second$/
    );
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Cancel' })
      .click();

    // The Running panel lists the kernel under its backend's kernelspec,
    // and shutting it down there reaches that backend.
    await page.sidebar.openTab('jp-running-sessions');
    const running = page.locator('#jp-running-sessions');
    const item = running
      .locator('.jp-RunningSessions-item', {
        hasText: `${LOCAL_SPEC} [second]`
      })
      .first();
    await expect(item).toBeVisible();
    await item.hover();
    await item.locator('.jp-RunningSessions-itemShutdown').first().click();
    await expect.poll(secondKernels).toHaveLength(0);
  });
});

test.describe('one gateway down beside the others', () => {
  const faulty = new FaultyGateway({
    port: ports.faultGateway,
    relayPort: ports.faultRelay,
    token: tokens.faultGateway
  });
  test.beforeAll(() => faulty.start());
  test.afterAll(() => faulty.close());

  test.use({
    mockSettings: gatewaySettings({
      gatewayUrl: gateway.url,
      authToken: gateway.token,
      gatewayName: gateway.name,
      offerLocalKernels: true,
      gateways: [
        {
          gatewayUrl: faulty.url,
          authToken: faulty.token,
          gatewayName: 'fault-gw',
          kernelEnv: { KERNEL_MARK: 'fault-gw' }
        }
      ]
    })
  });

  test('the user is told about that one; the others keep running; its notebook starts again there', async ({
    page
  }) => {
    test.setTimeout(180 * 1000);
    for (const [file, kernel, printed] of [
      ['steady.ipynb', 'python3', '1 -\n'],
      ['here.ipynb', 'local:python3', 'local -\n'],
      ['flaky.ipynb', 'fault-gw:python3', '1 fault-gw\n']
    ]) {
      await page.notebook.createNew(file, { kernel });
      await expectKernelIdle(page);
      expect(await marked(page, 0)).toBe(printed);
    }

    // The listed gateway dies while a cell runs on it.
    await startCell(page, 1, PRINT_LOOP(60, 0.5));
    await expect(
      page.locator('.jp-NotebookPanel:visible .jp-OutputArea-output').nth(1)
    ).toContainText('2');
    await faulty.stop();
    const down = toast(
      page,
      `Cannot reach the Kernel Gateway at ${faulty.url}`
    );
    await expect(down).toBeVisible({ timeout: 10000 });
    // The status bar shows the current notebook's gateway, and its state.
    await expect(statusItem(page)).toContainText(
      'fault-gw · unreachable (retrying)'
    );
    await expect(statusItem(page)).toHaveAttribute('data-state', 'unreachable');

    // The first gateway and this server are not affected, nor said to be.
    for (const [file, printed, status] of [
      ['steady.ipynb', '1 -\n', `${gateway.name} · connected`],
      ['here.ipynb', 'local -\n', 'Local · local kernels']
    ]) {
      await page.notebook.activate(file);
      await expect(statusItem(page)).toContainText(status);
      expect(await marked(page, 1)).toBe(printed);
    }
    await expect(
      toast(page, `Cannot reach the Kernel Gateway at ${gateway.url}`)
    ).toHaveCount(0);

    // Back: told, and the notebook's next kernel starts there again.
    await faulty.start();
    await page.notebook.activate('flaky.ipynb');
    const gone = toast(page, 'The kernel of flaky.ipynb is gone');
    await expect(gone).toBeVisible({ timeout: 30000 });
    await gone.getByRole('button', { name: 'Start new kernel' }).click();
    await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
      'Python 3 (ipykernel) [fault-gw]'
    );
    await expectKernelIdle(page);
    expect(await marked(page, 1)).toBe('1 fault-gw\n');
    expect(await faulty.kernels()).toHaveLength(1);
  });
});

test.describe('Connect to a Kernel Gateway…', () => {
  test.use({
    mockSettings: gatewaySettings({
      gatewayUrl: gateway.url,
      authToken: gateway.token,
      gatewayName: gateway.name
    })
  });

  test('adds a gateway from a pasted URL with its token, live; a kernel runs there; removed, its notebook is told and moved', async ({
    page
  }) => {
    await page.locator('.jp-KernelGateway-status').click();
    await page.getByRole('button', { name: 'Add a gateway…' }).click();
    const form = page.locator('.jp-KernelGateway-connect');
    const url = form.getByLabel('Gateway URL');
    await url.fill(
      `http://localhost:${ports.secondGateway}/?token=${tokens.secondGateway}`
    );
    // The token moves from the URL to its field.
    await expect(url).toHaveValue(`http://localhost:${ports.secondGateway}/`);
    await expect(form.getByLabel('Token')).toHaveValue(tokens.secondGateway);
    await form.getByLabel('Name').fill('added');
    await page.getByRole('button', { name: 'Test and add' }).click();
    await expect(page.locator('.jp-KernelGateway-testProgress')).toHaveText(
      'All steps passed. Added "added": its kernels are offered as added:<kernelspec>.',
      { timeout: 60000 }
    );
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Close' })
      .click();

    // Offered at once, without a reload.
    const which =
      "import os; print(os.environ.get('KERNEL_GATEWAY_ID', 'first'))";
    await page.notebook.createNew('added.ipynb', { kernel: 'added:python3' });
    await expectKernelIdle(page);
    await page.notebook.setCell(0, 'code', which);
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual(['second\n']);

    // Removed from the settings: the notebook keeps its kernel until moved.
    await page.evaluate(async () => {
      const registry = await window.galata.getPlugin(
        '@jupyterlab/apputils-extension:settings'
      );
      await registry!.set('jupyterlab-kernel-gateway:plugin', 'gateways', []);
    });
    const told = toast(page, 'Kernels are no longer offered on added');
    await expect(told).toBeVisible();
    await expect(told).toContainText('added.ipynb keep their kernel there');
    await told.getByRole('button', { name: 'Move them now' }).click();
    await expect(page.locator('.jp-Toolbar-kernelName:visible')).toHaveText(
      gateway.spec(LOCAL_SPEC)
    );
    await expectKernelIdle(page);
    await page.notebook.setCell(1, 'code', which);
    await page.notebook.runCell(1);
    expect(await page.notebook.getCellTextOutput(1)).toEqual(['first\n']);
    await expect.poll(secondKernels).toHaveLength(0);
  });
});
