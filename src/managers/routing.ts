import type { ServerConnection } from '@jupyterlab/services';
import type { IObservableDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { BackendSet, IBackendChange, IKernelBackend } from './backend';

/**
 * What the routing managers need of each backend's manager.
 */
interface IPart {
  readonly serverSettings?: ServerConnection.ISettings;
  readonly isReady: boolean;
  readonly ready: Promise<void>;
  readonly connectionFailure: ISignal<unknown, ServerConnection.NetworkError>;
}

/**
 * The part the routing managers share: following backends as they come and
 * go, readiness over all of them, and connection failures forwarded only for
 * the local server — a gateway's failures would otherwise open JupyterLab's
 * "Server Connection Error" dialog, which blames the local server; the
 * extension reports them itself.
 *
 * Subclasses connect their own signals in `attach`/`detach` and call
 * `initialize()` at the end of their constructor.
 */
export abstract class RoutingManager<
  T extends IPart
> implements IObservableDisposable {
  constructor(backends: BackendSet, part: (backend: IKernelBackend) => T) {
    this.backends = backends;
    this.part = part;
  }

  get disposed(): ISignal<this, void> {
    return this._disposed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  get isActive(): boolean {
    return true;
  }

  get connectionFailure(): ISignal<this, ServerConnection.NetworkError> {
    return this._connectionFailure;
  }

  get isReady(): boolean {
    return this.parts().every(part => part.isReady);
  }

  get ready(): Promise<void> {
    return Promise.all(this.parts().map(part => part.ready)).then(
      () => undefined
    );
  }

  /**
   * The active backend's settings (they change when the user switches).
   */
  get serverSettings(): ServerConnection.ISettings {
    return this.part(this.backends.primary).serverSettings!;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.backends.changed.disconnect(this._onBackendsChanged, this);
    for (const backend of this.backends.backends) {
      this._detach(backend);
    }
    this._disposed.emit();
    Signal.clearData(this);
  }

  /**
   * Start following the backends.
   */
  protected initialize(): void {
    for (const backend of this.backends.backends) {
      this._attach(backend);
    }
    this.backends.changed.connect(this._onBackendsChanged, this);
  }

  /**
   * Connect to a backend's manager.
   */
  protected abstract attach(part: T): void;

  /**
   * Disconnect from a backend's manager.
   */
  protected abstract detach(part: T): void;

  /**
   * Called after the backends changed (a backend added, removed or made
   * active).
   */
  protected abstract refresh(): void;

  /**
   * This manager's counterpart in every backend, the active one first.
   */
  protected parts(): T[] {
    return this.backends.backends.map(this.part);
  }

  protected readonly backends: BackendSet;
  protected readonly part: (backend: IKernelBackend) => T;

  private _attach(backend: IKernelBackend): void {
    const part = this.part(backend);
    if (backend.failuresAreLocal) {
      part.connectionFailure.connect(this._onFailure, this);
    }
    this.attach(part);
  }

  private _detach(backend: IKernelBackend): void {
    const part = this.part(backend);
    part.connectionFailure.disconnect(this._onFailure, this);
    this.detach(part);
  }

  private _onBackendsChanged(_: unknown, change: IBackendChange): void {
    if (change.added) {
      this._attach(change.added);
    }
    if (change.removed) {
      this._detach(change.removed);
    }
    this.refresh();
  }

  private _onFailure(_: unknown, error: ServerConnection.NetworkError): void {
    this._connectionFailure.emit(error);
  }

  private _isDisposed = false;
  private _disposed = new Signal<this, void>(this);
  private _connectionFailure = new Signal<this, ServerConnection.NetworkError>(
    this
  );
}
