/**
 * "Also offer this server's kernels": the local Jupyter server's kernels
 * beside a gateway's, against a real JupyterLab and a real Kernel Gateway.
 */
import type { Session } from '@jupyterlab/services';

import type { IConfigResult } from '../gateway/config';
import { parseGatewaySettings } from '../gateway/config';
import { KernelGatewayService } from '../managers/service';
import {
  browserStores,
  execute,
  labSettings,
  LISTING,
  notebook,
  PRIVATE,
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
  return serviceWith(settings(offerLocalKernels));
}

/**
 * The gateway service of a page of the real JupyterLab, with `result`.
 */
function serviceWith(result: IConfigResult): KernelGatewayService {
  return new KernelGatewayService({
    settings: result,
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
    expect(gateway.specNameAt('local', 'python3')).toBeNull();
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
    expect(gateway.specNameAt('local', 'python3')).toBe('local:python3');
    expect(gateway.placeOfSpec('local:python3')).toBe('local');
    expect(gateway.placeOfSpec('python3')).toBeNull();

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
    expect(gateway.placeOf(local.kernel!.id)).toBe('local');
    expect(gateway.placeOf(remote.kernel!.id)).toBeNull();
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
    expect(gateway.placeOfSpec('local:python3')).toBeNull();
    expect(await execute(local.kernel!, WHERE)).toBe('local\n');
    expect(gateway.keptKernel(local.kernel!)?.where).toBe('Local');

    // On again: the same local backend is offered again, kernel included.
    expect(gateway.configure(settings(true))).toEqual([]);
    expect(await offered(gateway)).toEqual(['local:python3', 'python3']);
    expect(gateway.placeOf(local.kernel!.id)).toBe('local');

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

describe('several gateways and local kernels side by side', () => {
  const MARKED =
    "import os; print(os.environ.get('KERNEL_GATEWAY', 'local'), os.environ.get('KERNEL_MARK', '-'))";
  const second = {
    gatewayUrl: PRIVATE.url,
    authToken: PRIVATE.token,
    gatewayName: 'second',
    kernelEnv: { KERNEL_MARK: 'second' }
  };

  function several(gateways: unknown[]) {
    return parseGatewaySettings({
      gatewayUrl: LISTING.url,
      authToken: LISTING.token,
      offerLocalKernels: true,
      gateways
    });
  }

  it('refuses a listed gateway whose URL or name is taken, and keeps the others', () => {
    const result = several([
      second,
      { ...second, gatewayName: 'again' },
      { gatewayUrl: 'http://localhost:1/', gatewayName: 'Second' },
      { gatewayUrl: 'http://localhost:2/', gatewayName: 'local' },
      { gatewayUrl: 'ftp://localhost:3/' },
      'not an object'
    ]);
    expect(result.gateways.map(g => g.name)).toEqual(['second']);
    expect(result.problems.map(p => p.message)).toEqual([
      `Gateway 2: ${PRIVATE.url} is already configured: it is left out.`,
      'Gateway 3: the name "Second" is already taken: give this gateway another gatewayName.',
      'Gateway 4: the name "local" is already taken: give this gateway another gatewayName.',
      expect.stringMatching(/^Gateway 5: Kernel Gateway URL .*refused/),
      'Gateway 6: each gateway must be an object with a gatewayUrl.'
    ]);
    // Old single-gateway settings alone: no list, nothing beside.
    const old = parseGatewaySettings({
      gatewayUrl: LISTING.url,
      authToken: LISTING.token
    });
    expect(old.gateways).toEqual([]);
    expect(old.problems).toEqual([]);
  });

  it("sends each gateway's own KERNEL_USERNAME, and says which (what its connection test sends)", async () => {
    const result = parseGatewaySettings({
      gatewayUrl: LISTING.url,
      authToken: LISTING.token,
      kernelUsername: 'ada',
      gateways: [{ ...second, kernelUsername: 'bob' }]
    });
    const gateway = new KernelGatewayService({
      settings: result,
      localSettings: labSettings(),
      pageOrigin: PAGE_ORIGIN,
      localBaseUrl: `${PAGE_ORIGIN}/`,
      stores: browserStores(),
      standby: () => false,
      localUserName: () => Promise.resolve('carol')
    });
    const [bob] = result.gateways;
    const session = await gateway.sessions.startNew({
      ...notebook('several-username.ipynb'),
      kernel: { name: 'second:python3' }
    });
    try {
      expect(await gateway.kernelUsername()).toBe('ada');
      expect(await gateway.kernelUsername(bob)).toBe('bob');
      // Without a setting of its own: the local server's user.
      expect(await gateway.kernelUsername({ ...bob, kernelUsername: '' })).toBe(
        'carol'
      );
      expect(
        await execute(
          session.kernel!,
          "import os; print(os.environ.get('KERNEL_USERNAME'))"
        )
      ).toBe('bob\n');
    } finally {
      await session.shutdown().catch(() => undefined);
      gateway.kernels.dispose();
    }
  });

  it('starts each kernel on its own backend, and moves as the list changes', async () => {
    const gateway = serviceWith(several([second]));
    const sessions: Session.ISessionConnection[] = [];
    try {
      expect(await offered(gateway)).toEqual([
        'local:python3',
        'python3',
        'second:python3',
        'second:slow-python'
      ]);
      expect(gateway.beside.map(backend => backend.label)).toEqual([
        'Local',
        'second'
      ]);
      const specs = gateway.kernelspecs.specs!.kernelspecs;
      expect(specs['second:python3']!.display_name).toMatch(/\[second\]$/);

      for (const [path, name] of [
        ['several-first.ipynb', 'python3'],
        ['several-second.ipynb', 'second:python3'],
        ['several-local.ipynb', 'local:python3']
      ]) {
        sessions.push(
          await gateway.sessions.startNew({
            ...notebook(path),
            kernel: { name }
          })
        );
      }
      const [first, other, local] = sessions.map(s => s.kernel!);
      expect(await execute(first, MARKED)).toBe('1 -\n');
      expect(await execute(other, MARKED)).toBe('1 second\n');
      expect(await execute(local, MARKED)).toBe('local -\n');
      expect([first, other, local].map(k => gateway.placeOf(k.id))).toEqual([
        null,
        'second',
        'local'
      ]);
      expect(other.name).toBe('python3');
      expect(gateway.specNameAt('second', 'python3')).toBe('second:python3');
      // Listed backend by backend, each kernel under the name its
      // kernelspec was offered by (the Running panel names it after that).
      await gateway.kernels.refreshRunning();
      const listed = Array.from(gateway.kernels.running()).filter(kernel =>
        [first, other, local].some(k => k.id === kernel.id)
      );
      expect(listed.map(kernel => [kernel.id, kernel.name])).toEqual([
        [first.id, 'python3'],
        [local.id, 'local:python3'],
        [other.id, 'second:python3']
      ]);
      expect((await gateway.kernels.findById(other.id))?.name).toBe(
        'second:python3'
      );
      // Named the same from the listed model as from its own.
      expect(gateway.keptKernel(listed[2]!)?.displayName).toMatch(
        /^Python 3.* \[second\]$/
      );
      expect(gateway.keptKernel(listed[2]!)).toEqual(gateway.keptKernel(other));
      // Sessions too (the file browser names a notebook's kernel after
      // that kernelspec); connecting to one gives its backend the
      // kernelspec's own name back.
      await gateway.sessions.refreshRunning();
      const notebooks = Array.from(gateway.sessions.running()).filter(model =>
        sessions.some(session => session.id === model.id)
      );
      expect(notebooks.map(model => [model.path, model.kernel?.name])).toEqual([
        ['several-first.ipynb', 'python3'],
        ['several-local.ipynb', 'local:python3'],
        ['several-second.ipynb', 'second:python3']
      ]);
      const found = await gateway.sessions.findByPath('several-second.ipynb');
      expect(found?.kernel?.name).toBe('second:python3');
      const again = gateway.sessions.connectTo({ model: found! });
      try {
        expect(again.kernel?.name).toBe('python3');
        expect(await execute(again.kernel!, MARKED)).toBe('1 second\n');
      } finally {
        again.dispose();
      }

      // The second gateway removed from the list: its kernel keeps running
      // (retired), nothing new starts there.
      expect(gateway.configure(several([]))).toEqual([]);
      expect(await offered(gateway)).toEqual(['local:python3', 'python3']);
      expect(gateway.placeOfSpec('second:python3')).toBeNull();
      expect(await execute(other, MARKED)).toBe('1 second\n');
      expect(gateway.keptKernel(other)?.where).toBe('second');

      // Back in the list: the same backend, its kernel included.
      expect(gateway.configure(several([second]))).toEqual([]);
      expect(gateway.placeOf(other.id)).toBe('second');
    } finally {
      for (const session of sessions) {
        await session.shutdown().catch(() => undefined);
      }
      gateway.kernels.dispose();
    }
  });
});
