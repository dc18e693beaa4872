#!/usr/bin/env node
/**
 * Benchmark: the direct route (this extension, browser → gateway) against
 * Jupyter Server's own gateway proxy (`--GatewayClient.url`), a local
 * kernel, and the limit (a Node websocket client straight to the gateway,
 * binary v1 protocol). Real servers on 127.0.0.1, real Chromium (Debian's),
 * routes interleaved so that machine drift affects all of them alike.
 *
 *   node benchmark/run.js [--quick]
 *
 * Prints one table and writes docs/benchmark.md.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

// Playwright comes with the UI tests' packages.
const { chromium } = require('../ui-tests/node_modules/playwright-core');
const { CHROMIUM_LAUNCH } = require('../tests/harness/chromium');
const { BrowserWsClient } = require('./browserws');
const { LimitClient } = require('./limit');
const { deserialize } = require('./v1');
const { appReady, notebookKernelIdle, metrics } = require('./page');
const { quantile, median, fmt } = require('./stats');
const { messageCost, describe: describeMessages } = require('./messages');
const {
  startServers,
  cpuSeconds,
  machine,
  MESSAGE_COUNT,
  QUICK,
  SEVERAL_NAMES,
  VENV_BIN
} = require('./servers');

const N = {
  warmup: QUICK ? 5 : 20,
  rtt: QUICK ? 40 : 300,
  batch: QUICK ? 20 : 25,
  throughputRuns: QUICK ? 2 : 15,
  // Long enough for a run to outlast the machine's hiccups: single rounds'
  // ratios to the ceiling spread less with longer runs.
  throughputMB: QUICK ? 10 : 100,
  starts: QUICK ? 2 : 5,
  loads: QUICK ? 2 : 20,
  idleSeconds: QUICK ? 40 : 60,
  scaleKernels: QUICK ? 10 : 50,
  contexts: 10,
  contextRtt: QUICK ? 20 : 60
};

/**
 * @typedef {import('playwright-core').Browser} Browser
 * @typedef {import('playwright-core').Page} Page
 * @typedef {import('./servers').Lab} Lab
 * @typedef {Awaited<ReturnType<typeof startServers>>} Servers
 */

/**
 * The routes measured in a JupyterLab page, and those measured without
 * JupyterLab (a bare WebSocket in Chromium, a Node client).
 *
 * @typedef {'direct' | 'direct-nodelay' | 'proxy' | 'proxy-nodelay' |
 *   'local'} BrowserRoute
 * @typedef {'browser-ws' | 'browser-ws-nodelay' | 'limit' |
 *   'limit-nodelay'} LimitRoute
 * @typedef {BrowserRoute | LimitRoute} Route
 */

/**
 * What a route measured.
 *
 * @typedef {object} RouteResults
 * @property {number[]} rttReply milliseconds to each `execute_reply`.
 * @property {number[]} rttIdle milliseconds to each status `idle`.
 * @property {number[]} throughput MB/s of each output run.
 * @property {number[]} mainMsPerMB (routes received in a Chromium page)
 *   the page's main-thread milliseconds per MB of each output run.
 * @property {number[]} bareThroughput (direct routes) MB/s of each output
 *   run through JupyterLab's kernel connection alone, in the same page.
 * @property {number[]} bareMainMsPerMB (direct routes) the page's
 *   main-thread milliseconds per MB of those runs.
 * @property {boolean} [throughputComplete] whether the last run's output
 *   arrived whole.
 * @property {boolean | null} large whether the >10 MiB message arrived.
 * @property {number[]} start milliseconds of each kernel start.
 * @property {{count: number}} stalls kernel starts that never answered.
 * @property {number} cpu notebook-server CPU seconds.
 */

/** @typedef {import('./page').BenchWindow} BenchWindow */

/** @type {BrowserRoute[]} */
const BROWSER_ROUTES = [
  'direct',
  'direct-nodelay',
  'proxy',
  'proxy-nodelay',
  'local'
];
/** @type {LimitRoute[]} */
const LIMIT_ROUTES = [
  'browser-ws',
  'browser-ws-nodelay',
  'limit',
  'limit-nodelay'
];
/** @type {Route[]} */
const ALL_ROUTES = [...BROWSER_ROUTES, ...LIMIT_ROUTES];
/** The routes of this extension. @type {BrowserRoute[]} */
const DIRECT_ROUTES = ['direct', 'direct-nodelay'];

/**
 * Whether `route` is one of this extension's.
 *
 * @param {Route} route
 * @returns {route is BrowserRoute}
 */
function isDirectRoute(route) {
  return /** @type {Route[]} */ (DIRECT_ROUTES).includes(route);
}

/**
 * Whether `route` is measured in a JupyterLab page.
 *
 * @param {Route} route
 * @returns {route is BrowserRoute}
 */
function isBrowserRoute(route) {
  return /** @type {Route[]} */ (BROWSER_ROUTES).includes(route);
}

/** @type {Record<Route, string>} */
const LABELS = {
  direct: 'direct (this extension)',
  'direct-nodelay': 'direct, gateway with TCP_NODELAY',
  proxy: 'Jupyter Server proxy',
  'proxy-nodelay': 'proxy, both with TCP_NODELAY',
  local: 'local kernel',
  limit: 'limit: Node ws, v1',
  'browser-ws': 'browser ceiling: bare WebSocket in Chromium, v1',
  'browser-ws-nodelay': 'browser ceiling, gateway with TCP_NODELAY',
  'limit-nodelay': 'limit, gateway with TCP_NODELAY'
};

// ---------------------------------------------------------------- page code

/**
 * In the page: start a session's kernel, as opening a notebook does, and
 * wait for its `kernel_info` reply. Resolves with the milliseconds taken, or
 * `null` if the kernel did not answer within `timeoutMs` (that attempt's
 * session is shut down).
 *
 * @param {Page} page
 * @param {number} timeoutMs
 * @returns {Promise<number | null>}
 */
function pageStartKernelOnce(page, timeoutMs) {
  return page.evaluate(async timeoutMs => {
    const bench = /** @type {BenchWindow} */ (window);
    const app = bench.jupyterapp;
    const started = performance.now();
    const session = await app.serviceManager.sessions.startNew({
      path: `bench-${Math.random().toString(36).slice(2)}.ipynb`,
      type: 'notebook',
      name: 'bench.ipynb',
      kernel: { name: 'python3' }
    });
    const kernel = session.kernel;
    if (!kernel) {
      throw new Error('the new session has no kernel');
    }
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const answered = await Promise.race([
      kernel.info.then(() => true),
      /** @type {Promise<boolean>} */ (
        new Promise(resolve => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        })
      )
    ]);
    clearTimeout(timer);
    if (!answered) {
      await session.shutdown().catch(() => undefined);
      return null;
    }
    bench.__bench = { session };
    return performance.now() - started;
  }, timeoutMs);
}

/**
 * Start a kernel from the page, trying again when one never answers;
 * `stalls` counts the attempts that did not.
 *
 * @param {Page} page
 * @param {{count: number}} [stalls]
 * @returns {Promise<number>} the milliseconds the start took.
 */
async function pageStartKernel(page, stalls = { count: 0 }) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const ms = await pageStartKernelOnce(page, 60000);
    if (ms !== null) {
      return ms;
    }
    stalls.count++;
  }
  throw new Error('No kernel answered after 3 attempts');
}

/**
 * In the page: start a second kernel on the gateway of the page's session
 * and connect to it with JupyterLab's own kernel connection class, taken
 * from the session's connection, with the same server settings, but not
 * through the kernel manager: none of this extension's listeners (the
 * heartbeat, the shutdown watch) are attached to it. What it measures is
 * JupyterLab's cost per message, in the same page as the direct route.
 *
 * @param {Page} page
 */
