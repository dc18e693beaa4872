import { Dialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { LaunchOptionsChooser } from '../gateway/kernelclient';
import type { ILaunchOption } from '../gateway/launchoptions';
import { checkLaunchValue, launchDefaults } from '../gateway/launchoptions';

/**
 * The notebook metadata key under which the last launch options chosen for
 * a notebook are kept.
 */
export const METADATA_KEY = 'jupyterlab-kernel-gateway';

/**
 * Ask for the launch options before a kernel starts on a gateway that
 * declares some: a short form, filled with the notebook's last choice (or
 * the defaults), that refuses invalid values before any request; "Skip"
 * starts the kernel with the defaults. The choice is kept in the
 * notebook's metadata for next time.
 */
export function launchOptionsChooser(options: {
  notebooks: INotebookTracker | null;
  trans: TranslationBundle;
  where: () => string;
}): LaunchOptionsChooser {
  const { trans } = options;
  return async request => {
    const panel = findNotebook(options.notebooks, request.path);
    const previous = (
      panel?.model?.getMetadata(METADATA_KEY) as
        { launchOptions?: unknown } | undefined
    )?.launchOptions;
    const form = new LaunchOptionsForm(
      request.options,
      launchDefaults(request.options, previous),
      trans
    );
    const name = panel ? PathExt.basename(panel.context.path) : '';
    const title = name
      ? trans.__('Kernel launch options for %1 on %2', name, options.where())
      : trans.__('Kernel launch options on %1', options.where());
    const dialog = new Dialog({
      title,
      body: form,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Skip (defaults)') }),
        Dialog.okButton({ label: trans.__('Start kernel') })
      ],
      focusNodeSelector: 'input, select'
    });
    // A dialog with a widget body has no accessible name of its own.
    dialog.node.setAttribute('aria-label', title);
    const result = await dialog.launch();
    if (!result.button.accept || result.value === null) {
      return launchDefaults(request.options, undefined);
    }
    if (panel?.model) {
      panel.model.setMetadata(METADATA_KEY, {
        ...((panel.model.getMetadata(METADATA_KEY) as object) ?? {}),
        launchOptions: result.value
      });
    }
    return result.value;
  };
}

/**
 * The form: one labelled field per option, with its allowed values or
 * range, and a message under each value that is not allowed. "Start kernel"
 * is disabled while any value is refused.
 */
