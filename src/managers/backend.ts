import type { Kernel, KernelSpec, Session } from '@jupyterlab/services';
import {
  KernelManager,
  KernelSpecManager,
  ServerConnection,
  SessionManager
} from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';

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
   * Whether this backend's connection failures are the local server's, and
   * so may reach JupyterLab's "Server Connection Error" dialog. A gateway's
   * failures are reported by the extension in its own words instead.
   */
  readonly failuresAreLocal: boolean;
}

/**
 * Options shared by the backends.
 */
export interface IBackendOptions {
  /**
   * Polling standby, as JupyterLab's own service plugins use it.
   */
  standby?: () => boolean | 'when-hidden';
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
    this.sessions = new SessionManager({
      kernelManager: this.kernels,
      serverSettings,
      standby
    });
  }

  readonly id = 'local';
  readonly label = 'Local';
  readonly failuresAreLocal = true;
  readonly kernels: Kernel.IManager;
  readonly kernelspecs: KernelSpec.IManager;
  readonly sessions: Session.IManager;

  get isDisposed(): boolean {
    return this._isDisposed;
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

  private _isDisposed = false;
}

/**
 * The backends the routing managers delegate to, with the routing rules.
 * The first backend is the primary one: it gets whatever no rule claims.
 */
export class BackendSet {
  constructor(backends: ReadonlyArray<IKernelBackend>) {
    if (backends.length === 0) {
      throw new Error('A BackendSet needs at least one backend.');
    }
    this.backends = backends;
  }

  readonly backends: ReadonlyArray<IKernelBackend>;

  get primary(): IKernelBackend {
    return this.backends[0];
  }

  /**
   * The backend offering the kernelspec `name`, else the primary one.
   */
  forSpec(name: string | undefined): IKernelBackend {
    if (name) {
      const owner = this.backends.find(
        backend => backend.kernelspecs.specs?.kernelspecs[name] !== undefined
      );
      if (owner) {
        return owner;
      }
    }
    return this.primary;
  }

  /**
   * The backend running the kernel `id`, if known.
   */
  forKernel(id: string): IKernelBackend | undefined {
    return this.backends.find(backend =>
      Array.from(backend.kernels.running()).some(model => model.id === id)
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
}
