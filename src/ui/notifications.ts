import { Notification, showErrorMessage } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import type { IDisposable } from '@lumino/disposable';

import type { ISettingProblem } from '../gateway/config';
import { summarizeGatewayError } from '../gateway/errors';
import type { IGatewayHealth } from '../gateway/request';
import type { IGatewayBackend } from '../managers/backend';
import { isGatewayBackend } from '../managers/backend';
import type { IKernelGateway, IKernelLaunch, IKernelLoss } from '../tokens';
import { CommandIDs } from './commands';

/**
 * Tells the user, with JupyterLab's notifications, when the gateway stops
 * answering or refuses the page, and when it works again. One notification
 * per episode, updated in place, so a flapping gateway does not flood the
 * notification centre. Messages name the gateway and what to check.
 */
export class GatewayNotifier implements IDisposable {
  constructor(options: {
    gateway: IKernelGateway;
    commands: CommandRegistry;
    trans: TranslationBundle;
    /**
     * Start a new kernel for the notebook or console at `path`.
     */
    startNewKernel: (path: string, kernelName: string) => Promise<void>;
  }) {
    this._trans = options.trans;
    this._gateway = options.gateway;
    this._commands = options.commands;
    this._startNewKernel = options.startNewKernel;
    this._gateway.healthChanged.connect(this._onHealth, this);
    this._gateway.kernelLost.connect(this._onKernelLost, this);
    this._gateway.kernelLaunch.connect(this._onKernelLaunch, this);
    this._gateway.configChanged.connect(this._followBeside, this);
    const health = this._gateway.health;
    if (health && health.state !== 'unknown') {
      this._onHealth(this._gateway, health);
    }
    this._followBeside();
    const storeProblem = this._gateway.sessionStore.problem;
    if (storeProblem && this._gateway.isGateway) {
      Notification.warning(storeProblem, { autoClose: false });
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._gateway.healthChanged.disconnect(this._onHealth, this);
    this._gateway.kernelLost.disconnect(this._onKernelLost, this);
    this._gateway.kernelLaunch.disconnect(this._onKernelLaunch, this);
    this._gateway.configChanged.disconnect(this._followBeside, this);
    for (const backend of this._beside) {
      backend.healthChanged.disconnect(this._onBesideHealth, this);
    }
  }

  /**
   * Warn about settings that were refused.
   */
  showProblems(problems: ReadonlyArray<ISettingProblem>): void {
    if (problems.length === 0) {
      return;
    }
    Notification.warning(problems.map(p => p.message).join('\n'), {
      autoClose: false,
      actions: [this._openSettingsAction()]
    });
  }

  private _onHealth(_: unknown, health: IGatewayHealth): void {
    this._showHealth(
      this._gateway.config.url,
      health,
      () => void this._gateway.checkConnection()
    );
  }

  /**
   * Follow the health of the gateways offered beside the first one.
   */
  private _followBeside(): void {
    const beside = this._gateway.beside.filter(isGatewayBackend);
    for (const backend of this._beside) {
      if (!beside.includes(backend)) {
        backend.healthChanged.disconnect(this._onBesideHealth, this);
      }
    }
    for (const backend of beside) {
      if (!this._beside.includes(backend)) {
        backend.healthChanged.connect(this._onBesideHealth, this);
        if (backend.health.state !== 'unknown') {
          this._onBesideHealth(backend, backend.health);
        }
      }
    }
    this._beside = beside;
  }

  private _onBesideHealth(
    backend: IGatewayBackend,
    health: IGatewayHealth
  ): void {
    this._showHealth(backend.config.url, health, () => void backend.check());
  }

  /**
   * One notification per gateway and episode: an error while it fails,
   * turned into a success when it answers again.
   */
  private _showHealth(
    url: string,
    health: IGatewayHealth,
    retry: () => void
  ): void {
    const failureId = this._failureIds.get(url);
    if (health.state === 'unreachable' || health.state === 'refused') {
      const error = health.error;
      const detail =
        error?.message ?? this._trans.__('The Kernel Gateway failed.');
      // The toast holds one sentence; "Details" shows what to do.
      const message = error ? summarizeGatewayError(error) : detail;
      const actions: Notification.IAction[] = [
        {
          label: this._trans.__('Details'),
          caption: this._trans.__('What went wrong and how to fix it'),
          callback: () =>
            void showErrorMessage(this._trans.__('Kernel Gateway'), {
              message: detail
            })
        },
        {
          label: this._trans.__('Retry'),
          caption: this._trans.__('Check the Kernel Gateway connection again'),
          callback: retry
        },
        this._openSettingsAction()
      ];
      if (failureId && Notification.manager.has(failureId)) {
        Notification.update({
          id: failureId,
          message,
          type: 'error',
          autoClose: false,
          actions
        });
      } else {
        this._failureIds.set(
          url,
          Notification.error(message, { autoClose: false, actions })
        );
      }
      return;
    }
    if (health.state === 'connected' && failureId) {
      const message = this._trans.__(
        'The Kernel Gateway at %1 answers again.',
        url
      );
      if (Notification.manager.has(failureId)) {
        Notification.update({
          id: failureId,
          message,
          type: 'success',
          autoClose: 5000,
          actions: []
        });
      } else {
        Notification.success(message, { autoClose: 5000 });
      }
      this._failureIds.delete(url);
    }
  }

  private _onKernelLost(_: unknown, loss: IKernelLoss): void {
    const name = loss.path.split('/').pop() ?? loss.path;
    Notification.warning(
      this._trans.__(
        'The kernel of %1 is gone from the Kernel Gateway (culled, shut down elsewhere, or the gateway restarted). Its variables are lost; the notebook and its outputs are kept.',
        name
      ),
      {
        autoClose: false,
        actions: [
          {
            label: this._trans.__('Start new kernel'),
            caption: this._trans.__('Start a new kernel for %1', name),
            callback: () =>
              void this._startNewKernel(loss.path, loss.kernelName)
          }
        ]
      }
    );
  }

  /**
   * Show a slow launch's progress in one notification, updated in place.
   */
  private _onKernelLaunch(_: unknown, event: IKernelLaunch): void {
    const seconds = (ms: number) => Math.round(ms / 1000);
    // The session's path now (a notebook starts its session under a
    // temporary name, then renames it).
    const session = Array.from(this._gateway.sessions.running()).find(
      model => model.kernel?.id === event.kernelId
    );
    const path = session?.path ?? event.path;
    const what = path
      ? this._trans.__('%1 for %2', event.kernelName, path.split('/').pop())
      : event.kernelName;
    const id = this._launches.get(event.kernelId);
    if (event.phase === 'waiting') {
      const message = this._trans.__(
        'Starting %1 on the Kernel Gateway… %2 s (launch timeout %3 s)',
        what,
        seconds(event.elapsedMs),
        seconds(event.timeoutMs)
      );
      if (id && Notification.manager.has(id)) {
        Notification.update({ id, message, type: 'in-progress' });
      } else {
        this._launches.set(
          event.kernelId,
          Notification.emit(message, 'in-progress', { autoClose: false })
        );
      }
      return;
    }
    this._launches.delete(event.kernelId);
    if (event.phase === 'failed') {
      // The start's own error says why (JupyterLab shows it).
      if (id) {
        Notification.dismiss(id);
      }
      return;
    }
    const message =
      event.phase === 'ready'
        ? this._trans.__(
            'Kernel %1 started after %2 s.',
            what,
            seconds(event.elapsedMs)
          )
        : this._trans.__(
            'Kernel %1 did not start within %2 s; it was shut down on the gateway.',
            what,
            seconds(event.timeoutMs)
          );
    const advice = this._trans.__(
      'The kernel did not start within the launch timeout (%1 s), so it was shut down on the gateway: nothing is left running there. If kernels start slowly on this gateway, raise "Kernel launch timeout" in Settings → Kernel Gateway, then select a kernel again.',
      seconds(event.timeoutMs)
    );
    const options = {
      type: event.phase === 'ready' ? ('success' as const) : ('error' as const),
      autoClose: event.phase === 'ready' ? 5000 : (false as const),
      actions:
        event.phase === 'ready'
          ? []
          : [
              {
                label: this._trans.__('Details'),
                caption: this._trans.__('What happened and what to do'),
                callback: () =>
                  void showErrorMessage(this._trans.__('Kernel Gateway'), {
                    message: advice
                  })
              },
              this._openSettingsAction()
            ]
    };
    if (id && Notification.manager.has(id)) {
      Notification.update({ id, message, ...options });
    } else {
      Notification.emit(message, options.type, options);
    }
  }

  private _openSettingsAction(): Notification.IAction {
    return {
      label: this._trans.__('Open settings'),
      caption: this._trans.__('Open the Kernel Gateway settings'),
      displayType: 'link',
      callback: () => void this._commands.execute(CommandIDs.openSettings)
    };
  }

  private _trans: TranslationBundle;
  private _startNewKernel: (path: string, kernelName: string) => Promise<void>;
  private _gateway: IKernelGateway;
  private _commands: CommandRegistry;
  /**
   * The failure notification shown for each gateway, by URL.
   */
  private _failureIds = new Map<string, string>();
  private _beside: IGatewayBackend[] = [];
  private _launches = new Map<string, string>();
  private _isDisposed = false;
}
