#!/usr/bin/env node
/**
 * The page's own cost per kernel message, with and without the extension's
 * output keeping (`jupyterlab-kernel-gateway:output-keeper`, which records
 * the output of running cells for a reload).
 *
 * A notebook cell on the gateway (direct route) prints `MESSAGE_COUNT`
 * lines, each flushed, i.e. one stream message each. Measured: the page's
 * main-thread time while the cell runs and 0.5 s after (Chromium's
 * `Performance.getMetrics`: `TaskDuration`, `ScriptDuration`) divided by the
 * messages received. "Without" loads the same page with that plugin
 * disabled in its page config (as an administrator would disable it, but
 * edited in the page), so origin, server, gateway and everything else stay
 * the same. Runs alternate; medians. Then one run of each under Chromium's sampling CPU
 * profiler: where the main thread's time goes, by bundle (this extension,
 * JupyterLab and its other extensions) and by function.
 *
 *   node benchmark/messages.js [--quick]
 *
 * Alone, it starts a gateway and the direct route's JupyterLab and prints
 * its figures; benchmark/run.js includes it in docs/benchmark.md.
 */
'use strict';

const { chromium } = require('../ui-tests/node_modules/playwright-core');
const { CHROMIUM_LAUNCH } = require('../tests/harness/chromium');
const { notebookKernelIdle, metrics } = require('./page');
const { startServers, MESSAGE_COUNT, QUICK } = require('./servers');
const { median, fmt } = require('./stats');

/**
 * @typedef {import('playwright-core').Browser} Browser
 * @typedef {import('playwright-core').Page} Page
 * @typedef {import('./page').BenchWindow} BenchWindow
 * @typedef {'keep' | 'without'} Variant
 *
 * @typedef {object} Share
 * @property {string} name a bundle or a function.
 * @property {number} ms main-thread milliseconds per message.
 *
 * @typedef {object} Profile where one run's main-thread time went.
 * @property {Share[]} bundles
 * @property {Share[]} functions the most expensive, by self time.
 * @property {Share[]} extension this extension's most expensive functions.
 *
 * @typedef {object} VariantResults
 * @property {number[]} task milliseconds of main-thread tasks per message.
 * @property {number[]} script of which running script.
 * @property {Profile | null} profile
 * @property {boolean} [profileMissing] the profiled run did not finish.
 * @property {string[]} failed why measured runs failed (each run again).
 */

const OUTPUT_KEEPER = 'jupyterlab-kernel-gateway:output-keeper';
/** Measured runs of each variant (the profiled one aside). */
const RUNS = QUICK ? 2 : 9;
const EXTENSION_URL = '/lab/extensions/jupyterlab-kernel-gateway/';

/**
 * Load JupyterLab with `plugin` disabled in its page config. The page
 * config is edited in the page, when JupyterLab reads it: a page whose
 * document was served by the test instead of the server would count as
 * coming from no address, and Chromium's local network access checks would
 * then block its requests to the gateway on loopback.
 *
 * @param {Page} page
 * @param {string} plugin
 */
async function disablePlugin(page, plugin) {
  await page.addInitScript(plugin => {
    const stock = Document.prototype.getElementById;
    let edited = false;
    Document.prototype.getElementById = function (/** @type {string} */ id) {
      const element = stock.call(this, id);
      if (id === 'jupyter-config-data' && element && !edited) {
        edited = true;
        const config = JSON.parse(element.textContent ?? '{}');
        config.disabledExtensions = [
          ...(config.disabledExtensions ?? []),
          plugin
        ];
        element.textContent = JSON.stringify(config);
      }
      return element;
    };
  }, plugin);
}

/**
 * In the page: run the notebook's cell; resolves with the stream messages
 * received, once the kernel is idle again and 0.5 s more have passed (what
 * the last messages cause: rendering, the keeper's flush).
 *
 * @param {Page} page
 * @returns {Promise<number>}
 */
