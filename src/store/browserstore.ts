import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IKernelRecord, ISessionRecord, SessionChanges } from './records';
import { validateKernelRecord, validateSessionRecord } from './records';
import type { IBackendStore, ISessionStoreInfo, ISessionStores } from './store';
import { sessionConflict } from './store';

/**
 * The part of the Web Storage API the stores use (`window.localStorage`).
 */
export interface IKeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * A map of records kept as one JSON value in browser storage.
 *
 * `localStorage` is shared by every tab of the browser on this origin and
 * survives page reloads, which is what client-side sessions need: a notebook
 * reopened after a reload, or in another tab, finds its kernel. Every read
 * goes to the storage, so a change made by another tab is seen at once;
 * `changed` is emitted for changes from this store and from other tabs.
 */
export class RecordStore<T> {
  constructor(options: RecordStore.IOptions<T>) {
    this.key = options.key;
    this._storage = options.storage;
    this._validate = options.validate;
    this._events = options.events;
    this._events?.addEventListener('storage', this._onStorage);
  }

  /**
   * The storage key holding the records.
   */
  readonly key: string;

  /**
   * Emitted after a change, made here (`local`) or by another tab
   * (`external`).
   */
  get changed(): ISignal<this, RecordStore.ChangeSource> {
    return this._changed;
  }

  /**
   * All records, freshly read. Malformed records are skipped.
   */
  all(): Map<string, T> {
    const records = new Map<string, T>();
    let parsed: unknown;
    try {
      parsed = JSON.parse(this._storage.getItem(this.key) ?? '{}');
    } catch {
      return records;
    }
    if (typeof parsed !== 'object' || parsed === null) {
      return records;
    }
    for (const [id, value] of Object.entries(parsed)) {
      const record = this._validate(value);
      if (record !== undefined) {
        records.set(id, record);
      }
    }
    return records;
  }

  get(id: string): T | undefined {
    return this.all().get(id);
  }

  set(id: string, record: T): void {
    const records = this.all();
    records.set(id, record);
    this._write(records);
  }

  /**
   * Write all records at once.
   */
  replace(records: Map<string, T>): void {
    this._write(records);
  }

  delete(id: string): boolean {
    const records = this.all();
    const existed = records.delete(id);
    if (existed) {
      this._write(records);
    }
    return existed;
  }

  /**
   * Stop listening to other tabs.
   */
  dispose(): void {
    this._events?.removeEventListener('storage', this._onStorage);
    Signal.clearData(this);
  }

  private _write(records: Map<string, T>): void {
    const data: Record<string, T> = {};
    records.forEach((value, id) => (data[id] = value));
    try {
      if (records.size === 0) {
        this._storage.removeItem(this.key);
      } else {
        this._storage.setItem(this.key, JSON.stringify(data));
      }
    } catch (error) {
      // Storage full or disabled: the records live only as long as the page.
      console.warn(`Could not store ${this.key}:`, error);
    }
    this._changed.emit('local');
  }

  private _onStorage = (event: Event): void => {
    if ((event as StorageEvent).key === this.key) {
      this._changed.emit('external');
    }
  };

  private _storage: IKeyValueStorage;
  private _validate: (value: unknown) => T | undefined;
  private _events?: EventTarget;
  private _changed = new Signal<this, RecordStore.ChangeSource>(this);
}

export namespace RecordStore {
  /**
   * Where a change was made.
   */
  export type ChangeSource = 'local' | 'external';

  export interface IOptions<T> {
    /**
     * The storage key.
     */
    key: string;
    /**
     * Where records are kept: `window.localStorage` in the browser.
     */
    storage: IKeyValueStorage;
    /**
     * Check one stored record; `undefined` drops it.
     */
    validate: (value: unknown) => T | undefined;
    /**
     * Where `storage` events from other tabs arrive (`window`), if anywhere.
     */
    events?: EventTarget;
  }
}

/**
 * A storage that forgets everything when the page closes, for environments
 * without `localStorage`.
 */
