import type { Session } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { BackendSet, IKernelBackend } from './backend';
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

  /**
   * The sessions of every backend, backend by backend, their kernels under
   * the kernelspec names JupyterLab was offered (as the routing kernel
   * manager lists them): the file browser names a notebook's kernel after
   * that kernelspec.
   */
  *running(): IterableIterator<Session.IModel> {
    for (const backend of this.backends.backends) {
      for (const model of backend.sessions.running()) {
        yield this._listed(backend, model);
      }
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
    return this._find(sessions => sessions.findById(id));
  }

  async findByPath(path: string): Promise<Session.IModel | undefined> {
    return this._find(sessions => sessions.findByPath(path));
  }

  connectTo(
    options: Omit<
      Session.ISessionConnection.IOptions,
      'connectToKernel' | 'serverSettings'
    >
  ): Session.ISessionConnection {
    const { model } = options;
    const backend = this.backends.forSession(model.id) ?? this.backends.primary;
    // The backend knows its kernel by its own kernelspec name.
    const kernel = model.kernel && {
      ...model.kernel,
      name: this.backends.ownName(backend, model.kernel.name)
    };
    return backend.sessions.connectTo({
      ...options,
      model: { ...model, kernel }
    });
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
   * The first model a backend finds, listed as by {@link running}.
   */
  private async _find(
    find: (sessions: Session.IManager) => Promise<Session.IModel | undefined>
  ): Promise<Session.IModel | undefined> {
    for (const backend of this.backends.backends) {
      const model = await find(backend.sessions);
      if (model) {
        return this._listed(backend, model);
      }
    }
    return undefined;
  }

  private _listed(
    backend: IKernelBackend,
    model: Session.IModel
  ): Session.IModel {
    return model.kernel
      ? {
          ...model,
          kernel: {
            ...model.kernel,
            name: this.backends.listedName(backend, model.kernel.name)
          }
        }
      : model;
  }

  private _onRunningChanged(): void {
    this._runningChanged.emit(Array.from(this.running()));
  }

  private _runningChanged = new Signal<this, Session.IModel[]>(this);
}
