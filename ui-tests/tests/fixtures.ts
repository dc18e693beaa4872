/**
 * Galata's test, adapted to kernels that run on a Kernel Gateway.
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Kernel, Session } from '@jupyterlab/services';
import {
  expect,
  galata as galataHelpers,
  test as galata
} from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';

export { expect };

/**
 * Galata's page fixture is a proxy whose `reload` is the JupyterLab page's
 * (`JupyterLabPage.reload`, which takes `waitForIsReady`), but its declared
 * type, a Playwright page (without `goto`) and an `IJupyterLabPage`, which
 * does not list `reload`, keeps the Playwright page's. Declare the one that
 * runs.
 */
declare module '@jupyterlab/galata/lib/jupyterlabpage' {
  interface IJupyterLabPageFixture {
    reload(
      options?: Parameters<JupyterLabPage['reload']>[0]
    ): ReturnType<JupyterLabPage['reload']>;
  }
}

/**
 * Galata's `kernels` and `sessions` fixtures intercept every URL containing
 * `/api/kernels` or `/api/sessions`, on any origin, and delete what they saw
 * against the *local* server at teardown: they would swallow the gateway's
 * traffic. The tests clean up the gateway themselves.
 */
export const test = galata.extend<{
  kernels: Map<string, Kernel.IModel> | null;
  sessions: Map<string, Session.IModel> | null;
}>({
  kernels: async ({}, use) => use(null),
  sessions: async ({}, use) => use(null)
});

/**
 * Wait until the status bar says the current notebook's kernel is idle:
 * connected, and it said so itself. (The notebook toolbar's execution
 * indicator cannot tell: it says "idle" from the moment it is drawn, before
 * any kernel exists.)
 */
export async function expectKernelIdle(
  page: Page,
  options: { timeout?: number } = {}
): Promise<void> {
  await expect(
    page.locator('.jp-StatusBar-TextItem[title^="Change kernel for"]')
  ).toHaveText(/ \| Idle$/, options);
}

/**
 * `text` matched literally in a regular expression.
 */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The value of a row of the Kernel Gateway details panel (open).
 */
export function detailValue(page: Page, term: string): Locator {
  return page.locator(
    `xpath=//*[contains(@class, "jp-KernelGateway-details")]//dt[normalize-space()="${term}"]/following-sibling::dd[1]`
  );
}

/**
 * Galata's default settings, with these Kernel Gateway settings.
 */
export function gatewaySettings(
  settings: Record<string, unknown>
): Record<string, unknown> {
  return {
    ...galataHelpers.DEFAULT_SETTINGS,
    'jupyterlab-kernel-gateway:plugin': settings
  };
}

/**
 * Close the current notebook and wait until JupyterLab has saved the
 * workspace without it (it saves ~1 s after a change of layout): a page
 * reloaded sooner would open the notebook again.
 */
export async function closeNotebook(
  page: IJupyterLabPageFixture,
  name: string
): Promise<void> {
  const saved = page.waitForRequest(
    request => {
      if (
        request.method() !== 'PUT' ||
        !request.url().includes('/lab/api/workspaces/')
      ) {
        return false;
      }
      const data =
        (request.postDataJSON() as { data?: Record<string, unknown> }).data ??
        {};
      // The notebook is neither in the layout nor in the notebook tracker
      // (the recently closed list names it, rightly).
      return !Object.entries(data).some(
        ([key, value]) =>
          (key === 'layout-restorer:data' || key.startsWith('notebook:')) &&
          JSON.stringify({ [key]: value }).includes(name)
      );
    },
    { timeout: 15000 }
  );
  await page.notebook.close();
  await saved;
}

/**
 * The ids of the kernels the page's own kernel manager lists.
 */
export function pageKernelIds(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(
      window.jupyterapp.serviceManager.kernels.running(),
      kernel => kernel.id
    )
  );
}

/**
 * Open the Running panel; its kernel items and the Kernels section's
 * "Shut Down All" button.
 */
