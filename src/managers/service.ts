import type {
  Kernel,
  KernelSpec,
  ServerConnection,
  Session
} from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IConfigResult, IGatewayConfig } from '../gateway/config';
import { cookieWarnings, isGatewayConfigured } from '../gateway/config';
import type { FetchFunction } from '../gateway/connection';
import type { IGatewayHealth } from '../gateway/request';
import type { IKeyValueStorage } from '../gateway/store';
import type { IKernelGateway } from '../tokens';
import type { IKernelBackend } from './backend';
import { BackendSet, LocalBackend } from './backend';
import { GatewayBackend } from './gatewaybackend';
import { RoutingKernelManager } from './kernelmanager';
import { RoutingKernelSpecManager } from './kernelspecmanager';
import { RoutingSessionManager } from './sessionmanager';

/**
 * Builds the backends from the configuration and the routing managers over
 * them. With a gateway configured, kernels run there and the local server
 * receives no kernel, kernelspec or session request; without one, the local
 * server's kernels are managed exactly as by JupyterLab itself.
 */
export class KernelGatewayService implements IKernelGateway {
  constructor(options: KernelGatewayService.IOptions) {
    const { config, problems } = options.settings;
    this.config = config;
    this.problems = [
      ...problems,
      ...cookieWarnings(config, options.pageOrigin)
    ];
    let backend: IKernelBackend;
    if (isGatewayConfigured(config)) {
      this._gateway = new GatewayBackend({
        config,
        pageOrigin: options.pageOrigin,
        localBaseUrl: options.localBaseUrl,
        serverRoot: options.serverRoot,
        storage: options.storage,
        storageEvents: options.storageEvents,
        standby: options.standby,
        fetch: options.fetch,
        WebSocket: options.WebSocket
      });
      this._gateway.requester.healthChanged.connect(this._onHealth, this);
      backend = this._gateway;
    } else {
      this._local = new LocalBackend({
        serverSettings: options.localSettings,
        standby: options.standby
      });
      backend = this._local;
    }
    this._backends = new BackendSet([backend]);
    this.kernels = new RoutingKernelManager({ backends: this._backends });
    this.kernelspecs = new RoutingKernelSpecManager({
      backends: this._backends
    });
    this.sessions = new RoutingSessionManager({ backends: this._backends });
  }

  readonly config: IGatewayConfig;
  readonly problems: IConfigResult['problems'];
  readonly kernels: Kernel.IManager;
  readonly kernelspecs: KernelSpec.IManager;
  readonly sessions: Session.IManager;

  get isGateway(): boolean {
    return this._gateway !== null;
  }

  get label(): string {
    return this._backends.primary.label;
  }

  get health(): IGatewayHealth | null {
    return this._gateway?.requester.health ?? null;
  }

  get healthChanged(): ISignal<this, IGatewayHealth> {
    return this._healthChanged;
  }

  isGatewayKernel(id: string): boolean {
    return this._gateway?.kernelClient.owns(id) ?? false;
  }

  async checkConnection(): Promise<IGatewayHealth | null> {
    if (!this._gateway) {
      return null;
    }
    try {
      await this._gateway.requester.check();
    } catch {
      // The health says what went wrong.
    }
    return this._gateway.requester.health;
  }

  private _onHealth(_: unknown, health: IGatewayHealth): void {
    this._healthChanged.emit(health);
  }

  private _backends: BackendSet;
  private _gateway: GatewayBackend | null = null;
  private _local: LocalBackend | null = null;
  private _healthChanged = new Signal<this, IGatewayHealth>(this);
}

export namespace KernelGatewayService {
  export interface IOptions {
    /**
     * The loaded settings.
     */
    settings: IConfigResult;
    /**
     * The local server's settings, for local kernels.
     */
    localSettings?: ServerConnection.ISettings;
    pageOrigin: string;
    localBaseUrl: string;
    serverRoot?: string;
    storage: IKeyValueStorage;
    storageEvents?: EventTarget;
    standby?: () => boolean | 'when-hidden';
    fetch?: FetchFunction;
    WebSocket?: typeof WebSocket;
  }
}
