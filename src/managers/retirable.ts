import type { ServerConnection, Session } from '@jupyterlab/services';

/**
 * Where a retired backend's notebooks should start their next kernel.
 */
export interface IRetirement {
  /**
   * Where the retired backend runs kernels ("localhost:8889", "Local").
   */
  readonly from: string;
  /**
   * Where new kernels go now.
   */
  readonly to: string;
}

/**
 * A session client that stops starting kernels once its backend is retired.
 *
 * A notebook keeps the kernel it has on a retired backend, but when its
 * user changes kernel, the new kernel must start where the settings now
 * say, not on the retired backend. JupyterLab changes a kernel through the
 * session's own client, which can only start kernels on its own backend; so
 * this client shuts the old session down and says what to do: select the
 * kernel again, which starts a session on the active backend.
 */
export class RetirableSessionClient implements Session.ISessionAPIClient {
  /**
   * @param _ownName - the name this backend knows a kernelspec by, from the
   * name it is offered under (see `BackendSet.forSpec`): a session whose
   * kernel changes is asked for the offered name.
   */
  constructor(
    private readonly _inner: Session.ISessionAPIClient,
    private readonly _ownName: (name: string) => string = name => name
  ) {}

  /**
   * Set when the backend is retired; `null` while it is active.
   */
  retirement: IRetirement | null = null;

  get serverSettings(): ServerConnection.ISettings {
    return this._inner.serverSettings;
  }

  listRunning(): Promise<Session.IModel[]> {
    return this._inner.listRunning();
  }

  getModel(id: string): Promise<Session.IModel> {
    return this._inner.getModel(id);
  }

  startNew(options: Session.ISessionOptions): Promise<Session.IModel> {
    return this._inner.startNew(options);
  }

  shutdown(id: string): Promise<void> {
    return this._inner.shutdown(id);
  }

  async update(
    model: Parameters<Session.ISessionAPIClient['update']>[0]
  ): Promise<Session.IModel> {
    const retirement = this.retirement;
    if (retirement && model.kernel) {
      await this._inner.shutdown(model.id);
      throw new Error(
        `This notebook's kernel ran on ${retirement.from}, which the ` +
          `Kernel Gateway settings no longer use. That kernel is shut down; ` +
          `select a kernel again to start one on ${retirement.to}.`
      );
    }
    const name = model.kernel?.name;
    return this._inner.update(
      name
        ? { ...model, kernel: { ...model.kernel, name: this._ownName(name) } }
        : model
    );
  }
}
