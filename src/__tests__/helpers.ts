/**
 * Shared helpers of the Jest tests. The gateways are real Kernel Gateway
 * processes started by `tests/harness/jest-global-setup.js`; the page is
 * jsdom at http://127.0.0.1:8888 (the local JupyterLab), and the gateways
 * are addressed as `localhost` so that, as in the recommended set-up, the
 * local server's cookies are not the gateway host's cookies.
 */
import { BroadcastChannel } from 'worker_threads';

import type { Kernel, KernelMessage, Session } from '@jupyterlab/services';
import { ServerConnection } from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';

import type { IRawGatewaySettings } from '../gateway/config';
import { parseGatewaySettings } from '../gateway/config';
import type { FetchFunction } from '../gateway/connection';
import type { LaunchOptionsChooser } from '../gateway/kernelclient';
import { GatewayBackend } from '../managers/gatewaybackend';
import type { IKeyValueStorage } from '../store/browserstore';
import { BrowserSessionStores, MemoryStorage } from '../store/browserstore';
import type { IChannel } from '../store/serverstore';
import { ServerSessionStores } from '../store/serverstore';
import type { ISessionStores } from '../store/store';

export const PAGE_ORIGIN = 'http://127.0.0.1:8888';
export const LOCAL_BASE_URL = `${PAGE_ORIGIN}/`;

export interface ITestGateway {
  url: string;
  token: string;
  port: number;
}

function gatewayFromEnv(urlVar: string, tokenVar: string): ITestGateway {
  const url = process.env[urlVar];
  const token = process.env[tokenVar];
  if (!url || token === undefined) {
    throw new Error(
      `${urlVar} is not set: run the tests through jest.config.js`
    );
  }
  const port = Number(new URL(url).port);
  return { url: `http://localhost:${port}/`, token, port };
}

/**
 * A gateway that allows listing kernels.
 */
export const LISTING = gatewayFromEnv('KG_LISTING_URL', 'KG_LISTING_TOKEN');
/**
 * A gateway with Kernel Gateway's default: listing kernels answers 403.
 */
export const PRIVATE = gatewayFromEnv('KG_PRIVATE_URL', 'KG_PRIVATE_TOKEN');
/**
 * A gateway that runs at most one kernel.
 */
export const FULL = gatewayFromEnv('KG_FULL_URL', 'KG_FULL_TOKEN');

/**
 * The JupyterLab (with the package's server extension) whose session store
 * the tests use.
 */
export const LAB = {
  url: process.env.KG_LAB_URL ?? '',
  token: process.env.KG_LAB_TOKEN ?? ''
};

/**
 * Connection settings of that JupyterLab, as a page has them.
 */
export function labSettings(): ServerConnection.ISettings {
  if (!LAB.url) {
    throw new Error(
      'KG_LAB_URL is not set: run the tests through jest.config.js'
    );
  }
  return ServerConnection.makeSettings({
    baseUrl: LAB.url,
    appUrl: '/lab',
    token: LAB.token
  });
}

/**
 * Where a test page keeps its sessions: `browser` (localStorage) or
 * `server` (the Jupyter server's store).
 */
export type StoreKind = 'browser' | 'server';

/**
 * A browser: its tabs share its `localStorage` and hear each other's
 * changes (storage events, or a broadcast channel); two browsers (two
 * devices) share nothing but the Jupyter server.
 */
export interface ITestBrowser {
  /**
   * The session stores of a new tab (or page) of this browser.
   */
  tab(): { stores: ISessionStores; storage: IKeyValueStorage };
  close(): void;
}

/**
 * A new browser whose pages keep sessions in a store of `kind`.
 */
export function newBrowser(kind: StoreKind): ITestBrowser {
  const shared = new SharedBrowserStorage();
  const name = `kernel-gateway-test-${UUID.uuid4()}`;
  const channels: BroadcastChannel[] = [];
  return {
    tab: () => {
      const tab = shared.tab();
      if (kind === 'browser') {
        return {
          stores: browserStores(tab.storage, tab.events),
          storage: tab.storage
        };
      }
      const channel = new BroadcastChannel(name);
      channels.push(channel);
      return {
        stores: new ServerSessionStores({
          serverSettings: labSettings(),
          channel: channel as unknown as IChannel
        }),
        storage: tab.storage
      };
    },
    close: () => channels.splice(0).forEach(channel => channel.close())
  };
}

/**
 * Remove every record of `gateways` from the Jupyter server's store.
 */
