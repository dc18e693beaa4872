import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';

import type { IKernelRecord, ISessionRecord, SessionChanges } from './records';

/**
 * Where session records are kept:
 * - `server`: on the user's Jupyter server (the package's server
 *   extension), shared by every browser and device of the user;
 * - `browser`: in this browser's `localStorage` only (when the server
 *   extension is not installed).
 */
export type SessionStoreKind = 'server' | 'browser';

/**
 * What the page knows about its session store.
 */
export interface ISessionStoreInfo {
  readonly kind: SessionStoreKind;
  /**
   * A problem with the store, for people (a store file set aside, a
   * migration that failed); `undefined` when all is well.
   */
  readonly problem?: string;
}

/**
 * The records of one backend (one gateway): its sessions and the kernels
 * this user started there.
 *
 * Implementations: {@link ServerBackendStore} (the Jupyter server) and
 * {@link BrowserBackendStore} (`localStorage`).
 */
export interface IBackendStore extends IDisposable {
  readonly kind: SessionStoreKind;
  /**
   * Emitted when another tab of this browser changed the records (changes
   * made on other devices are seen at the next listing).
   */
  readonly changed: ISignal<IBackendStore, void>;
  /**
   * The sessions, freshly read.
   */
  sessions(): Promise<ISessionRecord[]>;
  /**
   * Add a session, unless its path has one already (atomic on the server:
   * two devices adding one for the same notebook end with one).
   *
   * @returns the session in the store, and whether it is the one added.
   */
  addSession(
    session: ISessionRecord
  ): Promise<{ session: ISessionRecord; created: boolean }>;
  /**
   * Change a session. The same notebook's other sessions (its other
   * devices: they share its kernel) follow a rename or a new kernel.
   *
   * @returns the session as changed; `undefined` when there is none with
   * that id.
   * @throws {ISessionConflict} when the notebook at the new path has another
   * kernel (join it: change the session with that kernel).
   */
  updateSession(
    id: string,
    changes: SessionChanges
  ): Promise<ISessionRecord | undefined>;
  /**
   * Remove a session; with `kernelId`, only while it uses that kernel (a
   * device that found a kernel gone must not remove a session that another
   * device just gave a new kernel).
   *
   * @returns whether it was removed.
   */
  deleteSession(id: string, kernelId?: string): Promise<boolean>;
  /**
   * The kernels this user started on the backend, freshly read.
   */
  kernels(): Promise<Map<string, IKernelRecord>>;
  addKernel(id: string, kernel: IKernelRecord): Promise<void>;
  /**
   * @returns whether there was such a kernel.
   */
  deleteKernel(id: string): Promise<boolean>;
}

/**
 * Makes the store of each backend.
 */
export interface ISessionStores {
  readonly info: ISessionStoreInfo;
  /**
   * The store of the backend `backendId` (a gateway's URL).
   */
  forBackend(backendId: string): IBackendStore;
}

/**
 * A change refused because the notebook at the path has another kernel.
 */
export interface ISessionConflict extends Error {
  readonly conflict: 'session';
  /**
   * A session of the notebook, with its kernel.
   */
  readonly session: ISessionRecord;
}

/**
 * Make an {@link ISessionConflict}.
 */
export function sessionConflict(session: ISessionRecord): ISessionConflict {
  return Object.assign(
    new Error(`${session.path} has another kernel (${session.kernel.id}).`),
    { conflict: 'session' as const, session }
  );
}

/**
 * Whether `error` is an {@link ISessionConflict}.
 */
export function isSessionConflict(error: unknown): error is ISessionConflict {
  return (error as Partial<ISessionConflict> | null)?.conflict === 'session';
}
