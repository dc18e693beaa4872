import { URLExt } from '@jupyterlab/coreutils';
import type { ServerConnection } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IGatewayConfig } from './config';
import { isMixedContent, mixedContentMessage } from './config';
import type { ConfigSource, FetchFunction } from './connection';
import { withToken } from './connection';
import type { GatewayError, GatewayFlavor, IMessageContext } from './errors';
import {
  answersAtAll,
  probe,
  readGatewayVersion,
  tokenLoadsLogo
} from './probe';
import {
  GatewayNetworkError,
  GatewayResponseError,
  Messages,
  shortGatewayMessage
} from './errors';

/**
 * The health of a gateway, as seen by the last request made to it.
 */
export interface IGatewayHealth {
  /**
   * - `unknown`: nothing was asked yet;
   * - `connected`: the gateway answered and accepted the token;
   * - `unreachable`: nothing answered, or not in time;
   * - `refused`: the gateway answered but refused the page (token or CORS).
   */
  readonly state: 'unknown' | 'connected' | 'unreachable' | 'refused';
  /**
   * The error behind a bad state.
   */
  readonly error?: GatewayError;
  /**
   * When the state was observed (ms since the epoch).
   */
  readonly time: number;
  /**
   * The round-trip time of the last connection check (`GET api`), in ms.
   */
  readonly rtt?: number;
  /**
   * The version the gateway reported at the last check.
   */
  readonly version?: string;
  /**
   * Which gateway answered the last check: Enterprise Gateway says its
   * `gateway_version`.
   */
  readonly flavor?: GatewayFlavor;
}

/**
 * Options of one request.
 */
export interface IRequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  /**
   * A JSON-serialisable body.
   */
  body?: unknown;
  /**
   * Timeout in seconds; the configured request timeout by default.
   */
  timeout?: number;
  /**
   * What the request does, for messages ("start a kernel").
   */
  action?: string;
}

/**
 * Makes REST requests to one gateway and tells, when one fails, *why*.
 *
 * In a browser, Kernel Gateway's error responses carry no CORS headers, so
 * a 401, 403, 404 or 500 arrives as the same bare `TypeError` as a gateway
 * that is down. After such a failure the requester probes the gateway:
 * 1. a `no-cors` request to `api`: if even that fails, nothing is listening
 *    (`unreachable`);
 * 2. a normal request to `api` with the token: if it fails, the gateway
 *    refuses this page (token or CORS origin: `refused`);
 * 3. otherwise the gateway works and the first request got an HTTP error the
 *    browser hid from us (`http` with an unknown status): for a kernel URL
 *    that means the kernel does not exist any more.
 * Outside a browser (tests) statuses are visible and used directly.
 */
export class GatewayRequester {
  constructor(options: GatewayRequester.IOptions) {
    this._config = options.config;
    this.serverSettings = options.serverSettings;
    this._network = options.network;
    this._pageOrigin = options.pageOrigin;
    this._loadImage = options.loadImage;
  }

  /**
   * The configuration of the gateway now in force.
   */
  get config(): IGatewayConfig {
    return this._config();
  }

  /**
   * The connection settings of the gateway.
   */
  readonly serverSettings: ServerConnection.ISettings;

  /**
   * Logo URLs of the gateway's kernelspecs (without token), used to tell a
   * wrong token from a CORS refusal in a browser.
   */
  logoUrls: string[] = [];

  /**
   * The latest health.
   */
  get health(): IGatewayHealth {
    return this._health;
  }

  /**
   * Emitted when the health state or its error changes.
   */
  get healthChanged(): ISignal<this, IGatewayHealth> {
    return this._healthChanged;
  }

