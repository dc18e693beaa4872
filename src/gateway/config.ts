/**
 * The gateway configuration: its shape, its defaults and its validation.
 *
 * This module is pure data: no network, no UI. It turns the raw values of the
 * `jupyterlab-kernel-gateway:plugin` settings into a checked configuration,
 * and refuses anything that could send the user's code somewhere unexpected.
 */
import type { ILaunchOption } from './launchoptions';
import { KERNEL_ENV_NAME, parseLaunchOptions } from './launchoptions';

/**
 * A checked gateway configuration.
 */
export interface IGatewayConfig {
  /**
   * The HTTP(S) base URL of the gateway, normalised to end with `/`;
   * empty when no gateway is configured (kernels then run locally).
   */
  readonly url: string;
  /**
   * The websocket base URL, normalised to end with `/`. Derived from `url`
   * (`http` → `ws`, `https` → `wss`) unless set explicitly.
   */
  readonly wsUrl: string;
  /**
   * The gateway's auth token (`KG_AUTH_TOKEN`); empty for none.
   */
  readonly token: string;
  /**
   * A short name for the gateway, shown beside its kernels; empty to show
   * its host.
   */
  readonly name: string;
  /**
   * Timeout of ordinary REST requests, in seconds.
   */
  readonly requestTimeout: number;
  /**
   * How long a kernel may take to start on the gateway, in seconds. Sent as
   * `KERNEL_LAUNCH_TIMEOUT` and used as the timeout of the start request.
   */
  readonly launchTimeout: number;
  /**
   * Sent as `KERNEL_USERNAME` when not empty.
   */
  readonly kernelUsername: string;
  /**
   * Extra `KERNEL_*` variables sent on every kernel start.
   */
  readonly kernelEnv: Readonly<Record<string, string>>;
  /**
   * The `KERNEL_*` variables users choose when a kernel starts here.
   */
  readonly launchOptions: ReadonlyArray<ILaunchOption>;
  /**
   * Seconds between the probes that keep an idle kernel's websocket alive
   * through proxies that close idle connections; 0 for none.
   */
  readonly keepAliveInterval: number;
  /**
   * Whether the local server's kernels are offered beside the gateway's
   * (they always are when no gateway is configured).
   */
  readonly offerLocalKernels: boolean;
}

/**
 * The raw settings, as stored by the settings system (all optional).
 */
export interface IRawGatewaySettings {
  gatewayUrl?: unknown;
  gatewayName?: unknown;
  wsUrl?: unknown;
  authToken?: unknown;
  requestTimeout?: unknown;
  kernelLaunchTimeout?: unknown;
  kernelUsername?: unknown;
  kernelEnv?: unknown;
  launchOptions?: unknown;
  keepAliveInterval?: unknown;
  offerLocalKernels?: unknown;
  gateways?: unknown;
}

/**
 * A problem found in a setting.
 */
export interface ISettingProblem {
  /**
   * The setting's key in the schema, e.g. `gatewayUrl`.
   */
  readonly key: keyof IRawGatewaySettings;
  /**
   * What is wrong and how to fix it, for a person.
   */
  readonly message: string;
}

/**
 * The result of checking raw settings.
 */
export interface IConfigResult {
  /**
   * The configuration to use. A field whose raw value was refused keeps its
   * default, and a refused gateway URL disables the gateway altogether.
   */
  readonly config: IGatewayConfig;
  /**
   * Further gateways whose kernels are offered beside the first one's
   * (the `gateways` setting), each checked like the first; a gateway with
   * a refused URL or a name already taken is left out.
   */
  readonly gateways: ReadonlyArray<IGatewayConfig>;
  /**
   * Every refused value; empty when all were accepted.
   */
  readonly problems: ReadonlyArray<ISettingProblem>;
  /**
   * Whether the administrator keeps the list of gateways
   * (`"allowUserGateways": false` in `overrides.json`).
   */
  readonly locked?: boolean;
  /**
   * The user's values that the administrator's lock leaves unused: told,
   * not refused (the rest of the settings apply).
   */
  readonly ignored?: ReadonlyArray<ISettingProblem>;
}

/**
 * The defaults, identical to those of `schema/plugin.json`.
 */
export const DEFAULT_CONFIG: IGatewayConfig = Object.freeze({
  url: '',
  wsUrl: '',
  token: '',
  name: '',
  requestTimeout: 42,
  launchTimeout: 40,
  kernelUsername: '',
  kernelEnv: Object.freeze({}),
  launchOptions: Object.freeze([]),
  keepAliveInterval: 30,
  offerLocalKernels: false
});

