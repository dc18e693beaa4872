import type { Kernel, KernelSpec, Session } from '@jupyterlab/services';
import {
  KernelManager,
  KernelSpecManager,
  SessionManager
} from '@jupyterlab/services';

import type { IGatewayConfig } from '../gateway/config';
import type { FetchFunction } from '../gateway/connection';
import { makeGatewaySettings } from '../gateway/connection';
import type { IOwnedKernel } from '../gateway/kernelclient';
import {
  GatewayKernelClient,
  validateOwnedKernel
} from '../gateway/kernelclient';
import { GatewayKernelSpecClient } from '../gateway/kernelspecclient';
import { GatewayRequester } from '../gateway/request';
import type { IStoredSession } from '../gateway/sessionclient';
import {
  ClientSessionClient,
  validateStoredSession
} from '../gateway/sessionclient';
import type { IKeyValueStorage } from '../gateway/store';
import { RecordStore } from '../gateway/store';
import type { IBackendOptions, IKernelBackend } from './backend';

/**
 * The kernels of one gateway: JupyterLab's stock managers, built with the
 * gateway's REST clients and connection settings.
 */
export class GatewayBackend implements IKernelBackend {
  constructor(options: GatewayBackend.IOptions) {
    const { config, standby } = options;
    const network: FetchFunction =
      options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const serverSettings = makeGatewaySettings(config, {
      fetch: network,
      WebSocket: options.WebSocket
    });
    this.config = config;
    this.id = config.url;
    this.label = new URL(config.url).host;
    this.requester = new GatewayRequester({
      config,
      serverSettings,
      network,
      pageOrigin: options.pageOrigin
    });

    // Sessions and kernels are remembered per gateway and per local server:
    // the same browser may use several of each.
    const scope = `${config.url}|${options.localBaseUrl}`;
    this._owned = new RecordStore<IOwnedKernel>({
      key: `jupyterlab-kernel-gateway:kernels:${scope}`,
      storage: options.storage,
      validate: validateOwnedKernel,
      events: options.storageEvents
    });
    this._stored = new RecordStore<IStoredSession>({
      key: `jupyterlab-kernel-gateway:sessions:${scope}`,
      storage: options.storage,
      validate: validateStoredSession,
      events: options.storageEvents
    });

    this.kernelClient = new GatewayKernelClient({
      requester: this.requester,
      owned: this._owned,
      serverRoot: options.serverRoot
    });
    const kernelSpecAPIClient = (this.kernelSpecClient =
      new GatewayKernelSpecClient({
        requester: this.requester
      }));
    this.kernels = new KernelManager({
      serverSettings,
      standby,
      kernelAPIClient: this.kernelClient,
      kernelSpecAPIClient
    });
    this.kernelspecs = new KernelSpecManager({
      serverSettings,
      standby,
      kernelSpecAPIClient
    });
    this.sessions = new SessionManager({
      kernelManager: this.kernels,
      serverSettings,
      standby,
      sessionAPIClient: new ClientSessionClient({
        kernelClient: this.kernelClient,
        sessions: this._stored
      })
    });

    // Another tab started, renamed or shut down a session: catch up now
    // rather than at the next poll.
    this._stored.changed.connect(this._refresh, this);
    this._owned.changed.connect(this._refresh, this);
  }

  readonly id: string;
  readonly label: string;
  readonly failuresAreLocal = false;
  readonly config: IGatewayConfig;
  /**
   * Makes the REST requests and tracks the gateway's health.
   */
  readonly requester: GatewayRequester;
  readonly kernelClient: GatewayKernelClient;
  readonly kernelSpecClient: GatewayKernelSpecClient;
  readonly kernels: Kernel.IManager;
  readonly kernelspecs: KernelSpec.IManager;
  readonly sessions: Session.IManager;

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._owned.dispose();
    this._stored.dispose();
    this.sessions.dispose();
    this.kernels.dispose();
    this.kernelspecs.dispose();
  }

  private _refresh(_: unknown, source: RecordStore.ChangeSource): void {
    if (source !== 'external' || this._refreshing || this._isDisposed) {
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

  private _owned: RecordStore<IOwnedKernel>;
  private _stored: RecordStore<IStoredSession>;
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
     * Where sessions and owned kernels are kept (`localStorage`).
     */
    storage: IKeyValueStorage;
    /**
     * Where `storage` events of other tabs arrive (`window`).
     */
    storageEvents?: EventTarget;
    /**
     * The network `fetch`; tests inject one only to create faults.
     */
    fetch?: FetchFunction;
    WebSocket?: typeof WebSocket;
  }
}
