import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';

import { IKernelGateway } from '../tokens';
import { nameKeptKernels } from '../ui/keptkernels';
import { openSessionContexts } from '../ui/sessions';
import { routeDefaultKernelShutdown } from '../ui/shutdownunused';

/**
 * Works around JupyterLab's "Shut Down Unused" (Running panel), which calls
 * `KernelAPI.shutdownKernel` with the default connection settings, i.e. the
 * local server, bypassing the kernel manager: a gateway kernel would keep
 * running. The page's `fetch` is wrapped to divert only a `DELETE` of a
 * gateway kernel to the gateway (see `routeDefaultKernelShutdown`).
 * Disable this plugin and "Shut Down Unused" leaves gateway kernels alone.
 */
export const shutdownUnusedPatch: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:shutdown-unused',
  description:
    'Patch: makes "Shut Down Unused" in the Running panel reach Kernel Gateway kernels (JupyterLab sends it to the local server).',
  autoStart: true,
  requires: [IKernelGateway],
  activate: (app: JupyterFrontEnd, gateway: IKernelGateway) => {
    routeDefaultKernelShutdown({
      gateway,
      localBaseUrl: app.serviceManager.serverSettings.baseUrl
    });
  }
};

/**
 * Works around JupyterLab naming a kernel (toolbar, status bar) after the
 * kernelspec of that name among those offered for *new* kernels: after a
 * switch of gateways, a notebook that keeps its kernel on the previous one
 * would be named after the new gateway's kernelspec. Each session context's
 * `kernelDisplayName` is redefined to ask the gateway service first where
 * its kernel runs (see `nameKeptKernels`).
 */
export const kernelDisplayNamePatch: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:kernel-display-name',
  description:
    'Patch: names a kernel after the gateway it runs on, also after a switch of gateways (JupyterLab names it after the kernelspecs offered now).',
  autoStart: true,
  requires: [IKernelGateway],
  optional: [INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    notebooks: INotebookTracker | null
  ) => {
    const nameAll = () => {
      for (const context of openSessionContexts(app)) {
        nameKeptKernels(context, gateway);
      }
    };
    notebooks?.widgetAdded.connect((_, panel) =>
      nameKeptKernels(panel.sessionContext, gateway)
    );
    // Consoles (and anything else with a session) as they come to the front.
    app.shell.currentChanged?.connect(nameAll);
    gateway.configChanged.connect(nameAll);
  }
};
