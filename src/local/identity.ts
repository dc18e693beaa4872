import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * The name of the user of the local Jupyter server (its identity API,
 * `GET api/me`), as Jupyter Server's own gateway client sends it as
 * `KERNEL_USERNAME`; `''` when the server does not say.
 *
 * Enterprise Gateway starts kernels as `KERNEL_USERNAME` and refuses to
 * start any without it when it runs as root; JupyterHub users have their
 * hub name here.
 */
export async function localUserName(
  serverSettings: ServerConnection.ISettings
): Promise<string> {
  try {
    const response = await ServerConnection.makeRequest(
      URLExt.join(serverSettings.baseUrl, 'api/me'),
      {},
      serverSettings
    );
    if (!response.ok) {
      return '';
    }
    const data = (await response.json()) as {
      identity?: { username?: unknown };
    };
    const name = data?.identity?.username;
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}
