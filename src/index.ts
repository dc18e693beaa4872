import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { PageConfig } from '@jupyterlab/coreutils';
import type {
  Kernel,
  KernelSpec,
  ServiceManagerPlugin,
  Session,
  Setting
} from '@jupyterlab/services';
import {
  IConnectionStatus,
  ServerConnection,
  IKernelManager,
  IKernelSpecManager,
  IServerSettings,
  ISessionManager,
  ISettingManager
} from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

// The managers must exist before the application starts (service-manager
// plugins), so the modules that build them are imported eagerly.
/* eslint-disable jupyter/prefer-lazy-imports */
import { loadImage } from './gateway/image';
import { localUserName } from './local/identity';
import { loadGatewaySettings, SETTINGS_PLUGIN_ID } from './gateway/settings';
import { KernelGatewayService } from './managers/service';
import { MemoryStorage } from './store/browserstore';
import { openSessionStores } from './store/open';
import { IKernelGateway } from './tokens';
import { addCommands, CommandIDs } from './ui/commands';
import { nameKeptKernels } from './ui/keptkernels';
import { launchOptionsChooser } from './ui/launchoptions';
import { GatewayNotifier } from './ui/notifications';
import { OutputKeeper } from './ui/outputkeeper';
import { keepSessionPaths } from './ui/sessionpaths';
import { openSessionContexts, startNewKernel } from './ui/sessions';
import { GatewayStatusItem } from './ui/statusbar';
import { watchSettings } from './ui/settingswatch';
import { routeDefaultKernelShutdown } from './ui/shutdownunused';
/* eslint-enable jupyter/prefer-lazy-imports */

export { IKernelGateway } from './tokens';

/**
 * The id of the status-bar item.
 */
const STATUS_ITEM_ID = 'jupyterlab-kernel-gateway:status';

/**
 * Builds the gateway service from the settings, before the application
 * starts (see `loadGatewaySettings` for how settings are read so early).
 */
const gatewayPlugin: ServiceManagerPlugin<IKernelGateway> = {
  id: 'jupyterlab-kernel-gateway:gateway',
  description:
    'Loads the Kernel Gateway settings and builds the managers that send kernels to the gateway.',
  autoStart: true,
  provides: IKernelGateway,
  requires: [ISettingManager],
  optional: [IServerSettings, IConnectionStatus],
  activate: async (
    _: null,
    settingManager: Setting.IManager,
    serverSettings: ServerConnection.ISettings | null,
    connectionStatus: IConnectionStatus | null
  ): Promise<IKernelGateway> => {
    const localSettings = serverSettings ?? ServerConnection.makeSettings();
    const [settings, stores] = await Promise.all([
      loadGatewaySettings(settingManager),
      openSessionStores({
        serverStore: PageConfig.getOption('kernelGatewaySessionStore'),
        serverProblem: PageConfig.getOption('kernelGatewaySessionStoreProblem'),
        serverSettings: localSettings,
        storage: browserStorage('localStorage'),
        events: window
      })
    ]);
    return new KernelGatewayService({
      settings,
      localSettings,
      pageOrigin: window.location.origin,
      localBaseUrl: localSettings.baseUrl,
      // Absolute, from the package's server extension; JupyterLab's own
      // `serverRoot` shortens the home directory to `~`.
      serverRoot:
        PageConfig.getOption('kernelGatewayServerRoot') ||
        PageConfig.getOption('serverRoot'),
      stores,
      clientIds: browserStorage('sessionStorage'),
      loadImage,
      localUserName: () => localUserName(localSettings),
      // The heartbeat's probes must not show in the kernel status.
      heartbeat: untrackedMessageTypes().includes('kernel_info_request'),
      // Pause polling like JupyterLab's own managers do.
      standby: () => !(connectionStatus?.isConnected ?? true) || 'when-hidden'
    });
  }
};

const kernelManagerPlugin: ServiceManagerPlugin<Kernel.IManager> = {
  id: 'jupyterlab-kernel-gateway:kernel-manager',
  description: 'Kernel manager that routes kernels to the Kernel Gateway.',
  autoStart: true,
  provides: IKernelManager,
  requires: [IKernelGateway],
  activate: (_: null, gateway: IKernelGateway) => gateway.kernels
};

const kernelSpecManagerPlugin: ServiceManagerPlugin<KernelSpec.IManager> = {
  id: 'jupyterlab-kernel-gateway:kernel-spec-manager',
  description: "Kernelspec manager that lists the Kernel Gateway's kernels.",
  autoStart: true,
  provides: IKernelSpecManager,
  requires: [IKernelGateway],
  activate: (_: null, gateway: IKernelGateway) => gateway.kernelspecs
};

