import { ServerConnection } from '@jupyterlab/services';

/**
 * The gateway could not be reached or did not answer in time.
 *
 * - `unreachable`: nothing answered (gateway down, wrong host or port, network).
 * - `timeout`: the gateway did not answer in time.
 *
 * It is a `ServerConnection.NetworkError`, so JupyterLab's kernel connection
 * keeps retrying instead of declaring the kernel dead.
 */
export class GatewayNetworkError extends ServerConnection.NetworkError {
  constructor(
    readonly kind: 'unreachable' | 'timeout',
    readonly gatewayUrl: string,
    message: string
  ) {
    super(new TypeError(message));
    this.name = 'GatewayNetworkError';
  }
}

/**
 * The gateway answered with an error, or refused the page.
 */
export class GatewayResponseError extends ServerConnection.ResponseError {
  constructor(options: GatewayResponseError.IOptions) {
    super(options.response ?? Response.error(), options.message);
    this.name = 'GatewayResponseError';
    this.kind = options.kind;
    this.gatewayUrl = options.gatewayUrl;
    this.status = options.status;
    this.gatewayMessage = options.gatewayMessage ?? '';
    this.reason = options.reason;
  }

  /**
   * - `refused`: the gateway answered, but the browser may not read the
   *   answer: a wrong token or a gateway that does not allow this page's
   *   origin (CORS), or plain http from an https page;
   * - `http`: the gateway answered with an error status.
   */
  readonly kind: 'refused' | 'http';
  readonly gatewayUrl: string;
  /**
   * The HTTP status, when the browser could see it (Kernel Gateway sends
   * errors without CORS headers: then it is undefined).
   */
  readonly status: number | undefined;
  /**
   * The gateway's own message (first line only, never a traceback).
   */
  readonly gatewayMessage: string;
  /**
   * For `refused`: what was refused, when it could be told.
   */
  readonly reason: RefusalReason | undefined;
}

export namespace GatewayResponseError {
  export interface IOptions {
    kind: 'refused' | 'http';
    gatewayUrl: string;
    /**
     * The short sentence shown to the user.
     */
    message: string;
    /**
     * The response, when the browser could read it.
     */
    response?: Response;
    status?: number;
    gatewayMessage?: string;
    reason?: RefusalReason;
  }
}

/**
 * An answer from the gateway did not have the expected shape. The gateway
 * answered (so it is an `http` error: the gateway itself works), but what
 * it sent is not used.
 */
export class InvalidGatewayAnswer extends GatewayResponseError {
  constructor(what: string, gatewayUrl = '') {
    super({
      kind: 'http',
      gatewayUrl,
      message: `The Kernel Gateway${gatewayUrl ? ` at ${gatewayUrl}` : ''} sent an invalid ${what}.`
    });
    this.name = 'InvalidGatewayAnswer';
  }
}

/**
 * What a gateway (or the browser) refused, when it can be told — the token,
 * this page's origin (CORS), or plain http from an https page (the browser
 * refuses it: mixed content).
 */
export type RefusalReason = 'token' | 'cors' | 'mixed-content';

/**
 * Any error raised by the gateway clients.
 */
export type GatewayError =
  GatewayNetworkError | GatewayResponseError | InvalidGatewayAnswer;

/**
 * Whether an error was raised by the gateway clients (an invalid answer is
 * a response error).
 */
export function isGatewayError(err: unknown): err is GatewayError {
  return (
    err instanceof GatewayNetworkError || err instanceof GatewayResponseError
  );
}

/**
 * Which gateway answers: Jupyter Kernel Gateway, or Enterprise Gateway
 * (whose `GET /api` also says `gateway_version`). Their flags and
 * environment variables have different names.
 */
export type GatewayFlavor = 'kernel-gateway' | 'enterprise-gateway';

/**
 * The context a message needs.
 */
export interface IMessageContext {
  /**
   * The gateway's base URL.
   */
  gatewayUrl: string;
  /**
   * The origin of this page, e.g. `http://127.0.0.1:8888`.
   */
  pageOrigin: string;
  /**
   * The request timeout that expired, in seconds.
   */
  timeout?: number;
  /**
   * What the request was doing, e.g. "start a kernel".
   */
  action?: string;
  /**
   * Which gateway it is, when known (from an earlier `GET /api`).
   */
  flavor?: GatewayFlavor;
}

/**
 * The sentences shown to the user for each kind of failure. Each names the
 * gateway and says what to check; none includes a traceback.
 */
