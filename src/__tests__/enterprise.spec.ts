/**
 * Enterprise Gateway 3.3.0, for real (tests/harness/enterprise.js runs it
 * from .venv-eg with its local process proxy, and a kernelspec that goes
 * through its remote launch path, as kernels on Kubernetes or YARN do).
 * Listing kernels is off, as by default; the tests run as root, whom
 * Enterprise Gateway refuses to start kernels for.
 */
import path from 'path';

import type { IRawGatewaySettings } from '../gateway/config';
import type { LaunchOptionsChooser } from '../gateway/kernelclient';
import { localUserName } from '../local/identity';
import type { GatewayBackend } from '../managers/gatewaybackend';
import type { ITestGateway } from './helpers';
import {
  execute,
  labSettings,
  makeBackend,
  notebook,
  waitFor
} from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startEnterpriseGateway } = require('../../tests/harness/enterprise');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startRelay } = require('../../tests/harness/relay');

interface IEnterpriseGateway {
  url: string;
  port: number;
  token: string;
  stop(): Promise<void>;
}

interface IRelay {
  port: number;
  requests(): { method: string; path: string }[];
  text(): string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

const ORIGIN = 'http://127.0.0.1:8888';
const gateways: IEnterpriseGateway[] = [];
const backends: GatewayBackend[] = [];
let eg: ITestGateway;
let restricted: ITestGateway;

function asTestGateway(gateway: IEnterpriseGateway): ITestGateway {
  return {
    url: `http://localhost:${gateway.port}/`,
    token: gateway.token,
    port: gateway.port
  };
}

beforeAll(async () => {
  const [open, only] = await Promise.all([
    // Any user but root; a kernelspec that launches like a remote kernel.
    startEnterpriseGateway({
      token: 'jest-eg-token',
      origin: ORIGIN,
      remoteKernel: true
    }),
    // Only alice and bob may start kernels; "only-alice" is alice's.
    startEnterpriseGateway({
      token: 'jest-eg-restricted',
      origin: ORIGIN,
      authorizedUsers: ['alice', 'bob'],
      kernelspecs: {
        'only-alice': {
          argv: [
            path.join(__dirname, '..', '..', '.venv-eg', 'bin', 'python'),
            '-m',
            'ipykernel_launcher',
            '-f',
            '{connection_file}'
          ],
          display_name: "Alice's Python",
          language: 'python',
          metadata: {
            process_proxy: { config: { authorized_users: ['alice'] } }
          }
        }
      }
    })
  ]);
  gateways.push(open, only);
  eg = asTestGateway(open);
  restricted = asTestGateway(only);
}, 60000);

afterAll(async () => {
  await Promise.all(gateways.map(gateway => gateway.stop()));
});

afterEach(async () => {
  for (const backend of backends.splice(0)) {
    await backend.sessions.shutdownAll().catch(() => undefined);
    await backend.kernels.shutdownAll().catch(() => undefined);
    backend.dispose();
  }
});

/**
 * A page on an Enterprise Gateway, ready (its first check done: it knows
 * it talks to an Enterprise Gateway).
 */
async function open(
  options: {
    gateway?: ITestGateway;
    url?: string;
    settings?: IRawGatewaySettings;
    launchOptions?: LaunchOptionsChooser;
    withIdentity?: boolean;
    userName?: () => Promise<string>;
    heartbeat?: boolean;
  } = {}
): Promise<GatewayBackend> {
  const backend = makeBackend({
    gateway: options.gateway ?? eg,
    url: options.url,
    settings: options.settings,
    launchOptions: options.launchOptions,
    heartbeat: options.heartbeat,
    localUserName:
      options.withIdentity === false
        ? undefined
        : (options.userName ?? (() => localUserName(labSettings())))
  });
  backends.push(backend);
  await waitFor(
    () => backend.requester.health.flavor === 'enterprise-gateway',
    10000,
    'the first check of the gateway'
  );
  return backend;
}

/**
 * What an Enterprise Gateway says of a kernel, asked by id (it lists
 * none); `undefined` when it has no such kernel.
 */
async function gatewayKernel(
  gateway: ITestGateway,
  id: string
): Promise<{ execution_state: string } | undefined> {
  const response = await fetch(
    `${gateway.url}api/kernels/${id}?token=${gateway.token}`
  );
  return response.ok ? response.json() : undefined;
}

async function exists(gateway: ITestGateway, id: string): Promise<boolean> {
  return (await gatewayKernel(gateway, id)) !== undefined;
}

/**
 * Resolves once the request to start a kernel of `name`, its body included,
 * has gone through the relay to the gateway (which then launches it): the
 * relay writes what it records to the gateway at once.
 */
function kernelStartSent(relay: IRelay, name: string): Promise<void> {
  return waitFor(
    () =>
      relay
        .requests()
        .some(
          request =>
            request.method === 'POST' && /^\/api\/kernels\b/.test(request.path)
        ) && relay.text().includes(`"name":${JSON.stringify(name)}`),
    10000,
    `the request to start ${name} to reach the gateway`
  );
}

describe('who the kernel runs as', () => {
  it("starts kernels as this Jupyter server's user when KERNEL_USERNAME is not set", async () => {
    // Asked once per page, as the extension does (a server without a login
    // cookie names an anonymous user anew at each request).
    const asked = localUserName(labSettings());
    const backend = await open({ userName: () => asked });
    const user = await asked;
    expect(user).not.toBe('');
    const session = await backend.sessions.startNew(notebook('user.ipynb'));
    const printed = await execute(
      session.kernel!,
      "import os; print(os.environ['KERNEL_USERNAME'], os.environ['KERNEL_GATEWAY'])"
    );
    expect(printed.trim()).toBe(`${user} 1`);
  });

  it('says which setting to change when the gateway refuses the user', async () => {
    // Without a user name, Enterprise Gateway starts kernels as itself:
    // root, whom it refuses.
    const anonymous = await open({ withIdentity: false });
    await expect(
      anonymous.sessions.startNew(notebook('root.ipynb'))
    ).rejects.toThrow(
      /refused to start a kernel for this user \(KERNEL_USERNAME\)\. Set "KERNEL_USERNAME".*authorized_users/
    );
    const dave = await open({
      gateway: restricted,
      settings: { kernelUsername: 'dave' }
    });
    const error = await dave.sessions
      .startNew(notebook('dave.ipynb'))
      .then(() => null)
      .catch((reason: Error) => reason);
    expect(error?.message).toBe(
      `The gateway at ${restricted.url} refused to start a kernel for the user "dave" (KERNEL_USERNAME). ` +
        'Set "KERNEL_USERNAME" in Settings → Kernel Gateway to a user it allows, or ask its administrator to add "dave" to its authorized_users.'
    );
  });

  it('offers only the kernelspecs the user may start', async () => {
    const alice = await open({
      gateway: restricted,
      settings: { kernelUsername: 'alice' }
    });
    const bob = await open({
      gateway: restricted,
      settings: { kernelUsername: 'bob' }
    });
    await Promise.all([
      alice.kernelspecs.refreshSpecs(),
      bob.kernelspecs.refreshSpecs()
    ]);
    expect(Object.keys(alice.kernelspecs.specs!.kernelspecs).sort()).toEqual([
      'only-alice',
      'python3'
    ]);
    expect(Object.keys(bob.kernelspecs.specs!.kernelspecs)).toEqual([
      'python3'
    ]);
  });
});

describe('long launches', () => {
  it("chooses the kernel's id itself (KERNEL_ID)", async () => {
    const backend = await open();
    const session = await backend.sessions.startNew(notebook('id.ipynb'));
    const printed = await execute(
      session.kernel!,
      "import os; print(os.environ['KERNEL_ID'])"
    );
    expect(printed.trim()).toBe(session.kernel!.id);
  });

  it('finds by its id a kernel whose start request got no answer', async () => {
    const relay: IRelay = await startRelay({ targetPort: gateways[0].port });
    try {
      const backend = await open({
        url: `http://localhost:${relay.port}/`,
        settings: { kernelEnv: { KERNEL_START_DELAY: '3' } }
      });
      // The network drops while the gateway launches the kernel, and comes
      // back before the launch timeout.
      const starting = backend.kernels.startNew({ name: 'remote-python' });
      await kernelStartSent(relay, 'remote-python');
      relay.cut();
      await new Promise(resolve => setTimeout(resolve, 1500));
      relay.restore();
      const kernel = await starting;
      expect(await exists(eg, kernel.id)).toBe(true);
      expect(await execute(kernel, 'print(6 * 7)')).toBe('42\n');
    } finally {
      await relay.close();
    }
  }, 60000);

  it('shuts down a kernel that comes up after the start was given up: never an orphan', async () => {
    const relay: IRelay = await startRelay({ targetPort: gateways[0].port });
    try {
      const backend = await open({
        url: `http://localhost:${relay.port}/`,
        settings: {
          kernelLaunchTimeout: 3,
          requestTimeout: 5,
          kernelEnv: { KERNEL_START_DELAY: '1' }
        }
      });
      const ids: string[] = [];
      backend.kernelLaunch.connect((_, event) => ids.push(event.kernelId));
      const starting = backend.kernels.startNew({ name: 'remote-python' });
      await kernelStartSent(relay, 'remote-python');
      // The network is away until after the start is given up (launch
      // timeout + 10 s).
      relay.cut();
      await expect(starting).rejects.toThrow(/Cannot reach/);
      const [kernelId] = ids;
      relay.restore();
      // The kernel came up on the gateway meanwhile…
      expect(await exists(eg, kernelId)).toBe(true);
      // …and is shut down as soon as the gateway can be asked again.
      await waitFor(
        async () => !(await exists(eg, kernelId)),
        10000,
        'the late kernel shut down'
      );
    } finally {
      await relay.close();
    }
  }, 60000);

  it('names the launch timeout when the gateway gives up on a slow kernel', async () => {
    const backend = await open({
      settings: {
        // Progress is shown from 2 s on: the gateway gives up well after.
        kernelLaunchTimeout: 4,
        kernelEnv: { KERNEL_START_DELAY: '10' }
      }
    });
    const phases: string[] = [];
    backend.kernelLaunch.connect((_, event) => phases.push(event.phase));
    const started = Date.now();
    await expect(
      backend.kernels.startNew({ name: 'remote-python' })
    ).rejects.toThrow(
      /did not start within the launch timeout \(4 s\).*nothing is left running there.*raise "Kernel launch timeout"/
    );
    expect(Date.now() - started).toBeLessThan(10000);
    // Progress was shown while it waited, and closed.
    expect(phases[0]).toBe('waiting');
    expect(phases[phases.length - 1]).toBe('timeout');
  }, 30000);
});

describe('launch options', () => {
  const settings: IRawGatewaySettings = {
    launchOptions: [
      {
        name: 'KERNEL_CPUS',
        title: 'CPUs',
        type: 'integer',
        default: 1,
        minimum: 1,
        maximum: 4
      },
      {
        name: 'KERNEL_IMAGE',
        title: 'Image',
        type: 'string',
        default: 'python:3.11',
        choices: ['python:3.11', 'python:3.12']
      }
    ]
  };

  it('sends the values chosen, and remembers them for the kernel', async () => {
    const asked: string[] = [];
    const backend = await open({
      settings,
      launchOptions: async request => {
        asked.push(request.options.map(option => option.name).join(','));
        return { KERNEL_CPUS: '3', KERNEL_IMAGE: 'python:3.12' };
      }
    });
    const session = await backend.sessions.startNew(notebook('big.ipynb'));
    expect(asked).toEqual(['KERNEL_CPUS,KERNEL_IMAGE']);
    const printed = await execute(
      session.kernel!,
      "import os; print(os.environ['KERNEL_CPUS'], os.environ['KERNEL_IMAGE'])"
    );
    expect(printed.trim()).toBe('3 python:3.12');
    expect(backend.kernelClient.launchValues(session.kernel!.id)).toEqual({
      KERNEL_CPUS: '3',
      KERNEL_IMAGE: 'python:3.12'
    });
  });

  it('refuses a value that is not allowed before any request, and sends the defaults when nobody asks', async () => {
    const refused = await open({
      settings,
      launchOptions: async () => ({ KERNEL_CPUS: '9' })
    });
    await expect(
      refused.sessions.startNew(notebook('huge.ipynb'))
    ).rejects.toThrow('CPUs (KERNEL_CPUS) must be at most 4.');
    const quiet = await open({ settings });
    const session = await quiet.sessions.startNew(notebook('default.ipynb'));
    const printed = await execute(
      session.kernel!,
      "import os; print(os.environ['KERNEL_CPUS'], os.environ['KERNEL_IMAGE'])"
    );
    expect(printed.trim()).toBe('1 python:3.11');
  });
});

describe('kernel actions on Enterprise Gateway', () => {
  it('interrupts and restarts', async () => {
    const backend = await open();
    const session = await backend.sessions.startNew(notebook('actions.ipynb'));
    const kernel = session.kernel!;
    await execute(kernel, 'x = 1');
    const future = kernel.requestExecute({
      code: "print('sleeping', flush=True)\nimport time\ntime.sleep(60)"
    });
    // Interrupted once the cell runs (its first output), not before.
    await new Promise<void>(resolve => {
      future.onIOPub = msg => {
        if (msg.header.msg_type === 'stream') {
          resolve();
        }
      };
    });
    await kernel.interrupt();
    const reply = await future.done;
    expect(reply.content.status).toBe('error');
    await kernel.restart();
    expect((await execute(kernel, "print('x' in dir())")).trim()).toBe('False');
  });
});

describe('the heartbeat on Enterprise Gateway', () => {
  // Enterprise Gateway runs on Jupyter Server 1, which takes the kernel's
  // state from every status message, a probe's included, and "nudges" a
  // kernel it believes idle when a websocket reconnects: the nudge swallows
  // the first IOPub message that comes, a line of output of a cell that is
  // in fact running. So while a cell's output flows, the heartbeat sends no
  // probe: what arrives shows the path works.
  it("leaves the gateway's view of a printing cell busy", async () => {
    const backend = await open({ heartbeat: true });
    const session = await backend.sessions.startNew(notebook('chatty.ipynb'));
    const kernel = session.kernel!;
    const state = async () =>
      (await gatewayKernel(eg, kernel.id))?.execution_state;
    // The gateway learns the kernel's state from the status messages it
    // sees once its watch of the kernel's output has joined, which can be
    // after the first ones (under load, after the first cells): run an
    // empty cell until the gateway has seen one.
    await waitFor(
      async () => {
        await execute(kernel, 'pass');
        return (await state()) === 'idle';
      },
      20000,
      "the gateway's view of the kernel"
    );
    let probes = 0;
    kernel.anyMessage.connect((_, args) => {
      if (args.direction === 'send' && args.msg.channel === 'control') {
        probes++;
      }
    });
    let lines = 0;
    const future = kernel.requestExecute({
      code: 'import time\nfor i in range(16):\n    print(i, flush=True)\n    time.sleep(0.5)'
    });
    future.onIOPub = msg => {
      if (msg.header.msg_type === 'stream') {
        lines++;
      }
    };
    // Over three probe intervals of output.
    await waitFor(() => lines >= 14, 20000, 'fourteen lines');
    expect(await state()).toBe('busy');
    expect(probes).toBe(0);
    await future.done;
    // A quiet cell is probed, and the path is known to be alive.
    await execute(kernel, 'import time; time.sleep(5)');
    expect(probes).toBeGreaterThan(0);
    expect(backend.requester.health.state).toBe('connected');
  }, 60000);
});
