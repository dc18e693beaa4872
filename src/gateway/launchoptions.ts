/**
 * Launch options: the `KERNEL_*` variables an administrator lets users
 * choose when a kernel starts on a gateway (Enterprise Gateway on
 * Kubernetes reads `KERNEL_CPUS`, `KERNEL_MEMORY`, `KERNEL_GPUS`,
 * `KERNEL_IMAGE`, …). Declared in the settings (usually `overrides.json`);
 * this module checks the declarations and the values chosen. No UI here.
 */
import { isObject } from './validate';

/**
 * Names a client may send in a kernel's environment: the gateways pass only
 * `KERNEL_*` variables from the client to the kernel unless an administrator
 * allows others (Kernel Gateway's `env_whitelist`, Enterprise Gateway's
 * `client_envs`).
 */
export const KERNEL_ENV_NAME = /^KERNEL_[A-Za-z0-9_]+$/;

/**
 * One option a user may choose.
 */
export interface ILaunchOption {
  /**
   * The variable, e.g. `KERNEL_CPUS`.
   */
  readonly name: string;
  /**
   * What people read, e.g. "CPUs".
   */
  readonly title: string;
  readonly description: string;
  readonly type: 'string' | 'integer' | 'number';
  /**
   * The value used when the user skips the form (as text).
   */
  readonly default: string;
  /**
   * The only values allowed, if listed.
   */
  readonly choices?: ReadonlyArray<string>;
  readonly minimum?: number;
  readonly maximum?: number;
}

/**
 * Values chosen for a kernel: variable name → value.
 */
export type LaunchValues = Readonly<Record<string, string>>;

/**
 * Check the declared options (the `launchOptions` setting).
 *
 * @returns the options, or a message saying what is wrong.
 */
export function parseLaunchOptions(raw: unknown): ILaunchOption[] | string {
  if (raw === undefined || raw === null) {
    return [];
  }
  if (!Array.isArray(raw)) {
    return 'Kernel launch options must be a list.';
  }
  const options: ILaunchOption[] = [];
  for (const item of raw) {
    if (!isObject(item) || typeof item.name !== 'string') {
      return 'Each kernel launch option needs a "name".';
    }
    const name = item.name;
    if (!KERNEL_ENV_NAME.test(name)) {
      return `Kernel launch option "${name}" is refused: names must start with KERNEL_ (gateways pass only those to kernels).`;
    }
    if (options.some(option => option.name === name)) {
      return `Kernel launch option "${name}" is declared twice.`;
    }
    const type = item.type ?? 'string';
    if (type !== 'string' && type !== 'integer' && type !== 'number') {
      return `Kernel launch option "${name}" has an unknown type (string, integer or number).`;
    }
    const choices = Array.isArray(item.choices)
      ? item.choices.map(choice => String(choice))
      : undefined;
    const option: ILaunchOption = {
      name,
      title: typeof item.title === 'string' && item.title ? item.title : name,
      description: typeof item.description === 'string' ? item.description : '',
      type,
      default: item.default === undefined ? '' : String(item.default),
      choices,
      minimum: typeof item.minimum === 'number' ? item.minimum : undefined,
      maximum: typeof item.maximum === 'number' ? item.maximum : undefined
    };
    if (checkLaunchValue(option, option.default) !== undefined) {
      return `Kernel launch option "${name}": its default "${option.default}" is not allowed (${checkLaunchValue(
        option,
        option.default
      )}).`;
    }
    options.push(option);
  }
  return options;
}

/**
 * Check a value for an option.
 *
 * @returns what is wrong, for people; `undefined` when the value is fine.
 */
export function checkLaunchValue(
  option: ILaunchOption,
  value: string
): string | undefined {
  const text = value.trim();
  if (text.length > 4096) {
    return 'at most 4096 characters';
  }
  if (option.choices && !option.choices.includes(text)) {
    return `one of ${option.choices.join(', ')}`;
  }
  if (option.type === 'string') {
    return undefined;
  }
  const number = Number(text);
  if (text === '' || !Number.isFinite(number)) {
    return option.type === 'integer' ? 'a whole number' : 'a number';
  }
  if (option.type === 'integer' && !Number.isInteger(number)) {
    return 'a whole number';
  }
  if (option.minimum !== undefined && number < option.minimum) {
    return `at least ${option.minimum}`;
  }
  if (option.maximum !== undefined && number > option.maximum) {
    return `at most ${option.maximum}`;
  }
  return undefined;
}

/**
 * The values to offer: those chosen last (when still allowed), else the
 * defaults.
 */
export function launchDefaults(
  options: ReadonlyArray<ILaunchOption>,
  previous: unknown
): Record<string, string> {
  const values: Record<string, string> = {};
  const last = isObject(previous) ? previous : {};
  for (const option of options) {
    const chosen = last[option.name];
    values[option.name] =
      typeof chosen === 'string' &&
      checkLaunchValue(option, chosen) === undefined
        ? chosen
        : option.default;
  }
  return values;
}

/**
 * Check values chosen for the declared options: only declared names, each
 * allowed.
 *
 * @throws with a message naming the first value refused.
 */
export function checkLaunchValues(
  options: ReadonlyArray<ILaunchOption>,
  values: Record<string, string>
): LaunchValues {
  const checked: Record<string, string> = {};
  for (const option of options) {
    const value = (values[option.name] ?? option.default).trim();
    const problem = checkLaunchValue(option, value);
    if (problem) {
      throw new Error(`${option.title} (${option.name}) must be ${problem}.`);
    }
    checked[option.name] = value;
  }
  return checked;
}
