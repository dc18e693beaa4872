import type { KernelSpec } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { BackendSet } from './backend';
import { RoutingManager } from './routing';

/**
 * The kernelspec manager JupyterLab uses: the kernelspecs of all backends,
 * the primary backend's default first. When two backends offer the same
 * name, the first backend's spec is shown.
 */
export class RoutingKernelSpecManager
  extends RoutingManager<KernelSpec.IManager>
  implements KernelSpec.IManager
{
  constructor(options: { backends: BackendSet }) {
    super(options.backends, backend => backend.kernelspecs);
    for (const part of this.parts()) {
      part.specsChanged.connect(this._onSpecsChanged, this);
    }
    this._specs = this._merge();
  }

  get specsChanged(): ISignal<this, KernelSpec.ISpecModels> {
    return this._specsChanged;
  }

  get specs(): KernelSpec.ISpecModels | null {
    return this._specs;
  }

  async refreshSpecs(): Promise<void> {
    await Promise.all(this.parts().map(part => part.refreshSpecs()));
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    for (const part of this.parts()) {
      part.specsChanged.disconnect(this._onSpecsChanged, this);
    }
    super.dispose();
  }

  private _merge(): KernelSpec.ISpecModels | null {
    const known = this.parts()
      .map(part => part.specs)
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

  private _specs: KernelSpec.ISpecModels | null;
  private _specsChanged = new Signal<this, KernelSpec.ISpecModels>(this);
}
