/**
 * The browser's own ceiling: a bare WebSocket in a Chromium page, talking
 * straight to the gateway with the v1 binary protocol, with no JupyterLab
 * in between. What separates the direct route from it is JupyterLab's and
 * this extension's cost; what separates it from the Node limit is the
 * browser's.
 */
'use strict';

const { PROTOCOL, serialize, deserialize } = require('./v1');

class BrowserWsClient {
  /**
   * @param page a Playwright page on an origin the gateway allows (CORS).
   */
  constructor(page, gatewayUrl, token) {
    this.page = page;
    this.gatewayUrl = gatewayUrl;
    this.token = token;
  }

  async start() {
    await this.page.addScriptTag({
      content: `window.__v1 = { serialize: ${serialize.toString()}, deserialize: ${deserialize.toString()} };`
    });
    return this.page.evaluate(
      async ({ base, token, protocol }) => {
        const started = performance.now();
        const response = await fetch(`${base}api/kernels?token=${token}`, {
          method: 'POST',
          body: '{}',
          headers: { 'Content-Type': 'application/json' }
        });
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
        const listeners = new Map();
        ws.onmessage = event => {
          const msg = window.__v1.deserialize(new Uint8Array(event.data));
          listeners.get(msg.parent_header?.msg_id)?.(msg);
        };
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
                bytes += msg.content.text.length;
              } else if (
                msg.header.msg_type === 'status' &&
                msg.content.execution_state === 'idle'
              ) {
                idle = performance.now() - sent;
              }
              if (reply && idle) {
                listeners.delete(id);
                resolve({ reply, idle, bytes });
              }
            });
            ws.send(
              window.__v1.serialize({
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
        window.__raw = { kernel, ws, request };
        await request('kernel_info_request', {});
        return performance.now() - started;
      },
      { base: this.gatewayUrl, token: this.token, protocol: PROTOCOL }
    );
  }

  execute(code) {
    return this.page.evaluate(
      code =>
        window.__raw.request('execute_request', {
          code,
          silent: false,
          store_history: false,
          user_expressions: {},
          allow_stdin: false
        }),
      code
    );
  }

  async stop() {
    await this.page.evaluate(
      async ({ base, token }) => {
        const raw = window.__raw;
        if (!raw) {
          return;
        }
        raw.ws.close();
        await fetch(`${base}api/kernels/${raw.kernel.id}?token=${token}`, {
          method: 'DELETE'
        });
        window.__raw = undefined;
      },
      { base: this.gatewayUrl, token: this.token }
    );
  }
}

module.exports = { BrowserWsClient };
