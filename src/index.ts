/**
 * The extension's plugins; each does one job and can be disabled on its own
 * (`jupyter labextension disable jupyterlab-kernel-gateway:<id>`), except the
 * service-manager plugins every other one needs.
 */
import { commandsPlugin } from './plugins/commands';
import { launchOptionsPlugin } from './plugins/launchoptions';
import {
  kernelPlacePlugin,
  outputKeeperPlugin,
  sessionPathsPlugin
} from './plugins/notebooks';
import { notificationsPlugin } from './plugins/notifications';
import {
  kernelDisplayNamePatch,
  kernelPickerGroupsPatch,
  launcherGroupsPatch,
  shutdownUnusedPatch
} from './plugins/patches';
import {
  gatewayPlugin,
  kernelManagerPlugin,
  kernelSpecManagerPlugin,
  sessionManagerPlugin
} from './plugins/services';
import { settingsPlugin } from './plugins/settings';
import { statusBarPlugin } from './plugins/statusbar';

export { IKernelGateway } from './tokens';

export default [
  gatewayPlugin,
  kernelManagerPlugin,
  kernelSpecManagerPlugin,
  sessionManagerPlugin,
  settingsPlugin,
  commandsPlugin,
  statusBarPlugin,
  notificationsPlugin,
  launchOptionsPlugin,
  outputKeeperPlugin,
  sessionPathsPlugin,
  kernelPlacePlugin,
  shutdownUnusedPatch,
  kernelDisplayNamePatch,
  kernelPickerGroupsPatch,
  launcherGroupsPatch
];
