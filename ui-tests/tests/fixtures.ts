/**
 * Galata's test, adapted to kernels that run on a Kernel Gateway.
 */
import type { Kernel, Session } from '@jupyterlab/services';
import { test as galata } from '@jupyterlab/galata';

export { expect } from '@jupyterlab/galata';

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
