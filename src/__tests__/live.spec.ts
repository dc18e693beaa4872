/**
 * Settings changed while the page runs: new kernels go to the new gateway at
 * once; notebooks keep the kernels they have until they change kernel.
 */
import type { Session } from '@jupyterlab/services';
import { ServerConnection } from '@jupyterlab/services';

import type { IRawGatewaySettings } from '../gateway/config';
import { parseGatewaySettings } from '../gateway/config';
import { KernelGatewayService } from '../managers/service';
import type { IConfigChange } from '../tokens';
import type { ITestGateway } from './helpers';
import {
  LISTING,
  PAGE_ORIGIN,
  PRIVATE,
  browserStores,
  execute,
  gatewayKernelIds,
  waitFor
} from './helpers';

function settingsFor(gateway: ITestGateway, extra: IRawGatewaySettings = {}) {
  return parseGatewaySettings({
    gatewayUrl: gateway.url,
    authToken: gateway.token,
    ...extra
  });
}

async function existsOn(gateway: ITestGateway, id: string): Promise<boolean> {
  const response = await fetch(
    `${gateway.url}api/kernels/${id}?token=${gateway.token}`
  );
  return response.ok;
}

function notebook(path: string): Session.ISessionOptions {
  return { path, type: 'notebook', name: path, kernel: { name: 'python3' } };
}

describe('switching gateways while the page runs', () => {
  let service: KernelGatewayService;

  beforeEach(() => {
    service = new KernelGatewayService({
      settings: settingsFor(LISTING),
      pageOrigin: PAGE_ORIGIN,
      localBaseUrl: `${PAGE_ORIGIN}/`,
      stores: browserStores(),
      standby: () => false
    });
  });

  afterEach(async () => {
    await service.sessions.shutdownAll().catch(() => undefined);
  });

  it('sends new kernels to the new gateway and keeps running ones where they are', async () => {
    const before = await service.sessions.startNew(notebook('old.ipynb'));
    await execute(before.kernel!, 'x = 1');
    const changes: IConfigChange[] = [];
    service.configChanged.connect((_, change) => changes.push(change));

    expect(service.configure(settingsFor(PRIVATE))).toEqual([]);
    expect(service.config.url).toBe(PRIVATE.url);
    expect(service.kernels.serverSettings.baseUrl).toBe(PRIVATE.url);
    expect(changes).toHaveLength(1);
    expect(changes[0].kept.map(k => k.session.path)).toEqual(['old.ipynb']);
    expect(changes[0].kept[0].where).toBe(`localhost:${LISTING.port}`);

    // New kernels: on the new gateway.
    const after = await service.sessions.startNew(notebook('new.ipynb'));
    expect(await existsOn(PRIVATE, after.kernel!.id)).toBe(true);
    expect(await gatewayKernelIds(LISTING)).not.toContain(after.kernel!.id);
    await waitFor(() => service.kernelspecs.specs !== null, 10000, 'specs');
    expect(service.kernelspecs.specs!.kernelspecs.python3).toBeDefined();

    // The old notebook keeps its kernel (and its variables) meanwhile.
    expect((await execute(before.kernel!, 'print(x)')).trim()).toBe('1');
    await service.sessions.refreshRunning();
    expect(
      Array.from(service.sessions.running())
        .map(s => s.path)
        .sort()
    ).toEqual(['new.ipynb', 'old.ipynb']);
    expect(service.isGatewayKernel(before.kernel!.id)).toBe(true);
    expect(service.isGatewayKernel(after.kernel!.id)).toBe(true);
  });

  it('changing the kernel of a kept notebook starts nothing on the old gateway', async () => {
    const kept = await service.sessions.startNew(notebook('kept.ipynb'));
    const oldKernel = kept.kernel!.id;
    service.configure(settingsFor(PRIVATE));
    const before = await gatewayKernelIds(LISTING);

    await expect(kept.changeKernel({ name: 'python3' })).rejects.toThrow(
      /select a kernel again to start one on localhost:/
    );
    const after = await gatewayKernelIds(LISTING);
    expect(after).not.toContain(oldKernel);
    expect(after.filter(id => !before.includes(id))).toEqual([]);
    await service.sessions.refreshRunning();
    expect(Array.from(service.sessions.running())).toEqual([]);
  });

  it('refuses invalid settings and keeps the configuration in force', async () => {
    const problems = service.configure(
      parseGatewaySettings({ gatewayUrl: 'javascript:alert(1)' })
    );
    expect(problems[0].message).toMatch(/only http:\/\/ or https:\/\//);
    expect(service.config.url).toBe(LISTING.url);
    const session = await service.sessions.startNew(notebook('still.ipynb'));
    expect(await gatewayKernelIds(LISTING)).toContain(session.kernel!.id);
  });

  it('applies a new token to the same gateway in place', async () => {
    await service.kernelspecs.refreshSpecs();
    const session = await service.sessions.startNew(notebook('token.ipynb'));
    service.configure(
      parseGatewaySettings({ gatewayUrl: LISTING.url, authToken: 'rotated' })
    );
    expect((await service.checkConnection())?.state).toBe('refused');
    service.configure(settingsFor(LISTING));
    expect((await service.checkConnection())?.state).toBe('connected');
    await waitFor(
      () =>
        service.kernelspecs.specs?.kernelspecs.python3?.resources[
          'logo-64x64'
        ]?.endsWith(`token=${LISTING.token}`) ?? false,
      10000,
      'logo URLs with the token in force'
    );
    // The running kernel never noticed.
    expect((await execute(session.kernel!, 'print(3)')).trim()).toBe('3');
  });

  it('sends a new kernel environment with the next kernel start, leaving running kernels be', async () => {
    const before = await service.sessions.startNew(notebook('env-a.ipynb'));
    service.configure(
      settingsFor(LISTING, {
        kernelUsername: 'ada',
        kernelEnv: { KERNEL_PROJECT: 'orbit' }
      })
    );
    const after = await service.sessions.startNew(notebook('env-b.ipynb'));
    const show =
      "import os; print(os.environ.get('KERNEL_USERNAME'), os.environ.get('KERNEL_PROJECT'))";
    expect((await execute(after.kernel!, show)).trim()).toBe('ada orbit');
    expect((await execute(before.kernel!, show)).trim()).toBe('None None');
    // Same gateway: nothing was moved or retired.
    expect(await gatewayKernelIds(LISTING)).toEqual(
      expect.arrayContaining([before.kernel!.id, after.kernel!.id])
    );
  });

  it('returns to local kernels when the URL is cleared', () => {
    service.configure(parseGatewaySettings({ gatewayUrl: '' }));
    expect(service.isGateway).toBe(false);
    expect(service.health).toBeNull();
    expect(service.kernels.serverSettings.baseUrl).toBe(
      ServerConnection.makeSettings().baseUrl
    );
  });
});
