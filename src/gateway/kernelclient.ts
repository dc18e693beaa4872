import { PathExt } from '@jupyterlab/coreutils';
import type { Kernel, ServerConnection } from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';

import type { IKernelRecord } from '../store/records';
import type { IBackendStore } from '../store/store';
import type { IGatewayConfig } from './config';
import { launchRequestTimeout } from './config';
import {
  GatewayNetworkError,
  GatewayResponseError,
  LAUNCH_TIMEOUT,
  Messages,
  USER_REFUSAL
} from './errors';
import type { ILaunchOption, LaunchValues } from './launchoptions';
import { checkLaunchValues } from './launchoptions';
import type { ILaunchEvent } from './launch';
import { watchLaunch } from './launch';
import type { GatewayRequester } from './request';
import { validateKernelList, validateKernelModel } from './validate';

/**
 * Options to start a kernel.
 */
export interface IStartOptions {
  /**
   * The kernelspec name; the gateway's default when absent.
   */
  name?: string;
  /**
   * The path of the notebook or console the kernel is for, relative to the
   * local server's root. Its directory becomes the kernel's working
   * directory (`path`, `KERNEL_WORKING_DIR`).
   */
  path?: string;
}

/**
 * The kernel REST client of a gateway, for JupyterLab's stock
 * `KernelManager` and kernel connections.
 *
 * A gateway may be shared: this client lists, and so lets JupyterLab shut
 * down, only the kernels this user started (remembered in the session
 * store: on the Jupyter server, from any browser or device of the user),
 * never other users' kernels. It works whether the gateway allows listing
 * kernels (`GET api/kernels`) or refuses it (403, the Kernel Gateway
 * default): then each remembered kernel is looked up by id.
 */
export class GatewayKernelClient implements Kernel.IKernelAPIClient {
  constructor(options: GatewayKernelClient.IOptions) {
    this._requester = options.requester;
    this._store = options.store;
    this._serverRoot = options.serverRoot ?? '';
    this._onLost = options.onLost;
    this._onLaunch = options.onLaunch;
    this._launchOptions = options.launchOptions;
    this._username = options.username ?? (async () => '');
    this.serverSettings = options.requester.serverSettings;
  }

  readonly serverSettings: ServerConnection.ISettings;

  /**
   * Whether the kernel `id` is one of this user's, as of the last listing
   * or start (and it was not seen gone).
   */
  owns(id: string): boolean {
    return this._known.has(id);
  }

  /**
   * The running kernels this user started. Kernels the gateway no longer
   * has (culled, shut down elsewhere, gateway restarted) are forgotten.
   *
   * @throws when the gateway or the store cannot be asked; nothing is
   * forgotten then.
   */
  async listRunning(): Promise<Kernel.IModel[]> {
    const journal = this._openJournal();
    try {
      const owned = await this._store.kernels();
      const ids = [...owned.keys()];
      const models = ids.length > 0 ? await this._listOwned(ids) : [];
      const alive = new Set(models.map(model => model.id));
      // What this page knows now: the store's kernels, with the changes this
      // page made while they were listed (kernels started, shut down, or
      // found gone).
      const known = new Map(owned);
      for (const [id, record] of journal.entries) {
        if (record) {
          known.set(id, record);
        } else {
          known.delete(id);
        }
      }
      this._known = known;
      // JupyterLab's KernelManager declares every kernel connection missing
      // from this list shut down ('dead'). A kernel started while the list
      // was being asked for (starting several at once, or a slow gateway)
      // is not in it: add it, or its notebook would lose a kernel that runs.
      for (const [id, record] of journal.entries) {
        if (record && !alive.has(id)) {
          models.push({ id, name: record.name });
        }
      }
      return models;
    } finally {
      journal.close();
    }
  }

  private async _listOwned(owned: string[]): Promise<Kernel.IModel[]> {
    let listed: Kernel.IModel[] | undefined;
    if (this._canList) {
      listed = await this._list();
    }
    if (listed === undefined) {
      const models = await Promise.all(owned.map(id => this.getModel(id)));
      return models.filter((m): m is Kernel.IModel => m !== undefined);
    }
    const byId = new Map(listed.map(model => [model.id, model]));
    // A kernel missing from the list is looked up once more before it is
    // forgotten: it may have started between the two requests.
    const missing = owned.filter(id => !byId.has(id));
    const rechecked = await Promise.all(missing.map(id => this.getModel(id)));
    return [
      ...owned.filter(id => byId.has(id)).map(id => byId.get(id)!),
      ...rechecked.filter((m): m is Kernel.IModel => m !== undefined)
    ];
  }