/**
 * How long a kernel start (or restart) request may take: the launch
 * timeout plus a margin, so that the gateway, which applies the launch
 * timeout itself (`KERNEL_LAUNCH_TIMEOUT`), answers first.
 */
export function launchRequestTimeout(config: IGatewayConfig): number {
  return Math.max(config.requestTimeout, config.launchTimeout + 5);
}

export { KERNEL_ENV_NAME };

/**
 * Whether a configuration sends kernels to a gateway.
 */
export function isGatewayConfigured(config: IGatewayConfig): boolean {
  return config.url !== '';
}

/**
 * Check raw settings and build the configuration.
 */
export function parseGatewaySettings(raw: IRawGatewaySettings): IConfigResult {
  const problems: ISettingProblem[] = [];
  const refuse = (key: keyof IRawGatewaySettings, message: string) =>
    problems.push({ key, message });

  const url = checkUrl(raw.gatewayUrl, ['http:', 'https:']);
  if (url.error) {
    refuse('gatewayUrl', `Kernel Gateway URL ${url.error}`);
  }
  const ws = checkUrl(raw.wsUrl, ['ws:', 'wss:']);
  if (ws.error) {
    refuse('wsUrl', `Kernel Gateway websocket URL ${ws.error}`);
  }

  const token = checkString(raw.authToken);
  if (token === undefined) {
    refuse('authToken', 'The auth token must be text.');
  }
  const name = checkString(raw.gatewayName);
  if (name === undefined || (name && name.length > 40)) {
    refuse(
      'gatewayName',
      'The gateway name must be text of at most 40 characters.'
    );
  }
  const username = checkString(raw.kernelUsername);
  if (username === undefined) {
    refuse('kernelUsername', 'KERNEL_USERNAME must be text.');
  }

  const requestTimeout = checkSeconds(
    raw.requestTimeout,
    DEFAULT_CONFIG.requestTimeout
  );
  if (requestTimeout === undefined) {
    refuse(
      'requestTimeout',
      'The request timeout must be a number of seconds between 1 and 3600.'
    );
  }
  const launchTimeout = checkSeconds(
    raw.kernelLaunchTimeout,
    DEFAULT_CONFIG.launchTimeout
  );
  if (launchTimeout === undefined) {
    refuse(
      'kernelLaunchTimeout',
      'The kernel launch timeout must be a number of seconds between 1 and 3600.'
    );
  }

  const env = checkEnv(raw.kernelEnv);
  if (typeof env === 'string') {
    refuse('kernelEnv', env);
  }
  const keepAlive =
    raw.keepAliveInterval === 0
      ? 0
      : checkSeconds(raw.keepAliveInterval, DEFAULT_CONFIG.keepAliveInterval);
  if (keepAlive === undefined) {
    refuse(
      'keepAliveInterval',
      'The websocket keep-alive must be 0 (none) or a number of seconds between 1 and 3600.'
    );
  }
  const launchOptions = parseLaunchOptions(raw.launchOptions);
  if (typeof launchOptions === 'string') {
    refuse('launchOptions', launchOptions);
  }

  const offerLocal = raw.offerLocalKernels ?? DEFAULT_CONFIG.offerLocalKernels;
  if (typeof offerLocal !== 'boolean') {
    refuse(
      'offerLocalKernels',
      '"Also offer this server\'s kernels" must be true or false.'
    );
  }

  const httpUrl = url.value;
  const config: IGatewayConfig = Object.freeze({
    url: httpUrl,
    wsUrl: httpUrl ? ws.value || toWebsocketUrl(httpUrl) : '',
    token: token ?? DEFAULT_CONFIG.token,
    name: name && name.length <= 40 ? name : DEFAULT_CONFIG.name,
    requestTimeout: requestTimeout ?? DEFAULT_CONFIG.requestTimeout,
    launchTimeout: launchTimeout ?? DEFAULT_CONFIG.launchTimeout,
    kernelUsername: username ?? DEFAULT_CONFIG.kernelUsername,
    kernelEnv: Object.freeze(
      typeof env === 'string' ? { ...DEFAULT_CONFIG.kernelEnv } : env
    ),
    launchOptions: Object.freeze(
      typeof launchOptions === 'string' ? [] : launchOptions
    ),
    keepAliveInterval: keepAlive ?? DEFAULT_CONFIG.keepAliveInterval,
    offerLocalKernels:
      typeof offerLocal === 'boolean'
        ? offerLocal
        : DEFAULT_CONFIG.offerLocalKernels
  });
  const gateways = parseMoreGateways(raw.gateways, config, problems);
  return { config, gateways, problems };
}

/**
 * The settings a gateway of the `gateways` list may have: those of the
 * first gateway, except what applies to all.
 */
