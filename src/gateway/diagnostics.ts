/**
 * "Test gateway connection": check, step by step, everything a browser page
 * needs from a gateway, and say for each failure exactly what to fix.
 *
 * No UI here: the steps are reported through a callback; the UI renders
 * them. The checks use the network directly (not the managers), because
 * each one asks a narrower question than a normal request does.
 */
import { UUID } from '@lumino/coreutils';

import type { IGatewayConfig } from './config';
import { isMixedContent, launchRequestTimeout } from './config';
import type { FetchFunction } from './connection';
import { withToken } from './connection';
import type { GatewayFlavor } from './errors';
import { Messages, USER_REFUSAL } from './errors';
import {
  answersAtAll,
  probe,
  readGatewayVersion,
  tokenLoadsLogo
} from './probe';
import { withTimeout } from './timeout';

/**
 * The outcome of one step.
 */
export interface IDiagnosticStep {
  readonly id:
    | 'settings'
    | 'reach'
    | 'api'
    | 'token'
    | 'cors'
    | 'kernelspecs'
    | 'websocket';
  readonly title: string;
  readonly status: 'pass' | 'warn' | 'fail' | 'skip';
  /**
   * What was observed.
   */
  readonly detail: string;
  /**
   * What to do, for failures and warnings.
   */
  readonly fix?: string;
}

/**
 * What the test needs from its environment.
 */
export interface IDiagnosticEnvironment {
  fetch: FetchFunction;
  WebSocket: typeof WebSocket;
  /**
   * The origin of the page, e.g. `http://127.0.0.1:8888`.
   */
  pageOrigin: string;
  /**
   * Whether an image loads (an `<img>` request carries no Origin header and
   * is not subject to CORS, so it tells a wrong token from a CORS refusal).
   * Absent outside a browser.
   */
  loadImage?: (url: string) => Promise<boolean>;
  /**
   * Logo URLs seen earlier (without token), to probe the token with.
   */
  knownLogoUrls?: string[];
  /**
   * Per-step timeout in seconds (default: the configured request timeout).
   */
  timeout?: number;
  /**
   * Which gateway it is, if known from earlier: names its flags in advice
   * when the test cannot read `GET /api` itself.
   */
  flavor?: GatewayFlavor;
  /**
   * Sent as `KERNEL_USERNAME` with the test kernel's start (Enterprise
   * Gateway refuses kernels without one when it runs as root).
   */
  kernelUsername?: string;
}

const TITLES: Record<IDiagnosticStep['id'], string> = {
  settings: 'Settings',
  reach: 'Reachability (host, port, network)',
  api: 'HTTP API (GET /api)',
  token: 'Auth token',
  cors: "CORS for this page's origin",
  kernelspecs: 'Kernelspecs',
  websocket: 'Kernel websocket'
};

/**
 * Run the connection test.
 *
 * @param onStep - called as each step completes, for progress.
 * @returns every step, in order. Steps after a blocking failure are
 * reported as skipped.
 */
