import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';

// Already loaded with the service-manager plugins (which read the settings).
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { SETTINGS_PLUGIN_ID } from '../gateway/settings';

import { IKernelGateway } from '../tokens';
// Registered at once, while the application starts.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addCommands, CommandIDs } from '../ui/commands';
import { translations } from '../ui/translation';

/**
 * The commands (test the connection, open the settings, check now, connect
 * to another gateway), also in the command palette; "Connect to a Kernel
 * Gateway…" also in the launcher.
 */
export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:commands',
  description:
    'Commands to test the Kernel Gateway connection, open its settings, check it now and connect to another gateway.',
  autoStart: true,
  requires: [IKernelGateway],
  optional: [ITranslator, ICommandPalette, ISettingRegistry, ILauncher],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    launcher: ILauncher | null
  ) => {
    const trans = translations(translator);
    const settings = settingRegistry?.load(SETTINGS_PLUGIN_ID);
    let loaded: ISettingRegistry.ISettings | undefined;
    void settings?.then(value => (loaded = value)).catch(() => undefined);
    const gateways = settings
      ? {
          current: () => {
            // Resolved by then: the command runs after the page is up.
            const list = loaded?.composite.gateways;
            return Array.isArray(list) ? list : [];
          },
          save: async (list: ReadonlyArray<unknown>) => {
            await (await settings).set('gateways', list as never);
          }
        }
      : null;
    addCommands(app, gateway, trans, gateways);
    if (palette) {
      const category = trans.__('Kernel Gateway');
      for (const command of [
        CommandIDs.connect,
        CommandIDs.testConnection,
        CommandIDs.openSettings,
        CommandIDs.checkConnection
      ]) {
        palette.addItem({ command, category });
      }
    }
    // Not offered where the administrator keeps the list (overrides.json,
    // which does not change while the page runs).
    if (gateway.gatewaysLocked) {
      return;
    }
    launcher?.add({
      command: CommandIDs.connect,
      category: trans.__('Other'),
      args: { isLauncher: true },
      rank: 50
    });
  }
};