type IRawListedGateway = Omit<
  IRawGatewaySettings,
  'gateways' | 'offerLocalKernels'
>;

/**
 * Check the `gateways` list: each entry like the first gateway's settings,
 * URLs and names unique (a name is shown beside the gateway's kernels and
 * names its kernelspecs, so two gateways cannot share one; "Local" is this
 * server's).
 */
function parseMoreGateways(
  raw: unknown,
  first: IGatewayConfig,
  problems: ISettingProblem[]
): IGatewayConfig[] {
  if (raw === undefined || raw === null) {
    return [];
  }
  if (!Array.isArray(raw)) {
    problems.push({ key: 'gateways', message: 'Gateways must be a list.' });
    return [];
  }
  const gateways: IGatewayConfig[] = [];
  const configured = first.url ? [first] : [];
  raw.forEach((entry: unknown, index) => {
    const refuse = (message: string) =>
      problems.push({
        key: 'gateways',
        message: `Gateway ${index + 1}: ${message}`
      });
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      refuse('each gateway must be an object with a gatewayUrl.');
      return;
    }
    const listed = entry as IRawListedGateway & Record<string, unknown>;
    const { config, problems: own } = parseGatewaySettings({
      ...listed,
      gateways: undefined,
      offerLocalKernels: undefined
    });
    for (const problem of own) {
      refuse(problem.message);
    }
    if (!config.url) {
      if (own.every(problem => problem.key !== 'gatewayUrl')) {
        refuse('its gatewayUrl is empty.');
      }
      return;
    }
    switch (gatewayConflict(config, [...configured, ...gateways])) {
      case 'url':
        refuse(`${config.url} is already configured: it is left out.`);
        return;
      case 'name':
        refuse(
          `the name "${gatewayLabel(config)}" is already taken: give this gateway another gatewayName.`
        );
        return;
      case null:
        gateways.push(config);
    }
  });
  return gateways;
}

/**
 * Why a gateway cannot be offered beside those `configured`: its URL is one
 * of theirs (`url`), or its name is, case aside, or is "local", which names
 * this server's kernelspecs (`name`); `null` when it can.
 */
export function gatewayConflict(
  config: IGatewayConfig,
  configured: ReadonlyArray<IGatewayConfig>
): 'url' | 'name' | null {
  if (configured.some(other => other.url === config.url)) {
    return 'url';
  }
  const name = key(config);
  if (name === 'local' || configured.some(other => key(other) === name)) {
    return 'name';
  }
  return null;
}

function key(config: IGatewayConfig): string {
  return gatewayLabel(config).toLowerCase();
}

/**
 * Derive the websocket URL from an HTTP(S) URL.
 */
export function toWebsocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

/**
 * The user name kernels on the gateway `config` start with, as
 * `KERNEL_USERNAME`: its setting, else the local server's user.
 */
export async function kernelUsernameOf(
  config: IGatewayConfig,
  localUserName?: () => Promise<string>
): Promise<string> {
  return config.kernelUsername || ((await localUserName?.()) ?? '');
}

/**
 * The short name of a gateway for people: the name set by the user, else
 * its host (and port).
 */
export function gatewayLabel(config: IGatewayConfig): string {
  if (config.name) {
    return config.name;
  }
  return config.url ? new URL(config.url).host : 'Local';
}

/**
 * Whether two configurations send kernels to the same place in the same way.
 */
export function sameConfig(a: IGatewayConfig, b: IGatewayConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A gateway URL setting in the form the extension uses (scheme and host in
 * lower case, the path ending in one slash); `undefined` when it is not an
 * HTTP(S) URL the extension accepts.
 */
export function canonicalGatewayUrl(raw: unknown): string | undefined {
  const { value, error } = checkUrl(raw, ['http:', 'https:']);
  return error === undefined && value !== '' ? value : undefined;
}

/**
 * Check a URL setting. Only absolute URLs with one of `protocols` are
 * accepted: `javascript:`, `file:`, `data:` and relative URLs are refused.
 * Credentials embedded in the URL are refused too (they would be logged and
 * shown); the token has its own setting.
 */
function checkUrl(
  raw: unknown,
  protocols: string[]
): { value: string; error?: string } {
  if (raw === undefined || raw === null) {
    return { value: '' };
  }
  if (typeof raw !== 'string') {
    return { value: '', error: 'must be text.' };
  }
  const text = raw.trim();
  if (text === '') {
    return { value: '' };
  }
  const allowed = protocols.map(p => `${p}//`).join(' or ');
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return {
      value: '',
      error: `"${text}" is not a URL: it must start with ${allowed}.`
    };
  }
  if (!protocols.includes(parsed.protocol)) {
    return {
      value: '',
      error: `"${text}" is refused: only ${allowed} URLs are accepted.`
    };
  }
  if (parsed.username || parsed.password) {
    return {
      value: '',
      error: `"${text}" is refused: put the token in the "Auth token" setting, not in the URL.`
    };
  }
  if (parsed.search || parsed.hash) {
    return {
      value: '',
      error: `"${text}" is refused: the URL must not have a query or fragment.`
    };
  }
  const path = parsed.pathname.endsWith('/')
    ? parsed.pathname
    : `${parsed.pathname}/`;
  return { value: `${parsed.protocol}//${parsed.host}${path}` };
}