export class MemoryStorage implements IKeyValueStorage {
  get length(): number {
    return this._data.size;
  }
  key(index: number): string | null {
    return [...this._data.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this._data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this._data.set(key, value);
  }
  removeItem(key: string): void {
    this._data.delete(key);
  }
  private _data = new Map<string, string>();
}

/**
 * The `localStorage` keys of a backend's records, per gateway and per local
 * server (the same browser may use several of each).
 */
export function browserStoreKeys(
  backendId: string,
  localBaseUrl: string
): { sessions: string; kernels: string } {
  const scope = `${backendId}|${localBaseUrl}`;
  return {
    sessions: `${SESSIONS_KEY}${scope}`,
    kernels: `${KERNELS_KEY}${scope}`
  };
}

/**
 * The prefixes of the `localStorage` keys.
 */
export const SESSIONS_KEY = 'jupyterlab-kernel-gateway:sessions:';
export const KERNELS_KEY = 'jupyterlab-kernel-gateway:kernels:';

/**
 * A backend's records in this browser's `localStorage`: every tab of the
 * browser sees them (and hears of changes at once), no other browser or
 * device does. Used when the Jupyter server has no session store (the
 * package's server extension is not installed).
 */
export class BrowserBackendStore implements IBackendStore {
  constructor(options: BrowserBackendStore.IOptions) {
    const keys = browserStoreKeys(options.backendId, options.localBaseUrl);
    this._sessions = new RecordStore<ISessionRecord>({
      key: keys.sessions,
      storage: options.storage,
      validate: validateSessionRecord,
      events: options.events
    });
    this._kernels = new RecordStore<IKernelRecord>({
      key: keys.kernels,
      storage: options.storage,
      validate: validateKernelRecord,
      events: options.events
    });
    this._sessions.changed.connect(this._onChanged, this);
    this._kernels.changed.connect(this._onChanged, this);
  }

  readonly kind = 'browser';

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async sessions(): Promise<ISessionRecord[]> {
    return [...this._sessions.all().values()];
  }

  async addSession(
    session: ISessionRecord
  ): Promise<{ session: ISessionRecord; created: boolean }> {
    const existing = [...this._sessions.all().values()].find(
      other => other.path === session.path
    );
    if (existing) {
      return { session: existing, created: false };
    }
    this._sessions.set(session.id, session);
    return { session, created: true };
  }

  async updateSession(
    id: string,
    changes: SessionChanges
  ): Promise<ISessionRecord | undefined> {
    const sessions = this._sessions.all();
    const current = sessions.get(id);
    if (!current) {
      return undefined;
    }
    const updated = { ...current, ...changes };
    const follows = (other: ISessionRecord) =>
      other.path === current.path && other.kernel.id === current.kernel.id;
    for (const other of sessions.values()) {
      if (
        other.id !== id &&
        other.path === updated.path &&
        other.kernel.id !== updated.kernel.id &&
        !follows(other)
      ) {
        throw sessionConflict(other);
      }
    }
    for (const other of sessions.values()) {
      if (other.id !== id && follows(other)) {
        sessions.set(other.id, {
          ...other,
          path: updated.path,
          kernel: updated.kernel
        });
      }
    }
    sessions.set(id, updated);
    this._sessions.replace(sessions);
    return updated;
  }

  async deleteSession(id: string, kernelId?: string): Promise<boolean> {
    const current = this._sessions.get(id);
    if (!current || (kernelId && current.kernel.id !== kernelId)) {
      return false;
    }
    return this._sessions.delete(id);
  }

  async kernels(): Promise<Map<string, IKernelRecord>> {
    return this._kernels.all();
  }

  async addKernel(id: string, kernel: IKernelRecord): Promise<void> {
    this._kernels.set(id, kernel);
  }

  async deleteKernel(id: string): Promise<boolean> {
    return this._kernels.delete(id);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._sessions.dispose();
    this._kernels.dispose();
    Signal.clearData(this);
  }

  private _onChanged(_: unknown, source: RecordStore.ChangeSource): void {
    if (source === 'external') {
      this._changed.emit();
    }
  }

  private _sessions: RecordStore<ISessionRecord>;
  private _kernels: RecordStore<IKernelRecord>;
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
}

export namespace BrowserBackendStore {
  export interface IOptions {
    /**
     * The backend's id (its URL).
     */
    backendId: string;
    /**
     * The local server's base URL: records are kept per local server.
     */
    localBaseUrl: string;
    /**
     * `window.localStorage` in the browser.
     */
    storage: IKeyValueStorage;
    /**
     * Where `storage` events of other tabs arrive (`window`), if anywhere.
     */
    events?: EventTarget;
  }
}

/**
 * The stores of every backend in this browser's `localStorage`.
 */
export class BrowserSessionStores implements ISessionStores {
  constructor(
    private readonly _options: Omit<BrowserBackendStore.IOptions, 'backendId'>
  ) {}

  readonly info: ISessionStoreInfo = { kind: 'browser' };

  forBackend(backendId: string): IBackendStore {
    return new BrowserBackendStore({ ...this._options, backendId });
  }
}