export namespace Messages {
  export function unreachable(ctx: IMessageContext): string {
    return (
      `Cannot reach the Kernel Gateway at ${ctx.gatewayUrl}${doing(ctx)}. ` +
      'Check that the gateway is running and that the "Kernel Gateway URL" ' +
      'setting (Settings → Kernel Gateway) points to it.' +
      (ctx.gatewayUrl.startsWith('https:') ? ` ${untrustedHint(ctx)}` : '')
    );
  }

  /**
   * Browsers refuse a certificate they do not trust without telling the
   * page: say what to check.
   */
  export function untrustedHint(ctx: IMessageContext): string {
    return (
      'If its certificate is not trusted by this browser (self-signed, ' +
      'expired, or issued for another host name), the browser refuses it ' +
      `silently: open ${ctx.gatewayUrl}api in a new tab to see why, and give ` +
      'the gateway a valid certificate for its host name.'
    );
  }

  /**
   * The network went silent: the connection is open but nothing answers.
   */
  export function silent(ctx: IMessageContext, seconds: number): string {
    return (
      `No answer from the Kernel Gateway at ${ctx.gatewayUrl} for ${seconds} s: ` +
      'the network between this browser and the gateway is not passing ' +
      'anything (a VPN, Wi-Fi or a proxy). Your notebooks are kept; the ' +
      'kernels reconnect and show what they printed meanwhile as soon as ' +
      'the gateway answers again.'
    );
  }

  export function timeout(ctx: IMessageContext): string {
    return (
      `No answer from the Kernel Gateway at ${ctx.gatewayUrl} within ` +
      `${ctx.timeout ?? '?'} s${doing(ctx)}. The network to it may have gone ` +
      'silent, or the gateway is overloaded; it is asked again, or raise ' +
      'the timeouts in Settings → Kernel Gateway.'
    );
  }

  export function refused(ctx: IMessageContext): string {
    return (
      `The Kernel Gateway at ${ctx.gatewayUrl} answered but refused this ` +
      `page${doing(ctx)}. Check the "Auth token" setting (Settings → Kernel ` +
      `Gateway) against the gateway's ${tokenVariable(ctx.flavor)}, and that ` +
      `the gateway allows this page's origin: start it with ` +
      corsFlags(ctx.pageOrigin, ctx.flavor) +
      '.'
    );
  }

  export function cors(ctx: IMessageContext): string {
    return (
      `The Kernel Gateway at ${ctx.gatewayUrl} accepts the token but does ` +
      `not allow this page's origin, ${ctx.pageOrigin} (CORS)${doing(ctx)}. ` +
      `Start it with ${corsFlags(ctx.pageOrigin, ctx.flavor)}.`
    );
  }

  export function unauthorized(ctx: IMessageContext): string {
    return (
      `The Kernel Gateway at ${ctx.gatewayUrl} refused the token${doing(ctx)}. ` +
      'Check the "Auth token" setting (Settings → Kernel Gateway) against ' +
      `the gateway's ${tokenVariable(ctx.flavor)}.`
    );
  }

  /**
   * Enterprise Gateway refused to start a kernel for this user (403).
   */
  export function unauthorizedUser(
    ctx: IMessageContext,
    username: string
  ): string {
    const who = username ? `the user "${username}"` : 'this user';
    return (
      `The gateway at ${ctx.gatewayUrl} refused to start a kernel for ${who} ` +
      '(KERNEL_USERNAME). Set "KERNEL_USERNAME" in Settings → Kernel Gateway ' +
      `to a user it allows, or ask its administrator to add ${
        username ? `"${username}"` : 'you'
      } to its authorized_users.`
    );
  }

  /**
   * The gateway gave up on a kernel that did not start within its launch
   * timeout (Enterprise Gateway answers 500 and removes the kernel).
   */
  export function launchTimeout(ctx: IMessageContext, seconds: number): string {
    return (
      `The kernel did not start within the launch timeout (${seconds} s) on ` +
      `the gateway at ${ctx.gatewayUrl}, which stopped it: nothing is left ` +
      'running there. If kernels start slowly there (a cluster pulling an ' +
      'image), raise "Kernel launch timeout" in Settings → Kernel Gateway, ' +
      'then select the kernel again.'
    );
  }

  export function noSuchKernel(
    ctx: IMessageContext,
    name: string,
    offered: string[]
  ): string {
    return (
      `The Kernel Gateway at ${ctx.gatewayUrl} has no kernel named "${name}". ` +
      (offered.length > 0
        ? `It offers: ${offered.join(', ')}; select one of them.`
        : 'It offers no kernel at all: install one where the gateway runs.')
    );
  }

