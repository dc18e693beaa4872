import type {
  Kernel,
  KernelSpec,
  ServerConnection,
  Session
} from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type {
  IConfigResult,
  IGatewayConfig,
  ISettingProblem
} from '../gateway/config';
import {
  configWarnings,
  gatewayLabel,
  isGatewayConfigured,
  kernelUsernameOf,
  sameConfig
} from '../gateway/config';
import type { FetchFunction } from '../gateway/connection';
import type { LaunchOptionsChooser } from '../gateway/kernelclient';
import type { LaunchValues } from '../gateway/launchoptions';
import type { IGatewayHealth } from '../gateway/request';
import type { IKeyValueStorage } from '../store/browserstore';
import type { ISessionStoreInfo, ISessionStores } from '../store/store';
import type {
  IConfigChange,
  IKernelGateway,
  IKernelLaunch,
  IKernelLoss
} from '../tokens';
import type { IGatewayBackend, IKernelBackend } from './backend';
import { BackendSet, isGatewayBackend, LocalBackend, placeOf } from './backend';
import { GatewayBackend } from './gatewaybackend';
import { RoutingKernelManager } from './kernelmanager';
import {
  offeredDisplayName,
  RoutingKernelSpecManager
} from './kernelspecmanager';
import { RoutingSessionManager } from './sessionmanager';

/**
 * Builds the backends from the configuration and the routing managers over
 * them. With a gateway configured, kernels run there and the local server
 * receives no kernel, kernelspec or session request; without one, the local
 * server's kernels are managed exactly as by JupyterLab itself.
 *
 * The configuration can change while the page runs ({@link configure}):
 * new kernels go where it says at once; kernels already running elsewhere
 * keep running until their notebooks change kernel.
 */
export class KernelGatewayService implements IKernelGateway {
  constructor(options: KernelGatewayService.IOptions) {
    this._options = options;
    const { primary: config, beside } = arrange(options.settings);
    this._config = config;
    this._gateways = beside;
    this._locked = options.settings.locked ?? false;
    this.problems = [
      ...options.settings.problems,
      ...(options.settings.ignored ?? []),
      ...[config, ...beside]
        .map(gateway => configWarnings(gateway, options.pageOrigin))
        .reduce((all, some) => [...all, ...some], [])
    ];
    this._backends = new BackendSet(this._create(config));
    this._backends.offerBeside(this._besideFor(config, beside));
    this._follow(this._backends.primary);
    this.kernels = new RoutingKernelManager({ backends: this._backends });
    this.kernelspecs = this._kernelspecs = new RoutingKernelSpecManager({
      backends: this._backends
    });
    this.sessions = new RoutingSessionManager({ backends: this._backends });
  }

  readonly problems: ReadonlyArray<ISettingProblem>;
  readonly kernels: Kernel.IManager;
  readonly kernelspecs: KernelSpec.IManager;
  readonly sessions: Session.IManager;

  get gatewaysLocked(): boolean {
    return this._locked;
  }

  get config(): IGatewayConfig {
    return this._config;
  }

  get isGateway(): boolean {
    return this._gateway() !== null;
  }

  get label(): string {
    return gatewayLabel(this._config);
  }

  get health(): IGatewayHealth | null {
    return this._gateway()?.health ?? null;
  }

  get healthChanged(): ISignal<this, IGatewayHealth> {
    return this._healthChanged;
  }

  get configChanged(): ISignal<this, IConfigChange> {
    return this._configChanged;
  }

  get kernelLost(): ISignal<this, IKernelLoss> {
    return this._kernelLost;
  }

  get kernelLaunch(): ISignal<this, IKernelLaunch> {
    return this._kernelLaunch;
  }

  get sessionStore(): ISessionStoreInfo {
    return this._options.stores.info;
  }

  async kernelUsername(config = this._config): Promise<string> {
    return isGatewayConfigured(config)
      ? kernelUsernameOf(config, this._localUserName)
      : '';
  }

  launchValues(kernelId: string): LaunchValues | undefined {
    for (const backend of this._backends.backends) {
      const values = isGatewayBackend(backend)
        ? backend.launchValues(kernelId)
        : undefined;
      if (values) {
        return values;
      }
    }
    return undefined;
  }

  setLaunchOptionsChooser(chooser: LaunchOptionsChooser | null): void {
    this._launchOptionsChooser = chooser;
  }

