import type { KernelSpec, Session } from '@jupyterlab/services';
import { KernelSpecManager } from '@jupyterlab/services';

import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IGatewayConfig } from '../gateway/config';
import { gatewayLabel, kernelUsernameOf } from '../gateway/config';
import type { FetchFunction } from '../gateway/connection';
import { makeGatewaySettings } from '../gateway/connection';
import type { LaunchOptionsChooser } from '../gateway/kernelclient';
import type { LaunchValues } from '../gateway/launchoptions';
import { GatewayKernelClient } from '../gateway/kernelclient';
import { GatewayKernelSpecClient } from '../gateway/kernelspecclient';
import type { ILaunchEvent } from '../gateway/launch';
import type { IGatewayHealth } from '../gateway/request';
import { GatewayRequester } from '../gateway/request';
import { ClientSessionClient } from '../gateway/sessionclient';
import type { IKeyValueStorage } from '../store/browserstore';
import type { ISessionRecord } from '../store/records';
import type { IBackendStore, ISessionStores } from '../store/store';
import type {
  IBackendOptions,
  IGatewayBackend,
  IKernelBackend
} from './backend';
import { tolerateDisposal } from './backend';
import {
  GatewayKernelManager,
  GatewaySessionManager,
  PatientKernelClient
} from './gatewaymanagers';
import { HealthMonitor } from './health';
import { RetirableSessionClient } from './retirable';

/**
 * The kernels of one gateway: JupyterLab's stock managers, built with the
 * gateway's REST clients and connection settings.
 */
export class GatewayBackend implements IGatewayBackend {
  constructor(options: GatewayBackend.IOptions) {
    const { config, standby } = options;
    const network: FetchFunction =
      options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this._config = config;
    const current = () => this._config;
    const serverSettings = makeGatewaySettings(current, {
      fetch: network,
      WebSocket: options.WebSocket
    });
    this.id = config.url;
    this._localUserName = options.localUserName;
    this.requester = new GatewayRequester({
      config: current,
      serverSettings,
      network,
      pageOrigin: options.pageOrigin,
      loadImage: options.loadImage
    });

    // Sessions and kernels are remembered per gateway (and per local
    // server), on the Jupyter server or in this browser.
    const scope = `${config.url}|${options.localBaseUrl}`;
    this._store = options.stores.forBackend(config.url);

    this.kernelClient = new GatewayKernelClient({
      requester: this.requester,
      store: this._store,
      serverRoot: options.serverRoot,
      username: this.kernelUsername,
      launchOptions: options.launchOptions,
      onLost: id => this._onKernelGone(id),
      onLaunch: event => {
        if (event.phase === 'timeout') {
          // Shut down on purpose: drop its sessions without calling it lost.
          void this._clientSessions
            .forgetKernel(event.kernelId)
            .then(() => this.sessions.refreshRunning())
            .catch(() => undefined);
        }
        this._kernelLaunch.emit(event);
      }
    });
    const kernelSpecAPIClient = (this.kernelSpecClient =
      new GatewayKernelSpecClient({
        requester: this.requester,
        username: this.kernelUsername
      }));
    this.kernels = new GatewayKernelManager({
      serverSettings,
      standby,
      kernelAPIClient: new PatientKernelClient(this.kernelClient, timeout =>
        this.requester.waitUntilConnected(timeout)
      ),
      kernelSpecAPIClient,
      onShutdownReply: id => void this.kernelClient.confirmGone(id),
      heartbeat: options.heartbeat
        ? {
            keepAliveSeconds: () => this._config.keepAliveInterval,
            onSilent: (_, seconds) => this.requester.reportSilence(seconds),
            gatewayAnswers: () => this.requester.health.state === 'connected'
          }
        : undefined
    });
    this.kernelspecs = new KernelSpecManager({
      serverSettings,
      standby,
      kernelSpecAPIClient
    });
    this._clientSessions = new ClientSessionClient({
      kernelClient: this.kernelClient,
      store: this._store,
      onDropped: session => this._tellLost(session)
    });
    this._sessionClient = new RetirableSessionClient(
      this._clientSessions,
      options.ownSpecName
    );
    this.sessions = new GatewaySessionManager({
      kernelManager: this.kernels,
      serverSettings,
      standby,
      sessionAPIClient: this._sessionClient,
      clientIds: options.clientIds ?? null,
      scope
    });

    // Another tab started, renamed or shut down a session: catch up now
    // rather than at the next poll.
    this._store.changed.connect(this._refresh, this);
    tolerateDisposal(this);

    // Check the gateway now and then (GET api: health, round trip,
    // version), and catch up as soon as it answers again.
    this._health = new HealthMonitor({
      check: async () => {
        await this.requester.check();
        return true;
      },
      standby: options.standby
    });
    this.requester.healthChanged.connect(this._onHealth, this);
  }

