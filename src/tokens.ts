import type { Kernel, KernelSpec, Session } from '@jupyterlab/services';
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';

import type { IGatewayConfig, ISettingProblem } from './gateway/config';
import type { IGatewayHealth } from './gateway/request';

/**
 * The kernel gateway service: where kernels run, and how the gateway is.
 */
export interface IKernelGateway {
  /**
   * The configuration in force.
   */
  readonly config: IGatewayConfig;
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
   * Whether the kernel `id` runs on the gateway.
   */
  isGatewayKernel(id: string): boolean;
  /**
   * Ask the gateway whether it works (`GET api`); resolves with the health.
   */
  checkConnection(): Promise<IGatewayHealth | null>;
}

/**
 * The kernel gateway service token.
 */
export const IKernelGateway = new Token<IKernelGateway>(
  'jupyterlab-kernel-gateway:IKernelGateway',
  'Where kernels run (a Kernel Gateway or the local server), the gateway health, and the routing kernel, kernelspec and session managers.'
);
