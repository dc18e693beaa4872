import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel } from '@jupyterlab/services';
import type { ReadonlyPartialJSONValue } from '@lumino/coreutils';

import type { IKernelGateway } from '../tokens';

/**
 * The notebook metadata key under which the extension remembers where the
 * notebook's kernel ran, when that is not where new kernels go by default:
 * `{"runsOn": "local"}` for this Jupyter server's kernels offered beside a
 * gateway, `{"runsOn": "<name>"}` for a further gateway's.
 * `metadata.kernelspec` keeps the kernelspec's own name, so the notebook
 * opens anywhere as before.
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
 * Keep a notebook's kernel where it ran, with backends offered beside the
 * default one (this Jupyter server, further gateways):
 *
 * - when its kernel starts, remember in the metadata where it runs;
 * - on reopen, the kernel preference JupyterLab takes from
 *   `metadata.kernelspec` ("python3") is turned into the name that place's
 *   kernelspec is offered under ("local:python3"), so the kernel starts
 *   where it ran before (when that place is still offered);
 * - a change of kernel between two places shuts the current session down
 *   first: JupyterLab changes kernels through the session, which can only
 *   start kernels where it lives, and the next session starts where the
 *   chosen kernelspec is.
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
    const place = readPlace(model());
    if (!name || !place) {
      return;
    }
    const offered = gateway.specNameAt(place, name);
    if (offered && offered !== name) {
      context.kernelPreference = { ...preference, name: offered };
    }
  });
  context.kernelChanged.connect((_, change) => {
    const kernel = change.newValue;
    if (kernel) {
      rememberPlace(model(), gateway.placeOf(kernel.id));
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
      gateway.placeOf(kernel.id) !== gateway.placeOfSpec(options.name)
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
  place: string | null
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
