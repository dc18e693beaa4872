import type { Setting } from '@jupyterlab/services';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { DefaultSchemaValidator } from '@jupyterlab/settingregistry';

import type { IConfigResult, IRawGatewaySettings } from './config';
import { DEFAULT_CONFIG, parseGatewaySettings } from './config';

/**
 * The id of the extension's settings plugin (`schema/plugin.json`).
 */
export const SETTINGS_PLUGIN_ID = 'jupyterlab-kernel-gateway:plugin';

/**
 * The configuration in force when JupyterLab starts.
 *
 * Why not the settings registry: the kernel, kernelspec and session managers
 * are built by service-manager plugins, which JupyterLab activates *before*
 * the application and its `ISettingRegistry` exist. They may only depend on
 * other service tokens, and one of those is `ISettingManager`, the REST
 * client of the local server's `/lab/api/settings`. Its `fetch()` answers
 * with the user's raw settings (JSON5 text) and the schema, whose defaults
 * already include the administrator's `overrides.json`. The stock schema
 * validator then parses the text and composes user values over those
 * defaults exactly as the registry would, so the result is the value the
 * Settings Editor shows.
 *
 * @returns the checked configuration, and what was refused. If the settings
 * cannot be loaded at all, the default configuration (no gateway: local
 * kernels) and a problem saying so.
 */
export async function loadGatewaySettings(
  settingManager: Setting.IManager
): Promise<IConfigResult> {
  let plugin: ISettingRegistry.IPlugin;
  try {
    plugin = await settingManager.fetch(SETTINGS_PLUGIN_ID);
  } catch (error) {
    return {
      config: DEFAULT_CONFIG,
      problems: [
        {
          key: 'gatewayUrl',
          message: `The Kernel Gateway settings could not be loaded (${String(
            error
          )}); kernels run on the local server.`
        }
      ]
    };
  }
  return composeGatewaySettings(plugin);
}

/**
 * Compose and check the settings of a fetched settings plugin.
 */
export function composeGatewaySettings(
  plugin: ISettingRegistry.IPlugin
): IConfigResult {
  const validator = new DefaultSchemaValidator();
  const errors = validator.validateData(plugin, true);
  if (!errors) {
    return parseGatewaySettings(plugin.data.composite as IRawGatewaySettings);
  }
  // The user's settings break the schema: use the defaults (with the
  // administrator's overrides) and say which values were refused.
  const defaults: Record<string, unknown> = {};
  const properties = plugin.schema.properties ?? {};
  for (const [key, property] of Object.entries(properties)) {
    defaults[key] = (property as { default?: unknown }).default;
  }
  const result = parseGatewaySettings(defaults as IRawGatewaySettings);
  return {
    config: result.config,
    problems: [
      ...errors.map(error => ({
        key: (error.instancePath.replace(/^[./]/, '') ||
          'gatewayUrl') as keyof IRawGatewaySettings,
        message: `Your Kernel Gateway settings were refused (${
          error.instancePath || 'settings'
        } ${error.message ?? 'is invalid'}); the defaults are used.`
      })),
      ...result.problems
    ]
  };
}
