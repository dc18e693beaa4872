/**
 * Sessions with kernels on a real Kernel Gateway: JupyterLab's stock
 * SessionManager with the extension's session client, the sessions kept on
 * a real Jupyter server (the package's server extension) or, without it,
 * in the browser.
 */
import fs from 'fs';
import path from 'path';

import type { Session } from '@jupyterlab/services';

import type { GatewayBackend } from '../managers/gatewaybackend';
import { MemoryStorage } from '../store/browserstore';
import type { IBackendStore, ISessionStores } from '../store/store';
import type { IHeldAnswer, ITestBrowser, StoreKind } from './helpers';
import {
  AnswerGate,
  LISTING,
  PRIVATE,
  clearServerStore,
  deleteKernelDirectly,
  execute,
  gatewayKernelIds,
  heldKernelList,
  makeBackend,
  newBrowser,
  notebook,
  waitFor
} from './helpers';

const backends: GatewayBackend[] = [];
const browsers: ITestBrowser[] = [];

/**
 * A browser whose pages keep sessions in a store of `kind`.
 */
function browser(kind: StoreKind): ITestBrowser {
  const made = newBrowser(kind);
  browsers.push(made);
  return made;
}

/**
 * A page (a new tab of `inBrowser`, or of a browser of its own).
 */
function open(
  kind: StoreKind,
  options: Parameters<typeof makeBackend>[0] & { inBrowser?: ITestBrowser } = {}
): GatewayBackend {
  const tab = (options.inBrowser ?? browser(kind)).tab();
  const backend = makeBackend({ ...options, stores: tab.stores });
  backends.push(backend);
  return backend;
}

/**
 * Start a session of `path` while an answer the test holds is pending, and
 * release that answer once the start has connected, or after 5 s when the
 * start waits for the held answer itself (a refresh under way that it
 * joined): that start then connects after the answer, with nothing of its
 * own to dispose.
 */
async function startWhileHeld(
  backend: GatewayBackend,
  path: string,
  release: () => void
): Promise<Session.ISessionConnection> {
  const starting = backend.sessions.startNew(notebook(path));
  await Promise.race([
    starting,
    new Promise(resolve => setTimeout(resolve, 5000))
  ]);
  release();
  return starting;
}

beforeAll(() => clearServerStore([LISTING, PRIVATE]));

afterEach(async () => {
  for (const backend of backends.splice(0)) {
    await backend.sessions.shutdownAll().catch(() => undefined);
    backend.dispose();
  }
  browsers.splice(0).forEach(made => made.close());
  await clearServerStore([LISTING, PRIVATE]);
});