  /**
   * Emitted with the progress of slow kernel launches.
   */
  get kernelLaunch(): ISignal<this, ILaunchEvent> {
    return this._kernelLaunch;
  }

  /**
   * Emitted, once per session and kernel, when this page finds the kernel
   * of a session gone from the gateway (culled, shut down elsewhere,
   * gateway restarted).
   */
  get kernelLost(): ISignal<this, ISessionRecord> {
    return this._kernelLost;
  }

  /**
   * Where this backend's sessions are kept.
   */
  get storeKind(): IBackendStore['kind'] {
    return this._store.kind;
  }

  readonly kind = 'gateway';
  readonly id: string;
  readonly failuresAreLocal = false;

  get health(): IGatewayHealth {
    return this.requester.health;
  }

  get healthChanged(): ISignal<this, IGatewayHealth> {
    return this._healthChanged;
  }

  async check(): Promise<IGatewayHealth> {
    try {
      await this.requester.check();
    } catch {
      // The health says what went wrong.
    }
    return this.requester.health;
  }

  owns(kernelId: string): boolean {
    return this.kernelClient.owns(kernelId);
  }

  launchValues(kernelId: string): LaunchValues | undefined {
    return this.kernelClient.launchValues(kernelId);
  }

  /**
   * The configuration in force.
   */
  get config(): IGatewayConfig {
    return this._config;
  }

  /**
   * The name the user gave the gateway, or its host.
   */
  get label(): string {
    return gatewayLabel(this._config);
  }

  /**
   * Apply a new configuration of the same gateway (same URL): a new token,
   * websocket URL, timeouts or kernel environment take effect for the next
   * request, websocket and kernel start, without touching running kernels.
   */
  reconfigure(config: IGatewayConfig): void {
    if (config.url !== this.id) {
      throw new Error(
        `A backend for ${this.id} cannot be moved to ${config.url}.`
      );
    }
    this._config = config;
    // Logo URLs carry the token: fetch them again.
    void this.kernelspecs.refreshSpecs().catch(() => undefined);
  }
  /**
   * The user's name as sent in `KERNEL_USERNAME`: the setting, else the
   * local server's user name.
   */
  readonly kernelUsername = (): Promise<string> =>
    kernelUsernameOf(this._config, this._localUserName);

  /**
   * Makes the REST requests and tracks the gateway's health.
   */
  readonly requester: GatewayRequester;
  readonly kernelClient: GatewayKernelClient;
  readonly kernelSpecClient: GatewayKernelSpecClient;
  readonly kernels: GatewayKernelManager;
  readonly kernelspecs: KernelSpec.IManager;
  readonly sessions: Session.IManager;

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  retire(active: IKernelBackend | null): void {
    this._sessionClient.retirement = active
      ? {
          from: `the Kernel Gateway at ${this.config.url}`,
          to: active.label
        }
      : null;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._health.dispose();
    this.requester.healthChanged.disconnect(this._onHealth, this);
    this._store.dispose();
    this.sessions.dispose();
    this.kernels.dispose();
    this.kernelspecs.dispose();
  }

