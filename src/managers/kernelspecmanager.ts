import type { KernelSpec } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import { labelSpec } from '../gateway/kernelspecclient';
import type { BackendSet, IKernelBackend } from './backend';
import { isGatewayBackend } from './backend';
import { RoutingManager } from './routing';

/**
 * A kernelspec's display name as offered to the user: a gateway's carries
 * the gateway's label ("Python 3 [gpu]"), so that nobody runs code on a
 * remote machine by surprise; this server's its own.
 */
export function offeredDisplayName(
  backend: IKernelBackend,
  displayName: string
): string {
  return isGatewayBackend(backend)
    ? labelSpec(displayName, backend.label)
    : displayName;
}

/**
 * The kernelspec manager JupyterLab uses: the kernelspecs of the backends
 * that start new kernels, the active one's under their own names, those of
 * the backends beside it (this server, further gateways) under names
 * prefixed with their place (see `BackendSet.forSpec`).
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
    await Promise.all(
      this.backends.offered.map(backend => this.part(backend).refreshSpecs())
    );
  }

  protected attach(part: KernelSpec.IManager): void {
    part.specsChanged.connect(this._onSpecsChanged, this);
  }

  protected detach(part: KernelSpec.IManager): void {
    part.specsChanged.disconnect(this._onSpecsChanged, this);
  }

  /**
   * Offer the kernelspecs again (a gateway's label changed).
   */
  relabel(): void {
    this._onSpecsChanged();
  }

  protected refresh(): void {
    this._onSpecsChanged();
    // The newly active backend may not have listed its kernelspecs yet.
    void this.refreshSpecs().catch(() => undefined);
  }

  /**
   * The kernelspecs offered for new kernels. (A retired backend starts no
   * new kernels, so its specs are not offered.) The local server's, beside
   * a gateway, are added once listed: a local server that cannot list them
   * does not hide the gateway's.
   */
  private _merge(): KernelSpec.ISpecModels | null {
    const offered = this.backends.offered;
    const active = offered[0];
    const specs = this.part(active).specs;
    if (!specs || (offered.length === 1 && !isGatewayBackend(active))) {
      return specs;
    }
    const kernelspecs: KernelSpec.ISpecModels['kernelspecs'] = {};
    for (const backend of offered) {
      const their = this.part(backend).specs?.kernelspecs ?? {};
      for (const [name, spec] of Object.entries(their)) {
        if (spec) {
          const offeredName = this.backends.specName(backend, name);
          kernelspecs[offeredName] = {
            ...spec,
            name: offeredName,
            display_name: offeredDisplayName(backend, spec.display_name)
          };
        }
      }
    }
    return { default: specs.default, kernelspecs };
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
