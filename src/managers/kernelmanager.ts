import type { Kernel } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { BackendSet, IKernelBackend } from './backend';
import { RoutingManager } from './routing';

/**
 * A kernel manager of JupyterLab >= 4.6.
 */
interface IKernelInfoTimeout {
  kernelInfoTimeout?: number;
}

/**
 * The kernel manager JupyterLab uses: it delegates every call to the
 * backend that runs the kernel (or offers its kernelspec).
 */
export class RoutingKernelManager
  extends RoutingManager<Kernel.IManager>
  implements Kernel.IManager
{
  constructor(options: { backends: BackendSet }) {
    super(options.backends, backend => backend.kernels);
    this.initialize();
  }

  get runningChanged(): ISignal<this, Kernel.IModel[]> {
    return this._runningChanged;
  }

  get commsOverSubshells(): Kernel.IManager['commsOverSubshells'] {
    return this.part(this.backends.primary).commsOverSubshells;
  }

  set commsOverSubshells(value: Kernel.IManager['commsOverSubshells']) {
    for (const part of this.parts()) {
      part.commsOverSubshells = value;
    }
  }

  /**
   * How long a kernel connection waits for `kernel_info_reply` (JupyterLab
   * 4.6 sets it from its settings; older managers do not have it).
   */
  get kernelInfoTimeout(): number | undefined {
    return (this.part(this.backends.primary) as IKernelInfoTimeout)
      .kernelInfoTimeout;
  }

  set kernelInfoTimeout(value: number | undefined) {
    for (const part of this.parts()) {
      if ('kernelInfoTimeout' in part && value !== undefined) {
        (part as IKernelInfoTimeout).kernelInfoTimeout = value;
      }
    }
  }

  /**
   * Every backend's kernels, backend by backend, each named by the
   * kernelspec name JupyterLab was offered ("second:python3"): the Running
   * panel and the kernel picker name a kernel after that kernelspec.
   */
  *running(): IterableIterator<Kernel.IModel> {
    for (const backend of this.backends.backends) {
      for (const model of backend.kernels.running()) {
        yield this._listed(backend, model);
      }
    }
  }

  get runningCount(): number {
    return this.parts().reduce((count, part) => count + part.runningCount, 0);
  }

  async refreshRunning(): Promise<void> {
    await Promise.all(this.parts().map(part => part.refreshRunning()));
  }

  async startNew(
    createOptions: Kernel.IKernelOptions = {},
    connectOptions: Omit<
      Kernel.IKernelConnection.IOptions,
      'model' | 'serverSettings'
    > = {}
  ): Promise<Kernel.IKernelConnection> {
    const { backend, name } = this.backends.forSpec(createOptions.name);
    return backend.kernels.startNew({ ...createOptions, name }, connectOptions);
  }

  async findById(id: string): Promise<Kernel.IModel | undefined> {
    for (const backend of this.backends.backends) {
      const model = await backend.kernels.findById(id);
      if (model) {
        return this._listed(backend, model);
      }
    }
    return undefined;
  }

  connectTo(
    options: Kernel.IKernelConnection.IOptions
  ): Kernel.IKernelConnection {
    const { model } = options;
    const backend =
      this.backends.forKernel(model.id) ??
      this.backends.forSpec(model.name).backend;
    // The backend knows its kernel by its own kernelspec name.
    const name = this.backends.ownName(backend, model.name);
    return backend.kernels.connectTo({ ...options, model: { ...model, name } });
  }

  async shutdown(id: string): Promise<void> {
    const backend = this.backends.forKernel(id) ?? this.backends.primary;
    await backend.kernels.shutdown(id);
  }

  async shutdownAll(): Promise<void> {
    await Promise.all(this.parts().map(part => part.shutdownAll()));
  }

  protected attach(part: Kernel.IManager): void {
    part.runningChanged.connect(this._onRunningChanged, this);
  }

  protected detach(part: Kernel.IManager): void {
    part.runningChanged.disconnect(this._onRunningChanged, this);
  }

  protected refresh(): void {
    this._onRunningChanged();
  }

  private _onRunningChanged(): void {
    this._runningChanged.emit(Array.from(this.running()));
  }

  private _listed(
    backend: IKernelBackend,
    model: Kernel.IModel
  ): Kernel.IModel {
    return { ...model, name: this.backends.listedName(backend, model.name) };
  }

  private _runningChanged = new Signal<this, Kernel.IModel[]>(this);
}
