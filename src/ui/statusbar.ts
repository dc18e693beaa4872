import { Dialog } from '@jupyterlab/apputils';
import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { refusalReason } from '../gateway/errors';
import type { IGatewayHealth } from '../gateway/request';
import { isGatewayBackend, placeOf } from '../managers/backend';
import type { IKernelGateway } from '../tokens';
import { CommandIDs } from './commands';
import type { ICurrentBackend } from './currentbackend';

/**
 * The status-bar item: where kernels run, the gateway's state and the
 * round trip of its last check, e.g. "● gpu-cluster · connected · 12 ms".
 * With backends offered beside the default one, it shows the one the
 * current notebook's or console's kernel runs on. Clicking it opens the
 * details. A native button, so it is in the tab order and Enter or Space
 * opens the details too (as the kernel status item,
 * which is a `role="button"` with `tabIndex` and a keydown handler); its
 * accessible name says what it is as well as what it shows.
 */
export class GatewayStatusItem extends Widget {
  constructor(options: GatewayStatusItem.IOptions) {
    super({ node: document.createElement('button') });
    this._gateway = options.gateway;
    this._current = options.current ?? null;
    this._commands = options.commands;
    this._trans = options.trans;
    this.addClass('jp-KernelGateway-status');
    this.node.setAttribute('type', 'button');
    this.node.setAttribute('aria-haspopup', 'dialog');
    this._dot.className = 'jp-KernelGateway-statusDot';
    // The dot's colour repeats the state the text gives.
    this._dot.setAttribute('aria-hidden', 'true');
    this.node.append(this._dot, this._text);
    this.node.addEventListener('click', () => void this.showDetails());
    this._gateway.healthChanged.connect(this.update, this);
    this._gateway.configChanged.connect(this.update, this);
    this._current?.changed.connect(this.update, this);
    this.update();
  }

  /**
   * The words shown for the current state.
   */
  get stateText(): string {
    return this._shown().words;
  }