function runCell(page) {
  return page.evaluate(async () => {
    const { jupyterapp } = /** @type {BenchWindow} */ (window);
    const panel =
      /** @type {{sessionContext: import('@jupyterlab/apputils').ISessionContext}} */ (
        /** @type {unknown} */ (jupyterapp.shell.currentWidget)
      );
    const kernel = panel.sessionContext.session?.kernel;
    if (!kernel) {
      throw new Error('the notebook has no kernel');
    }
    let count = 0;
    let last = 'none';
    // What reached the kernel connection (anyMessage is emitted as each
    // message arrives; iopubMessage once JupyterLab's message chain has
    // handled it): tells a stalled chain from a silent gateway.
    let arrived = 0;
    let lastArrived = 'none';
    kernel.anyMessage.connect((_, args) => {
      if (args.direction === 'recv') {
        arrived++;
        lastArrived = `${args.msg.channel} ${args.msg.header.msg_type}`;
      }
    });
    /** @type {Promise<void>} */
    const done = new Promise(resolve => {
      kernel.iopubMessage.connect((_, msg) => {
        last = msg.header.msg_type;
        if (msg.header.msg_type === 'stream') {
          count++;
        } else if (
          msg.header.msg_type === 'status' &&
          /** @type {import('@jupyterlab/services').KernelMessage.IStatusMsg} */ (
            msg
          ).content.execution_state === 'idle' &&
          'msg_type' in msg.parent_header &&
          msg.parent_header.msg_type === 'execute_request'
        ) {
          resolve();
        }
      });
    });
    // Say what the page saw rather than wait for ever (the command itself
    // resolves only when the cell has run).
    let ran = false;
    const run = jupyterapp.commands
      .execute('notebook:run-cell')
      .then(() => (ran = true));
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    /** @type {Promise<never>} */
    const late = new Promise((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `The cell did not finish within 120 s: ${count} stream messages received, the last iopub message ${last}; ${arrived} messages arrived, the last ${lastArrived}; run-cell ${ran ? 'resolved' : 'pending'}, kernel ${kernel.status} (${kernel.connectionStatus}), the notebook's kernel ${panel.sessionContext.session?.kernel?.id === kernel.id ? 'unchanged' : 'changed'}`
            )
          ),
        120000
      );
    });
    try {
      await Promise.race([Promise.all([run, done]), late]);
    } finally {
      clearTimeout(timer);
    }
    await new Promise(resolve => setTimeout(resolve, 500));
    return count;
  });
}

/**
 * Main-thread self time of a CPU profile, by bundle and by function, in
 * milliseconds per message (idle time aside).
 *
 * @param {import('../ui-tests/node_modules/playwright-core/types/protocol').Protocol.Profiler.Profile} profile
 * @param {number} received
 * @returns {Profile}
 */