  /**
   * Apply new settings without a page reload.
   *
   * @returns what was refused; when anything was, nothing changes and the
   * configuration in force stays.
   */
  configure(settings: IConfigResult): ReadonlyArray<ISettingProblem> {
    if (settings.problems.length > 0) {
      return settings.problems;
    }
    this._locked = settings.locked ?? false;
    const previous = this._config;
    const { primary: config, beside: gateways } = arrange(settings);
    if (
      sameConfig(previous, config) &&
      gateways.length === this._gateways.length &&
      gateways.every((gateway, i) => sameConfig(gateway, this._gateways[i]))
    ) {
      return [];
    }
    const before = this._backends.beside;
    const active = this._backends.primary;
    if (isGatewayBackend(active) && active.id === config.url) {
      // Same gateway: new token, timeouts or environment, in place.
      active.reconfigure(config);
    } else {
      const next = this._reuse(config) ?? this._create(config);
      this._unfollow(active);
      this._backends.activate(next);
      this._follow(next);
    }
    this._backends.offerBeside(this._besideFor(config, gateways));
    this._gateways = gateways;
    this._config = config;
    // A gateway renamed in place: its kernelspecs are offered under its
    // new label.
    this._kernelspecs.relabel();
    const kept: IConfigChange['kept'][number][] = [];
    for (const backend of this._backends.retired) {
      for (const session of backend.sessions.running()) {
        kept.push({ session, where: backend.label });
      }
    }
    const after = this._backends.offered;
    const left = before
      .filter(backend => !after.includes(backend))
      .map(backend => backend.label);
    this._configChanged.emit({ previous, current: config, kept, left });
    return [];
  }

  isGatewayKernel(id: string): boolean {
    return this._backends.backends.some(
      backend => isGatewayBackend(backend) && backend.owns(id)
    );
  }

  get beside(): ReadonlyArray<IKernelBackend> {
    return this._backends.beside;
  }

  placeOf(kernelId: string): string | null {
    const backend = this._backends.forKernel(kernelId);
    return backend && this._backends.beside.includes(backend)
      ? placeOf(backend)
      : null;
  }

  placeOfSpec(name: string): string | null {
    const { backend } = this._backends.forSpec(name);
    return backend === this._backends.primary ? null : placeOf(backend);
  }

  besideAt(place: string): IKernelBackend | null {
    return this._backends.beside.find(b => placeOf(b) === place) ?? null;
  }

  specNameAt(place: string, name: string): string | null {
    const backend = this.besideAt(place);
    if (!backend?.kernelspecs.specs?.kernelspecs[name]) {
      return null;
    }
    return this._backends.specName(backend, name);
  }

  keptKernel(kernel: {
    id: string;
    name: string;
  }): { where: string; displayName: string } | undefined {
    const backend = this._backends.forKernel(kernel.id);
    if (!backend || backend === this._backends.primary) {
      return undefined;
    }
    // Its own kernelspec name, whether the model is the backend's own or
    // the routing managers' (listed under the offered name).
    const name = this._backends.ownName(backend, kernel.name);
    const spec = backend.kernelspecs.specs?.kernelspecs[name];
    return {
      where: backend.label,
      displayName: offeredDisplayName(backend, spec?.display_name ?? name)
    };
  }

  async checkConnection(): Promise<IGatewayHealth | null> {
    const gateway = this._gateway();
    if (!gateway) {
      return null;
    }
    return gateway.check();
  }

  /**
   * The active gateway backend, if kernels go to a gateway.
   */
  private _gateway(): IGatewayBackend | null {
    const active = this._backends.primary;
    return isGatewayBackend(active) ? active : null;
  }

  /**
   * The backends to offer beside the one for `config`: this server when the
   * settings ask, then the listed gateways (known ones reused).
   */
  private _besideFor(
    config: IGatewayConfig,
    gateways: ReadonlyArray<IGatewayConfig>
  ): IKernelBackend[] {
    const local =
      isGatewayConfigured(config) && config.offerLocalKernels
        ? [this._backends.find('local') ?? this._local()]
        : [];
    return [
      ...local,
      ...gateways.map(gateway => this._reuse(gateway) ?? this._create(gateway))
    ];
  }

  /**
   * A known backend for this gateway (or the local server), reconfigured.
   */
  private _reuse(config: IGatewayConfig): IKernelBackend | undefined {
    const reused = this._backends.find(config.url || 'local');
    if (reused && isGatewayBackend(reused)) {
      reused.reconfigure(config);
    }
    return reused;
  }