export async function testGatewayConnection(
  config: IGatewayConfig,
  env: IDiagnosticEnvironment,
  onStep: (step: IDiagnosticStep) => void = () => undefined
): Promise<IDiagnosticStep[]> {
  const steps: IDiagnosticStep[] = [];
  const report = (
    id: IDiagnosticStep['id'],
    status: IDiagnosticStep['status'],
    detail: string,
    fix?: string
  ) => {
    const step = { id, title: TITLES[id], status, detail, fix };
    steps.push(step);
    onStep(step);
    return step;
  };
  const skipRest = (from: IDiagnosticStep['id'][]) => {
    for (const id of from) {
      report(id, 'skip', 'Not tested: an earlier step failed.');
    }
    return steps;
  };
  const timeout = (env.timeout ?? config.requestTimeout) * 1000;
  const net = (url: string, init: RequestInit = {}) =>
    probe(env.fetch, url, timeout, init);

  // 1. Settings.
  if (!config.url) {
    report(
      'settings',
      'fail',
      'No Kernel Gateway URL is set: kernels run on the local Jupyter server.',
      'Set "Kernel Gateway URL" in Settings → Kernel Gateway.'
    );
    return skipRest([
      'reach',
      'api',
      'token',
      'cors',
      'kernelspecs',
      'websocket'
    ]);
  }
  if (isMixedContent(config, env.pageOrigin)) {
    report(
      'settings',
      'fail',
      `This page is served over https and the gateway (${config.url}) over plain http: the browser blocks every request to it (mixed content).`,
      'Use https for the gateway: serve it with TLS (or behind a TLS proxy such as nginx) and set an https:// "Kernel Gateway URL" (wss:// for the websocket URL, if set).'
    );
    return skipRest([
      'reach',
      'api',
      'token',
      'cors',
      'kernelspecs',
      'websocket'
    ]);
  }
  report(
    'settings',
    'pass',
    `Kernel Gateway URL ${config.url}, websocket URL ${config.wsUrl}, ` +
      (config.token ? 'a token is set.' : 'no token is set.')
  );

  // 2. Reachability: anything answering at all (no CORS needed).
  const host = new URL(config.url).host;
  const api = `${config.url}api`;
  if (await answersAtAll(env.fetch, api, timeout)) {
    report('reach', 'pass', `Something answers at ${host}.`);
  } else {
    if (await tlsFailsButPortAnswers(config, env)) {
      report(
        'reach',
        'fail',
        `Something answers at ${host}, but the TLS connection fails: the browser does not trust the gateway's certificate (self-signed, expired, or issued for another host name).`,
        `Open ${api} in a new tab to see the browser's reason; give the gateway a valid certificate for ${new URL(config.url).hostname} from an authority this browser trusts (or install its authority on this machine).`
      );
    } else {
      report(
        'reach',
        'fail',
        `Nothing answers at ${host} (the name does not resolve, the port is closed, or the network blocks it).`,
        'Check the host name and port in "Kernel Gateway URL", that the gateway is running, and that no firewall or proxy blocks it.' +
          (config.url.startsWith('https:')
            ? ` If it uses a certificate this browser does not trust (self-signed, expired, or for another host name), the browser refuses it without saying so to the page: open ${api} in a new tab to see why.`
            : '')
      );
    }
    return skipRest(['api', 'token', 'cors', 'kernelspecs', 'websocket']);
  }

  // 3.-5. API, token and CORS.
  let version = '';
  let flavor = env.flavor;
  let withTokenOk = false;
  try {
    const response = await net(withToken(api, config));
    if (response.ok) {
      const answer = readGatewayVersion(await response.json());
      version = answer.version ?? '';
      flavor = answer.flavor;
      withTokenOk = true;
    } else if (response.status === 401) {
      report('api', 'pass', `The gateway answers (HTTP ${response.status}).`);
      report(
        'token',
        'fail',
        'The gateway refused the token.',
        `Set "Auth token" (Settings → Kernel Gateway) to the gateway's ${Messages.tokenVariable(flavor)}.`
      );
      return skipRest(['cors', 'kernelspecs', 'websocket']);
    } else {
      report(
        'api',
        'fail',
        `GET /api answered HTTP ${response.status}: this may not be a Kernel Gateway.`,
        'Check that "Kernel Gateway URL" points at the gateway itself (including any path prefix).'
      );
      return skipRest(['token', 'cors', 'kernelspecs', 'websocket']);
    }
  } catch {
    withTokenOk = false;
  }

  if (!withTokenOk) {
    // The browser could not read the answer: a wrong token (Kernel Gateway
    // sends its 401 without CORS headers) or a gateway that does not allow
    // this origin. An image request is not subject to CORS: if a logo loads
    // with the token, the token is right and CORS is the problem.
    const tokenWorks = await tokenLoadsLogo(
      config,
      env.loadImage,
      env.knownLogoUrls
    );
    report(
      'api',
      'pass',
      'The gateway answers, but this page may not read its answers.'
    );
    if (tokenWorks) {
      report(
        'token',
        'pass',
        'The gateway accepts the token (a logo loaded with it).'
      );
      report(
        'cors',
        'fail',
        `The gateway does not allow requests from ${env.pageOrigin}.`,
        `Start the gateway with ${Messages.corsFlags(env.pageOrigin, flavor)}.`
      );
    } else {
      report(
        'token',
        'fail',
        'The gateway refused the request from this page: either the token is wrong, or CORS does not allow this origin.',
        `Set "Auth token" to the gateway's ${Messages.tokenVariable(flavor)}; if it is right, start the gateway with ${Messages.corsFlags(env.pageOrigin, flavor)}.`
      );
      report('cors', 'skip', 'Not tested: the token could not be confirmed.');
    }
    return skipRest(['kernelspecs', 'websocket']);
  }
  report(
    'api',
    'pass',
    `The gateway answers${version ? `: version ${version}` : ''}.`
  );
  let anonymous = false;
  try {
    anonymous = (await net(api)).ok;
  } catch {
    anonymous = false;
  }
  if (anonymous) {
    report(
      'token',
      'warn',
      'The gateway accepts requests without any token: anyone who can reach it can run code.',
      `Start the gateway with ${Messages.tokenVariable(flavor)} set, then set "Auth token" here.`
    );
  } else {
    report('token', 'pass', 'The gateway accepts the token.');
  }

  // Requests with a JSON body need a CORS preflight; check it passes.
  try {
    const response = await net(
      withToken(`${config.url}api/kernelspecs`, config),
      {
        headers: { 'Content-Type': 'application/json' }
      }
    );
    if (!response.ok) {
      throw new Error(String(response.status));
    }
    report(
      'cors',
      'pass',
      `The gateway allows ${env.pageOrigin}, including preflighted requests.`
    );
  } catch {
    report(
      'cors',
      'fail',
      `The gateway allows simple requests from ${env.pageOrigin} but refuses preflighted ones (starting a kernel sends JSON).`,
      `Start the gateway with ${Messages.corsFlags(env.pageOrigin, flavor)}.`
    );
    return skipRest(['kernelspecs', 'websocket']);
  }

  // 6. Kernelspecs.
  let specNames: string[] = [];
  try {
    const response = await net(
      withToken(`${config.url}api/kernelspecs`, config)
    );
    const data = (await response.json()) as { kernelspecs?: object };
    specNames = Object.keys(data.kernelspecs ?? {});
    if (specNames.length === 0) {
      report(
        'kernelspecs',
        'fail',
        'The gateway offers no kernelspecs.',
        'Install a kernel (e.g. ipykernel) where the gateway runs.'
      );
      return skipRest(['websocket']);
    }
    report('kernelspecs', 'pass', `Offered: ${specNames.join(', ')}.`);
  } catch (error) {
    report(
      'kernelspecs',
      'fail',
      `Listing kernelspecs failed (${String(error)}).`
    );
    return skipRest(['websocket']);
  }

  // 7. A kernel and its websocket.
  report('websocket', ...(await probeWebsocket(config, env, net)));
  return steps;
}

