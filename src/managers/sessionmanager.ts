import type { ServerConnection, Session } from '@jupyterlab/services';
import { BaseManager } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { BackendSet } from './backend';

type ConnectOptions = Omit<
  Session.ISessionConnection.IOptions,
  'model' | 'connectToKernel' | 'serverSettings'
>;

/**
 * The session manager JupyterLab uses: it delegates every call to the
 * backend holding the session (or offering the requested kernelspec).
 */
export class RoutingSessionManager
  extends BaseManager
  implements Session.IManager
{
  constructor(options: { backends: BackendSet }) {
    super({
      serverSettings: options.backends.primary.sessions.serverSettings
    });
    this._backends = options.backends;
    for (const backend of this._backends.backends) {
      backend.sessions.runningChanged.connect(this._onRunningChanged, this);
      if (backend.failuresAreLocal) {
        backend.sessions.connectionFailure.connect(this._onFailure, this);
      }
    }
  }

  get runningChanged(): ISignal<this, Session.IModel[]> {
    return this._runningChanged;
  }

  get connectionFailure(): ISignal<this, ServerConnection.NetworkError> {
    return this._connectionFailure;
  }

  get isReady(): boolean {
    return this._backends.backends.every(b => b.sessions.isReady);
  }

  get ready(): Promise<void> {
    return Promise.all(
      this._backends.backends.map(backend => backend.sessions.ready)
    ).then(() => undefined);
  }

  *running(): IterableIterator<Session.IModel> {
    for (const backend of this._backends.backends) {
      yield* backend.sessions.running();
    }
  }

  async refreshRunning(): Promise<void> {
    await Promise.all(
      this._backends.backends.map(backend => backend.sessions.refreshRunning())
    );
  }

  async startNew(
    createOptions: Session.ISessionOptions,
    connectOptions: ConnectOptions = {}
  ): Promise<Session.ISessionConnection> {
    return this._backends
      .forSpec(createOptions.kernel?.name)
      .sessions.startNew(createOptions, connectOptions);
  }

  async findById(id: string): Promise<Session.IModel | undefined> {
    for (const backend of this._backends.backends) {
      const model = await backend.sessions.findById(id);
      if (model) {
        return model;
      }
    }
    return undefined;
  }

  async findByPath(path: string): Promise<Session.IModel | undefined> {
    for (const backend of this._backends.backends) {
      const model = await backend.sessions.findByPath(path);
      if (model) {
        return model;
      }
    }
    return undefined;
  }

  connectTo(
    options: Omit<
      Session.ISessionConnection.IOptions,
      'connectToKernel' | 'serverSettings'
    >
  ): Session.ISessionConnection {
    const backend =
      this._backends.forSession(options.model.id) ?? this._backends.primary;
    return backend.sessions.connectTo(options);
  }

  async shutdown(id: string): Promise<void> {
    const backend = this._backends.forSession(id) ?? this._backends.primary;
    await backend.sessions.shutdown(id);
  }

  async shutdownAll(): Promise<void> {
    await Promise.all(
      this._backends.backends.map(backend => backend.sessions.shutdownAll())
    );
  }

  async stopIfNeeded(path: string): Promise<void> {
    await Promise.all(
      this._backends.backends.map(backend =>
        backend.sessions.stopIfNeeded(path)
      )
    );
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    for (const backend of this._backends.backends) {
      backend.sessions.runningChanged.disconnect(this._onRunningChanged, this);
      backend.sessions.connectionFailure.disconnect(this._onFailure, this);
    }
    super.dispose();
  }

  private _onRunningChanged(): void {
    this._runningChanged.emit(Array.from(this.running()));
  }

  private _onFailure(_: unknown, error: ServerConnection.NetworkError): void {
    this._connectionFailure.emit(error);
  }

  private _backends: BackendSet;
  private _runningChanged = new Signal<this, Session.IModel[]>(this);
  private _connectionFailure = new Signal<this, ServerConnection.NetworkError>(
    this
  );
}