function checkString(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) {
    return '';
  }
  return typeof raw === 'string' ? raw.trim() : undefined;
}

function checkSeconds(raw: unknown, fallback: number): number | undefined {
  if (raw === undefined || raw === null) {
    return fallback;
  }
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    return undefined;
  }
  return raw >= 1 && raw <= 3600 ? raw : undefined;
}

function checkEnv(raw: unknown): Record<string, string> | string {
  if (raw === undefined || raw === null) {
    return {};
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return 'Kernel environment must be an object of NAME: value pairs.';
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!KERNEL_ENV_NAME.test(name)) {
      return `Kernel environment variable "${name}" is refused: names must start with KERNEL_ (gateways drop other names unless their administrator allows them: Kernel Gateway's env_whitelist, Enterprise Gateway's client_envs).`;
    }
    if (typeof value !== 'string') {
      return `Kernel environment variable "${name}" must have a text value.`;
    }
    if (value.length > 4096) {
      return `Kernel environment variable "${name}" is longer than 4096 characters.`;
    }
    env[name] = value;
  }
  return env;
}

/**
 * Whether a browser treats `hostname` as potentially trustworthy over
 * plain http (loopback): pages served over https may still call it.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  );
}

/**
 * Whether the browser blocks the gateway as mixed content: this page is
 * served over https and the gateway (or its websockets) over plain http or
 * ws, on a host that is not loopback. Browsers refuse such requests without
 * saying why to the page.
 */
export function isMixedContent(
  config: IGatewayConfig,
  pageOrigin: string
): boolean {
  if (!config.url || !pageOrigin.startsWith('https:')) {
    return false;
  }
  return [config.url, config.wsUrl].some(url => {
    const parsed = new URL(url);
    return (
      (parsed.protocol === 'http:' || parsed.protocol === 'ws:') &&
      !isLoopbackHost(parsed.hostname)
    );
  });
}

/**
 * What to tell the user about a configuration that will not work from this
 * page, or not safely: a gateway blocked as mixed content, a gateway that
 * shares the page's host name (cookies).
 */
export function configWarnings(
  config: IGatewayConfig,
  pageOrigin: string
): ISettingProblem[] {
  if (isMixedContent(config, pageOrigin)) {
    return [{ key: 'gatewayUrl', message: mixedContentMessage(config) }];
  }
  return cookieWarnings(config, pageOrigin);
}

/**
 * Why an http gateway does not work from an https page, and the fix.
 */
export function mixedContentMessage(config: IGatewayConfig): string {
  return (
    `Use https for the Kernel Gateway at ${config.url}: this page is served ` +
    'over https, so your browser blocks plain http to it ("mixed content"). ' +
    'Serve the gateway with TLS (or behind a TLS proxy) and set an https:// ' +
    '"Kernel Gateway URL" (and a wss:// websocket URL, if one is set).'
  );
}

/**
 * Warn when the gateway shares its host name with the page.
 *
 * Browsers send a host's cookies to every port of that host, and a
 * websocket handshake carries them whatever the page asks: a gateway at
 * `http://myhost:8889` would receive the cookies of JupyterLab at
 * `http://myhost:8888` (its XSRF and login cookies) on every kernel
 * connection. No client code can prevent it; only a different host name can.
 */
export function cookieWarnings(
  config: IGatewayConfig,
  pageOrigin: string
): ISettingProblem[] {
  if (!config.url) {
    return [];
  }
  let pageHost: string;
  try {
    pageHost = new URL(pageOrigin).hostname;
  } catch {
    return [];
  }
  const hosts = [config.url, config.wsUrl].map(url => new URL(url).hostname);
  if (!hosts.includes(pageHost)) {
    return [];
  }
  return [
    {
      key: 'gatewayUrl',
      message:
        `The Kernel Gateway shares the host name "${pageHost}" with this ` +
        "page, so your browser sends this Jupyter server's cookies to the " +
        'gateway on every kernel connection. Serve the gateway under another ' +
        'host name (for example localhost instead of 127.0.0.1).'
    }
  ];
}
