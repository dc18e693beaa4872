import { Notification } from '@jupyterlab/apputils';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { DisposableDelegate } from '@lumino/disposable';

import { configWarnings, gatewayLabel } from '../gateway/config';
import { parseComposed, schemaDefaults } from '../gateway/settings';
import type { IConfigChange, IKernelGateway } from '../tokens';

/**
 * Apply edits of the Kernel Gateway settings while JupyterLab runs.
 *
 * A valid change takes effect at once, without a reload: new kernels go
 * where the settings now say. Notebooks attached to kernels elsewhere keep
 * them until their kernel is changed, and the user is told which ones, with
 * an action to move them. A refused value (the Settings Editor also marks
 * it inline) leaves the configuration in force unchanged.
 */
export function watchSettings(options: {
  settings: ISettingRegistry.ISettings;
  gateway: {
    configure: IKernelGateway['configure'];
    readonly configChanged: ISignal<unknown, IConfigChange>;
  };
  trans: TranslationBundle;
  /**
   * Start new kernels, where new kernels now go, for these session paths.
   */
  moveSessions: (paths: string[]) => Promise<void>;
}): IDisposable {
  const { settings, gateway, trans } = options;
  let notice: string | null = null;
  const replace = (id: string) => {
    if (notice) {
      Notification.dismiss(notice);
    }
    notice = id;
  };

  const compose = () =>
    parseComposed(schemaDefaults(settings.schema), settings.user);
  /** What the administrator's lock ignores, as one message. */
  const ignoredOf = (result: ReturnType<typeof compose>) =>
    (result.ignored ?? []).map(problem => problem.message).join(' ');
  // Told with the other problems when the page loaded; told again only
  // when it changes, not at every edit of another setting.
  let toldIgnored = ignoredOf(compose());

  const onSettings = () => {
    const result = compose();
    const problems = gateway.configure(result);
    const ignored = ignoredOf(result);
    if (problems.length === 0) {
      if (ignored && ignored !== toldIgnored) {
        replace(Notification.warning(ignored, { autoClose: false }));
      }
      toldIgnored = ignored;
    } else {
      replace(
        Notification.warning(
          trans.__(
            'Kernel Gateway settings refused: %1 The previous settings stay in force.',
            problems.map(problem => problem.message).join(' ')
          ),
          { autoClose: false }
        )
      );
    }
  };

  /**
   * Where new kernels go after a change, for people.
   */
  const whereNew = (change: IConfigChange) =>
    change.current.url
      ? trans.__('the Kernel Gateway %1', gatewayLabel(change.current))
      : trans.__('this Jupyter server');

  /**
   * Tell that the notebooks at `paths` keep their kernel on `from`, with
   * "Move them now" to new kernels on `to`.
   */
  const offerMove = (
    message: (names: string) => string,
    paths: string[],
    from: string,
    to: string
  ) => {
    const names = paths.map(path => path.split('/').pop()).join(', ');
    replace(
      Notification.info(message(names), {
        autoClose: false,
        actions: [
          {
            label: trans.__('Move them now'),
            caption: trans.__(
              'Shut down their kernels on %1 and start new ones on %2',
              from,
              to
            ),
            callback: () => void options.moveSessions(paths)
          }
        ]
      })
    );
  };

  const onConfig = (_: unknown, change: IConfigChange) => {
    if (change.previous.url === change.current.url) {
      onLeft(change);
      return;
    }
    const warnings = configWarnings(change.current, window.location.origin);
    if (warnings.length > 0) {
      // What will not work from this page (an http gateway on an https
      // page), said as the user sets it.
      Notification.warning(warnings.map(warning => warning.message).join(' '), {
        autoClose: false
      });
    }
    const where = whereNew(change);
    if (change.kept.length === 0) {
      replace(
        Notification.info(trans.__('New kernels now run on %1.', where), {
          autoClose: 8000
        })
      );
      return;
    }
    const from = change.kept[0].where;
    offerMove(
      names =>
        trans.__(
          'New kernels now run on %1. %2 keep their kernel on %3 until you change kernel.',
          where,
          names,
          from
        ),
      change.kept.map(kept => kept.session.path),
      from,
      where
    );
  };

  /**
   * A backend offered beside the default one is no longer: say so, and
   * offer to move the notebooks that keep their kernel there.
   */
  const onLeft = (change: IConfigChange) => {
    if (change.left.length === 0) {
      return;
    }
    const left = change.left.join(', ');
    const kept = change.kept.filter(k => change.left.includes(k.where));
    if (kept.length === 0) {
      replace(
        Notification.info(
          trans.__('Kernels are no longer offered on %1.', left),
          { autoClose: 8000 }
        )
      );
      return;
    }
    offerMove(
      names =>
        trans.__(
          'Kernels are no longer offered on %1. %2 keep their kernel there until you change kernel.',
          left,
          names
        ),
      kept.map(k => k.session.path),
      left,
      whereNew(change)
    );
  };

  settings.changed.connect(onSettings);
  gateway.configChanged.connect(onConfig);
  // Settings saved before this page loaded are already in force; a change
  // made in another tab arrives here too.
  return new DisposableDelegate(() => {
    settings.changed.disconnect(onSettings);
    gateway.configChanged.disconnect(onConfig);
  });
}
