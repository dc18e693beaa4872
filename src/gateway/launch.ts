import type { GatewayRequester } from './request';
import { validateKernelModel } from './validate';

/**
 * Progress of a kernel launch on the gateway.
 *
 * - `waiting`: still starting (emitted about every second once a launch
 *   takes longer than a few seconds);
 * - `ready`: the kernel answered;
 * - `timeout`: it did not start within the launch timeout and was shut
 *   down, so that nothing keeps running on the gateway;
 * - `failed`: the start failed otherwise (the error says why, to whoever
 *   started it).
 */
export interface ILaunchEvent {
  readonly phase: 'waiting' | 'ready' | 'timeout' | 'failed';
  readonly kernelId: string;
  readonly kernelName: string;
  /**
   * The notebook or console the kernel is for, if known.
   */
  readonly path?: string;
  readonly elapsedMs: number;
  readonly timeoutMs: number;
}

/**
 * Watch a kernel that Kernel Gateway reported as `starting`.
 *
 * Kernel Gateway answers `POST /api/kernels` as soon as the kernel process
 * is spawned; a kernel whose command is slow (a container to pull, a job
 * queue) then stays `starting` on the gateway for as long as it takes. The
 * watcher asks the gateway every second, reports progress, and shuts the
 * kernel down when the launch timeout passes.
 */
export async function watchLaunch(options: {
  requester: GatewayRequester;
  kernelId: string;
  kernelName: string;
  path?: string;
  timeoutMs: number;
  shutdown: (id: string) => Promise<void>;
  onEvent: (event: ILaunchEvent) => void;
  /**
   * Delay before progress is reported (quick launches stay silent).
   */
  quietMs?: number;
  intervalMs?: number;
}): Promise<ILaunchEvent['phase']> {
  const started = Date.now();
  const quiet = options.quietMs ?? 2000;
  const interval = options.intervalMs ?? 1000;
  let reported = false;
  const emit = (phase: ILaunchEvent['phase']) =>
    options.onEvent({
      phase,
      kernelId: options.kernelId,
      kernelName: options.kernelName,
      path: options.path,
      elapsedMs: Date.now() - started,
      timeoutMs: options.timeoutMs
    });
  for (;;) {
    await new Promise(resolve => setTimeout(resolve, interval));
    const elapsed = Date.now() - started;
    let state: string | undefined = 'starting';
    try {
      const response = await options.requester.request(
        `api/kernels/${encodeURIComponent(options.kernelId)}`
      );
      if (response.status === 404) {
        return 'ready'; // Gone (shut down by the user): nothing to watch.
      }
      if (response.ok) {
        state = validateKernelModel(await response.json()).execution_state;
      }
    } catch {
      // Unreachable for a moment: the health reports it; keep watching.
    }
    if (state !== 'starting') {
      if (reported) {
        emit('ready');
      }
      return 'ready';
    }
    if (elapsed >= options.timeoutMs) {
      await options.shutdown(options.kernelId).catch(() => undefined);
      emit('timeout');
      return 'timeout';
    }
    if (elapsed >= quiet) {
      reported = true;
      emit('waiting');
    }
  }
}
