import type {
  Kernel,
  KernelSpec,
  ServiceManagerPlugin,
  Session,
  Setting
} from '@jupyterlab/services';
import {
  IConnectionStatus,
  IKernelManager,
  IKernelSpecManager,
  IServerSettings,
  ISessionManager,
  ISettingManager,
  ServerConnection
} from '@jupyterlab/services';

// The managers must exist before the application starts (service-manager
// plugins), so the modules that build them are imported eagerly.
/* eslint-disable jupyter/prefer-lazy-imports */
import { loadImage } from '../gateway/image';
import { loadGatewaySettings } from '../gateway/settings';
import { localUserName } from '../local/identity';
import {
  browserStorage,
  probesAreUntracked,
  serverRoot,
  sessionStoreOptions
} from '../local/page';
import { KernelGatewayService } from '../managers/service';
import { openSessionStores } from '../store/open';
import { IKernelGateway } from '../tokens';
/* eslint-enable jupyter/prefer-lazy-imports */

/**
 * Builds the gateway service from the settings, before the application
 * starts (see `loadGatewaySettings` for how settings are read so early).
 */
export const gatewayPlugin: ServiceManagerPlugin<IKernelGateway> = {
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
        ...sessionStoreOptions(),
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
      serverRoot: serverRoot(),
      stores,
      clientIds: browserStorage('sessionStorage'),
      loadImage,
      localUserName: () => localUserName(localSettings),
      // The heartbeat's probes must not show in the kernel status.
      heartbeat: probesAreUntracked(),
      // Pause polling like JupyterLab's own managers do.
      standby: () => !(connectionStatus?.isConnected ?? true) || 'when-hidden'
    });
  }
};

export const kernelManagerPlugin: ServiceManagerPlugin<Kernel.IManager> = {
  id: 'jupyterlab-kernel-gateway:kernel-manager',
  description: 'Kernel manager that routes kernels to the Kernel Gateway.',
  autoStart: true,
  provides: IKernelManager,
  requires: [IKernelGateway],
  activate: (_: null, gateway: IKernelGateway) => gateway.kernels
};

export const kernelSpecManagerPlugin: ServiceManagerPlugin<KernelSpec.IManager> =
  {
    id: 'jupyterlab-kernel-gateway:kernel-spec-manager',
    description: "Kernelspec manager that lists the Kernel Gateway's kernels.",
    autoStart: true,
    provides: IKernelSpecManager,
    requires: [IKernelGateway],
    activate: (_: null, gateway: IKernelGateway) => gateway.kernelspecs
  };

export const sessionManagerPlugin: ServiceManagerPlugin<Session.IManager> = {
  id: 'jupyterlab-kernel-gateway:session-manager',
  description:
    "Session manager that keeps Kernel Gateway sessions in the Jupyter server's session store (or this browser's).",
  autoStart: true,
  provides: ISessionManager,
  requires: [IKernelGateway],
  activate: (_: null, gateway: IKernelGateway) => gateway.sessions
};
