import type { ServerConnection } from '@jupyterlab/services';

import type { IKeyValueStorage } from './browserstore';
import { BrowserSessionStores } from './browserstore';
import type { IListableStorage } from './migrate';
import { moveBrowserRecords } from './migrate';
import { ServerSessionStores } from './serverstore';
import type { ISessionStores } from './store';

/**
 * The session store this page uses: the Jupyter server's when the package's
 * server extension runs there (it says so in the page config), else this
 * browser's `localStorage`. With the server's store, records an earlier
 * version kept in this browser are moved there first (once).
 */
export async function openSessionStores(options: {
  /**
   * `kernelGatewaySessionStore` of the page config: `server` when the
   * server extension keeps sessions.
   */
  serverStore: string;
  /**
   * `kernelGatewaySessionStoreProblem` of the page config.
   */
  serverProblem: string;
  serverSettings: ServerConnection.ISettings;
  /**
   * `window.localStorage` (or a memory stand-in where the browser refuses).
   */
  storage: IKeyValueStorage | IListableStorage;
  /**
   * Where `storage` events of other tabs arrive (`window`).
   */
  events?: EventTarget;
}): Promise<ISessionStores> {
  if (options.serverStore !== 'server') {
    return new BrowserSessionStores({
      localBaseUrl: options.serverSettings.baseUrl,
      storage: options.storage,
      events: options.events
    });
  }
  const stores = new ServerSessionStores({
    serverSettings: options.serverSettings,
    problem: options.serverProblem
  });
  if ('key' in options.storage) {
    const failure = await moveBrowserRecords({
      storage: options.storage,
      stores,
      localBaseUrl: options.serverSettings.baseUrl
    });
    if (failure) {
      stores.addProblem(failure);
    }
  }
  return stores;
}
