import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IKernelRecord, ISessionRecord, SessionChanges } from './records';
import { validateKernelRecord, validateSessionRecord } from './records';
import type { IBackendStore, ISessionStoreInfo, ISessionStores } from './store';
import { sessionConflict } from './store';

/**
 * The path of the store's REST API under the local server's base URL
 * (`jupyterlab_kernel_gateway/handlers.py`).
 */
export const STORE_API = 'kernel-gateway';

/**
 * The name of the channel on which the tabs of one browser tell each other
 * that they changed records, so that they catch up at once rather than at
 * their next poll.
 */
const CHANNEL = 'jupyterlab-kernel-gateway:store';

/**
 * A backend's records on the user's Jupyter server (the package's server
 * extension): every browser and device of the user sees the same sessions
 * and kernels. Requests carry the local server's credentials (token, XSRF)
 * as every JupyterLab request to it does; nothing about the gateway but its
 * URL is sent (never its token).
 */
export class ServerBackendStore implements IBackendStore {
  constructor(options: ServerBackendStore.IOptions) {
    this._backend = options.backendId;
    this._settings = options.serverSettings;
    this._ownsChannel = options.channel === undefined;
    this._channel = options.channel ?? openChannel();
    this._channel?.addEventListener('message', this._onMessage);
  }

  readonly kind = 'server';

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async sessions(): Promise<ISessionRecord[]> {
    const data = await this._json('GET', ['sessions'], [200]);
    return listOf(data, validateSessionRecord);
  }

  async addSession(
    session: ISessionRecord
  ): Promise<{ session: ISessionRecord; created: boolean }> {
    const response = await this._request('POST', ['sessions'], {
      ...session,
      backend: this._backend
    });
    const data = await this._read(response, [201, 409]);
    const record = validateSessionRecord(
      response.status === 409
        ? (data as { session?: unknown } | null)?.session
        : data
    );
    if (!record) {
      throw new ServerConnection.ResponseError(
        response,
        'The session store sent an invalid session.'
      );
    }
    this._told();
    return { session: record, created: response.status === 201 };
  }

  async updateSession(
    id: string,
    changes: SessionChanges
  ): Promise<ISessionRecord | undefined> {
    const response = await this._request('PATCH', ['sessions', id], changes);
    if (response.status === 404) {
      return undefined;
    }
    if (response.status === 409) {
      const other = validateSessionRecord(
        ((await response.json()) as { session?: unknown } | null)?.session
      );
      if (other) {
        throw sessionConflict(other);
      }
    }
    const record = validateSessionRecord(await this._read(response, [200]));
    this._told();
    return record;
  }

  async deleteSession(id: string, kernelId?: string): Promise<boolean> {
    const response = await this._request(
      'DELETE',
      ['sessions', id],
      undefined,
      kernelId ? { kernel: kernelId } : {}
    );
    await this._read(response, [204, 404, 409]);
    this._told();
    return response.status === 204;
  }

  async kernels(): Promise<Map<string, IKernelRecord>> {
    const data = await this._json('GET', ['kernels'], [200]);
    const kernels = new Map<string, IKernelRecord>();
    for (const item of Array.isArray(data) ? data : []) {
      const record = validateKernelRecord(item);
      const id = (item as { id?: unknown }).id;
      if (record && typeof id === 'string') {
        kernels.set(id, record);
      }
    }
    return kernels;
  }

  async addKernel(id: string, kernel: IKernelRecord): Promise<void> {
    await this._json(
      'PUT',
      ['kernels', id],
      [200, 201],
      { backend: this._backend, name: kernel.name, started: kernel.started },
      false
    );
    this._told();
  }

  async deleteKernel(id: string): Promise<boolean> {
    const response = await this._request('DELETE', ['kernels', id], undefined, {
      backend: this._backend
    });
    await this._read(response, [204, 404]);
    this._told();
    return response.status === 204;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._channel?.removeEventListener('message', this._onMessage);
    if (this._ownsChannel) {
      this._channel?.close?.();
    }
    Signal.clearData(this);
  }

  private async _json(
    method: string,
    parts: string[],
    ok: number[],
    body?: unknown,
    withBackend = true
  ): Promise<unknown> {
    const response = await this._request(
      method,
      parts,
      body,
      withBackend ? { backend: this._backend } : {}
    );
    return this._read(response, ok);
  }

