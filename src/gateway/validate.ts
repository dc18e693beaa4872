/**
 * Runtime checks of what the gateway sends, at the boundary.
 *
 * A gateway is another server, possibly shared or hostile: its answers are
 * checked field by field and copied into fresh objects, so nothing the
 * gateway adds (extra fields, odd types, markup) travels further than the
 * fields JupyterLab uses. JupyterLab renders the strings as text.
 */
import type { Kernel, KernelSpec } from '@jupyterlab/services';

import { InvalidGatewayAnswer } from './errors';

export { InvalidGatewayAnswer };

/**
 * Whether `value` is a plain JSON object.
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(
  source: Record<string, unknown>,
  key: string
): string | undefined {
  const value = source[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Check a kernel model (`GET api/kernels/{id}`, `POST api/kernels`).
 */
export function validateKernelModel(data: unknown): Kernel.IModel {
  if (
    !isObject(data) ||
    typeof data.id !== 'string' ||
    typeof data.name !== 'string' ||
    data.id === ''
  ) {
    throw new InvalidGatewayAnswer('kernel model');
  }
  const connections = data.connections;
  return {
    id: data.id,
    name: data.name,
    execution_state: optionalString(data, 'execution_state'),
    last_activity: optionalString(data, 'last_activity'),
    connections: typeof connections === 'number' ? connections : undefined,
    reason: optionalString(data, 'reason')
  };
}

/**
 * Check a kernel list (`GET api/kernels`).
 */
export function validateKernelList(data: unknown): Kernel.IModel[] {
  if (!Array.isArray(data)) {
    throw new InvalidGatewayAnswer('kernel list');
  }
  return data.map(validateKernelModel);
}

/**
 * Check a kernelspec list (`GET api/kernelspecs`). Specs that are malformed
 * are skipped rather than failing the whole list.
 *
 * @param resolveResource - maps a resource URL from the gateway to the URL
 * the page may load, or `undefined` to drop it.
 */
export function validateSpecModels(
  data: unknown,
  resolveResource: (url: string) => string | undefined
): KernelSpec.ISpecModels {
  if (!isObject(data) || !isObject(data.kernelspecs)) {
    throw new InvalidGatewayAnswer('kernelspec list');
  }
  const kernelspecs: { [name: string]: KernelSpec.ISpecModel } = {};
  for (const [key, entry] of Object.entries(data.kernelspecs)) {
    const spec = validateSpec(entry, resolveResource);
    if (spec && spec.name === key) {
      kernelspecs[key] = spec;
    }
  }
  const names = Object.keys(kernelspecs);
  let defaultName = typeof data.default === 'string' ? data.default : '';
  if (!kernelspecs[defaultName]) {
    defaultName = names.length > 0 ? names[0] : '';
  }
  return { default: defaultName, kernelspecs };
}

function validateSpec(
  entry: unknown,
  resolveResource: (url: string) => string | undefined
): KernelSpec.ISpecModel | undefined {
  if (!isObject(entry) || typeof entry.name !== 'string') {
    return undefined;
  }
  const spec = isObject(entry.spec) ? entry.spec : undefined;
  if (
    !spec ||
    typeof spec.display_name !== 'string' ||
    typeof spec.language !== 'string'
  ) {
    return undefined;
  }
  const resources: { [key: string]: string } = {};
  if (isObject(entry.resources)) {
    for (const [key, value] of Object.entries(entry.resources)) {
      if (typeof value === 'string') {
        const resolved = resolveResource(value);
        if (resolved) {
          resources[key] = resolved;
        }
      }
    }
  }
  const argv = Array.isArray(spec.argv)
    ? spec.argv.filter((arg): arg is string => typeof arg === 'string')
    : [];
  const env: { [key: string]: string } = {};
  if (isObject(spec.env)) {
    for (const [key, value] of Object.entries(spec.env)) {
      if (typeof value === 'string') {
        env[key] = value;
      }
    }
  }
  return {
    name: entry.name,
    display_name: spec.display_name,
    language: spec.language,
    argv,
    env,
    resources,
    metadata: isObject(spec.metadata) ? { ...spec.metadata } : undefined
  } as KernelSpec.ISpecModel;
}
