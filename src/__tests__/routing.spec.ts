/**
 * The managers JupyterLab gets: gateway or local, and "Shut Down Unused".
 */
import { parseGatewaySettings } from '../gateway/config';
import { KernelGatewayService } from '../managers/service';
import { routeDefaultKernelShutdown } from '../ui/shutdownunused';
import { KernelAPI, ServerConnection } from '@jupyterlab/services';
import {
  browserStores,
  LISTING,
  PAGE_ORIGIN,
  gatewayKernelIds
} from './helpers';

function service(gatewayUrl: string, token = '') {
  return new KernelGatewayService({
    settings: parseGatewaySettings({ gatewayUrl, authToken: token }),
    pageOrigin: PAGE_ORIGIN,
    localBaseUrl: `${PAGE_ORIGIN}/`,
    stores: browserStores(),
    standby: () => true
  });
}

describe('KernelGatewayService', () => {
  it('manages local kernels exactly like JupyterLab when no gateway is set', () => {
    const local = service('');
    expect(local.isGateway).toBe(false);
    expect(local.label).toBe('Local');
    expect(local.health).toBeNull();
    expect(local.kernels.serverSettings.baseUrl).toBe(
      ServerConnection.makeSettings().baseUrl
    );
    expect(local.sessions.serverSettings?.baseUrl).toBe(
      ServerConnection.makeSettings().baseUrl
    );
  });

  it('sends kernels, kernelspecs and sessions to the gateway when one is set', () => {
    const remote = service(LISTING.url, LISTING.token);
    expect(remote.isGateway).toBe(true);
    expect(remote.label).toBe(`localhost:${LISTING.port}`);
    expect(remote.kernels.serverSettings.baseUrl).toBe(LISTING.url);
    expect(remote.kernelspecs.serverSettings.baseUrl).toBe(LISTING.url);
    expect(remote.sessions.serverSettings?.baseUrl).toBe(LISTING.url);
  });
});

describe('"Shut Down Unused" (Running panel)', () => {
  it('reaches the gateway for gateway kernels, and the local server for others', async () => {
    const remote = service(LISTING.url, LISTING.token);
    const kernel = await remote.kernels.startNew({ name: 'python3' });
    const passedThrough: string[] = [];
    const target = {
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const url =
          typeof input === 'object' && 'url' in input
            ? input.url
            : String(input);
        passedThrough.push(
          `${init?.method ?? (input as Request).method} ${url}`
        );
        return new Response(null, { status: 204 });
      }) as typeof fetch
    };
    const shim = routeDefaultKernelShutdown({
      gateway: remote,
      localBaseUrl: `${PAGE_ORIGIN}/`,
      target
    });
    // What the Running panel's command does: default (local) settings.
    const settings = ServerConnection.makeSettings({
      fetch: (i, n) => target.fetch(i, n)
    });
    await KernelAPI.shutdownKernel(kernel.id, settings);
    expect(await gatewayKernelIds(LISTING)).not.toContain(kernel.id);
    expect(passedThrough).toEqual([]);

    // A kernel the gateway does not run goes to the local server as before.
    await KernelAPI.shutdownKernel('a-local-kernel', settings);
    expect(passedThrough).toHaveLength(1);
    expect(passedThrough[0]).toMatch(
      /^DELETE http:\/\/127\.0\.0\.1:8888\/api\/kernels\/a-local-kernel/
    );

    shim.dispose();
    kernel.dispose();
  });
});
