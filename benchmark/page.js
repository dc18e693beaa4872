/**
 * What the benchmark's scripts do in a JupyterLab page.
 */
'use strict';

/**
 * @typedef {import('playwright-core').Page} Page
 * @typedef {import('playwright-core').CDPSession} CDPSession
 */

/**
 * The page's globals the benchmark uses: JupyterLab's application
 * (`--LabApp.expose_app_in_browser`) and what the benchmark keeps there.
 *
 * @typedef {Window & typeof globalThis & {
 *   jupyterapp: import('@jupyterlab/application').JupyterFrontEnd,
 *   __bench?: {
 *     session: import('@jupyterlab/services').Session.ISessionConnection,
 *     bare?: import('@jupyterlab/services').Kernel.IKernelConnection
 *   },
 *   __benchRestored?: number
 * }} BenchWindow
 */

/**
 * Wait for JupyterLab and its services in the page.
 *
 * @param {Page} page
 */
async function appReady(page) {
  await page.waitForFunction(() => {
    const { jupyterapp } = /** @type {Partial<BenchWindow>} */ (window);
    return jupyterapp && jupyterapp.serviceManager;
  });
  await page.evaluate(async () => {
    const { jupyterapp } = /** @type {BenchWindow} */ (window);
    await jupyterapp.started;
    await jupyterapp.serviceManager.ready;
  });
}

/**
 * Wait until the notebook in the main area has a connected kernel that
 * reported itself idle. (The notebook toolbar's execution indicator is no
 * measure of this: it says "idle" from the moment it is drawn, before any
 * kernel exists.)
 *
 * @param {Page} page
 * @param {number} [timeout] milliseconds.
 */
async function notebookKernelIdle(page, timeout = 120000) {
  await page.waitForFunction(
    () => {
      const { jupyterapp } = /** @type {Partial<BenchWindow>} */ (window);
      const widget =
        /** @type {{sessionContext?: import('@jupyterlab/apputils').ISessionContext} | null | undefined} */ (
          jupyterapp?.shell.currentWidget
        );
      const kernel = widget?.sessionContext?.session?.kernel;
      return (
        kernel?.connectionStatus === 'connected' && kernel.status === 'idle'
      );
    },
    undefined,
    { timeout }
  );
}

/**
 * Chromium's counters of a page so far (the DevTools protocol's
 * `Performance.getMetrics`, enabled with `Performance.enable`), by name:
 * `TaskDuration` is the main thread's busy time in seconds.
 *
 * @param {CDPSession} cdp
 * @returns {Promise<Record<string, number>>}
 */
async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map(metric => [metric.name, metric.value]));
}

module.exports = { appReady, notebookKernelIdle, metrics };