  /**
   * Open the details panel, with its actions.
   */
  async showDetails(): Promise<void> {
    if (this._opening) {
      return;
    }
    this._opening = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // Fresh kernel states, unless the gateway is slow to answer: the
      // panel opens within a second either way.
      await Promise.race([
        this._gateway.kernels.refreshRunning().catch(() => undefined),
        new Promise(resolve => (timer = setTimeout(resolve, 1000)))
      ]);
    } finally {
      clearTimeout(timer);
      this._opening = false;
    }
    const body = new Widget();
    body.addClass('jp-KernelGateway-details');
    const rows = detailRows(this._gateway, this._trans);
    const table = document.createElement('dl');
    for (const [term, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      table.append(dt, dd);
    }
    body.node.append(table);
    const title = this._trans.__('Kernel Gateway');
    const dialog = new Dialog({
      title,
      body,
      buttons: [
        Dialog.createButton({
          label: this._trans.__('Test connection'),
          actions: ['test']
        }),
        Dialog.createButton({
          label: this._trans.__('Open settings'),
          actions: ['settings']
        }),
        ...(this._gateway.gatewaysLocked
          ? []
          : [
              Dialog.createButton({
                label: this._trans.__('Add a gateway…'),
                actions: ['connect']
              })
            ]),
        Dialog.okButton({ label: this._trans.__('Close') })
      ]
    });
    // A dialog with a widget body has no accessible name of its own.
    dialog.node.setAttribute('aria-label', title);
    const result = await dialog.launch();
    if (result.button.actions.includes('test')) {
      // The backend shown: the current notebook's gateway, if beside.
      const shown = this._current?.backend;
      await this._commands.execute(
        CommandIDs.testConnection,
        shown && isGatewayBackend(shown) ? { gateway: placeOf(shown) } : {}
      );
    } else if (result.button.actions.includes('settings')) {
      await this._commands.execute(CommandIDs.openSettings);
    } else if (result.button.actions.includes('connect')) {
      await this._commands.execute(CommandIDs.connect);
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._gateway.healthChanged.disconnect(this.update, this);
    this._gateway.configChanged.disconnect(this.update, this);
    this._current?.changed.disconnect(this.update, this);
    super.dispose();
  }

  protected onUpdateRequest(): void {
    const { label, state, words, rtt, where } = this._shown();
    const parts = [label, words];
    if (rtt !== undefined) {
      parts.push(`${rtt} ms`);
    }
    this._text.textContent = parts.join(' · ');
    // What the item is, then what it shows (its visible words included).
    this.node.setAttribute(
      'aria-label',
      this._trans.__('Kernel Gateway: %1', parts.join(', '))
    );
    this.node.dataset.state = state;
    this.node.title = this._trans.__(
      'Where kernels run: %1. Click for details and a connection test.',
      where
    );
  }

  /**
   * What the item shows: the backend of the current notebook's kernel when
   * that is one offered beside the default, else the default.
   */
  private _shown(): IShown {
    const backend = this._current?.backend;
    if (backend) {
      return isGatewayBackend(backend)
        ? shownGateway(
            backend.label,
            backend.health,
            backend.config.url,
            this._trans
          )
        : shownLocal(backend.label, this._trans);
    }
    const gateway = this._gateway;
    return gateway.isGateway
      ? shownGateway(
          gateway.label,
          gateway.health,
          gateway.config.url,
          this._trans
        )
      : shownLocal(gateway.label, this._trans);
  }

  update(): void {
    // Render at once: a status item is small, and tests read it directly.
    this.onUpdateRequest();
  }

  private _opening = false;
  private _gateway: IKernelGateway;
  private _current: ICurrentBackend | null;
  private _commands: CommandRegistry;
  private _trans: TranslationBundle;
  private _dot = document.createElement('span');
  private _text = document.createElement('span');
}

export namespace GatewayStatusItem {
  export interface IOptions {
    gateway: IKernelGateway;
    commands: CommandRegistry;
    trans: TranslationBundle;
    /**
     * Where the current notebook's kernel runs, when that is a backend
     * offered beside the default one.
     */
    current?: ICurrentBackend;
  }
}

/**
 * What the status item shows of one backend.
 */
interface IShown {
  label: string;
  /**
   * The health state, or `local` for this Jupyter server.
   */
  state: IGatewayHealth['state'] | 'local';
  words: string;
  /**
   * The round trip of the last check, when connected.
   */
  rtt?: number;
  /**
   * The gateway's URL, or "local kernels".
   */
  where: string;
}

function shownGateway(
  label: string,
  health: IGatewayHealth | null,
  url: string,
  trans: TranslationBundle
): IShown {
  return {
    label,
    state: health?.state ?? 'unknown',
    words: describeState(health, trans),
    rtt: health?.state === 'connected' ? health.rtt : undefined,
    where: url
  };
}

function shownLocal(label: string, trans: TranslationBundle): IShown {
  const where = trans.__('this Jupyter server');
  return { label, state: 'local', words: trans.__('local kernels'), where };
}

/**
 * The state in words: connected, unreachable (retrying), token refused,
 * CORS or token refused, checking.
 */
export function describeState(
  health: IGatewayHealth | null,
  trans: TranslationBundle
): string {
  switch (health?.state) {
    case 'connected':
      return trans.__('connected');
    case 'unreachable':
      return trans.__('unreachable (retrying)');
    case 'refused': {
      const reason = refusalReason(health.error);
      if (reason === 'token') {
        return trans.__('token refused');
      }
      if (reason === 'mixed-content') {
        return trans.__('blocked: http gateway on an https page');
      }
      return reason === 'cors'
        ? trans.__('CORS refused')
        : trans.__('refused: token or CORS');
    }
    case 'unknown':
    case undefined:
      return trans.__('checking…');
  }
}

/**
 * The rows of the details panel.
 */
function detailRows(
  gateway: IKernelGateway,
  trans: TranslationBundle
): [string, string][] {
  const health = gateway.health;
  const rows: [string, string][] = [];
  if (!gateway.isGateway) {
    rows.push([
      trans.__('Kernels run on'),
      trans.__('this Jupyter server (no Kernel Gateway URL is set)')
    ]);
  } else {
    rows.push([
      trans.__('Gateway'),
      `${gateway.label} — ${gateway.config.url}`
    ]);
    rows.push([trans.__('State'), describeState(health, trans)]);
    rows.push([
      trans.__('Version (GET /api)'),
      health?.version ?? trans.__('unknown')
    ]);
    if (health?.rtt !== undefined) {
      rows.push([
        trans.__('Round trip of the last check'),
        `${health.rtt} ms (${new Date(health.time).toLocaleTimeString()})`
      ]);
    }
  }
  const sessions = Array.from(gateway.sessions.running());
  // Only the kernels where new kernels go: those kept on a previous
  // gateway run elsewhere (their notebooks are named after it).
  const here = Array.from(gateway.kernels.running()).filter(
    kernel => !gateway.keptKernel(kernel)
  );
  const displayName = (kernel: Kernel.IModel) =>
    gateway.kernelspecs.specs?.kernelspecs[kernel.name]?.display_name ??
    kernel.name;
  const describe = (kernel: Kernel.IModel, name: string, options = '') => {
    const users = sessions
      .filter(session => session.kernel?.id === kernel.id)
      .map(session => session.path);
    const state = kernel.execution_state ? `, ${kernel.execution_state}` : '';
    return users.length > 0
      ? `${name}${state}${options}: ${users.join(', ')}`
      : `${name}${state}${options}`;
  };
  const kernels = here.map(kernel => {
    const values = gateway.launchValues(kernel.id);
    const options = values
      ? ` (${Object.entries(values)
          .map(([option, value]) => `${option}=${value}`)
          .join(', ')})`
      : '';
    return describe(kernel, displayName(kernel), options);
  });
  rows.push([
    trans.__('Your kernels there'),
    kernels.length > 0 ? kernels.join('\n') : trans.__('none')
  ]);
  // Every backend offered beside: where, its state, its kernels.
  for (const backend of gateway.beside) {
    const place = placeOf(backend);
    const running = Array.from(gateway.kernels.running())
      .filter(kernel => gateway.placeOf(kernel.id) === place)
      .map(kernel => describe(kernel, displayName(kernel)));
    const lines = isGatewayBackend(backend)
      ? [
          `${backend.config.url} — ${describeState(backend.health, trans)}`,
          trans.__(
            'kernelspecs offered as %1:<name>, named "… [%2]"',
            place,
            backend.label
          )
        ]
      : [
          trans.__(
            'this Jupyter server: kernelspecs offered as local:<name>, without a gateway name'
          )
        ];
    lines.push(
      running.length > 0
        ? trans.__('your kernels there: %1', running.join('; '))
        : trans.__('your kernels there: none')
    );
    rows.push([trans.__('Also offered: %1', backend.label), lines.join('\n')]);
  }
  if (gateway.isGateway) {
    rows.push([trans.__('Sessions kept'), storeText(gateway, trans)]);
  }
  if (health?.error) {
    rows.push([trans.__('Last error'), health.error.message]);
  }
  return rows;
}

/**
 * Where sessions are kept, and what that means for the user.
 */
function storeText(gateway: IKernelGateway, trans: TranslationBundle): string {
  const store = gateway.sessionStore;
  const where =
    store.kind === 'server'
      ? trans.__(
          'on this Jupyter server: every browser and device you use finds the kernels of your notebooks'
        )
      : trans.__(
          'in this browser only: another browser or device does not find these kernels, and clearing site data forgets them (they keep running on the gateway until culled). Install the Python package (pip) so that the Jupyter server keeps them.'
        );
  return store.problem ? `${where}\n${store.problem}` : where;
}
