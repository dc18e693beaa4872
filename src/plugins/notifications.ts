import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator } from '@jupyterlab/translation';

import { IKernelGateway } from '../tokens';
import { moveToNewKernels } from '../ui/sessions';
import { translations } from '../ui/translation';

/**
 * Notifications: the gateway down, refusing or back, kernels lost, with the
 * actions that fix them.
 */
export const notificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:notifications',
  description:
    'Tells the user when the Kernel Gateway is down, refuses or is back, and when a kernel was lost.',
  autoStart: true,
  requires: [IKernelGateway],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    translator: ITranslator | null
  ) => {
    // Toasts only show once the application is up: notify from then on
    // (the notifier first reports the health observed so far).
    void app.restored.then(async () => {
      const { GatewayNotifier } = await import('../ui/notifications');
      const notifier = new GatewayNotifier({
        gateway,
        commands: app.commands,
        trans: translations(translator),
        startNewKernel: (path, name) =>
          moveToNewKernels(app, gateway, [path], name)
      });
      notifier.showProblems(gateway.problems);
      // It lives as long as the page.
      return notifier;
    });
  }
};
