/**
 * A gateway behind real infrastructure: Debian's nginx (started by the test,
 * with a configuration of its own) in front of a Kernel Gateway run under a
 * path prefix (`--KernelGatewayApp.base_url=/gateway/`), over TLS with test
 * certificates, with a 5 s `proxy_read_timeout` so that idle closes happen
 * within a test. Chromium resolves the test host names to 127.0.0.1 and
 * trusts the good certificate by its key (never `ignoreHTTPSErrors`, which
 * would hide the certificate errors of the others). Also: a JupyterLab page
 * served over https with a gateway on plain http (mixed content).
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Page, WebSocket } from '@playwright/test';

import { ON_GATEWAY, settingsFor } from './faultkit';
import { expect, expectKernelIdle, pageKernelIds, test } from './fixtures';

import { CHROMIUM_LAUNCH } from '../../tests/harness/chromium';
import { chromiumArgs, makeCertificates } from '../../tests/harness/certs';
import { startGateway } from '../../tests/harness/gateway';
import { startNginx } from '../../tests/harness/nginx';
import { ports, tokens, startTestLab } from './servers';

interface IServer {
  stop(): Promise<void>;
}

interface INginx extends IServer {
  logs(): { access: string; error: string };
}

const HOST = 'gateway.test';
const APP_HOST = 'app.test';
const LAB_ORIGIN = `http://127.0.0.1:${ports.lab}`;
const TOKEN = tokens.gateway;
const NAME = 'tls-gw';
const SPEC = `Python 3 (ipykernel) [${NAME}]`;

// Made when the tests load (each worker its own): the browser is launched
// trusting the good certificate's key.
const certs = makeCertificates({ host: HOST, altNames: [APP_HOST] });
const url = (port: number) => `https://${HOST}:${port}/gateway/`;

test.use({
  launchOptions: {
    ...CHROMIUM_LAUNCH,
    args: [
      ...CHROMIUM_LAUNCH.args,
      ...chromiumArgs({ hosts: [HOST, APP_HOST], spki: [certs.good.spki] })
    ]
  }
});

const servers: IServer[] = [];
let proxy: INginx;
let pingingProxy: INginx;

test.beforeAll(async () => {
  const gatewayOptions = {
    token: TOKEN,
    origin: LAB_ORIGIN,
    listKernels: true,
    extraArgs: ['--KernelGatewayApp.base_url=/gateway/']
  };
  const [gateway, pinging] = await Promise.all([
    startGateway({ ...gatewayOptions, port: ports.proxiedGateway }),
    // Pings its websockets every 2 s (below the proxy's 5 s idle timeout).
    startGateway({
      ...gatewayOptions,
      port: ports.pingingGateway,
      extraArgs: [
        ...gatewayOptions.extraArgs,
        '--KernelGatewayApp.ws_ping_interval=2'
      ]
    })
  ]);
  servers.push(gateway, pinging);
  const tls = (
    name: string,
    port: number,
    cert: { cert: string; key: string }
  ) => ({
    name,
    port,
    cert: cert.cert,
    key: cert.key
  });
  proxy = await startNginx({
    targetPort: ports.proxiedGateway,
    host: HOST,
    proxyReadTimeout: '5s',
    servers: [
      tls('good', ports.nginxGood, certs.good),
      tls('expired', ports.nginxExpired, certs.expired),
      tls('wrongHost', ports.nginxWrongHost, certs.wrongHost),
      tls('selfSigned', ports.nginxSelfSigned, certs.selfSigned)
    ]
  });
  pingingProxy = await startNginx({
    targetPort: ports.pingingGateway,
    host: HOST,
    proxyReadTimeout: '5s',
    servers: [tls('good', ports.nginxPinging, certs.good)]
  });
  servers.push(proxy, pingingProxy);
});

test.afterAll(async () => {
  await Promise.all(servers.splice(0).map(server => server.stop()));
});

/**
 * Shut down, on the gateway, every kernel the page knows.
 */