function pageStartBare(page) {
  return page.evaluate(async () => {
    const bench = /** @type {BenchWindow} */ (window).__bench;
    const kernel = bench?.session.kernel;
    if (!bench || !kernel) {
      throw new Error('no kernel started in the page');
    }
    const settings = kernel.serverSettings;
    const response = await settings.fetch(`${settings.baseUrl}api/kernels`, {
      method: 'POST',
      body: '{}'
    });
    const model = await response.json();
    const Connection =
      /** @type {new (options: import('@jupyterlab/services').Kernel.IKernelConnection.IOptions) => import('@jupyterlab/services').Kernel.IKernelConnection} */ (
        kernel.constructor
      );
    const bare = new Connection({ model, serverSettings: settings });
    await bare.info;
    bench.bare = bare;
  });
}

/**
 * Shut down the kernel `pageStartBare` started.
 *
 * @param {Page} page
 */
function pageShutdownBare(page) {
  return page.evaluate(async () => {
    const bench = /** @type {BenchWindow} */ (window).__bench;
    await bench?.bare?.shutdown();
    bench?.bare?.dispose();
  });
}

/**
 * Shut down the kernel `pageStartKernel` started.
 *
 * @param {Page} page
 */
function pageShutdown(page) {
  return page.evaluate(async () => {
    await /** @type {BenchWindow} */ (window).__bench?.session.shutdown();
  });
}

/**
 * In the page: `n` execute round trips of `1+1`; [reply ms, idle ms].
 *
 * @param {Page} page
 * @param {number} n
 * @returns {Promise<[number, number][]>}
 */
function pageRtt(page, n) {
  return page.evaluate(async n => {
    const kernel = /** @type {BenchWindow} */ (window).__bench?.session.kernel;
    if (!kernel) {
      throw new Error('no kernel started in the page');
    }
    /** @type {[number, number][]} */
    const out = [];
    for (let i = 0; i < n; i++) {
      const sent = performance.now();
      let reply = 0;
      const future = kernel.requestExecute({
        code: '1+1',
        silent: false,
        store_history: false
      });
      future.onReply = () => {
        reply = performance.now() - sent;
      };
      await future.done;
      out.push([reply, performance.now() - sent]);
    }
    return out;
  }, n);
}

/**
 * In the page: run `code`, count the stream bytes that arrive. Gives up
 * after `timeoutMs`: a route that drops a message may never say it is done.
 *
 * @param {Page} page
 * @param {string} code
 * @param {number} [timeoutMs]
 * @returns {Promise<{ms: number, bytes: number, done: boolean}>}
 */
function pageOutput(page, code, timeoutMs = 120000, bare = false) {
  return page.evaluate(
    async ({ code, timeoutMs, bare }) => {
      const bench = /** @type {BenchWindow} */ (window).__bench;
      const kernel = bare ? bench?.bare : bench?.session.kernel;
      if (!kernel) {
        throw new Error('no kernel started in the page');
      }
      const sent = performance.now();
      let bytes = 0;
      const future = kernel.requestExecute({
        code,
        silent: false,
        store_history: false
      });
      future.onIOPub = msg => {
        if (msg.header.msg_type === 'stream') {
          bytes +=
            /** @type {import('@jupyterlab/services').KernelMessage.IStreamMsg} */ (
              msg
            ).content.text.length;
        }
      };
      /** @type {ReturnType<typeof setTimeout> | undefined} */
      let timer;
      const done = await Promise.race([
        future.done.then(() => true),
        /** @type {Promise<boolean>} */ (
          new Promise(resolve => {
            timer = setTimeout(() => resolve(false), timeoutMs);
          })
        )
      ]);
      clearTimeout(timer);
      return { ms: performance.now() - sent, bytes, done };
    },
    { code, timeoutMs, bare }
  );
}

/** @param {number} mb */
const FLUSHED = mb =>
  `import sys\nchunk = 'x' * (1024 * 1024 - 1) + '\\n'\nfor i in range(${mb}):\n    sys.stdout.write(chunk)\n    sys.stdout.flush()`;
const LARGE_BYTES = 11 * 1024 * 1024;

// In some page loads, with or without the extension, JupyterLab is restored
// and then waits about 1 s, idle (no request, no long task), before it asks
// for the notebook named in the URL. A load counts as one of those when the
// notebook is asked for more than this long after "restored".
const LOAD_STEP_MS = 600;
const LARGE = `import sys\nsys.stdout.write('x' * ${LARGE_BYTES})`;

// ------------------------------------------------------------------ phases

