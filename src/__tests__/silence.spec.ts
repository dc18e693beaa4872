/**
 * A network that goes silent (packets dropped, connections left open: a
 * relay that stops forwarding without closing anything) while a cell runs:
 * the browser's WebSocket notices nothing, the kernel's heartbeat does,
 * within 10 s; when the network comes back, the output is complete.
 */
import type { KernelMessage } from '@jupyterlab/services';

import { parseGatewaySettings } from '../gateway/config';
import type { IGatewayHealth } from '../gateway/request';
import { GatewayBackend } from '../managers/gatewaybackend';
import { MemoryStorage } from '../store/browserstore';
import { LISTING, browserStores, notebook, waitFor } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRelay } = require('../../tests/harness/relay');

it('notices a silent network within 10 s while a cell runs, then gets all the output', async () => {
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
    standby: () => false,
    heartbeat: true
  });
  const health: IGatewayHealth[] = [];
  backend.requester.healthChanged.connect((_, h) => health.push(h));
  try {
    const session = await backend.sessions.startNew(notebook('quiet.ipynb'));
    const kernel = session.kernel!;
    await kernel.info;
    let text = '';
    const future = kernel.requestExecute({
      code: 'import time\nfor i in range(40):\n    print(i, flush=True)\n    time.sleep(0.5)'
    });
    future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
      if (msg.header.msg_type === 'stream') {
        text += (msg.content as { text: string }).text;
      }
    };
    await waitFor(() => text.includes('2\n'), 10000, 'first output');
    relay.partition();
    const silentAt = Date.now();
    await waitFor(
      () => backend.requester.health.state === 'unreachable',
      12000,
      'the silence noticed'
    );
    expect(Date.now() - silentAt).toBeLessThan(10000);
    // The websocket itself still looks fine.
    expect(kernel.connectionStatus).toBe('connected');
    expect(backend.requester.health.error?.message).toMatch(
      /^No answer from the Kernel Gateway at http:\/\/localhost:\d+\/ /
    );
    await new Promise(resolve => setTimeout(resolve, 4000));
    relay.heal();
    await future.done;
    await waitFor(
      () => backend.requester.health.state === 'connected',
      15000,
      'the gateway answering again'
    );
    expect(text.trim().split('\n')).toEqual(
      Array.from({ length: 40 }, (_, i) => String(i))
    );
    await session.shutdown();
  } finally {
    backend.dispose();
    await relay.close();
  }
}, 90000);