async function shutDownPageKernels(page: IJupyterLabPageFixture, port: number) {
  for (const id of await pageKernelIds(page).catch(() => [])) {
    await fetch(
      `http://127.0.0.1:${port}/gateway/api/kernels/${id}?token=${TOKEN}`,
      { method: 'DELETE' }
    ).catch(() => undefined);
  }
}

/**
 * Record what the kernel status in the status bar says, and every
 * notification shown, from now on.
 */
async function watchStatus(
  page: IJupyterLabPageFixture
): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { kgSeen: string[] }).kgSeen = seen;
    const record = () => {
      const item = document.querySelector(
        '.jp-StatusBar-TextItem[title^="Change kernel for"]'
      );
      const text = item?.textContent ?? '';
      if (seen[seen.length - 1] !== text) {
        seen.push(text);
      }
      document.querySelectorAll('.Toastify__toast').forEach(toast => {
        const line = `toast: ${toast.textContent}`;
        if (!seen.includes(line)) {
          seen.push(line);
        }
      });
    };
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true
    });
    record();
  });
  return () =>
    page.evaluate(() => (window as unknown as { kgSeen: string[] }).kgSeen);
}

test.describe('behind nginx, under https and a path prefix', () => {
  test.use({
    mockSettings: settingsFor(url(ports.nginxGood), TOKEN, NAME, {
      keepAliveInterval: 2
    })
  });
  test.afterEach(async ({ page }) =>
    shutDownPageKernels(page, ports.proxiedGateway)
  );

  test('kernelspecs, logos, kernels and wss:// websockets work through the proxy', async ({
    page
  }) => {
    const sockets: WebSocket[] = [];
    page.on('websocket', socket => sockets.push(socket));
    const card = page.locator(
      `.jp-LauncherCard[data-category="Notebook"][title="${SPEC}"]`
    );
    await expect(card).toBeVisible();
    const logo = card.locator('img');
    // Under the gateway's path, with the token.
    await expect(logo).toHaveAttribute(
      'src',
      new RegExp(
        `^${url(ports.nginxGood)}kernelspecs/python3/logo-[\\w.-]+\\?token=${TOKEN}$`
      )
    );
    await expect
      .poll(() => logo.evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
    await page.notebook.createNew('tls.ipynb', { kernel: 'python3' });
    await page.notebook.setCell(0, 'code', ON_GATEWAY);
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual(['1\n']);
    const kernelSockets = sockets
      .map(socket => socket.url())
      .filter(socketUrl => socketUrl.includes('/channels'));
    expect(kernelSockets.length).toBeGreaterThan(0);
    for (const socketUrl of kernelSockets) {
      expect(socketUrl).toMatch(
        new RegExp(`^wss://${HOST}:${ports.nginxGood}/gateway/api/kernels/`)
      );
    }
    expect(proxy.logs().access).toContain('GET /gateway/api/kernels/');
  });

  test('an idle kernel stays connected through a proxy that closes idle connections; a cell printing every 8 s shows every line, quietly', async ({
    page
  }) => {
    await page.notebook.createNew('quiet.ipynb', { kernel: 'python3' });
    await expectKernelIdle(page);
    const [kernelId] = await pageKernelIds(page);
    expect(kernelId).toBeTruthy();
    const seen = await watchStatus(page);
    // Idle for longer than the proxy's 5 s timeout, twice: the time is the
    // point (the page's probes must keep the websocket open meanwhile).
    await page.waitForTimeout(12000);
    await page.notebook.setCell(
      0,
      'code',
      "import time\nfor i in range(3): print('line', i, flush=True); time.sleep(8)\nprint('done')"
    );
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual([
      'line 0\nline 1\nline 2\ndone\n'
    ]);
    // No notification, no "Connecting": the websocket was never cut.
    const states = await seen();
    expect(states.filter(state => state.startsWith('toast:'))).toEqual([]);
    expect(
      states.filter(state => /Connecting|Reconnecting|Unknown/.test(state))
    ).toEqual([]);
    const channels = proxy
      .logs()
      .access.split('\n')
      .filter(
        line =>
          line.includes(`/api/kernels/${kernelId}/channels`) &&
          / 101 /.test(line)
      );
    // nginx logs a websocket when it ends: none of this kernel's ended
    // (earlier tests' websockets may be logged as their pages close).
    expect(channels).toEqual([]);
  });
});

/**
 * Run "Test Kernel Gateway Connection", as from the command palette.
 */
async function testConnection(page: Page): Promise<void> {
  // Not awaited in the page: the command ends when its dialog closes.
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute(
      'jupyterlab-kernel-gateway:test-connection'
    );
  });
}

