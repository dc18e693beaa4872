/**
 * Failures are classified and explained: a gateway that is down, a wrong
 * token, errors a browser hides behind CORS, timeouts, gateway errors.
 */
import type { FetchFunction } from '../gateway/connection';
import {
  GatewayNetworkError,
  GatewayResponseError,
  isGatewayError
} from '../gateway/errors';
import type { IGatewayHealth } from '../gateway/request';
import { MemoryStorage } from '../store/browserstore';
import { KernelGatewayService } from '../managers/service';
import { parseGatewaySettings } from '../gateway/config';
import { freePortSync } from './ports';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRelay } = require('../../tests/harness/relay');
import {
  browserStores,
  FULL,
  LISTING,
  PAGE_ORIGIN,
  PRIVATE,
  deleteKernelDirectly,
  makeBackend
} from './helpers';

/**
 * What a browser does with Kernel Gateway's answers: error responses carry
 * no CORS headers, so the page gets a bare TypeError instead of the status.
 * `no-cors` requests succeed whenever anything answers.
 */
const browserLike: FetchFunction = async (input, init) => {
  const response = await fetch(input, init);
  if (init?.mode === 'no-cors' || response.ok) {
    return response;
  }
  throw new TypeError('Failed to fetch');
};

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('a gateway that is not running', () => {
  const deadUrl = `http://localhost:${freePortSync()}/`;

  it('is reported unreachable, naming the gateway and the setting to check', async () => {
    const backend = makeBackend({ url: deadUrl, fetch: browserLike });
    const error = await failure(backend.kernels.startNew({ name: 'python3' }));
    expect(error).toBeInstanceOf(GatewayNetworkError);
    expect((error as GatewayNetworkError).kind).toBe('unreachable');
    expect(error.message).toContain(deadUrl);
    expect(error.message).toMatch(/Kernel Gateway URL/);
    expect(backend.requester.health.state).toBe('unreachable');
    backend.dispose();
  });

  it('does not raise JupyterLab’s "Server Connection Error" (it blames the local server)', async () => {
    const service = new KernelGatewayService({
      settings: parseGatewaySettings({ gatewayUrl: deadUrl }),
      pageOrigin: PAGE_ORIGIN,
      localBaseUrl: `${PAGE_ORIGIN}/`,
      stores: browserStores(),
      standby: () => false
    });
    const generic: Error[] = [];
    service.sessions.connectionFailure.connect((_, e) => generic.push(e));
    service.kernelspecs.connectionFailure.connect((_, e) => generic.push(e));
    service.kernels.connectionFailure.connect((_, e) => generic.push(e));
    const health: IGatewayHealth[] = [];
    service.healthChanged.connect((_, h) => health.push(h));
    await service.kernelspecs.refreshSpecs().catch(() => undefined);
    await service.checkConnection();
    expect(generic).toEqual([]);
    expect(health.map(h => h.state)).toContain('unreachable');
    expect(health[0].error?.message).toContain(deadUrl);
  });

  it('keeps the stored sessions while the gateway is away', async () => {
    // The network between page and gateway is cut by a relay.
    const relay = await startRelay({ targetPort: LISTING.port });
    // Disposed in the `finally` below.
    // eslint-disable-next-line jupyter/require-disposable-transfer
    const backend = makeBackend({
      url: `http://localhost:${relay.port}/`,
      storage: new MemoryStorage()
    });
    try {
      const session = await backend.sessions.startNew({
        path: 'away.ipynb',
        type: 'notebook',
        name: 'away.ipynb',
        kernel: { name: 'python3' }
      });
      relay.cut();
      await backend.sessions.refreshRunning();
      expect(backend.requester.health.state).toBe('unreachable');
      expect(Array.from(backend.sessions.running()).map(s => s.path)).toEqual([
        'away.ipynb'
      ]);
      expect(session.isDisposed).toBe(false);
      relay.restore();
      await backend.sessions.refreshRunning();
      expect(backend.requester.health.state).toBe('connected');
      await session.shutdown();
    } finally {
      backend.dispose();
      await relay.close();
    }
  });
});

describe('a wrong token', () => {
  it('is reported as refused, pointing at the token setting (status visible)', async () => {
    const backend = makeBackend({
      gateway: { ...LISTING, token: 'wrong-token' }
    });
    const error = await failure(backend.kernels.startNew());
    expect(error).toBeInstanceOf(GatewayResponseError);
    expect((error as GatewayResponseError).status).toBe(401);
    expect(error.message).toMatch(/refused the token/);
    expect(error.message).toMatch(/Auth token/);
    expect(backend.requester.health.state).toBe('refused');
    backend.dispose();
  });

  it('is reported as refused in a browser too, where the 401 is hidden', async () => {
    const backend = makeBackend({
      gateway: { ...LISTING, token: 'wrong-token' },
      fetch: browserLike
    });
    const error = await failure(backend.kernelSpecClient.get());
    expect(isGatewayError(error)).toBe(true);
    expect((error as GatewayResponseError).kind).toBe('refused');
    expect(error.message).toMatch(/Auth token/);
    expect(error.message).toContain(
      `--KernelGatewayApp.allow_origin=${PAGE_ORIGIN}`
    );
    backend.dispose();
  });
});

