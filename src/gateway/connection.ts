import { ServerConnection } from '@jupyterlab/services';

import type { IGatewayConfig } from './config';
import { v1DecodingInPlace } from './serializer';

/**
 * The `fetch` signature used by `ServerConnection.ISettings`.
 */
export type FetchFunction = (
  input: RequestInfo | URL,
  init?: RequestInit
) => Promise<Response>;

/**
 * Where the current configuration of a gateway is read: it may change while
 * the page runs (a new token, new timeouts), and every request and websocket
 * must use the configuration in force when it is made.
 */
export type ConfigSource = () => IGatewayConfig;

/**
 * Options to build the connection settings of a gateway.
 */
export interface IConnectionOptions {
  /**
   * The `fetch` that reaches the network; the global one by default. Tests
   * inject their own only to create faults no real server can produce.
   */
  fetch?: FetchFunction;
  /**
   * The websocket class; the browser's by default.
   */
  WebSocket?: typeof WebSocket;
}

/**
 * Build the `ServerConnection.ISettings` of a gateway.
 *
 * JupyterLab's defaults are made for the local server and would leak its
 * credentials to the gateway: `makeSettings()` uses the *local* token,
 * `makeRequest()` adds `Authorization: token <local token>` and
 * `X-XSRFToken: <local _xsrf cookie>` to every request, and `appendToken`
 * depends on host names. Here:
 * - `token` is the gateway's token (possibly empty), never the local one;
 * - `appendToken` is always true: browsers cannot put headers on websockets,
 *   so the token rides in `?token=` on the websocket URL;
 * - `fetch` is wrapped by {@link sanitizingFetch}, which rebuilds every
 *   request with only the headers the gateway needs, the token in the URL (a
 *   CORS preflight carries no `Authorization` header, and Kernel Gateway
 *   refuses a preflight without a token), and no cookies, no referrer;
 * - messages of the v1 protocol are decoded without copying them first
 *   ({@link v1DecodingInPlace}).
 */
export function makeGatewaySettings(
  config: IGatewayConfig | ConfigSource,
  options: IConnectionOptions = {}
): ServerConnection.ISettings {
  const current: ConfigSource =
    typeof config === 'function' ? config : () => config;
  const network = options.fetch ?? defaultFetch;
  const stock = ServerConnection.makeSettings({
    baseUrl: current().url,
    wsUrl: current().wsUrl,
    appUrl: '',
    token: current().token,
    appendToken: true,
    init: { cache: 'no-store', credentials: 'omit', mode: 'cors' },
    fetch: sanitizingFetch(current, network),
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {})
  });
  const settings: ServerConnection.ISettings = {
    ...stock,
    serializer: v1DecodingInPlace(stock.serializer)
  };
  // Kernel connections read these when they open a websocket: always the
  // configuration in force. (The base URL of a backend never changes.)
  return Object.defineProperties(settings, {
    token: { get: () => current().token, enumerable: true },
    wsUrl: { get: () => current().wsUrl, enumerable: true }
  });
}

/**
 * Wrap `fetch` so that a request can only go to the gateway, and only with
 * what the gateway needs.
 *
 * Whatever the caller put in the request, the request that leaves has:
 * - a URL under the gateway's base URL (anything else is refused, so the
 *   token cannot be sent elsewhere), with `?token=` when a token is set;
 * - the method, the body, `Content-Type` when there is a body, and the
 *   caller's abort signal;
 * - `credentials: 'omit'` (no cookies), `referrerPolicy: 'no-referrer'`.
 * In particular `Authorization` and `X-XSRFToken`, which JupyterLab adds for
 * the local server, are dropped.
 */
export function sanitizingFetch(
  config: ConfigSource,
  network: FetchFunction
): FetchFunction {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const source = toParts(input, init);
    const url = withToken(source.url, config());
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (source.method !== 'GET' && source.method !== 'HEAD') {
      body = await source.body();
      if (body !== undefined && body !== '') {
        headers['Content-Type'] = source.contentType ?? 'application/json';
      }
    }
    return network(url, {
      method: source.method,
      headers,
      body,
      signal: source.signal,
      credentials: 'omit',
      mode: 'cors',
      cache: 'no-store',
      referrerPolicy: 'no-referrer'
    });
  };
}

/**
 * Add the gateway token to a gateway URL, refusing any other URL.
 *
 * @throws if `url` is not under the gateway's base URL (or its kernelspec
 * resources, which Kernel Gateway serves from the root of its origin).
 */
export function withToken(url: string, config: IGatewayConfig): string {
  if (!isGatewayUrl(url, config)) {
    throw new Error(`Refusing to send a gateway request to ${url}`);
  }
  if (!config.token) {
    return url;
  }
  const parsed = new URL(url);
  parsed.searchParams.set('token', config.token);
  return parsed.toString();
}

/**
 * A logo most gateways have (the python3 kernelspec's), under the gateway's
 * base URL: loading it with the token proves the token where CORS hides the
 * answers.
 */
export function fallbackLogoUrl(config: IGatewayConfig): string {
  return new URL('kernelspecs/python3/logo-64x64.png', config.url).href;
}

/**
 * Whether `url` belongs to the configured gateway: under its base URL, or a
 * kernelspec resource on its origin.
 */
export function isGatewayUrl(url: string, config: IGatewayConfig): boolean {
  if (!config.url) {
    return false;
  }
  if (url.startsWith(config.url)) {
    return true;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const base = new URL(config.url);
  return (
    parsed.origin === base.origin && parsed.pathname.startsWith('/kernelspecs/')
  );
}

/**
 * The parts of a request that survive sanitising.
 */
interface IRequestParts {
  url: string;
  method: string;
  contentType: string | undefined;
  signal: AbortSignal | undefined;
  body: () => Promise<string | undefined>;
}

function toParts(
  input: RequestInfo | URL,
  init: RequestInit | undefined
): IRequestParts {
  if (typeof input === 'string' || input instanceof URL) {
    const headers = new Headers(init?.headers);
    return {
      url: input.toString(),
      method: (init?.method ?? 'GET').toUpperCase(),
      contentType: headers.get('Content-Type') ?? undefined,
      signal: init?.signal ?? undefined,
      body: async () => (typeof init?.body === 'string' ? init.body : undefined)
    };
  }
  // A `Request`, as built by `ServerConnection.makeRequest`.
  const request = input;
  return {
    url: request.url,
    method: (init?.method ?? request.method).toUpperCase(),
    contentType: request.headers.get('Content-Type') ?? undefined,
    signal: init?.signal ?? request.signal,
    body: async () => {
      const text = await request.text();
      return text === '' ? undefined : text;
    }
  };
}

/**
 * The global `fetch`, looked up at call time (tests and shims may replace it).
 */
const defaultFetch: FetchFunction = (input, init) =>
  globalThis.fetch(input, init);