  /**
   * Wait until a request succeeds again (the health becomes `connected`).
   *
   * @returns whether it did within `timeoutMs`.
   */
  waitUntilConnected(timeoutMs: number): Promise<boolean> {
    if (this._health.state === 'connected') {
      return Promise.resolve(true);
    }
    return new Promise(resolve => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this._healthChanged.disconnect(onHealth);
        resolve(ok);
      };
      const onHealth = (_: unknown, health: IGatewayHealth) => {
        if (health.state === 'connected') {
          done(true);
        }
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this._healthChanged.connect(onHealth);
    });
  }

  /**
   * Send a request to `path` (relative to the gateway's base URL).
   *
   * @returns the response, whatever its HTTP status, when the browser could
   * read it.
   * @throws {GatewayNetworkError} when the gateway was not reached in time.
   * @throws {GatewayResponseError} when the gateway refused the page, or
   * answered with an error the browser hid (`status` undefined).
   */
  async request(
    path: string,
    options: IRequestOptions = {}
  ): Promise<Response> {
    const url = URLExt.join(this.serverSettings.baseUrl, path);
    const timeout = options.timeout ?? this.config.requestTimeout;
    const ctx = this._context(options.action, timeout);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout * 1000);
    let response: Response;
    try {
      response = await this.serverSettings.fetch(url, {
        method: options.method ?? 'GET',
        body:
          options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: controller.signal
      } as RequestInit);
    } catch {
      const error = controller.signal.aborted
        ? new GatewayNetworkError(
            'timeout',
            this.config.url,
            Messages.timeout(ctx)
          )
        : await this._diagnose(ctx);
      this._report(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (response.status === 401) {
      const error = await this.responseError(response, options.action);
      this._report(error);
      throw error;
    }
    this._report(null);
    return response;
  }

  /**
   * Send a request and parse its JSON answer, which must have a 2xx status.
   */
  async requestJSON(
    path: string,
    options: IRequestOptions = {}
  ): Promise<unknown> {
    const response = await this.request(path, options);
    if (!response.ok) {
      throw await this.responseError(response, options.action);
    }
    if (response.status === 204) {
      return undefined;
    }
    return response.json();
  }

  /**
   * Turn an error response into a {@link GatewayResponseError} whose message
   * is short and says what to do.
   */
  async responseError(
    response: Response,
    action?: string
  ): Promise<GatewayResponseError> {
    const ctx = this._context(action);
    let gatewayMessage = '';
    try {
      // Enterprise Gateway says what went wrong in `reason` (its `message`
      // is often empty); Kernel Gateway in `message`.
      const data = (await response.json()) as {
        message?: unknown;
        reason?: unknown;
      };
      gatewayMessage =
        shortGatewayMessage(data?.message) || shortGatewayMessage(data?.reason);
    } catch {
      // Not JSON: keep the status alone.
    }
    return new GatewayResponseError({
      kind: response.status === 401 ? 'refused' : 'http',
      gatewayUrl: this.config.url,
      response,
      message: Messages.status(ctx, response.status, gatewayMessage),
      status: response.status,
      gatewayMessage
    });
  }

  /**
   * A kernel's websocket stopped carrying anything (its probes went
   * unanswered): the network went silent.
   */
  reportSilence(seconds: number): void {
    if (this._health.state === 'connected') {
      this._report(
        new GatewayNetworkError(
          'timeout',
          this.config.url,
          Messages.silent(this._context(), seconds)
        )
      );
    }
  }

  /**
   * Check the gateway: `GET api` with the token.
   *
   * @returns the gateway's answer (its version).
   */
  async check(): Promise<{ version?: string }> {
    const started = performance.now();
    const answer = (await this.requestJSON('api', {
      action: 'check the connection',
      // A gateway that takes longer is as good as silent.
      timeout: Math.min(CHECK_TIMEOUT, this.config.requestTimeout)
    })) as unknown;
    const { version, flavor } = readGatewayVersion(answer);
    const rtt = Math.round(performance.now() - started);
    this._health = { ...this._health, rtt, version, flavor };
    this._healthChanged.emit(this._health);
    return { version };
  }

  /**
   * Find out why a request failed without a readable answer.
   */
  private async _diagnose(ctx: IMessageContext): Promise<GatewayError> {
    if (isMixedContent(this.config, this._pageOrigin)) {
      return new GatewayResponseError({
        kind: 'refused',
        gatewayUrl: this.config.url,
        message: mixedContentMessage(this.config),
        reason: 'mixed-content'
      });
    }
    const probeTimeout = Math.min(10, this.config.requestTimeout) * 1000;
    const apiUrl = URLExt.join(this.serverSettings.baseUrl, 'api');
    if (!(await answersAtAll(this._network, apiUrl, probeTimeout))) {
      return new GatewayNetworkError(
        'unreachable',
        this.config.url,
        Messages.unreachable(ctx)
      );
    }
    try {
      const response = await probe(
        this._network,
        withToken(apiUrl, this.config),
        probeTimeout
      );
      if (response.ok) {
        return new GatewayResponseError({
          kind: 'http',
          gatewayUrl: this.config.url,
          message: Messages.status(ctx, undefined, '')
        });
      }
    } catch {
      // Refused: fall through.
    }
    // The browser may not read the gateway's answer: a wrong token (Kernel
    // Gateway sends its 401 without CORS headers) or an origin the gateway
    // does not allow. A logo that loads with the token proves the token.
    if (await tokenLoadsLogo(this.config, this._loadImage, this.logoUrls)) {
      return new GatewayResponseError({
        kind: 'refused',
        gatewayUrl: this.config.url,
        message: Messages.cors(ctx),
        reason: 'cors'
      });
    }
    return new GatewayResponseError({
      kind: 'refused',
      gatewayUrl: this.config.url,
      message: Messages.refused(ctx)
    });
  }

  /**
   * What messages about this gateway need to know.
   */
  messageContext(action?: string): IMessageContext {
    return this._context(action);
  }

  private _context(action?: string, timeout?: number): IMessageContext {
    return {
      gatewayUrl: this.config.url,
      pageOrigin: this._pageOrigin,
      action,
      timeout: timeout ?? this.config.requestTimeout,
      flavor: this._health.flavor
    };
  }

  /**
   * Record the outcome of a request.
   */
  private _report(error: GatewayError | null): void {
    let state: IGatewayHealth['state'] = 'connected';
    if (error instanceof GatewayNetworkError) {
      state = 'unreachable';
    } else if (error?.kind === 'refused') {
      state = 'refused';
    }
    const previous = this._health;
    // An HTTP error on one resource says the gateway itself works.
    const effective = error?.kind === 'http' ? undefined : (error ?? undefined);
    this._health = {
      state,
      error: effective,
      time: Date.now(),
      rtt: previous.rtt,
      version: previous.version,
      flavor: previous.flavor
    };
    if (
      previous.state !== state ||
      previous.error?.message !== effective?.message
    ) {
      this._healthChanged.emit(this._health);
    }
  }

  private _config: ConfigSource;
  private _loadImage?: (url: string) => Promise<boolean>;
  private _network: FetchFunction;
  private _pageOrigin: string;
  private _health: IGatewayHealth = { state: 'unknown', time: Date.now() };
  private _healthChanged = new Signal<this, IGatewayHealth>(this);
}

export namespace GatewayRequester {
  export interface IOptions {
    /**
     * Where the gateway's current configuration is read.
     */
    config: ConfigSource;
    /**
     * Settings made by `makeGatewaySettings` for the same configuration.
     */
    serverSettings: ServerConnection.ISettings;
    /**
     * The raw network `fetch`, used for the diagnostic probes.
     */
    network: FetchFunction;
    /**
     * The origin of this page, named in CORS advice.
     */
    pageOrigin: string;
    /**
     * Whether an image loads (browsers only): tells a wrong token from a
     * CORS refusal.
     */
    loadImage?: (url: string) => Promise<boolean>;
  }
}

/**
 * Seconds a connection check may take.
 */
const CHECK_TIMEOUT = 10;
