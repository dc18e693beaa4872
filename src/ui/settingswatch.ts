import { Notification } from '@jupyterlab/apputils';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { DisposableDelegate } from '@lumino/disposable';

import type { IRawGatewaySettings } from '../gateway/config';
import { parseGatewaySettings, sameConfig } from '../gateway/config';
import type { IKernelGateway } from '../tokens';

/**
 * React to edits of the Kernel Gateway settings made while JupyterLab runs.
 *
 * Refused values are reported at once, with the reason. A valid change is
 * saved, and the user is told that it applies after a reload: the managers
 * were built for the configuration in force, and notebooks attached to its
 * kernels keep them until then.
 */
export function watchSettings(options: {
  settings: ISettingRegistry.ISettings;
  gateway: IKernelGateway;
  reload: () => void;
  trans: TranslationBundle;
}): IDisposable {
  const { settings, gateway, trans } = options;
  let notice: string | null = null;
  const onChange = () => {
    const { config, problems } = parseGatewaySettings(
      settings.composite as IRawGatewaySettings
    );
    if (notice) {
      Notification.dismiss(notice);
      notice = null;
    }
    if (problems.length > 0) {
      notice = Notification.warning(
        problems.map(problem => problem.message).join('\n'),
        { autoClose: false }
      );
      return;
    }
    if (!sameConfig(config, gateway.config)) {
      const where = config.url
        ? trans.__('the Kernel Gateway at %1', config.url)
        : trans.__('the local server');
      notice = Notification.info(
        trans.__(
          'Kernel Gateway settings saved. New kernels will run on %1 after you reload the page; running kernels are not affected.',
          where
        ),
        {
          autoClose: false,
          actions: [
            {
              label: trans.__('Reload now'),
              caption: trans.__(
                'Reload JupyterLab (save your notebooks first)'
              ),
              callback: options.reload
            }
          ]
        }
      );
    }
  };
  settings.changed.connect(onChange);
  return new DisposableDelegate(() => settings.changed.disconnect(onChange));
}
