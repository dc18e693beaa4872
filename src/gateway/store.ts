import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

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
