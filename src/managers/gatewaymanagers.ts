import type { Kernel, Session } from '@jupyterlab/services';
import {
  KernelManager,
  ServerConnection,
  SessionManager
} from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';

import type { IKeyValueStorage } from '../store/browserstore';
import { KernelHeartbeat } from './heartbeat';

/**
 * JupyterLab's kernel manager, keeping track of its kernel connections so
 * that they can all reconnect at once when the gateway answers again.
 */
export class GatewayKernelManager extends KernelManager {
  constructor(options: GatewayKernelManager.IOptions) {
    super(options);
    this._onShutdownReply = options.onShutdownReply;
    this._heartbeat = options.heartbeat;
  }

  connectTo(
    options: Kernel.IKernelConnection.IOptions
  ): Kernel.IKernelConnection {
    const connection = super.connectTo(options);
    this._connections.add(connection);
    connection.disposed.connect(() => this._connections.delete(connection));
    connection.anyMessage.connect(this._onMessage, this);
    if (this._heartbeat) {
      // Disposed with the connection (or the manager).
      const heartbeat = new KernelHeartbeat({
        ...this._heartbeat,
        connection
      });
      this._heartbeats.add(heartbeat);
      connection.disposed.connect(() => this._heartbeats.delete(heartbeat));
    }
    return connection;
  }

  dispose(): void {
    for (const heartbeat of this._heartbeats) {
      heartbeat.dispose();
    }
    this._heartbeats.clear();
    super.dispose();
  }

  /**
   * Reconnect the kernel connections that gave up (after their last retry
   * JupyterLab leaves them disconnected). Connections still retrying are
   * left alone: they wait in `getModel` for the gateway (see
   * {@link PatientKernelClient}) and reconnect by themselves the moment it
   * answers; a second reconnect would cut the first one while the gateway
   * replays the messages it buffered.
   */
  reconnectAll(): void {
    for (const connection of this._connections) {
      if (
        !connection.isDisposed &&
        connection.connectionStatus === 'disconnected' &&
        connection.status !== 'dead'
      ) {
        void connection.reconnect().catch(() => undefined);
      }
    }
  }

  /**
   * A gateway that shuts a kernel down (culling it, or a request from
   * elsewhere) sends its connections a `shutdown_reply` and then leaves the
   * websocket open: without this, the notebook would learn of it only at
   * the next poll.
   */
  private _onMessage(
    connection: Kernel.IKernelConnection,
    args: Kernel.IAnyMessageArgs
  ): void {
    const { msg, direction } = args;
    if (
      direction === 'recv' &&
      msg.header.msg_type === 'shutdown_reply' &&
      !(msg.content as { restart?: boolean }).restart
    ) {
      this._onShutdownReply?.(connection.id);
    }
  }

  private _connections = new Set<Kernel.IKernelConnection>();
  private _onShutdownReply?: (kernelId: string) => void;
  private _heartbeat?: Omit<KernelHeartbeat.IOptions, 'connection'>;
  private _heartbeats = new Set<KernelHeartbeat>();
}

export namespace GatewayKernelManager {
  export interface IOptions extends KernelManager.IOptions {
    /**
     * Called when a kernel connection hears that its kernel shut down (not
     * for a restart).
     */
    onShutdownReply?: (kernelId: string) => void;
    /**
     * Probe every kernel connection (see {@link KernelHeartbeat}).
     */
    heartbeat?: Omit<KernelHeartbeat.IOptions, 'connection'>;
  }
}

/**
 * The kernel client as kernel connections use it.
 *
 * When its websocket closes, a kernel connection asks `getModel` whether
 * the kernel still exists; if the gateway cannot be reached, JupyterLab
 * retries 10 to 30 s later, and a late retry landing after a reconnection
 * starts another one, cutting the websocket while the gateway replays
 * what it buffered. So here `getModel` waits for the gateway to answer
 * again (up to `patienceMs`), then answers at once: the connection
 * reconnects the moment the gateway is back, exactly once.
 */
export class PatientKernelClient implements Kernel.IKernelAPIClient {
  constructor(
    private readonly _inner: Kernel.IKernelAPIClient,
    private readonly _waitForGateway: (timeoutMs: number) => Promise<boolean>,
    private readonly _patienceMs = 10 * 60 * 1000
  ) {}

  get serverSettings(): ServerConnection.ISettings {
    return this._inner.serverSettings;
  }

  async getModel(id: string): Promise<Kernel.IModel | undefined> {
    try {
      return await this._inner.getModel(id);
    } catch (error) {
      if (!(error instanceof ServerConnection.NetworkError)) {
        throw error;
      }
      if (!(await this._waitForGateway(this._patienceMs))) {
        throw error;
      }
      return this._inner.getModel(id);
    }
  }

  listRunning(): Promise<Kernel.IModel[]> {
    return this._inner.listRunning();
  }

  startNew(options?: Kernel.IKernelOptions): Promise<Kernel.IModel> {
    return this._inner.startNew(options);
  }

  restart(id: string): Promise<void> {
    return this._inner.restart(id);
  }

  interrupt(id: string): Promise<void> {
    return this._inner.interrupt(id);
  }

  shutdown(id: string): Promise<void> {
    return this._inner.shutdown(id);
  }
}

/**
 * JupyterLab's session manager, giving each session's kernel connection a
 * client id that survives a page reload in this tab.
 *
 * Kernel Gateway buffers a kernel's messages while its websocket is down,
 * and replays them when a websocket with the same `session_id` returns: a
 * notebook that reconnects (network cut, gateway back, page reloaded) gets
 * the output produced meanwhile. The id is kept in `sessionStorage`: per
 * tab (two tabs on one notebook must not use the same id: the gateway would
 * close the other tab's connection), surviving reloads.
 *
 * For the same reason, one connection per session in a page holds that id:
 * the first one that handles comms (a notebook's or console's). Any other
 * (JupyterLab 4.4 and 4.5's help menu connects to every new session to read
 * its kernel's help links, with `handleComms: false`) gets an id of its own.
 */
export class GatewaySessionManager extends SessionManager {
  constructor(
    options: SessionManager.IOptions & {
      clientIds: IKeyValueStorage | null;
      scope: string;
    }
  ) {
    super(options);
    this._clientIds = options.clientIds;
    this._scope = options.scope;
  }

  connectTo(
    options: Omit<
      Session.ISessionConnection.IOptions,
      'connectToKernel' | 'serverSettings'
    >
  ): Session.ISessionConnection {
    const id = options.model.id;
    const holds =
      options.clientId === undefined &&
      options.kernelConnectionOptions?.handleComms !== false &&
      !this._holders.has(id);
    const connection = super.connectTo({
      ...options,
      clientId:
        options.clientId ?? (holds ? this.clientIdFor(id) : UUID.uuid4())
    });
    if (holds) {
      this._holders.add(id);
      connection.disposed.connect(() => this._holders.delete(id));
    }
    return connection;
  }

  /**
   * The client id of a session in this tab.
   */
  clientIdFor(sessionId: string): string {
    const key = `jupyterlab-kernel-gateway:client:${this._scope}:${sessionId}`;
    let id: string | null = null;
    try {
      id = this._clientIds?.getItem(key) ?? null;
      if (!id) {
        id = UUID.uuid4();
        this._clientIds?.setItem(key, id);
      }
    } catch {
      id = id ?? UUID.uuid4();
    }
    return id;
  }

  private _clientIds: IKeyValueStorage | null;
  private _holders = new Set<string>();
  private _scope: string;
}
