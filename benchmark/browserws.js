/**
 * The browser's own ceiling: a bare WebSocket in a Chromium page, talking
 * straight to the gateway with the v1 binary protocol, with no JupyterLab
 * in between. What separates the direct route from it is JupyterLab's and
 * this extension's cost; what separates it from the Node limit is the
 * browser's.
 */
'use strict';

const { PROTOCOL, serialize, deserialize } = require('./v1');

/**
 * @typedef {import('@jupyterlab/services').KernelMessage.IMessage} Message
 * @typedef {import('@jupyterlab/services').KernelMessage.IStreamMsg} StreamMessage
 * @typedef {import('@jupyterlab/services').KernelMessage.IStatusMsg} StatusMessage
 */

/**
 * What a request measured: milliseconds to the reply and to the status
 * `idle`, and the stream bytes received meanwhile.
 *
 * @typedef {{reply: number, idle: number, bytes: number}} Measure
 */

/**
 * The page's globals this client adds: the v1 codec, and the kernel with
 * its websocket.
 *
 * @typedef {Window & typeof globalThis & {
 *   __v1: {serialize: typeof serialize, deserialize: typeof deserialize},
 *   __raw?: {
 *     kernel: {id: string},
 *     ws: WebSocket,
 *     request: (msgType: string, content: object) => Promise<Measure>
 *   }
 * }} RawWindow
 */

class BrowserWsClient {
  /**
   * @param {import('playwright-core').Page} page a Playwright page on an
   *   origin the gateway allows (CORS).
   * @param {string} gatewayUrl
   * @param {string} token
   */
  constructor(page, gatewayUrl, token) {
    this.page = page;
    this.gatewayUrl = gatewayUrl;
    this.token = token;
  }

  /**
   * Start a kernel and connect to it; resolves with the milliseconds taken.
   *
   * @returns {Promise<number>}
   */
  async start() {
    await this.page.addScriptTag({
      content: `window.__v1 = { serialize: ${serialize.toString()}, deserialize: ${deserialize.toString()} };`
    });
    return this.page.evaluate(
      async ({ base, token, protocol }) => {
        const page = /** @type {RawWindow} */ (window);
        const started = performance.now();
        const response = await fetch(`${base}api/kernels?token=${token}`, {
          method: 'POST',
          body: '{}',
          headers: { 'Content-Type': 'application/json' }
        });
        /** @type {{id: string}} */
        const kernel = await response.json();
        const session = crypto.randomUUID();
        const ws = new WebSocket(
          `${base.replace(/^http/, 'ws')}api/kernels/${kernel.id}/channels?session_id=${session}&token=${token}`,
          [protocol]
        );
        ws.binaryType = 'arraybuffer';
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        /** @type {Map<string, (msg: Message) => void>} */
        const listeners = new Map();
        ws.onmessage = event => {
          const msg = page.__v1.deserialize(new Uint8Array(event.data));
          const parent = /** @type {Partial<Message['header']>} */ (
            msg.parent_header
          );
          const id = parent?.msg_id;
          if (id !== undefined) {
            listeners.get(id)?.(msg);
          }
        };
        /**
         * @param {string} msgType
         * @param {object} content
         * @returns {Promise<Measure>}
         */
        const request = (msgType, content) => {
          const id = crypto.randomUUID();
          const sent = performance.now();
          let reply = 0;
          let idle = 0;
          let bytes = 0;
          return new Promise(resolve => {
            listeners.set(id, msg => {
              if (msg.channel === 'shell') {
                reply = performance.now() - sent;
              } else if (msg.header.msg_type === 'stream') {
                bytes += /** @type {StreamMessage} */ (msg).content.text.length;
              } else if (
                msg.header.msg_type === 'status' &&
                /** @type {StatusMessage} */ (msg).content.execution_state ===
                  'idle'
              ) {
                idle = performance.now() - sent;
              }
              if (reply && idle) {
                listeners.delete(id);
                resolve({ reply, idle, bytes });
              }
            });
            ws.send(
              page.__v1.serialize({
                channel: 'shell',
                header: {
                  msg_id: id,
                  msg_type: msgType,
                  username: '',
                  session,
                  date: new Date().toISOString(),
                  version: '5.3'
                },
                parent_header: {},
                metadata: {},
                content
              })
            );
          });
        };
        page.__raw = { kernel, ws, request };
        await request('kernel_info_request', {});
        return performance.now() - started;
      },
      { base: this.gatewayUrl, token: this.token, protocol: PROTOCOL }
    );
  }

  /**
   * Run `code`; resolves when the kernel is idle again.
   *
   * @param {string} code
   * @returns {Promise<Measure>}
   */
  execute(code) {
    return this.page.evaluate(
      code =>
        /** @type {Required<RawWindow>} */ (window).__raw.request(
          'execute_request',
          {
            code,
            silent: false,
            store_history: false,
            user_expressions: {},
            allow_stdin: false
          }
        ),
      code
    );
  }

  /**
   * Close the websocket and shut the kernel down.
   *
   * @returns {Promise<void>}
   */
  async stop() {
    await this.page.evaluate(
      async ({ base, token }) => {
        const page = /** @type {RawWindow} */ (window);
        const raw = page.__raw;
        if (!raw) {
          return;
        }
        raw.ws.close();
        await fetch(`${base}api/kernels/${raw.kernel.id}?token=${token}`, {
          method: 'DELETE'
        });
        page.__raw = undefined;
      },
      { base: this.gatewayUrl, token: this.token }
    );
  }
}

module.exports = { BrowserWsClient };
