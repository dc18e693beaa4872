import type { Kernel, KernelSpec, Session } from '@jupyterlab/services';
import {
  KernelManager,
  KernelSpecManager,
  ServerConnection,
  SessionAPI,
  SessionManager
} from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IGatewayConfig } from '../gateway/config';
import type { LaunchValues } from '../gateway/launchoptions';
import type { IGatewayHealth } from '../gateway/request';
import { RetirableSessionClient } from './retirable';

/**
 * A place where kernels run — the local Jupyter server or one gateway —
 * with the three stock JupyterLab managers that talk to it.
 *
 * The routing managers that the extension provides to JupyterLab compose
 * backends: today one is active (the gateway when configured, else the
 * local server); routing kernels per kernelspec between local kernels and
 * several gateways adds backends without changing the routing managers'
 * callers.
 */
export interface IKernelBackend extends IDisposable {
  /**
   * Where the kernels run: the local Jupyter server, or a gateway (then the
   * backend is an {@link IGatewayBackend}; see {@link isGatewayBackend}).
   */
  readonly kind: 'local' | 'gateway';
  /**
   * A stable id: `local`, or the gateway's URL.
   */
  readonly id: string;
  /**
   * A short name for people: "Local" or the gateway's host.
   */
  readonly label: string;
  readonly kernels: Kernel.IManager;
  readonly kernelspecs: KernelSpec.IManager;
  readonly sessions: Session.IManager;
  /**
   * Mark the backend retired (new kernels go to `active`), or active again
   * with `null`.
   */
  retire(active: IKernelBackend | null): void;
  /**
   * Whether this backend's connection failures are the local server's, and
   * so may reach JupyterLab's "Server Connection Error" dialog. A gateway's
   * failures are reported by the extension in its own words instead.
   */
  readonly failuresAreLocal: boolean;
}

/**
 * A backend whose kernels run on a gateway: what callers may ask of it
 * beyond the managers.
 */
export interface IGatewayBackend extends IKernelBackend {
  readonly kind: 'gateway';
  /**
   * The gateway's configuration in force.
   */
  readonly config: IGatewayConfig;
  /**
   * The gateway's health, as seen by the last request made to it.
   */
  readonly health: IGatewayHealth;
  /**
   * Emitted when the health state or its error changes.
   */
  readonly healthChanged: ISignal<IGatewayBackend, IGatewayHealth>;
  /**
   * Check the connection now (`GET api`); the health says the outcome.
   */
  check(): Promise<IGatewayHealth>;
  /**
   * Apply a new configuration of the same gateway (same URL).
   */
  reconfigure(config: IGatewayConfig): void;
  /**
   * Whether a kernel with this id runs on this gateway, as far as this
   * page knows.
   */
  owns(kernelId: string): boolean;
  /**
   * The launch options a kernel was started with, if any.
   */
  launchValues(kernelId: string): LaunchValues | undefined;
  /**
   * The user's name as sent in `KERNEL_USERNAME`.
   */
  kernelUsername(): Promise<string>;
}

/**
 * Where a backend offered beside the active one runs kernels, as notebooks
 * record it and as its kernelspec names are prefixed ("local:python3",
 * "gpu:python3"): `local` for this Jupyter server, else the gateway's name
 * (unique among the configured gateways, "local" excepted).
 */
export function placeOf(backend: IKernelBackend): string {
  return backend.kind === 'local' ? 'local' : backend.label;
}

/**
 * Whether a backend's kernels run on a gateway.
 */
export function isGatewayBackend(
  backend: IKernelBackend
): backend is IGatewayBackend {
  return backend.kind === 'gateway';
}

/**
 * Mark a backend's readiness promises as handled: disposing a manager
 * rejects the promise of its first poll ("Poll is disposed"), and a backend
 * retired before it was ready must not raise unhandled rejections.
 */
export function tolerateDisposal(backend: IKernelBackend): void {
  for (const manager of [
    backend.kernels,
    backend.kernelspecs,
    backend.sessions
  ]) {
    manager.ready.catch(() => undefined);
  }
}

/**
 * Options shared by the backends.
 */
export interface IBackendOptions {
  /**
   * Polling standby, as JupyterLab's own service plugins use it.
   */
  standby?: () => boolean | 'when-hidden';
  /**
   * The name this backend knows a kernelspec by, from the name JupyterLab
   * was offered ("local:python3" → "python3"; see `BackendSet.forSpec`):
   * a session whose kernel changes is asked for the offered name.
   */
  ownSpecName?: (offered: string) => string;
}

/**
 * The local Jupyter server's kernels, exactly as JupyterLab manages them
 * without this extension.
 */