  /**
   * Get a kernel's model; `undefined` when the gateway does not have it.
   */
  async getModel(id: string): Promise<Kernel.IModel | undefined> {
    let response: Response;
    try {
      response = await this._requester.request(kernelPath(id), {
        action: 'look up a kernel'
      });
    } catch (error) {
      if (isHiddenHttpError(error)) {
        // The gateway works but hid an error for this kernel: Kernel Gateway
        // answers 404 for kernels it does not have.
        this._lost(id);
        return undefined;
      }
      throw error;
    }
    if (response.status === 404) {
      this._lost(id);
      return undefined;
    }
    if (!response.ok) {
      throw await this._error(response, 'look up a kernel');
    }
    return validateKernelModel(await response.json());
  }

  /**
   * Look a kernel up shortly after it was heard shutting down (the gateway
   * removes it a moment after its `shutdown_reply`): if it is gone, its
   * sessions are dropped and their notebooks told now. Kernels this browser
   * is shutting down itself are left alone.
   */
  async confirmGone(id: string, delaysMs = [250, 1000, 3000]): Promise<void> {
    for (const delay of delaysMs) {
      await new Promise(resolve => setTimeout(resolve, delay));
      if (!this.owns(id) || this._shuttingDown.has(id)) {
        return;
      }
      try {
        if ((await this.getModel(id)) === undefined) {
          return;
        }
      } catch {
        return; // Unreachable: the health monitor takes over.
      }
    }
  }

  async startNew(options: Kernel.IKernelOptions = {}): Promise<Kernel.IModel> {
    return this.startKernel({ name: options.name });
  }

  /**
   * Start a kernel on the gateway, sending the configured environment, the
   * launch options the user chose, and the kernel's id.
   *
   * The id is chosen here (`KERNEL_ID`, which Enterprise Gateway takes as
   * the kernel's id): its start request blocks until the kernel is up, for
   * minutes on a cluster, and when no answer comes (the network dropped, the
   * request timed out) the kernel is looked up by that id: found in time, it
   * is used; found later, it is shut down. Never an orphan on the cluster.
   */
  async startKernel(options: IStartOptions = {}): Promise<Kernel.IModel> {
    const config = this._requester.config;
    const launchValues = await this._chooseLaunchValues(options);
    const username = await this._username();
    const kernelId = UUID.uuid4();
    const body: Record<string, unknown> = {
      env: {
        ...kernelEnvironment(config, options.path, this._serverRoot, username),
        ...launchValues,
        KERNEL_ID: kernelId
      }
    };
    if (options.name) {
      body.name = options.name;
    }
    if (options.path !== undefined) {
      body.path = PathExt.dirname(options.path);
    }
    const started = Date.now();
    const progress = this._launchProgress(kernelId, options, started);
    let data: unknown;
    try {
      data = await this._requester.requestJSON('api/kernels', {
        method: 'POST',
        body,
        timeout: launchRequestTimeout(config),
        action: options.name
          ? `start a ${options.name} kernel`
          : 'start a kernel'
      });
    } catch (error) {
      data = await this._findUnanswered(kernelId, error, started);
      if (data === undefined) {
        const explained = await this._explainStartFailure(
          error,
          options.name,
          username
        );
        progress.stop(isLaunchTimeout(error) ? 'timeout' : 'failed');
        throw explained;
      }
    }
    const model = validateKernelModel(data);
    progress.stop('ready');
    await this._remember(model.id, { name: model.name, started: Date.now() });
    if (Object.keys(launchValues).length > 0) {
      this._launchValues.set(model.id, launchValues);
    }
    if (model.execution_state === 'starting') {
      void watchLaunch({
        requester: this._requester,
        kernelId: model.id,
        kernelName: model.name,
        path: options.path,
        timeoutMs: config.launchTimeout * 1000,
        shutdown: id => this.shutdown(id),
        onEvent: event => this._onLaunch?.(event)
      });
    }
    return model;
  }

  /**
   * The launch options chosen for a kernel this page started.
   */
  launchValues(id: string): LaunchValues | undefined {
    return this._launchValues.get(id);
  }