describe('a gateway that does not allow this origin (CORS)', () => {
  it('is told apart from a wrong token with a logo that loads with the token', async () => {
    // In a browser, every CORS request to such a gateway fails; an <img>
    // (not subject to CORS) still loads.
    const noCors: FetchFunction = async (input, init) => {
      if (init?.mode === 'no-cors') {
        return fetch(input, init);
      }
      throw new TypeError('Failed to fetch');
    };
    const { config } = parseGatewaySettings({
      gatewayUrl: LISTING.url,
      authToken: LISTING.token
    });
    const service = new KernelGatewayService({
      settings: { config, gateways: [], problems: [] },
      pageOrigin: PAGE_ORIGIN,
      localBaseUrl: `${PAGE_ORIGIN}/`,
      stores: browserStores(),
      standby: () => true,
      fetch: noCors,
      loadImage: async url => (await fetch(url)).ok
    });
    const health = await service.checkConnection();
    expect(health?.state).toBe('refused');
    const error = health?.error as GatewayResponseError;
    expect(error.reason).toBe('cors');
    expect(error.message).toContain(
      `--KernelGatewayApp.allow_origin=${PAGE_ORIGIN}`
    );
    expect(error.message).toMatch(/accepts the token/);
  });
});

describe('errors a browser hides behind CORS', () => {
  it('treats a hidden 404 for a kernel as "the kernel is gone"', async () => {
    const backend = makeBackend({ fetch: browserLike });
    const kernel = await backend.kernels.startNew({ name: 'python3' });
    await deleteKernelDirectly(LISTING, kernel.id);
    expect(await backend.kernelClient.getModel(kernel.id)).toBeUndefined();
    expect(backend.kernelClient.owns(kernel.id)).toBe(false);
    expect(backend.requester.health.state).toBe('connected');
    kernel.dispose();
    backend.dispose();
  });

  it('falls back to looking kernels up one by one when listing is hidden (403)', async () => {
    const backend = makeBackend({ gateway: PRIVATE, fetch: browserLike });
    const kernel = await backend.kernels.startNew({ name: 'python3' });
    await backend.kernels.refreshRunning();
    expect(Array.from(backend.kernels.running()).map(k => k.id)).toEqual([
      kernel.id
    ]);
    await kernel.shutdown();
    backend.dispose();
  });
});

describe('kernels that cannot start', () => {
  it.each([
    ['the status is visible', undefined],
    ['in a browser, where the status is hidden', browserLike]
  ])(
    'an unknown kernelspec is named, with what the gateway offers (%s)',
    async (_, fetch) => {
      const backend = makeBackend({ fetch });
      const error = await failure(backend.kernels.startNew({ name: 'nope' }));
      expect(error.message).toBe(
        `The Kernel Gateway at ${LISTING.url} has no kernel named "nope". It offers: python3; select one of them.`
      );
      backend.dispose();
    }
  );

  it.each([
    ['the status is visible', undefined, 'is full'],
    [
      'in a browser, where the status is hidden',
      browserLike,
      'most likely full'
    ]
  ])('a full gateway (max_kernels) says so (%s)', async (_, fetch, words) => {
    // Disposed in the `finally` below.
    // eslint-disable-next-line jupyter/require-disposable-transfer
    const backend = makeBackend({ gateway: FULL, fetch });
    const first = await backend.kernels.startNew({ name: 'python3' });
    try {
      const error = await failure(
        backend.kernels.startNew({ name: 'python3' })
      );
      expect(error.message).toContain(words);
      expect(error.message).toContain('max_kernels');
      expect(error.message).toContain(FULL.url);
    } finally {
      await first.shutdown();
      backend.dispose();
    }
  });
});

describe('gateway errors and timeouts', () => {
  it('shortens an unknown-kernelspec traceback to one line', async () => {
    const backend = makeBackend();
    const error = await failure(
      backend.kernels.startNew({ name: 'no-such-kernel' })
    );
    expect(error).toBeInstanceOf(GatewayResponseError);
    expect((error as GatewayResponseError).status).toBe(500);
    expect(error.message).toMatch(/no-such-kernel/);
    expect(error.message).not.toMatch(/Traceback|File "/);
    expect(error.message.split('\n')).toHaveLength(1);
    backend.dispose();
  });

  it('gives up after the request timeout and says so', async () => {
    // A gateway that does not answer: a relay holds its answers back.
    const relay = await startRelay({ targetPort: LISTING.port });
    // Disposed in the `finally` below.
    // eslint-disable-next-line jupyter/require-disposable-transfer
    const backend = makeBackend({
      url: `http://localhost:${relay.port}/`,
      settings: { requestTimeout: 1 }
    });
    try {
      relay.hold();
      const started = Date.now();
      const error = await failure(backend.kernelSpecClient.get());
      expect(Date.now() - started).toBeLessThan(5000);
      expect((error as GatewayNetworkError).kind).toBe('timeout');
      expect(error.message).toMatch(
        /No answer from the Kernel Gateway at .* within 1 s/
      );
    } finally {
      backend.dispose();
      relay.release();
      await relay.close();
    }
  });
});
