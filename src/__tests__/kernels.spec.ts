/**
 * Kernels on a real Kernel Gateway, through JupyterLab's stock
 * KernelManager built with the extension's clients.
 */
import { ServerConnection } from '@jupyterlab/services';
import type { Kernel, KernelMessage } from '@jupyterlab/services';

import type { GatewayBackend } from '../managers/gatewaybackend';
import {
  LISTING,
  execute,
  gatewayKernelIds,
  makeBackend,
  heldKernelList,
  startForeignKernel,
  deleteKernelDirectly,
  waitFor
} from './helpers';

describe('kernels on the gateway', () => {
  let backend: GatewayBackend;
  let kernel: Kernel.IKernelConnection;

  beforeAll(async () => {
    backend = makeBackend({
      settings: {
        kernelUsername: 'ada',
        kernelEnv: { KERNEL_PROJECT: 'apollo' }
      }
    });
    kernel = await backend.kernels.startNew({ name: 'python3' });
    await kernel.info;
  });

  afterAll(async () => {
    await backend.kernels.shutdownAll();
    backend.dispose();
  });

  it('runs code on the gateway (KERNEL_GATEWAY=1 only exists there)', async () => {
    const out = await execute(
      kernel,
      "import os; print(os.environ.get('KERNEL_GATEWAY'))"
    );
    expect(out.trim()).toBe('1');
    expect(await gatewayKernelIds(LISTING)).toContain(kernel.id);
  });

  it('decodes what the gateway sends as JupyterLab does, copying only binary buffers', async () => {
    const serializer = kernel.serverSettings.serializer;
    const ours = serializer.deserialize;
    const frames: { data: ArrayBuffer; protocol?: string }[] = [];
    serializer.deserialize = (data, protocol) => {
      frames.push({ data, protocol });
      return ours(data, protocol);
    };
    let opened: KernelMessage.ICommOpenMsg | undefined;
    const target = (_: unknown, msg: KernelMessage.ICommOpenMsg) => {
      opened = msg;
    };
    kernel.registerCommTarget('kg-test', target);
    try {
      const out = await execute(
        kernel,
        [
          'from comm import create_comm',
          "create_comm(target_name='kg-test', data={'text': 'é'}, buffers=[b'\\x00\\xffabc', bytes(range(256))])",
          "print('π ≈ 3.14159 ✓')"
        ].join('\n')
      );
      expect(out).toBe('π ≈ 3.14159 ✓\n');
    } finally {
      serializer.deserialize = ours;
      kernel.removeCommTarget('kg-test', target);
    }
    expect(opened?.content.data).toEqual({ text: 'é' });
    const buffers = (opened?.buffers ?? []) as DataView[];
    expect(
      buffers.map(b =>
        Array.from(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
      )
    ).toEqual([[0, 255, 97, 98, 99], Array.from({ length: 256 }, (_, i) => i)]);
    // A buffer kept (by a widget) does not keep the whole frame alive.
    for (const buffer of buffers) {
      expect(buffer.byteLength).toBe(buffer.buffer.byteLength);
    }
    // Every frame came in the binary v1 protocol and decodes exactly as
    // JupyterLab's own deserializer decodes it.
    const stock = ServerConnection.makeSettings().serializer;
    expect(frames.length).toBeGreaterThan(4);
    for (const { data, protocol } of frames) {
      expect(protocol).toBe('v1.kernel.websocket.jupyter.org');
      expect(ours(data, protocol)).toEqual(stock.deserialize(data, protocol));
    }
  });

  it('sends KERNEL_USERNAME and the configured KERNEL_* variables', async () => {
    const out = await execute(
      kernel,
      "import os; print(os.environ.get('KERNEL_USERNAME'), os.environ.get('KERNEL_PROJECT'), os.environ.get('KERNEL_LAUNCH_TIMEOUT'))"
    );
    expect(out.trim()).toBe('ada apollo 40');
  });

  it('lists the kernel it started, with its state', async () => {
    await backend.kernels.refreshRunning();
    const running = Array.from(backend.kernels.running());
    expect(running.map(k => k.id)).toEqual([kernel.id]);
    expect(running[0].name).toBe('python3');
  });

  it('never lists another user’s kernels on a shared gateway', async () => {
    const foreign = await startForeignKernel(LISTING);
    try {
      await backend.kernels.refreshRunning();
      const ids = Array.from(backend.kernels.running()).map(k => k.id);
      expect(await gatewayKernelIds(LISTING)).toContain(foreign);
      expect(ids).not.toContain(foreign);
      // "Shut down all" must not touch it either.
      const other = makeBackend();
      await other.kernels.shutdownAll();
      other.dispose();
      expect(await gatewayKernelIds(LISTING)).toContain(foreign);
    } finally {
      await deleteKernelDirectly(LISTING, foreign);
    }
  });

  it('interrupts a running cell', async () => {
    const future = kernel.requestExecute({
      code: 'import time\ntry:\n    time.sleep(120)\nexcept KeyboardInterrupt:\n    print("interrupted")'
    });
    let out = '';
    future.onIOPub = msg => {
      if (msg.header.msg_type === 'stream') {
        out += (msg.content as { text: string }).text;
      }
    };
    await waitFor(() => kernel.status === 'busy', 10000, 'busy kernel');
    const started = Date.now();
    await kernel.interrupt();
    await future.done;
    expect(out).toContain('interrupted');
    expect(Date.now() - started).toBeLessThan(30000);
  });

  it('restarts the kernel: same id, fresh state', async () => {
    await execute(kernel, 'x = 42');
    expect((await execute(kernel, 'print(x)')).trim()).toBe('42');
    await kernel.restart();
    await waitFor(() => kernel.status === 'idle', 30000, 'idle after restart');
    const out = await execute(kernel, "print('x' in globals())");
    expect(out.trim()).toBe('False');
    expect(await gatewayKernelIds(LISTING)).toContain(kernel.id);
  });

  it('shuts the kernel down on the gateway', async () => {
    const second = await backend.kernels.startNew({ name: 'python3' });
    expect(await gatewayKernelIds(LISTING)).toContain(second.id);
    await second.shutdown();
    expect(await gatewayKernelIds(LISTING)).not.toContain(second.id);
    await backend.kernels.refreshRunning();
    expect(Array.from(backend.kernels.running()).map(k => k.id)).not.toContain(
      second.id
    );
  });

  it('forgets a kernel the gateway no longer has', async () => {
    const doomed = await backend.kernels.startNew({ name: 'python3' });
    await deleteKernelDirectly(LISTING, doomed.id);
    await backend.kernels.refreshRunning();
    expect(Array.from(backend.kernels.running()).map(k => k.id)).not.toContain(
      doomed.id
    );
    expect(backend.kernelClient.owns(doomed.id)).toBe(false);
    doomed.dispose();
  });
});

describe('a kernel started while the kernel list is being asked for', () => {
  it('is not declared shut down by the late list', async () => {
    // A slow answer to the kernel list (a busy or distant gateway; starting
    // many kernels at once makes it likely): the list JupyterLab gets back
    // was asked for before the new kernel existed.
    const list = heldKernelList();
    const backend = makeBackend({ fetch: list.fetch });
    const first = await backend.kernels.startNew({ name: 'python3' });
    const held = list.holdNext();
    const refreshing = backend.kernels.refreshRunning();
    await held.asked;
    const second = await backend.kernels.startNew({ name: 'python3' });
    held.release();
    await refreshing;
    expect(second.status).not.toBe('dead');
    expect((await execute(second, 'print(6 * 7)')).trim()).toBe('42');
    await backend.kernels.refreshRunning();
    expect(
      Array.from(backend.kernels.running())
        .map(model => model.id)
        .sort()
    ).toEqual([first.id, second.id].sort());
    await backend.kernels.shutdownAll();
    backend.dispose();
  });
});