  async restart(id: string): Promise<void> {
    await this._requester.requestJSON(`${kernelPath(id)}/restart`, {
      method: 'POST',
      timeout: launchRequestTimeout(this._requester.config),
      action: 'restart a kernel'
    });
  }

  async interrupt(id: string): Promise<void> {
    await this._requester.requestJSON(`${kernelPath(id)}/interrupt`, {
      method: 'POST',
      action: 'interrupt a kernel'
    });
  }

  /**
   * Shut down a kernel. A kernel the gateway no longer has counts as shut
   * down.
   */
  async shutdown(id: string): Promise<void> {
    this._shuttingDown.add(id);
    try {
      await this._shutdown(id);
    } finally {
      this._shuttingDown.delete(id);
    }
  }

  private async _shutdown(id: string): Promise<void> {
    let response: Response;
    try {
      response = await this._requester.request(kernelPath(id), {
        method: 'DELETE',
        action: 'shut down a kernel'
      });
    } catch (error) {
      if (isHiddenHttpError(error)) {
        await this._forget(id);
        return;
      }
      throw error;
    }
    if (!response.ok && response.status !== 404) {
      throw await this._error(response, 'shut down a kernel');
    }
    await this._forget(id);
  }

  /**
   * The values of the launch options declared for this gateway, chosen by
   * the user (or the defaults, when nobody asks).
   */
  private async _chooseLaunchValues(
    options: IStartOptions
  ): Promise<LaunchValues> {
    const declared = this._requester.config.launchOptions;
    if (declared.length === 0) {
      return {};
    }
    const chosen = this._launchOptions
      ? await this._launchOptions({
          options: declared,
          kernelName: options.name,
          path: options.path
        })
      : {};
    return checkLaunchValues(declared, chosen);
  }

  /**
   * Report a start request that takes long (Enterprise Gateway answers it
   * only once the kernel is up): "waiting" every second after 2 s.
   */
  private _launchProgress(
    kernelId: string,
    options: IStartOptions,
    started: number
  ): { stop: (phase: 'ready' | 'timeout' | 'failed') => void } {
    const timeoutMs = this._requester.config.launchTimeout * 1000;
    let reported = false;
    const emit = (phase: ILaunchEvent['phase']) =>
      this._onLaunch?.({
        phase,
        kernelId,
        kernelName: options.name ?? '',
        path: options.path,
        elapsedMs: Date.now() - started,
        timeoutMs
      });
    const timer = setInterval(() => {
      if (Date.now() - started >= 2000) {
        reported = true;
        emit('waiting');
      }
    }, 1000);
    return {
      stop: phase => {
        clearInterval(timer);
        if (reported) {
          emit(phase);
        }
      }
    };
  }

  /**
   * After a start request that got no answer (the network dropped, or it
   * timed out), look the kernel up by the id it was given: Enterprise
   * Gateway may still be launching it, or have launched it. Found before
   * the launch timeout (and a margin) is over, it is the kernel started;
   * else it is watched a while longer and shut down if it shows up.
   *
   * @returns the kernel's model, or `undefined` when it was not found in
   * time (or the gateway answered the request after all).
   */
  private async _findUnanswered(
    kernelId: string,
    error: unknown,
    started: number
  ): Promise<unknown> {
    if (
      !(error instanceof GatewayNetworkError) ||
      this._requester.health.flavor !== 'enterprise-gateway'
    ) {
      // Kernel Gateway answers at once and ignores KERNEL_ID.
      return undefined;
    }
    const config = this._requester.config;
    const deadline = started + (config.launchTimeout + 10) * 1000;
    while (Date.now() < deadline) {
      const found = await this._lookUp(kernelId);
      if (found !== undefined) {
        return found;
      }
      await new Promise(resolve => setTimeout(resolve, UNANSWERED_POLL_MS));
    }
    void this._shutDownIfLate(kernelId, deadline + LATE_WATCH_MS);
    return undefined;
  }