async function main() {
  const started = new Date();
  // The machine's load: before the benchmark starts anything (what others
  // run), and every 10 s while it measures (its own load included).
  const loadBefore = os.loadavg()[0];
  /** @type {number[]} */
  const loadSamples = [];
  const loadTimer = setInterval(() => loadSamples.push(os.loadavg()[0]), 10000);
  loadTimer.unref();
  console.log(`Benchmark ${QUICK ? '(quick) ' : ''}on ${machine()}`);
  console.log('Starting servers…');
  const servers = await startServers();
  // Ctrl-C or a timeout: stop every server before leaving.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`${signal}: stopping the servers…`);
      void servers.stop().finally(() => process.exit(130));
    });
  }
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  // Filled at once for every route.
  const results = /** @type {Record<Route, RouteResults>} */ ({});
  for (const route of ALL_ROUTES) {
    results[route] = {
      rttReply: [],
      rttIdle: [],
      throughput: [],
      mainMsPerMB: [],
      bareThroughput: [],
      bareMainMsPerMB: [],
      large: null,
      start: [],
      stalls: { count: 0 },
      cpu: 0
    };
  }
  // Filled below for every browser route, and every limit route.
  const pages = /** @type {Record<BrowserRoute, Page>} */ ({});
  const limits =
    /** @type {Record<LimitRoute, BrowserWsClient | LimitClient>} */ ({});
  try {
    // One tab per browser route, each with its own kernel.
    for (const route of BROWSER_ROUTES) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${servers.labs[route].url}/lab`);
      await appReady(page);
      pages[route] = page;
    }
    // The bare browser WebSocket runs in a page of the origin of the
    // direct route on the same gateway (the gateway allows it), without
    // JupyterLab: one page per gateway.
    /** @param {Lab} lab */
    const rawPage = async lab => {
      const page = await (
        await browser.newContext({ bypassCSP: true })
      ).newPage();
      await page.goto(`${lab.url}/api`);
      return page;
    };
    const rawPages = {
      'browser-ws': await rawPage(servers.labs.direct),
      'browser-ws-nodelay': await rawPage(servers.labs['direct-nodelay'])
    };
    /** @param {LimitRoute} route */
    const makeClient = route => {
      switch (route) {
        case 'browser-ws':
        case 'browser-ws-nodelay':
          return new BrowserWsClient(
            rawPages[route],
            route === 'browser-ws'
              ? servers.gateway.url
              : servers.nodelayGateway.url,
            servers.token
          );
        case 'limit':
          return new LimitClient(servers.gateway.url, servers.token);
        case 'limit-nodelay':
          return new LimitClient(servers.nodelayGateway.url, servers.token);
      }
    };
    for (const route of LIMIT_ROUTES) {
      limits[route] = makeClient(route);
    }

    // Kernel start (user's action to idle), interleaved.
    console.log('Kernel start…');
    for (let i = 0; i < N.starts; i++) {
      for (const route of BROWSER_ROUTES) {
        results[route].start.push(
          await pageStartKernel(pages[route], results[route].stalls)
        );
        if (i < N.starts - 1) {
          await pageShutdown(pages[route]);
        }
      }
      for (const route of LIMIT_ROUTES) {
        if (i > 0) {
          await limits[route].stop();
          limits[route] = makeClient(route);
        }
        results[route].start.push(await limits[route].start());
      }
    }

    /** @param {Route} route */
    const cpuOf = route =>
      servers.labs[route] ? cpuSeconds(servers.labs[route].pid) : 0;
    /**
     * Run a measure; count the notebook server's CPU it took.
     *
     * @template T
     * @param {Route} route
     * @param {() => Promise<T>} run
     * @returns {Promise<T>}
     */
    const measured = async (route, run) => {
      const before = cpuOf(route);
      const value = await run();
      results[route].cpu += cpuOf(route) - before;
      return value;
    };

    // Execute round trips, interleaved in batches.
    console.log('Round trips…');
    for (const route of BROWSER_ROUTES) {
      await pageRtt(pages[route], N.warmup);
    }
    for (const route of LIMIT_ROUTES) {
      for (let i = 0; i < N.warmup; i++) {
        await limits[route].execute('1+1');
      }
    }
    for (let done = 0; done < N.rtt; done += N.batch) {
      for (const route of ALL_ROUTES) {
        const samples = await measured(route, async () => {
          if (isBrowserRoute(route)) {
            return pageRtt(pages[route], N.batch);
          }
          /** @type {[number, number][]} */
          const out = [];
          for (let i = 0; i < N.batch; i++) {
            const { reply, idle } = await limits[route].execute('1+1');
            out.push([reply, idle]);
          }
          return out;
        });
        for (const [reply, idle] of samples) {
          results[route].rttReply.push(reply);
          results[route].rttIdle.push(idle);
        }
      }
    }

    // Output throughput and one large message. Each round starts with the
    // next route, so that no route always follows the same one; each
    // direct route runs between its ceiling (the bare WebSocket on the same
    // gateway) and JupyterLab's kernel connection alone in the same page
    // (see pageStartBare), the two swapping sides every round, so that a
    // round's ratio to the ceiling compares two runs seconds apart.
    console.log('Throughput…');
    for (const route of DIRECT_ROUTES) {
      await pageStartBare(pages[route]);
    }
    // Chromium's counters of every page that receives output.
    /** @type {Partial<Record<Route, import('playwright-core').CDPSession>>} */
    const cdps = {};
    for (const [route, page] of [
      ...Object.entries(pages),
      ...Object.entries(rawPages)
    ]) {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      cdps[/** @type {Route} */ (route)] = cdp;
    }
    /**
     * One output run of `route`, or with `bare` of JupyterLab's kernel
     * connection alone in its page: MB/s, the page's main-thread
     * milliseconds per MB received (NaN where no page receives it), and
     * whether the output arrived whole.
     *
     * @param {Route} route
     * @param {boolean} [bare]
     */
    const outputRun = async (route, bare = false) => {
      const cdp = cdps[route];
      const before = cdp && (await metrics(cdp));
      const { ms, bytes } = await (isBrowserRoute(route)
        ? pageOutput(pages[route], FLUSHED(N.throughputMB), 120000, bare)
        : limits[route]
            .execute(FLUSHED(N.throughputMB))
            .then(r => ({ ms: r.idle, bytes: r.bytes })));
      const after = cdp && (await metrics(cdp));
      const mb = bytes / 2 ** 20;
      return {
        mbps: mb / (ms / 1000),
        mainMsPerMB:
          before && after
            ? ((after.TaskDuration - before.TaskDuration) * 1000) / mb
            : NaN,
        whole: bytes >= N.throughputMB * 2 ** 20
      };
    };
    /** @param {Route} route */
    const measure = async route => {
      const run = await measured(route, () => outputRun(route));
      results[route].throughput.push(run.mbps);
      results[route].mainMsPerMB.push(run.mainMsPerMB);
      results[route].throughputComplete = run.whole;
    };
    /** @param {BrowserRoute} route */
    const measureBare = async route => {
      const run = await outputRun(route, true);
      results[route].bareThroughput.push(run.mbps);
      results[route].bareMainMsPerMB.push(run.mainMsPerMB);
    };
    // A round's units: a direct route with its ceiling and its bare
    // connection, or one other route.
    const units = ALL_ROUTES.filter(
      route => !DIRECT_ROUTES.some(direct => ceilingOf(direct) === route)
    );
    for (let i = 0; i < N.throughputRuns; i++) {
      const first = i % units.length;
      for (const unit of [...units.slice(first), ...units.slice(0, first)]) {
        const ceiling = ceilingOf(unit);
        if (!isDirectRoute(unit) || !ceiling) {
          await measure(unit);
          continue;
        }
        if (i % 2 === 0) {
          await measure(ceiling);
          await measure(unit);
          await measureBare(unit);
        } else {
          await measureBare(unit);
          await measure(unit);
          await measure(ceiling);
        }
      }
    }
    for (const route of DIRECT_ROUTES) {
      await pageShutdownBare(pages[route]);
    }
    for (const route of ALL_ROUTES) {
      const { bytes } = isBrowserRoute(route)
        ? await pageOutput(pages[route], LARGE, 30000)
        : await limits[route].execute(LARGE).then(r => ({ bytes: r.bytes }));
      results[route].large = bytes >= LARGE_BYTES;
    }
    for (const route of BROWSER_ROUTES) {
      await pageShutdown(pages[route]);
    }
    for (const route of LIMIT_ROUTES) {
      await limits[route].stop();
    }

    // Page load to kernel idle, with and without the extension.
    console.log('Page load…');
    const { loads, loadPhases, settingsWaits } = await pageLoads(
      browser,
      servers.labs,
      ['local', 'plain', 'direct', 'several'],
      N.loads
    );
    const bundle = bundleSize();

    // Idle traffic: one idle tab with a notebook open, per route.
    console.log(`Idle traffic (${N.idleSeconds} s)…`);
    const idle = await idleTraffic(browser, servers, [
      'direct',
      'proxy',
      'several'
    ]);

    // The page's cost per kernel message, with and without output keeping.
    console.log('Cost per kernel message…');
    const messages = await messageCost(browser, servers.labs.direct.url);

    // Scale: many kernels from one page; many tabs at once.
    console.log('Scale…');
    const scale = await scaleKernels(browser, servers.labs.direct.url);
    const contexts = await concurrentContexts(browser, servers.labs.direct.url);

    const report = render({
      started,
      finished: new Date(),
      load: { before: loadBefore, during: loadSamples },
      results,
      loads,
      loadPhases,
      settingsWaits,
      bundle,
      idle,
      messages,
      scale,
      contexts
    });
    console.log(`\n${report}`);
    const target = path.join(
      __dirname,
      '..',
      'docs',
      QUICK ? 'benchmark-quick.md' : 'benchmark.md'
    );
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, report);
    console.log(`Wrote ${path.relative(process.cwd(), target)}`);
  } finally {
    await browser.close();
    for (const client of Object.values(limits)) {
      await client.stop().catch(() => undefined);
    }
    await servers.stop();
  }
}

/**
 * Bytes of the extension's JavaScript (source maps aside).
 *
 * @returns {number}
 */
function bundleSize() {
  // The installed (prebuilt) extension, as the benchmark's labs serve it.
  const prefix = path.dirname(fs.realpathSync(VENV_BIN));
  const dir = path.join(
    prefix,
    'share',
    'jupyter',
    'labextensions',
    'jupyterlab-kernel-gateway',
    'static'
  );
  let bytes = 0;
  for (const file of fs.readdirSync(dir)) {
    if (!file.endsWith('.map')) {
      bytes += fs.statSync(path.join(dir, file)).size;
    }
  }
  return bytes;
}

/**
 * What one idle tab sends, per minute: HTTP requests to its JupyterLab's
 * server and to a gateway, and kernel messages on its kernel websocket.
 *
 * @typedef {object} IdleCounts
 * @property {number} local HTTP requests to the local server, all.
 * @property {number} localKernelApi of which to Jupyter's kernel, session
 *   and kernelspec API (`/api/kernels`, `/api/sessions`, `/api/kernelspecs`).
 * @property {number} localStore of which to this extension's session store
 *   (`/kernel-gateway/…`, its server extension).
 * @property {number} gateway HTTP requests to a gateway.
 * @property {number} gatewayHealth of which its health check (`GET api`).
 * @property {number} wsSent kernel messages the tab sent on kernel
 *   websockets (to the gateway on the direct route, to the local server on
 *   the proxy route).
 * @property {number} wsProbes of which `kernel_info_request`s on the
 *   control channel: the direct route's heartbeat and keep-alive probes.
 * @property {number} other requests to anywhere else (none expected).
 * @property {number} reconnects how often the tab's kernel had to be
 *   reconnected before it reported idle (see
 *   `notebookKernelIdleOrReconnect`).
 * @property {Record<string, number>} byPath requests per minute by
 *   "METHOD where path" (ids and queries left out), for the report.
 * @property {Record<string, {all: number, health: number, specs: number}>}
 *   byGateway HTTP requests to each gateway, by its name, and of which
 *   health checks (`GET api`) and kernelspec lists (`GET api/kernelspecs`).
 */

/**
 * Requests per minute from one idle tab (a notebook with an idle kernel),
 * to the local server and to the gateway, and kernel messages on the
 * tab's kernel websocket.
 *
 * Counted by the browser context (every request any frame or worker of the
 * tab makes) and the page's websockets (frames as sent), by port: the page
 * names the gateway `localhost`, the benchmark `127.0.0.1`. The counter
 * checks that it sees what it must see: while the tab loads, the direct
 * route's requests to the gateway and its kernel websocket; otherwise it
 * stops rather than report a silent 0.
 *
 * @param {Browser} browser
 * @param {Servers} servers
 * @param {(BrowserRoute | 'several')[]} routes `several`: the lab with
 *   this server's kernels and three gateways, the notebook's on the first.
 * @returns {Promise<Record<string, IdleCounts>>}
 */
async function idleTraffic(browser, servers, routes) {
  /** @type {Record<string, IdleCounts>} */
  const out = {};
  /** @type {Record<string, string>} the gateways' names by port */
  const gatewayNames = {
    [new URL(servers.gateway.url).port]: 'bench',
    [new URL(servers.nodelayGateway.url).port]: 'bench-nodelay'
  };
  servers.severalGateways.forEach((gateway, i) => {
    gatewayNames[new URL(gateway.url).port] = SEVERAL_NAMES[i];
  });
  const gatewayPorts = Object.keys(gatewayNames);
  await Promise.all(
    routes.map(async route => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const lab = servers.labs[route].url;
      const labPort = new URL(lab).port;
      /** @param {string} url */
      const where = url => {
        const port = new URL(url).port;
        return port === labPort
          ? 'local'
          : gatewayPorts.includes(port)
            ? 'gateway'
            : 'other';
      };
      /** @param {string} url */
      const pathOf = url =>
        new URL(url).pathname.replace(
          /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
          '{id}'
        );
      const counts = {
        local: 0,
        localKernelApi: 0,
        localStore: 0,
        gateway: 0,
        gatewayHealth: 0,
        wsSent: 0,
        wsProbes: 0,
        other: 0
      };
      /** @type {Record<string, number>} */
      const byPath = {};
      /** @type {IdleCounts['byGateway']} */
      const byGateway = {};
      // What the tab did while it loaded: the counter's own check.
      const seen = { gateway: 0, kernelSockets: 0, wsSent: 0 };
      let counting = false;
      context.on('request', request => {
        const url = request.url();
        if (!/^https?:/.test(url)) {
          return;
        }
        const to = where(url);
        if (to === 'gateway') {
          seen.gateway++;
        }
        if (!counting) {
          return;
        }
        const pathname = pathOf(url);
        const key = `${request.method()} ${to} ${pathname}`;
        byPath[key] = (byPath[key] ?? 0) + 1;
        if (to === 'local') {
          counts.local++;
          if (/\/api\/(kernels|sessions|kernelspecs)(\/|$)/.test(pathname)) {
            counts.localKernelApi++;
          } else if (/\/kernel-gateway\//.test(pathname)) {
            counts.localStore++;
          }
        } else if (to === 'gateway') {
          counts.gateway++;
          const name = gatewayNames[new URL(url).port];
          const of = (byGateway[name] ??= { all: 0, health: 0, specs: 0 });
          of.all++;
          if (/\/api\/?$/.test(pathname)) {
            counts.gatewayHealth++;
            of.health++;
          } else if (/\/api\/kernelspecs\/?$/.test(pathname)) {
            of.specs++;
          }
        } else {
          counts.other++;
        }
      });
      page.on('websocket', ws => {
        if (!/\/api\/kernels\/[^/]+\/channels/.test(ws.url())) {
          return;
        }
        seen.kernelSockets++;
        const to = where(ws.url());
        ws.on('framesent', frame => {
          seen.wsSent++;
          if (!counting) {
            return;
          }
          const msg = kernelMessage(frame.payload);
          const key = `ws ${to} ${msg ? `${msg.channel} ${msg.msgType}` : 'unreadable frame'}`;
          byPath[key] = (byPath[key] ?? 0) + 1;
          counts.wsSent++;
          if (
            msg?.channel === 'control' &&
            msg.msgType === 'kernel_info_request'
          ) {
            counts.wsProbes++;
          }
        });
      });
      await page.goto(`${lab}/lab/tree/load.ipynb`);
      const reconnects = await notebookKernelIdleOrReconnect(page);
      // Let the start's own traffic (and the heartbeat's busy probes, for
      // 10 s after the last request) settle.
      await page.waitForTimeout(12000);
      const direct = route !== 'proxy' && route !== 'proxy-nodelay';
      if (
        seen.kernelSockets === 0 ||
        seen.wsSent === 0 ||
        (direct && seen.gateway === 0)
      ) {
        throw new Error(
          `The idle counter cannot see the ${route} tab's traffic (while it loaded: ${seen.gateway} requests to the gateway, ${seen.kernelSockets} kernel websockets, ${seen.wsSent} frames sent)`
        );
      }
      counting = true;
      await page.waitForTimeout(N.idleSeconds * 1000);
      counting = false;
      /** @param {number} value */
      const perMinute = value => (value * 60) / N.idleSeconds;
      out[route] = {
        local: perMinute(counts.local),
        localKernelApi: perMinute(counts.localKernelApi),
        localStore: perMinute(counts.localStore),
        gateway: perMinute(counts.gateway),
        gatewayHealth: perMinute(counts.gatewayHealth),
        wsSent: perMinute(counts.wsSent),
        wsProbes: perMinute(counts.wsProbes),
        other: perMinute(counts.other),
        reconnects,
        byPath: Object.fromEntries(
          Object.entries(byPath).map(([key, value]) => [key, perMinute(value)])
        ),
        byGateway: Object.fromEntries(
          Object.entries(byGateway).map(([name, of]) => [
            name,
            {
              all: perMinute(of.all),
              health: perMinute(of.health),
              specs: perMinute(of.specs)
            }
          ])
        )
      };
      await page.evaluate(async () => {
        await /** @type {BenchWindow} */ (
          window
        ).jupyterapp.serviceManager.sessions.shutdownAll();
      });
      await context.close();
    })
  );
  return out;
}

