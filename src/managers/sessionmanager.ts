import type { Session } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { BackendSet } from './backend';
import { RoutingManager } from './routing';

type ConnectOptions = Omit<
  Session.ISessionConnection.IOptions,
  'model' | 'connectToKernel' | 'serverSettings'
>;

/**
 * The session manager JupyterLab uses: it delegates every call to the
 * backend holding the session (or offering the requested kernelspec).
 */
export class RoutingSessionManager
  extends RoutingManager<Session.IManager>
  implements Session.IManager
{
  constructor(options: { backends: BackendSet }) {
    super(options.backends, backend => backend.sessions);
    this.initialize();
  }

  get runningChanged(): ISignal<this, Session.IModel[]> {
    return this._runningChanged;
  }

  *running(): IterableIterator<Session.IModel> {
    for (const part of this.parts()) {
      yield* part.running();
    }
  }

  async refreshRunning(): Promise<void> {
    await Promise.all(this.parts().map(part => part.refreshRunning()));
  }

  async startNew(
    createOptions: Session.ISessionOptions,
    connectOptions: ConnectOptions = {}
  ): Promise<Session.ISessionConnection> {
    const kernel = createOptions.kernel;
    const { backend, name } = this.backends.forSpec(kernel?.name);
    return backend.sessions.startNew(
      kernel
        ? { ...createOptions, kernel: { ...kernel, name } }
        : createOptions,
      connectOptions
    );
  }

  async findById(id: string): Promise<Session.IModel | undefined> {
    return this._find(part => part.findById(id));
  }

  async findByPath(path: string): Promise<Session.IModel | undefined> {
    return this._find(part => part.findByPath(path));
  }

  connectTo(
    options: Omit<
      Session.ISessionConnection.IOptions,
      'connectToKernel' | 'serverSettings'
    >
  ): Session.ISessionConnection {
    const backend =
      this.backends.forSession(options.model.id) ?? this.backends.primary;
    return backend.sessions.connectTo(options);
  }

  async shutdown(id: string): Promise<void> {
    const backend = this.backends.forSession(id) ?? this.backends.primary;
    await backend.sessions.shutdown(id);
  }

  async shutdownAll(): Promise<void> {
    await Promise.all(this.parts().map(part => part.shutdownAll()));
  }

  async stopIfNeeded(path: string): Promise<void> {
    await Promise.all(this.parts().map(part => part.stopIfNeeded(path)));
  }

  protected attach(part: Session.IManager): void {
    part.runningChanged.connect(this._onRunningChanged, this);
  }

  protected detach(part: Session.IManager): void {
    part.runningChanged.disconnect(this._onRunningChanged, this);
  }

  protected refresh(): void {
    this._onRunningChanged();
  }

  /**
   * The first model a backend finds.
   */
  private async _find(
    find: (part: Session.IManager) => Promise<Session.IModel | undefined>
  ): Promise<Session.IModel | undefined> {
    for (const part of this.parts()) {
      const model = await find(part);
      if (model) {
        return model;
      }
    }
    return undefined;
  }

  private _onRunningChanged(): void {
    this._runningChanged.emit(Array.from(this.running()));
  }

  private _runningChanged = new Signal<this, Session.IModel[]>(this);
}
