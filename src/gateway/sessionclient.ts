import type { Kernel, ServerConnection, Session } from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';

import type { ISessionRecord, SessionChanges } from '../store/records';
import type { IBackendStore } from '../store/store';
import { isSessionConflict } from '../store/store';
import type { GatewayKernelClient } from './kernelclient';

/**
 * A session REST client for JupyterLab's stock `SessionManager` that keeps
 * sessions in a session store instead of on the gateway.
 *
 * Kernel Gateway's own `/api/sessions` is unusable (several of its calls
 * answer 500), and sessions are about *local* paths anyway. The store is
 * the Jupyter server's (every browser and device of the user finds the
 * kernel of a notebook) or, without the package's server extension, this
 * browser's `localStorage`. A session whose kernel the gateway no longer
 * has is dropped the next time sessions are listed.
 */
export class ClientSessionClient implements Session.ISessionAPIClient {
  constructor(options: ClientSessionClient.IOptions) {
    this._kernels = options.kernelClient;
    this._store = options.store;
    this._onDropped = options.onDropped;
    this.serverSettings = options.kernelClient.serverSettings;
  }

  readonly serverSettings: ServerConnection.ISettings;

  /**
   * The sessions, each with its kernel's current model.
   *
   * When the gateway cannot be asked, the stored sessions are returned as
   * they are: they may still be alive, and dropping them would lose the
   * notebooks' kernels. The failure itself is reported by the requester.
   */
  async listRunning(): Promise<Session.IModel[]> {
    const writes = this._writes;
    const known = await this._store.sessions();
    if (
      known.length === 0 &&
      writes === this._writes &&
      this._pending.size === 0
    ) {
      return [];
    }
    let alive: Kernel.IModel[];
    try {
      alive = await this._kernels.listRunning();
    } catch (error) {
      console.debug('Kernel Gateway: sessions not verified:', error);
      return (await this._settled(() => this._store.sessions())).map(session =>
        toModel(session)
      );
    }
    // Only a kernel known when the kernels were listed can be missing from
    // them: another device may have given a session a kernel since.
    const listed = new Set(known.map(session => pair(session)));
    const kernels = new Map(alive.map(kernel => [kernel.id, kernel]));
    // The sessions as they are now, not as they were when the kernel list
    // was asked for: JupyterLab applies this list to the open sessions, so a
    // stale path would rename a notebook renamed meanwhile back (its next
    // save writing the old file), and a session started meanwhile would be
    // missing — and its new connection disposed. Its kernel is in `alive`
    // (the kernel client adds kernels started during the list).
    return this._settled(async () => {
      const models: Session.IModel[] = [];
      for (const session of await this._store.sessions()) {
        const kernel = kernels.get(session.kernel.id);
        if (kernel) {
          models.push(toModel(session, kernel));
        } else if (
          listed.has(pair(session)) &&
          (await this._dropIfStillOn(session))
        ) {
          // Gone from the gateway (culled, shut down elsewhere, restarted).
          this._onDropped?.(session);
        } else {
          // Another device gave it a kernel meanwhile: next time.
          models.push(toModel(session));
        }
      }
      return models;
    });
  }

  async getModel(id: string): Promise<Session.IModel> {
    const session = await this._require(id);
    const kernel = await this._kernels.getModel(session.kernel.id);
    if (!kernel) {
      await this._store.deleteSession(id, session.kernel.id);
      throw new Error(
        `The kernel of session ${id} is gone from the Kernel Gateway.`
      );
    }
    return toModel(session, kernel);
  }

  /**
   * Start a session, or join the one its notebook has: like a Jupyter
   * server, one notebook has one session. Two devices (or tabs) starting
   * one for the same notebook at the same instant end with one: the store
   * keeps the first, and the other shuts its new kernel down and joins it.
   */
  async startNew(options: Session.ISessionOptions): Promise<Session.IModel> {
    const existing = (await this._store.sessions()).find(
      session => session.path === options.path
    );
    if (existing) {
      const joined = await this._join(existing);
      if (joined) {
        return joined;
      }
    }
    const kernel = await this._kernels.startKernel({
      name: options.kernel?.name,
      path: options.path
    });
    const session: ISessionRecord = {
      id: UUID.uuid4(),
      path: options.path,
      name: options.name ?? '',
      type: options.type ?? '',
      kernel: { id: kernel.id, name: kernel.name }
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      const added = await this._write(this._store.addSession(session));
      if (added.created) {
        return toModel(session, kernel);
      }
      const joined = await this._join(added.session);
      if (joined) {
        await this._kernels.shutdown(kernel.id).catch(error => {
          console.warn('Kernel Gateway: extra kernel not shut down:', error);
        });
        return joined;
      }
    }
    await this._kernels.shutdown(kernel.id).catch(() => undefined);
    throw new Error(
      `Could not record a session for ${options.path}: its record keeps changing.`
    );
  }

  /**
   * Shut down a session and its kernel, unless another session shares the
   * kernel. If the kernel cannot be shut down, the session is kept.
   */
  async shutdown(id: string): Promise<void> {
    const sessions = await this._store.sessions();
    const session = sessions.find(other => other.id === id);
    if (!session) {
      return;
    }
    if (!isShared(session, sessions)) {
      await this._kernels.shutdown(session.kernel.id);
    }
    await this._write(this._store.deleteSession(id));
  }

