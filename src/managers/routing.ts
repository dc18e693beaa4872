import type { ServerConnection } from '@jupyterlab/services';
import { BaseManager } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { BackendSet, IKernelBackend } from './backend';

/**
 * What the routing managers need of each backend's manager.
 */
interface IPart {
  readonly serverSettings?: ServerConnection.ISettings;
  readonly isReady: boolean;
  readonly ready: Promise<void>;
  readonly connectionFailure: ISignal<unknown, ServerConnection.NetworkError>;
}

/**
 * The part the routing managers share: readiness over all backends, and
 * connection failures forwarded only for the local server — a gateway's
 * failures would otherwise open JupyterLab's "Server Connection Error"
 * dialog, which blames the local server; the extension reports them itself.
 */
export abstract class RoutingManager<T extends IPart> extends BaseManager {
  constructor(backends: BackendSet, part: (backend: IKernelBackend) => T) {
    super({ serverSettings: part(backends.primary).serverSettings });
    this.backends = backends;
    this.part = part;
    for (const backend of backends.backends) {
      if (backend.failuresAreLocal) {
        part(backend).connectionFailure.connect(this._onFailure, this);
      }
    }
  }

  get connectionFailure(): ISignal<this, ServerConnection.NetworkError> {
    return this._connectionFailure;
  }

  get isReady(): boolean {
    return this.parts().every(part => part.isReady);
  }

  get ready(): Promise<void> {
    return Promise.all(this.parts().map(part => part.ready)).then(
      () => undefined
    );
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    for (const part of this.parts()) {
      part.connectionFailure.disconnect(this._onFailure, this);
    }
    super.dispose();
  }

  /**
   * This manager's counterpart in every backend.
   */
  protected parts(): T[] {
    return this.backends.backends.map(this.part);
  }

  protected readonly backends: BackendSet;
  protected readonly part: (backend: IKernelBackend) => T;

  private _onFailure(_: unknown, error: ServerConnection.NetworkError): void {
    this._connectionFailure.emit(error);
  }

  private _connectionFailure = new Signal<this, ServerConnection.NetworkError>(
    this
  );
}
