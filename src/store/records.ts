/**
 * The records a session store keeps, and their runtime checks.
 */
import { isObject } from '../gateway/validate';

/**
 * Which notebook (or console) uses which kernel, on one backend.
 */
export interface ISessionRecord {
  readonly id: string;
  readonly path: string;
  readonly name: string;
  readonly type: string;
  readonly kernel: { readonly id: string; readonly name: string };
}

/**
 * A kernel this user started on a backend.
 */
export interface IKernelRecord {
  /**
   * The kernelspec name.
   */
  readonly name: string;
  /**
   * When it was started (ms since the epoch).
   */
  readonly started: number;
}

/**
 * The changes a session can get: renamed or moved, or another kernel.
 */
export type SessionChanges = {
  -readonly [K in 'path' | 'name' | 'type' | 'kernel']?: ISessionRecord[K];
};

/**
 * Check a stored {@link ISessionRecord}; `undefined` when malformed.
 */
export function validateSessionRecord(
  value: unknown
): ISessionRecord | undefined {
  if (!isObject(value) || !isObject(value.kernel)) {
    return undefined;
  }
  const { id, path, name, type } = value;
  const kernel = value.kernel;
  if (
    typeof id !== 'string' ||
    typeof path !== 'string' ||
    typeof name !== 'string' ||
    typeof type !== 'string' ||
    typeof kernel.id !== 'string' ||
    typeof kernel.name !== 'string'
  ) {
    return undefined;
  }
  return { id, path, name, type, kernel: { id: kernel.id, name: kernel.name } };
}

/**
 * Check a stored {@link IKernelRecord}; `undefined` when malformed.
 */
export function validateKernelRecord(
  value: unknown
): IKernelRecord | undefined {
  if (
    isObject(value) &&
    typeof value.name === 'string' &&
    typeof value.started === 'number'
  ) {
    return { name: value.name, started: value.started };
  }
  return undefined;
}