/**
 * Wait for the notebook's kernel as `notebookKernelIdle` does, but give up
 * after a minute and reconnect the kernel, three times at most: on the
 * proxy route the page's first websocket handshake fails, JupyterLab
 * reconnects, and the `kernel_info` reply that brings the status can be
 * lost between the two connections (see "Kernel starts that never
 * answered"). Resolves with the reconnections needed.
 *
 * @param {Page} page
 * @returns {Promise<number>}
 */
async function notebookKernelIdleOrReconnect(page) {
  for (let attempt = 0; ; attempt++) {
    try {
      await notebookKernelIdle(page, 60000);
      return attempt;
    } catch (error) {
      if (attempt >= 3) {
        throw error;
      }
    }
    await page.evaluate(async () => {
      const { jupyterapp } = /** @type {BenchWindow} */ (window);
      const widget =
        /** @type {{sessionContext?: import('@jupyterlab/apputils').ISessionContext} | null} */ (
          jupyterapp.shell.currentWidget
        );
      await widget?.sessionContext?.session?.kernel?.reconnect();
    });
  }
}

/**
 * The channel and type of a kernel message as a page sent it: a JSON text
 * frame, or a binary frame of the v1 protocol. `null` when it is neither.
 *
 * @param {string | Buffer} payload
 * @returns {{channel: string, msgType: string} | null}
 */
