import type { IDisposable } from '@lumino/disposable';
import { DisposableDelegate } from '@lumino/disposable';

import type { IKernelGateway } from '../tokens';

/**
 * Make JupyterLab's "Shut Down Unused" (Running panel) reach the gateway.
 *
 * That command calls `KernelAPI.shutdownKernel(id)` with *default*
 * connection settings, i.e. `DELETE {local base}api/kernels/{id}` through
 * the page's `fetch`, bypassing the kernel manager: for a gateway kernel the
 * local server would answer 404 and the kernel would keep running. There is
 * no public way to change the command, so this wraps `fetch` narrowly: only
 * a `DELETE` of a kernel that runs on the gateway is diverted to the kernel
 * manager (which shuts it down on the gateway); every other request passes
 * through untouched. The local server then receives no request for it.
 */
export function routeDefaultKernelShutdown(options: {
  gateway: IKernelGateway;
  localBaseUrl: string;
  target?: { fetch: typeof fetch };
}): IDisposable {
  const target = options.target ?? globalThis;
  const original = target.fetch;
  const prefix = new URL('api/kernels/', options.localBaseUrl).href;

  const routed: typeof fetch = async (input, init) => {
    const id = deletedKernelId(input, init, prefix);
    if (id !== null && options.gateway.isGatewayKernel(id)) {
      try {
        await options.gateway.kernels.shutdown(id);
        return new Response(null, { status: 204 });
      } catch (error) {
        return new Response(JSON.stringify({ message: String(error) }), {
          status: 502,
          headers: { 'Content-Type': 'application/json' }
        });
      }
    }
    return original.call(globalThis, input, init);
  };
  target.fetch = routed;
  return new DisposableDelegate(() => {
    if (target.fetch === routed) {
      target.fetch = original;
    }
  });
}

/**
 * The kernel id of a `DELETE {prefix}{id}` request, else `null`.
 */
function deletedKernelId(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  prefix: string
): string | null {
  const isRequest = typeof input === 'object' && 'url' in input;
  const method = (
    init?.method ?? (isRequest ? (input as Request).method : 'GET')
  ).toUpperCase();
  if (method !== 'DELETE') {
    return null;
  }
  const url = isRequest ? (input as Request).url : input.toString();
  let parsed: URL;
  try {
    parsed = new URL(url, prefix);
  } catch {
    return null;
  }
  const path = `${parsed.origin}${parsed.pathname}`;
  if (!path.startsWith(prefix)) {
    return null;
  }
  const rest = path.slice(prefix.length);
  return rest && !rest.includes('/') ? decodeURIComponent(rest) : null;
}