describe.each<StoreKind>(['server', 'browser'])(
  'sessions kept in the %s store',
  kind => {
    describe('client-side sessions', () => {
      it('starts a kernel in the notebook’s directory, with KERNEL_WORKING_DIR', async () => {
        // The gateway runs kernels in <its root>/<notebook dir> when it exists.
        fs.mkdirSync(path.join(process.env.KG_LISTING_CWD!, 'projects'), {
          recursive: true
        });
        const backend = open(kind);
        const session = await backend.sessions.startNew(
          notebook('projects/a.ipynb')
        );
        const out = await execute(
          session.kernel!,
          "import os; print(os.environ['KERNEL_WORKING_DIR']); print(os.getcwd())"
        );
        const [workingDir, cwd] = out.trim().split('\n');
        expect(workingDir).toBe('/home/user/work/projects');
        expect(cwd).toBe(
          path.join(fs.realpathSync(process.env.KG_LISTING_CWD!), 'projects')
        );
        expect(await gatewayKernelIds(LISTING)).toContain(session.kernel!.id);
      });

      it('survives a page reload: same session, same kernel, variables intact', async () => {
        const device = browser(kind);
        const first = open(kind, { inBrowser: device });
        const session = await first.sessions.startNew(notebook('reload.ipynb'));
        await execute(session.kernel!, 'x = 42');
        const kernelId = session.kernel!.id;
        session.dispose();
        first.dispose();

        // A new page: new managers, same browser storage.
        const second = open(kind, { inBrowser: device });
        const model = await second.sessions.findByPath('reload.ipynb');
        expect(model?.kernel?.id).toBe(kernelId);
        const again = second.sessions.connectTo({ model: model! });
        expect((await execute(again.kernel!, 'print(x)')).trim()).toBe('42');
      });

      it('gives a second connection to a session in the page an id of its own; the notebook keeps the one a reload finds', async () => {
        const device = browser(kind);
        // The tab's sessionStorage, where the notebook's id is kept.
        const clientIds = new MemoryStorage();
        const first = open(kind, { inBrowser: device, clientIds });
        const session = await first.sessions.startNew(notebook('help.ipynb'));
        // What JupyterLab 4.4 and 4.5's help menu does with every new
        // session; then a second full connection (another view).
        const observer = first.sessions.connectTo({
          model: session.model,
          kernelConnectionOptions: { handleComms: false }
        });
        const other = first.sessions.connectTo({ model: session.model });
        const ids = [session, observer, other].map(s => s.kernel!.clientId);
        expect(new Set(ids).size).toBe(3);
        // Sharing an id, the gateway would close one websocket for the
        // other: all three answer, and stay connected.
        for (const connection of [session, observer, other]) {
          expect((await execute(connection.kernel!, 'print(7)')).trim()).toBe(
            '7'
          );
        }
        expect(
          [session, observer, other].map(s => s.kernel!.connectionStatus)
        ).toEqual(['connected', 'connected', 'connected']);
        observer.dispose();
        other.dispose();
        session.dispose();
        first.dispose();

        // Reloaded: the notebook's id comes back (the gateway replays to it).
        const second = open(kind, { inBrowser: device, clientIds });
        const model = await second.sessions.findByPath('help.ipynb');
        const again = second.sessions.connectTo({ model: model! });
        expect(again.kernel!.clientId).toBe(ids[0]);
      });

      it('keeps the kernel when the notebook is renamed or moved', async () => {
        const device = browser(kind);
        const backend = open(kind, { inBrowser: device });
        const session = await backend.sessions.startNew(notebook('old.ipynb'));
        const kernelId = session.kernel!.id;
        await session.setPath('moved/new.ipynb');
        await session.setName('new.ipynb');

        const reloaded = open(kind, { inBrowser: device });
        expect(await reloaded.sessions.findByPath('old.ipynb')).toBeUndefined();
        const model = await reloaded.sessions.findByPath('moved/new.ipynb');
        expect(model?.name).toBe('new.ipynb');
        expect(model?.kernel?.id).toBe(kernelId);
      });

      it('shows two tabs the same sessions, and updates the other tab at once', async () => {
        const device = browser(kind);
        const tabA = open(kind, { inBrowser: device });
        const tabB = open(kind, { inBrowser: device });
        await tabB.sessions.refreshRunning();
        expect(Array.from(tabB.sessions.running())).toHaveLength(0);

        const session = await tabA.sessions.startNew(notebook('shared.ipynb'));
        // No refresh asked: tab B hears of it from tab A (a storage event, or
        // a broadcast channel message).
        await waitFor(
          () => Array.from(tabB.sessions.running()).length === 1,
          5000,
          'tab B to see the session of tab A'
        );
        const seen = Array.from(tabB.sessions.running())[0];
        expect(seen.path).toBe('shared.ipynb');
        expect(seen.kernel?.id).toBe(session.kernel!.id);

        // Closing the notebook in one tab must not kill the other tab's kernel.
        session.dispose();
        await tabA.sessions.refreshRunning();
        expect(await gatewayKernelIds(LISTING)).toContain(seen.kernel!.id);
      });

      it('changes the kernel: a new kernel, the old one shut down', async () => {
        const backend = open(kind);
        const session = await backend.sessions.startNew(
          notebook('change.ipynb')
        );
        const oldId = session.kernel!.id;
        await session.changeKernel({ name: 'python3' });
        const newId = session.kernel!.id;
        expect(newId).not.toBe(oldId);
        const ids = await gatewayKernelIds(LISTING);
        expect(ids).toContain(newId);
        expect(ids).not.toContain(oldId);
        expect((await execute(session.kernel!, 'print(6 * 7)')).trim()).toBe(
          '42'
        );
      });

      it('shuts down the session and its kernel', async () => {
        const backend = open(kind);
        const session = await backend.sessions.startNew(notebook('bye.ipynb'));
        const kernelId = session.kernel!.id;
        await session.shutdown();
        expect(await gatewayKernelIds(LISTING)).not.toContain(kernelId);
        await backend.sessions.refreshRunning();
        expect(Array.from(backend.sessions.running())).toHaveLength(0);
      });

      it('drops a session whose kernel vanished from the gateway', async () => {
        const device = browser(kind);
        const backend = open(kind, { inBrowser: device });
        const session = await backend.sessions.startNew(
          notebook('culled.ipynb')
        );
        await deleteKernelDirectly(LISTING, session.kernel!.id);
        await backend.sessions.refreshRunning();
        expect(Array.from(backend.sessions.running())).toHaveLength(0);
        expect(session.isDisposed).toBe(true);
        expect(
          await open(kind, { inBrowser: device }).sessions.findByPath(
            'culled.ipynb'
          )
        ).toBeUndefined();
      });
    });

    describe('sessions listed while the kernel list comes late', () => {
      // JupyterLab applies every session list to the open sessions: a stale
      // path renames the notebook back (and the next save writes the old file),
      // a missing session is disposed (its notebook shows "No Kernel" while the
      // kernel runs on). Found in the UI tests on a loaded machine.
      it('does not undo a rename made meanwhile', async () => {
        const list = heldKernelList();
        const backend = open(kind, { fetch: list.fetch });
        const session = await backend.sessions.startNew(
          notebook('Untitled.ipynb')
        );
        // What a notebook's document context sees (it follows the session).
        const paths: string[] = [];
        session.propertyChanged.connect((_, property) => {
          if (property === 'path') {
            paths.push(session.path);
          }
        });
        const held = list.holdNext();
        const refreshing = backend.sessions.refreshRunning();
        await held.asked;
        await session.setPath('renamed.ipynb');
        held.release();
        await refreshing;
        expect(paths).toEqual(['renamed.ipynb']);
        expect(
          Array.from(backend.sessions.running()).map(model => model.path)
        ).toEqual(['renamed.ipynb']);
      });

      it('does not dispose a session started meanwhile', async () => {
        const list = heldKernelList();
        const backend = open(kind, { fetch: list.fetch });
        await backend.sessions.startNew(notebook('first.ipynb'));
        const held = list.holdNext();
        const refreshing = backend.sessions.refreshRunning();
        await held.asked;
        const second = await startWhileHeld(
          backend,
          'second.ipynb',
          held.release
        );
        await refreshing;
        expect(
          Array.from(backend.sessions.running())
            .map(model => model.path)
            .sort()
        ).toEqual(['first.ipynb', 'second.ipynb']);
        expect(second.isDisposed).toBe(false);
        expect((await execute(second.kernel!, 'print(6 * 7)')).trim()).toBe(
          '42'
        );
      });
    });

    describe('sessions listed while a vanished kernel’s session is dropped', () => {
      it('does not dispose a session started meanwhile', async () => {
        const device = browser(kind);
        // A tab, since closed, left a session.
        const closed = open(kind, { inBrowser: device });
        const culled = await closed.sessions.startNew(notebook('culled.ipynb'));
        const culledKernel = culled.kernel!.id;
        culled.dispose();
        closed.dispose();
        const drops = heldDrops(device.tab().stores);
        const backend = makeBackend({ stores: drops.stores });
        backends.push(backend);
        await backend.sessions.ready;
        // Its kernel vanishes: JupyterLab's next poll (within 10 s) drops
        // the session, and its store answers slowly.
        const held = drops.holdNext();
        await deleteKernelDirectly(LISTING, culledKernel);
        await waitFor(held.wasAsked, 15000, 'the poll to drop culled.ipynb');
        // Started meanwhile: its start lists the sessions again, alongside,
        // and connects before the slow list is answered.
        const second = await startWhileHeld(
          backend,
          'second.ipynb',
          held.release
        );
        await drops.answered;
        await waitFor(
          () =>
            Array.from(backend.sessions.running())
              .map(model => model.path)
              .join() === 'second.ipynb',
          5000,
          'the sessions listed: second.ipynb alone'
        );
        expect(second.isDisposed).toBe(false);
        expect((await execute(second.kernel!, 'print(6 * 7)')).trim()).toBe(
          '42'
        );
      }, 40000);
    });

    describe('a kernel the gateway shuts down (culling, another client)', () => {
      it('is noticed from its shutdown_reply, well before the next poll', async () => {
        const backend = open(kind);
        const lost: string[] = [];
        backend.kernelLost.connect((_, session) => lost.push(session.path));
        const session = await backend.sessions.startNew(
          notebook('culled.ipynb')
        );
        expect((await execute(session.kernel!, 'print(8)')).trim()).toBe('8');
        const deletedAt = Date.now();
        await deleteKernelDirectly(LISTING, session.kernel!.id);
        // JupyterLab polls sessions every 10 s; this must not wait for that.
        await waitFor(() => lost.length > 0, 4000, 'the notebook told');
        expect(Date.now() - deletedAt).toBeLessThan(4000);
        expect(lost).toEqual(['culled.ipynb']);
        await waitFor(() => session.isDisposed, 2000, 'session dropped');
      });

      it('is not reported lost when this browser shuts it down', async () => {
        const backend = open(kind);
        const lost: string[] = [];
        backend.kernelLost.connect((_, session) => lost.push(session.path));
        const session = await backend.sessions.startNew(notebook('bye.ipynb'));
        expect((await execute(session.kernel!, 'print(9)')).trim()).toBe('9');
        await session.shutdown();
        await new Promise(resolve => setTimeout(resolve, 4500));
        expect(lost).toEqual([]);
      });
    });

    describe('client-side sessions on a gateway that refuses listing kernels', () => {
      it('lists, reloads and drops sessions by looking kernels up one by one', async () => {
        const device = browser(kind);
        const backend = open(kind, { gateway: PRIVATE, inBrowser: device });
        const kept = await backend.sessions.startNew(notebook('kept.ipynb'));
        const culled = await backend.sessions.startNew(
          notebook('culled.ipynb')
        );
        await backend.kernels.refreshRunning();
        expect(
          Array.from(backend.kernels.running())
            .map(k => k.id)
            .sort()
        ).toEqual([kept.kernel!.id, culled.kernel!.id].sort());

        await deleteKernelDirectly(PRIVATE, culled.kernel!.id);
        const reloaded = open(kind, { gateway: PRIVATE, inBrowser: device });
        await reloaded.sessions.refreshRunning();
        const paths = Array.from(reloaded.sessions.running()).map(s => s.path);
        expect(paths).toEqual(['kept.ipynb']);
        expect((await execute(kept.kernel!, 'print(1 + 1)')).trim()).toBe('2');
      });
    });
  }
);

