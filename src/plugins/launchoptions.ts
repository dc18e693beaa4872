import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator } from '@jupyterlab/translation';

import { IKernelGateway } from '../tokens';
// Registered at once, while the application starts.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { launchOptionsChooser } from '../ui/launchoptions';
import { translations } from '../ui/translation';

/**
 * The form that asks for the launch options a gateway declares (the
 * `KERNEL_*` variables users may choose) when a kernel starts there.
 */
export const launchOptionsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:launch-options',
  description:
    'Asks for the launch options (KERNEL_* variables) the Kernel Gateway settings declare, per notebook.',
  autoStart: true,
  requires: [IKernelGateway],
  optional: [ITranslator, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    translator: ITranslator | null,
    notebooks: INotebookTracker | null
  ) => {
    gateway.setLaunchOptionsChooser(
      launchOptionsChooser({
        notebooks,
        trans: translations(translator),
        where: () => gateway.label
      })
    );
  }
};
