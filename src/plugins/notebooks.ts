import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';

// The keeper must watch notebooks from the first one restored.
/* eslint-disable jupyter/prefer-lazy-imports */
import { browserStorage } from '../local/page';
import { OutputKeeper } from '../ui/outputkeeper';
/* eslint-enable jupyter/prefer-lazy-imports */
import { IKernelGateway } from '../tokens';
import { followKernelPlace } from '../ui/kernelplace';
import { keepSessionPaths } from '../ui/sessionpaths';

/**
 * Output of running cells survives a page reload: what a gateway kernel
 * printed while the page was away is kept in the tab's storage.
 */
export const outputKeeperPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:output-keeper',
  description:
    "Keeps the output of cells running on the Kernel Gateway across a page reload (in the tab's storage).",
  autoStart: true,
  requires: [IKernelGateway, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    notebooks: INotebookTracker
  ) => {
    // It lives as long as the page.
    new OutputKeeper({
      tracker: notebooks,
      storage: browserStorage('sessionStorage'),
      keeps: kernel => gateway.isGatewayKernel(kernel.id)
    });
  }
};

/**
 * A notebook renamed while its gateway kernel starts keeps that kernel.
 */
export const sessionPathsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:session-paths',
  description:
    'Keeps the session of a notebook renamed while its Kernel Gateway kernel starts.',
  autoStart: true,
  requires: [IKernelGateway, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    notebooks: INotebookTracker
  ) => {
    keepSessionPaths(notebooks, session =>
      gateway.isGatewayKernel(session.kernel?.id ?? '')
    );
  }
};

/**
 * With this server's kernels offered beside a gateway, each notebook
 * remembers where its kernel ran and starts it there again on reopen.
 */
export const kernelPlacePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-kernel-gateway:kernel-place',
  description:
    'Remembers in each notebook whether its kernel ran on this Jupyter server or on the Kernel Gateway, and starts it there again on reopen.',
  autoStart: true,
  requires: [IKernelGateway, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    notebooks: INotebookTracker
  ) => {
    notebooks.widgetAdded.connect((_, panel) =>
      followKernelPlace(panel.sessionContext, () => panel.model, gateway)
    );
  }
};