const sessionManagerPlugin: ServiceManagerPlugin<Session.IManager> = {
  id: 'jupyterlab-kernel-gateway:session-manager',
  description:
    'Session manager that keeps sessions in the browser for Kernel Gateway kernels.',
  autoStart: true,
  provides: ISessionManager,
  requires: [IKernelGateway],
  activate: (_: null, gateway: IKernelGateway) => gateway.sessions
};

/**
 * The user-facing part: commands, status bar, notifications, live settings
 * and the "Shut Down Unused" fix.
 */
const uiPlugin: JupyterFrontEndPlugin<void> = {
  id: SETTINGS_PLUGIN_ID,
  description:
    'Kernel Gateway settings, status bar, connection test and notifications.',
  autoStart: true,
  requires: [IKernelGateway],
  optional: [
    ISettingRegistry,
    ITranslator,
    IStatusBar,
    ICommandPalette,
    INotebookTracker
  ],
  activate: (
    app: JupyterFrontEnd,
    gateway: IKernelGateway,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    statusBar: IStatusBar | null,
    palette: ICommandPalette | null,
    notebooks: INotebookTracker | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab');
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
    if (statusBar) {
      statusBar.registerStatusItem(STATUS_ITEM_ID, {
        item: new GatewayStatusItem({
          gateway,
          commands: app.commands,
          trans
        }),
        align: 'left',
        rank: 3
      });
    }

    // Start a new kernel (where new kernels now go) for open documents.
    const offered = (name: string) =>
      gateway.kernelspecs.specs?.kernelspecs[name] !== undefined;
    const restart = async (paths: string[], kernelName?: string) => {
      for (const context of openSessionContexts(app)) {
        const path = context.session?.path ?? context.path;
        if (paths.includes(path) || paths.includes(context.path)) {
          const name = kernelName ?? context.session?.kernel?.name ?? '';
          await startNewKernel(context, name, offered);
        }
      }
    };

    // Toasts only show once the application is up: notify from then on
    // (the notifier first reports the health observed so far).
    void app.restored.then(() => {
      const notifier = new GatewayNotifier({
        gateway,
        commands: app.commands,
        trans,
        startNewKernel: (path, name) => restart([path], name)
      });
      notifier.showProblems(gateway.problems);
      // It lives as long as the page.
      return notifier;
    });
    // A notebook that keeps its kernel on a previous gateway is named after
    // that gateway, not after the one new kernels go to.
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
    // Launch options a gateway declares are asked for in a form.
    gateway.setLaunchOptionsChooser(
      launchOptionsChooser({ notebooks, trans, where: () => gateway.label })
    );
    if (notebooks) {
      // Output of running cells survives a page reload; the keeper lives as
      // long as the page.
      new OutputKeeper({
        tracker: notebooks,
        storage: browserStorage('sessionStorage'),
        keeps: kernel => gateway.isGatewayKernel(kernel.id)
      });
      // A notebook renamed while its kernel starts keeps that kernel.
      keepSessionPaths(notebooks, session =>
        gateway.isGatewayKernel(session.kernel?.id ?? '')
      );
    }
    // "Shut Down Unused" calls the local server's kernel API directly:
    // divert requests for gateway kernels to the gateway.
    routeDefaultKernelShutdown({
      gateway,
      localBaseUrl: app.serviceManager.serverSettings.baseUrl
    });
    if (settingRegistry) {
      void settingRegistry
        .load(SETTINGS_PLUGIN_ID)
        .then(settings =>
          watchSettings({
            settings,
            gateway,
            trans,
            moveSessions: paths => restart(paths)
          })
        )
        .catch(reason =>
          console.warn('Kernel Gateway settings not watched:', reason)
        );
    }
  }
};

/**
 * The message types whose status messages JupyterLab leaves out of the
 * kernel status it shows (from the server's page config).
 */
function untrackedMessageTypes(): string[] {
  try {
    const types: unknown = JSON.parse(
      PageConfig.getOption('untracked_message_types') || '[]'
    );
    return Array.isArray(types) ? types.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * `localStorage` or `sessionStorage`, or a memory store where the browser
 * refuses it.
 */
function browserStorage(
  kind: 'localStorage' | 'sessionStorage'
): Storage | MemoryStorage {
  try {
    const storage = window[kind];
    storage.getItem('jupyterlab-kernel-gateway:probe');
    return storage;
  } catch {
    return new MemoryStorage();
  }
}

export default [
  gatewayPlugin,
  kernelManagerPlugin,
  kernelSpecManagerPlugin,
  sessionManagerPlugin,
  uiPlugin
];