export async function clearServerStore(
  gateways: ITestGateway[]
): Promise<void> {
  const settings = labSettings();
  const api = (path: string, init: RequestInit = {}) =>
    ServerConnection.makeRequest(
      `${LAB.url}kernel-gateway/${path}`,
      init,
      settings
    );
  for (const gateway of gateways) {
    const backend = encodeURIComponent(gateway.url);
    const sessions = await (await api(`sessions?backend=${backend}`)).json();
    for (const session of sessions as { id: string }[]) {
      await api(`sessions/${session.id}`, { method: 'DELETE' });
    }
    const kernels = await (await api(`kernels?backend=${backend}`)).json();
    for (const kernel of kernels as { id: string }[]) {
      await api(`kernels/${kernel.id}?backend=${backend}`, {
        method: 'DELETE'
      });
    }
  }
}

/**
 * Build a gateway backend as the extension does, for `gateway`.
 */
export function makeBackend(
  options: {
    gateway?: ITestGateway;
    url?: string;
    storage?: IKeyValueStorage;
    storageEvents?: EventTarget;
    /**
     * Where sessions are kept; else a browser store on `storage`.
     */
    stores?: ISessionStores;
    fetch?: FetchFunction;
    launchOptions?: LaunchOptionsChooser;
    localUserName?: () => Promise<string>;
    settings?: IRawGatewaySettings;
    /**
     * The tab's `sessionStorage` (client ids); else none is kept.
     */
    clientIds?: IKeyValueStorage;
    /**
     * Probe each kernel's websocket, as the page does.
     */
    heartbeat?: boolean;
  } = {}
): GatewayBackend {
  const gateway = options.gateway ?? LISTING;
  const { config, problems } = parseGatewaySettings({
    gatewayUrl: options.url ?? gateway.url,
    authToken: gateway.token,
    ...options.settings
  });
  if (problems.length > 0) {
    throw new Error(problems.map(p => p.message).join('\n'));
  }
  return new GatewayBackend({
    config,
    pageOrigin: PAGE_ORIGIN,
    localBaseUrl: LOCAL_BASE_URL,
    serverRoot: '/home/user/work',
    stores:
      options.stores ??
      browserStores(
        options.storage ?? new MemoryStorage(),
        options.storageEvents
      ),
    fetch: options.fetch,
    launchOptions: options.launchOptions,
    localUserName: options.localUserName,
    clientIds: options.clientIds,
    standby: () => false,
    heartbeat: options.heartbeat
  });
}

/**
 * One held answer: when the call it holds was made, and its release.
 */
export interface IHeldAnswer {
  /**
   * Resolves once the held call has been made.
   */
  asked: Promise<void>;
  wasAsked(): boolean;
  release(): void;
}

/**
 * A gate that holds the answer to one call, as a busy or distant server
 * would: the test arms it (`holdNext`); the fake that makes the call takes
 * the hold (`take`, so that later calls pass), makes the call at once and
 * answers only once the test releases it.
 */
export class AnswerGate {
  holdNext(): IHeldAnswer {
    let ask!: () => void;
    let release!: () => void;
    let asked = false;
    const askedPromise = new Promise<void>(resolve => (ask = resolve));
    const released = new Promise<void>(resolve => (release = resolve));
    this._next = {
      ask: () => {
        asked = true;
        ask();
      },
      released
    };
    return { asked: askedPromise, wasAsked: () => asked, release };
  }

  /**
   * The armed hold, if any, disarmed: call `ask()` once the call is made,
   * and answer once `released` resolves.
   */
  take(): { ask: () => void; released: Promise<void> } | null {
    const next = this._next;
    this._next = null;
    return next;
  }

  private _next: { ask: () => void; released: Promise<void> } | null = null;
}

/**
 * A `fetch` that can hold an answer to the kernel list (`GET api/kernels`),
 * as a busy or distant gateway would: the test arms it, learns when the list
 * was asked for, does what must happen meanwhile, then releases the answer,
 * which was computed before that.
 */
export function heldKernelList(): {
  fetch: FetchFunction;
  /**
   * Hold the next kernel list request (later ones pass).
   */
  holdNext(): IHeldAnswer;
} {
  const gate = new AnswerGate();
  return {
    fetch: async (input, init) => {
      const url = new URL(String(input));
      const method = init?.method ?? 'GET';
      const held =
        method === 'GET' && url.pathname.endsWith('/api/kernels')
          ? gate.take()
          : null;
      if (held) {
        // Asked now: the gateway computes the list now, answers later.
        const answer = fetch(input, init);
        held.ask();
        await held.released;
        return answer;
      }
      return fetch(input, init);
    },
    holdNext: () => gate.holdNext()
  };
}

