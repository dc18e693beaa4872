import type { ISessionContext } from '@jupyterlab/apputils';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';

import type { IKernelBackend } from '../managers/backend';
import { isGatewayBackend } from '../managers/backend';
import type { IKernelGateway } from '../tokens';

/**
 * Where the kernel of the current notebook or console runs, when that is a
 * backend offered beside the default one (this Jupyter server, a further
 * gateway); `null` when it runs where new kernels go, or when the current
 * widget has no kernel.
 */
export interface ICurrentBackend {
  readonly backend: IKernelBackend | null;
  /**
   * Emitted when the backend or its health changes.
   */
  readonly changed: ISignal<ICurrentBackend, void>;
}

/**
 * What a widget with a kernel offers (notebook and console panels).
 */
interface ISessionHolder {
  readonly sessionContext?: ISessionContext;
}

/**
 * Follows the shell's current widget, its kernel, and the health of the
 * backend that kernel runs on.
 */
export class CurrentBackend implements ICurrentBackend, IDisposable {
  constructor(options: CurrentBackend.IOptions) {
    this._gateway = options.gateway;
    this._current = options.current;
    options.currentChanged?.connect(this._follow, this);
    this._gateway.configChanged.connect(this._update, this);
    this._follow();
  }

  get backend(): IKernelBackend | null {
    return this._backend;
  }

  get changed(): ISignal<ICurrentBackend, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._watch(null);
    this._show(null);
    this._gateway.configChanged.disconnect(this._update, this);
    Signal.clearData(this);
  }

  /**
   * The shell's current widget changed: follow its session context.
   */
  private _follow(): void {
    const holder = this._current() as ISessionHolder | null;
    this._watch(holder?.sessionContext ?? null);
    this._update();
  }

  private _watch(context: ISessionContext | null): void {
    if (context === this._context) {
      return;
    }
    for (const signal of this._signals(this._context)) {
      signal.disconnect(this._update, this);
    }
    this._context = context;
    for (const signal of this._signals(context)) {
      signal.connect(this._update, this);
    }
  }

  private _signals(
    context: ISessionContext | null
  ): ISignal<unknown, unknown>[] {
    return context
      ? [
          context.kernelChanged,
          context.sessionChanged,
          context.kernelPreferenceChanged,
          context.disposed
        ]
      : [];
  }

  private _update(): void {
    const context = this._context?.isDisposed ? null : this._context;
    const kernel = context?.session?.kernel;
    const place = kernel
      ? this._gateway.placeOf(kernel.id)
      : context
        ? this._gateway.placeOfSpec(context.kernelPreference.name ?? '')
        : null;
    this._show(place === null ? null : this._gateway.besideAt(place));
    this._changed.emit();
  }

  /**
   * Follow the health of the backend shown.
   */
  private _show(backend: IKernelBackend | null): void {
    if (backend === this._backend) {
      return;
    }
    if (this._backend && isGatewayBackend(this._backend)) {
      this._backend.healthChanged.disconnect(this._emit, this);
    }
    this._backend = backend;
    if (backend && isGatewayBackend(backend)) {
      backend.healthChanged.connect(this._emit, this);
    }
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _gateway: IKernelGateway;
  private _current: () => Widget | null;
  private _context: ISessionContext | null = null;
  private _backend: IKernelBackend | null = null;
  private _changed = new Signal<ICurrentBackend, void>(this);
  private _isDisposed = false;
}

export namespace CurrentBackend {
  export interface IOptions {
    gateway: IKernelGateway;
    /**
     * The shell's current widget.
     */
    current: () => Widget | null;
    /**
     * Emitted when the shell's current widget changes.
     */
    currentChanged?: ISignal<unknown, unknown>;
  }
}
