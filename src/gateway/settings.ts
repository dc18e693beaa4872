import type { Setting } from '@jupyterlab/services';
import type { PartialJSONValue } from '@lumino/coreutils';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { DefaultSchemaValidator } from '@jupyterlab/settingregistry';

import type { IConfigResult, IRawGatewaySettings } from './config';
import { DEFAULT_CONFIG, parseGatewaySettings } from './config';
import { composeSettings } from './lock';
import { isObject } from './validate';

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
 * with the user's settings and the schema, whose defaults already include
 * the administrator's `overrides.json`. User values are composed over those
 * defaults exactly as the registry would (`composeGatewaySettings`), so the
 * result is the value the Settings Editor shows.
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
      gateways: [],
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
 * What jupyterlab_server answers for one plugin besides `IPlugin`'s fields:
 * the user's settings already parsed from JSON5 and checked against the
 * schema. (A settings file that fails the check is answered as `{}`; the
 * server logs why.)
 */
interface IServerPlugin extends ISettingRegistry.IPlugin {
  settings?: PartialJSONValue;
}

/**
 * Compose and check the settings of a fetched settings plugin.
 *
 * The user's values go over the schema's defaults (which hold the
 * administrator's overrides), as the settings registry composes them. When
 * the server sent them parsed and checked (jupyterlab_server does), they are
 * used as they are: the stock validator would compile the schema first,
 * which costs tens of milliseconds on the way to the first page (these
 * settings are read before JupyterLab starts) and would only repeat the
 * server's check. Otherwise the stock validator parses and checks the raw
 * text. Either way `parseGatewaySettings` checks every value.
 */
export function composeGatewaySettings(
  plugin: ISettingRegistry.IPlugin
): IConfigResult {
  const { settings } = plugin as IServerPlugin;
  if (isObject(settings)) {
    return parseComposed(schemaDefaults(plugin.schema), settings);
  }
  return validateRawSettings(plugin);
}

/**
 * Check the user's settings composed over the defaults, the administrator's
 * lock applied; what the lock ignored is told apart from what was refused.
 */
export function parseComposed(
  defaults: { [key: string]: unknown },
  user: { [key: string]: unknown }
): IConfigResult {
  const { raw, locked, ignored } = composeSettings(defaults, user);
  return { ...parseGatewaySettings(raw), locked, ignored };
}

function validateRawSettings(plugin: ISettingRegistry.IPlugin): IConfigResult {
  const validator = new DefaultSchemaValidator();
  const errors = validator.validateData(plugin, true);
  if (!errors) {
    return parseComposed(schemaDefaults(plugin.schema), plugin.data.user);
  }
  // The user's settings break the schema: use the defaults (with the
  // administrator's overrides) and say which values were refused.
  const result = parseComposed(schemaDefaults(plugin.schema), {});
  return {
    ...result,
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

/**
 * The defaults of the plugin's schema, with the administrator's overrides.
 */
export function schemaDefaults(schema: ISettingRegistry.ISchema): {
  [key: string]: unknown;
} {
  const defaults: { [key: string]: unknown } = {};
  const properties = schema.properties ?? {};
  for (const [key, property] of Object.entries(properties)) {
    defaults[key] = (property as { default?: unknown }).default;
  }
  return defaults;
}