function attribute(profile, received) {
  const nodes = new Map(profile.nodes.map(node => [node.id, node]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  /** @type {Map<string, number>} */
  const bundles = new Map();
  /** @type {Map<string, number>} */
  const functions = new Map();
  /** @type {Map<string, number>} */
  const extension = new Map();
  /**
   * @param {Map<string, number>} map
   * @param {string} key
   * @param {number} us
   */
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  // A sample lasts until the next one.
  for (let i = 0; i + 1 < samples.length; i++) {
    const frame = nodes.get(samples[i])?.callFrame;
    if (!frame || frame.functionName === '(idle)') {
      continue;
    }
    const us = deltas[i + 1];
    const url = frame.url;
    const bundle = url.includes(EXTENSION_URL)
      ? 'this extension'
      : url.includes('/lab/extensions/')
        ? 'other extensions'
        : url.includes('/static/')
          ? 'JupyterLab'
          : frame.functionName.startsWith('(')
            ? frame.functionName
            : 'browser and native';
    add(bundles, bundle, us);
    const where = url
      ? ` ${url.replace(/^.*\//, '')}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`
      : '';
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    add(functions, name, us);
    if (bundle === 'this extension') {
      add(extension, name, us);
    }
  }
  /** @param {Map<string, number>} map */
  const shares = map =>
    [...map.entries()]
      .map(([name, us]) => ({ name, ms: us / 1000 / received }))
      .sort((a, b) => b.ms - a.ms);
  return {
    bundles: shares(bundles),
    functions: shares(functions).slice(0, 12),
    extension: shares(extension).slice(0, 6)
  };
}

/**
 * Open `messages.ipynb` in a fresh browser context, with or without the
 * output keeper, run its cell and measure.
 *
 * @param {Browser} browser
 * @param {string} lab
 * @param {Variant} variant
 * @param {string} workspace
 * @param {boolean} profile whether to run under the CPU profiler.
 */
async function measureOnce(browser, lab, variant, workspace, profile) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    if (variant === 'without') {
      await disablePlugin(page, OUTPUT_KEEPER);
    }
    await page.goto(`${lab}/lab/workspaces/${workspace}/tree/messages.ipynb`);
    await notebookKernelIdle(page);
    const keeps = await page.evaluate(
      id => /** @type {BenchWindow} */ (window).jupyterapp.hasPlugin(id),
      OUTPUT_KEEPER
    );
    if (keeps !== (variant === 'keep')) {
      throw new Error(
        `The output keeper is ${keeps ? 'active' : 'absent'} in the "${variant}" page`
      );
    }
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    if (profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const before = await metrics(cdp);
    const received = await runCell(page);
    const after = await metrics(cdp);
    const profiled = profile
      ? attribute((await cdp.send('Profiler.stop')).profile, received)
      : null;
    if (received < MESSAGE_COUNT / 2) {
      throw new Error(
        `Only ${received} stream messages of ${MESSAGE_COUNT} reached the "${variant}" page`
      );
    }
    await page.evaluate(async () => {
      const { jupyterapp } = /** @type {BenchWindow} */ (window);
      const panel =
        /** @type {{sessionContext: import('@jupyterlab/apputils').ISessionContext}} */ (
          /** @type {unknown} */ (jupyterapp.shell.currentWidget)
        );
      await panel.sessionContext.shutdown();
    });
    return {
      task: ((after.TaskDuration - before.TaskDuration) * 1000) / received,
      script:
        ((after.ScriptDuration - before.ScriptDuration) * 1000) / received,
      profile: profiled
    };
  } finally {
    await context.close();
  }
}

/**
 * How long one run of the message cost may take.
 */
const RUN_DEADLINE_MS = 5 * 60000;

/**
 * `promise`, or a rejection with `message` after `ms`.
 *
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} message
 * @returns {Promise<T>}
 */
async function withDeadline(promise, ms, message) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return /** @type {T} */ (await Promise.race([promise, late]));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The page's cost per kernel message with and without the output keeper:
 * `RUNS` measured runs of each, alternating, then one profiled run of each.
 *
 * @param {Browser} browser
 * @param {string} lab the direct route's JupyterLab URL.
 * @returns {Promise<Record<Variant, VariantResults>>}
 */
async function messageCost(browser, lab) {
  /** @type {Record<Variant, VariantResults>} */
  const out = {
    keep: { task: [], script: [], profile: null, failed: [] },
    without: { task: [], script: [], profile: null, failed: [] }
  };
  for (let run = 0; run <= RUNS; run++) {
    const profile = run === RUNS;
    /** @type {Variant[]} */
    const order = run % 2 ? ['without', 'keep'] : ['keep', 'without'];
    for (const variant of order) {
      /** @param {number} attempt */
      const once = attempt =>
        withDeadline(
          measureOnce(
            browser,
            lab,
            variant,
            `messages-${run}-${variant}-${attempt}`,
            profile
          ),
          RUN_DEADLINE_MS,
          `The ${profile ? 'profiled ' : ''}"${variant}" run ${run} of the message cost did not finish within ${RUN_DEADLINE_MS / 60000} min`
        );
      // Runs have stalled now and then (the page alive, the cell never
      // finishing): say so in the report and run again, at most twice per
      // variant; a profiled run gives up on the profile, not the benchmark.
      /** @type {Awaited<ReturnType<typeof measureOnce>> | null} */
      let measured = null;
      for (let attempt = 0; !measured; attempt++) {
        try {
          measured = await once(attempt);
        } catch (error) {
          const message = error instanceof Error ? error.message : `${error}`;
          console.warn(message);
          if (profile) {
            out[variant].profileMissing = true;
            break;
          }
          out[variant].failed.push(message);
          if (out[variant].failed.length > 2) {
            throw error;
          }
        }
      }
      if (!measured) {
        continue;
      }
      if (profile) {
        out[variant].profile = measured.profile;
      } else {
        out[variant].task.push(measured.task);
        out[variant].script.push(measured.script);
      }
    }
  }
  return out;
}

/**
 * The measures as Markdown lines.
 *
 * @param {Record<Variant, VariantResults>} results
 * @returns {string[]}
 */
function describe(results) {
  const ms = (/** @type {number} */ value) => fmt(value, 3);
  /** @type {string[]} */
  const lines = [];
  for (const variant of /** @type {Variant[]} */ (['keep', 'without'])) {
    const { task, script, profile, failed } = results[variant];
    lines.push(
      `- ${variant === 'keep' ? 'With' : 'Without'} output keeping: ${ms(median(task))} ms of main-thread tasks per message (runs: ${task.map(ms).join(', ')}), ${ms(median(script))} ms of it script.`
    );
    for (const message of failed) {
      lines.push(`  A run failed and was run again: ${message}.`);
    }
    if (results[variant].profileMissing) {
      lines.push(
        `  The profiled run did not finish within ${RUN_DEADLINE_MS / 60000} min: no profile.`
      );
    }
    if (profile) {
      lines.push(
        `  Profiled run, by bundle: ${profile.bundles.map(share => `${share.name} ${ms(share.ms)}`).join(', ')} ms per message. Most self time: ${profile.functions
          .slice(0, 6)
          .map(share => `\`${share.name}\` ${ms(share.ms)}`)
          .join(', ')}. In this extension: ${
          profile.extension
            .map(share => `\`${share.name}\` ${ms(share.ms)}`)
            .join(', ') || 'nothing sampled'
        }.`
      );
    }
  }
  return lines;
}

async function main() {
  const servers = await startServers(['direct']);
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  try {
    const results = await messageCost(browser, servers.labs.direct.url);
    console.log(
      [
        `Cost per kernel message (${MESSAGE_COUNT} stream messages per run):`,
        ...describe(results)
      ].join('\n')
    );
  } finally {
    await browser.close();
    await servers.stop();
  }
}

module.exports = { messageCost, describe, OUTPUT_KEEPER };

if (require.main === module) {
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
