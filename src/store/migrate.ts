import type { IKeyValueStorage } from './browserstore';
import {
  KERNELS_KEY,
  RecordStore,
  SESSIONS_KEY,
  browserStoreKeys
} from './browserstore';
import { validateKernelRecord, validateSessionRecord } from './records';
import type { ISessionStores } from './store';

/**
 * A browser storage whose keys can be listed (`window.localStorage`).
 */
export interface IListableStorage extends IKeyValueStorage {
  readonly length: number;
  key(index: number): string | null;
}

/**
 * Move the records an earlier version kept in this browser's `localStorage`
 * to the Jupyter server's store, once: the keys are removed when their
 * records are on the server, so the next page load finds nothing to move.
 * Only this local server's records move (the keys name the local server);
 * a notebook that already has a session on the server keeps that one.
 *
 * @returns what went wrong, for people; `undefined` when all moved (or
 * there was nothing to move). Records that could not move stay in the
 * browser for the next load.
 */
export async function moveBrowserRecords(options: {
  storage: IListableStorage;
  stores: ISessionStores;
  localBaseUrl: string;
}): Promise<string | undefined> {
  const { storage, stores, localBaseUrl } = options;
  const backends = new Set<string>();
  for (let index = 0; index < storage.length; index++) {
    const key = storage.key(index) ?? '';
    for (const prefix of [SESSIONS_KEY, KERNELS_KEY]) {
      const suffix = `|${localBaseUrl}`;
      if (key.startsWith(prefix) && key.endsWith(suffix)) {
        backends.add(key.slice(prefix.length, -suffix.length));
      }
    }
  }
  const failures: string[] = [];
  for (const backendId of backends) {
    const keys = browserStoreKeys(backendId, localBaseUrl);
    const kernels = new RecordStore({
      key: keys.kernels,
      storage,
      validate: validateKernelRecord
    });
    const sessions = new RecordStore({
      key: keys.sessions,
      storage,
      validate: validateSessionRecord
    });
    const store = stores.forBackend(backendId);
    try {
      for (const [id, kernel] of kernels.all()) {
        await store.addKernel(id, kernel);
      }
      for (const session of sessions.all().values()) {
        await store.addSession(session);
      }
      storage.removeItem(keys.kernels);
      storage.removeItem(keys.sessions);
    } catch (error) {
      failures.push(`${backendId}: ${String(error)}`);
    } finally {
      store.dispose();
      kernels.dispose();
      sessions.dispose();
    }
  }
  return failures.length > 0
    ? `Sessions kept in this browser could not be moved to the Jupyter server (${failures.join('; ')}); they stay in this browser and are tried again at the next page load.`
    : undefined;
}
