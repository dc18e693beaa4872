import { canonicalGatewayUrl } from './config';
import type { IRawGatewaySettings, ISettingProblem } from './config';
import { isObject } from './validate';

/**
 * What an administrator's `"allowUserGateways": false` (in `overrides.json`)
 * keeps to the administrator: which backends are offered. The user still
 * sets everything else, including the token, user name, timeouts and
 * `KERNEL_*` variables of each listed gateway.
 */
const LOCKED_KEYS = [
  'gatewayUrl',
  'wsUrl',
  'gatewayName',
  'gateways',
  'offerLocalKernels'
] as const;

/**
 * What a user's entry of a locked list may set for a listed gateway.
 */
const LOCKED_ENTRY_KEYS = ['gatewayUrl', 'wsUrl', 'gatewayName'] as const;

/**
 * Whether the administrator locked the list of backends: only the schema's
 * default counts (it holds `overrides.json`), never the user's value.
 */
function gatewaysLocked(defaults: { [key: string]: unknown }): boolean {
  return defaults.allowUserGateways === false;
}

/**
 * Compose the user's settings over the defaults (which hold the
 * administrator's overrides), as the settings registry does, unless the
 * administrator locked the list of backends: then the list, the first
 * gateway's URL, websocket URL and name, and "Also offer this server's
 * kernels" are the administrator's; a user's entry for a listed gateway
 * (same URL) adds its own token and other settings to it, and what the user
 * set that the lock ignores is told (`ignored`) rather than refused, so the
 * rest of the user's settings apply. `locked` says whether the lock holds.
 */
export function composeSettings(
  defaults: { [key: string]: unknown },
  user: { [key: string]: unknown }
): { raw: IRawGatewaySettings; locked: boolean; ignored: ISettingProblem[] } {
  const composed = { ...defaults, ...user };
  delete composed.allowUserGateways;
  if (!gatewaysLocked(defaults)) {
    return { raw: composed, locked: false, ignored: [] };
  }
  const ignored: ISettingProblem[] = [];
  const tell = (key: keyof IRawGatewaySettings, what: string) =>
    ignored.push({
      key,
      message: `Your administrator sets ${what}; yours is not used.`
    });
  for (const key of LOCKED_KEYS) {
    composed[key] = defaults[key];
  }
  for (const [key, what] of [
    ['gatewayUrl', 'the Kernel Gateway URL'],
    ['wsUrl', 'the websocket URL'],
    ['gatewayName', 'the gateway name'],
    ['offerLocalKernels', "whether this server's kernels are offered"]
  ] as const) {
    if (key in user && user[key] !== defaults[key]) {
      tell(key, what);
    }
  }
  const listed = Array.isArray(defaults.gateways) ? defaults.gateways : [];
  const own = Array.isArray(user.gateways) ? user.gateways : [];
  /** The administrator's entry with the URL of a user's entry, if any. */
  const listedAs = (item: unknown) =>
    isObject(item)
      ? listed.find(
          entry => isObject(entry) && sameUrl(item.gatewayUrl, entry.gatewayUrl)
        )
      : undefined;
  composed.gateways = listed.map(entry => {
    const mine = own.find(item => listedAs(item) === entry);
    if (!isObject(mine) || !isObject(entry)) {
      return entry;
    }
    const merged: { [key: string]: unknown } = { ...entry, ...mine };
    for (const key of LOCKED_ENTRY_KEYS) {
      merged[key] = entry[key];
    }
    return merged;
  });
  const unlisted = own.filter(item => listedAs(item) === undefined);
  if (unlisted.length > 0) {
    const urls = unlisted.map(item =>
      isObject(item) ? String(item.gatewayUrl) : '?'
    );
    ignored.push({
      key: 'gateways',
      message: `Your administrator sets the list of gateways; ${urls.join(', ')} cannot be added (ask your administrator).`
    });
  }
  return { raw: composed, locked: true, ignored };
}

/**
 * The same gateway URL, written alike or not (case of scheme and host, a
 * trailing slash).
 */
function sameUrl(a: unknown, b: unknown): boolean {
  const url = canonicalGatewayUrl(a);
  return url !== undefined && url === canonicalGatewayUrl(b);
}
