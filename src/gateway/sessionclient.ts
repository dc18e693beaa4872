import type { Kernel, ServerConnection, Session } from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';

import type { GatewayKernelClient } from './kernelclient';
import type { RecordStore } from './store';

/**
 * A session as kept in the browser: which notebook (or console) uses which
 * gateway kernel.
 */
export interface IStoredSession {
  readonly id: string;
  readonly path: string;
  readonly name: string;
  readonly type: string;
  readonly kernel: { readonly id: string; readonly name: string };
}

/**
 * Check a stored {@link IStoredSession}.
 */
export function validateStoredSession(
  value: unknown
): IStoredSession | undefined {
  const s = value as Partial<IStoredSession> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.id !== 'string' ||
    typeof s.path !== 'string' ||
    typeof s.name !== 'string' ||
    typeof s.type !== 'string' ||
    typeof s.kernel !== 'object' ||
    s.kernel === null ||
    typeof s.kernel.id !== 'string' ||
    typeof s.kernel.name !== 'string'
  ) {
    return undefined;
  }
  return {
    id: s.id,
    path: s.path,
    name: s.name,
    type: s.type,
    kernel: { id: s.kernel.id, name: s.kernel.name }
  };
}

/**
 * A session REST client that keeps sessions in the browser instead of on a
 * server, for JupyterLab's stock `SessionManager`.
 *
 * Kernel Gateway's own `/api/sessions` is unusable (several of its calls
 * answer 500), and sessions are about *local* paths anyway. Sessions live in
 * a {@link RecordStore} on `localStorage`, so a reloaded page or a second tab
 * finds the kernel of a notebook. A session whose kernel the gateway no
 * longer has is dropped the next time sessions are listed.
 */
export class ClientSessionClient implements Session.ISessionAPIClient {
  constructor(options: ClientSessionClient.IOptions) {
    this._kernels = options.kernelClient;
    this._sessions = options.sessions;
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
    if (this._sessions.all().size === 0) {
      return [];
    }
    let alive: Kernel.IModel[];
    try {
      alive = await this._kernels.listRunning();
    } catch (error) {
      console.debug('Kernel Gateway: sessions not verified:', error);
      return [...this._sessions.all().values()].map(session =>
        toModel(session)
      );
    }
    // The sessions as they are now, not as they were when the kernel list
    // was asked for: JupyterLab applies this list to the open sessions, so a
    // stale path would rename a notebook renamed meanwhile back (its next
    // save writing the old file), and a session started meanwhile would be
    // missing. Its kernel is in `alive` (the kernel client adds kernels
    // started during the list).
    const kernels = new Map(alive.map(kernel => [kernel.id, kernel]));
    const models: Session.IModel[] = [];
    for (const session of this._sessions.all().values()) {
      const kernel = kernels.get(session.kernel.id);
      if (kernel) {
        models.push(toModel(session, kernel));
      } else if (this._sessions.delete(session.id)) {
        // Gone from the gateway (culled, shut down elsewhere, restarted).
        this._onDropped?.(session);
      }
    }
    return models;
  }

  async getModel(id: string): Promise<Session.IModel> {
    const session = this._require(id);
    const kernel = await this._kernels.getModel(session.kernel.id);
    if (!kernel) {
      this._sessions.delete(id);
      throw new Error(
        `The kernel of session ${id} is gone from the Kernel Gateway.`
      );
    }
    return toModel(session, kernel);
  }

  async startNew(options: Session.ISessionOptions): Promise<Session.IModel> {
    // Like a Jupyter server, reuse the session that already has this path.
    const existing = [...this._sessions.all().values()].find(
      session => session.path === options.path
    );
    if (existing) {
      const kernel = await this._kernels.getModel(existing.kernel.id);
      if (kernel) {
        return toModel(existing, kernel);
      }
      this._sessions.delete(existing.id);
    }
    const kernel = await this._kernels.startKernel({
      name: options.kernel?.name,
      path: options.path
    });
    const session: IStoredSession = {
      id: UUID.uuid4(),
      path: options.path,
      name: options.name ?? '',
      type: options.type ?? '',
      kernel: { id: kernel.id, name: kernel.name }
    };
    this._sessions.set(session.id, session);
    return toModel(session, kernel);
  }

  /**
   * Shut down a session and its kernel, unless another session shares the
   * kernel. If the kernel cannot be shut down, the session is kept.
   */
  async shutdown(id: string): Promise<void> {
    const session = this._sessions.get(id);
    if (!session) {
      return;
    }
    if (!this._isShared(session)) {
      await this._kernels.shutdown(session.kernel.id);
    }
    this._sessions.delete(id);
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
    const current = this._require(model.id);
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
    const updated: IStoredSession = {
      id: current.id,
      path,
      name: model.name ?? current.name,
      type: model.type ?? current.type,
      kernel: kernel ? { id: kernel.id, name: kernel.name } : current.kernel
    };
    this._sessions.set(updated.id, updated);
    if (kernel && !this._isShared(current)) {
      try {
        await this._kernels.shutdown(current.kernel.id);
      } catch (error) {
        console.warn('Kernel Gateway: could not shut down old kernel:', error);
      }
    }
    return toModel(updated, kernel);
  }

  /**
   * Drop the sessions of a kernel the extension shut down itself (a launch
   * that timed out), without reporting the kernel as lost.
   */
  forgetKernel(kernelId: string): void {
    for (const session of this._sessions.all().values()) {
      if (session.kernel.id === kernelId) {
        this._sessions.delete(session.id);
      }
    }
  }

  private _require(id: string): IStoredSession {
    const session = this._sessions.get(id);
    if (!session) {
      throw new Error(`No session with id ${id}.`);
    }
    return session;
  }

  /**
   * Whether another session uses the kernel of `session`.
   */
  private _isShared(session: IStoredSession): boolean {
    return [...this._sessions.all().values()].some(
      other => other.id !== session.id && other.kernel.id === session.kernel.id
    );
  }

  private _kernels: GatewayKernelClient;
  private _sessions: RecordStore<IStoredSession>;
  private _onDropped?: (session: IStoredSession) => void;
}

export namespace ClientSessionClient {
  export interface IOptions {
    kernelClient: GatewayKernelClient;
    sessions: RecordStore<IStoredSession>;
    /**
     * Called when a session is dropped because its kernel is gone.
     */
    onDropped?: (session: IStoredSession) => void;
  }
}

function toModel(
  session: IStoredSession,
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
