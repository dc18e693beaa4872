import type { KernelSpec, ServerConnection } from '@jupyterlab/services';
import { BaseManager } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { BackendSet } from './backend';

/**
 * The kernelspec manager JupyterLab uses: the kernelspecs of all backends,
 * the primary backend's default first. When two backends offer the same
 * name, the first backend's spec is shown.
 */
export class RoutingKernelSpecManager
  extends BaseManager
  implements KernelSpec.IManager
{
  constructor(options: { backends: BackendSet }) {
    super({
      serverSettings: options.backends.primary.kernelspecs.serverSettings
    });
    this._backends = options.backends;
    for (const backend of this._backends.backends) {
      backend.kernelspecs.specsChanged.connect(this._onSpecsChanged, this);
      if (backend.failuresAreLocal) {
        backend.kernelspecs.connectionFailure.connect(this._onFailure, this);
      }
    }
    this._specs = this._merge();
  }

  get specsChanged(): ISignal<this, KernelSpec.ISpecModels> {
    return this._specsChanged;
  }

  get connectionFailure(): ISignal<this, ServerConnection.NetworkError> {
    return this._connectionFailure;
  }

  get isReady(): boolean {
    return this._backends.backends.every(b => b.kernelspecs.isReady);
  }

  get ready(): Promise<void> {
    return Promise.all(
      this._backends.backends.map(backend => backend.kernelspecs.ready)
    ).then(() => undefined);
  }

  get specs(): KernelSpec.ISpecModels | null {
    return this._specs;
  }

  async refreshSpecs(): Promise<void> {
    await Promise.all(
      this._backends.backends.map(backend => backend.kernelspecs.refreshSpecs())
    );
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    for (const backend of this._backends.backends) {
      backend.kernelspecs.specsChanged.disconnect(this._onSpecsChanged, this);
      backend.kernelspecs.connectionFailure.disconnect(this._onFailure, this);
    }
    super.dispose();
  }

  private _merge(): KernelSpec.ISpecModels | null {
    const known = this._backends.backends
      .map(backend => backend.kernelspecs.specs)
      .filter((specs): specs is KernelSpec.ISpecModels => specs !== null);
    if (known.length === 0) {
      return null;
    }
    const kernelspecs: { [name: string]: KernelSpec.ISpecModel | undefined } =
      {};
    for (const specs of known) {
      for (const [name, spec] of Object.entries(specs.kernelspecs)) {
        if (!(name in kernelspecs)) {
          kernelspecs[name] = spec;
        }
      }
    }
    const defaultName =
      known.map(specs => specs.default).find(name => name in kernelspecs) ?? '';
    return { default: defaultName, kernelspecs };
  }

  private _onSpecsChanged(): void {
    this._specs = this._merge();
    if (this._specs) {
      this._specsChanged.emit(this._specs);
    }
  }

  private _onFailure(_: unknown, error: ServerConnection.NetworkError): void {
    this._connectionFailure.emit(error);
  }

  private _backends: BackendSet;
  private _specs: KernelSpec.ISpecModels | null;
  private _specsChanged = new Signal<this, KernelSpec.ISpecModels>(this);
  private _connectionFailure = new Signal<this, ServerConnection.NetworkError>(
    this
  );
}
