import type { Kernel, Session } from '@jupyterlab/services';
import { KernelManager, SessionManager } from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';

import type { IKeyValueStorage } from '../gateway/store';

/**
 * JupyterLab's kernel manager, keeping track of its kernel connections so
 * that they can all reconnect at once when the gateway answers again.
 */
export class GatewayKernelManager extends KernelManager {
  connectTo(
    options: Kernel.IKernelConnection.IOptions
  ): Kernel.IKernelConnection {
    const connection = super.connectTo(options);
    this._connections.add(connection);
    connection.disposed.connect(() => this._connections.delete(connection));
    return connection;
  }

  /**
   * Reconnect every kernel connection that lost its websocket. Kernel
   * connections retry by themselves, but only every 10 to 30 s; when the
   * gateway is known to answer again, there is no reason to wait.
   */
  reconnectAll(): void {
    for (const connection of this._connections) {
      if (
        !connection.isDisposed &&
        connection.connectionStatus !== 'connected' &&
        connection.status !== 'dead'
      ) {
        void connection.reconnect().catch(() => undefined);
      }
    }
  }

  private _connections = new Set<Kernel.IKernelConnection>();
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
    return super.connectTo({
      ...options,
      clientId: options.clientId ?? this.clientIdFor(options.model.id)
    });
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
  private _scope: string;
}
