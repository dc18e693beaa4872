import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';

import { SETTINGS_PLUGIN_ID } from '../gateway/settings';
import { IKernelGateway } from '../tokens';
import { moveToNewKernels } from '../ui/sessions';
import { translations } from '../ui/translation';

/**
 * The Kernel Gateway settings (its id is the settings schema's), applied
 * live: new kernels go where the settings now say; notebooks whose kernel
 * runs on a gateway the user left are offered a move.
 */
export const settingsPlugin: JupyterFrontEndPlugin<void> = {
  id: SETTINGS_PLUGIN_ID,
  description:
    'Kernel Gateway settings, applied live when they change in the Settings Editor.',
  autoStart: true,
  requires: [IKernelGateway, ISettingRegistry],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    settingRegistry: ISettingRegistry,
    translator: ITranslator | null
  ) => {
    void Promise.all([
      settingRegistry.load(SETTINGS_PLUGIN_ID),
      import('../ui/settingswatch')
    ])
      .then(([settings, { watchSettings }]) =>
        watchSettings({
          settings,
          gateway,
          trans: translations(translator),
          moveSessions: paths => moveToNewKernels(app, gateway, paths)
        })
      )
      .catch(reason =>
        console.warn('Kernel Gateway settings not watched:', reason)
      );
  }
};
