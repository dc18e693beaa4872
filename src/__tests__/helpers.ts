/**
 * Shared helpers of the Jest tests. The gateways are real Kernel Gateway
 * processes started by `tests/harness/jest-global-setup.js`; the page is
 * jsdom at http://127.0.0.1:8888 (the local JupyterLab), and the gateways
 * are addressed as `localhost` so that, as in the recommended set-up, the
 * local server's cookies are not the gateway host's cookies.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';

import type { IRawGatewaySettings } from '../gateway/config';
import { parseGatewaySettings } from '../gateway/config';
import type { FetchFunction } from '../gateway/connection';
import type { IKeyValueStorage } from '../gateway/store';
import { MemoryStorage } from '../gateway/store';
import { GatewayBackend } from '../managers/gatewaybackend';

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
 * Build a gateway backend as the extension does, for `gateway`.
 */
export function makeBackend(
  options: {
    gateway?: ITestGateway;
    url?: string;
    storage?: IKeyValueStorage;
    storageEvents?: EventTarget;
    fetch?: FetchFunction;
    settings?: IRawGatewaySettings;
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
    storage: options.storage ?? new MemoryStorage(),
    storageEvents: options.storageEvents,
    fetch: options.fetch,
    standby: () => false
  });
}

/**
 * A `fetch` whose answers to the kernel list (`GET api/kernels`) come
 * `delayMs` late, as from a busy or distant gateway: what JupyterLab gets
 * back was asked for before whatever happened meanwhile.
 */
export function slowKernelList(delayMs: number): FetchFunction {
  return async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    if (method === 'GET' && url.pathname.endsWith('/api/kernels')) {
      await new Promise(resolve => setTimeout(resolve, delayMs));
    }
    return fetch(input, init);
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
        getItem: key => data.getItem(key),
        setItem: (key, value) => {
          data.setItem(key, value);
          notifyOthers(key);
        },
        removeItem: key => {
          data.removeItem(key);
          notifyOthers(key);
        }
      }
    };
  }

  private _data = new MemoryStorage();
  private _tabs: EventTarget[] = [];
}