/**
 * Start a kernel, open its websocket, ask `kernel_info`, shut it down.
 */
async function probeWebsocket(
  config: IGatewayConfig,
  env: IDiagnosticEnvironment,
  net: (url: string, init?: RequestInit) => Promise<Response>
): Promise<[IDiagnosticStep['status'], string, string?]> {
  const started = Date.now();
  let id = '';
  try {
    const response = await withTimeout(
      signal =>
        env.fetch(withToken(`${config.url}api/kernels`, config), {
          method: 'POST',
          body: JSON.stringify({
            env: {
              KERNEL_LAUNCH_TIMEOUT: String(config.launchTimeout),
              ...(env.kernelUsername
                ? { KERNEL_USERNAME: env.kernelUsername }
                : {})
            }
          }),
          headers: { 'Content-Type': 'application/json' },
          credentials: 'omit',
          referrerPolicy: 'no-referrer',
          signal
        }),
      launchRequestTimeout(config) * 1000
    );
    if (response.status === 403 && (await isUserRefusal(response))) {
      return [
        'fail',
        `The gateway refused to start a kernel for "${env.kernelUsername ?? ''}" (HTTP 403).`,
        'Set "KERNEL_USERNAME" in Settings → Kernel Gateway to a user the gateway allows, or ask its administrator to add you to its authorized_users.'
      ];
    }
    if (!response.ok) {
      return [
        'fail',
        `Starting a kernel failed (HTTP ${response.status}).`,
        'See the gateway log; check its default kernelspec and its max_kernels.'
      ];
    }
    id = ((await response.json()) as { id: string }).id;
  } catch (error) {
    return [
      'fail',
      `Starting a kernel failed or took longer than ${launchRequestTimeout(config)} s (${String(error)}).`,
      'Raise "Kernel launch timeout" if kernels start slowly on this gateway.'
    ];
  }
  const launch = ((Date.now() - started) / 1000).toFixed(1);
  try {
    const rtt = await kernelInfoOverWebsocket(config, env, id);
    return [
      'pass',
      `Started a kernel in ${launch} s; its websocket answered kernel_info in ${rtt} ms.`
    ];
  } catch (error) {
    return [
      'fail',
      `Started a kernel, but its websocket failed (${String(error)}).`,
      'Check "Websocket URL" (empty derives it from the gateway URL), and that proxies between you and the gateway pass websockets.'
    ];
  } finally {
    await net(
      withToken(`${config.url}api/kernels/${encodeURIComponent(id)}`, config),
      {
        method: 'DELETE'
      }
    ).catch(() => undefined);
  }
}

