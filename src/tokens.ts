import type { Kernel, KernelSpec, Session } from '@jupyterlab/services';
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';

import type {
  IConfigResult,
  IGatewayConfig,
  ISettingProblem
} from './gateway/config';
import type { LaunchOptionsChooser } from './gateway/kernelclient';
import type { ILaunchEvent } from './gateway/launch';
import type { LaunchValues } from './gateway/launchoptions';
import type { IGatewayHealth } from './gateway/request';
import type { IKernelBackend } from './managers/backend';
import type { ISessionStoreInfo } from './store/store';

/**
 * The kernel gateway service: where kernels run, and how the gateway is.
 */
export interface IKernelGateway {
  /**
   * The configuration in force.
   */
  readonly config: IGatewayConfig;
  /**
   * Whether the administrator keeps the list of gateways
   * (`"allowUserGateways": false`): users cannot add one.
   */
  readonly gatewaysLocked: boolean;
  /**
   * Settings refused when the configuration was loaded.
   */
  readonly problems: ReadonlyArray<ISettingProblem>;
  /**
   * Whether kernels run on a gateway (else on the local server).
   */
  readonly isGateway: boolean;
  /**
   * A short name of where kernels run: the gateway's host, or "Local".
   */
  readonly label: string;
  /**
   * The gateway's health; `null` without a gateway.
   */
  readonly health: IGatewayHealth | null;
  /**
   * Emitted when the gateway's health changes.
   */
  readonly healthChanged: ISignal<IKernelGateway, IGatewayHealth>;
  /**
   * The managers JupyterLab uses.
   */
  readonly kernels: Kernel.IManager;
  readonly kernelspecs: KernelSpec.IManager;
  readonly sessions: Session.IManager;
  /**
   * Emitted when the configuration in force changed.
   */
  readonly configChanged: ISignal<IKernelGateway, IConfigChange>;
  /**
   * Emitted when a notebook's or console's kernel is found gone from the
   * gateway (culled, shut down elsewhere, gateway restarted).
   */
  readonly kernelLost: ISignal<IKernelGateway, IKernelLoss>;
  /**
   * Emitted with the progress of slow kernel launches.
   */
  readonly kernelLaunch: ISignal<IKernelGateway, IKernelLaunch>;
  /**
   * Where sessions are kept: on the Jupyter server (every browser and
   * device of the user finds them) or in this browser only.
   */
  readonly sessionStore: ISessionStoreInfo;
  /**
   * Apply new settings while the page runs.
   *
   * @returns the refused values; if there are any, nothing changes.
   */
  configure(settings: IConfigResult): ReadonlyArray<ISettingProblem>;
  /**
   * Whether the kernel `id` runs on a gateway.
   */
  isGatewayKernel(id: string): boolean;
  /**
   * The backends offered beside the one new kernels go to by default:
   * this Jupyter server ("Also offer this server's kernels") and further
   * gateways.
   */
  readonly beside: ReadonlyArray<IKernelBackend>;
  /**
   * Where the kernel `id` runs when that is a backend offered beside the
   * default one: `local` or the gateway's name; `null` otherwise.
   */
  placeOf(kernelId: string): string | null;
  /**
   * Where a kernel of the kernelspec offered as `name` starts, when that is
   * a backend offered beside the default one; `null` otherwise.
   */
  placeOfSpec(name: string): string | null;
  /**
   * The backend offered beside the default one at `place` (`local` or a
   * gateway's name), or `null`.
   */
  besideAt(place: string): IKernelBackend | null;
  /**
   * The name the kernelspec `name` of the backend at `place` is offered
   * under ("local:python3"), or `null` when that place is not offered
   * beside the default one or has no such kernelspec.
   */
  specNameAt(place: string, name: string): string | null;
  /**
   * Where a kernel runs when that is not where new kernels go (a previous
   * gateway, or the local server, after the settings changed): that place's
   * label and the kernel's name there. `undefined` for kernels where new
   * kernels go, and for unknown kernels.
   */
  keptKernel(kernel: {
    id: string;
    name: string;
  }): { where: string; displayName: string } | undefined;
  /**
   * Ask the gateway whether it works (`GET api`); resolves with the health.
   */
  checkConnection(): Promise<IGatewayHealth | null>;
  /**
   * The user name sent as `KERNEL_USERNAME` to the gateway `config` (by
   * default the one new kernels go to): its setting, else the local
   * server's user; `''` for no gateway.
   */
  kernelUsername(config?: IGatewayConfig): Promise<string>;
  /**
   * The launch options chosen for a kernel started from this page.
   */
  launchValues(kernelId: string): LaunchValues | undefined;
  /**
   * Set what asks the user for launch options before a kernel starts on a
   * gateway that declares some (the UI's form); without one, the defaults
   * are sent.
   */
  setLaunchOptionsChooser(chooser: LaunchOptionsChooser | null): void;
}

/**
 * A change of the configuration in force.
 */
export interface IConfigChange {
  readonly previous: IGatewayConfig;
  readonly current: IGatewayConfig;
  /**
   * Sessions that keep their kernel where it runs (the previous gateway or
   * the local server) until their kernel is changed.
   */
  readonly kept: ReadonlyArray<{ session: Session.IModel; where: string }>;
  /**
   * The backends offered beside the default one before the change and no
   * longer (a gateway removed from the list, local kernels no longer
   * offered), by label.
   */
  readonly left: ReadonlyArray<string>;
}

/**
 * A kernel found gone from the gateway.
 */
export interface IKernelLoss {
  /**
   * The path of the notebook or console that used it.
   */
  readonly path: string;
  readonly type: string;
  readonly kernelName: string;
  readonly gatewayUrl: string;
}

/**
 * Progress of a slow kernel launch on a gateway.
 */
export interface IKernelLaunch extends ILaunchEvent {
  readonly gatewayUrl: string;
}

/**
 * The kernel gateway service token.
 */
export const IKernelGateway = new Token<IKernelGateway>(
  'jupyterlab-kernel-gateway:IKernelGateway',
  'Where kernels run (a Kernel Gateway or the local server), the gateway health, and the routing kernel, kernelspec and session managers.'
);