for (const [kind, port, words] of [
  ['an expired', ports.nginxExpired, 'expired'],
  ['a wrong-host', ports.nginxWrongHost, 'another host name'],
  ['a self-signed', ports.nginxSelfSigned, 'self-signed']
] as const) {
  test.describe(`behind nginx with ${kind} certificate`, () => {
    test.use({ mockSettings: settingsFor(url(port), TOKEN, NAME) });

    test(`${kind} certificate: the connection test says the browser does not trust it, and what to check`, async ({
      page
    }) => {
      await testConnection(page);
      const reach = page
        .locator('.jp-KernelGateway-step')
        .filter({ hasText: 'Reachability' });
      await expect(reach).toContainText(
        "the browser does not trust the gateway's certificate",
        { timeout: 30000 }
      );
      await expect(reach).toContainText(words);
      await expect(reach).toContainText(`Open ${url(port)}api in a new tab`);
    });
  });
}

test.describe('behind nginx: the gateway pings its websockets', () => {
  test.use({
    mockSettings: settingsFor(url(ports.nginxPinging), TOKEN, NAME, {
      keepAliveInterval: 0
    })
  });
  test.afterEach(async ({ page }) =>
    shutDownPageKernels(page, ports.pingingGateway)
  );

  test('with --KernelGatewayApp.ws_ping_interval below the proxy timeout, an idle websocket stays open without the page probing', async ({
    page
  }) => {
    await page.notebook.createNew('ping.ipynb', { kernel: 'python3' });
    await expectKernelIdle(page);
    const seen = await watchStatus(page);
    // Idle for longer than the proxy's 5 s timeout, twice: the time is the
    // point (the gateway's pings must keep the websocket open meanwhile).
    await page.waitForTimeout(12000);
    await page.notebook.setCell(0, 'code', ON_GATEWAY);
    await page.notebook.runCell(0);
    expect(await page.notebook.getCellTextOutput(0)).toEqual(['1\n']);
    expect(
      (await seen()).filter(state =>
        /Connecting|Reconnecting|Unknown|toast:/.test(state)
      )
    ).toEqual([]);
    expect(
      pingingProxy
        .logs()
        .access.split('\n')
        .filter(line => line.includes('/channels') && / 101 /.test(line))
    ).toEqual([]);
  });
});

test.describe('an https page and an http gateway (mixed content)', () => {
  test('the status bar, a notification and the connection test say to use https', async ({
    browser
  }) => {
    const lab = await startTestLab({
      port: ports.httpsLab,
      root: 'https-lab-root',
      gatewayUrl: `http://${HOST}:${ports.proxiedGateway}/gateway/`,
      gatewayToken: TOKEN,
      gatewayName: NAME,
      tls: { cert: certs.good.cert, key: certs.good.key, host: APP_HOST }
    });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${lab.url}/lab`);
      await expect(page.locator('.jp-KernelGateway-status')).toContainText(
        'blocked: http gateway on an https page',
        { timeout: 60000 }
      );
      await expect(
        page.locator('.Toastify__toast', {
          hasText: 'Use https for the Kernel Gateway'
        })
      ).toBeVisible();
      await testConnection(page);
      const settings = page
        .locator('.jp-KernelGateway-step')
        .filter({ hasText: 'Settings' });
      await expect(settings).toContainText('mixed content');
      await expect(settings).toContainText('Use https for the gateway');
    } finally {
      await context.close();
      await lab.stop();
    }
  });
});
