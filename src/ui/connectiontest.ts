import { Dialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { IGatewayConfig } from '../gateway/config';
import type { IDiagnosticStep } from '../gateway/diagnostics';
import { testGatewayConnection } from '../gateway/diagnostics';
import { loadImage } from '../gateway/image';
import { logoUrls } from '../gateway/kernelspecclient';
import type { IKernelGateway } from '../tokens';

/**
 * Run "Test gateway connection" in a dialog that shows each step as it
 * completes (passed, warning, failed, skipped) with the exact fix.
 *
 * @returns the steps, and the actions of the button that closed the dialog
 * (`settings` for "Open settings").
 */
export async function runConnectionTest(options: {
  gateway: IKernelGateway;
  trans: TranslationBundle;
  /**
   * The gateway to test; the one new kernels go to by default if unset.
   */
  config?: IGatewayConfig;
  title?: string;
  buttons?: ReadonlyArray<Dialog.IButton>;
  /**
   * Called when the test is over, with whether no step failed; what it
   * returns is shown after the outcome.
   */
  onDone?: (passed: boolean) => Promise<string | void>;
}): Promise<{ steps: IDiagnosticStep[]; actions: ReadonlyArray<string> }> {
  const { gateway, trans } = options;
  const config = options.config ?? gateway.config;
  const body = new Widget();
  body.addClass('jp-KernelGateway-test');
  const list = document.createElement('ol');
  list.setAttribute('aria-label', trans.__('Steps of the connection test'));
  list.setAttribute('aria-busy', 'true');
  // Screen readers announce the progress, then the outcome, as it changes.
  const progress = document.createElement('p');
  progress.className = 'jp-KernelGateway-testProgress';
  progress.setAttribute('role', 'status');
  progress.textContent = trans.__('Testing…');
  body.node.append(list, progress);

  const addStep = (step: IDiagnosticStep) => {
    const item = document.createElement('li');
    item.className = `jp-KernelGateway-step jp-mod-${step.status}`;
    item.dataset.step = step.id;
    item.dataset.status = step.status;
    const head = document.createElement('div');
    head.className = 'jp-KernelGateway-stepTitle';
    // The mark repeats the status word: hidden from screen readers.
    const mark = document.createElement('span');
    mark.setAttribute('aria-hidden', 'true');
    mark.textContent = STATUS_MARK[step.status];
    head.append(mark, ` ${step.title}: ${statusWord(step.status, trans)}`);
    const detail = document.createElement('div');
    detail.className = 'jp-KernelGateway-stepDetail';
    detail.textContent = step.detail;
    item.append(head, detail);
    if (step.fix) {
      const fix = document.createElement('div');
      fix.className = 'jp-KernelGateway-stepFix';
      fix.textContent = `${trans.__('Fix:')} ${step.fix}`;
      item.append(fix);
    }
    list.append(item);
  };

  const title = options.title ?? trans.__('Test Kernel Gateway connection');
  const dialog = new Dialog({
    title,
    body,
    buttons: options.buttons ?? [
      Dialog.createButton({
        label: trans.__('Open settings'),
        actions: ['settings']
      }),
      Dialog.okButton({ label: trans.__('Close') })
    ]
  });
  // A dialog with a widget body has no accessible name of its own.
  dialog.node.setAttribute('aria-label', title);
  const closed = dialog.launch();
  const same = config.url === gateway.config.url;
  const steps = await testGatewayConnection(
    config,
    {
      fetch: (input, init) => globalThis.fetch(input, init),
      WebSocket,
      pageOrigin: window.location.origin,
      loadImage,
      knownLogoUrls: same ? logoUrls(gateway.kernelspecs.specs) : [],
      flavor: same ? gateway.health?.flavor : undefined,
      kernelUsername: await gateway.kernelUsername(config)
    },
    addStep
  );
  const failed = steps.filter(step => step.status === 'fail').length;
  const outcome = failed
    ? trans._n('%1 step failed.', '%1 steps failed.', failed)
    : trans.__('All steps passed.');
  const after = await options.onDone?.(failed === 0);
  progress.textContent = after ? `${outcome} ${after}` : outcome;
  progress.dataset.done = 'true';
  list.setAttribute('aria-busy', 'false');
  const result = await closed;
  return { steps, actions: result.button.actions };
}

const STATUS_MARK: Record<IDiagnosticStep['status'], string> = {
  pass: '✔',
  warn: '⚠',
  fail: '✘',
  skip: '–'
};

function statusWord(
  status: IDiagnosticStep['status'],
  trans: TranslationBundle
): string {
  switch (status) {
    case 'pass':
      return trans.__('passed');
    case 'warn':
      return trans.__('warning');
    case 'fail':
      return trans.__('failed');
    case 'skip':
      return trans.__('skipped');
  }
}