export class LocalBackend implements IKernelBackend {
  constructor(
    options: IBackendOptions & { serverSettings?: ServerConnection.ISettings }
  ) {
    const serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    const standby = options.standby;
    this.kernels = new KernelManager({ serverSettings, standby });
    this.kernelspecs = new KernelSpecManager({ serverSettings, standby });
    this._sessionClient = new RetirableSessionClient(
      new SessionAPI.SessionAPIClient({ serverSettings }),
      options.ownSpecName
    );
    this.sessions = new SessionManager({
      kernelManager: this.kernels,
      serverSettings,
      standby,
      sessionAPIClient: this._sessionClient
    });
    tolerateDisposal(this);
  }

  readonly kind = 'local';
  readonly id = 'local';
  readonly label = 'Local';
  readonly failuresAreLocal = true;
  readonly kernels: Kernel.IManager;
  readonly kernelspecs: KernelSpec.IManager;
  readonly sessions: Session.IManager;

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  retire(active: IKernelBackend | null): void {
    this._sessionClient.retirement = active
      ? { from: 'the local Jupyter server', to: active.label }
      : null;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.sessions.dispose();
    this.kernels.dispose();
    this.kernelspecs.dispose();
  }

  private _sessionClient: RetirableSessionClient;
  private _isDisposed = false;
}

/**
 * A change in the set of backends.
 */
export interface IBackendChange {
  readonly added?: IKernelBackend;
  readonly removed?: IKernelBackend;
  /**
   * The backend new kernels go to by default, after the change.
   */
  readonly active: IKernelBackend;
}

/**
 * What a kernelspec name offered to JupyterLab stands for: the backend
 * that starts the kernel and the kernelspec's own name there.
 */
export interface ISpecRoute {
  readonly backend: IKernelBackend;
  readonly name: string | undefined;
}

/**
 * The backends the routing managers delegate to, with the routing rules.
 *
 * One backend is *active*: new kernels go there by default and its
 * kernelspecs are offered under their own names. Other backends may be
 * offered *beside* it: this Jupyter server ("Also offer this server's
 * kernels") and further gateways. Their kernelspecs are offered under
 * names prefixed with their place (`local:python3`, `gpu:python3`), so that
 * a kernelspec of the same name on several never collides; kernels started
 * from those run there, under the kernelspec's own name. When the user
 * points the extension elsewhere, a backend no longer offered is *retired*:
 * the notebooks and consoles already attached to its kernels keep them
 * (and its kernels stay listed) until they are shut down or changed; then
 * it is disposed.
 */
export class BackendSet implements IDisposable {
  constructor(
    active: IKernelBackend,
    beside: ReadonlyArray<IKernelBackend> = []
  ) {
    this._active = active;
    this._beside = [...beside];
  }

  /**
   * The backend new kernels go to by default.
   */
  get primary(): IKernelBackend {
    return this._active;
  }

  /**
   * The backends offered beside the active one.
   */
  get beside(): ReadonlyArray<IKernelBackend> {
    return [...this._beside];
  }

  /**
   * The backends that start new kernels: the active one first.
   */
  get offered(): ReadonlyArray<IKernelBackend> {
    return [this._active, ...this._beside];
  }

  /**
   * Every backend: those offered, then the retired ones.
   */
  get backends(): ReadonlyArray<IKernelBackend> {
    return [...this.offered, ...this._retired];
  }

  /**
   * Retired backends that still serve running kernels.
   */
  get retired(): ReadonlyArray<IKernelBackend> {
    return [...this._retired];
  }

  /**
   * Emitted when a backend is added or removed.
   */
  get changed(): ISignal<this, IBackendChange> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * A backend known to this set, by id.
   */
  find(id: string): IKernelBackend | undefined {
    return this.backends.find(backend => backend.id === id);
  }

  /**
   * Make `backend` the active one. The previous active backend is retired,
   * or disposed if nothing runs on it. A retired backend, or one offered
   * beside, can be activated again (the user switched back).
   */
  activate(backend: IKernelBackend): void {
    if (backend === this._active) {
      return;
    }
    const previous = this._active;
    const known = this._release(backend);
    this._active = backend;
    backend.retire(null);
    this._changed.emit({
      added: known ? undefined : backend,
      active: backend
    });
    this._retire(previous);
  }

  /**
   * Offer these backends beside the active one (in this order). Those
   * offered before and not now are retired: kernels running there keep
   * running.
   */
  offerBeside(backends: ReadonlyArray<IKernelBackend>): void {
    const previous = this._beside;
    const next = backends.filter(backend => backend !== this._active);
    if (
      next.length === previous.length &&
      next.every((backend, i) => backend === previous[i])
    ) {
      return;
    }
    const added = next.filter(
      backend => !previous.includes(backend) && !this._release(backend)
    );
    this._beside = next;
    for (const backend of next) {
      backend.retire(null);
    }
    for (const backend of added) {
      this._changed.emit({ added: backend, active: this._active });
    }
    // What is offered changed: the routing managers refresh on each change.
    this._changed.emit({ active: this._active });
    for (const backend of previous.filter(b => !next.includes(b))) {
      this._retire(backend);
    }
  }

