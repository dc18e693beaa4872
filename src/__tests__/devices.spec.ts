/**
 * Several devices (browsers that share nothing but the Jupyter server) using
 * the same gateway kernels, with the sessions kept in the session store of
 * a real JupyterLab (the package's server extension) and the kernels on a
 * real Kernel Gateway.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

import { ServerConnection } from '@jupyterlab/services';
import type { Kernel } from '@jupyterlab/services';

import type { GatewayBackend } from '../managers/gatewaybackend';
import { BrowserSessionStores, MemoryStorage } from '../store/browserstore';
import { openSessionStores } from '../store/open';
import { ServerSessionStores } from '../store/serverstore';
import type { ISessionStores } from '../store/store';
import type { ITestBrowser } from './helpers';
import {
  LAB,
  LISTING,
  clearServerStore,
  execute,
  gatewayKernelIds,
  labSettings,
  makeBackend,
  newBrowser,
  newKernels,
  notebook,
  startForeignKernel,
  deleteKernelDirectly,
  waitFor
} from './helpers';
import { freePortSync } from './ports';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startJupyterLab } = require('../../tests/harness/lab');

const backends: GatewayBackend[] = [];
const browsers: ITestBrowser[] = [];

/**
 * A page on a device of its own (a browser with its own storage).
 */
function device(stores?: ISessionStores): GatewayBackend {
  let chosen = stores;
  if (!chosen) {
    const browser = newBrowser('server');
    browsers.push(browser);
    chosen = browser.tab().stores;
  }
  const backend = makeBackend({ stores: chosen });
  backends.push(backend);
  return backend;
}

/**
 * What `code` prints, asked again every 3 s until the kernel answers.
 */
async function answer(
  kernel: Kernel.IKernelConnection,
  code: string
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const printed = await Promise.race([
      execute(kernel, code),
      new Promise<string>(resolve => setTimeout(() => resolve(''), 3000))
    ]);
    if (printed.trim()) {
      return printed.trim();
    }
  }
  throw new Error(`No answer to ${code}`);
}

async function storeApi(
  path: string,
  init: RequestInit = {},
  settings = labSettings()
): Promise<Response> {
  return ServerConnection.makeRequest(
    `${settings.baseUrl}kernel-gateway/${path}`,
    init,
    settings
  );
}

beforeAll(() => clearServerStore([LISTING]));

afterEach(async () => {
  for (const backend of backends.splice(0)) {
    await backend.sessions.shutdownAll().catch(() => undefined);
    await backend.kernels.shutdownAll().catch(() => undefined);
    backend.dispose();
  }
  browsers.splice(0).forEach(browser => browser.close());
  await clearServerStore([LISTING]);
});

