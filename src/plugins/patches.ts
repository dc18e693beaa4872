import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { SessionContextDialogs } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { IKernelGateway } from '../tokens';
import {
  backendLabels,
  groupKernelOptions,
  groupLauncherItem
} from '../ui/backendgroups';
import { nameKeptKernels } from '../ui/keptkernels';
import { openSessionContexts } from '../ui/sessions';
import { routeDefaultKernelShutdown } from '../ui/shutdownunused';
import { translations } from '../ui/translation';

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

/**
 * Works around JupyterLab's kernel picker grouping kernelspecs and running
 * kernels by language only: with several backends offered, each group is
 * split by backend ("Start Kernel · cpu", "Start Kernel · Local"), where new
 * kernels go first. `SessionContextDialogs.kernelOptions`, which the picker
 * asks for its groups, is wrapped. Disable this plugin and the picker lists
 * every backend's kernelspecs together, told apart by their labels only.
 */
export const kernelPickerGroupsPatch: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:kernel-picker-groups',
  description:
    'Patch: groups the kernel picker by backend ("Start Kernel · gpu") when several are offered (JupyterLab groups it by language only).',
  autoStart: true,
  requires: [IKernelGateway],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    translator: ITranslator | null
  ) => {
    const picker = SessionContextDialogs as {
      kernelOptions?: typeof SessionContextDialogs.kernelOptions;
    };
    const stock = picker.kernelOptions;
    if (typeof stock !== 'function') {
      return;
    }
    const trans = translations(translator);
    picker.kernelOptions = (context, pickerTranslator) => {
      const options = stock(context, pickerTranslator);
      const labels = backendLabels(gateway);
      return labels ? groupKernelOptions(options, labels, trans) : options;
    };
  }
};

/**
 * Works around JupyterLab's launcher putting every kernelspec in one
 * "Notebook" and one "Console" section: with several backends offered, the
 * kernelspecs of each backend beside the default one get sections of their
 * own ("Notebook · Local", "Notebook · gpu"). Items are regrouped as they
 * are added (`ILauncher.add` is wrapped). Disable this plugin and the
 * launcher shows them together, told apart by their labels only.
 */
export const launcherGroupsPatch: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:launcher-groups',
  description:
    'Patch: gives each backend offered beside the default one its own launcher sections ("Notebook · gpu") (JupyterLab has one "Notebook" section).',
  autoStart: true,
  requires: [IKernelGateway],
  optional: [ILauncher, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    launcher: ILauncher | null,
    translator: ITranslator | null
  ) => {
    if (!launcher) {
      return;
    }
    // The sections' names as JupyterLab writes them, in the user's language.
    const core = (translator ?? nullTranslator).load('jupyterlab');
    const categories = [core.__('Notebook'), core.__('Console')];
    const add = launcher.add.bind(launcher);
    launcher.add = item =>
      add(groupLauncherItem(item, backendLabels(gateway), categories));
  }
};
