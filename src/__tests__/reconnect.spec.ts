/**
 * A network cut during a running cell: when the network comes back, the
 * kernel connection reconnects by itself with the same client id, and Kernel
 * Gateway replays the output produced meanwhile. Nothing is lost.
 */
import type { KernelMessage } from '@jupyterlab/services';

import { MemoryStorage } from '../store/browserstore';
import { browserStores, LISTING, waitFor } from './helpers';
import { parseGatewaySettings } from '../gateway/config';
import { GatewayBackend } from '../managers/gatewaybackend';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRelay } = require('../../tests/harness/relay');

describe('a network cut during a running cell', () => {
  it('loses no output: reconnect with the same client id, replayed by the gateway', async () => {
    const relay = await startRelay({ targetPort: LISTING.port });
    const { config } = parseGatewaySettings({
      gatewayUrl: `http://localhost:${relay.port}/`,
      authToken: LISTING.token
    });
    // Disposed in the `finally` below.
    // eslint-disable-next-line jupyter/require-disposable-ownership
    const backend = new GatewayBackend({
      config,
      pageOrigin: 'http://127.0.0.1:8888',
      localBaseUrl: 'http://127.0.0.1:8888/',
      stores: browserStores(),
      clientIds: new MemoryStorage(),
      standby: () => false
    });
    try {
      const session = await backend.sessions.startNew({
        path: 'cut.ipynb',
        type: 'notebook',
        name: 'cut.ipynb',
        kernel: { name: 'python3' }
      });
      const kernel = session.kernel!;
      await kernel.info;
      let text = '';
      const future = kernel.requestExecute({
        code: 'import time\nfor i in range(24):\n    print(i, flush=True)\n    time.sleep(0.25)'
      });
      future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
        if (msg.header.msg_type === 'stream') {
          text += (msg.content as { text: string }).text;
        }
      };
      await waitFor(() => text.includes('2\n'), 10000, 'first output');
      relay.cut();
      const cutAt = Date.now();
      await waitFor(
        () => kernel.connectionStatus !== 'connected',
        5000,
        'disconnect'
      );
      await new Promise(resolve => setTimeout(resolve, 2000));
      relay.restore();
      await future.done;
      const recovery = Date.now() - cutAt;
      const lines = text.trim().split('\n');
      expect(lines).toEqual(Array.from({ length: 24 }, (_, i) => String(i)));
      expect(kernel.connectionStatus).toBe('connected');
      // Reconnected within seconds of the network's return, not 10-30 s.
      expect(recovery).toBeLessThan(12000);
      await session.shutdown();
    } finally {
      backend.dispose();
      await relay.close();
    }
  });
});