  /**
   * A kernel's model as the gateway sends it; `undefined` when it does not
   * have it or cannot be asked.
   */
  private async _lookUp(kernelId: string): Promise<unknown> {
    try {
      const response = await this._requester.request(kernelPath(kernelId), {
        action: 'look up a kernel'
      });
      return response.ok ? await response.json() : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Shut down a kernel whose start was given up, should it still come up.
   */
  private async _shutDownIfLate(
    kernelId: string,
    until: number
  ): Promise<void> {
    while (Date.now() < until) {
      if ((await this._lookUp(kernelId)) !== undefined) {
        await this.shutdown(kernelId).catch(() => undefined);
        return;
      }
      await new Promise(resolve => setTimeout(resolve, UNANSWERED_POLL_MS));
    }
  }

  /**
   * Say why a kernel did not start, in the user's terms: an unknown
   * kernelspec (Kernel Gateway answers 500 with a traceback) or a full
   * gateway (403 "Resource Limit"). In a browser these statuses are hidden
   * (no CORS headers on errors), so the kernelspec list is asked.
   */
  private async _explainStartFailure(
    error: unknown,
    name: string | undefined,
    username: string
  ): Promise<unknown> {
    if (!(error instanceof GatewayResponseError) || error.kind !== 'http') {
      return error;
    }
    const config = this._requester.config;
    const ctx = this._requester.messageContext('start a kernel');
    const explained = (message: string) =>
      new GatewayResponseError({
        kind: 'http',
        gatewayUrl: config.url,
        response: error.response,
        message,
        status: error.status,
        gatewayMessage: error.gatewayMessage
      });
    if (error.status === 403 && USER_REFUSAL.test(error.gatewayMessage)) {
      return explained(Messages.unauthorizedUser(ctx, username));
    }
    if (isLaunchTimeout(error)) {
      return explained(Messages.launchTimeout(ctx, config.launchTimeout));
    }
    if (name) {
      try {
        const specs = (await this._requester.requestJSON(
          'api/kernelspecs'
        )) as {
          kernelspecs?: Record<string, unknown>;
        };
        const offered = Object.keys(specs?.kernelspecs ?? {});
        if (!offered.includes(name)) {
          return explained(Messages.noSuchKernel(ctx, name, offered));
        }
      } catch {
        return error;
      }
    }
    if (error.status === undefined || error.status === 403) {
      return explained(Messages.full(ctx, error.status === 403));
    }
    return error;
  }

  /**
   * List the gateway's kernels, or `undefined` if it refuses to list them.
   */
  private async _list(): Promise<Kernel.IModel[] | undefined> {
    let response: Response;
    try {
      response = await this._requester.request('api/kernels', {
        action: 'list kernels'
      });
    } catch (error) {
      if (isHiddenHttpError(error)) {
        this._canList = false;
        return undefined;
      }
      throw error;
    }
    if (response.status === 403) {
      this._canList = false;
      return undefined;
    }
    if (!response.ok) {
      throw await this._error(response, 'list kernels');
    }
    return validateKernelList(await response.json());
  }

  /**
   * Record a kernel this page started: in the store (for every device) and
   * in what this page knows. A kernel that cannot be recorded is shut down:
   * nobody could find it again, and it would run on unseen.
   */
  private async _remember(id: string, record: IKernelRecord): Promise<void> {
    this._known.set(id, record);
    this._journal?.entries.set(id, record);
    try {
      await this._store.addKernel(id, record);
    } catch (error) {
      this._known.delete(id);
      this._journal?.entries.delete(id);
      await this.shutdown(id).catch(() => undefined);
      throw new Error(
        `The kernel started on the Kernel Gateway could not be recorded on the Jupyter server (${String(
          error
        )}), so it was shut down again. Check that the Jupyter server runs, then select the kernel again.`
      );
    }
  }

  /**
   * A kernel of this user was found gone from the gateway. If this page
   * knew it (and did not shut it down itself), its notebooks are told.
   */
  private _lost(id: string): void {
    if (this._shuttingDown.has(id)) {
      return; // Shut down on purpose, by this page.
    }
    const known = this._known.delete(id);
    this._journal?.entries.set(id, null);
    void this._store.deleteKernel(id).catch(() => undefined);
    if (known) {
      this._onLost?.(id);
    }
  }

  private async _forget(id: string): Promise<void> {
    this._known.delete(id);
    this._journal?.entries.set(id, null);
    await this._store.deleteKernel(id);
  }

  /**
   * Record the changes this page makes while the store's kernels are being
   * listed (listings may overlap: the kernel and session managers poll).
   */
  private _openJournal(): {
    entries: Map<string, IKernelRecord | null>;
    close: () => void;
  } {
    const journal = this._journal ?? { entries: new Map(), users: 0 };
    journal.users++;
    this._journal = journal;
    return {
      entries: journal.entries,
      close: () => {
        journal.users--;
        if (journal.users === 0 && this._journal === journal) {
          this._journal = null;
        }
      }
    };
  }

  private _error(response: Response, action: string) {
    return this._requester.responseError(response, action);
  }

  private _requester: GatewayRequester;
  private _store: IBackendStore;
  private _known = new Map<string, IKernelRecord>();
  private _journal: {
    entries: Map<string, IKernelRecord | null>;
    users: number;
  } | null = null;
  private _shuttingDown = new Set<string>();
  private _serverRoot: string;
  private _onLost?: (id: string) => void;
  private _onLaunch?: (event: ILaunchEvent) => void;
  private _launchOptions?: LaunchOptionsChooser;
  private _launchValues = new Map<string, LaunchValues>();
  private _username: () => Promise<string>;
  private _canList = true;
}

export namespace GatewayKernelClient {
  export interface IOptions {
    requester: GatewayRequester;
    /**
     * Where the kernels this user started on this gateway are remembered.
     */
    store: IBackendStore;
    /**
     * The local server's root directory (`kernelGatewayServerRoot` from the
     * package's server extension, else `serverRoot`), used
     * to send the absolute `KERNEL_WORKING_DIR`.
     */
    serverRoot?: string;
    /**
     * Called when a kernel this page knew is found gone (culled, shut down
     * elsewhere, gateway restarted).
     */
    onLost?: (id: string) => void;
    /**
     * Called with the progress of slow kernel launches.
     */
    onLaunch?: (event: ILaunchEvent) => void;
    /**
     * Asks the user for the values of the gateway's launch options (a
     * form); without it, the defaults are sent.
     */
    launchOptions?: LaunchOptionsChooser;
    /**
     * The user's name for `KERNEL_USERNAME`: the setting, else the local
     * server's user.
     */
    username?: () => Promise<string>;
  }
}

/**
 * Asks the user for the values of launch options before a kernel starts.
 */
export type LaunchOptionsChooser = (request: {
  options: ReadonlyArray<ILaunchOption>;
  kernelName?: string;
  /**
   * The notebook or console the kernel is for (JupyterLab starts a session
   * under a temporary name in the notebook's directory).
   */
  path?: string;
}) => Promise<Record<string, string>>;

/**
 * The environment sent with a kernel start, as Jupyter Server's gateway
 * client does: the configured `KERNEL_*` variables, `KERNEL_USERNAME` (the
 * setting, else the local server's user name),
 * `KERNEL_LAUNCH_TIMEOUT` and the notebook's directory as
 * `KERNEL_WORKING_DIR` (absolute; left out when the root is only known as
 * `~/…`).
 */
export function kernelEnvironment(
  config: IGatewayConfig,
  path: string | undefined,
  serverRoot: string,
  username = config.kernelUsername
): Record<string, string> {
  const env: Record<string, string> = { ...config.kernelEnv };
  if (username) {
    env.KERNEL_USERNAME = username;
  }
  env.KERNEL_LAUNCH_TIMEOUT = String(Math.round(config.launchTimeout));
  // A root under the home directory shortened to `~` (JupyterLab's
  // `serverRoot` without the package's server extension) would name a
  // directory on the gateway's machine: better none.
  if (path !== undefined && !serverRoot.startsWith('~')) {
    const dir = PathExt.dirname(path);
    env.KERNEL_WORKING_DIR = serverRoot
      ? `${serverRoot.replace(/\/+$/, '')}/${dir}`.replace(/\/+$/, '')
      : dir;
  }
  return env;
}

function kernelPath(id: string): string {
  return `api/kernels/${encodeURIComponent(id)}`;
}

/**
 * Whether the gateway answered with an error the browser hid from us.
 */
function isHiddenHttpError(error: unknown): boolean {
  return (
    error instanceof GatewayResponseError &&
    error.kind === 'http' &&
    error.status === undefined
  );
}

/**
 * Whether a start failed because the gateway's launch timeout passed
 * (Enterprise Gateway answers 500 and removes the kernel).
 */
function isLaunchTimeout(error: unknown): boolean {
  return (
    error instanceof GatewayResponseError &&
    error.status === 500 &&
    LAUNCH_TIMEOUT.test(error.gatewayMessage)
  );
}

/**
 * How often a kernel whose start got no answer is looked up.
 */
const UNANSWERED_POLL_MS = 2000;

/**
 * How long after giving up on a start the kernel is still watched for, to
 * be shut down should it come up.
 */
const LATE_WATCH_MS = 60 * 1000;
