import { PathExt } from '@jupyterlab/coreutils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { Session } from '@jupyterlab/services';

/**
 * Keep each notebook's session at the notebook's path.
 *
 * A notebook renamed while its kernel is starting (right after "New
 * Notebook", or on a gateway that answers slowly) gets a session under its
 * old name: JupyterLab's SessionContext names a new session after the path
 * it last knew, and the rename reached only the document. The kernel then
 * belongs to a file that no longer exists: a page reload does not find it,
 * and messages about it name the wrong notebook (the Running panel too: it
 * shows the session's name). So when a notebook gets a new session at
 * another path, the session is moved to the notebook's path and named
 * after it, as JupyterLab does for a rename of a notebook with a session.
 * (A rename while the session exists already reaches it.) Only for the
 * sessions `applies` to: the gateway's (local sessions behave as without
 * the extension).
 */
export function keepSessionPaths(
  tracker: INotebookTracker,
  applies: (session: Session.ISessionConnection) => boolean
): void {
  const follow = (panel: NotebookPanel) => {
    const sync = () => {
      const session = panel.sessionContext.session;
      const path = panel.context.path;
      if (
        !session ||
        session.isDisposed ||
        session.path === path ||
        !applies(session)
      ) {
        return;
      }
      const name = PathExt.basename(path);
      session
        .setPath(path)
        .then(() => (session.name === name ? undefined : session.setName(name)))
        .catch(reason => {
          console.warn('Kernel Gateway: session path not updated:', reason);
        });
    };
    panel.sessionContext.sessionChanged.connect(sync);
    panel.disposed.connect(() => {
      panel.sessionContext.sessionChanged.disconnect(sync);
    });
  };
  tracker.forEach(follow);
  tracker.widgetAdded.connect((_, panel) => follow(panel));
}
