import type { IDisposable } from '@lumino/disposable';

/**
 * Checks a gateway now and then: every 30 s while it answers; when it does
 * not, again after 1, 2, 4, 8, then every 15 s, so that a gateway (or
 * network) that comes back is noticed within seconds, not minutes. Checks
 * are skipped while the page is hidden, like JupyterLab's own polling.
 */
export class HealthMonitor implements IDisposable {
  constructor(options: HealthMonitor.IOptions) {
    this._check = options.check;
    this._standby = options.standby ?? (() => 'when-hidden');
    this._schedule(0);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Something failed: check again soon (unless a check is due sooner).
   */
  retrySoon(): void {
    if (this._failures === 0) {
      this._failures = 1;
      this._schedule(RETRY_DELAYS[0]);
    }
  }

  dispose(): void {
    this._isDisposed = true;
    clearTimeout(this._timer);
  }

  private _schedule(delay: number): void {
    clearTimeout(this._timer);
    if (this._isDisposed) {
      return;
    }
    this._timer = setTimeout(() => void this._run(), delay);
  }

  private async _run(): Promise<void> {
    const standby = this._standby();
    const hidden =
      typeof document !== 'undefined' && document.visibilityState === 'hidden';
    if (standby === true || (standby === 'when-hidden' && hidden)) {
      this._schedule(HEALTHY_INTERVAL);
      return;
    }
    let ok = false;
    try {
      ok = await this._check();
    } catch {
      ok = false;
    }
    if (ok) {
      this._failures = 0;
      this._schedule(HEALTHY_INTERVAL);
    } else {
      const delay =
        RETRY_DELAYS[Math.min(this._failures, RETRY_DELAYS.length - 1)];
      this._failures += 1;
      this._schedule(delay);
    }
  }

  private _check: () => Promise<boolean>;
  private _standby: () => boolean | 'when-hidden';
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _failures = 0;
  private _isDisposed = false;
}

export namespace HealthMonitor {
  export interface IOptions {
    /**
     * Check the gateway; resolve `true` when it works.
     */
    check: () => Promise<boolean>;
    standby?: () => boolean | 'when-hidden';
  }
}

const HEALTHY_INTERVAL = 30 * 1000;
const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000];