  /**
   * Rename or move a session, or change its kernel.
   *
   * As on a Jupyter server, `kernel: {name}` starts a new kernel,
   * `kernel: {id}` attaches to a running one; the previous kernel is shut
   * down unless another session uses it.
   */
  async update(
    model: Pick<Session.IModel, 'id'> & {
      path?: string;
      name?: string;
      type?: string;
      kernel?: { id?: string; name?: string } | null;
    }
  ): Promise<Session.IModel> {
    const current = await this._require(model.id);
    const path = model.path ?? current.path;
    let kernel: Kernel.IModel | undefined;
    if (
      model.kernel &&
      model.kernel.id &&
      model.kernel.id !== current.kernel.id
    ) {
      kernel = await this._kernels.getModel(model.kernel.id);
      if (!kernel) {
        throw new Error(
          `Kernel ${model.kernel.id} does not exist on the Kernel Gateway.`
        );
      }
    } else if (model.kernel && !model.kernel.id) {
      kernel = await this._kernels.startKernel({
        name: model.kernel.name,
        path
      });
    }
    // Only what changes: a rename and a new name arrive as two updates at
    // once, and each must not undo the other.
    const changes: SessionChanges = {};
    if (model.path !== undefined) {
      changes.path = model.path;
    }
    if (model.name !== undefined) {
      changes.name = model.name;
    }
    if (model.type !== undefined) {
      changes.type = model.type;
    }
    if (kernel) {
      changes.kernel = { id: kernel.id, name: kernel.name };
    }
    let updated: ISessionRecord | undefined = current;
    let attached = kernel;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        if (Object.keys(changes).length > 0) {
          updated = await this._write(
            this._store.updateSession(current.id, changes)
          );
        }
        break;
      } catch (error) {
        if (!isSessionConflict(error) || kernel || attempt === 2) {
          throw error;
        }
        // Another device (or tab) opened this notebook at the same time
        // and gave it a kernel first: join that kernel, and shut ours down
        // below, so that the notebook ends with one kernel.
        const theirs = error.session;
        attached = await this._kernels.getModel(theirs.kernel.id);
        if (attached) {
          changes.kernel = { id: attached.id, name: attached.name };
        } else {
          await this._write(
            this._store.deleteSession(theirs.id, theirs.kernel.id)
          );
        }
      }
    }
    if (!updated) {
      throw new Error(`No session with id ${model.id}.`);
    }
    if (
      attached &&
      attached.id !== current.kernel.id &&
      !isShared(current, await this._store.sessions())
    ) {
      try {
        await this._kernels.shutdown(current.kernel.id);
      } catch (error) {
        console.warn('Kernel Gateway: could not shut down old kernel:', error);
      }
    }
    return toModel(updated, attached);
  }

  /**
   * Drop the sessions of a kernel the extension shut down itself (a launch
   * that timed out), without reporting the kernel as lost.
   */
  async forgetKernel(kernelId: string): Promise<void> {
    for (const session of await this._store.sessions()) {
      if (session.kernel.id === kernelId) {
        await this._write(this._store.deleteSession(session.id, kernelId));
      }
    }
  }

  /**
   * The model of an existing session whose kernel runs; `undefined` (and
   * the session dropped) when its kernel is gone.
   */
  private async _join(
    session: ISessionRecord
  ): Promise<Session.IModel | undefined> {
    const kernel = await this._kernels.getModel(session.kernel.id);
    if (kernel) {
      return toModel(session, kernel);
    }
    await this._write(this._store.deleteSession(session.id, session.kernel.id));
    return undefined;
  }

  /**
   * Drop a session whose kernel was not found, unless another device has
   * given it another kernel meanwhile.
   */
  private async _dropIfStillOn(session: ISessionRecord): Promise<boolean> {
    try {
      return await this._store.deleteSession(session.id, session.kernel.id);
    } catch (error) {
      console.debug('Kernel Gateway: stale session not dropped:', error);
      return false;
    }
  }

  /**
   * What `read` answers once no write of this client happened while it
   * read (a write under way might be missing from it): read again, after
   * the writes are done, at most twice more.
   */
  private async _settled<T>(read: () => Promise<T>): Promise<T> {
    for (let reads = 1; ; reads++) {
      await Promise.all([...this._pending].map(write => write.catch(() => 0)));
      const writes = this._writes;
      const result = await read();
      if (writes === this._writes || reads === 3) {
        return result;
      }
    }
  }

  /**
   * A write to the store, counted and tracked until it is done.
   */
  private async _write<T>(write: Promise<T>): Promise<T> {
    this._writes++;
    this._pending.add(write);
    try {
      return await write;
    } finally {
      this._pending.delete(write);
    }
  }

  private async _require(id: string): Promise<ISessionRecord> {
    const session = (await this._store.sessions()).find(s => s.id === id);
    if (!session) {
      throw new Error(`No session with id ${id}.`);
    }
    return session;
  }

  private _kernels: GatewayKernelClient;
  private _store: IBackendStore;
  private _onDropped?: (session: ISessionRecord) => void;
  /**
   * Counts this client's writes, to tell whether sessions changed here
   * while the kernels were being listed.
   */
  private _writes = 0;
  private _pending = new Set<Promise<unknown>>();
}

export namespace ClientSessionClient {
  export interface IOptions {
    kernelClient: GatewayKernelClient;
    store: IBackendStore;
    /**
     * Called when this client drops a session because its kernel is gone.
     */
    onDropped?: (session: ISessionRecord) => void;
  }
}

/**
 * A session with its kernel, as a key.
 */
function pair(session: ISessionRecord): string {
  return `${session.id}\n${session.kernel.id}`;
}

/**
 * Whether another session uses the kernel of `session`.
 */
function isShared(
  session: ISessionRecord,
  sessions: ReadonlyArray<ISessionRecord>
): boolean {
  return sessions.some(
    other => other.id !== session.id && other.kernel.id === session.kernel.id
  );
}

function toModel(
  session: ISessionRecord,
  kernel?: Kernel.IModel
): Session.IModel {
  return {
    id: session.id,
    path: session.path,
    name: session.name,
    type: session.type,
    kernel: kernel ?? { ...session.kernel }
  };
}