  private _local(): IKernelBackend {
    return new LocalBackend({
      serverSettings: this._options.localSettings,
      standby: this._options.standby,
      ownSpecName: this._ownSpecName
    });
  }

  private _create(config: IGatewayConfig): IKernelBackend {
    const options = this._options;
    if (!isGatewayConfigured(config)) {
      return this._local();
    }
    const backend = new GatewayBackend({
      config,
      pageOrigin: options.pageOrigin,
      localBaseUrl: options.localBaseUrl,
      serverRoot: options.serverRoot,
      stores: options.stores,
      clientIds: options.clientIds,
      standby: options.standby,
      fetch: options.fetch,
      WebSocket: options.WebSocket,
      loadImage: options.loadImage,
      localUserName: this._localUserName,
      heartbeat: options.heartbeat,
      ownSpecName: this._ownSpecName,
      launchOptions: request =>
        this._launchOptionsChooser?.(request) ?? Promise.resolve({})
    });
    backend.kernelLaunch.connect((_, event) =>
      this._kernelLaunch.emit({ ...event, gatewayUrl: backend.config.url })
    );
    backend.kernelLost.connect((_, session) =>
      this._kernelLost.emit({
        path: session.path,
        type: session.type,
        // The name to start a new kernel of the same kernelspec by.
        kernelName: this._backends.offered.includes(backend)
          ? this._backends.specName(backend, session.kernel.name)
          : session.kernel.name,
        gatewayUrl: backend.config.url
      })
    );
    return backend;
  }

  private _follow(backend: IKernelBackend): void {
    if (isGatewayBackend(backend)) {
      backend.healthChanged.connect(this._onHealth, this);
    }
  }

  private _unfollow(backend: IKernelBackend): void {
    if (isGatewayBackend(backend)) {
      backend.healthChanged.disconnect(this._onHealth, this);
    }
  }

  private _onHealth(_: unknown, health: IGatewayHealth): void {
    this._healthChanged.emit(health);
  }

  /**
   * The local server's user name, asked once.
   */
  private _localUserName = (): Promise<string> =>
    (this._userName ??= this._options.localUserName?.() ?? Promise.resolve(''));

  /**
   * The name a backend knows an offered kernelspec by.
   */
  private _ownSpecName = (offered: string): string =>
    this._backends.forSpec(offered).name ?? offered;

  private _locked: boolean;
  private _options: KernelGatewayService.IOptions;
  private _gateways: ReadonlyArray<IGatewayConfig>;
  private _kernelspecs: RoutingKernelSpecManager;
  private _userName: Promise<string> | undefined;
  private _launchOptionsChooser: LaunchOptionsChooser | null = null;
  private _config: IGatewayConfig;
  private _backends: BackendSet;
  private _healthChanged = new Signal<this, IGatewayHealth>(this);
  private _configChanged = new Signal<this, IConfigChange>(this);
  private _kernelLost = new Signal<this, IKernelLoss>(this);
  private _kernelLaunch = new Signal<this, IKernelLaunch>(this);
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
    /**
     * Where sessions and this user's kernels are kept.
     */
    stores: ISessionStores;
    /**
     * Per-tab storage surviving reloads (`sessionStorage`).
     */
    clientIds?: IKeyValueStorage;
    standby?: () => boolean | 'when-hidden';
    /**
     * The local server's user name (its identity API), for
     * `KERNEL_USERNAME` when the setting is empty.
     */
    localUserName?: () => Promise<string>;
    /**
     * Probe kernel websockets for silence and keep them alive (see
     * `GatewayBackend.IOptions.heartbeat`).
     */
    heartbeat?: boolean;
    fetch?: FetchFunction;
    WebSocket?: typeof WebSocket;
    loadImage?: (url: string) => Promise<boolean>;
  }
}

/**
 * The gateway new kernels go to by default (the first one set: the
 * single-gateway settings, else the first of the list) and those offered
 * beside it.
 */
function arrange(settings: IConfigResult): {
  primary: IGatewayConfig;
  beside: ReadonlyArray<IGatewayConfig>;
} {
  const { config, gateways } = settings;
  if (isGatewayConfigured(config) || gateways.length === 0) {
    return { primary: config, beside: gateways };
  }
  const [first, ...rest] = gateways;
  return {
    primary: { ...first, offerLocalKernels: config.offerLocalKernels },
    beside: rest
  };
}
