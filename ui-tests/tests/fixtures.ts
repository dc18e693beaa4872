/**
 * Galata's test, adapted to kernels that run on a Kernel Gateway.
 */
import type { Kernel, Session } from '@jupyterlab/services';
import {
  expect,
  galata as galataHelpers,
  test as galata
} from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';

export { expect };

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
