import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator } from '@jupyterlab/translation';

import { IKernelGateway } from '../tokens';
// Registered at once, while the application starts.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CurrentBackend } from '../ui/currentbackend';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { GatewayStatusItem } from '../ui/statusbar';
import { translations } from '../ui/translation';

/**
 * "Where do my kernels run": the gateway and its state in the status bar
 * (with several backends, the one of the current notebook's kernel), with a
 * details panel.
 */
export const statusBarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:status-bar',
  description:
    'Shows in the status bar where kernels run and the state of the Kernel Gateway, with details.',
  autoStart: true,
  requires: [IKernelGateway],
  optional: [IStatusBar, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    statusBar: IStatusBar | null,
    translator: ITranslator | null
  ) => {
    if (!statusBar) {
      return;
    }
    const shell = app.shell;
    const current = new CurrentBackend({
      gateway,
      current: () => shell.currentWidget,
      currentChanged: shell.currentChanged
    });
    statusBar.registerStatusItem('jupyterlab-kernel-gateway:status', {
      item: new GatewayStatusItem({
        gateway,
        commands: app.commands,
        trans: translations(translator),
        current
      }),
      align: 'left',
      rank: 3
    });
  }
};