/**
 * Run `code` and return what it printed plus its result, as text.
 */
export async function execute(
  kernel: Kernel.IKernelConnection,
  code: string
): Promise<string> {
  let text = '';
  const future = kernel.requestExecute({ code, stop_on_error: true });
  future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
    const content = msg.content as {
      text?: string;
      data?: { 'text/plain'?: string };
      ename?: string;
      evalue?: string;
    };
    if (msg.header.msg_type === 'stream' && content.text) {
      text += content.text;
    } else if (msg.header.msg_type === 'execute_result') {
      text += content.data?.['text/plain'] ?? '';
    } else if (msg.header.msg_type === 'error') {
      text += `${content.ename}: ${content.evalue}`;
    }
  };
  await future.done;
  return text;
}

/**
 * The kernels the gateway runs, asked directly with curl-like REST (the
 * gateway must allow listing).
 */
export async function gatewayKernelIds(
  gateway: ITestGateway
): Promise<string[]> {
  const response = await fetch(
    `${gateway.url}api/kernels?token=${encodeURIComponent(gateway.token)}`
  );
  if (!response.ok) {
    throw new Error(`listing kernels answered ${response.status}`);
  }
  const kernels = (await response.json()) as { id: string }[];
  return kernels.map(kernel => kernel.id);
}

/**
 * Start a kernel on the gateway directly, as another user would.
 */
export async function startForeignKernel(
  gateway: ITestGateway
): Promise<string> {
  const response = await fetch(
    `${gateway.url}api/kernels?token=${encodeURIComponent(gateway.token)}`,
    {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json' }
    }
  );
  const model = (await response.json()) as { id: string };
  return model.id;
}

/**
 * Delete a kernel on the gateway directly, as a culler would.
 */
export async function deleteKernelDirectly(
  gateway: ITestGateway,
  id: string
): Promise<void> {
  await fetch(
    `${gateway.url}api/kernels/${id}?token=${encodeURIComponent(gateway.token)}`,
    { method: 'DELETE' }
  );
}

/**
 * Wait until `predicate` holds, polling every 100 ms.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 20000,
  what = 'condition'
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/**
 * What a notebook's session context asks for: a session at `path` with a
 * python3 kernel.
 */
export function notebook(path: string): Session.ISessionOptions {
  return {
    path,
    type: 'notebook',
    name: path.split('/').pop() ?? path,
    kernel: { name: 'python3' }
  };
}

/**
 * The kernels on `gateway` that are not in `before`, once there are `count`
 * of them (kernels shut down by the tests' pages may take a moment).
 */
export async function newKernels(
  gateway: ITestGateway,
  before: string[],
  count: number
): Promise<string[]> {
  const fresh = async () =>
    (await gatewayKernelIds(gateway)).filter(id => !before.includes(id));
  await waitFor(
    async () => (await fresh()).length === count,
    10000,
    `${count} new kernel(s) on the gateway`
  );
  return fresh();
}

/**
 * Session stores in a browser's `localStorage` (a fresh memory one by
 * default), as on a Jupyter server without the package's server extension.
 */
export function browserStores(
  storage: IKeyValueStorage = new MemoryStorage(),
  events?: EventTarget
): ISessionStores {
  return new BrowserSessionStores({
    localBaseUrl: LOCAL_BASE_URL,
    storage,
    events
  });
}

/**
 * One browser's `localStorage` shared by several tabs: a write in one tab
 * fires a `storage` event in the others, as browsers do.
 */
export class SharedBrowserStorage {
  /**
   * A new tab: its view of the storage and where its events arrive.
   */
  tab(): { storage: IKeyValueStorage; events: EventTarget } {
    const events = new EventTarget();
    this._tabs.push(events);
    const notifyOthers = (key: string) => {
      for (const other of this._tabs) {
        if (other !== events) {
          other.dispatchEvent(Object.assign(new Event('storage'), { key }));
        }
      }
    };
    const data = this._data;
    return {
      events,
      storage: {
        getItem: (key: string) => data.getItem(key),
        setItem: (key: string, value: string) => {
          data.setItem(key, value);
          notifyOthers(key);
        },
        removeItem: (key: string) => {
          data.removeItem(key);
          notifyOthers(key);
        }
      }
    };
  }

  private _data = new MemoryStorage();
  private _tabs: EventTarget[] = [];
}