describe('sessions kept on the Jupyter server, seen from several devices', () => {
  it('device B opening the notebook device A uses gets its kernel, variables intact', async () => {
    const a = device();
    const session = await a.sessions.startNew(notebook('shared.ipynb'));
    await execute(session.kernel!, 'x = 42');
    const before = await gatewayKernelIds(LISTING);

    const b = device();
    // What a notebook's session context does when it opens.
    const found = await b.sessions.findByPath('shared.ipynb');
    expect(found?.id).toBe(session.id);
    expect(found?.kernel?.id).toBe(session.kernel!.id);
    const joined = b.sessions.connectTo({ model: found! });
    expect((await execute(joined.kernel!, 'print(x)')).trim()).toBe('42');
    // Each sees what the other computes later.
    await execute(joined.kernel!, 'y = x + 1');
    expect((await execute(session.kernel!, 'print(y)')).trim()).toBe('43');
    // Starting a session for it joins too: no second kernel.
    const again = await b.sessions.startNew(notebook('shared.ipynb'));
    expect(again.id).toBe(session.id);
    expect(await gatewayKernelIds(LISTING)).toEqual(before);
  });

  it('two devices opening the same notebook at the same instant end with one kernel', async () => {
    const a = device();
    const b = device();
    const before = await gatewayKernelIds(LISTING);
    const [first, second] = await Promise.all([
      a.sessions.startNew(notebook('race.ipynb')),
      b.sessions.startNew(notebook('race.ipynb'))
    ]);
    expect(second.id).toBe(first.id);
    expect(second.kernel!.id).toBe(first.kernel!.id);
    // The loser's kernel is shut down: none orphaned.
    expect(await newKernels(LISTING, before, 1)).toEqual([first.kernel!.id]);
    await execute(first.kernel!, 'z = 7');
    expect((await execute(second.kernel!, 'print(z)')).trim()).toBe('7');
  });

  it('two devices opening it as JupyterLab does (a temporary path, then the notebook’s) end with one kernel', async () => {
    const a = device();
    const b = device();
    const before = await gatewayKernelIds(LISTING);
    // SessionContext starts a session under a temporary name, then moves it.
    const [first, second] = await Promise.all([
      a.sessions.startNew(notebook('tmp-a')),
      b.sessions.startNew(notebook('tmp-b'))
    ]);
    expect(second.kernel!.id).not.toBe(first.kernel!.id);
    await Promise.all([
      first.setPath('moved-at-once.ipynb'),
      second.setPath('moved-at-once.ipynb')
    ]);
    expect(second.kernel!.id).toBe(first.kernel!.id);
    expect(await newKernels(LISTING, before, 1)).toEqual([first.kernel!.id]);
    await execute(first.kernel!, 'q = 11');
    expect((await execute(second.kernel!, 'print(q)')).trim()).toBe('11');
  });

  it('lists every kernel of this user, also those of a browser that is gone, and Shut Down All reaches them', async () => {
    const foreign = await startForeignKernel(LISTING);
    const gone = device();
    const session = await gone.sessions.startNew(notebook('left.ipynb'));
    const bare = await gone.kernels.startNew({ name: 'python3' });
    const ids = [session.kernel!.id, bare.id];
    // The browser is closed without shutting anything down.
    gone.dispose();

    const other = device();
    await other.kernels.refreshRunning();
    expect(Array.from(other.kernels.running()).map(k => k.id)).toEqual(
      expect.arrayContaining(ids)
    );
    expect(Array.from(other.kernels.running()).map(k => k.id)).not.toContain(
      foreign
    );
    await other.kernels.shutdownAll();
    const left = await gatewayKernelIds(LISTING);
    expect(left).not.toEqual(expect.arrayContaining([ids[0]]));
    expect(left).not.toContain(ids[1]);
    // Never another user's kernel on a shared gateway.
    expect(left).toContain(foreign);
    await deleteKernelDirectly(LISTING, foreign);
  });

  it('lists a kernel nobody points at (its session record removed) without a session', async () => {
    const a = device();
    const session = await a.sessions.startNew(notebook('orphan.ipynb'));
    const response = await storeApi(`sessions/${session.id}`, {
      method: 'DELETE'
    });
    expect(response.status).toBe(204);

    const b = device();
    await b.sessions.refreshRunning();
    await b.kernels.refreshRunning();
    expect(Array.from(b.sessions.running())).toEqual([]);
    expect(Array.from(b.kernels.running()).map(k => k.id)).toContain(
      session.kernel!.id
    );
  });

  it('a kernel changed, restarted or shut down on one device is seen on the other at its next listing', async () => {
    const a = device();
    const session = await a.sessions.startNew(notebook('seen.ipynb'));
    const b = device();
    const theirs = b.sessions.connectTo({
      model: (await b.sessions.findByPath('seen.ipynb'))!
    });

    await session.changeKernel({ name: 'python3' });
    const changed = session.kernel!.id;
    await b.sessions.refreshRunning();
    await waitFor(
      () => theirs.kernel?.id === changed,
      5000,
      'device B on the new kernel'
    );

    // A restart on one device is the other's restart too: the same kernel
    // starts afresh. (Kernel Gateway re-opens a kernel's channels after a
    // restart; a request sent in that instant is lost, by any client: ask
    // until it answers.)
    await execute(session.kernel!, 'w = 1');
    await session.kernel!.restart();
    expect(theirs.kernel?.id).toBe(changed);
    expect(await answer(theirs.kernel!, "print('w' in dir())")).toBe('False');

    await session.shutdown();
    await b.sessions.refreshRunning();
    expect(theirs.isDisposed).toBe(true);
    expect(await gatewayKernelIds(LISTING)).not.toContain(changed);
  });

  it('a notebook renamed on one device keeps its kernel on the other', async () => {
    const a = device();
    const session = await a.sessions.startNew(notebook('before.ipynb'));
    const b = device();
    const theirs = b.sessions.connectTo({
      model: (await b.sessions.findByPath('before.ipynb'))!
    });
    await session.setPath('moved/after.ipynb');
    await b.sessions.refreshRunning();
    expect(theirs.path).toBe('moved/after.ipynb');
    expect(theirs.kernel?.id).toBe(session.kernel!.id);
    const found = await device().sessions.findByPath('moved/after.ipynb');
    expect(found?.kernel?.id).toBe(session.kernel!.id);
  });

  it('says so when the Jupyter server cannot be asked, and starts nothing', async () => {
    const page = device(
      new ServerSessionStores({
        serverSettings: ServerConnection.makeSettings({
          baseUrl: `http://127.0.0.1:${freePortSync()}/`
        }),
        channel: null
      })
    );
    const before = await gatewayKernelIds(LISTING);
    await expect(
      page.sessions.startNew(notebook('unreachable.ipynb'))
    ).rejects.toThrow(
      /The Jupyter server's session store could not be reached/
    );
    expect(await gatewayKernelIds(LISTING)).toEqual(before);
  });

  it('a kernel that cannot be recorded is shut down again, not left running unseen', async () => {
    // The local server goes away just as the kernel is to be recorded.
    const settings = labSettings();
    const failing = ServerConnection.makeSettings({
      baseUrl: settings.baseUrl,
      token: LAB.token,
      fetch: (input, init) =>
        (init?.method ?? (input as Request).method) === 'PUT'
          ? Promise.reject(new TypeError('Failed to fetch'))
          : settings.fetch(input, init)
    });
    const page = device(
      new ServerSessionStores({ serverSettings: failing, channel: null })
    );
    const before = await gatewayKernelIds(LISTING);
    await expect(
      page.sessions.startNew(notebook('unrecorded.ipynb'))
    ).rejects.toThrow(/could not be recorded on the Jupyter server/);
    expect(await gatewayKernelIds(LISTING)).toEqual(before);
  });
});

