import { PageConfig } from '@jupyterlab/coreutils';

import { MemoryStorage } from '../store/browserstore';

/**
 * What the page offers the extension: its browser storage and the options
 * the local Jupyter server wrote into the page config.
 */

/**
 * `localStorage` or `sessionStorage`, or a memory store where the browser
 * refuses it (a private window in some browsers, storage disabled).
 */
export function browserStorage(
  kind: 'localStorage' | 'sessionStorage'
): Storage | MemoryStorage {
  try {
    const storage = window[kind];
    storage.getItem('jupyterlab-kernel-gateway:probe');
    return storage;
  } catch {
    return new MemoryStorage();
  }
}

/**
 * The message types whose status messages JupyterLab leaves out of the
 * kernel status it shows (from the server's page config).
 */
function untrackedMessageTypes(): string[] {
  try {
    const types: unknown = JSON.parse(
      PageConfig.getOption('untracked_message_types') || '[]'
    );
    return Array.isArray(types) ? types.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * Whether the page's kernel connections leave the status messages caused by
 * a `kernel_info_request` out of the kernel status they show. The server
 * lists `untracked_message_types` in the page config whatever the
 * JupyterLab; only JupyterLab 4.6 and later read it (`@jupyterlab/services`
 * 7.6): on 4.4 and 4.5 every probe would flash the kernel busy, or show it
 * idle while a cell runs.
 */
export function probesAreUntracked(): boolean {
  const [major, minor] = (PageConfig.getOption('appVersion') || '')
    .split('.')
    .map(part => parseInt(part, 10));
  const reads = major > 4 || (major === 4 && minor >= 6);
  return reads && untrackedMessageTypes().includes('kernel_info_request');
}

/**
 * The server's root directory, absolute: from this package's server
 * extension (JupyterLab's own `serverRoot` shortens the home directory to
 * `~`), else JupyterLab's.
 */
export function serverRoot(): string {
  return (
    PageConfig.getOption('kernelGatewayServerRoot') ||
    PageConfig.getOption('serverRoot')
  );
}

/**
 * Where the server extension keeps session records (its REST API), and the
 * problem it reports with its store, if any; empty without it.
 */
export function sessionStoreOptions(): {
  serverStore: string;
  serverProblem: string;
} {
  return {
    serverStore: PageConfig.getOption('kernelGatewaySessionStore'),
    serverProblem: PageConfig.getOption('kernelGatewaySessionStoreProblem')
  };
}
