import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { DisposableSet } from '@lumino/disposable';

import { kernelIcon } from '@jupyterlab/ui-components';

import { isGatewayBackend } from '../managers/backend';
import type { IKernelGateway } from '../tokens';
import type { IGatewayList } from './connectdialog';
import { runConnectionTest } from './connectiontest';

/**
 * The extension's command ids.
 */
export namespace CommandIDs {
  export const openSettings = 'jupyterlab-kernel-gateway:open-settings';
  export const testConnection = 'jupyterlab-kernel-gateway:test-connection';
  export const checkConnection = 'jupyterlab-kernel-gateway:check-connection';
  export const connect = 'jupyterlab-kernel-gateway:connect';
}

/**
 * Add the extension's commands.
 */
export function addCommands(
  app: JupyterFrontEnd,
  gateway: IKernelGateway,
  trans: TranslationBundle,
  gateways: IGatewayList | null = null
): IDisposable {
  const { commands } = app;
  const noArgs = { args: { type: 'object' as const, properties: {} } };
  const set = new DisposableSet();
  set.add(
    commands.addCommand(CommandIDs.openSettings, {
      label: trans.__('Kernel Gateway Settings'),
      caption: trans.__(
        'Open the Kernel Gateway settings in the Settings Editor'
      ),
      describedBy: noArgs,
      execute: () =>
        commands.execute('settingeditor:open', { query: 'Kernel Gateway' })
    })
  );
  set.add(
    commands.addCommand(CommandIDs.testConnection, {
      label: trans.__('Test Kernel Gateway Connection'),
      caption: trans.__(
        'Check, step by step, that this page can use the Kernel Gateway, and say what to fix'
      ),
      describedBy: {
        args: {
          type: 'object' as const,
          properties: {
            gateway: {
              type: 'string',
              description: trans.__(
                'The name of a gateway offered beside the first one (default: the first one)'
              )
            }
          }
        }
      },
      execute: async args => {
        const name = typeof args.gateway === 'string' ? args.gateway : '';
        const found = name ? gateway.besideAt(name) : null;
        const beside = found && isGatewayBackend(found) ? found : null;
        if (name && !beside) {
          throw new Error(`No gateway named "${name}" is offered.`);
        }
        const { steps, actions } = await runConnectionTest({
          gateway,
          trans,
          ...(beside && {
            config: beside.config,
            title: trans.__('Test the connection to %1', beside.label)
          })
        });
        // The health follows what the test saw.
        void (beside ? beside.check() : gateway.checkConnection());
        if (actions.includes('settings')) {
          await commands.execute(CommandIDs.openSettings);
        }
        return steps.map(step => `${step.id}:${step.status}`);
      }
    })
  );
  set.add(
    commands.addCommand(CommandIDs.checkConnection, {
      label: trans.__('Check Kernel Gateway Connection Now'),
      caption: trans.__(
        'Ask the Kernel Gateway at once whether it answers and accepts the token'
      ),
      describedBy: noArgs,
      isEnabled: () => gateway.isGateway,
      execute: async () => {
        const health = await gateway.checkConnection();
        if (health?.state === 'connected') {
          Notification.success(
            trans.__(
              'The Kernel Gateway at %1 answers and accepts the token.',
              gateway.config.url
            ),
            { autoClose: 5000 }
          );
        }
        // Failures are announced by the GatewayNotifier.
        return health?.state ?? 'local';
      }
    })
  );
  set.add(
    commands.addCommand(CommandIDs.connect, {
      label: args =>
        args.isLauncher
          ? trans.__('Kernel Gateway…')
          : trans.__('Connect to a Kernel Gateway…'),
      caption: trans.__(
        "Add a gateway by its URL (and token): once its connection test passes, its kernels are offered beside the others'"
      ),
      icon: args => (args.isLauncher ? kernelIcon : undefined),
      describedBy: noArgs,
      isEnabled: () => gateways !== null && !gateway.gatewaysLocked,
      execute: async () => {
        if (gateway.gatewaysLocked) {
          Notification.info(
            trans.__(
              'Your administrator sets the list of Kernel Gateways: ask them to add one.'
            ),
            { autoClose: 8000 }
          );
          return null;
        }
        if (!gateways) {
          return null;
        }
        const { connectGateway } = await import('./connectdialog');
        const added = await connectGateway({ gateway, list: gateways, trans });
        return added?.url ?? null;
      }
    })
  );
  return set;
}
