import type { ISessionContext } from '@jupyterlab/apputils';
import type { JupyterFrontEnd } from '@jupyterlab/application';

import type { IKernelGateway } from '../tokens';

/**
 * The session contexts of the open notebooks and consoles.
 */
export function openSessionContexts(app: JupyterFrontEnd): ISessionContext[] {
  const contexts: ISessionContext[] = [];
  for (const widget of app.shell.widgets('main')) {
    const context = (widget as { sessionContext?: ISessionContext })
      .sessionContext;
    if (context && typeof context.changeKernel === 'function') {
      contexts.push(context);
    }
  }
  return contexts;
}

/**
 * Start a new kernel for a notebook or console whose kernel is gone or ran
 * elsewhere: shut down what is left of its session, then start a session
 * where new kernels go now (the kernelspec `name` if offered there).
 */
export async function startNewKernel(
  context: ISessionContext,
  name: string,
  offered: (name: string) => boolean
): Promise<void> {
  if (context.session) {
    await context.shutdown().catch(() => undefined);
  }
  await context.changeKernel(offered(name) ? { name } : {});
}

/**
 * Start a new kernel, where new kernels now go, for the open notebooks and
 * consoles at `paths` (after their kernel was lost, or to move them off a
 * gateway the user left). `kernelName` defaults to each one's kernel's.
 */
export async function moveToNewKernels(
  app: JupyterFrontEnd,
  gateway: IKernelGateway,
  paths: string[],
  kernelName?: string
): Promise<void> {
  const offered = (name: string) =>
    gateway.kernelspecs.specs?.kernelspecs[name] !== undefined;
  for (const context of openSessionContexts(app)) {
    const path = context.session?.path ?? context.path;
    if (paths.includes(path) || paths.includes(context.path)) {
      const name = kernelName ?? context.session?.kernel?.name ?? '';
      await startNewKernel(context, name, offered);
    }
  }
}