/**
 * Whether an https gateway's port answers plain http although TLS to it
 * fails: then the TLS layer is at fault, most likely a certificate the
 * browser does not trust (a TLS proxy such as nginx answers plain http on
 * its TLS port with an error page). Only from an http page: an https page
 * may not make plain http requests.
 */
async function tlsFailsButPortAnswers(
  config: IGatewayConfig,
  env: IDiagnosticEnvironment
): Promise<boolean> {
  const url = new URL(config.url);
  if (url.protocol !== 'https:' || env.pageOrigin.startsWith('https:')) {
    return false;
  }
  const port = url.port || '443';
  return answersAtAll(env.fetch, `http://${url.hostname}:${port}/`, 3000);
}

/**
 * Whether a 403 refuses the user (Enterprise Gateway's `authorized_users`)
 * rather than a full gateway.
 */
async function isUserRefusal(response: Response): Promise<boolean> {
  try {
    const data = (await response.json()) as {
      message?: unknown;
      reason?: unknown;
    };
    return USER_REFUSAL.test(`${data.message ?? ''} ${data.reason ?? ''}`);
  } catch {
    return false;
  }
}

function kernelInfoOverWebsocket(
  config: IGatewayConfig,
  env: IDiagnosticEnvironment,
  kernelId: string
): Promise<number> {
  const session = UUID.uuid4();
  let url = `${config.wsUrl}api/kernels/${encodeURIComponent(kernelId)}/channels?session_id=${session}`;
  if (config.token) {
    url += `&token=${encodeURIComponent(config.token)}`;
  }
  return new Promise((resolve, reject) => {
    const socket = new env.WebSocket(url);
    const msgId = UUID.uuid4();
    let sent = 0;
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no kernel_info_reply within 20 s'));
    }, 20000);
    socket.onopen = () => {
      sent = Date.now();
      socket.send(
        JSON.stringify({
          header: {
            msg_id: msgId,
            msg_type: 'kernel_info_request',
            username: '',
            session,
            date: new Date().toISOString(),
            version: '5.3'
          },
          parent_header: {},
          metadata: {},
          content: {},
          channel: 'shell',
          buffers: []
        })
      );
    };
    socket.onmessage = event => {
      if (typeof event.data !== 'string') {
        return;
      }
      const message = JSON.parse(event.data) as {
        msg_type?: string;
        parent_header?: { msg_id?: string };
      };
      if (
        message.msg_type === 'kernel_info_reply' &&
        message.parent_header?.msg_id === msgId
      ) {
        clearTimeout(timer);
        socket.close();
        resolve(Date.now() - sent);
      }
    };
    socket.onerror = () => {
      clearTimeout(timer);
      reject(new Error('the websocket could not be opened'));
    };
  });
}
