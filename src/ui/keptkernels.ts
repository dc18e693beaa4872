import type { ISessionContext } from '@jupyterlab/apputils';

import type { IKernelGateway } from '../tokens';

/**
 * Name kernels after the place they run, also after a switch of gateways.
 *
 * JupyterLab names a notebook's kernel (toolbar, status bar) after the
 * kernelspec of that name among those offered for *new* kernels. After the
 * user points the extension at another gateway, a notebook that keeps its
 * kernel on the previous one would be named after the new gateway's
 * kernelspec ("Python 3 [new]" for a kernel running on the old gateway), or
 * by its bare name. The session context's `kernelDisplayName` is made to ask
 * the gateway service first where such a kernel runs.
 */
export function nameKeptKernels(
  context: ISessionContext,
  gateway: IKernelGateway
): void {
  if (named.has(context)) {
    return;
  }
  const stock = findGetter(context, 'kernelDisplayName');
  if (!stock) {
    return;
  }
  named.add(context);
  Object.defineProperty(context, 'kernelDisplayName', {
    configurable: true,
    get: () => {
      const shown = stock.call(context);
      const kernel = context.session?.kernel;
      const kept = kernel ? gateway.keptKernel(kernel) : undefined;
      if (!kernel || !kept) {
        return shown;
      }
      // Only where JupyterLab names the current kernel: while it shuts
      // down ("No Kernel") or changes kernel (the new name), its own
      // name stands.
      const current =
        context.specsManager.specs?.kernelspecs[kernel.name]?.display_name ??
        kernel.name;
      return shown === current ? kept.displayName : shown;
    }
  });
}

const named = new WeakSet<ISessionContext>();

function findGetter(object: object, name: string): (() => string) | undefined {
  for (
    let proto = Object.getPrototypeOf(object);
    proto;
    proto = Object.getPrototypeOf(proto)
  ) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) {
      return descriptor.get;
    }
  }
  return undefined;
}
