/**
 * "Also offer this server's kernels": the local Jupyter server's kernels
 * beside a gateway's, against a real JupyterLab and a real Kernel Gateway.
 */
import type { Session } from '@jupyterlab/services';

import { parseGatewaySettings } from '../gateway/config';
import { KernelGatewayService } from '../managers/service';
import {
  browserStores,
  execute,
  labSettings,
  LISTING,
  notebook,
  PAGE_ORIGIN,
  waitFor
} from './helpers';

const WHERE = "import os; print(os.environ.get('KERNEL_GATEWAY', 'local'))";

function settings(offerLocalKernels: boolean) {
  return parseGatewaySettings({
    gatewayUrl: LISTING.url,
    authToken: LISTING.token,
    offerLocalKernels
  });
}

function service(offerLocalKernels: boolean): KernelGatewayService {
  return new KernelGatewayService({
    settings: settings(offerLocalKernels),
    localSettings: labSettings(),
    pageOrigin: PAGE_ORIGIN,
    localBaseUrl: `${PAGE_ORIGIN}/`,
    stores: browserStores(),
    standby: () => false
  });
}

async function offered(gateway: KernelGatewayService): Promise<string[]> {
  await gateway.kernelspecs.refreshSpecs();
  return Object.keys(gateway.kernelspecs.specs?.kernelspecs ?? {}).sort();
}

describe("Also offer this server's kernels", () => {
  let gateway: KernelGatewayService;
  const sessions: Session.ISessionConnection[] = [];

  afterEach(async () => {
    for (const session of sessions.splice(0)) {
      await session.shutdown().catch(() => undefined);
    }
    gateway?.kernels.dispose();
  });

  it('is off by default: only the gateway kernelspecs are offered', async () => {
    expect(parseGatewaySettings({}).config.offerLocalKernels).toBe(false);
    gateway = service(false);
    expect(await offered(gateway)).toEqual(['python3']);
    expect(gateway.besideSpecName('python3')).toBeNull();
  });

  it('refuses a value that is not true or false', () => {
    const result = parseGatewaySettings({ offerLocalKernels: 'yes' });
    expect(result.problems.map(problem => problem.key)).toEqual([
      'offerLocalKernels'
    ]);
    expect(result.config.offerLocalKernels).toBe(false);
  });

  it('offers both under names that do not collide, and starts each kernel where its kernelspec is', async () => {
    gateway = service(true);
    expect(await offered(gateway)).toEqual(['local:python3', 'python3']);
    const specs = gateway.kernelspecs.specs!.kernelspecs;
    // The gateway's carries its label; the local one its own display name.
    expect(specs['python3']!.display_name).toMatch(/\[localhost:\d+\]$/);
    expect(specs['local:python3']!.display_name).not.toMatch(/\[/);
    expect(gateway.besideSpecName('python3')).toBe('local:python3');
    expect(gateway.startsBeside('local:python3')).toBe(true);
    expect(gateway.startsBeside('python3')).toBe(false);

    const local = await gateway.sessions.startNew({
      ...notebook('beside-local.ipynb'),
      kernel: { name: 'local:python3' }
    });
    sessions.push(local);
    const remote = await gateway.sessions.startNew(
      notebook('beside-remote.ipynb')
    );
    sessions.push(remote);

    // Each kernel runs under the kernelspec's own name, where it belongs.
    expect(local.kernel!.name).toBe('python3');
    expect(await execute(local.kernel!, WHERE)).toBe('local\n');
    expect(await execute(remote.kernel!, WHERE)).toBe('1\n');
    expect(gateway.runsBeside(local.kernel!.id)).toBe(true);
    expect(gateway.runsBeside(remote.kernel!.id)).toBe(false);
    expect(gateway.isGatewayKernel(local.kernel!.id)).toBe(false);
    expect(gateway.isGatewayKernel(remote.kernel!.id)).toBe(true);

    // Both are listed, and each session is found where it lives.
    await gateway.sessions.refreshRunning();
    const paths = Array.from(gateway.sessions.running()).map(s => s.path);
    expect(paths).toEqual(
      expect.arrayContaining(['beside-local.ipynb', 'beside-remote.ipynb'])
    );
    expect(
      (await gateway.sessions.findByPath('beside-local.ipynb'))?.kernel?.id
    ).toBe(local.kernel!.id);

    // A change of kernel within the local server, by the offered name.
    const changed = await local.changeKernel({ name: 'local:python3' });
    expect(changed!.name).toBe('python3');
    expect(await execute(changed!, WHERE)).toBe('local\n');
  });

  it('turned off live: a local kernel keeps running until its notebook is done, and new kernels go to the gateway', async () => {
    gateway = service(true);
    await offered(gateway);
    const local = await gateway.sessions.startNew({
      ...notebook('beside-kept.ipynb'),
      kernel: { name: 'local:python3' }
    });
    sessions.push(local);

    expect(gateway.configure(settings(false))).toEqual([]);
    expect(await offered(gateway)).toEqual(['python3']);
    expect(gateway.startsBeside('local:python3')).toBe(false);
    expect(await execute(local.kernel!, WHERE)).toBe('local\n');
    expect(gateway.keptKernel(local.kernel!)?.where).toBe('Local');

    // On again: the same local backend is offered again, kernel included.
    expect(gateway.configure(settings(true))).toEqual([]);
    expect(await offered(gateway)).toEqual(['local:python3', 'python3']);
    expect(gateway.runsBeside(local.kernel!.id)).toBe(true);

    await local.shutdown();
    sessions.splice(0);
    await waitFor(
      async () =>
        !Array.from(gateway.kernels.running()).some(
          kernel => kernel.id === local.kernel?.id
        ),
      10000,
      'the local kernel to leave the list'
    );
  });
});