  private _onHealth(_: unknown, health: IGatewayHealth): void {
    const wasDown = this._lastState !== 'connected';
    this._lastState = health.state;
    if (this._isDisposed) {
      return;
    }
    if (health.state !== 'connected') {
      this._health.retrySoon();
    } else if (wasDown) {
      // Back (or up for the first time): reconnect the kernels' websockets
      // (the gateway replays what they missed) and list everything again.
      this.kernels.reconnectAll();
      void this.kernelspecs.refreshSpecs().catch(() => undefined);
      void this.kernels.refreshRunning().catch(() => undefined);
      void this.sessions.refreshRunning().catch(() => undefined);
    }
    this._healthChanged.emit(health);
  }

  /**
   * A kernel this page knew is gone: tell the notebooks that used it (as
   * last listed) now, and drop their sessions.
   */
  private _onKernelGone(kernelId: string): void {
    for (const model of this.sessions.running()) {
      if (model.kernel?.id === kernelId) {
        this._tellLost({
          id: model.id,
          path: model.path,
          name: model.name,
          type: model.type,
          kernel: { id: kernelId, name: model.kernel.name }
        });
      }
    }
    void this.sessions.refreshRunning().catch(() => undefined);
  }

  /**
   * Tell of a session whose kernel is gone, once per session and kernel
   * (this page may find it gone by listing and by its websocket).
   */
  private _tellLost(session: ISessionRecord): void {
    const key = `${session.id}\n${session.kernel.id}`;
    if (!this._told.has(key)) {
      this._told.add(key);
      this._kernelLost.emit(session);
    }
  }

  private _refresh(): void {
    if (this._refreshing || this._isDisposed) {
      return;
    }
    // Coalesce bursts of changes into one refresh.
    this._refreshing = true;
    setTimeout(() => {
      this._refreshing = false;
      if (this._isDisposed) {
        return;
      }
      void Promise.all([
        this.kernels.refreshRunning(),
        this.sessions.refreshRunning()
      ]).catch(() => undefined);
    }, 50);
  }

  private _config: IGatewayConfig;
  private _localUserName?: () => Promise<string>;
  private _health: HealthMonitor;
  private _lastState: IGatewayHealth['state'] = 'unknown';
  private _healthChanged = new Signal<this, IGatewayHealth>(this);
  private _kernelLost = new Signal<this, ISessionRecord>(this);
  private _told = new Set<string>();
  private _kernelLaunch = new Signal<this, ILaunchEvent>(this);
  private _clientSessions!: ClientSessionClient;
  private _sessionClient: RetirableSessionClient;
  private _store: IBackendStore;
  private _refreshing = false;
  private _isDisposed = false;
}

export namespace GatewayBackend {
  export interface IOptions extends IBackendOptions {
    config: IGatewayConfig;
    /**
     * The origin of this page, named in CORS advice.
     */
    pageOrigin: string;
    /**
     * The local server's base URL, to keep sessions per local server.
     */
    localBaseUrl: string;
    /**
     * The local server's root directory, for `KERNEL_WORKING_DIR`.
     */
    serverRoot?: string;
    /**
     * Where sessions and this user's kernels are kept (the Jupyter server,
     * or `localStorage`).
     */
    stores: ISessionStores;
    /**
     * Per-tab storage that survives reloads (`sessionStorage`), for the
     * kernel connections' client ids.
     */
    clientIds?: IKeyValueStorage;
    /**
     * The network `fetch`; tests inject one only to create faults.
     */
    fetch?: FetchFunction;
    WebSocket?: typeof WebSocket;
    /**
     * Whether an image loads (browsers): tells a wrong token from CORS.
     */
    loadImage?: (url: string) => Promise<boolean>;
    /**
     * The local server's user name (its identity API), sent as
     * `KERNEL_USERNAME` when the setting is empty.
     */
    localUserName?: () => Promise<string>;
    /**
     * Asks the user for the values of launch options.
     */
    launchOptions?: LaunchOptionsChooser;
    /**
     * Probe kernel websockets (see `KernelHeartbeat`): only where the page
     * leaves the probes' status messages out of the kernel status shown
     * (JupyterLab's `untracked_message_types` lists `kernel_info_request`).
     */
    heartbeat?: boolean;
  }
}
