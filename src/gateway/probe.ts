/**
 * The probes that tell why a gateway request failed in a browser, shared by
 * the requester (after a failed request) and the connection test.
 *
 * A probe sends no credentials of the page (no cookies, no referrer), is
 * never cached, and gives up after its timeout.
 */
import type { IGatewayConfig } from './config';
import type { FetchFunction } from './connection';
import { fallbackLogoUrl, withToken } from './connection';
import type { GatewayFlavor } from './errors';
import { withTimeout } from './timeout';
import { isObject } from './validate';

/**
 * Send one probe.
 */
export function probe(
  network: FetchFunction,
  url: string,
  timeoutMs: number,
  init: RequestInit = {}
): Promise<Response> {
  return withTimeout(
    signal =>
      network(url, {
        credentials: 'omit',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
        ...init,
        signal
      }),
    timeoutMs
  );
}

/**
 * Whether anything answers at `url` at all: an opaque (`no-cors`) request
 * needs no CORS permission, so it fails only when nothing answers (or TLS
 * fails).
 */
export async function answersAtAll(
  network: FetchFunction,
  url: string,
  timeoutMs: number
): Promise<boolean> {
  try {
    await probe(network, url, timeoutMs, { mode: 'no-cors' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a kernelspec logo loads with the configured token (or none). An
 * image request carries no Origin header and is not subject to CORS, so a
 * logo that loads proves the token: a refusal is then CORS's.
 *
 * @param loadImage - whether an image loads (browsers only).
 * @param knownLogoUrls - logo URLs seen earlier, tried before the usual one.
 */
export async function tokenLoadsLogo(
  config: IGatewayConfig,
  loadImage: ((url: string) => Promise<boolean>) | undefined,
  knownLogoUrls: ReadonlyArray<string> = []
): Promise<boolean> {
  if (!loadImage) {
    return false;
  }
  for (const url of [...knownLogoUrls, fallbackLogoUrl(config)]) {
    try {
      if (await loadImage(withToken(url.split('?')[0], config))) {
        return true;
      }
    } catch {
      // Not a gateway URL: skip.
    }
  }
  return false;
}

/**
 * What a gateway's `GET /api` says about it: its version, and which gateway
 * it is (Enterprise Gateway also says `gateway_version`).
 */
export function readGatewayVersion(answer: unknown): {
  version?: string;
  flavor: GatewayFlavor;
} {
  const data = isObject(answer) ? answer : {};
  const version =
    typeof data.gateway_version === 'string'
      ? data.gateway_version
      : typeof data.version === 'string'
        ? data.version
        : undefined;
  return {
    version,
    flavor:
      data.gateway_version !== undefined
        ? 'enterprise-gateway'
        : 'kernel-gateway'
  };
}
