/**
 * Slow kernel launches: progress is reported; past the launch timeout the
 * kernel is shut down on the gateway, so nothing is left running there.
 */
import type { ILaunchEvent } from '../gateway/launch';
import { PRIVATE, makeBackend, waitFor } from './helpers';

async function existsOn(id: string): Promise<boolean> {
  const response = await fetch(
    `${PRIVATE.url}api/kernels/${id}?token=${PRIVATE.token}`
  );
  return response.ok;
}

describe('a kernel that starts slowly', () => {
  it('reports progress, then ready, when the launch timeout allows it', async () => {
    const backend = makeBackend({
      gateway: PRIVATE,
      settings: {
        kernelLaunchTimeout: 30,
        kernelEnv: { KERNEL_START_DELAY: '5' }
      }
    });
    const events: ILaunchEvent[] = [];
    backend.kernelLaunch.connect((_, event) => events.push(event));
    const session = await backend.sessions.startNew({
      path: 'slow.ipynb',
      type: 'notebook',
      name: 'slow.ipynb',
      kernel: { name: 'slow-python' }
    });
    await waitFor(() => events.some(e => e.phase === 'ready'), 30000, 'ready');
    const phases = events.map(e => e.phase);
    expect(phases[0]).toBe('waiting');
    expect(phases[phases.length - 1]).toBe('ready');
    expect(events[0].path).toBe('slow.ipynb');
    expect(events[events.length - 1].elapsedMs).toBeGreaterThanOrEqual(4000);
    await session.shutdown();
    backend.dispose();
  });

  it('shuts it down past the launch timeout: no orphan kernel, the session is dropped quietly', async () => {
    const backend = makeBackend({
      gateway: PRIVATE,
      settings: {
        kernelLaunchTimeout: 3,
        kernelEnv: { KERNEL_START_DELAY: '8' }
      }
    });
    const events: ILaunchEvent[] = [];
    const lost: string[] = [];
    backend.kernelLaunch.connect((_, event) => events.push(event));
    backend.kernelLost.connect((_, session) => lost.push(session.path));
    const session = await backend.sessions.startNew({
      path: 'too-slow.ipynb',
      type: 'notebook',
      name: 'too-slow.ipynb',
      kernel: { name: 'slow-python' }
    });
    const id = session.kernel!.id;
    await waitFor(
      () => events.some(e => e.phase === 'timeout'),
      15000,
      'timeout'
    );
    expect(await existsOn(id)).toBe(false);
    await waitFor(() => session.isDisposed, 5000, 'session dropped');
    // Still gone once the slow command would have started the kernel.
    await new Promise(resolve => setTimeout(resolve, 7000));
    expect(await existsOn(id)).toBe(false);
    expect(lost).toEqual([]);
    backend.dispose();
  });
});