  export function full(ctx: IMessageContext, certain: boolean): string {
    return (
      `The Kernel Gateway at ${ctx.gatewayUrl} ` +
      (certain
        ? 'is full: it runs as many kernels as its administrator allows (max_kernels). '
        : 'refused to start a kernel; it is most likely full (its max_kernels limit). ') +
      'Shut down a kernel you no longer need (Running panel), then try again.'
    );
  }

  export function status(
    ctx: IMessageContext,
    status: number | undefined,
    gatewayMessage: string
  ): string {
    if (status === 401) {
      return unauthorized(ctx);
    }
    if (status === 403 && /resource limit/i.test(gatewayMessage)) {
      return full(ctx, true);
    }
    const code = status === undefined ? 'an error' : `error ${status}`;
    const detail = gatewayMessage ? `: ${gatewayMessage}` : '.';
    return (
      `The Kernel Gateway at ${ctx.gatewayUrl} answered with ${code}` +
      `${doing(ctx)}${detail}`
    );
  }

  /**
   * The gateway flags a browser client needs, with this page's origin:
   * those of the gateway in use, or of both when it is not known which.
   */
  export function corsFlags(
    pageOrigin: string,
    flavor?: GatewayFlavor
  ): string {
    const flags = (app: string, variable: string) =>
      `--${app}.allow_origin=${pageOrigin} ` +
      `--${app}.allow_headers=Content-Type ` +
      `--${app}.allow_methods=GET,POST,DELETE,OPTIONS ` +
      `(or ${variable}=${pageOrigin})`;
    const kg = flags('KernelGatewayApp', 'KG_ALLOW_ORIGIN');
    const eg = flags('EnterpriseGatewayApp', 'EG_ALLOW_ORIGIN');
    if (flavor === 'kernel-gateway') {
      return kg;
    }
    if (flavor === 'enterprise-gateway') {
      return eg;
    }
    return `${kg}; for Enterprise Gateway: ${eg}`;
  }

  /**
   * The environment variable holding the gateway's token.
   */
  export function tokenVariable(flavor?: GatewayFlavor): string {
    if (flavor === 'enterprise-gateway') {
      return 'EG_AUTH_TOKEN';
    }
    return flavor === 'kernel-gateway'
      ? 'KG_AUTH_TOKEN'
      : 'KG_AUTH_TOKEN (EG_AUTH_TOKEN on Enterprise Gateway)';
  }

  function doing(ctx: IMessageContext): string {
    return ctx.action ? ` (while trying to ${ctx.action})` : '';
  }
}

/**
 * How Enterprise Gateway says that a user may not start a kernel (403).
 */
export const USER_REFUSAL = /not (in the set of users )?authorized/i;

/**
 * How Enterprise Gateway says that a kernel did not start within its launch
 * timeout (500).
 */
export const LAUNCH_TIMEOUT = /launch timeout/i;

/**
 * Reduce a gateway error body to one short line: Kernel Gateway returns
 * Python tracebacks in `message` for some failures (e.g. an unknown
 * kernelspec); the user needs the last line, not the dump.
 */
export function shortGatewayMessage(message: unknown): string {
  if (typeof message !== 'string') {
    return '';
  }
  const lines = message
    .split('\n')
    .map(line => line.trim())
    .filter(line => line !== '');
  const last = lines.length > 0 ? lines[lines.length - 1] : '';
  return last.length > 300 ? `${last.slice(0, 297)}...` : last;
}

/**
 * One short sentence for a notification toast (JupyterLab cuts toasts at
 * 140 characters); the full message says what to do.
 */
export function summarizeGatewayError(error: GatewayError): string {
  const url = error.gatewayUrl;
  switch (error.kind) {
    case 'unreachable':
      return `Cannot reach the Kernel Gateway at ${url}.`;
    case 'timeout':
      return `No answer from the Kernel Gateway at ${url}.`;
    case 'refused': {
      const reason = refusalReason(error);
      if (reason === 'token') {
        return `The Kernel Gateway at ${url} refused the token.`;
      }
      if (reason === 'cors') {
        return `The Kernel Gateway at ${url} does not allow this page (CORS).`;
      }
      if (reason === 'mixed-content') {
        return `This https page may not use the http Kernel Gateway at ${url}: use https.`;
      }
      return `The Kernel Gateway at ${url} refused this page (token or CORS).`;
    }
    case 'http':
      return error.message.split('. ')[0];
  }
}

/**
 * What a gateway refused, when it could be told: the token or the page's
 * origin (CORS); `undefined` when either may be the cause.
 */
export function refusalReason(error: unknown): RefusalReason | undefined {
  if (!(error instanceof GatewayResponseError) || error.kind !== 'refused') {
    return undefined;
  }
  return error.status === 401 ? 'token' : error.reason;
}