  /**
   * The backend that starts a kernel of the kernelspec `name` offered to
   * JupyterLab, with the kernelspec's name there.
   */
  forSpec(name: string | undefined): ISpecRoute {
    for (const backend of this._beside) {
      const own = this._unprefixed(backend, name);
      if (own !== undefined) {
        return { backend, name: own };
      }
    }
    return { backend: this._active, name };
  }

  /**
   * The name a backend's kernelspec is offered under (see {@link forSpec}).
   */
  specName(backend: IKernelBackend, name: string): string {
    return backend === this._active ? name : `${placeOf(backend)}:${name}`;
  }

  /**
   * The kernelspec name a kernel of `backend` is listed under: the name
   * its kernelspec is offered under while the backend is offered (so that
   * JupyterLab names it after the right backend's kernelspec); a retired
   * backend's kernels keep their own.
   */
  listedName(backend: IKernelBackend, name: string): string {
    return this.offered.includes(backend) ? this.specName(backend, name) : name;
  }

  /**
   * The name `backend` itself knows a kernelspec by, from the name it is
   * offered or listed under (the inverse of {@link listedName}).
   */
  ownName(backend: IKernelBackend, name: string): string {
    return this._unprefixed(backend, name) ?? name;
  }

  /**
   * The backend running the kernel `id`, if known (from its kernel list, or
   * from its sessions, listed as soon as a session starts).
   */
  forKernel(id: string): IKernelBackend | undefined {
    return this.backends.find(
      backend =>
        Array.from(backend.kernels.running()).some(model => model.id === id) ||
        Array.from(backend.sessions.running()).some(
          model => model.kernel?.id === id
        )
    );
  }

  /**
   * The backend holding the session `id`, if known.
   */
  forSession(id: string): IKernelBackend | undefined {
    return this.backends.find(backend =>
      Array.from(backend.sessions.running()).some(model => model.id === id)
    );
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const backend of this.backends) {
      backend.dispose();
    }
    this._retired = [];
    this._beside = [];
    Signal.clearData(this);
  }

  /**
   * `name` without the prefix of `backend`, a backend offered beside; or
   * undefined if `name` is not one of its kernelspecs.
   */
  private _unprefixed(
    backend: IKernelBackend,
    name: string | undefined
  ): string | undefined {
    const prefix = `${placeOf(backend)}:`;
    return this._beside.includes(backend) && name?.startsWith(prefix)
      ? name.slice(prefix.length)
      : undefined;
  }

  /**
   * Take `backend` out of the slot it holds (beside or retired).
   *
   * @returns whether this set knew it.
   */
  private _release(backend: IKernelBackend): boolean {
    const offered = this._beside.indexOf(backend);
    if (offered >= 0) {
      this._beside.splice(offered, 1);
      return true;
    }
    const index = this._retired.indexOf(backend);
    if (index < 0) {
      return false;
    }
    this._retired.splice(index, 1);
    this._unwatch(backend);
    return true;
  }

  /**
   * Retire a backend that no longer starts kernels (disposed at once if
   * nothing of the user's runs there).
   */
  private _retire(backend: IKernelBackend): void {
    backend.retire(this._active);
    this._retired.push(backend);
    this._watch(backend);
    this._retireIfIdle(backend);
  }

  private _watch(backend: IKernelBackend): void {
    backend.sessions.runningChanged.connect(this._onRetiredChanged, this);
    backend.kernels.runningChanged.connect(this._onRetiredChanged, this);
  }

  private _unwatch(backend: IKernelBackend): void {
    backend.sessions.runningChanged.disconnect(this._onRetiredChanged, this);
    backend.kernels.runningChanged.disconnect(this._onRetiredChanged, this);
  }

  private _onRetiredChanged(): void {
    for (const backend of [...this._retired]) {
      this._retireIfIdle(backend);
    }
  }

  /**
   * Dispose a retired backend once nothing of the user's runs on it.
   */
  private _retireIfIdle(backend: IKernelBackend): void {
    const busy =
      Array.from(backend.sessions.running()).length > 0 ||
      Array.from(backend.kernels.running()).length > 0;
    if (busy || !this._retired.includes(backend)) {
      return;
    }
    this._retired.splice(this._retired.indexOf(backend), 1);
    this._unwatch(backend);
    this._changed.emit({ removed: backend, active: this._active });
    backend.dispose();
  }

  private _active: IKernelBackend;
  private _beside: IKernelBackend[];
  private _retired: IKernelBackend[] = [];
  private _changed = new Signal<this, IBackendChange>(this);
  private _isDisposed = false;
}