function kernelMessage(payload) {
  try {
    /** @type {{channel?: string, header?: {msg_type?: string}}} */
    const msg =
      typeof payload === 'string'
        ? JSON.parse(payload)
        : deserialize(new Uint8Array(payload));
    return msg.channel && msg.header?.msg_type
      ? { channel: msg.channel, msgType: msg.header.msg_type }
      : null;
  } catch {
    return null;
  }
}

/**
 * Page loads to kernel idle, in turn on the lab with the extension and no
 * gateway ("local"), the lab without the extension ("plain"), the direct
 * route, and the lab with this server's kernels and three gateways
 * ("several"). Each load opens a workspace of its own: the labs have
 * served different measures before, and a workspace that holds more state
 * (layout, recent documents) makes JupyterLab's restoration write more.
 *
 * @param {Browser} browser
 * @param {Record<string, Lab>} labs
 * @param {string[]} loadRoutes
 * @param {number} count
 */
async function pageLoads(browser, labs, loadRoutes, count) {
  /** @type {Record<string, number[]>} */
  const loads = {};
  // Per load: when JupyterLab was restored, and whether it then waited
  // before opening the notebook (see LOAD_STEP_MS).
  /** @type {Record<string, {restored: number, step: boolean}[]>} */
  const loadPhases = {};
  for (const route of loadRoutes) {
    loads[route] = [];
    loadPhases[route] = [];
  }
  /** @type {number[]} */
  const settingsWaits = [];
  for (let i = 0; i < count; i++) {
    // Rotate the order, and let the previous load's kernel shut down
    // first, so that no route always follows the same one.
    const order = loadRoutes.map(
      (_, k) => loadRoutes[(i + k) % loadRoutes.length]
    );
    for (const route of order) {
      await new Promise(resolve => setTimeout(resolve, 3000));
      const context = await browser.newContext();
      await context.addInitScript(() => {
        const bench = /** @type {Partial<BenchWindow>} */ (window);
        const timer = setInterval(() => {
          if (bench.jupyterapp) {
            clearInterval(timer);
            void bench.jupyterapp.restored.then(() => {
              bench.__benchRestored = performance.now();
            });
          }
        }, 5);
      });
      const page = await context.newPage();
      await page.goto(
        `${labs[route].url}/lab/workspaces/load-${i}/tree/load.ipynb`
      );
      await notebookKernelIdle(page);
      const phases = await page.evaluate(() => {
        /** @param {string} part */
        const resource = part =>
          performance
            .getEntriesByType('resource')
            .find(entry => entry.name.includes(part));
        const opened = resource('/api/contents/load.ipynb');
        // The extension's one request on the way to the service managers.
        const settings = resource('/api/settings/jupyterlab-kernel-gateway');
        return {
          idle: performance.now(),
          restored: /** @type {BenchWindow} */ (window).__benchRestored ?? NaN,
          opened: opened ? opened.startTime : NaN,
          settings: settings ? settings.duration : NaN
        };
      });
      loads[route].push(phases.idle);
      loadPhases[route].push({
        restored: phases.restored,
        step: phases.opened - phases.restored > LOAD_STEP_MS
      });
      if (route === 'local') {
        settingsWaits.push(phases.settings);
      }
      await page.evaluate(async () => {
        await /** @type {BenchWindow} */ (
          window
        ).jupyterapp.serviceManager.sessions.shutdownAll();
      });
      await context.close();
    }
  }
  return { loads, loadPhases, settingsWaits };
}

/**
 * Start many kernels at once from one page; time until all are idle.
 *
 * @param {Browser} browser
 * @param {string} lab the JupyterLab's URL.
 */
async function scaleKernels(browser, lab) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${lab}/lab`);
  await appReady(page);
  const result = await page.evaluate(async count => {
    const manager = /** @type {BenchWindow} */ (window).jupyterapp
      .serviceManager.kernels;
    const started = performance.now();
    const kernels = await Promise.all(
      Array.from({ length: count }, () => manager.startNew({ name: 'python3' }))
    );
    // Every kernel answered kernel_info: it is up and connected. One that
    // has not after a minute counts as failed (and is described).
    const answered = await Promise.all(
      kernels.map(kernel =>
        Promise.race([
          kernel.info.then(() => true),
          /** @type {Promise<boolean>} */ (
            new Promise(resolve => setTimeout(() => resolve(false), 60000))
          )
        ])
      )
    );
    const ms = performance.now() - started;
    const ok = kernels.filter(
      (kernel, i) =>
        answered[i] &&
        kernel.status !== 'dead' &&
        kernel.connectionStatus === 'connected'
    ).length;
    const failed = kernels
      .filter((kernel, i) => !answered[i])
      .map(kernel => `${kernel.connectionStatus}/${kernel.status}`);
    await Promise.all(
      kernels.map(kernel => kernel.shutdown().catch(() => undefined))
    );
    return { ms, ok, failed };
  }, N.scaleKernels);
  await context.close();
  return { ...result, count: N.scaleKernels };
}

/**
 * Round trips in many tabs at once, against one tab alone.
 *
 * @param {Browser} browser
 * @param {string} lab the JupyterLab's URL.
 */
async function concurrentContexts(browser, lab) {
  /** @type {Page[]} */
  const pages = [];
  for (let i = 0; i < N.contexts; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${lab}/lab`);
    await appReady(page);
    await pageStartKernel(page);
    await pageRtt(page, 5);
    pages.push(page);
  }
  const alone = (await pageRtt(pages[0], N.contextRtt)).map(([, idle]) => idle);
  const together = (
    await Promise.all(pages.map(page => pageRtt(page, N.contextRtt)))
  )
    .flat()
    .map(([, idle]) => idle);
  for (const page of pages) {
    await pageShutdown(page);
    await page.context().close();
  }
  return {
    aloneP95: quantile(alone, 0.95),
    togetherP95: quantile(together, 0.95)
  };
}

// ------------------------------------------------------------------ report

/**
 * The browser ceiling on the same gateway as `route` (`null`: the local
 * kernel uses none).
 *
 * @param {Route} route
 * @returns {'browser-ws' | 'browser-ws-nodelay' | null}
 */
function ceilingOf(route) {
  if (route === 'local') {
    return null;
  }
  return route.endsWith('-nodelay') ? 'browser-ws-nodelay' : 'browser-ws';
}

/**
 * The report, in Markdown.
 *
 * @param {{
 *   started: Date,
 *   finished: Date,
 *   load: {before: number, during: number[]},
 *   results: Record<Route, RouteResults>,
 *   bundle: number,
 *   idle: Awaited<ReturnType<typeof idleTraffic>>,
 *   messages: Awaited<ReturnType<typeof messageCost>>,
 *   scale: Awaited<ReturnType<typeof scaleKernels>>,
 *   contexts: Awaited<ReturnType<typeof concurrentContexts>>
 * } & Awaited<ReturnType<typeof pageLoads>>} measures
 * @returns {string}
 */
