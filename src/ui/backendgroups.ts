import type { SessionContextDialogs } from '@jupyterlab/apputils';
import type { ILauncher } from '@jupyterlab/launcher';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IKernelGateway } from '../tokens';

type KernelOptions = SessionContextDialogs.IKernelOptions;
type OptionGroup = KernelOptions['groups'][number];

/**
 * Where a kernelspec or a kernel offered to JupyterLab runs, by the label of
 * its backend ("Local", a gateway's name), and the labels of every backend
 * offered, where new kernels go first. Only asked when several are offered.
 */
export interface IBackendLabels {
  readonly all: ReadonlyArray<string>;
  ofSpec(name: string): string;
  ofKernel(id: string): string;
}

/**
 * The backend labels of the gateway service, or `null` when one backend is
 * offered (then nothing is grouped).
 */
export function backendLabels(gateway: IKernelGateway): IBackendLabels | null {
  const beside = gateway.beside;
  if (beside.length === 0) {
    return null;
  }
  const at = (place: string | null) =>
    (place === null ? null : gateway.besideAt(place)?.label) ?? gateway.label;
  const ofKernel = (id: string) => {
    const place = gateway.placeOf(id);
    if (place !== null) {
      return at(place);
    }
    const kernel = Array.from(gateway.kernels.running()).find(
      model => model.id === id
    );
    return (kernel && gateway.keptKernel(kernel)?.where) ?? gateway.label;
  };
  return {
    all: [gateway.label, ...beside.map(backend => backend.label)],
    ofSpec: name => at(gateway.placeOfSpec(name)),
    ofKernel
  };
}

/**
 * The kernel picker's groups split by backend: "Start Kernel" becomes
 * "Start Kernel · cpu", "Start Kernel · Local", … (where new kernels go
 * first), and likewise the running kernels to connect to. Options keep their
 * text, value and selection; groups without kernels ("No Kernel") stay.
 */
export function groupKernelOptions(
  options: KernelOptions,
  labels: IBackendLabels,
  trans: TranslationBundle
): KernelOptions {
  const where = (value: string): string | null => {
    const choice = JSON.parse(value) as { id?: string; name?: string } | null;
    if (choice?.id !== undefined) {
      return labels.ofKernel(choice.id);
    }
    return choice?.name !== undefined ? labels.ofSpec(choice.name) : null;
  };
  const groups: OptionGroup[] = [];
  for (const group of options.groups) {
    const split = new Map<string, OptionGroup['options']>();
    for (const option of group.options) {
      const label = where(option.value);
      if (label === null) {
        split.clear();
        break;
      }
      split.set(label, [...(split.get(label) ?? []), option]);
    }
    if (split.size === 0) {
      groups.push(group);
      continue;
    }
    for (const label of ordered(labels.all, split.keys())) {
      groups.push({
        label: trans.__('%1 · %2', group.label, label),
        options: split.get(label)!
      });
    }
  }
  return { ...options, groups };
}

/**
 * A launcher item with a kernel ("Notebook", "Console") of a backend offered
 * beside the default one moved to a section of its own, right after the
 * stock one: "Notebook · Local", "Notebook · gpu". Items of the default
 * backend and the others are left as they are.
 */
export function groupLauncherItem(
  item: ILauncher.IItemOptions,
  labels: IBackendLabels | null,
  kernelCategories: ReadonlyArray<string>
): ILauncher.IItemOptions {
  // Notebooks name the kernelspec in `kernelName`, consoles in
  // `kernelPreference.name`.
  const preference = item.args?.kernelPreference as { name?: unknown } | null;
  const kernelName = item.args?.kernelName ?? preference?.name;
  const category = kernelCategories.indexOf(item.category ?? '');
  if (labels === null || typeof kernelName !== 'string' || category < 0) {
    return item;
  }
  const label = labels.ofSpec(kernelName);
  const index = labels.all.indexOf(label);
  if (index <= 0) {
    return item;
  }
  return {
    ...item,
    category: `${item.category} · ${label}`,
    // JupyterLab ranks "Notebook" 0 and "Console" 20 (JupyterLab ≥ 4.6; on
    // older versions these sections come after the stock ones).
    categoryRank: category * 20 + index / (labels.all.length + 1)
  };
}

function ordered(all: ReadonlyArray<string>, found: Iterable<string>) {
  const present = new Set(found);
  return [
    ...all.filter(label => present.has(label)),
    ...[...present].filter(label => !all.includes(label))
  ];
}