export async function runningPanelKernels(
  page: IJupyterLabPageFixture
): Promise<{ kernels: Locator; shutDownAll: Locator }> {
  await page.sidebar.openTab('jp-running-sessions');
  return {
    kernels: page.locator(
      '#jp-running-sessions .jp-RunningSessions-item.jp-mod-kernel'
    ),
    shutDownAll: page
      .locator('#jp-running-sessions h3.jp-AccordionPanel-title', {
        hasText: 'Kernels'
      })
      .locator('.jp-RunningSessions-shutdownAll')
  };
}

/**
 * The ids of the session and kernel records the local server's session
 * store holds for the gateway at `gatewayUrl`.
 */
export async function storeRecords(
  page: Page,
  gatewayUrl: string
): Promise<{ sessions: string[]; kernels: string[] }> {
  const ids = async (what: string) => {
    const response = await page.request.get(
      `/kernel-gateway/${what}?backend=${encodeURIComponent(gatewayUrl)}`
    );
    return ((await response.json()) as { id: string }[]).map(
      record => record.id
    );
  };
  return { sessions: await ids('sessions'), kernels: await ids('kernels') };
}

/**
 * What the page's JupyterLab exposes that {@link reloadRestored} and
 * {@link showNotebook} read.
 */
interface IRestoringApp {
  restored: Promise<void>;
  shell: {
    currentWidget: { id: string } | null;
    widgets(area: 'main'): Iterable<{
      id: string;
      context?: { path: string };
      sessionContext?: { isReady: boolean };
    }>;
    activateById(id: string): void;
  };
}

type RestoringWindow = Window & { jupyterapp?: IRestoringApp };

/**
 * Reload the page and wait until JupyterLab has put every restored
 * notebook back. Two things activate a notebook after a reload: the layout
 * restorer (the one that was current) and then the file browser, which
 * opens the document the address names (`/lab/tree/…`) once the router has
 * routed, and marks itself `jp-mod-restoring` until it has; a notebook shown
 * before both are done loses the front again. Galata's own wait expects a
 * Launcher tab, which there is not.
 */
export async function reloadRestored(
  page: IJupyterLabPageFixture
): Promise<void> {
  await page.reload({ waitForIsReady: false });
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  await page.evaluate(() => (window as RestoringWindow).jupyterapp?.restored);
  await expect(
    page.locator('.jp-FileBrowser.jp-mod-restoring'),
    'the file browser has opened the document the address names'
  ).toHaveCount(0, { timeout: 30000 });
  await expect
    .poll(
      () =>
        page.evaluate(() =>
          Array.from(
            (window as RestoringWindow).jupyterapp!.shell.widgets('main')
          ).every(widget => widget.sessionContext?.isReady ?? true)
        ),
      { message: 'every restored notebook has its session', timeout: 60000 }
    )
    .toBe(true);
  // The activation that opening posted lands at the next animation frame.
  await page.evaluate(
    () =>
      new Promise(resolve =>
        requestAnimationFrame(() => requestAnimationFrame(resolve))
      )
  );
}

/**
 * Bring an open notebook to the front, and check that it is the one the
 * notebook commands (run, save) now act on.
 */
export async function showNotebook(
  page: IJupyterLabPageFixture,
  name: string
): Promise<void> {
  // Activation lands a message-loop turn later: ask until it has.
  await expect
    .poll(() =>
      page.evaluate(file => {
        const shell = (window as RestoringWindow).jupyterapp!.shell;
        const named = (widget?: { context?: { path: string } }) =>
          widget?.context?.path.split('/').pop() ?? null;
        const widgets = Array.from(shell.widgets('main'));
        const current = widgets.find(
          widget => widget.id === shell.currentWidget?.id
        );
        const wanted = widgets.find(widget => named(widget) === file);
        if (wanted && wanted !== current) {
          shell.activateById(wanted.id);
        }
        return named(current);
      }, name)
    )
    .toBe(name);
  await expect(page.activity.getTabLocator(name)).toHaveAttribute(
    'aria-selected',
    'true'
  );
}
