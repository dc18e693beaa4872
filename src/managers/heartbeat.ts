import type { Kernel } from '@jupyterlab/services';
import { KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';

/**
 * Asks a kernel, over its own websocket, whether the path to it still
 * carries anything.
 *
 * Networks fail silently: packets dropped with the TCP connection still
 * open (a VPN, Wi-Fi, a NAT table expiring). A browser's WebSocket has no
 * ping and notices nothing, for minutes. So while a cell runs (or the user
 * just ran one) the heartbeat sends a `kernel_info_request` on the kernel's
 * *control* channel every 2 s: the kernel answers it within milliseconds
 * even while a cell keeps its shell busy, and JupyterLab ignores the status
 * messages it causes (`kernel_info_request` is one of the page's
 * `untracked_message_types`), so running cells, their output and the
 * kernel status shown are not disturbed. Two probes without an answer
 * within 3 s each mean the path is silent. While messages keep arriving
 * (a cell printing), they show the path works and no probe is sent: a
 * gateway on Jupyter Server 1 (Enterprise Gateway) takes a probe's status
 * messages for the kernel's, believes a running kernel idle, and when the
 * websocket reconnects "nudges" it — which swallows the next IOPub
 * message, a line of the running cell's output.
 *
 * While the kernel is idle it probes every `keepAliveSeconds` instead: the
 * traffic also keeps proxies that close idle connections (nginx's
 * `proxy_read_timeout`, 60 s by default) from cutting the websocket.
 *
 * When the gateway answers again over HTTP but this websocket still does
 * not (its connection died while silent), the kernel connection is asked
 * to reconnect: with the same client id, the gateway replays what it sent
 * meanwhile.
 */
export class KernelHeartbeat implements IDisposable {
  constructor(options: KernelHeartbeat.IOptions) {
    this._connection = options.connection;
    this._options = options;
    this._connection.statusChanged.connect(this._onStatus, this);
    this._connection.anyMessage.connect(this._onMessage, this);
    this._connection.disposed.connect(this.dispose, this);
    this._schedule(this._interval());
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Whether the last probes went unanswered.
   */
  get isSilent(): boolean {
    return this._silentSince !== null;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    clearTimeout(this._timer);
    this._connection.statusChanged.disconnect(this._onStatus, this);
    this._connection.anyMessage.disconnect(this._onMessage, this);
  }

  /**
   * Probe now (the kernel just got busy, or the user sent a request).
   */
  private _hurry(): void {
    if (this._probing) {
      return;
    }
    // Something came through the path less than a busy interval ago (a
    // probe's answer, any message): the next probe is due a busy interval
    // after that, not at once. One probe per request would add a control
    // message, and the status messages it causes, to every execution (a
    // measurable share of a fast round trip).
    this._schedule(Math.max(0, this._lastHeard + BUSY_PROBE_MS - Date.now()));
  }

  private _onStatus(_: unknown, status: Kernel.Status): void {
    if (status === 'busy') {
      this._hurry();
    }
  }

  private _onMessage(_: unknown, args: Kernel.IAnyMessageArgs): void {
    if (args.direction === 'recv') {
      this._lastHeard = Date.now();
    } else if (args.msg.channel === 'shell') {
      this._lastRequest = Date.now();
      this._hurry();
    }
  }

  /**
   * How long until the next probe: short while work is under way, the
   * keep-alive interval otherwise (0: none).
   */
  private _interval(): number {
    const busy =
      this._connection.status === 'busy' ||
      Date.now() - this._lastRequest < BUSY_WINDOW_MS ||
      this._silentSince !== null;
    if (busy) {
      return BUSY_PROBE_MS;
    }
    const keepAlive = this._options.keepAliveSeconds();
    return keepAlive > 0 ? keepAlive * 1000 : 0;
  }

  private _schedule(delay: number): void {
    clearTimeout(this._timer);
    if (this._isDisposed) {
      return;
    }
    if (delay === 0 && this._interval() === 0 && !this._urgent()) {
      return;
    }
    this._timer = setTimeout(() => void this._beat(), delay);
  }

  /**
   * Whether a probe is due now whatever the keep-alive setting says.
   */
  private _urgent(): boolean {
    return (
      this._connection.status === 'busy' ||
      Date.now() - this._lastRequest < BUSY_WINDOW_MS
    );
  }

  private async _beat(): Promise<void> {
    if (this._isDisposed || this._probing) {
      return;
    }
    if (this._connection.connectionStatus !== 'connected') {
      // JupyterLab is (re)connecting by itself: wait.
      this._schedule(BUSY_PROBE_MS);
      return;
    }
    const heardAgo = Date.now() - this._lastHeard;
    if (this._silentSince === null && heardAgo < BUSY_PROBE_MS) {
      // Messages are arriving: the path works, no probe needed yet.
      this._schedule(BUSY_PROBE_MS - heardAgo);
      return;
    }
    this._probing = true;
    let answered = false;
    try {
      answered = await this._probe();
    } finally {
      this._probing = false;
    }
    if (this._isDisposed) {
      return;
    }
    if (answered) {
      this._misses = 0;
      if (this._silentSince !== null) {
        this._silentSince = null;
        this._reconnected = false;
        this._options.onAnswer?.(this._connection);
      }
    } else {
      this._misses++;
      const now = Date.now();
      if (this._misses >= MISSES && this._silentSince === null) {
        this._silentSince = now - this._misses * PROBE_TIMEOUT_MS;
        this._options.onSilent(
          this._connection,
          Math.round((now - this._silentSince) / 1000)
        );
      }
      if (
        this._silentSince !== null &&
        !this._reconnected &&
        this._options.gatewayAnswers()
      ) {
        // HTTP works again but this websocket does not: it died while
        // silent. A new one, with the same client id, gets what was missed.
        this._reconnected = true;
        void this._connection.reconnect().catch(() => undefined);
      }
    }
    this._schedule(answered ? this._interval() : 0);
  }

  /**
   * Send a `kernel_info_request` on the control channel; whether the reply
   * came in time.
   */
  private async _probe(): Promise<boolean> {
    let future: Kernel.IControlFuture | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const msg = KernelMessage.createMessage<KernelMessage.IInfoRequestMsg>({
        msgType: 'kernel_info_request',
        channel: 'shell',
        session: this._connection.clientId,
        username: this._connection.username,
        content: {}
      });
      // Sent on the control channel instead, where the kernel answers at
      // once even while a cell runs (the services' message types list
      // kernel_info_request for the shell channel only).
      const control = {
        ...msg,
        channel: 'control'
      } as unknown as KernelMessage.IControlMessage;
      future = this._connection.sendControlMessage(control, true, true);
      const reply = future.done.then(() => true);
      const timeout = new Promise<boolean>(resolve => {
        timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
      });
      return await Promise.race([reply, timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      if (future && !future.isDisposed) {
        future.dispose();
      }
    }
  }

  private _connection: Kernel.IKernelConnection;
  private _options: KernelHeartbeat.IOptions;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _lastRequest = 0;
  private _lastHeard = 0;
  private _misses = 0;
  private _silentSince: number | null = null;
  private _reconnected = false;
  private _probing = false;
  private _isDisposed = false;
}

export namespace KernelHeartbeat {
  export interface IOptions {
    connection: Kernel.IKernelConnection;
    /**
     * Seconds between probes while the kernel is idle (0: none).
     */
    keepAliveSeconds: () => number;
    /**
     * The path went silent: no answer for `seconds`.
     */
    onSilent: (connection: Kernel.IKernelConnection, seconds: number) => void;
    /**
     * The kernel answers again after a silence.
     */
    onAnswer?: (connection: Kernel.IKernelConnection) => void;
    /**
     * Whether the gateway answers HTTP requests (its health).
     */
    gatewayAnswers: () => boolean;
  }
}

/**
 * Between probes while work is under way.
 */
const BUSY_PROBE_MS = 2000;
/**
 * How long after a request the kernel counts as busy.
 */
const BUSY_WINDOW_MS = 10000;
/**
 * How long a probe waits for its answer.
 */
const PROBE_TIMEOUT_MS = 3000;
/**
 * Probes without an answer that make a silence.
 */
const MISSES = 2;
