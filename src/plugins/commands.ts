import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator } from '@jupyterlab/translation';

import { IKernelGateway } from '../tokens';
// Registered at once, while the application starts.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addCommands, CommandIDs } from '../ui/commands';
import { translations } from '../ui/translation';

/**
 * The commands (test the connection, open the settings, check now), also in
 * the command palette.
 */
export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:commands',
  description:
    'Commands to test the Kernel Gateway connection, open its settings and check it now.',
  autoStart: true,
  requires: [IKernelGateway],
  optional: [ITranslator, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    translator: ITranslator | null,
    palette: ICommandPalette | null
  ) => {
    const trans = translations(translator);
    addCommands(app, gateway, trans);
    if (palette) {
      const category = trans.__('Kernel Gateway');
      for (const command of [
        CommandIDs.testConnection,
        CommandIDs.openSettings,
        CommandIDs.checkConnection
      ]) {
        palette.addItem({ command, category });
      }
    }
  }
};