it('a gateway answers 403 to listing kernels, as Kernel Gateway does by default', async () => {
  const response = await fetch(
    `${PRIVATE.url}api/kernels?token=${PRIVATE.token}`
  );
  expect(response.status).toBe(403);
});

/**
 * Session stores whose next drop of a vanished kernel's session
 * (`deleteSession` with a kernel id) is done at once but answered only when
 * the test releases it: a slow session store.
 */
function heldDrops(stores: ISessionStores): {
  stores: ISessionStores;
  holdNext(): IHeldAnswer;
  /**
   * Resolves once a held drop has been answered.
   */
  answered: Promise<void>;
} {
  const gate = new AnswerGate();
  let answer!: () => void;
  const answered = new Promise<void>(resolve => (answer = resolve));
  const held = (store: IBackendStore): IBackendStore => ({
    kind: store.kind,
    get isDisposed() {
      return store.isDisposed;
    },
    dispose: () => store.dispose(),
    changed: store.changed,
    sessions: () => store.sessions(),
    addSession: session => store.addSession(session),
    updateSession: (id, changes) => store.updateSession(id, changes),
    deleteSession: async (id, kernelId) => {
      const hold = kernelId !== undefined ? gate.take() : null;
      const result = store.deleteSession(id, kernelId);
      if (hold) {
        hold.ask();
        await hold.released;
        setTimeout(answer);
      }
      return result;
    },
    kernels: () => store.kernels(),
    addKernel: (id, kernel) => store.addKernel(id, kernel),
    deleteKernel: id => store.deleteKernel(id)
  });
  return {
    answered,
    stores: {
      info: stores.info,
      forBackend: backendId => held(stores.forBackend(backendId))
    },
    holdNext: () => gate.holdNext()
  };
}