describe('moving to the Jupyter server', () => {
  it("moves an earlier version's records from the browser to the server, once", async () => {
    // An earlier version kept this browser's sessions in localStorage.
    const storage = new MemoryStorage();
    const earlier = device(
      new BrowserSessionStores({ localBaseUrl: LAB.url, storage })
    );
    const session = await earlier.sessions.startNew(notebook('old.ipynb'));
    await execute(session.kernel!, 'v = "kept"');
    const kernelId = session.kernel!.id;
    expect(storage.length).toBe(2);
    earlier.dispose();

    const stores = await openSessionStores({
      serverStore: 'server',
      serverProblem: '',
      serverSettings: labSettings(),
      storage
    });
    expect(stores.info).toEqual({ kind: 'server', problem: undefined });
    expect(storage.length).toBe(0);

    // Another device finds the notebook's kernel now.
    const other = device();
    const found = await other.sessions.findByPath('old.ipynb');
    expect(found?.kernel?.id).toBe(kernelId);
    const joined = other.sessions.connectTo({ model: found! });
    expect((await execute(joined.kernel!, 'print(v)')).trim()).toBe('kept');

    // Once: the next load has nothing to move.
    const sessions = await (
      await storeApi(`sessions?backend=${encodeURIComponent(LISTING.url)}`)
    ).json();
    await openSessionStores({
      serverStore: 'server',
      serverProblem: '',
      serverSettings: labSettings(),
      storage
    });
    expect(
      await (
        await storeApi(`sessions?backend=${encodeURIComponent(LISTING.url)}`)
      ).json()
    ).toEqual(sessions);
  });

  it('keeps using the browser, and says so, without the server extension', async () => {
    const stores = await openSessionStores({
      serverStore: '',
      serverProblem: '',
      serverSettings: labSettings(),
      storage: new MemoryStorage()
    });
    expect(stores.info.kind).toBe('browser');
  });
});

describe('a restarted Jupyter server', () => {
  it('still has the sessions, and their kernels are found', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kg-restart-'));
    const port = freePortSync();
    const token = 'restart-test';
    const settings = ServerConnection.makeSettings({
      baseUrl: `http://127.0.0.1:${port}/`,
      token
    });
    let lab = await startJupyterLab({ dir, port, token });
    try {
      const stores = () =>
        new ServerSessionStores({ serverSettings: settings, channel: null });
      const a = device(stores());
      const session = await a.sessions.startNew(notebook('restart.ipynb'));
      await execute(session.kernel!, 'r = 5');
      await lab.stop();
      lab = await startJupyterLab({ dir, port, token });

      const b = device(stores());
      const found = await b.sessions.findByPath('restart.ipynb');
      expect(found?.kernel?.id).toBe(session.kernel!.id);
      const joined = b.sessions.connectTo({ model: found! });
      expect((await execute(joined.kernel!, 'print(r)')).trim()).toBe('5');
    } finally {
      for (const backend of backends.splice(0)) {
        await backend.sessions.shutdownAll().catch(() => undefined);
        backend.dispose();
      }
      await lab.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
});
