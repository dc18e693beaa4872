import type { Kernel, ServerConnection } from '@jupyterlab/services';
import { BaseManager } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { BackendSet } from './backend';

/**
 * The kernel manager JupyterLab uses: it delegates every call to the
 * backend that owns the kernel (or offers its kernelspec).
 */
export class RoutingKernelManager
  extends BaseManager
  implements Kernel.IManager
{
  constructor(options: { backends: BackendSet }) {
    super({
      serverSettings: options.backends.primary.kernels.serverSettings
    });
    this._backends = options.backends;
    for (const backend of this._backends.backends) {
      backend.kernels.runningChanged.connect(this._onRunningChanged, this);
      if (backend.failuresAreLocal) {
        backend.kernels.connectionFailure.connect(this._onFailure, this);
      }
    }
  }

  get runningChanged(): ISignal<this, Kernel.IModel[]> {
    return this._runningChanged;
  }

  /**
   * Connection failures of the local server only; a gateway's failures are
   * reported by the extension's own notifications.
   */
  get connectionFailure(): ISignal<this, ServerConnection.NetworkError> {
    return this._connectionFailure;
  }

  get isReady(): boolean {
    return this._backends.backends.every(backend => backend.kernels.isReady);
  }

  get ready(): Promise<void> {
    return Promise.all(
      this._backends.backends.map(backend => backend.kernels.ready)
    ).then(() => undefined);
  }

  get commsOverSubshells(): Kernel.IManager['commsOverSubshells'] {
    return this._backends.primary.kernels.commsOverSubshells;
  }

  set commsOverSubshells(value: Kernel.IManager['commsOverSubshells']) {
    for (const backend of this._backends.backends) {
      backend.kernels.commsOverSubshells = value;
    }
  }

  *running(): IterableIterator<Kernel.IModel> {
    for (const backend of this._backends.backends) {
      yield* backend.kernels.running();
    }
  }

  get runningCount(): number {
    return this._backends.backends.reduce(
      (count, backend) => count + backend.kernels.runningCount,
      0
    );
  }

  async refreshRunning(): Promise<void> {
    await Promise.all(
      this._backends.backends.map(backend => backend.kernels.refreshRunning())
    );
  }

  async startNew(
    createOptions: Kernel.IKernelOptions = {},
    connectOptions: Omit<
      Kernel.IKernelConnection.IOptions,
      'model' | 'serverSettings'
    > = {}
  ): Promise<Kernel.IKernelConnection> {
    return this._backends
      .forSpec(createOptions.name)
      .kernels.startNew(createOptions, connectOptions);
  }

  async findById(id: string): Promise<Kernel.IModel | undefined> {
    for (const backend of this._backends.backends) {
      const model = await backend.kernels.findById(id);
      if (model) {
        return model;
      }
    }
    return undefined;
  }

  connectTo(
    options: Kernel.IKernelConnection.IOptions
  ): Kernel.IKernelConnection {
    const backend =
      this._backends.forKernel(options.model.id) ??
      this._backends.forSpec(options.model.name);
    return backend.kernels.connectTo(options);
  }

  async shutdown(id: string): Promise<void> {
    const backend = this._backends.forKernel(id) ?? this._backends.primary;
    await backend.kernels.shutdown(id);
  }

  async shutdownAll(): Promise<void> {
    await Promise.all(
      this._backends.backends.map(backend => backend.kernels.shutdownAll())
    );
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    for (const backend of this._backends.backends) {
      backend.kernels.runningChanged.disconnect(this._onRunningChanged, this);
      backend.kernels.connectionFailure.disconnect(this._onFailure, this);
    }
    super.dispose();
  }

  private _onRunningChanged(): void {
    this._runningChanged.emit(Array.from(this.running()));
  }

  private _onFailure(_: unknown, error: ServerConnection.NetworkError): void {
    this._connectionFailure.emit(error);
  }

  private _backends: BackendSet;
  private _runningChanged = new Signal<this, Kernel.IModel[]>(this);
  private _connectionFailure = new Signal<this, ServerConnection.NetworkError>(
    this
  );
}
