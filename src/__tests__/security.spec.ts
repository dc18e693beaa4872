/**
 * The local server's credentials never reach the gateway.
 *
 * The page (jsdom at http://127.0.0.1:8888) has the local server's token in
 * its page config and an `_xsrf` cookie, exactly what makes JupyterLab's
 * `ServerConnection` add `Authorization` and `X-XSRFToken` to requests. A
 * recording TCP relay sits in front of a real Kernel Gateway and keeps every
 * byte the gateway receives: HTTP requests and websocket handshakes.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import {
  KernelAPI,
  KernelSpecAPI,
  ServerConnection
} from '@jupyterlab/services';

import { cookieWarnings, parseGatewaySettings } from '../gateway/config';
import { makeGatewaySettings, withToken } from '../gateway/connection';
import type { GatewayBackend } from '../managers/gatewaybackend';
import { LISTING, PAGE_ORIGIN, execute, makeBackend, waitFor } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRelay } = require('../../tests/harness/relay');

interface IRelay {
  port: number;
  text(): string;
  requests(): {
    method: string;
    path: string;
    headers: Record<string, string>;
  }[];
  close(): Promise<void>;
}

const LOCAL_TOKEN = 'LOCAL-SERVER-TOKEN-d41d8cd9';
const LOCAL_XSRF = 'LOCAL-XSRF-VALUE-8f00b204';

describe('what reaches the gateway', () => {
  let relay: IRelay;
  let backend: GatewayBackend;

  beforeAll(async () => {
    PageConfig.setOption('token', LOCAL_TOKEN);
    document.cookie = `_xsrf=${LOCAL_XSRF}; path=/`;
    document.cookie = 'username-127-0-0-1-8888=local-login-cookie; path=/';
    expect(ServerConnection.makeSettings().token).toBe(LOCAL_TOKEN);

    relay = await startRelay({ targetPort: LISTING.port });
    backend = makeBackend({ url: `http://localhost:${relay.port}/` });

    // Everything a notebook does: kernelspecs, a session, code over the
    // websocket, interrupt, restart, rename, change kernel, shut down.
    await backend.kernelspecs.refreshSpecs();
    const session = await backend.sessions.startNew({
      path: 'secret.ipynb',
      type: 'notebook',
      name: 'secret.ipynb',
      kernel: { name: 'python3' }
    });
    const kernel = session.kernel!;
    expect((await execute(kernel, 'print(1 + 1)')).trim()).toBe('2');
    await kernel.interrupt();
    await kernel.restart();
    await waitFor(() => kernel.status === 'idle', 30000, 'restart');
    await session.setPath('renamed.ipynb');
    await session.changeKernel({ name: 'python3' });
    await backend.kernels.refreshRunning();
    await backend.sessions.refreshRunning();
    await session.shutdown();

    // JupyterLab's own REST functions (ServerConnection.makeRequest adds
    // Authorization and X-XSRFToken), with the settings the managers expose,
    // as another extension might call them.
    const listed = await KernelAPI.listRunning(backend.kernels.serverSettings);
    expect(Array.isArray(listed)).toBe(true);
    const specs = await KernelSpecAPI.getSpecs(
      backend.kernelspecs.serverSettings
    );
    expect(specs.kernelspecs.python3).toBeDefined();
  });

  afterAll(async () => {
    backend.dispose();
    await relay.close();
    PageConfig.setOption('token', '');
  });

  it('saw the traffic (the check below is not vacuous)', () => {
    const requests = relay.requests();
    const paths = requests.map(r => `${r.method} ${r.path.split('?')[0]}`);
    const saw = (pattern: RegExp) => paths.some(p => pattern.test(p));
    expect(saw(/^GET \/api\/kernelspecs$/)).toBe(true);
    expect(saw(/^POST \/api\/kernels$/)).toBe(true);
    expect(saw(/^GET \/api\/kernels\/[\w-]+\/channels$/)).toBe(true);
    expect(saw(/^POST \/api\/kernels\/[\w-]+\/interrupt$/)).toBe(true);
    expect(saw(/^POST \/api\/kernels\/[\w-]+\/restart$/)).toBe(true);
    expect(saw(/^DELETE \/api\/kernels\/[\w-]+$/)).toBe(true);
    expect(requests.some(r => r.headers.upgrade === 'websocket')).toBe(true);
    expect(requests.filter(r => r.method === 'DELETE').length).toBeGreaterThan(
      0
    );
  });

  it('carries neither the local token, nor the XSRF value, nor cookies', () => {
    const text = relay.text();
    expect(text).not.toContain(LOCAL_TOKEN);
    expect(text).not.toContain(LOCAL_XSRF);
    expect(text).not.toContain('local-login-cookie');
    for (const request of relay.requests()) {
      // Websocket handshakes carry the gateway host's own cookies (the
      // gateway sets one); none of the local server's may be among them.
      const names = (request.headers.cookie ?? '')
        .split(';')
        .map(c => c.split('=')[0].trim())
        .filter(name => name !== '');
      expect(names).not.toContain('_xsrf');
      expect(names).not.toContain('username-127-0-0-1-8888');
      for (const name of names) {
        expect(name).toMatch(/^username-localhost-\d+$/);
      }
      expect(request.headers['x-xsrftoken']).toBeUndefined();
      expect(request.headers.authorization).toBeUndefined();
    }
  });

  it('carries the gateway token in ?token= on every request and websocket', () => {
    for (const request of relay.requests()) {
      const url = new URL(request.path, 'http://gateway');
      expect(url.searchParams.get('token')).toBe(LISTING.token);
    }
  });
});

describe('connection settings', () => {
  const { config } = parseGatewaySettings({
    gatewayUrl: 'https://gateway.example.org:8889/base',
    authToken: 's3cret/+&'
  });

  it('use the gateway token, never the local one, and append it to websockets', () => {
    PageConfig.setOption('token', LOCAL_TOKEN);
    const settings = makeGatewaySettings(config);
    expect(settings.token).toBe('s3cret/+&');
    expect(settings.appendToken).toBe(true);
    expect(settings.baseUrl).toBe('https://gateway.example.org:8889/base/');
    expect(settings.wsUrl).toBe('wss://gateway.example.org:8889/base/');
    expect(settings.init.credentials).toBe('omit');
    PageConfig.setOption('token', '');
  });

  it('encode the token and refuse to send it anywhere but the gateway', () => {
    expect(
      withToken('https://gateway.example.org:8889/base/api/kernels', config)
    ).toBe(
      'https://gateway.example.org:8889/base/api/kernels?token=s3cret%2F%2B%26'
    );
    expect(() =>
      withToken('https://elsewhere.example.org/api/kernels', config)
    ).toThrow(/Refusing/);
    expect(() =>
      withToken('http://127.0.0.1:8888/api/kernels', config)
    ).toThrow(/Refusing/);
  });

  it('warn when the gateway shares the page’s host name (cookies follow the host)', () => {
    const same = parseGatewaySettings({
      gatewayUrl: 'http://127.0.0.1:8889'
    }).config;
    const other = parseGatewaySettings({
      gatewayUrl: 'http://localhost:8889'
    }).config;
    expect(cookieWarnings(same, PAGE_ORIGIN)[0].message).toMatch(
      /another host name/
    );
    expect(cookieWarnings(other, PAGE_ORIGIN)).toEqual([]);
  });
});