function render({
  started,
  finished,
  load,
  results,
  loads,
  loadPhases,
  settingsWaits,
  bundle,
  idle,
  messages,
  scale,
  contexts
}) {
  /** @type {Record<string, number[]>} */
  const restored = {};
  /** @type {Record<string, number>} */
  const stepped = {};
  for (const route of Object.keys(loadPhases)) {
    restored[route] = loadPhases[route].map(phase => phase.restored);
    stepped[route] = loadPhases[route].filter(phase => phase.step).length;
  }
  /**
   * @param {number} value
   * @param {number} base
   */
  const ratio = (value, base) =>
    Number.isFinite(value) && base ? `${(value / base).toFixed(2)}×` : '—';
  /** @param {Route} route */
  const rtt = route => median(results[route].rttReply);
  /** @param {Route} route */
  const mbps = route => median(results[route].throughput);
  /** @param {Route} route */
  const bareMbps = route => median(results[route].bareThroughput);
  /** @param {Route} route */
  const mainMs = route => median(results[route].mainMsPerMB);
  /** @param {Route} route */
  const bareMainMs = route => median(results[route].bareMainMsPerMB);
  /**
   * The share of a route's output runs its page's main thread is busy.
   *
   * @param {Route} route
   */
  const busyShare = route => (mainMs(route) * mbps(route)) / 1000;
  /** @param {number} share */
  const percent = share => `${fmt(100 * share, 0)}%`;
  const rows = ALL_ROUTES.map(route => {
    const r = results[route];
    const ceiling = ceilingOf(route);
    return [
      LABELS[route],
      fmt(rtt(route)),
      fmt(quantile(r.rttReply, 0.95)),
      fmt(quantile(r.rttReply, 0.99)),
      fmt(median(r.rttIdle)),
      ceiling ? ratio(rtt(route), rtt(ceiling)) : '—',
      fmt(mbps(route)),
      ceiling ? ratio(mbps(route), mbps(ceiling)) : '—',
      r.large ? 'yes' : '**no**',
      fmt(median(r.start) / 1000, 2) +
        (r.stalls.count ? ` (${r.stalls.count} never answered)` : ''),
      isBrowserRoute(route) ? fmt(r.cpu, 2) : '—'
    ];
  });
  const table = [
    '| Route | RTT p50 (ms) | p95 | p99 | to idle p50 | RTT vs ceiling | MB/s | MB/s vs ceiling | >10 MiB message | Kernel start (s) | Notebook-server CPU (s) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: |',
    ...rows.map(row => `| ${row.join(' | ')} |`)
  ];
  const direct = results.direct;
  const proxy = results.proxy;
  /** The direct route against the ceiling, on each gateway. */
  const pairs = /** @type {const} */ ([
    ['direct', 'browser-ws', 'stock gateway'],
    ['direct-nodelay', 'browser-ws-nodelay', 'TCP_NODELAY']
  ]);
  const rttMet = pairs.every(
    ([route, ceiling]) => rtt(route) <= 1.1 * rtt(ceiling)
  );
  /**
   * Round by round, `route`'s throughput over `ceiling`'s, measured in the
   * same round (the machine's load drifts between rounds); the spread
   * shows how much of a difference the noise alone makes.
   *
   * @param {Route} route
   * @param {Route} ceiling
   */
  const roundRatios = (route, ceiling) => {
    const mine = results[route].throughput;
    const theirs = results[ceiling].throughput;
    const count = Math.min(mine.length, theirs.length);
    return Array.from({ length: count }, (_, i) => mine[i] / theirs[i]);
  };
  /** @param {number[]} ratios */
  const spread = ratios =>
    `${fmt(median(ratios), 2)}×, from ${fmt(Math.min(...ratios), 2)}× to ${fmt(Math.max(...ratios), 2)}×`;
  // Judged round by round: each round measures the route and its ceiling
  // under the same load.
  const mbpsMet = pairs.every(
    ([route, ceiling]) => median(roundRatios(route, ceiling)) >= 0.95
  );
  const d = idle.direct;
  const p = idle.proxy;
  const sev = idle.several;
  /** @param {string} name a gateway of the "several" lab */
  const idleOf = name => sev.byGateway[name] ?? { all: 0, health: 0, specs: 0 };
  const [first, ...others] = SEVERAL_NAMES;
  // Beside the notebook's gateway: its health check every 30 s and
  // JupyterLab's kernelspec refresh every 61 s, nothing else.
  const besideQuiet = others.every(name => {
    const of = idleOf(name);
    return (
      of.health <= 2.5 && of.specs <= 1.5 && of.all === of.health + of.specs
    );
  });
  /** @param {string} name */
  const describeGateway = name => {
    const of = idleOf(name);
    return `${name} ${fmt(of.all)}/min (${fmt(of.health)} health checks, ${fmt(of.specs)} kernelspec lists)`;
  };
  /** @type {[string, string, boolean | null][]} */
  const targets = [
    [
      'Execute round trip ≤ 1.10× the browser ceiling on the same gateway (stock and TCP_NODELAY)',
      `${pairs.map(([route, ceiling, name]) => `${name}: direct ${fmt(rtt(route))} ms vs ceiling ${fmt(rtt(ceiling))} ms (${ratio(rtt(route), rtt(ceiling))})`).join('; ')}. For reference, the proxy ${fmt(rtt('proxy'))} / ${fmt(rtt('proxy-nodelay'))} ms, the Node limit ${fmt(rtt('limit'))} / ${fmt(rtt('limit-nodelay'))} ms`,
      rttMet
    ],
    [
      'Throughput ≥ 0.95× the browser ceiling on the same gateway (stock and TCP_NODELAY)',
      `${pairs.map(([route, ceiling, name]) => `${name}: direct ${fmt(mbps(route))} MB/s vs ceiling ${fmt(mbps(ceiling))} (${ratio(mbps(route), mbps(ceiling))}; round by round ${spread(roundRatios(route, ceiling))}; the page's main thread busy ${fmt(mainMs(route), 1)} ms per MB received, the ceiling's ${fmt(mainMs(ceiling), 1)}, ${ratio(mainMs(route), mainMs(ceiling))})`).join('; ')}. JupyterLab's own kernel connection, in the same page without this extension's listeners: ${fmt(bareMbps('direct'))} / ${fmt(bareMbps('direct-nodelay'))} MB/s (${ratio(bareMbps('direct'), mbps('browser-ws'))} / ${ratio(bareMbps('direct-nodelay'), mbps('browser-ws-nodelay'))} of the ceiling; the direct route gets ${ratio(mbps('direct'), bareMbps('direct'))} / ${ratio(mbps('direct-nodelay'), bareMbps('direct-nodelay'))} of it). For reference, the proxy ${fmt(mbps('proxy'))} / ${fmt(mbps('proxy-nodelay'))}, the Node limit ${fmt(mbps('limit'))} / ${fmt(mbps('limit-nodelay'))}`,
      mbpsMet
    ],
    [
      'The >10 MiB message arrives on the direct route',
      `direct: ${direct.large ? 'yes' : 'no'}, proxy: ${proxy.large ? 'yes' : 'no'}`,
      direct.large
    ],
    [
      'No notebook-server CPU attributable to kernel messages',
      `direct ${fmt(direct.cpu, 2)} s, proxy ${fmt(proxy.cpu, 2)} s during round trips and output`,
      direct.cpu < 0.1 * Math.max(proxy.cpu, 0.01) || direct.cpu < 0.5
    ],
    [
      'Page load with the extension ≤ 1.05× without it',
      `${fmt(median(loads.local) / 1000, 2)} s with, ${fmt(median(loads.plain) / 1000, 2)} s without (${ratio(median(loads.local), median(loads.plain))}); JupyterLab restored after ${fmt(median(restored.local) / 1000, 2)} s with, ${fmt(median(restored.plain) / 1000, 2)} s without (${ratio(median(restored.local), median(restored.plain))}); direct route ${fmt(median(loads.direct) / 1000, 2)} s; extension bundle ${(bundle / 1024).toFixed(1)} KiB; its settings request, awaited before the service managers exist, took ${fmt(median(settingsWaits), 0)} ms`,
      median(loads.local) <= 1.05 * median(loads.plain)
    ],
    [
      'Page load with this server and three gateways configured ≤ 1.05× with one gateway',
      `${fmt(median(loads.several) / 1000, 2)} s with this server's kernels and three gateways (the notebook's on the first), ${fmt(median(loads.direct) / 1000, 2)} s with one (${ratio(median(loads.several), median(loads.direct))}); JupyterLab restored after ${fmt(median(restored.several) / 1000, 2)} s and ${fmt(median(restored.direct) / 1000, 2)} s (${ratio(median(restored.several), median(restored.direct))})`,
      median(loads.several) <= 1.05 * median(loads.direct)
    ],
    [
      'Idle, per configured gateway: one light check per 30 s where no kernel of the tab runs',
      `One idle tab with this server's kernels and three gateways, its notebook's kernel on ${first}: ${[first, ...others].map(describeGateway).join('; ')}. Beside the notebook's gateway, JupyterLab's kernelspec refresh (every 61 s) comes with the health check; ${first} also carries the notebook kernel's list (every 10 s). To the local server ${fmt(sev.local)}/min`,
      besideQuiet
    ],
    [
      "No requests to the local server's kernel, session or kernelspec API at idle (direct route)",
      `direct: ${fmt(d.localKernelApi)}/min to \`/api/kernels\`, \`/api/sessions\`, \`/api/kernelspecs\`; ${fmt(d.localStore)}/min to this extension's session store (\`/kernel-gateway/\`); ${fmt(d.local)}/min in all to the local server; to the gateway ${fmt(d.gateway)} HTTP requests/min (${fmt(d.gatewayHealth)} health checks) and ${fmt(d.wsSent)} kernel messages/min on the websocket (${fmt(d.wsProbes)} keep-alive probes). Proxy: ${fmt(p.local)}/min to the local server (${fmt(p.localKernelApi)} to its kernel API), ${fmt(p.wsSent)} kernel messages/min`,
      d.localKernelApi === 0
    ],
    [
      'Output keeping adds ≤ 10% to the main-thread time per kernel message in a notebook',
      `${fmt(median(messages.keep.task), 3)} ms per message with it, ${fmt(median(messages.without.task), 3)} ms without (${ratio(median(messages.keep.task), median(messages.without.task))})`,
      median(messages.keep.task) <= 1.1 * median(messages.without.task)
    ],
    [
      `${N.contexts} tabs executing at once: p95 ≤ 2× one tab`,
      `${fmt(contexts.togetherP95)} ms vs ${fmt(contexts.aloneP95)} ms (${ratio(contexts.togetherP95, contexts.aloneP95)})`,
      contexts.togetherP95 <= 2 * contexts.aloneP95
    ],
    [
      `${scale.count} kernels started from one page`,
      `${scale.ok}/${scale.count} answered kernel_info and stayed connected, after ${fmt(scale.ms / 1000, 1)} s${scale.failed.length ? ` (no answer within 60 s, connection/kernel status: ${scale.failed.join(', ')})` : ''}`,
      scale.ok === scale.count
    ]
  ];
  const stalls = ALL_ROUTES.filter(route => results[route].stalls.count > 0);
  /**
   * An idle tab's traffic of one kind, busiest first: each entry's key
   * ("METHOD where path", or "ws where channel msg_type") without its kind.
   *
   * @param {IdleCounts} counts
   * @param {RegExp} kind matches the start of the keys to list.
   */
  const busiest = (counts, kind) =>
    Object.entries(counts.byPath)
      .filter(([key]) => kind.test(key))
      .sort((a, b) => b[1] - a[1])
      .map(([key, value]) => `${key.replace(kind, '$1 ').trim()} ${fmt(value)}`)
      .join(', ') || 'nothing';
  /**
   * @param {IdleCounts} counts
   * @param {'local' | 'gateway'} to
   */
  const httpTo = (counts, to) =>
    busiest(counts, new RegExp(`^((?!ws )\\S+) ${to} `));
  /** @param {IdleCounts} counts */
  const wsOf = counts => busiest(counts, /^ws (?:local|gateway) ()/);
  const reconnected = Object.entries(idle)
    .filter(([, counts]) => counts.reconnects > 0)
    .map(([route, counts]) => `${route} (${counts.reconnects}×)`);
  const gap = rtt('direct-nodelay') - rtt('browser-ws-nodelay');
  const browserHop = rtt('browser-ws-nodelay') - rtt('limit-nodelay');
  const findings = [
    `- **Round trips.** On the stock gateway every route, even the Node limit, sits near ${fmt(rtt('limit'), 0)} ms: the gateway's small replies wait for the client's delayed ACK (Nagle's algorithm is on). The browser routes see the same stall: direct ${fmt(rtt('direct'))} ms, the bare WebSocket ${fmt(rtt('browser-ws'))} ms (${ratio(rtt('direct'), rtt('browser-ws'))}). With \`gateway-config/kernel_gateway_nodelay.py\` the direct route drops to ${fmt(rtt('direct-nodelay'))} ms, against ${fmt(rtt('browser-ws-nodelay'))} ms for the bare WebSocket on the same gateway (${ratio(rtt('direct-nodelay'), rtt('browser-ws-nodelay'))}) and ${fmt(rtt('limit-nodelay'))} ms for Node: Chromium's own hop (renderer, network process) costs about ${fmt(browserHop)} ms, JupyterLab's message handling and this extension about ${fmt(gap)} ms more.${rtt('direct-nodelay') > 1.1 * rtt('browser-ws-nodelay') ? ` At a few milliseconds a fixed cost weighs heavily: that ${fmt(gap)} ms is what misses the 1.10× target with TCP_NODELAY.` : ''}`,
    `- **Throughput.** A bare WebSocket in a Chromium page, with the same binary protocol and no JupyterLab, receives ${fmt(mbps('browser-ws'))} MB/s from the stock gateway and ${fmt(mbps('browser-ws-nodelay'))} from the one with TCP_NODELAY, ${ratio(mbps('browser-ws'), mbps('limit'))} of what Node receives: the browser, not the route, is the bottleneck on loopback (2 cores shared by Chromium, the gateway and the kernel). The direct route gets ${ratio(mbps('direct'), mbps('browser-ws'))} of that ceiling on the stock gateway and ${ratio(mbps('direct-nodelay'), mbps('browser-ws-nodelay'))} with TCP_NODELAY (round by round, each run next to its ceiling: ${spread(roundRatios('direct', 'browser-ws'))} and ${spread(roundRatios('direct-nodelay', 'browser-ws-nodelay'))}; the rounds in order: ${roundRatios(
      'direct',
      'browser-ws'
    )
      .map(value => fmt(value, 2))
      .join(', ')} and ${roundRatios('direct-nodelay', 'browser-ws-nodelay')
      .map(value => fmt(value, 2))
      .join(
        ', '
      )}). Browser, protocol and gateway are the same; what differs is what the page does with each message, and Chromium counts it: the direct route's page keeps its main thread busy ${fmt(mainMs('direct'), 1)} and ${fmt(mainMs('direct-nodelay'), 1)} ms per MB received, the bare WebSocket's page ${fmt(mainMs('browser-ws'), 1)} and ${fmt(mainMs('browser-ws-nodelay'), 1)} (${ratio(mainMs('direct'), mainMs('browser-ws'))} and ${ratio(mainMs('direct-nodelay'), mainMs('browser-ws-nodelay'))}). At the direct route's rate that is ${percent(busyShare('direct'))} and ${percent(busyShare('direct-nodelay'))} of the run's time: ${DIRECT_ROUTES.every(route => busyShare(route) < 0.9) ? "the page's main thread is not what sets the rate, and the difference between single runs is the machine's (the gateway, the kernel and Chromium's network process sharing 2 cores)" : "the page's main thread is what sets the rate"}. JupyterLab's own kernel connection class in the same page, connected to a kernel of the same gateway with the same connection settings but not through this extension's kernel manager (no heartbeat, no shutdown watch), gets ${fmt(bareMbps('direct'))} and ${fmt(bareMbps('direct-nodelay'))} MB/s (${ratio(bareMbps('direct'), mbps('browser-ws'))} and ${ratio(bareMbps('direct-nodelay'), mbps('browser-ws-nodelay'))} of the ceiling) with ${fmt(bareMainMs('direct'), 1)} and ${fmt(bareMainMs('direct-nodelay'), 1)} ms of main thread per MB: what this extension adds per message (its heartbeat's and shutdown watch's listeners; the connection settings that decode each message from views of the frame, where JupyterLab's deserializer copies each part first) does not show at this size. ` +
      `The proxy gets ${ratio(mbps('proxy'), mbps('browser-ws'))} of the ceiling. What the proxy's hop costs shows more clearly elsewhere: ${fmt(proxy.cpu, 2)} s of notebook-server CPU (direct: ${fmt(direct.cpu, 2)} s) and the >10 MiB message, which the proxy drops (Jupyter Server's gateway websocket client keeps Tornado's 10 MiB message limit, loses its connection to the gateway and the cell never completes in the page). The local kernel, with the same raised output limit as the gateways, gets ${fmt(mbps('local'))} MB/s.`,
    `- **Page load.** With no gateway configured the extension adds ${(bundle / 1024).toFixed(0)} KiB of JavaScript and one request on the critical path: its service-manager plugin reads its settings (${fmt(median(settingsWaits), 0)} ms, median) before it hands JupyterLab the kernel, kernelspec and session managers (see \`src/index.ts\`), so that a configured gateway is used from the first request. It takes them as the server parsed and checked them: checking them again in the page with JupyterLab's schema validator compiled the schema first, about 45 ms here before JupyterLab could start (\`src/gateway/settings.ts\`). Otherwise the page makes the same requests in the same order with and without it (plus the kernelspec logo). JupyterLab is restored after ${fmt(median(restored.local) / 1000, 2)} s with, ${fmt(median(restored.plain) / 1000, 2)} s without (${ratio(median(restored.local), median(restored.plain))}); the notebook's kernel is idle after ${fmt(median(loads.local) / 1000, 2)} s with, ${fmt(median(loads.plain) / 1000, 2)} s without (${ratio(median(loads.local), median(loads.plain))}; single loads range ${fmt(Math.min(...loads.local, ...loads.plain) / 1000, 2)}–${fmt(Math.max(...loads.local, ...loads.plain) / 1000, 2)} s). "Kernel idle" is the notebook's kernel reporting \`idle\` on its websocket (the notebook toolbar's indicator says "idle" from the moment it is drawn, before a kernel exists, so it cannot serve). Each load opens a workspace of its own (\`/lab/workspaces/load-<i>/tree/load.ipynb\`): the lab with the extension also serves the local-kernel measures, and what a workspace holds changes how JupyterLab restores it. In ${stepped.local} of ${N.loads} loads with the extension and ${stepped.plain} of ${N.loads} without, JupyterLab, once restored, waited about 1 s, idle (no request, no long task), before it asked for the notebook in the URL: its router's \`apputils:load-statedb\` handler awaits a 500 ms debounced workspace save, which every state-database write during restoration re-arms (file browser columns, layout, the recent-documents list, itself debounced 500 ms). That wait is JupyterLab's, with or without the extension; whether it falls on a load depends on the workspace. Loads rotate their order and wait for the previous kernel to shut down.`,
    `- **Idle traffic** (per minute, one tab with a notebook open and its kernel idle, ${N.idleSeconds} s). The direct route sends Jupyter's kernel, session and kernelspec API on the local server ${fmt(d.localKernelApi)} requests: its kernels are on the gateway. It does poll this extension's session store on the local server (\`/kernel-gateway/\`, the session and kernel records every tab and browser of the user shares; ${fmt(d.localStore)}/min), where the proxy route polls Jupyter's own kernel and session API instead (${fmt(p.localKernelApi)}/min). To the local server in all: direct ${httpTo(d, 'local')}; proxy ${httpTo(p, 'local')}. To the gateway: ${httpTo(d, 'gateway')} (\`GET /api\` is the health check, every 30 s; \`/api/kernels\` the kernel list, which the page's kernel and session managers check at each of their 10 s polls). On the kernel websocket the direct tab sent ${wsOf(d)} (its keep-alive probe is a \`kernel_info_request\` on the control channel, every 30 s while the kernel is idle); the proxy tab sent ${wsOf(p)}.${reconnected.length ? ` (Before counting, the kernel had to be reconnected in the ${reconnected.join(' and the ')} tab: it did not report idle within a minute.)` : ''}`,
    `- **Cost per kernel message** (\`benchmark/messages.js\`, which runs alone too: a cell printing ${MESSAGE_COUNT} flushed lines, one stream message each, in a notebook on the gateway; with the output keeper, and in the same page with that plugin disabled in the page config):`,
    ...describeMessages(messages).map(line => `  ${line}`)
  ];
  if (stalls.length > 0) {
    findings.push(
      `- **Kernel starts that never answered** (${stalls.map(route => `${LABELS[route]}: ${results[route].stalls.count}`).join(', ')}): the kernel started but its \`kernel_info\` reply never reached the page within 60 s; the benchmark started another. On the proxy route the page's first websocket handshake fails (the proxy does not answer the v1 subprotocol), JupyterLab reconnects, and the reply can be lost between the two connections.`
    );
  }
  const minutes = (finished.getTime() - started.getTime()) / 60000;
  return [
    `# Benchmark${QUICK ? ' (quick run)' : ''}`,
    '',
    `Run ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`scripts/benchmark.sh${QUICK ? ' --quick' : ''}\` on ${machine()}, Node ${process.version}, Debian Chromium; the measures took ${fmt(minutes, 0)} min (the extension's build before them aside). 1-minute load average ${fmt(load.before)} before the benchmark started its servers, ${fmt(median(load.during))} (median; max ${fmt(Math.max(...load.during))}) while it measured, its own load included. All servers on 127.0.0.1; routes measured interleaved, in batches.`,
    '',
    `- Round trips: ${N.rtt} executions of \`1+1\` per route after ${N.warmup} warm-up; "RTT" is sending \`execute_request\` to receiving \`execute_reply\`, "to idle" to the status \`idle\`.`,
    `- Throughput: a cell writing ${N.throughputMB} MB in 1 MB flushed chunks, median of ${N.throughputRuns}, each round starting with the next route (a round measures every route once, each direct route right between its ceiling and JupyterLab's kernel connection alone, the two swapping sides every round); the page's main thread busy per MB received: Chromium's own count of its busy time during a run (\`TaskDuration\` of the DevTools protocol's \`Performance.getMetrics\`) over the MB received; the target is judged on the median of the round-by-round ratios of the direct route to its ceiling; ">10 MiB message": one unflushed ${LARGE_BYTES / 2 ** 20} MiB write arrives whole.`,
    `- Kernel start: from starting a session to the kernel's \`kernel_info\` reply, median of ${N.starts}.`,
    '- Notebook-server CPU: user + system seconds of the JupyterLab server process during the round trips and output phases.',
    '- TCP_NODELAY rows: the gateway (and, for the proxy, the Jupyter server) run with `gateway-config/kernel_gateway_nodelay.py`.',
    "- Output limit, like with like: both gateways and every JupyterLab run with the iopub output limit raised (`--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=1000000000`, 1 GB/s). Jupyter's default, 1 MB/s, would throttle the local kernel's output in its JupyterLab (an earlier version of this table measured 11.6 MB/s there: the limit, not the route); the proxy applies no limit of its own.",
    '- Browser ceiling rows: a bare WebSocket in a Chromium page (no JupyterLab), same binary v1 protocol, one per gateway; "vs ceiling" compares each route with the ceiling on the gateway it uses (the stock one, or the one with TCP_NODELAY; none for the local kernel). The round-trip and throughput targets judge the direct route against it, on each gateway: what the browser itself allows is the bar, not the Node client.',
    `- Idle traffic: every request of the tab's browser context, by port (local server or gateway), and every kernel message the page sends on its kernel websocket, counted over ${N.idleSeconds} s after the kernel has been idle 12 s. The counter checks, before it counts, that it saw the direct tab's requests to the gateway and its kernel websocket while the tab loaded.`,
    "- Several backends: a JupyterLab of its own offers this server's kernels and three Kernel Gateways of its own (`offerLocalKernels` and `gateways` in its `overrides.json`); its page loads are interleaved with the others and compared with the direct route's (one gateway), and one idle tab with its notebook's kernel on the first gateway is counted, gateway by gateway.",
    '',
    ...table,
    '',
    '## Targets',
    '',
    '| Target | Measured | Met |',
    '| --- | --- | :---: |',
    ...targets.map(
      ([target, measured, met]) =>
        `| ${target} | ${measured} | ${met ? 'yes' : '**no**'} |`
    ),
    '',
    '## What the figures say',
    '',
    ...findings,
    ''
  ].join('\n');
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
