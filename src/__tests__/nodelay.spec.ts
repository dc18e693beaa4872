/**
 * The gateway configuration that removes the delayed-ACK stall
 * (gateway-config/kernel_gateway_nodelay.py) loads in a real Kernel Gateway
 * and runs for kernel websockets. Its effect on round trips is measured by
 * the benchmark (scripts/benchmark.sh), not here.
 */
import fs from 'fs';
import path from 'path';

import { execute, makeBackend } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startGateway } = require('../../tests/harness/gateway');

const CONFIG = path.resolve(
  __dirname,
  '..',
  '..',
  'gateway-config',
  'kernel_gateway_nodelay.py'
);

it('turns TCP_NODELAY on for kernel websockets', async () => {
  const gateway = await startGateway({
    token: 'nodelay',
    origin: 'http://127.0.0.1:8888',
    extraArgs: [`--config=${CONFIG}`]
  });
  try {
    const backend = makeBackend({
      gateway: {
        url: `http://localhost:${gateway.port}/`,
        token: 'nodelay',
        port: gateway.port
      }
    });
    const kernel = await backend.kernels.startNew({ name: 'python3' });
    expect((await execute(kernel, 'print(2 + 2)')).trim()).toBe('4');
    const log = fs.readFileSync(gateway.logFile, 'utf-8');
    expect(log).toContain('TCP_NODELAY is on for websockets');
    await kernel.shutdown();
    backend.dispose();
  } finally {
    await gateway.stop();
  }
});
