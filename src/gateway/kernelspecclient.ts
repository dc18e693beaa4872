import type { KernelSpec, ServerConnection } from '@jupyterlab/services';

import type { IGatewayConfig } from './config';
import type { GatewayRequester } from './request';
import { validateSpecModels } from './validate';

/**
 * The kernelspec REST client of a gateway, for JupyterLab's stock
 * `KernelSpecManager`.
 */
export class GatewayKernelSpecClient
  implements KernelSpec.IKernelSpecAPIClient
{
  constructor(options: {
    requester: GatewayRequester;
    /**
     * The user's name: Enterprise Gateway then lists only the kernelspecs
     * that user may start (`?user=`; Kernel Gateway ignores it).
     */
    username?: () => Promise<string>;
  }) {
    this._requester = options.requester;
    this._username = options.username ?? (async () => '');
    this.serverSettings = options.requester.serverSettings;
  }

  readonly serverSettings: ServerConnection.ISettings;

  /**
   * Fetch the gateway's kernelspecs, with logo URLs the page can load. They
   * keep their own display names: a notebook records the display name of
   * its kernel's kernelspec as this client gives it, and must open
   * anywhere as before. The gateway's label is added where kernelspecs are
   * offered to the user (the routing kernelspec manager, `labelSpec`).
   */
  async get(): Promise<KernelSpec.ISpecModels> {
    const config = this._requester.config;
    const user = await this._username();
    const query = user ? `?user=${encodeURIComponent(user)}` : '';
    const data = await this._requester.requestJSON(`api/kernelspecs${query}`, {
      action: 'list its kernels'
    });
    const specs = validateSpecModels(data, url =>
      resolveResourceUrl(url, config)
    );
    this._requester.logoUrls = logoUrls(specs);
    return specs;
  }

  private _requester: GatewayRequester;
  private _username: () => Promise<string>;
}

/**
 * The 64×64 logo URLs of kernelspecs (a token that loads one is accepted by
 * the gateway: see `tokenLoadsLogo`).
 */
export function logoUrls(
  specs: KernelSpec.ISpecModels | null | undefined
): string[] {
  return Object.values(specs?.kernelspecs ?? {})
    .map(spec => spec?.resources['logo-64x64'])
    .filter((url): url is string => typeof url === 'string');
}

/**
 * A kernelspec's display name with the gateway's label: "Python 3 [gpu]".
 */
export function labelSpec(displayName: string, label: string): string {
  return `${displayName} [${label}]`;
}

/**
 * Resolve a kernelspec resource URL (a logo) sent by the gateway.
 *
 * Kernel Gateway sends server-relative URLs (`/kernelspecs/python3/logo-64x64.png`);
 * left as they are, the page would resolve them against the *local* server.
 * They are resolved against the gateway, and the token is added because an
 * `<img>` cannot carry an `Authorization` header.
 *
 * @returns the URL to load, or `undefined` when the resource is not on the
 * gateway's own origin (a gateway must not make the page load another
 * origin's content) or not an HTTP(S) URL.
 */
export function resolveResourceUrl(
  url: string,
  config: IGatewayConfig
): string | undefined {
  let resolved: URL;
  try {
    resolved = new URL(url, config.url);
  } catch {
    return undefined;
  }
  const gateway = new URL(config.url);
  if (resolved.origin !== gateway.origin) {
    return undefined;
  }
  resolved.hash = '';
  if (config.token) {
    resolved.searchParams.set('token', config.token);
  }
  return resolved.toString();
}