  private async _request(
    method: string,
    parts: string[],
    body?: unknown,
    query: Record<string, string> = {}
  ): Promise<Response> {
    const path = URLExt.join(
      this._settings.baseUrl,
      STORE_API,
      ...parts.map(encodeURIComponent)
    );
    const search = new URLSearchParams(query).toString();
    try {
      return await ServerConnection.makeRequest(
        search ? `${path}?${search}` : path,
        {
          method,
          body: body === undefined ? undefined : JSON.stringify(body),
          headers:
            body === undefined ? {} : { 'Content-Type': 'application/json' }
        },
        this._settings
      );
    } catch (error) {
      throw new ServerConnection.NetworkError(
        new TypeError(
          `The Jupyter server's session store could not be reached (${
            (error as Error).message
          }): is the Jupyter server running?`
        )
      );
    }
  }

  /**
   * The JSON of an answer whose status is one of `ok`; else its one-line
   * reason as a `ResponseError`.
   */
  private async _read(response: Response, ok: number[]): Promise<unknown> {
    if (!ok.includes(response.status)) {
      let reason = '';
      try {
        const message = ((await response.json()) as { message?: unknown })
          ?.message;
        reason = typeof message === 'string' ? message : '';
      } catch {
        // Not JSON.
      }
      throw new ServerConnection.ResponseError(
        response,
        `The Jupyter server's session store answered ${response.status}${
          reason ? `: ${reason}` : ''
        }`
      );
    }
    if (response.status === 204) {
      return undefined;
    }
    return response.json();
  }

  /**
   * Tell the other tabs of this browser that the records changed.
   */
  private _told(): void {
    try {
      this._channel?.postMessage({ backend: this._backend });
    } catch {
      // A closed channel: the other tabs catch up at their next poll.
    }
  }

  private _onMessage = (event: Event): void => {
    const data = (event as MessageEvent).data as { backend?: unknown } | null;
    if (!this._isDisposed && data?.backend === this._backend) {
      this._changed.emit();
    }
  };

  private _backend: string;
  private _settings: ServerConnection.ISettings;
  private _channel: IChannel | null;
  private _ownsChannel: boolean;
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
}

/**
 * The part of `BroadcastChannel` the store uses.
 */
export interface IChannel extends EventTarget {
  postMessage(message: unknown): void;
  close?(): void;
}

export namespace ServerBackendStore {
  export interface IOptions {
    backendId: string;
    /**
     * The local server's connection settings (JupyterLab's own).
     */
    serverSettings: ServerConnection.ISettings;
    /**
     * Where the tabs of this browser tell each other of changes; a
     * `BroadcastChannel` by default, where the browser has one.
     */
    channel?: IChannel | null;
  }
}

/**
 * The stores of every backend, on the user's Jupyter server.
 */
export class ServerSessionStores implements ISessionStores {
  constructor(options: {
    serverSettings: ServerConnection.ISettings;
    problem?: string;
    /**
     * Where the tabs of this browser tell each other of changes (one per
     * page); a `BroadcastChannel` by default, where the browser has one.
     */
    channel?: IChannel | null;
  }) {
    this._settings = options.serverSettings;
    this._channel =
      options.channel === undefined ? openChannel() : options.channel;
    this._problem = options.problem || undefined;
  }

  get info(): ISessionStoreInfo {
    return { kind: 'server', problem: this._problem };
  }

  /**
   * Add a problem for people to read (in the status details).
   */
  addProblem(problem: string): void {
    this._problem = [this._problem, problem].filter(Boolean).join(' ');
  }

  forBackend(backendId: string): IBackendStore {
    return new ServerBackendStore({
      backendId,
      serverSettings: this._settings,
      channel: this._channel
    });
  }

  private _settings: ServerConnection.ISettings;
  private _channel: IChannel | null;
  private _problem: string | undefined;
}

function openChannel(): IChannel | null {
  return typeof BroadcastChannel === 'undefined'
    ? null
    : new BroadcastChannel(CHANNEL);
}

function listOf<T>(
  data: unknown,
  check: (item: unknown) => T | undefined
): T[] {
  const items: T[] = [];
  for (const item of Array.isArray(data) ? data : []) {
    const checked = check(item);
    if (checked !== undefined) {
      items.push(checked);
    }
  }
  return items;
}