export class LaunchOptionsForm
  extends Widget
  implements Dialog.IBodyWidget<Record<string, string> | null>
{
  constructor(
    options: ReadonlyArray<ILaunchOption>,
    values: Record<string, string>,
    trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-KernelGateway-launchOptions');
    this._options = options;
    this._trans = trans;
    for (const option of options) {
      const id = `jp-KernelGateway-launch-${option.name}`;
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = `${option.title} (${option.name})`;
      const field = option.choices
        ? this._select(option, values[option.name])
        : this._input(option, values[option.name]);
      field.id = id;
      field.name = option.name;
      const hint = document.createElement('div');
      hint.className = 'jp-KernelGateway-launchHint';
      hint.id = `${id}-hint`;
      hint.textContent = [option.description, allowed(option, trans)]
        .filter(Boolean)
        .join(' ');
      const error = document.createElement('div');
      error.className = 'jp-KernelGateway-launchError';
      error.id = `${id}-error`;
      error.setAttribute('role', 'alert');
      field.setAttribute('aria-describedby', `${hint.id} ${error.id}`);
      field.addEventListener('input', () => this._check());
      this._fields.set(option.name, { field, error });
      this.node.append(label, field, hint, error);
    }
  }

  /**
   * The values, or `null` when one is not allowed.
   */
  getValue(): Record<string, string> | null {
    return this._check() ? this._values() : null;
  }

  protected onAfterAttach(): void {
    this._check();
    // Before the dialog's own handler, which would start the kernel with
    // the defaults on Enter in a field while a value is refused.
    window.addEventListener('keydown', this, true);
  }

  protected onBeforeDetach(): void {
    window.removeEventListener('keydown', this, true);
  }

  dispose(): void {
    window.removeEventListener('keydown', this, true);
    super.dispose();
  }

  handleEvent(event: Event): void {
    if (
      event.type !== 'keydown' ||
      (event as KeyboardEvent).key !== 'Enter' ||
      !this.node.contains(event.target as Node) ||
      this._check()
    ) {
      return;
    }
    // Enter with a value refused: stay in the form, on the first such field
    // (its message is read out: an alert).
    event.preventDefault();
    event.stopPropagation();
    for (const { field } of this._fields.values()) {
      if (field.getAttribute('aria-invalid') === 'true') {
        field.focus();
        break;
      }
    }
  }

  private _values(): Record<string, string> {
    const values: Record<string, string> = {};
    for (const [name, { field }] of this._fields) {
      values[name] = field.value.trim();
    }
    return values;
  }

  /**
   * Mark the values that are not allowed; enable "Start kernel" when all are.
   */
  private _check(): boolean {
    let ok = true;
    for (const option of this._options) {
      const { field, error } = this._fields.get(option.name)!;
      const problem = checkLaunchValue(option, field.value);
      const message = problem ? this._trans.__('Must be %1.', problem) : '';
      // Rewritten only when it changes: an alert is read out when it is.
      if (error.textContent !== message) {
        error.textContent = message;
      }
      field.setAttribute('aria-invalid', problem ? 'true' : 'false');
      ok = ok && !problem;
    }
    const start = this.node
      .closest('.jp-Dialog-content')
      ?.querySelector<HTMLButtonElement>('.jp-Dialog-button.jp-mod-accept');
    if (start) {
      start.disabled = !ok;
    }
    return ok;
  }

  private _input(option: ILaunchOption, value: string): HTMLInputElement {
    const input = document.createElement('input');
    input.className = 'jp-mod-styled';
    input.type = option.type === 'string' ? 'text' : 'number';
    if (option.type === 'integer') {
      input.step = '1';
    }
    if (option.minimum !== undefined) {
      input.min = String(option.minimum);
    }
    if (option.maximum !== undefined) {
      input.max = String(option.maximum);
    }
    input.value = value;
    return input;
  }

  private _select(option: ILaunchOption, value: string): HTMLSelectElement {
    const select = document.createElement('select');
    select.className = 'jp-mod-styled';
    for (const choice of option.choices ?? []) {
      const item = document.createElement('option');
      item.value = choice;
      item.textContent = choice;
      select.append(item);
    }
    select.value = value;
    return select;
  }

  private _options: ReadonlyArray<ILaunchOption>;
  private _fields = new Map<
    string,
    { field: HTMLInputElement | HTMLSelectElement; error: HTMLElement }
  >();
  private _trans: TranslationBundle;
}

/**
 * What values an option allows, in words.
 */
function allowed(option: ILaunchOption, trans: TranslationBundle): string {
  if (option.choices) {
    return trans.__('One of: %1.', option.choices.join(', '));
  }
  if (option.minimum !== undefined && option.maximum !== undefined) {
    return trans.__('From %1 to %2.', option.minimum, option.maximum);
  }
  if (option.minimum !== undefined) {
    return trans.__('At least %1.', option.minimum);
  }
  if (option.maximum !== undefined) {
    return trans.__('At most %1.', option.maximum);
  }
  return '';
}

/**
 * The notebook a kernel starts for. JupyterLab starts a notebook's session
 * under a temporary name in the notebook's directory, so the notebook is
 * the current widget when it is in that directory (it was just opened, or
 * its kernel changed), else the only one there still without a kernel.
 */
function findNotebook(
  notebooks: INotebookTracker | null,
  path: string | undefined
): NotebookPanel | undefined {
  if (!notebooks || path === undefined) {
    return undefined;
  }
  const exact = notebooks.find(panel => panel.context.path === path);
  if (exact) {
    return exact;
  }
  const dir = PathExt.dirname(path);
  const inDir = (panel: NotebookPanel) =>
    PathExt.dirname(panel.context.path) === dir;
  const current = notebooks.currentWidget;
  if (current && inDir(current)) {
    return current;
  }
  const waiting: NotebookPanel[] = [];
  notebooks.forEach(panel => {
    if (inDir(panel) && !panel.sessionContext.session?.kernel) {
      waiting.push(panel);
    }
  });
  return waiting.length === 1 ? waiting[0] : undefined;
}
