import type { KernelSpec } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { BackendSet } from './backend';
import { RoutingManager } from './routing';

/**
 * The kernelspec manager JupyterLab uses: the kernelspecs of the backend
 * that new kernels go to.
 */
export class RoutingKernelSpecManager
  extends RoutingManager<KernelSpec.IManager>
  implements KernelSpec.IManager
{
  constructor(options: { backends: BackendSet }) {
    super(options.backends, backend => backend.kernelspecs);
    this._specs = this._merge();
    this.initialize();
  }

  get specsChanged(): ISignal<this, KernelSpec.ISpecModels> {
    return this._specsChanged;
  }

  get specs(): KernelSpec.ISpecModels | null {
    return this._specs;
  }

  async refreshSpecs(): Promise<void> {
    await this.part(this.backends.primary).refreshSpecs();
  }

  protected attach(part: KernelSpec.IManager): void {
    part.specsChanged.connect(this._onSpecsChanged, this);
  }

  protected detach(part: KernelSpec.IManager): void {
    part.specsChanged.disconnect(this._onSpecsChanged, this);
  }

  protected refresh(): void {
    this._onSpecsChanged();
    // The newly active backend may not have listed its kernelspecs yet.
    void this.refreshSpecs().catch(() => undefined);
  }

  /**
   * The kernelspecs offered for new kernels: the active backend's. (A
   * retired backend starts no new kernels, so its specs are not offered.)
   */
  private _merge(): KernelSpec.ISpecModels | null {
    return this.part(this.backends.primary).specs;
  }

  private _onSpecsChanged(): void {
    const specs = this._merge();
    if (specs === this._specs) {
      return;
    }
    this._specs = specs;
    if (specs) {
      this._specsChanged.emit(specs);
    }
  }

  private _specs: KernelSpec.ISpecModels | null;
  private _specsChanged = new Signal<this, KernelSpec.ISpecModels>(this);
}
