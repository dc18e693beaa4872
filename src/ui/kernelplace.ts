import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel } from '@jupyterlab/services';
import type { ReadonlyPartialJSONValue } from '@lumino/coreutils';

import type { IKernelGateway } from '../tokens';

/**
 * The notebook metadata key under which the extension remembers where the
 * notebook's kernel ran, when that is not where new kernels go by default:
 * `{"runsOn": "local"}` for this Jupyter server's kernels offered beside a
 * gateway. `metadata.kernelspec` keeps the kernelspec's own name, so the
 * notebook opens anywhere as before.
 */
export const PLACE_METADATA_KEY = 'jupyterlab-kernel-gateway';

/**
 * What this module needs of a notebook's model.
 */
export interface IMetadataModel {
  getMetadata(key: string): unknown;
  setMetadata(key: string, value: ReadonlyPartialJSONValue): void;
  deleteMetadata(key: string): void;
}

/**
 * Keep a notebook's kernel where it ran, with local kernels offered beside
 * a gateway:
 *
 * - when its kernel starts, remember in the metadata whether it runs on
 *   this Jupyter server beside the gateway;
 * - on reopen, the kernel preference JupyterLab takes from
 *   `metadata.kernelspec` ("python3") is turned into the name the local
 *   kernelspec is offered under ("local:python3"), so the kernel starts
 *   where it ran before;
 * - a change of kernel between the local server and the gateway shuts the
 *   current session down first: JupyterLab changes kernels through the
 *   session, which can only start kernels where it lives, and the next
 *   session starts where the chosen kernelspec is.
 */
export function followKernelPlace(
  context: ISessionContext,
  model: () => IMetadataModel | null,
  gateway: IKernelGateway
): void {
  if (followed.has(context)) {
    return;
  }
  followed.add(context);
  context.kernelPreferenceChanged.connect(() => {
    const preference = context.kernelPreference;
    const name = preference.name;
    if (!name || readPlace(model()) !== 'local') {
      return;
    }
    const beside = gateway.besideSpecName(name);
    if (beside && beside !== name) {
      context.kernelPreference = { ...preference, name: beside };
    }
  });
  context.kernelChanged.connect((_, change) => {
    const kernel = change.newValue;
    if (kernel) {
      rememberPlace(model(), gateway.runsBeside(kernel.id) ? 'local' : null);
    }
  });
  const changeKernel = context.changeKernel.bind(context);
  context.changeKernel = async (options: Partial<Kernel.IModel> = {}) => {
    const session = context.session;
    const kernel = session?.kernel;
    if (
      session &&
      kernel &&
      options.name &&
      gateway.runsBeside(kernel.id) !== gateway.startsBeside(options.name)
    ) {
      await session.shutdown();
    }
    return changeKernel(options);
  };
}

const followed = new WeakSet<ISessionContext>();

function readPlace(model: IMetadataModel | null): string | undefined {
  const value = model?.getMetadata(PLACE_METADATA_KEY);
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const runsOn = (value as { runsOn?: unknown }).runsOn;
  return typeof runsOn === 'string' ? runsOn : undefined;
}

function rememberPlace(
  model: IMetadataModel | null,
  place: 'local' | null
): void {
  if (!model || readPlace(model) === (place ?? undefined)) {
    return;
  }
  if (place) {
    model.setMetadata(PLACE_METADATA_KEY, { runsOn: place });
  } else {
    model.deleteMetadata(PLACE_METADATA_KEY);
  }
}
